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


def test_calibration_targets_are_floats(tmp_path):
    """What is wrong, 5: targets keep their fractions. A neuron driven over its threshold (v_rest above
    v_thresh) with tau_refrac=0.5 fires at intervals above 0.5 µs, not every 8 ns; tau_m=0.5 calibrates."""
    data = run(
        tmp_path,
        """
        pynn.setup()
        pop = pynn.Population(1, pynn.cells.CalibHXNeuronCuba(v_rest=150, v_reset=60, v_thresh=100,
                                                             tau_refrac=0.5, tau_m=0.5))
        pop.record("spikes")
        pynn.run(0.05)
        spikes = np.asarray(pop.get_data().segments[0].spiketrains[0]) * 1e3
        targets = pop.celltype.calib_target
        print(json.dumps({"spikes": spikes.tolist(), "tau_refrac": float(targets["tau_refrac"][0]),
                          "tau_m": float(targets["tau_m"][0])}))
        """,
    )
    assert data["tau_refrac"] == 0.5
    assert data["tau_m"] == 0.5
    intervals = np.diff(data["spikes"])
    assert len(intervals) > 10
    assert intervals.min() > 0.5
    assert intervals.mean() < 1.5  # a fast membrane reaches the threshold soon after the refractory time


COBA_PSP = """
def psp(e_rev_E=300.0, receptor="excitatory", weight=63, times=(0.02,), v_thresh=220, sources=8):
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.CalibHXNeuronCoba(v_thresh=v_thresh, e_rev_E=e_rev_E))
    pop.record("v")
    src = pynn.Population(sources, pynn.cells.SpikeSourceArray(spike_times=list(times)))
    pynn.Projection(src, pop, pynn.AllToAllConnector(), synapse_type=pynn.synapses.StaticSynapse(weight=weight),
                    receptor_type=receptor)
    pynn.run(0.1)
    signal = pop.get_data().segments[0].irregularlysampledsignals[0]
    t, v = np.asarray(signal.times) * 1e3, np.asarray(signal).ravel()
    rest = float(np.median(v[t < 19]))
    pynn.end()
    return rest, float(v[t > 20].max() - rest), float(v[t > 20].min() - rest), float(v.max())
"""


def test_conductance_based_input_follows_its_driving_force(tmp_path):
    """What is wrong, 6: the driving force counts. The chip scales the input's strength by
    ``(e_rev - v) / (e_rev - e_ref)``, with the reference midway between leak and threshold (165 CADC units
    here): so the EPSP at rest (110) depends on e_rev_E, and a reversal potential below rest (90, 80 MADC LSB
    below) leaves a small one. A positive weight onto the inhibitory input is accepted and hyperpolarises;
    the defaults (300 and 30) are accepted."""
    data = run(
        tmp_path,
        COBA_PSP
        + textwrap.dedent(
            """
        far, farther, below, inhibitory = psp(300.0), psp(600.0), psp(90.0), psp(receptor="inhibitory")
        print(json.dumps({"far": far, "farther": farther, "below": below, "inhibitory": inhibitory}))
        """
        ),
    )
    far, farther, below, inhibitory = (data[k] for k in ("far", "farther", "below", "inhibitory"))
    assert far[1] > 20
    assert farther[1] == pytest.approx(far[1] * (490 / 435) / (190 / 135), rel=0.15)  # the ratio of the factors
    assert 0 < below[1] < 0.4 * far[1]
    assert inhibitory[2] < -10


def test_conductance_based_input_stops_at_its_reversal_potential(tmp_path):
    """What is wrong, 6: under a dense input train the membrane approaches e_rev_E = 122 CADC units (about
    488 MADC LSB, below the threshold of 125) and does not pass it."""
    data = run(
        tmp_path,
        COBA_PSP
        + textwrap.dedent(
            """
        rest, high, low, top = psp(122.0, times=[0.02 + 0.0005 * k for k in range(100)], v_thresh=125, sources=4)
        print(json.dumps({"rest": rest, "high": high, "top": top}))
        """
        ),
    )
    reversal = 122 * 1200 / 256 / (1200 / 1024)
    assert data["rest"] + data["high"] > reversal - 40  # driven close to it
    assert data["top"] < reversal + 8  # and never past it (readout noise and offset aside)


