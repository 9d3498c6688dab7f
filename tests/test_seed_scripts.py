"""The four seed scripts, verbatim, through the command line; results checked against the hardware plots."""

from __future__ import annotations

import re

import numpy as np
import pytest
from neo.io import PickleIO

from helpers import analysis
from tests.conftest import EXPERIMENTS, SEED_SCRIPTS, run_cli


@pytest.fixture(scope="module")
def blocks(tmp_path_factory):
    """Run each seed script once through ``python -m helpers run`` and read its .dat file back."""
    out = tmp_path_factory.mktemp("jobs")
    result = {}
    for name in EXPERIMENTS:
        process = run_cli(
            "run", str(SEED_SCRIPTS / f"{name}.py"), "--backend", "emulator", "--output-dir", str(out), cwd=out
        )
        assert process.returncode == 0, process.stderr
        job_id = re.search(r"job id: (\S+)", process.stdout).group(1)
        assert f"{name}.dat" in process.stdout  # the files it produced are listed
        result[name] = PickleIO(str(out / f"job_{job_id}" / f"{name}.dat")).read_block()
    return result


def only_trace(segment):
    assert len(segment.irregularlysampledsignals) == 1
    signal = segment.irregularlysampledsignals[0]
    assert signal.annotations["device"] == "madc"
    return analysis.trace(signal)


def test_layout_as_on_the_chip(blocks):
    block = blocks["second_experiment"]
    assert block.annotations["simulator"].startswith("BrainScaleS-2 emulator")
    times, values = only_trace(block.segments[0])
    assert len(block.segments[0].analogsignals) == 0
    assert values.min() >= 0 and values.max() <= 1023 and np.all(values == np.round(values))
    assert np.diff(times).mean() == pytest.approx(3.4e-5, rel=1e-3)
    assert times[0] >= 0 and times[-1] < 0.2
    assert len(times) == pytest.approx(5880, abs=2)
    train = block.segments[0].spiketrains[0]
    assert float(train.t_start) == 0 and float(train.t_stop) == pytest.approx(0.2)


def test_experiment_1_rests_near_373(blocks):
    _, values = only_trace(blocks["first_experiment"].segments[0])
    assert analysis.resting_level(values) == pytest.approx(373, abs=12)
    assert 0.8 < np.std(values) < 3  # readout noise of about 1 to 2 LSB


def test_experiment_2_sawtooth(blocks):
    segment = blocks["second_experiment"].segments[0]
    times, values = only_trace(segment)
    saw = analysis.sawtooth(times, values)
    assert saw.trough == pytest.approx(232, abs=15)
    assert saw.peak == pytest.approx(405, abs=20)
    assert 13 <= len(segment.spiketrains[0]) <= 17
    assert 0.0008 <= saw.plateau <= 0.0025  # 1 to 2 µs
    assert values[0] > saw.trough + 10  # caught mid-ramp: neurons are not reset at t = 0


def test_experiment_3_fixed_pattern_noise(blocks):
    segments = blocks["third_experiment"].segments
    assert len(segments) == 10
    saws = [analysis.sawtooth(*only_trace(s)) for s in segments]
    peaks = np.array([s.peak for s in saws])
    troughs = np.array([s.trough for s in saws])
    isis = np.array([s.isi for s in saws])
    assert peaks.min() > 385 and peaks.max() < 445 and np.ptp(peaks) > 8
    assert troughs.min() > 205 and troughs.max() < 255 and np.ptp(troughs) > 8
    spread = isis.max() / isis.min() - 1
    assert 0.05 <= spread <= 0.20
    first_resets = [s.reset_times[0] for s in saws]
    assert np.ptp(first_resets) > 0.002  # not aligned in phase
    ids = [s.irregularlysampledsignals[0].annotations["source_ids"][0] for s in segments]
    assert len(set(ids)) == 10


def test_experiment_4_psps(blocks):
    times, values = only_trace(blocks["fourth_experiment"].segments[0])
    exc1, inh, exc2, exc3 = analysis.psp_amplitudes(times, values, [0.01, 0.03, 0.05, 0.08])
    for amplitude in (exc1, exc2, exc3):
        assert 15 <= amplitude <= 100
    assert -100 <= inh <= -10


def test_failing_script_exits_non_zero_with_readable_message(tmp_path):
    script = tmp_path / "broken_experiment.py"
    script.write_text("import pynn_brainscales.brainscales2 as pynn\npynn.cells.HXNeuron(leak_v_leak=2000)\n")
    process = run_cli("run", str(script), "--backend", "emulator", "--output-dir", str(tmp_path), cwd=tmp_path)
    assert process.returncode != 0
    assert "ended with status 'error'" in process.stderr
    assert "'leak_v_leak' = 2000 is out of range" in process.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".staging", "job_"))]


def test_no_package_named_pynn_brainscales_is_installed():
    import importlib.util

    assert importlib.util.find_spec("pynn_brainscales") is None
