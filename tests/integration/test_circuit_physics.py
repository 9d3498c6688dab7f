"""The circuit model away from the recordings it was fitted to: student-style scripts, each checked against
what the chip shows (the catalogue's published figures) or what the chip's circuit must do.

Each script runs in a job process, as the queue runs it, and prints one JSON line with what it measured.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from bss2_emulator.job_process import run_script

HEADER = """\
import json
import numpy as np
import pynn_brainscales.brainscales2 as pynn

GS_NEURON = dict(leak_v_leak=400, leak_i_bias=200, threshold_v_threshold=400, threshold_enable=True,
                 refractory_period_refractory_time=100, reset_v_reset=300, reset_i_bias=1000,
                 membrane_capacitance_capacitance=63)


def measure(pop):
    block = pop.get_data()
    signal = block.segments[0].irregularlysampledsignals[0]
    t, v = np.asarray(signal.times) * 1e3, np.asarray(signal).ravel()
    spikes = np.asarray(block.segments[0].spiketrains[0]) * 1e3
    print(json.dumps({"t": t.tolist(), "v": v.tolist(), "spikes": spikes.tolist()}))


def calibrated_setup():
    pynn.setup(initial_config=pynn.helper.chip_from_file(pynn.helper.nightly_calib_path()))
"""


def run(tmp_path, body: str) -> dict:
    script = tmp_path / "experiment.py"
    script.write_text(HEADER + textwrap.dedent(body))
    process = run_script(script, tmp_path, timeout=300)
    assert process.returncode == 0, process.stderr
    out = json.loads(process.stdout.strip().splitlines()[-1])
    return {k: np.asarray(v) for k, v in out.items()}


def gs_volley(tmp_path, sources: int, weight: int) -> dict:
    """The catalogue's gs_02/gs_03 network: a volley of simultaneous inputs at 10, 30, 50, 70 and 90 µs."""
    return run(
        tmp_path,
        f"""
        calibrated_setup()
        pop = pynn.Population(1, pynn.cells.HXNeuron(**GS_NEURON))
        pop.record(["spikes", "v"])
        src = pynn.Population({sources}, pynn.cells.SpikeSourceArray(spike_times=[0.01, 0.03, 0.05, 0.07, 0.09]))
        pynn.Projection(src, pop, pynn.AllToAllConnector(),
                        synapse_type=pynn.synapses.StaticSynapse(weight={weight}), receptor_type="excitatory")
        pynn.run(0.1)
        measure(pop)
        """,
    )


def interspike_interval(tmp_path, leak_i_bias: int) -> float:
    data = run(
        tmp_path,
        f"""
        pynn.setup()
        pop = pynn.Population(1, pynn.cells.HXNeuron(
            leak_v_leak=1000, leak_i_bias={leak_i_bias}, threshold_v_threshold=300, reset_v_reset=400,
            membrane_capacitance_capacitance=63, refractory_period_refractory_time=255, threshold_enable=True,
            reset_i_bias=1022))
        pop.record(["spikes", "v"])
        pynn.run(0.2)
        measure(pop)
        """,
    )
    return float(np.diff(data["spikes"]).mean())


def test_the_interval_follows_the_leak_bias_as_its_square(tmp_path):
    """What is wrong, 1: the leak's conductance grows with the square of its bias (the CapMem current cell's
    square law), so raising the bias from the recording's 150 to the tutorial's 200 shortens the interval by
    more than a linear conductance would (13.0 µs to about 8.3 µs, where a linear one gives 9.1 µs)."""
    at_150, at_200 = interspike_interval(tmp_path, 150), interspike_interval(tmp_path, 200)
    assert at_150 == pytest.approx(13.06, abs=0.3)  # the recording
    assert at_200 < 0.66 * at_150


