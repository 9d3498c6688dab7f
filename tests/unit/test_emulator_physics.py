"""The integrator against closed-form solutions and an independent fine-step Euler integration."""

from __future__ import annotations

import numpy as np
import pytest

from bss2_emulator.chip.model import NeuronModel
from bss2_emulator.solvers import exact as dynamics


def model(**overrides) -> NeuronModel:
    values = dict(
        e_leak=300.0,
        tau_mem=10.0,
        v_threshold=1e9,
        threshold_enabled=False,
        v_plateau=100.0,
        tau_reset=0.3,
        t_refractory=1.0,
        tau_exc=3.0,
        tau_inh=5.0,
        jump_exc=1.0,
        jump_inh=-1.0,
        max_exc=1e9,
        max_inh=1e9,
    )
    values.update(overrides)
    return NeuronModel(**{k: np.array([v]) for k, v in values.items()})


def one_input(time: float, exc: float = 0.0, inh: float = 0.0) -> dynamics.InputSpikes:
    return dynamics.InputSpikes(np.array([[time]]), np.array([[exc]]), np.array([[inh]]))


def run(m, inputs, v_start, t_stop=60.0):
    result = dynamics.simulate(m, inputs, np.array([0.0]), t_stop, np.array([v_start]), np.array([True]))
    return result


def euler(m: NeuronModel, v0: float, t_input: float, jump: float, t_end: float, dt: float = 1e-3):
    """Forward Euler with a tiny step: an independent reference for the driven membrane."""
    steps = int(t_end / dt)
    v, i = v0, 0.0
    out = np.empty(steps)
    for k in range(steps):
        if abs(k * dt - t_input) < dt / 2:
            i += jump
        v += dt * ((m.e_leak[0] - v) / m.tau_mem[0] + i)
        i -= dt * i / m.tau_exc[0]
        out[k] = v
    return np.arange(1, steps + 1) * dt, out


def test_relaxation_to_leak_with_membrane_time_constant():
    m = model()
    result = run(m, dynamics.InputSpikes.none(1), v_start=100.0)
    t = np.linspace(0, 50, 101)
    v = dynamics.sample(result.segments, 0, t, m)
    np.testing.assert_allclose(v, 300.0 - 200.0 * np.exp(-t / 10.0), rtol=1e-12)
    # one time constant covers 1 - 1/e of the distance
    assert dynamics.sample(result.segments, 0, np.array([10.0]), m)[0] == pytest.approx(300 - 200 / np.e)


def test_result_does_not_depend_on_event_splitting():
    """Zero-weight input events split the integration into pieces; the trace must not change."""
    m = model()
    whole = run(m, dynamics.InputSpikes.none(1), 100.0)
    times = np.sort(np.random.default_rng(0).uniform(0, 50, 37))[None, :]
    split = run(m, dynamics.InputSpikes(times, np.zeros_like(times), np.zeros_like(times)), 100.0)
    t = np.linspace(0, 55, 301)
    np.testing.assert_allclose(
        dynamics.sample(split.segments, 0, t, m), dynamics.sample(whole.segments, 0, t, m), rtol=1e-12
    )


def test_psp_of_current_based_exponential_synapse():
    m = model(e_leak=0.0)
    jump = 2.0
    result = run(m, one_input(5.0, exc=jump), v_start=0.0)
    t = np.linspace(0, 55, 551)
    v = dynamics.sample(result.segments, 0, 5.0 + t, m)
    tau_m, tau_s = 10.0, 3.0
    expected = jump * tau_m * tau_s / (tau_m - tau_s) * (np.exp(-t / tau_m) - np.exp(-t / tau_s))
    np.testing.assert_allclose(v, expected, atol=1e-9)
    t_peak = tau_m * tau_s / (tau_m - tau_s) * np.log(tau_m / tau_s)
    assert t[np.argmax(v)] == pytest.approx(t_peak, abs=0.1)
    # and against an independent numerical integration
    te, ve = euler(m, 0.0, 5.0, jump, 40.0)
    v_at = dynamics.sample(result.segments, 0, te, m)
    np.testing.assert_allclose(v_at, ve, atol=5e-3 * expected.max())


def test_interspike_interval_of_lif_driven_above_threshold():
    m = model(
        e_leak=500.0, v_threshold=400.0, threshold_enabled=True, v_plateau=200.0, tau_reset=0.3, t_refractory=0.96
    )
    result = run(m, dynamics.InputSpikes.none(1), v_start=200.0, t_stop=200.0)
    after_reset = 200.0 + (400.0 - 200.0) * np.exp(-0.96 / 0.3)
    isi = 0.96 + 10.0 * np.log((500.0 - after_reset) / (500.0 - 400.0))
    first = 10.0 * np.log((500.0 - 200.0) / (500.0 - 400.0))
    spikes = result.spike_time
    assert spikes[0] == pytest.approx(first, rel=1e-12)
    np.testing.assert_allclose(np.diff(spikes), isi, rtol=1e-9)


