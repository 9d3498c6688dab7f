"""Refreshing the results cache from the tutorials' %%file cells, on the emulator and on the (fake) queue."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from helpers.cache.refresh import RefreshIncomplete
from helpers.cache.store import ResultsCache
from helpers.execution import refresh_results
from helpers.experiments import experiment_scripts
from helpers.paths import REPOSITORY

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


SOURCES = ["Makefile", "requirements.txt", "requirements-lab.txt", "pyproject.toml", "allowed_signers", "helpers",
           "bss2_emulator", "tutorials", "results"]  # fmt: skip


@pytest.fixture
def checkout(tmp_path):
    """The repository's sources, with the project's .venv, in a folder of their own: make results writes there."""
    folder = tmp_path / "checkout"
    folder.mkdir()
    for name in SOURCES:
        (shutil.copytree if (REPOSITORY / name).is_dir() else shutil.copy)(REPOSITORY / name, folder / name)
    (folder / ".venv").symlink_to(REPOSITORY / ".venv")
    return folder


def make_results(folder, *args: str) -> str:
    process = subprocess.run(["make", "results", *args], cwd=folder, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    return process.stdout


@pytest.mark.slow
def test_make_results_twice_changes_nothing_the_second_time(checkout):
    cache = ResultsCache(checkout / "results")
    make_results(checkout)
    before = snapshot(cache)
    out = make_results(checkout)
    assert snapshot(cache) == before and f"{len(ALL)} unchanged" in out  # a reviewer sees no change


@pytest.mark.slow
def test_a_changed_emulator_or_force_re_records_with_the_same_trial_seeds(checkout):
    make_results(checkout, "FORCE=1")
    seeds = trial_seeds(checkout / "results")
    assert len(seeds) == len(ALL) and all(isinstance(seed, int) for seed in seeds.values())
    with (checkout / "bss2_emulator" / "parameters.py").open("a") as source:
        source.write("\n# an edit: the emulator's digest changes, so every emulated entry is recorded again\n")
    assert f"Recorded {len(ALL)} of {len(ALL)}" in make_results(checkout)
    assert trial_seeds(checkout / "results") == seeds  # each entry's noise repeats: its seed comes from its key


def trial_seeds(results) -> dict[str, int]:
    records = (json.loads(p.read_text()) for p in sorted(results.glob("*/provenance.json")))
    return {record["script"]: record["emulator_trial_seed"] for record in records}
