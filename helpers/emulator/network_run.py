"""One experiment run: the PyNN network in, spikes and MADC traces out.

This is the emulator's counterpart of configuring the chip and playing back
the stimulus: it maps HXNeuron populations to chip neurons, turns projections
from spike sources into input events, integrates, and reads the results out
the way the hardware does (spikes on the 8 ns clock, one MADC trace).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import settings
from . import dynamics, madc
from .chip import CLOCK_TICK_US, MEMBRANE_RAILS_MV, chip_seed, draw_mismatch, neuron_model
from .parameters import UNMODELLED_FEATURES, unmodelled_settings
from .standardmodels.cells import HXNeuron, SpikeSourceArray

#: Neurons run freely before t = 0 for a random time in this range (µs), so each starts at a random phase.
FREE_RUNNING_US = (30.0, 130.0)


@dataclass
class RunResults:
    spikes: dict[int, np.ndarray]  # cell id -> spike times (ms)
    traces: dict[int, tuple[np.ndarray, np.ndarray]]  # cell id -> (times in ms, MADC codes)


mismatch_of_chip = lru_cache(maxsize=4)(draw_mismatch)


def _neurons(state):
    """The chip neurons in use: their cell ids, chip indices and native parameters."""
    populations = [p for p in state.populations if isinstance(p.celltype, HXNeuron)]
    if not populations:
        return np.zeros(0, int), np.zeros(0, int), {}
    ids = np.concatenate([p.all_cells.astype(int) for p in populations])
    chip_index = np.concatenate([p.chip_indices for p in populations])
    names = populations[0]._parameters.keys()
    params = {
        name: np.concatenate([np.asarray(p._parameters[name], dtype=float) for p in populations]) for name in names
    }
    for feature in UNMODELLED_FEATURES:
        if np.any(params[feature]):
            raise NotImplementedError(
                f"{feature}=True: the emulator models the LIF regime the tutorial uses and does not "
                f"emulate this circuit yet. Run on hardware, or disable {feature}."
            )
    ignored = unmodelled_settings(params)
    if ignored:
        print(
            f"Emulator warning: {', '.join(ignored)} set, but not modelled by the emulator: no effect here "
            "(the emulator page lists what is modelled).",
            file=sys.stderr,
        )
    return ids, chip_index, params


def _inputs(state, row_of_id: dict[int, int], model, runtime_us: float) -> dynamics.InputSpikes:
    """Input events per neuron from all projections whose source is a SpikeSourceArray."""
    events: list[list[tuple[float, float, float]]] = [[] for _ in row_of_id]
    for projection in state.projections:
        pre = projection.pre
        if not isinstance(pre.celltype, SpikeSourceArray):
            raise NotImplementedError(
                "Projections between on-chip neurons are not emulated yet; drive neurons from "
                "SpikeSourceArray populations."
            )
        spike_times = pre._parameters["spike_times"]
        inhibitory = projection.receptor_type == "inhibitory"
        for connection in projection.connections:
            times_us = np.asarray(spike_times[connection.presynaptic_index].value, float) * 1e3
            row = row_of_id[int(projection.post[connection.postsynaptic_index])]
            weight = abs(round(float(connection.weight)))  # integers on the chip: 0.3 is no synapse
            exc = 0.0 if inhibitory else weight * model.jump_exc[row]
            inh = weight * model.jump_inh[row] if inhibitory else 0.0
            # Events are played back on the 8 ns FPGA clock, within the run.
            for t in np.floor(times_us / CLOCK_TICK_US) * CLOCK_TICK_US:
                if 0.0 <= t < runtime_us:
                    events[row].append((t, exc, inh))
    width = max(1, max(len(e) for e in events)) if events else 1
    times = np.full((len(events), width), np.inf)
    exc = np.zeros((len(events), width))
    inh = np.zeros((len(events), width))
    for row, row_events in enumerate(events):
        row_events.sort()
        for k, (t, e, i) in enumerate(row_events):
            times[row, k], exc[row, k], inh[row, k] = t, e, i
    return dynamics.InputSpikes(times, exc, inh)


def _traced_ids(state) -> set[int]:
    traced: set[int] = set()
    for recorder in state.recorders:
        for variable, ids in recorder.recorded.items():
            if variable.name != "spikes":
                traced.update(int(i) for i in ids)
    return traced


def run(state, tstop_ms: float) -> RunResults:
    """Run the network in ``state`` from t = 0 to ``tstop_ms`` and return what was recorded."""
    seed = chip_seed()
    ids, chip_index, params = _neurons(state)
    runtime_us = tstop_ms * 1e3
    if ids.size == 0:
        return RunResults({}, {})
    mismatch = mismatch_of_chip(seed)
    model = neuron_model(params, chip_index, mismatch)
    row_of_id = {int(i): row for row, i in enumerate(ids)}
    inputs = _inputs(state, row_of_id, model, runtime_us)
    # Trial-to-trial noise is fresh in every run, as on the chip, unless a trial seed fixes it.
    trial_seed = settings.current().emulator_trial_seed
    rng = np.random.default_rng(None if trial_seed is None else [trial_seed, state.runs, 0x7A1])
    traced_ids = _traced_ids(state)
    traced = np.isin(ids, list(traced_ids))
    result = dynamics.simulate(
        model,
        inputs,
        t_start=-rng.uniform(*FREE_RUNNING_US, size=len(ids)),
        t_stop=runtime_us,
        v_start=np.clip(model.e_leak, *MEMBRANE_RAILS_MV),
        traced=traced,
        rng=rng,
    )
    in_run = (result.spike_time >= 0.0) & (result.spike_time < runtime_us)
    stamps = np.floor(result.spike_time[in_run] / CLOCK_TICK_US) * CLOCK_TICK_US * 1e-3
    by_row = result.spike_neuron[in_run]
    order = np.argsort(stamps, kind="stable")
    stamps, by_row = stamps[order], by_row[order]
    spikes = {int(cell): stamps[by_row == row] for row, cell in enumerate(ids)}

    traces = {}
    for row in np.flatnonzero(traced):
        times_us = madc.sample_times(runtime_us, rng)
        membrane = dynamics.sample(result.segments, row, times_us, model)
        codes = madc.digitize(membrane, mismatch.readout_offset[chip_index[row]], rng)
        traces[int(ids[row])] = ((times_us * 1e-3).astype(np.float32), codes)
    return RunResults(spikes, traces)
