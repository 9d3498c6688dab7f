"""Exact, event-driven integration of the BrainScaleS-2 neuron in its LIF regime.

Between events the membrane obeys a linear ODE,

    dv/dt = (v_inf - v) / tau + i_exc(t) + i_inh(t),    di/dt = -i / tau_syn,

whose solution is a sum of exponentials. The engine jumps from event to event
(input spike, threshold crossing, end of the refractory period) using that
solution, so results do not depend on any step size. While the reset is
active, ``tau`` and ``v_inf`` are those of the leak and reset conductances in
parallel. Threshold crossings are exact roots of the solution: closed form when
no synaptic current flows, otherwise bracketed on the 8 ns FPGA clock and
refined by bisection. All neurons advance together in numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..chip.model import CLOCK_TICK_US, MEMBRANE_RAILS_MV, THRESHOLD_NOISE_MV, NeuronModel

#: With synaptic current flowing, crossings are searched at most this far ahead per step.
SEARCH_HORIZON_US = 2.0
#: A synaptic current whose remaining total effect is below this (mV) is dropped.
NEGLIGIBLE_CHARGE_MV = 1e-6
_BISECTION_STEPS = 40
#: The time constant of a segment in which the membrane is held at a rail (a constant).
HELD_TAU_US = 1e12


def saturated(current: np.ndarray, added: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """A synaptic input's current after the events of one instant arrive together (``added``): the synapse
    array can swing the input line only so far at once, so a burst adds ``limit * tanh(added / limit)``.
    Bursts at different times add up linearly, as the catalogue's gs_03 figure shows."""
    limit = np.maximum(limit, 1e-12)
    return current + limit * np.tanh(added / limit)


@dataclass
class InputSpikes:
    """Input events per neuron, padded with +inf: times (µs) and current jumps (mV/µs)."""

    times: np.ndarray  # (n_neurons, max_events)
    exc: np.ndarray  # jump of the excitatory current at each event
    inh: np.ndarray  # jump of the inhibitory current at each event

    @classmethod
    def none(cls, n_neurons: int) -> InputSpikes:
        empty = np.full((n_neurons, 1), np.inf)
        return cls(empty, np.zeros((n_neurons, 1)), np.zeros((n_neurons, 1)))


@dataclass
class Segments:
    """Piecewise description of the membrane of the traced neurons, to sample it afterwards."""

    neuron: np.ndarray
    t0: np.ndarray
    v0: np.ndarray
    i_exc: np.ndarray
    i_inh: np.ndarray
    tau: np.ndarray
    v_inf: np.ndarray


@dataclass
class Result:
    spike_neuron: np.ndarray  # index of the spiking neuron
    spike_time: np.ndarray  # exact crossing time, µs
    segments: Segments
    final_v: np.ndarray  # the state at t_stop, to go on from
    final_i_exc: np.ndarray
    final_i_inh: np.ndarray
    final_refractory_end: np.ndarray


def _syn_kernel(t: np.ndarray, tau: np.ndarray, tau_syn: np.ndarray) -> np.ndarray:
    """Membrane response at ``t`` to a unit current decaying with ``tau_syn`` (from v = 0)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        general = tau * tau_syn / (tau_syn - tau) * (np.exp(-t / tau_syn) - np.exp(-t / tau))
        degenerate = t * np.exp(-t / tau)
    return np.where(np.abs(tau_syn - tau) < 1e-9 * tau, degenerate, general)


def unbounded(t, v0, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh):
    """The membrane's solution ``t`` µs after a state (v0, i_exc, i_inh), as if there were no rails."""
    free = v_inf + (v0 - v_inf) * np.exp(-t / tau)
    if np.any(i_exc):  # without synaptic current (a neuron that only leaks and fires) the kernels add nothing
        free = free + i_exc * _syn_kernel(t, tau, tau_exc)
    if np.any(i_inh):
        free = free + i_inh * _syn_kernel(t, tau, tau_inh)
    return free


def membrane(t, v0, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh):
    """The exact membrane potential ``t`` µs after a state (v0, i_exc, i_inh) within a segment that the solver
    ends where the membrane reaches a rail; the bound only removes rounding."""
    free = unbounded(t, v0, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh)
    return np.minimum(np.maximum(free, MEMBRANE_RAILS_MV[0]), MEMBRANE_RAILS_MV[1])


