"""The membrane ADC: one neuron sampled every 34 ns, 10-bit codes with readout noise."""

from __future__ import annotations

import numpy as np

from .chip import MADC_MV_PER_LSB

#: 500 MHz / 17: one sample every 34 ns.
SAMPLE_PERIOD_US = 0.034
#: The silent recording's scatter (helpers/emulator/fit.py).
READOUT_NOISE_LSB = 1.655
MAX_CODE = 1023


def sample_times(runtime_us: float, rng: np.random.Generator) -> np.ndarray:
    """Sample times in [0, runtime): the MADC's own clock starts at a random phase."""
    phase = rng.uniform(0.0, SAMPLE_PERIOD_US)
    return np.arange(phase, runtime_us, SAMPLE_PERIOD_US)


def digitize(potential_mv: np.ndarray, offset_lsb: float, rng: np.random.Generator) -> np.ndarray:
    """Convert membrane potentials (mV) to noisy 10-bit MADC codes, through a readout path with ``offset_lsb``."""
    codes = potential_mv / MADC_MV_PER_LSB + offset_lsb + rng.normal(0.0, READOUT_NOISE_LSB, potential_mv.shape)
    return np.clip(np.round(codes), 0, MAX_CODE)