def test_a_weak_leak_settles_instead_of_falling_to_the_rail(tmp_path):
    """What is wrong, 2: an OTA's offset saturates for weak biases. A leak bias of 50 at the highest leak
    potential still drives the neuron over a threshold of 300 (about 400 LSB)."""
    data = run(
        tmp_path,
        """
        pynn.setup()
        pop = pynn.Population(1, pynn.cells.HXNeuron(leak_v_leak=1000, leak_i_bias=50, threshold_v_threshold=300,
            threshold_enable=True, reset_v_reset=400, reset_i_bias=1022, refractory_period_refractory_time=255,
            membrane_capacitance_capacitance=63))
        pop.record(["spikes", "v"])
        pynn.run(0.2)
        measure(pop)
        """,
    )
    assert len(data["spikes"]) >= 2
    assert data["v"].min() > 100


@pytest.mark.parametrize("tau_m", [40.0, 60.0])
def test_calibrated_slow_membranes_rest_at_their_target(tmp_path, tau_m):
    """What is wrong, 2: calix's configuration enables degeneration, so slow calibrated membranes rest at
    their v_rest (80 CADC units, about 320 MADC LSB) instead of at the rail."""
    data = run(
        tmp_path,
        f"""
        pynn.setup()
        pop = pynn.Population(1, pynn.cells.CalibHXNeuronCuba(tau_m={tau_m}, v_rest=80, v_thresh=125))
        pop.record(["spikes", "v"])
        pynn.run(0.1)
        measure(pop)
        """,
    )
    assert np.median(data["v"]) == pytest.approx(80 * 1200 / 256 / (1200 / 1024), abs=15)


def test_gs_02_rest_and_psps_as_on_the_chip(tmp_path):
    """What is wrong, 3: gs_02 (5 sources x weight 63 on a calibrated chip): rest near 190 LSB, a first PSP
    to about 290 and later peaks near 320, no spikes."""
    data = gs_volley(tmp_path, 5, 63)
    t, v = data["t"], data["v"]
    rest = np.median(v[t < 9.5])
    assert rest == pytest.approx(190, abs=25)
    assert v[(t > 10) & (t < 30)].max() - rest == pytest.approx(100, abs=25)
    assert v[t > 70].max() == pytest.approx(320, abs=25)
    assert len(data["spikes"]) == 0


def test_gs_03_experiment_2_saturates_softly_and_spikes_twice(tmp_path):
    """What is wrong, 3 and 9: 26 sources x weight 32 at once give about +220 LSB (the input stage saturates
    softly, so 2.6 times the input gives 2.2 times the PSP), and the stacked volleys fire at 56 and 95 µs."""
    data = gs_volley(tmp_path, 26, 32)
    t, v = data["t"], data["v"]
    rest = np.median(v[t < 9.5])
    assert v[(t > 10) & (t < 30)].max() - rest == pytest.approx(220, abs=35)
    assert len(data["spikes"]) == 2
    assert data["spikes"] == pytest.approx([56, 95], abs=3)


def test_gs_03_experiment_1_crosses_its_threshold_as_on_the_chip(tmp_path):
    """What is wrong, 4: the values gs_03's figure shows fire every 13 to 14 µs, with peaks near 560 and
    troughs near 170 LSB (7 spikes in 100 µs on the chip)."""
    data = run(
        tmp_path,
        """
        calibrated_setup()
        pop = pynn.Population(1, pynn.cells.HXNeuron(leak_v_leak=953, leak_i_bias=196,
            threshold_v_threshold=453, threshold_enable=True, refractory_period_refractory_time=255,
            reset_v_reset=300, reset_i_bias=1022, membrane_capacitance_capacitance=63))
        pop.record(["spikes", "v"])
        pynn.run(0.1)
        measure(pop)
        """,
    )
    spikes, v = data["spikes"], data["v"]
    assert 6 <= len(spikes) <= 8
    assert np.diff(spikes).mean() == pytest.approx(13.8, abs=1.0)
    assert v.max() == pytest.approx(560, abs=25)
    assert v.min() == pytest.approx(170, abs=25)
