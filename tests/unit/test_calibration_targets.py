"""Calibrated neurons meet their targets over each parameter's documented range, or say which they miss."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bss2_emulator.chip.calibration import NIGHTLY, calibrate, missed_targets
from bss2_emulator.chip.model import N_NEURONS, draw_mismatch
from bss2_emulator.standardmodels.cells import CalibHXNeuronCuba

CHIP = np.arange(N_NEURONS)
MISMATCH = draw_mismatch(2326)


def misses(**targets) -> list[str]:
    chosen = {**NIGHTLY, **targets}
    return missed_targets(chosen, calibrate(chosen, CHIP, MISMATCH, 2326), CHIP, MISMATCH)


@pytest.mark.parametrize("name", ["v_rest", "v_reset", "v_thresh", "tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac"])
def test_both_ends_of_each_documented_range_are_reached_by_every_neuron(name):
    low, high, _ = CalibHXNeuronCuba.RANGES[name]
    assert misses(**{name: low}) == []
    assert misses(**{name: high}) == []


def test_a_target_beyond_the_chip_names_itself_and_what_is_reached():
    (message,) = misses(tau_syn_E=0.05)
    assert "tau_syn_E=0.05 µs is out of reach" in message
    reached = float(re.search(r"reaches ([0-9.]+) µs", message).group(1))
    assert 0.12 < reached < 0.25  # the fastest synaptic input, at bias setting 1022 (about 0.16 µs, with mismatch)
    assert "excitatory_input_i_bias_tau" in message
