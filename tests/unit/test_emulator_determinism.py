"""The chip seed fixes the fixed-pattern noise; the same seed gives the same data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bss2_emulator.chip.model import draw_mismatch
from helpers.paths import REPOSITORY
from tests.conftest import LEAK_OVER_THRESHOLD


def second_experiment(pynn):
    pop = pynn.Population(3, pynn.cells.HXNeuron(**LEAK_OVER_THRESHOLD))
    pop.record("spikes")
    pop[1:2].record("v")
    pynn.run(0.2)
    block = pop.get_data()
    signal = block.segments[0].irregularlysampledsignals[0]
    return np.asarray(signal).ravel(), [st.magnitude for st in block.segments[0].spiketrains]


def test_a_trial_seed_repeats_a_run_exactly(pynn, monkeypatch):
    monkeypatch.setenv("BSS2_EMULATOR_SEED", "7")
    monkeypatch.setenv("BSS2_EMULATOR_TRIAL_SEED", "3")
    v1, s1 = second_experiment(pynn)
    pynn.setup()
    v2, s2 = second_experiment(pynn)
    np.testing.assert_array_equal(v1, v2)
    for a, b in zip(s1, s2, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_same_chip_gives_fresh_noise_in_every_run_with_the_same_statistics(pynn, monkeypatch):
    """Fixed-pattern noise is fixed per chip; readout noise, phase and membrane noise are new in every run."""
    monkeypatch.setenv("BSS2_EMULATOR_SEED", "7")
    runs = []
    for _ in range(2):
        pynn.setup()
        runs.append(second_experiment(pynn))
    (v1, s1), (v2, s2) = runs
    assert not np.array_equal(v1, v2)
    intervals = [np.diff(s[1]) for s in (s1, s2)]
    means = [i.mean() for i in intervals]
    assert means[0] == pytest.approx(means[1], rel=0.01)  # the same neuron, so the same rate
    for i in intervals:
        assert 0 < i.std() / i.mean() < 0.01  # the interval jitters, by well under 1 %


def test_different_seed_different_chip(pynn, monkeypatch):
    monkeypatch.setenv("BSS2_EMULATOR_SEED", "7")
    _, spikes_7 = second_experiment(pynn)
    pynn.setup()
    monkeypatch.setenv("BSS2_EMULATOR_SEED", "8")
    _, spikes_8 = second_experiment(pynn)
    assert [len(s) for s in spikes_7] != [len(s) for s in spikes_8] or not all(
        np.array_equal(a, b) for a, b in zip(spikes_7, spikes_8, strict=True)
    )
    a, b = draw_mismatch(7), draw_mismatch(8)
    assert not np.allclose(a.threshold, b.threshold)
    np.testing.assert_array_equal(draw_mismatch(7).threshold, a.threshold)


def test_fixed_pattern_noise_identical_across_processes():
    code = "from bss2_emulator.chip.model import draw_mismatch; print(draw_mismatch(42).g_leak.tobytes().hex())"
    here = draw_mismatch(42).g_leak.tobytes().hex()
    there = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True, check=True)
    assert there.stdout.strip() == here


def test_fixed_pattern_noise_spread_matches_hardware():
    """About 10 LSB in the thresholds and resets the MADC sees, a few % in time constants, as on the published plots."""
    m = draw_mismatch(2326)
    lsb = 1200 / 1024
    assert 6 < np.std(m.threshold / lsb + m.readout_offset) < 13
    assert 6 < np.std(m.reset / lsb + m.readout_offset) < 13
    assert 0.02 < np.std(np.log(m.g_leak)) < 0.08
