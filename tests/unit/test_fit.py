"""The emulator's constants are the fit to the recordings, and the fit describes the recordings closely."""

from __future__ import annotations

import pytest

from bss2_emulator.chip import model as chip
from bss2_emulator.chip.fit import fit as joint_fit
from bss2_emulator.chip.fit import measure
from bss2_emulator.readout import madc


@pytest.fixture(scope="module")
def fit():
    measured = measure()
    return measured, *joint_fit(measured)


def test_the_chip_constants_are_the_fit_rounded(fit):
    _, curves, _ = fit
    assert pytest.approx(curves.leak_mv, abs=0.01) == chip.LEAK_MV
    assert pytest.approx(curves.reset_mv, abs=0.01) == chip.RESET_MV
    assert pytest.approx(curves.threshold_mv, abs=0.01) == chip.THRESHOLD_MV
    assert pytest.approx(curves.leak_ns_at_reference, abs=0.01) == chip.LEAK_NS_AT_REFERENCE
    assert pytest.approx(curves.reset_ns_at_reference, abs=0.01) == chip.RESET_NS_AT_REFERENCE
    assert pytest.approx(curves.max_conductance_ns, abs=0.1) == chip.MAX_CONDUCTANCE_NS
    assert pytest.approx(curves.ota_offset_fraction, abs=1e-4) == chip.OTA_OFFSET_FRACTION
    assert pytest.approx(curves.ota_offset_ns, abs=0.1) == chip.OTA_OFFSET_NS
    assert pytest.approx(curves.ota_offset_zero_mv, abs=0.01) == chip.OTA_OFFSET_ZERO_MV
    assert pytest.approx(curves.threshold_noise_mv, abs=1e-3) == chip.THRESHOLD_NOISE_MV
    assert pytest.approx(curves.readout_noise_lsb, abs=1e-3) == madc.READOUT_NOISE_LSB


def test_the_physics_describes_the_recordings(fit):
    measured, _, _ = fit
    assert measured.ramp_rms < 2.0  # exponential ramps, to within the readout noise (1.65 LSB)
    assert measured.fall_rms < 3.0  # exponential falls towards the reset plateau
    assert measured.trough_delay == pytest.approx(255 * 0.008, abs=0.05)  # the 8 ns refractory clock
    assert 0 < measured.isi_jitter < 0.01


def test_one_fit_meets_the_recordings_and_the_catalogue_figures(fit):
    """Both recordings, the catalogue's gs_02/gs_03 figures and the AdEx page's level, each within its
    tolerance, from one set of laws."""
    _, _, rows = fit
    outside = [r for r in rows if r.ratio > 1]
    assert not outside, outside
    assert {r.reference for r in rows} >= {"silent_neuron", "leak_over_threshold", "gs_02", "gs_03 experiment 1",
                                           "gs_03 experiment 2", "AdEx subthreshold"}  # fmt: skip