def test_threshold_crossing_driven_by_input_is_found_exactly():
    m = model(e_leak=0.0, v_threshold=5.0, threshold_enabled=True, v_plateau=0.0)
    result = run(m, one_input(5.0, exc=4.0), v_start=0.0)  # the PSP peaks at 7.2 > 5
    assert len(result.spike_time) == 1
    t_cross = result.spike_time[0]
    assert dynamics.membrane(t_cross - 5.0, 0.0, 4.0, 0.0, 10.0, 0.0, 3.0, 5.0) == pytest.approx(5.0, abs=1e-9)
    assert t_cross - 5.0 < 5.16  # the first crossing, on the rising flank


def test_the_8_ns_steps_follow_the_exact_solver(pynn, monkeypatch):
    """One driven LIF neuron, run once by the exact solver and once in 8 ns steps (two APPEND snippets)."""
    monkeypatch.setenv("BSS2_EMULATOR_TRIAL_SEED", "5")
    params = dict(leak_v_leak=1000, leak_i_bias=200, threshold_v_threshold=300, reset_v_reset=400,
                  membrane_capacitance_capacitance=63, refractory_period_refractory_time=120, threshold_enable=True,
                  reset_i_bias=1022, reset_enable_multiplication=True, excitatory_input_enable=True,
                  excitatory_input_i_bias_gm=1022, excitatory_input_i_bias_tau=200)  # fmt: skip

    def spikes(stepped: bool) -> np.ndarray:
        pynn.setup()
        neuron = pynn.Population(1, pynn.cells.HXNeuron(**params))
        source = pynn.Population(1, pynn.cells.SpikeSourceArray(spike_times=[0.02, 0.05, 0.051]))
        pynn.Projection(source, neuron, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=40),
                        receptor_type="excitatory")  # fmt: skip
        neuron.record("spikes")
        if stepped:
            pynn.run(0.05, pynn.RunCommand.APPEND)
            pynn.run(0.05)
        else:
            pynn.run(0.1)
        return np.concatenate([train.magnitude for train in neuron.get_data().segments[0].spiketrains])

    exact, steps = spikes(False), spikes(True)
    assert len(exact) == len(steps)
    assert np.diff(steps).mean() == pytest.approx(np.diff(exact).mean(), rel=0.01)


def test_a_neuron_under_a_train_of_inputs_fires_as_the_8_ns_steps_say(pynn, monkeypatch):
    """Many inputs, mostly below threshold and now and then above: the exact solver skips the search for a
    crossing only where none is possible, so it fires when the stepped solver does."""
    monkeypatch.setenv("BSS2_EMULATOR_TRIAL_SEED", "3")
    times = np.sort(np.random.default_rng(4).uniform(0.005, 0.2, 90))

    def spikes(stepped: bool) -> np.ndarray:
        pynn.setup(initial_config=pynn.helper.chip_from_nightly())
        neuron = pynn.Population(1, pynn.cells.HXNeuron())
        source = pynn.Population(1, pynn.cells.SpikeSourceArray(spike_times=times))
        pynn.Projection(source, neuron, pynn.AllToAllConnector(), pynn.StaticSynapse(weight=63))
        neuron.record("spikes")
        if stepped:
            pynn.run(0.1, pynn.RunCommand.APPEND)
            pynn.run(0.11)
        else:
            pynn.run(0.21)
        return np.concatenate([train.magnitude for train in neuron.get_data().segments[0].spiketrains])

    exact, steps = spikes(False), spikes(True)
    assert len(exact) >= 3 and len(exact) == len(steps)
    assert np.abs(exact - steps).max() < 0.002  # ms: within a couple of µs


def test_a_membrane_held_at_its_rail_recovers_from_the_rail():
    """What is wrong, 8: the rails bound the membrane during integration. Strong inhibition drives a neuron
    resting at 50 mV onto the bottom rail; it is held there while the inhibition outweighs the leak, and then
    recovers from 0, not from the negative potential an unbounded solution would have reached, as a fine-step
    integration that is clipped at every step shows."""
    m = model(e_leak=50.0)
    result = run(m, one_input(5.0, inh=-100.0), v_start=50.0, t_stop=60.0)
    dt = 1e-3
    v, i, reference = 50.0, 0.0, []
    for k in range(int(60.0 / dt)):
        if abs(k * dt - 5.0) < dt / 2:
            i -= 100.0
        v = min(max(v + dt * ((50.0 - v) / 10.0 + i), 0.0), 1200.0)
        i -= dt * i / 5.0
        reference.append(v)
    t = np.arange(1, len(reference) + 1) * dt
    exact = dynamics.sample(result.segments, 0, t, m)
    assert np.min(reference) == 0.0 and reference[-1] > 30  # it reached the rail and came back
    np.testing.assert_allclose(exact, reference, atol=0.3)
