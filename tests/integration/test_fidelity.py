"""The emulator against the chip, like with like: each recording's settings, each quantity within its tolerance."""

from __future__ import annotations

import pytest

from helpers import fidelity
from helpers.cache.store import NotCached, ResultsCache


@pytest.mark.parametrize("trial", ["1", "2", "3"])
def test_the_emulator_reproduces_each_recording_with_its_own_settings(monkeypatch, trial):
    monkeypatch.setenv("BSS2_EMULATOR_TRIAL_SEED", trial)
    rows = fidelity.compare_with_recordings()
    assert len(rows) == len(fidelity.TARGETS)
    misses = [f"{r.target.observation}: {r.describe()}" for r in rows if not r.matches]
    assert misses == []


def test_the_tutorials_settings_are_predictions_that_behave_as_the_tutorial_says():
    values = {name: value for name, value, _ in fidelity.predictions(fidelity.run_experiments())}
    assert values["Exp. 2: spikes in 0.2 ms"] >= 5  # leak over threshold: it fires regularly
    assert values["Exp. 2: sawtooth trough"] < values["Exp. 2: sawtooth peak"]
    assert values["Exp. 3: peaks, lowest to highest"] > 5  # identical settings, different circuits
    assert values["Exp. 4: excitatory PSPs (smallest)"] > 5 and values["Exp. 4: inhibitory PSP"] < -5


def test_the_emulator_page_reads_its_predictions_from_the_results_cache(monkeypatch, tmp_path):
    """As every figure of the site: the build replays what make results recorded, and runs no experiment."""
    monkeypatch.setattr(fidelity, "run_script", lambda *args, **kwargs: pytest.fail("an experiment was run"))
    blocks = fidelity.recorded_experiments()
    assert list(blocks) == ["first_experiment", "second_experiment", "third_experiment", "fourth_experiment"]
    assert len(fidelity.predictions(blocks)) == 10
    with pytest.raises(NotCached, match="make results"):
        fidelity.recorded_experiments(ResultsCache(tmp_path))


@pytest.mark.parametrize("trial", ["1", "2"])
def test_the_emulator_meets_the_catalogues_chip_figures_with_each_pages_settings(monkeypatch, trial):
    """gs_02 and both gs_03 experiments, each fact within its tolerance. The AdEx page's subthreshold level is
    not yet met (the emulator page and the benchmark report its ratio); it is measured, not checked, here."""
    monkeypatch.setenv("BSS2_EMULATOR_TRIAL_SEED", trial)
    rows = fidelity.compare_with_catalogue()
    assert {r.target.figure for r in rows} == {"gs_02", "gs_03 experiment 1", "gs_03 experiment 2", "AdEx subthreshold"}
    misses = [f"{r.target.observation}: {r.describe()}" for r in rows if not r.matches]
    assert [m for m in misses if not m.startswith("AdEx subthreshold")] == []