def _inward(t, rail, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh):
    """Whether the drive on a membrane held at ``rail`` points back inside the rails, ``t`` µs on."""
    slope = (v_inf - rail) / tau + i_exc * np.exp(-t / tau_exc) + i_inh * np.exp(-t / tau_inh)
    return np.where(rail > MEMBRANE_RAILS_MV[0], slope < 0, slope > 0)


def _free_crossing(v, v_inf, tau, theta):
    """Time until v reaches theta relaxing toward v_inf (no synaptic current), or inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dt = tau * np.log((v - v_inf) / (theta - v_inf))
    dt = np.where(v_inf > theta, dt, np.inf)
    return np.where(v >= theta, 0.0, dt)


def _first(condition, n: int, window: np.ndarray) -> np.ndarray:
    """First time within ``window`` (per neuron) at which ``condition(t)`` holds, or inf: bracketed on the 8 ns
    clock up to SEARCH_HORIZON_US and refined by bisection. ``condition`` takes times shaped (n,) or (n, k)."""
    n_ticks = int(np.ceil(SEARCH_HORIZON_US / CLOCK_TICK_US))
    grid = np.minimum((np.arange(1, n_ticks + 1) * CLOCK_TICK_US)[None, :], window[:, None])
    above = condition(grid)
    found = above.any(axis=1)
    first = np.argmax(above, axis=1)
    hi = grid[np.arange(n), first]
    lo = np.where(first > 0, grid[np.arange(n), np.maximum(first - 1, 0)], 0.0)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        up = condition(mid)
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(found, hi, np.inf)


def _columns(t: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    """Per-neuron arrays shaped to broadcast against ``t``: as they are for (n,), as columns for (n, k)."""
    return [a[:, None] for a in arrays] if np.ndim(t) == 2 else list(arrays)


def _driven_crossing(v, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh, theta, window):
    """First time within ``window`` at which the driven membrane reaches theta, or inf."""
    args = (v, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh, theta)

    def reached(t):
        *state, threshold = _columns(t, *args)
        return unbounded(t, *state) >= threshold

    dt = _first(reached, len(v), window)
    return np.where(v >= theta, 0.0, dt)


def _rail_hit(v, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh, window):
    """First time within ``window`` at which the membrane reaches a rail, or inf."""
    args = (v, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh)
    low, high = MEMBRANE_RAILS_MV

    def outside(t):
        free = unbounded(t, *_columns(t, *args))
        return (free <= low) | (free >= high)

    return _first(outside, len(v), window)


def _rail_release(rail, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh, window):
    """First time within ``window`` at which the drive on a membrane held at its rail turns inward, or inf."""
    args = (rail, i_exc, i_inh, tau, v_inf, tau_exc, tau_inh)

    def inward(t):
        return _inward(t, *_columns(t, *args))

    return _first(inward, len(rail), window)


def _rails(to_rail, waiting, held, v, i_exc, i_inh, tau, v_inf, current, t, bound, model):
    """Per neuron, the time until its membrane reaches a rail (``to_rail``), and until a held one is released
    (``waiting``); inf where neither. Shortens ``bound`` to the search horizon where it searches."""
    low, high = MEMBRANE_RAILS_MV
    n = len(v)
    dt_rail, dt_release = np.full(n, np.inf), np.full(n, np.inf)
    q = np.flatnonzero(to_rail & ~current)  # relaxing without current: closed form
    if q.size:
        beyond = (v_inf[q] < low) | (v_inf[q] > high)
        rail = np.where(v_inf[q] <= low, low, high)
        with np.errstate(divide="ignore", invalid="ignore"):
            dt_rail[q] = np.where(beyond, tau[q] * np.log((v[q] - v_inf[q]) / (rail - v_inf[q])), np.inf)
    b = np.flatnonzero(to_rail & current)
    if b.size:
        bound[b] = np.minimum(bound[b], t[b] + SEARCH_HORIZON_US)
        dt_rail[b] = _rail_hit(v[b], i_exc[b], i_inh[b], tau[b], v_inf[b], model.tau_exc[b], model.tau_inh[b],
                               bound[b] - t[b])  # fmt: skip
    w = np.flatnonzero(waiting)
    if w.size:
        args = (held[w], i_exc[w], i_inh[w], tau[w], v_inf[w], model.tau_exc[w], model.tau_inh[w])
        now = _inward(0.0, *args)
        dt_release[w] = np.where(now, 0.0, np.inf)
        later = ~now & current[w]
        if later.any():
            c = w[later]
            bound[c] = np.minimum(bound[c], t[c] + SEARCH_HORIZON_US)
            dt_release[c] = _rail_release(*(a[later] for a in args), bound[c] - t[c])
    return dt_rail, dt_release


def simulate(
    model: NeuronModel,
    inputs: InputSpikes,
    t_start: np.ndarray,
    t_stop: float,
    v_start: np.ndarray,
    traced: np.ndarray,
    rng: np.random.Generator | None = None,
) -> Result:
    """Integrate all neurons from their own ``t_start`` to ``t_stop`` (µs).

    ``traced`` is a boolean mask of neurons whose membrane segments are kept. With ``rng``, the
    threshold each crossing is compared against carries fresh membrane noise (THRESHOLD_NOISE_MV).
    """
    n = len(model)
    rows = np.arange(n)
    t = t_start.astype(float).copy()
    v = v_start.astype(float).copy()
    i_exc = np.zeros(n)
    i_inh = np.zeros(n)
    refractory_end = np.full(n, -np.inf)
    next_input = np.zeros(n, dtype=int)
    free_v_inf = model.e_leak
    low, high = MEMBRANE_RAILS_MV
    # The rail a membrane is held at while its drive points outside the rails (NaN: free).
    held = np.full(n, np.nan)

    # Threshold noise, drawn in blocks: one draw per crossing would cost more than the crossing itself.
    pool, used = np.zeros(0), 0

    def noisy_threshold(size: int) -> np.ndarray:
        nonlocal pool, used
        if rng is None:
            return np.zeros(size)
        if used + size > pool.size:
            pool, used = rng.normal(0.0, THRESHOLD_NOISE_MV, max(64 * n, size)), 0
        used += size
        return pool[used - size : used]

    theta = model.v_threshold + noisy_threshold(n)
    has_inputs = bool(np.isfinite(inputs.times).any())
    input_time = np.full(n, np.inf)
    spikes_n, spikes_t = [], []
    seg: dict[str, list[np.ndarray]] = {k: [] for k in Segments.__dataclass_fields__}

    while True:
        alive = t < t_stop
        if not alive.any():
            break
        if has_inputs:
            input_time = inputs.times[rows, np.minimum(next_input, inputs.times.shape[1] - 1)]
            input_time = np.where(next_input < inputs.times.shape[1], input_time, np.inf)
        refractory = refractory_end > t
        tau = np.where(refractory, model.tau_reset, model.tau_mem)
        v_inf = np.where(refractory, model.v_plateau, free_v_inf)
        current = (i_exc != 0) | (i_inh != 0)
        # A neuron can only reach the threshold before its next input if it could with all of its excitatory
        # charge at once: v(t) <= max(v, v_inf) + i_exc * tau_exc (inhibition only lowers it). Where it cannot,
        # no crossing is searched for, however long the input lasts.
        if current.any():
            driven = current & (np.maximum(v, v_inf) + np.maximum(i_exc, 0.0) * model.tau_exc >= theta)
        else:
            driven = current
        any_held = bool(np.isfinite(held).any())
        free = ~np.isfinite(held) if any_held else alive
        can_fire = alive & free & model.threshold_enabled & ~refractory & (theta < high)
        bound = np.minimum(input_time, t_stop)
        bound = np.where(refractory, np.minimum(bound, refractory_end), bound)
        bound = np.where(can_fire & driven, np.minimum(bound, t + SEARCH_HORIZON_US), bound)
        quiet = can_fire & ~current
        dt_cross = np.where(quiet, _free_crossing(v, v_inf, tau, theta), np.inf)
        busy = np.flatnonzero(can_fire & driven)
        if busy.size:
            args = (v[busy], i_exc[busy], i_inh[busy], tau[busy], v_inf[busy], model.tau_exc[busy], model.tau_inh[busy])
            dt_cross[busy] = _driven_crossing(*args, theta[busy], bound[busy] - t[busy])
        # The rails: a free membrane that could reach one within this segment stops there; a held one waits for
        # its drive to turn inward. Most segments of most neurons reach neither, and skip this.
        reach_low = np.minimum(v, v_inf) + np.minimum(i_inh, 0.0) * model.tau_inh < low
        reach_high = np.maximum(v, v_inf) + np.maximum(i_exc, 0.0) * model.tau_exc > high
        to_rail = alive & free & (reach_low | reach_high)
        if any_held or to_rail.any():
            dt_rail, dt_release = _rails(to_rail, alive & ~free, held, v, i_exc, i_inh, tau, v_inf, current, t, bound,
                                         model)  # fmt: skip
            fires = can_fire & (t + dt_cross <= bound) & (dt_cross <= dt_rail)
            hits = ~fires & (t + dt_rail <= bound)
            releases = t + dt_release <= bound
            t_next = np.where(
                fires, t + dt_cross, np.where(hits, t + dt_rail, np.where(releases, t + dt_release, bound))
            )
        else:
            fires = can_fire & (t + dt_cross <= bound)
            hits = releases = None
            t_next = np.where(fires, t + dt_cross, bound)

        keep = alive & traced
        if keep.any():
            values = (rows, t, v, i_exc, i_inh, tau, v_inf)
            if any_held:  # a held membrane is recorded as a constant segment at its rail
                values = (rows, t, np.where(free, v, held), np.where(free, i_exc, 0.0), np.where(free, i_inh, 0.0),
                          np.where(free, tau, HELD_TAU_US), np.where(free, v_inf, held))  # fmt: skip
            for key, column in zip(seg, values, strict=True):
                seg[key].append(column[keep])

        step = np.where(alive, t_next - t, 0.0)
        v = membrane(step, v, i_exc, i_inh, tau, v_inf, model.tau_exc, model.tau_inh)
        if any_held:
            v = np.where(free, v, held)
        if hits is not None:
            hit_rail = np.where(v <= (low + high) / 2, low, high)  # at a hit, the membrane is at one of the rails
            v = np.where(hits, hit_rail, v)
            held = np.where(hits, hit_rail, np.where(releases, np.nan, held))
        if i_exc.any():
            i_exc = i_exc * np.exp(-step / model.tau_exc)
            i_exc[np.abs(i_exc) * model.tau_exc < NEGLIGIBLE_CHARGE_MV] = 0.0
        if i_inh.any():
            i_inh = i_inh * np.exp(-step / model.tau_inh)
            i_inh[np.abs(i_inh) * model.tau_inh < NEGLIGIBLE_CHARGE_MV] = 0.0
        t = np.where(alive, t_next, t)

        refractory_end = np.where(fires, t + model.t_refractory, refractory_end)
        theta[fires] = model.v_threshold[fires] + noisy_threshold(int(fires.sum()))
        spikes_n.append(rows[fires])
        spikes_t.append(t[fires])

        arrives = alive & (input_time <= t)
        if has_inputs and arrives.any():
            k = np.minimum(next_input, inputs.times.shape[1] - 1)
            i_exc = saturated(i_exc, np.where(arrives, inputs.exc[rows, k], 0.0), model.max_exc)
            i_inh = -saturated(-i_inh, -np.where(arrives, inputs.inh[rows, k], 0.0), model.max_inh)
            next_input = next_input + arrives

    return Result(
        spike_neuron=np.concatenate(spikes_n) if spikes_n else np.zeros(0, int),
        spike_time=np.concatenate(spikes_t) if spikes_t else np.zeros(0),
        segments=Segments(**{k: np.concatenate(v) if v else np.zeros(0) for k, v in seg.items()}),
        final_v=v,
        final_i_exc=i_exc,
        final_i_inh=i_inh,
        final_refractory_end=refractory_end,
    )


def sample(segments: Segments, neuron: int, times: np.ndarray, model: NeuronModel) -> np.ndarray:
    """The exact membrane of ``neuron`` at ``times`` (µs), from its recorded segments."""
    mine = segments.neuron == neuron
    t0 = segments.t0[mine]
    which = np.clip(np.searchsorted(t0, times, side="right") - 1, 0, len(t0) - 1)
    return membrane(
        times - t0[which],
        segments.v0[mine][which],
        segments.i_exc[mine][which],
        segments.i_inh[mine][which],
        segments.tau[mine][which],
        segments.v_inf[mine][which],
        model.tau_exc[neuron],
        model.tau_inh[neuron],
    )
