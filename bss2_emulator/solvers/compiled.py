"""The stepped solver's inner loop, compiled by numba: every neuron, one 8 ns step at a time.

``stepped.simulate`` lays the network out as flat arrays and calls ``advance``, which runs the
same arithmetic as a plain loop would, per neuron and per step, without Python in between. Spikes
are collected into arrays that grow as needed; only the traced neurons' states are kept per step,
so memory grows with the recorded data and not with the run time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SPIKES_PER_NEURON = 16  # the spike buffers' first size, per neuron; they double when full


@njit(cache=True)
def _grow(array: np.ndarray) -> np.ndarray:
    bigger = np.empty(array.size * 2, array.dtype)
    bigger[: array.size] = array
    return bigger


@njit(cache=True)
def _saturated(current: float, added: float, limit: float) -> float:
    """A synaptic input's current after a burst ``added`` arrives, as ``solvers.exact.saturated`` computes it."""
    limit = max(limit, 1e-12)
    return current + limit * np.tanh(added / limit)


@njit(cache=True)
def _coba_conductance(current: float, e_rev: float, e_ref: float, v: float) -> float:
    """A conductance-based input as a conductance (1/µs) towards ``e_rev``. The chip modulates the input's
    current-based strength linearly with the membrane, ``(e_rev - v) / (e_rev - e_ref)``: unchanged at the
    reference ``e_ref``, zero at the reversal potential. The modulation scales a bias current, which cannot
    turn negative, so beyond the reversal potential the input is off."""
    if (e_rev - v) / (e_rev - e_ref) <= 0.0:
        return 0.0
    return current / (e_rev - e_ref)


