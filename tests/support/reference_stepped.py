"""The emulator's stepped solver as it was before it was compiled: a numpy loop over the 8 ns steps.

Kept here, in the tests, as the reference that the compiled solver (``bss2_emulator.solvers.compiled``)
must agree with; nothing in the emulator uses it.
"""

from __future__ import annotations

import numpy as np

from bss2_emulator.chip.model import EXP_DELTA_T_MV, MEMBRANE_RAILS_MV, THRESHOLD_NOISE_MV, NeuronModel
from bss2_emulator.solvers.exact import saturated
from bss2_emulator.solvers.stepped import DELAY_STEPS, STEP_US, Events, OnChip, Result, State, Traces


def _conductance(e_rev: np.ndarray, e_ref: np.ndarray, current: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A conductance-based input as a conductance (1/µs): its current at the reference potential over the
    driving force there, and off beyond the reversal potential; 0 where the input is current-based."""
    with np.errstate(divide="ignore", invalid="ignore"):
        on = np.isfinite(e_rev) & ((e_rev - v) / (e_rev - e_ref) > 0)
        return np.where(on, current / (e_rev - e_ref), 0.0)


def simulate(
    model: NeuronModel,
    events: Events,
    on_chip: OnChip | None,
    start: State,
    t_stop: float,
    traced: np.ndarray,
    rng: np.random.Generator | None = None,
) -> Result:
    """Advance all neurons from ``start`` to ``t_stop`` (µs) in 8 ns steps."""
    n = len(model)
    n_steps = max(round((t_stop - start.t) / STEP_US), 0)
    v, i_exc, i_inh, w = (start.v.astype(float).copy(), start.i_exc.copy(), start.i_inh.copy(), start.w.copy())
    refractory_end = start.refractory_end.copy()
    adex = model.adex if model.adex is not None and model.adex.any else None
    bypass_exc = model.bypass_exc if model.bypass_exc is not None else np.zeros(n, bool)
    bypass_inh = model.bypass_inh if model.bypass_inh is not None else np.zeros(n, bool)

    def noise(size: int) -> np.ndarray:
        return rng.normal(0.0, THRESHOLD_NOISE_MV, size) if rng is not None else np.zeros(size)

    theta = model.v_threshold + noise(n)
    decay_exc = np.exp(-STEP_US / model.tau_exc)
    decay_inh = np.exp(-STEP_US / model.tau_inh)

    # Off-chip events, sorted onto the steps at whose start they arrive.
    step_of = np.round((events.time - start.t) / STEP_US).astype(int)
    order = np.argsort(step_of, kind="stable")
    ev_step, ev_row, ev_exc, ev_inh = step_of[order], events.row[order], events.exc[order], events.inh[order]
    ev_excitatory = events.excitatory[order]
    bounds = np.searchsorted(ev_step, np.arange(n_steps + 1))
    # On-chip spikes in flight: the step they arrive at -> their jumps onto every neuron.
    delay_steps = DELAY_STEPS if on_chip is not None else 0
    pending: dict[int, list[np.ndarray]] = {}
    assert start.pending is None or not start.pending.any(), "the reference starts with no spikes in flight"

    coba = model.coba if model.coba is not None else np.full((3, n), np.nan)
    rows_traced = np.flatnonzero(traced)
    history = np.zeros((4, n_steps, rows_traced.size))
    spikes_n, spikes_t = [], []
    for k in range(n_steps):
        t = start.t + k * STEP_US
        arrive_exc, arrive_inh = np.zeros(n), np.zeros(n)
        forward_exc, forward_inh = np.zeros(n, bool), np.zeros(n, bool)  # an event reached the input
        lo, hi = bounds[k], bounds[k + 1]
        if hi > lo:
            np.add.at(arrive_exc, ev_row[lo:hi], ev_exc[lo:hi])
            np.add.at(arrive_inh, ev_row[lo:hi], ev_inh[lo:hi])
            forward_exc[ev_row[lo:hi][ev_excitatory[lo:hi]]] = True
            forward_inh[ev_row[lo:hi][~ev_excitatory[lo:hi]]] = True
        for jumps in pending.pop(k, ()):
            arrive_exc += jumps[0]
            arrive_inh += jumps[1]
        # The synaptic input stage saturates softly, in the headroom left to its limit.
        i_exc = saturated(i_exc, arrive_exc, model.max_exc)
        i_inh = -saturated(-i_inh, -arrive_inh, model.max_inh)

        refractory = refractory_end > t
        tau = np.where(refractory, model.tau_reset, model.tau_mem)
        g_exc, g_inh = _conductance(coba[0], coba[2], i_exc, v), _conductance(coba[1], coba[2], i_inh, v)
        drive = np.where(np.isfinite(coba[0]), 0.0, i_exc) + np.where(np.isfinite(coba[1]), 0.0, i_inh)
        if adex is not None:
            exponential = adex.i_exp * np.exp(np.minimum((v - adex.v_t) / EXP_DELTA_T_MV, 30.0))
            drive = drive + np.where(adex.exponential, np.minimum(exponential, adex.i_exp_max), 0.0) - w
        # Conductance-based inputs pull towards their reversal potentials, alongside the leak (or reset).
        level = np.where(refractory, model.v_plateau, model.e_leak)
        rate = 1 / tau + g_exc + g_inh
        towards = np.nan_to_num(g_exc * coba[0]) + np.nan_to_num(g_inh * coba[1])
        v_inf = (level / tau + drive + towards) / rate
        v = np.clip(v_inf + (v - v_inf) * np.exp(-STEP_US * rate), *MEMBRANE_RAILS_MV)
        i_exc *= decay_exc
        i_inh *= decay_inh
        if adex is not None:
            w = np.where(adex.adaptation, w + STEP_US / adex.tau_w * (adex.a * (v - adex.v_ref) - w), 0.0)

        fires = (model.threshold_enabled & ~refractory & (v >= theta)) | (bypass_exc & (forward_exc | (arrive_exc > 0)))
        fires |= bypass_inh & (forward_inh | (arrive_inh < 0))
        if fires.any():
            t_spike = t + STEP_US
            refractory_end = np.where(fires, t_spike + model.t_refractory, refractory_end)
            theta[fires] = model.v_threshold[fires] + noise(int(fires.sum()))
            if adex is not None:
                w = w + np.where(fires & adex.adaptation, adex.b, 0.0)
            spikes_n.append(np.flatnonzero(fires))
            spikes_t.append(np.full(int(fires.sum()), t_spike))
            if on_chip is not None:
                jumps = np.stack([on_chip.exc[fires].sum(axis=0), on_chip.inh[fires].sum(axis=0)])
                if jumps.any():
                    pending.setdefault(k + 1 + delay_steps, []).append(jumps)
        if rows_traced.size:
            for slot, values in enumerate((v, i_exc, i_inh, w)):
                history[slot, k] = values[rows_traced]

    return Result(
        spike_neuron=np.concatenate(spikes_n) if spikes_n else np.zeros(0, int),
        spike_time=np.concatenate(spikes_t) if spikes_t else np.zeros(0),
        traces=Traces(rows_traced, start.t + np.arange(1, n_steps + 1) * STEP_US, *history),
        final=State(start.t + n_steps * STEP_US, v, i_exc, i_inh, w, refractory_end),
    )
