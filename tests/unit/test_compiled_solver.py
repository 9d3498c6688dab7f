"""The compiled stepped solver gives today's results: it agrees with the numpy loop it replaced.

The network has everything the stepped path exists for: synapses between chip neurons, the AdEx
terms, conductance-based inputs, neurons in bypass mode and off-chip input events.
"""

from __future__ import annotations

import numpy as np
import pytest

from bss2_emulator.chip.model import NeuronModel, draw_mismatch, neuron_model
from bss2_emulator.config import DEFAULT_CHIP_SEED
from bss2_emulator.parameters import PARAMETERS
from bss2_emulator.solvers import stepped
from tests.support import reference_stepped

N = 48


def network(seed: int = 3) -> tuple[NeuronModel, stepped.Events, stepped.OnChip, stepped.State]:
    rng = np.random.default_rng(seed)
    params = {name: np.full(N, float(p.default)) for name, p in PARAMETERS.items()}
    params.update(
        leak_v_leak=rng.uniform(850, 1000, N), leak_i_bias=np.full(N, 200.0), threshold_v_threshold=np.full(N, 300.0),
        reset_v_reset=np.full(N, 400.0), membrane_capacitance_capacitance=np.full(N, 63.0),
        refractory_period_refractory_time=np.full(N, 120.0), threshold_enable=np.ones(N),
        reset_i_bias=np.full(N, 1022.0),
        excitatory_input_enable=np.ones(N), excitatory_input_i_bias_gm=np.full(N, 600.0),
        excitatory_input_i_bias_tau=np.full(N, 150.0), inhibitory_input_enable=np.ones(N),
        inhibitory_input_i_bias_gm=np.full(N, 600.0), inhibitory_input_i_bias_tau=np.full(N, 150.0),
        adaptation_enable=(np.arange(N) % 3 == 0).astype(float), adaptation_i_bias_tau=np.full(N, 20.0),
        adaptation_i_bias_a=np.full(N, 200.0), adaptation_i_bias_b=np.full(N, 300.0),
        adaptation_enable_pulse=np.ones(N), adaptation_v_ref=np.full(N, 400.0),
        exponential_enable=(np.arange(N) % 4 == 1).astype(float), exponential_i_bias=np.full(N, 300.0),
        exponential_v_exp=np.full(N, 700.0),
        event_routing_enable_bypass_excitatory=(np.arange(N) == N - 1).astype(float),
    )  # fmt: skip
    model = neuron_model(params, np.arange(N), draw_mismatch(DEFAULT_CHIP_SEED))
    model.coba = np.where(np.arange(N) % 5 == 2, np.array([[700.0], [150.0], [450.0]]), np.nan)
    count = 400
    events = stepped.Events(
        rng.integers(0, N, count), np.sort(rng.uniform(0, 150, count)), rng.uniform(0, 20, count), np.zeros(count),
        np.ones(count, bool),
    )  # fmt: skip
    exc = np.where(rng.random((N, N)) < 0.1, 4.0, 0.0)
    inh = np.where(rng.random((N, N)) < 0.1, -6.0, 0.0)
    start = stepped.State(0.0, model.e_leak.clip(0, 1200), np.zeros(N), np.zeros(N), np.zeros(N), np.full(N, -np.inf))
    return model, events, stepped.OnChip(exc, inh), start


def run(solver, noise_seed: int | None):
    model, events, on_chip, start = network()
    rng = None if noise_seed is None else np.random.default_rng(noise_seed)
    return solver.simulate(model, events, on_chip, start, 200.0, np.arange(N) % 7 == 0, rng)


def test_without_noise_it_is_the_same_arithmetic():
    compiled, reference = run(stepped, None), run(reference_stepped, None)
    assert compiled.spike_neuron.size > 200  # the network is busy: every feature is exercised
    np.testing.assert_array_equal(compiled.spike_neuron, reference.spike_neuron)
    np.testing.assert_allclose(compiled.spike_time, reference.spike_time, rtol=0, atol=1e-9)
    for name in ("v", "i_exc", "i_inh", "w"):
        np.testing.assert_allclose(
            getattr(compiled.traces, name), getattr(reference.traces, name), rtol=1e-9, atol=1e-9
        )
    np.testing.assert_allclose(compiled.final.v, reference.final.v, rtol=1e-9, atol=1e-9)


def test_with_threshold_noise_it_agrees_within_the_noise():
    counts = {
        name: [run(solver, seed).spike_neuron.size for seed in range(6)]
        for name, solver in (("compiled", stepped), ("reference", reference_stepped))
    }
    spread = np.std(counts["reference"]) + np.std(counts["compiled"]) + 1
    assert np.mean(counts["compiled"]) == pytest.approx(np.mean(counts["reference"]), abs=3 * spread)


def test_spikes_in_flight_carry_over_into_the_next_snippet():
    """A spike fired in the last step of one snippet still reaches its target in the next one."""
    model, _, _, _ = network()
    fields = ("e_leak", "tau_mem", "v_threshold", "threshold_enabled", "v_plateau", "tau_reset", "t_refractory",
              "tau_exc", "tau_inh", "jump_exc", "jump_inh", "max_exc", "max_inh")  # fmt: skip
    pair = NeuronModel(**{name: getattr(model, name)[:2] for name in fields})
    pair.e_leak = np.array([200.0, 200.0])
    pair.tau_exc, pair.max_exc = np.array([1.0, 1.0]), np.array([1e9, 1e9])
    kick = stepped.Events(np.array([0]), np.array([99.99]), np.array([1e5]), np.zeros(1), np.ones(1, bool))
    link = stepped.OnChip(np.array([[0.0, 1e5], [0.0, 0.0]]), np.zeros((2, 2)))
    start = stepped.State(0.0, np.array([200.0, 200.0]), np.zeros(2), np.zeros(2), np.zeros(2), np.full(2, -np.inf))
    first = stepped.simulate(pair, kick, link, start, 100.0, np.zeros(2, bool))
    assert first.spike_neuron.tolist() == [0]  # fired in the last step: its spike is still on its way
    second = stepped.simulate(pair, stepped.Events.none(), link, first.final, 110.0, np.zeros(2, bool))
    assert second.spike_neuron[0] == 1  # the target's first spike: the one the carried-over arrival caused
    assert second.spike_time[0] == pytest.approx(100.0 + stepped.DELAY_STEPS * stepped.STEP_US, abs=0.02)
