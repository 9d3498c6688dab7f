"""The emulator's constants are the fit to the recordings, and the fit describes the recordings closely."""

from __future__ import annotations

import pytest

from bss2_emulator.chip import model as chip
from bss2_emulator.chip.fit import derive, measure
from bss2_emulator.readout import madc


@pytest.fixture(scope="module")
def fit():
    measured = measure()
    return measured, derive(measured)


def test_the_chip_constants_are_the_fit_rounded(fit):
    _, curves = fit
    assert pytest.approx(curves.leak_mv, abs=0.01) == chip.LEAK_MV
    assert pytest.approx(curves.reset_mv, abs=0.01) == chip.RESET_MV
    assert pytest.approx(curves.threshold_mv, abs=0.01) == chip.THRESHOLD_MV
    assert pytest.approx(curves.leak_ns_per_lsb, abs=1e-4) == chip.LEAK_NS_PER_LSB
    assert pytest.approx(curves.reset_ns_per_lsb, abs=1e-4) == chip.RESET_NS_PER_LSB
    assert pytest.approx(curves.max_conductance_ns, abs=0.1) == chip.MAX_CONDUCTANCE_NS
    assert pytest.approx(curves.offset_current_na, abs=1e-3) == chip.OFFSET_CURRENT_NA
    assert pytest.approx(curves.threshold_noise_mv, abs=1e-3) == chip.THRESHOLD_NOISE_MV
    assert pytest.approx(curves.readout_noise_lsb, abs=1e-3) == madc.READOUT_NOISE_LSB


def test_the_physics_describes_the_recordings(fit):
    measured, _ = fit
    assert measured.ramp_rms < 2.0  # exponential ramps, to within the readout noise (1.65 LSB)
    assert measured.fall_rms < 3.0  # exponential falls towards the reset plateau
    assert measured.trough_delay == pytest.approx(255 * 0.008, abs=0.05)  # the 8 ns refractory clock
    assert 0 < measured.isi_jitter < 0.01
