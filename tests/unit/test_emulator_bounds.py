"""The emulated circuit is bounded like the real one, and every parameter either acts or says it does not."""

from __future__ import annotations

import numpy as np
import pytest

from bss2_emulator.chip.model import MADC_MV_PER_LSB, MEMBRANE_RAILS_MV
from bss2_emulator.parameters import PARAMETERS, UnknownParameterError
from bss2_emulator.readout import madc
from tests.conftest import LEAK_OVER_THRESHOLD

SYNAPTIC = dict(leak_v_leak=700, leak_i_bias=200, excitatory_input_enable=True, inhibitory_input_enable=True,
                excitatory_input_i_bias_gm=1022, inhibitory_input_i_bias_gm=1022, excitatory_input_i_bias_tau=200,
                inhibitory_input_i_bias_tau=200)  # fmt: skip


@pytest.fixture(autouse=True)
def _repeatable(monkeypatch):
    monkeypatch.setenv("BSS2_EMULATOR_TRIAL_SEED", "11")


def membrane(pynn, params: dict, inputs=(), runtime: float = 0.1) -> np.ndarray:
    """The MADC trace of one neuron; ``inputs`` are (number of sources, weight, receptor, times)."""
    neuron = pynn.Population(1, pynn.cells.HXNeuron(**params))
    neuron.record("v")
    for count, weight, receptor, times in inputs:
        sources = pynn.Population(count, pynn.cells.SpikeSourceArray(spike_times=list(times)))
        synapse = pynn.standardmodels.synapses.StaticSynapse(weight=weight)
        pynn.Projection(sources, neuron, pynn.AllToAllConnector(), synapse_type=synapse, receptor_type=receptor)
    pynn.run(runtime)
    return np.asarray(neuron.get_data().segments[-1].irregularlysampledsignals[0]).ravel()


def test_a_hundred_simultaneous_inputs_saturate_the_synaptic_input(pynn):
    """A burst swings the synaptic input line only so far: 20 times the input gives far less than 20 times the
    PSP, and still more than the small burst's."""
    params = {**SYNAPTIC, "excitatory_input_i_bias_gm": 200}
    peaks = []
    for count in (5, 100):
        trace = membrane(pynn, params, [(count, 63, "excitatory", [0.01])])
        peaks.append(trace.max() - np.median(trace[:200]))
        pynn.end()
        pynn.setup()
    small, large = peaks
    assert 1.5 * small < large < 5 * small
    assert large < 1023 - np.median(trace[:200])  # below the top of the MADC's range


def test_strong_inhibition_stops_at_the_lower_rail(pynn):
    trace = membrane(pynn, SYNAPTIC, [(100, -63, "inhibitory", [0.01, 0.011, 0.012])])
    assert trace.min() >= 0 and trace.min() < np.median(trace[:200]) - 100
    assert MEMBRANE_RAILS_MV[0] / MADC_MV_PER_LSB <= trace.min() + 5


def test_no_leak_bias_switches_the_leak_off(pynn):
    held = membrane(pynn, {"leak_v_leak": 700, "leak_i_bias": 1022})
    pynn.setup()
    floating = membrane(pynn, {"leak_v_leak": 700, "leak_i_bias": 0})
    assert abs(np.median(floating) - np.median(held)) > 100  # nothing holds it at the leak potential


def test_no_time_constant_bias_means_the_synaptic_current_never_decays(pynn):
    decaying = membrane(pynn, SYNAPTIC, [(1, 30, "excitatory", [0.01])])
    pynn.setup()
    held = membrane(pynn, {**SYNAPTIC, "excitatory_input_i_bias_tau": 0}, [(1, 30, "excitatory", [0.01])])
    rest = np.median(decaying[:200])
    assert abs(decaying[-200:].mean() - rest) < 4  # the PSP is over
    assert held[-200:].mean() - rest > 20  # a current that never decays keeps the membrane up


def test_weights_round_to_whole_numbers_like_the_chip(pynn):
    none = membrane(pynn, SYNAPTIC)
    pynn.setup()
    fractional = membrane(pynn, SYNAPTIC, [(1, 0.3, "excitatory", [0.01, 0.03])])
    np.testing.assert_array_equal(fractional, none)  # 0.3 rounds to 0: no synapse


def test_the_madc_clips_at_both_ends_of_its_range():
    rng = np.random.default_rng(0)
    codes = madc.digitize(np.array([-500.0, 0.0, 600.0, 5000.0]), 0.0, rng)
    assert codes[0] == 0 and codes[-1] == 1023 and 0 < codes[2] < 1023


def test_the_bottom_of_the_leak_range_is_on_the_scale_with_noise(pynn):
    trace = membrane(pynn, {"leak_v_leak": 300, "leak_i_bias": 1022})
    assert trace.min() > 0 and trace.std() > 0.5


