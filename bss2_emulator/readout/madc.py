"""The MADC: 10-bit codes with readout noise, one sample every 34 ns, shared by up to two channels.

With two neurons recorded, the converter alternates between its two inputs, so each channel gets
every other sample (an assumption about the multiplexing; the library only says two can be read).
"""

from __future__ import annotations

import numpy as np

from ..chip.model import MADC_MV_PER_LSB

#: 500 MHz / 17: one sample every 34 ns.
SAMPLE_PERIOD_US = 0.034
#: The silent recording's scatter (bss2_emulator/chip/fit.py).
READOUT_NOISE_LSB = 1.655
MAX_CODE = 1023
#: What the MADC reads for the technical voltages (mV): a resting level plus a scale per mV/µs of the
#: synaptic current (``exc_synin``, ``inh_synin``, both in the current's sign) or of the adaptation
#: current (``adaptation``). Representations chosen for plotting; no recording pins them.
SYNIN_READOUT = (500.0, 7.0)
ADAPTATION_READOUT = (500.0, 20.0)


def sample_times(runtime_us: float, rng: np.random.Generator, channels: int = 1) -> list[np.ndarray]:
    """Each channel's sample times in [0, runtime): the MADC's clock starts at a random phase, and with two
    channels the samples alternate between them (both get the same number)."""
    phase = rng.uniform(0.0, SAMPLE_PERIOD_US)
    times = np.arange(phase, runtime_us, SAMPLE_PERIOD_US)
    if channels <= 1:
        return [times][:channels]
    count = len(times) // 2
    return [times[0 : 2 * count : 2], times[1 : 2 * count : 2]]


def digitize(potential_mv: np.ndarray, offset_lsb: float, rng: np.random.Generator) -> np.ndarray:
    """Convert membrane potentials (mV) to noisy 10-bit MADC codes, through a readout path with ``offset_lsb``."""
    codes = potential_mv / MADC_MV_PER_LSB + offset_lsb + rng.normal(0.0, READOUT_NOISE_LSB, potential_mv.shape)
    return np.clip(np.round(codes), 0, MAX_CODE) + 0.0  # + 0.0: no negative zeros
