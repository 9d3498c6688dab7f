"""The tutorial's four experiments, from the notebook, through the command line; results against the hardware."""

from __future__ import annotations

import re

import numpy as np
import pytest
from neo.io import PickleIO

from helpers import analysis
from tests.conftest import EXPERIMENTS, experiment, run_cli


@pytest.fixture(scope="module")
def blocks(tmp_path_factory):
    """Run each experiment once through ``python -m helpers run`` and read its .dat file back."""
    out = tmp_path_factory.mktemp("jobs")
    result = {}
    for name in EXPERIMENTS:
        (out / f"{name}.py").write_text(experiment(name))
        process = run_cli("run", f"{name}.py", "--backend", "emulator", "--output-dir", str(out), cwd=out)
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
    assert len(times) == pytest.approx(0.2 / 3.4e-5, abs=1)  # one sample every 34 ns, from a random phase
    train = block.segments[0].spiketrains[0]
    assert float(train.t_start) == 0 and float(train.t_stop) == pytest.approx(0.2)


def test_recordings_start_mid_ramp(blocks):
    """Neurons are not reset at t = 0: each recording catches its neuron at a random point of its cycle, so
    most of the ten traces of experiment 3 start well above their reset level (one in ten near it, by chance)."""
    starts = []
    for segment in blocks["third_experiment"].segments:
        times, values = only_trace(segment)
        starts.append(values[0] > analysis.sawtooth(times, values).trough + 10)
    assert sum(starts) >= 5


def test_experiment_3_neurons_differ_and_are_out_of_phase(blocks):
    segments = blocks["third_experiment"].segments
    assert len(segments) == 10
    saws = [analysis.sawtooth(*only_trace(s)) for s in segments]
    assert np.ptp([s.peak for s in saws]) > 8 and np.ptp([s.trough for s in saws]) > 8
    assert np.ptp([s.reset_times[0] for s in saws]) > 0.002  # not aligned in phase
    ids = [s.irregularlysampledsignals[0].annotations["source_ids"][0] for s in segments]
    assert len(set(ids)) == 10


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