def test_an_unmodelled_parameter_is_named_in_the_job_log(pynn, capfd):
    membrane(pynn, {**SYNAPTIC, "excitatory_input_i_shift_reference": 300, "refractory_period_reset_holdoff": 3})
    err = capfd.readouterr().err
    assert "excitatory_input_i_shift_reference=300" in err and "refractory_period_reset_holdoff=3" in err
    assert "not modelled by the emulator" in err


def test_defaults_and_modelled_parameters_raise_no_warning(pynn, capfd):
    membrane(pynn, LEAK_OVER_THRESHOLD)
    assert "warning" not in capfd.readouterr().err.lower()


@pytest.mark.parametrize("name", ["readout_source", "readout_enable_amplifier", "event_routing_analog_output",
                                  "event_routing_enable_digital"])  # fmt: skip
def test_parameters_the_real_hxneuron_hides_are_rejected(pynn, name):
    assert name not in PARAMETERS
    with pytest.raises(UnknownParameterError):
        pynn.cells.HXNeuron(**{name: 1})


def _nominal(**settings) -> dict:
    """Every HXNeuron parameter at its default, with ``settings``, for one neuron."""
    return {name: np.array([float(settings.get(name, p.default))]) for name, p in PARAMETERS.items()}


def test_the_fastest_reset_takes_about_half_a_microsecond():
    """Multiplication scales the reset conductance by 8, but the circuit's output stage limits it."""
    from bss2_emulator.chip.model import Mismatch, neuron_model

    neutral = Mismatch(**{f: np.zeros(512) if f in ("leak", "reset", "threshold", "readout_offset") else np.ones(512)
                          for f in Mismatch.__dataclass_fields__})  # fmt: skip
    fast = neuron_model(_nominal(reset_i_bias=1022, reset_enable_multiplication=1,
                                 membrane_capacitance_capacitance=63), np.array([0]), neutral)  # fmt: skip
    slow = neuron_model(_nominal(reset_i_bias=1022, membrane_capacitance_capacitance=63), np.array([0]), neutral)
    assert fast.tau_reset[0] == pytest.approx(0.5, rel=0.1)
    assert 2 < slow.tau_reset[0] / fast.tau_reset[0] < 8  # faster with multiplication, but not 8 times


def test_the_default_chips_neuron_0_is_the_recorded_circuit():
    from bss2_emulator.chip.model import draw_mismatch
    from bss2_emulator.config import DEFAULT_CHIP_SEED

    recorded, other = draw_mismatch(DEFAULT_CHIP_SEED), draw_mismatch(7)
    for field in ("leak", "reset", "threshold", "readout_offset"):
        assert getattr(recorded, field)[0] == 0 and np.all(getattr(recorded, field)[1:] != 0)
        assert getattr(other, field)[0] != 0
    assert recorded.g_leak[0] == 1 and recorded.g_reset[0] == 1


def test_both_solvers_keep_the_membrane_between_the_rails():
    """A current far beyond what the rails allow: the exact solution and the 8 ns steps stop at the supply."""
    from bss2_emulator.chip.model import NeuronModel
    from bss2_emulator.solvers import exact as dynamics
    from bss2_emulator.solvers import stepped

    values = dict(e_leak=300.0, tau_mem=10.0, v_threshold=1e9, threshold_enabled=False, v_plateau=100.0,
                  tau_reset=0.3, t_refractory=1.0, tau_exc=3.0, tau_inh=3.0, jump_exc=1.0, jump_inh=-1.0,
                  max_exc=1e9, max_inh=1e9)  # fmt: skip
    model = NeuronModel(**{k: np.array([v]) for k, v in values.items()})
    kick = dynamics.InputSpikes(np.array([[1.0, 30.0]]), np.array([[5000.0, 0.0]]), np.array([[0.0, -9000.0]]))
    exact = dynamics.simulate(model, kick, np.array([0.0]), 60.0, np.array([300.0]), np.array([True]))
    sampled = dynamics.sample(exact.segments, 0, np.linspace(0, 60, 3001), model)
    events = stepped.Events(np.array([0, 0]), np.array([1.0, 30.0]), np.array([5000.0, 0.0]), np.array([0.0, -9000.0]),
                            np.array([True, False]))  # fmt: skip
    start = stepped.State(0.0, np.array([300.0]), np.zeros(1), np.zeros(1), np.zeros(1), np.array([-np.inf]))
    steps = stepped.simulate(model, events, None, start, 60.0, np.array([True])).traces.v[:, 0]
    for trace in (sampled, steps):
        assert trace.max() == pytest.approx(MEMBRANE_RAILS_MV[1]) and trace.min() == pytest.approx(MEMBRANE_RAILS_MV[0])