def test_external_input_arrives_after_its_delay(tmp_path):
    """What is wrong, 9: an external spike reaches the synaptic input about 0.4 µs after the FPGA plays it
    back (the routing and the synapse driver), so the PSP starts then, not at the spike time."""
    data = gs_volley(tmp_path, 26, 32)
    t, v = data["t"], data["v"]
    rest = np.median(v[t < 9.5])
    # The membrane rises about 30 LSB per µs at first: 5 LSB above the noise takes under 0.2 µs.
    onset = t[(t > 9.5) & (v > rest + 5)][0]
    assert 10.4 < onset < 10.7


ADEX = """
def adex(b=0, a=0, current=300, adaptation_v_leak=500, runtimes=(0.1, 0.6, 0.3), exponential=False):
    pynn.setup()
    pop = pynn.Population(1, pynn.cells.HXNeuron())
    n = pop[0]
    n.reset_v_reset, n.reset_i_bias, n.reset_enable_multiplication = 600, 1022, True
    n.membrane_capacitance_capacitance, n.refractory_period_refractory_time = 63, 30
    n.threshold_v_threshold, n.threshold_enable = 620, True
    n.leak_v_leak, n.leak_i_bias = 700, 70
    n.adaptation_enable, n.adaptation_enable_pulse = True, True
    n.adaptation_v_leak, n.adaptation_v_ref = adaptation_v_leak, 500
    n.adaptation_i_bias_tau, n.adaptation_i_bias_a, n.adaptation_i_bias_b = 100, a, b
    n.constant_current_i_offset = current
    n.exponential_enable, n.exponential_v_exp, n.exponential_i_bias = exponential, 900, 300
    pop.record(["spikes", "v"])
    for k, runtime in enumerate(runtimes):
        n.constant_current_enable = k == 1
        pynn.run(runtime, pynn.RunCommand.APPEND if k < len(runtimes) - 1 else pynn.RunCommand.EXECUTE)
    block = pop.get_data()
    spikes = np.sort(np.concatenate([np.asarray(s) for s in block.segments[-1].spiketrains])) * 1e3
    signals = block.segments[-1].irregularlysampledsignals
    t = np.concatenate([np.asarray(s.times) for s in signals]) * 1e3
    v = np.concatenate([np.asarray(s).ravel() for s in signals])
    pynn.end()
    return spikes, t, v
"""


def test_adaptation_slows_the_spikes_within_the_catalogue_ranges(tmp_path):
    """What is wrong, 7: the AdEx page's bursting task (its settings, with the exponential term, a = 0 and
    b = 200, within its slider's 0 to 500): within a burst the intervals grow as the adaptation builds up,
    until it silences the neuron for a pause many intervals long."""
    data = run(
        tmp_path,
        ADEX
        + textwrap.dedent(
            """
        spikes, t, v = adex(b=200, exponential=True)
        print(json.dumps({"spikes": spikes.tolist()}))
        """
        ),
    )
    intervals = np.diff(data["spikes"])
    pause = int(np.argmax(intervals > 10 * intervals[0]))
    assert pause >= 5  # a burst of several spikes, then a pause
    burst = intervals[:pause]
    assert burst[-3:].mean() > 1.2 * burst[:2].mean()  # the intervals grew within the burst


def test_adaptation_starts_in_its_steady_state_and_tracks_its_leak_reference(tmp_path):
    """What is wrong, 7: the chip runs on before a run, so strong subthreshold adaptation (a = 100) shows no
    start-up transient; adaptation_v_leak is modelled: away from its tracking value it shifts the rest."""
    data = run(
        tmp_path,
        ADEX
        + textwrap.dedent(
            """
        _, t, tracked = adex(a=100, current=0, runtimes=(0.1,))
        _, _, shifted = adex(a=100, current=0, adaptation_v_leak=300, runtimes=(0.1,))
        print(json.dumps({"t": t.tolist(), "tracked": tracked.tolist(), "shifted": shifted.tolist()}))
        """
        ),
    )
    t, tracked, shifted = data["t"], data["tracked"], data["shifted"]
    assert abs(tracked[t < 10].mean() - tracked[t > 90].mean()) < 2
    assert abs(np.median(shifted) - np.median(tracked)) > 5
