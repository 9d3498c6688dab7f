"""Refreshing the results cache from the tutorials' %%file cells, on the emulator and on the (fake) queue."""

from __future__ import annotations

import subprocess

import pytest

from helpers.cache.refresh import RefreshIncomplete
from helpers.cache.store import ResultsCache
from helpers.execution import refresh_results
from helpers.experiments import experiment_scripts

#: Every experiment of every tutorial, by its script's stem.
ALL = sorted(name.removesuffix(".py") for name in experiment_scripts())


def snapshot(cache: ResultsCache) -> dict[str, bytes]:
    """Every file of the cache, by relative path, with its content."""
    return {str(p.relative_to(cache.root)): p.read_bytes() for p in sorted(cache.root.rglob("*")) if p.is_file()}


def signing_key(folder):
    """A maintainer's SSH key, which a refresh from the queue needs (the fake queue's results are emulated)."""
    key = folder / "maintainer_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key


def test_refresh_from_the_queue_records_every_experiment(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_COLLAB", "my-collab")
    monkeypatch.setenv("BSS2_SIGNING_KEY", str(signing_key(tmp_path)))
    cache = ResultsCache(tmp_path / "cache")
    job_ids = refresh_results("nmpi", cache=cache)
    assert len(job_ids) == len(ALL) and sorted(job_ids) == sorted(str(i) for i in fake_ebrains.jobs)
    entries = sorted(p.name.rsplit("-", 1)[0] for p in cache.root.iterdir())
    assert entries == ALL
    for entry in cache.root.iterdir():
        assert '"backend": "nmpi"' in (entry / "provenance.json").read_text()


def test_a_failed_experiment_keeps_its_old_entry_and_the_finished_ones_are_stored(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_COLLAB", "my-collab")
    monkeypatch.setenv("BSS2_SIGNING_KEY", str(signing_key(tmp_path)))
    cache = ResultsCache(tmp_path / "cache")
    refresh_results("emulator", cache=cache)
    before = snapshot(cache)
    fake_ebrains.next_outcomes.extend(["normal", "error"])
    with pytest.raises(RefreshIncomplete, match=f"1 of {len(ALL)} experiments failed") as failure:
        refresh_results("nmpi", cache=cache)
    (failed,) = [name for name in ALL if f"- {name}.py: Job" in str(failure.value)]
    after = snapshot(cache)
    assert {k: v for k, v in after.items() if k.startswith(failed)} == {
        k: v for k, v in before.items() if k.startswith(failed)
    }
    for entry in cache.root.iterdir():
        backend = '"backend": "emulator"' if entry.name.startswith(failed) else '"backend": "nmpi"'
        assert backend in (entry / "provenance.json").read_text()
    assert len(list(cache.root.iterdir())) == len(ALL)  # the finished ones replaced their old entries