@njit(cache=True)
def advance(
    n_steps, t0, step_us, rails,
    v, i_exc, i_inh, w, refractory_end,
    e_leak, v_plateau, v_threshold, threshold_enabled, t_refractory,
    decay_mem, decay_reset, tau_mem, tau_reset, decay_exc, decay_inh, max_exc, max_inh,
    ev_bounds, ev_row, ev_exc, ev_inh, ev_excitatory,
    on_exc, on_inh, delay_steps, pending,
    bypass_exc, bypass_inh,
    adex_on, exponential, v_t, i_exp, i_exp_max, delta_t, adaptation, v_ref, tau_w, a, b,
    coba_on, e_rev_exc, e_rev_inh, e_coba_ref,
    couple_a, couple_b, rate_a, rate_b, couple_total,
    noise_std, seed,
    traced, history,
):  # fmt: skip
    """Advance the state arrays in place by ``n_steps``; return the spikes as (rows, times).

    ``pending`` is a ring of on-chip arrivals, (slots, 2, n): slot ``k % slots`` holds the excitatory and
    inhibitory jumps that arrive at step ``k``; it carries on from and into the neighbouring snippets.
    """
    n = v.size
    np.random.seed(seed)
    theta = v_threshold.copy()
    if noise_std > 0:
        for j in range(n):
            theta[j] += np.random.normal(0.0, noise_std)
    slots = pending.shape[0]
    capacity = max(n * SPIKES_PER_NEURON, 16)
    spike_row = np.empty(capacity, np.int64)
    spike_time = np.empty(capacity, np.float64)
    count = 0
    arrive_exc = np.zeros(n)
    arrive_inh = np.zeros(n)
    forward_exc = np.zeros(n, np.bool_)
    forward_inh = np.zeros(n, np.bool_)
    fired = np.zeros(n, np.bool_)
    pulled = np.zeros(n)  # what the coupled compartments pull with: sum of rate * their potential (mV/µs)
    for k in range(n_steps):
        t = t0 + k * step_us
        slot = k % slots
        for j in range(n):
            arrive_exc[j] = pending[slot, 0, j]
            arrive_inh[j] = pending[slot, 1, j]
            pending[slot, 0, j] = 0.0
            pending[slot, 1, j] = 0.0
            forward_exc[j] = False
            forward_inh[j] = False
        for e in range(ev_bounds[k], ev_bounds[k + 1]):
            row = ev_row[e]
            arrive_exc[row] += ev_exc[e]
            arrive_inh[row] += ev_inh[e]
            if ev_excitatory[e]:
                forward_exc[row] = True
            else:
                forward_inh[row] = True
        if couple_a.size:
            pulled[:] = 0.0
        for e in range(couple_a.size):
            pulled[couple_a[e]] += rate_a[e] * v[couple_b[e]]
            pulled[couple_b[e]] += rate_b[e] * v[couple_a[e]]
        any_fired = False
        for j in range(n):
            add_exc, add_inh = arrive_exc[j], arrive_inh[j]
            current_exc = _saturated(i_exc[j], add_exc, max_exc[j])
            current_inh = -_saturated(-i_inh[j], -add_inh, max_inh[j])
            refractory = refractory_end[j] > t
            # Conductance-based inputs: conductances towards their reversal potentials (see _coba_conductance).
            g_exc, g_inh, drive, towards = 0.0, 0.0, 0.0, 0.0
            if coba_on and np.isfinite(e_rev_exc[j]):
                g_exc = _coba_conductance(current_exc, e_rev_exc[j], e_coba_ref[j], v[j])
                towards += g_exc * e_rev_exc[j]
            else:
                drive += current_exc
            if coba_on and np.isfinite(e_rev_inh[j]):
                g_inh = _coba_conductance(current_inh, e_rev_inh[j], e_coba_ref[j], v[j])
                towards += g_inh * e_rev_inh[j]
            else:
                drive += current_inh
            if adex_on:
                if exponential[j]:
                    drive += min(i_exp[j] * np.exp(min((v[j] - v_t[j]) / delta_t, 30.0)), i_exp_max[j])
                drive -= w[j]
            # The leak, or during the refractory time the reset, pulls towards its level (a select, no branch).
            level = v_plateau[j] if refractory else e_leak[j]
            tau = tau_reset[j] if refractory else tau_mem[j]
            decay = decay_reset[j] if refractory else decay_mem[j]
            rate = 1.0 / tau + couple_total[j] + g_exc + g_inh
            if rate != 1.0 / tau:  # coupled compartments or conductances: relax towards the level they all set
                v_inf = (level / tau + drive + pulled[j] + towards) / rate
                decay = np.exp(-step_us * rate)
            else:
                v_inf = level + tau * drive
            value = min(max(v_inf + (v[j] - v_inf) * decay, rails[0]), rails[1])
            v[j] = value
            i_exc[j] = current_exc * decay_exc[j]
            i_inh[j] = current_inh * decay_inh[j]
            if adex_on:
                w[j] = w[j] + step_us / tau_w[j] * (a[j] * (value - v_ref[j]) - w[j]) if adaptation[j] else 0.0
            # Bitwise, not short-circuit: no branches, so that the compiler can vectorize the loop.
            fires = (
                (threshold_enabled[j] & (not refractory) & (value >= theta[j]))
                | (bypass_exc[j] & (forward_exc[j] | (add_exc > 0)))
                | (bypass_inh[j] & (forward_inh[j] | (add_inh < 0)))
            )
            fired[j] = fires
            any_fired |= fires
        if any_fired:
            t_spike = t + step_us
            arrival = (k + 1 + delay_steps) % slots
            for j in range(n):
                if not fired[j]:
                    continue
                refractory_end[j] = t_spike + t_refractory[j]
                theta[j] = v_threshold[j] + (np.random.normal(0.0, noise_std) if noise_std > 0 else 0.0)
                if adex_on and adaptation[j]:
                    w[j] += b[j]
                if count == spike_row.size:
                    spike_row, spike_time = _grow(spike_row), _grow(spike_time)
                spike_row[count] = j
                spike_time[count] = t_spike
                count += 1
                if on_exc.shape[0]:
                    for target in range(n):
                        pending[arrival, 0, target] += on_exc[j, target]
                        pending[arrival, 1, target] += on_inh[j, target]
        for slot_index in range(traced.size):
            row = traced[slot_index]
            history[0, k, slot_index] = v[row]
            history[1, k, slot_index] = i_exc[row]
            history[2, k, slot_index] = i_inh[row]
            history[3, k, slot_index] = w[row]
    return spike_row[:count], spike_time[:count]
