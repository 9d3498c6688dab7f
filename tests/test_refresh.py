"""Refreshing the results cache from the tutorial's %%file cells, on the emulator and on the (fake) queue."""

from __future__ import annotations

from helpers.refresh import refresh
from helpers.results_cache import ResultsCache
from tests.conftest import EXPERIMENTS


def test_refresh_from_the_queue_records_every_experiment(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_COLLAB", "my-collab")
    cache = ResultsCache(tmp_path / "cache")
    job_ids = refresh("nmpi", cache=cache)
    assert len(job_ids) == 4 and len(fake_ebrains.jobs) == 4
    entries = sorted(p.name.rsplit("-", 1)[0] for p in cache.root.iterdir())
    assert entries == sorted(EXPERIMENTS)
    for entry in cache.root.iterdir():
        assert '"backend": "nmpi"' in (entry / "provenance.json").read_text()


def test_failed_refresh_keeps_the_old_cache(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_COLLAB", "my-collab")
    cache = ResultsCache(tmp_path / "cache")
    refresh("emulator", cache=cache)
    before = sorted(p.name for p in cache.root.iterdir())
    fake_ebrains.next_outcomes.extend(["normal", "error"])
    try:
        refresh("nmpi", cache=cache)
    except Exception as error:
        assert "status 'error'" in str(error)
    else:
        raise AssertionError("the refresh should have failed")
    assert sorted(p.name for p in cache.root.iterdir()) == before
