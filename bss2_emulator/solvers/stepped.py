"""Integration on the chip's 8 ns clock, for what the exact solver (``exact``) cannot do.

The exact solver jumps from event to event, which needs every input known in advance and a
membrane equation with a closed-form solution. Three things break that:

- on-chip projections: a neuron's spikes reach other neurons after the routing delay, so the
  inputs depend on the run itself;
- the AdEx terms: the exponential current is non-linear, and adaptation adds a state;
- experiments that go on across snippets (``RunCommand.APPEND``), whose state carries over.

Here every neuron advances by one 8 ns step at a time. Within a step the synaptic, exponential
and adaptation currents are held, and the membrane relaxes exactly towards the level they set
(exponential Euler), so a plain LIF neuron follows the exact solver closely (a test compares
them). Spikes land on the step grid, as the chip stamps them on its 8 ns clock. The loop itself is
compiled (``compiled.advance``); this module lays the network out for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..chip.model import (
    CLOCK_TICK_US,
    EXP_DELTA_T_MV,
    MEMBRANE_RAILS_MV,
    ON_CHIP_DELAY_US,
    THRESHOLD_NOISE_MV,
    NeuronModel,
)

STEP_US = CLOCK_TICK_US
#: On-chip spikes arrive this many steps after the step they were fired in (the routing delay).
DELAY_STEPS = max(round(ON_CHIP_DELAY_US / STEP_US), 1)
#: The ring of arrivals spans the delay: slots for the steps from now to the latest arrival.
PENDING_SLOTS = DELAY_STEPS + 2


@dataclass
class Events:
    """Input events from off-chip sources: target neuron (row), time (µs), current jumps (mV/µs), and
    whether each arrives at the excitatory input (what a neuron in bypass mode forwards)."""

    row: np.ndarray
    time: np.ndarray
    exc: np.ndarray
    inh: np.ndarray
    excitatory: np.ndarray

    @classmethod
    def none(cls) -> Events:
        return cls(np.zeros(0, int), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, bool))


@dataclass
class OnChip:
    """Synapses between chip neurons: current jumps (mV/µs) from a spike of row i onto row j."""

    exc: np.ndarray  # (n, n)
    inh: np.ndarray  # (n, n), negative; both arrive ``DELAY_STEPS`` after the spike


@dataclass
class Coupling:
    """Conductances between the compartments of multicompartment neurons: rows ``a`` and ``b``, and each
    conductance over the capacitance of ``a`` and of ``b`` (1/µs)."""

    a: np.ndarray
    b: np.ndarray
    rate_a: np.ndarray
    rate_b: np.ndarray


@dataclass
class State:
    """Everything a neuron carries from one moment to the next."""

    t: float
    v: np.ndarray
    i_exc: np.ndarray
    i_inh: np.ndarray
    w: np.ndarray
    refractory_end: np.ndarray
    pending: np.ndarray | None = None  # on-chip spikes on their way: (PENDING_SLOTS, 2, n) jumps, slot 0 next


@dataclass
class Traces:
    """The traced neurons' state after every step: times (µs) and one column per traced row."""

    rows: np.ndarray
    times: np.ndarray
    v: np.ndarray
    i_exc: np.ndarray
    i_inh: np.ndarray
    w: np.ndarray


@dataclass
class Result:
    spike_neuron: np.ndarray
    spike_time: np.ndarray
    traces: Traces
    final: State


def coupling_arrays(coupling: Coupling | None, n: int) -> tuple[np.ndarray, ...]:
    """The couplings as the compiled loop takes them: both ends, both rates, and each row's total rate."""
    if coupling is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(n)
    total = np.bincount(coupling.a, coupling.rate_a, n) + np.bincount(coupling.b, coupling.rate_b, n)
    return coupling.a.astype(np.int64), coupling.b.astype(np.int64), coupling.rate_a, coupling.rate_b, total


def simulate(
    model: NeuronModel,
    events: Events,
    on_chip: OnChip | None,
    start: State,
    t_stop: float,
    traced: np.ndarray,
    rng: np.random.Generator | None = None,
) -> Result:
    """Advance all neurons from ``start`` to ``t_stop`` (µs) in 8 ns steps (``compiled.advance``)."""
    from . import compiled  # numba loads only when a run needs the steps, not for every script

    n = len(model)
    n_steps = max(round((t_stop - start.t) / STEP_US), 0)
    v, i_exc, i_inh, w = (start.v.astype(float).copy(), start.i_exc.copy(), start.i_inh.copy(), start.w.copy())
    refractory_end = start.refractory_end.copy()
    adex = model.adex if model.adex is not None and model.adex.any else None
    off, empty = np.zeros(n, bool), np.zeros(n)
    # Off-chip events, sorted onto the steps at whose start they arrive.
    step_of = np.round((events.time - start.t) / STEP_US).astype(np.int64)
    order = np.argsort(step_of, kind="stable")
    bounds = np.searchsorted(step_of[order], np.arange(n_steps + 1)).astype(np.int64)
    pending = start.pending if start.pending is not None else np.zeros((PENDING_SLOTS, 2, n))
    rows_traced = np.flatnonzero(traced)
    history = np.zeros((4, n_steps, rows_traced.size))
    coba = model.coba if model.coba is not None else np.full((3, n), np.nan)
    spike_row, spike_time = compiled.advance(
        n_steps, float(start.t), STEP_US, np.asarray(MEMBRANE_RAILS_MV, float),
        v, i_exc, i_inh, w, refractory_end,
        model.e_leak, model.v_plateau, model.v_threshold, model.threshold_enabled, model.t_refractory,
        np.exp(-STEP_US / model.tau_mem), np.exp(-STEP_US / model.tau_reset), model.tau_mem, model.tau_reset,
        np.exp(-STEP_US / model.tau_exc), np.exp(-STEP_US / model.tau_inh), model.max_exc, model.max_inh,
        bounds, events.row[order].astype(np.int64), events.exc[order], events.inh[order], events.excitatory[order],
        on_chip.exc if on_chip is not None else np.zeros((0, 0)),
        on_chip.inh if on_chip is not None else np.zeros((0, 0)),
        DELAY_STEPS, pending,
        model.bypass_exc if model.bypass_exc is not None else off,
        model.bypass_inh if model.bypass_inh is not None else off,
        adex is not None,
        *((adex.exponential, adex.v_t, adex.i_exp, adex.i_exp_max) if adex else (off, empty, empty, empty)),
        EXP_DELTA_T_MV,
        *((adex.adaptation, adex.v_ref, adex.tau_w, adex.a, adex.b) if adex else (off, empty, empty + 1, empty, empty)),
        model.coba is not None, coba[0], coba[1], coba[2],
        *(coupling_arrays(model.coupling, n)),
        THRESHOLD_NOISE_MV if rng is not None else 0.0, int(rng.integers(2**31)) if rng is not None else 0,
        rows_traced.astype(np.int64), history,
    )  # fmt: skip
    t_end = start.t + n_steps * STEP_US
    # The ring of on-chip arrivals, turned so that its slot 0 is the next snippet's first step.
    pending = np.roll(pending, -(n_steps % PENDING_SLOTS), axis=0)
    return Result(
        spike_neuron=spike_row,
        spike_time=spike_time,
        traces=Traces(rows_traced, start.t + np.arange(1, n_steps + 1) * STEP_US, *history),
        final=State(t_end, v, i_exc, i_inh, w, refractory_end, pending),
    )
