"""Collab lookup through the real ebrains_drive client and quota check through the real nmpi client."""

from __future__ import annotations

import pytest

from helpers.backends.nmpi import clients
from helpers.collab import Collab, CollabNotFound, QuotaNotAccepted, check_quota, find_collab, slug_from_owner


def test_slug_from_owner():
    assert slug_from_owner("collab-my-collab-administrator") == "my-collab"
    assert slug_from_owner("collab-a-b-c-viewer") == "a-b-c"
    with pytest.raises(CollabNotFound):
        slug_from_owner("Organization")


def test_override_skips_the_lookup(monkeypatch):
    monkeypatch.setenv("EBRAINS_COLLAB", "given-collab")
    assert find_collab("/anywhere").slug == "given-collab"


def test_outside_the_drive_without_a_token_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path / "shared"))
    with pytest.raises(clients.MissingToken, match="EBRAINS_TOKEN"):
        find_collab(tmp_path)


def test_outside_the_drive_the_only_collab_is_used(fake_ebrains, monkeypatch, tmp_path, capsys):
    """A launch button clones into the home directory, not into a Drive folder."""
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path / "shared"))
    assert find_collab(tmp_path / "home" / "queue-runner-tutorial" / "tutorials").slug == "my-collab"
    assert "using your only collab, 'my-collab'" in capsys.readouterr().out


def test_the_only_collab_is_announced_once_not_for_every_job(fake_ebrains, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path / "shared"))
    for _ in range(4):  # the notebook's collab cell, then each job of the tutorial
        assert find_collab(tmp_path / "home").slug == "my-collab"
    assert capsys.readouterr().out.count("using your only collab") == 1


def test_outside_the_drive_several_collabs_are_listed_with_how_to_choose(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path / "shared"))
    fake_ebrains.collabs["Second Collab"] = "second-collab"
    with pytest.raises(CollabNotFound, match=r"2 collabs: my-collab, second-collab.*EBRAINS_COLLAB"):
        find_collab(tmp_path)


def test_found_through_the_drive(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path))
    collab = find_collab(tmp_path / "My Collab" / "tutorials")
    assert collab == Collab(slug="my-collab", title="My Collab")


def test_unknown_collab_title(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path))
    with pytest.raises(CollabNotFound, match="Found 0 Drive repositories named 'Other'"):
        find_collab(tmp_path / "Other")


def test_expired_token_at_the_drive(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path))
    monkeypatch.setenv("EBRAINS_TOKEN", "expired")
    with pytest.raises(clients.TokenExpired, match="expired"):
        find_collab(tmp_path / "My Collab")


def test_quota_accepted(fake_ebrains):
    assert check_quota(Collab("my-collab")) == "accepted"


def test_missing_quota_is_requested_despite_client_bug(fake_ebrains):
    fake_ebrains.projects.clear()
    with pytest.raises(QuotaNotAccepted, match="test quota request was submitted"):
        check_quota(Collab("my-collab"))  # the client raises KeyError: 'context' inside; it is handled
    assert [p["status"] for p in fake_ebrains.projects] == ["under review"]
    with pytest.raises(QuotaNotAccepted, match=r"not accepted yet.*under review"):
        check_quota(Collab("my-collab"))


def test_missing_token_is_explained():
    with pytest.raises(clients.MissingToken, match="EBRAINS_TOKEN"):
        clients.token()
