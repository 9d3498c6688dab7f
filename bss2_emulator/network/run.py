"""One experiment on the emulated chip: the PyNN network in, spikes and MADC traces out.

This is the emulator's counterpart of placing the network on the chip and playing back its
stimulus. ``compile_snippet`` freezes the network as it stands (``pynn.run``, or each
``RunCommand.APPEND``): chip neurons and their physical model, off-chip input events on the 8 ns
FPGA clock, synapses between chip neurons. ``execute`` runs the snippets one after another, as
one continuous experiment, and reads the results out as the hardware does (spikes on the 8 ns
clock, one or two MADC channels).

The exact solver (``solvers.exact``) runs what it can: one snippet of neurons without feedback,
recording the membrane. Everything else goes through the 8 ns integrator (``stepped``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..chip import calibration
from ..chip.model import (
    CLOCK_TICK_US,
    EXTERNAL_INPUT_DELAY_US,
    MEMBRANE_RAILS_MV,
    NeuronModel,
    draw_mismatch,
    neuron_model,
)
from ..config import chip_seed, trial_seed
from ..morphology import McNeuronBase
from ..morphology.neuron import compartment_settings, couplings
from ..parameters import unmodelled_settings
from ..readout import madc
from ..solvers import exact, stepped
from ..standardmodels.cells import (
    CalibHXNeuronCuba,
    HXNeuron,
    SpikeSourceArray,
    SpikeSourcePoisson,
    SpikeSourcePoissonOnChip,
)
from .sites import site

#: Neurons run freely before t = 0 for a random time in this range (µs), so each starts at a random phase.
FREE_RUNNING_US = (30.0, 130.0)
#: Each neuron's column of the synapse array: at most this many synapses onto one neuron.
SYNAPSES_PER_NEURON = 256
#: One synapse stores a 6-bit weight; a larger weight takes several synapses (as pynn_brainscales does).
MAX_SYNAPSE_WEIGHT = 63

mismatch_of_chip = lru_cache(maxsize=4)(draw_mismatch)


@dataclass
class RunResults:
    spikes: dict[int, np.ndarray]  # cell id -> spike times (ms)
    traces: dict[int, tuple[np.ndarray, np.ndarray, str]]  # cell id -> (times in ms, MADC codes, variable)
    bounds_ms: list[float]  # where each snippet of the run starts, and where the last one ends


@dataclass
class Snippet:
    """The network as it stood when a snippet was scheduled, ready to run for ``runtime_us``."""

    runtime_us: float
    ids: np.ndarray  # each row's site: a cell id, or a compartment of a multicompartment neuron (network.sites)
    chip_index: np.ndarray
    model: NeuronModel
    events: stepped.Events  # times in µs from the start of the experiment
    on_chip: stepped.OnChip | None
    madc: dict[int, str]  # row -> recorded variable, one or two channels
    log: dict[str, str]  # warnings for the job's log, by what they are about
    reset_at_start: bool = False  # the chip configuration resets every neuron before the run (integrator mode)

    @property
    def exact(self) -> bool:
        """Whether the exact solver can run this snippet on its own."""
        adex = self.model.adex
        return (
            self.on_chip is None
            and not (adex is not None and adex.any)
            and self.model.coba is None
            and self.model.coupling is None
            and not (self.model.bypass_exc.any() or self.model.bypass_inh.any())
            and set(self.madc.values()) <= {"v"}
        )


def is_neuron(population) -> bool:
    return isinstance(population.celltype, (HXNeuron, CalibHXNeuronCuba, McNeuronBase))


@dataclass
class Neurons:
    """The chip neurons in use, one row per site (a neuron, or a compartment of a multicompartment neuron)."""

    sites: np.ndarray  # network.sites keys
    chip_index: np.ndarray  # the chip circuit each row's settings and deviations come from
    params: dict[str, np.ndarray]  # HXNeuron settings per row
    log: dict[str, str]  # warnings for the job's log, by what they are about
    e_rev: np.ndarray | None  # (3, rows) mV: reversal and reference potentials (NaN: current-based), or None
    couplings: list[tuple[int, int, float]]  # (row, row, nS) between compartments


def _compartment_rows(population, first_row: int):
    """The rows of a multicompartment population: per neuron, a row per compartment, and their couplings."""
    celltype = population.celltype
    owner = celltype.compartment_of_circuit()
    sites, chip_index, blocks, links = [], [], [], []
    for index, cell in enumerate(population.all_cells):
        circuits = {name: values[index] for name, values in population._parameters.items()}
        blocks.append(compartment_settings(celltype, circuits))
        for compartment in celltype.compartments:
            sites.append(site(int(cell), compartment))
            chip_index.append(population.circuit_indices[index, np.flatnonzero(owner == compartment)[0]])
        base = first_row + index * len(celltype.compartments)
        links += [(base + a, base + b, g) for a, b, g in couplings(celltype, circuits)]
    params = {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}
    return np.array(sites), np.array(chip_index), params, links


def _neurons(state) -> Neurons:
    """The chip neurons in use, with their settings, the reversal potentials and the couplings."""
    populations = [p for p in state.populations if is_neuron(p)]
    if not populations:
        return Neurons(np.zeros(0, int), np.zeros(0, int), {}, {}, None, [])
    mismatch = mismatch_of_chip(chip_seed())
    sites, chip_index, blocks, reversal, links = [], [], [], [], []
    rows = 0
    for population in populations:
        if isinstance(population.celltype, McNeuronBase):
            keys, chips, block, couples = _compartment_rows(population, rows)
            links += couples
        else:
            calibrated = isinstance(population.celltype, CalibHXNeuronCuba)
            block = calibration.hxneuron_parameters(population, mismatch) if calibrated else population._parameters
            keys, chips = population.all_cells.astype(int), population.chip_indices
        sites.append(keys)
        chip_index.append(chips)
        blocks.append(block)
        reversal.append(
            np.full((3, len(keys)), np.nan)
            if isinstance(population.celltype, McNeuronBase)
            else calibration.reversal_potentials(population)
        )
        rows += len(keys)
    params = {name: np.concatenate([np.asarray(b[name], dtype=float) for b in blocks]) for name in blocks[0]}
    if state.enable_neuron_bypass:
        params["event_routing_enable_bypass_excitatory"][:] = 1
        params["event_routing_enable_bypass_inhibitory"][:] = 1
    log = {
        name: f"Emulator warning: {setting} set, but not modelled by the emulator: no effect here "
        "(the emulator page lists what is modelled)."
        for name, setting in unmodelled_settings(params).items()
    }
    e_rev = np.concatenate(reversal, axis=1)
    return Neurons(
        np.concatenate(sites),
        np.concatenate(chip_index),
        params,
        log,
        e_rev if np.isfinite(e_rev[:2]).any() else None,
        links,
    )


def _source_times_us(population, runtime_us: float) -> list[np.ndarray]:
    """The spike times (µs) of each source of an off-chip or on-chip spike source population."""
    celltype = population.celltype
    if isinstance(celltype, SpikeSourceArray):
        return [np.asarray(s.value, float) * 1e3 for s in population._parameters["spike_times"]]
    if isinstance(celltype, SpikeSourcePoisson):
        return [np.asarray(times, float) * 1e3 for times in celltype.get_spike_times()]
    if isinstance(celltype, SpikeSourcePoissonOnChip):
        return celltype.spike_times_us(runtime_us)
    raise TypeError(f"{type(celltype).__name__} cannot be the source of a projection on the emulated chip.")


def _synapse_count(weight: int) -> int:
    return -(-abs(weight) // MAX_SYNAPSE_WEIGHT)


def _projections(state, row_of_id: dict[int, int], model, t0_us: float, runtime_us: float):
    """Off-chip input events and the on-chip synapse matrices of all projections."""
    n = len(row_of_id)
    rows, times, exc, inh, excitatory = [], [], [], [], []
    on_exc, on_inh = np.zeros((n, n)), np.zeros((n, n))
    synapses = np.zeros(n, int)
    recurrent = False
    for projection in state.projections:
        inhibitory = projection.receptor_type == "inhibitory"
        jump = model.jump_inh if inhibitory else model.jump_exc
        pre_root = getattr(projection.pre, "grandparent", projection.pre)
        from_chip = is_neuron(pre_root)
        source_times = None if from_chip else _source_times_us(pre_root, t0_us + runtime_us)
        for connection in projection.connections:
            weight = round(float(connection.weight))  # integers on the chip: 0.3 is no synapse
            if weight == 0:
                continue
            post = row_of_id[site(projection.post[connection.postsynaptic_index], connection.compartment)]
            synapses[post] += _synapse_count(weight)
            amplitude = abs(weight) * jump[post]
            if from_chip:
                recurrent = True
                pre = row_of_id[int(projection.pre[connection.presynaptic_index])]
                (on_inh if inhibitory else on_exc)[pre, post] += amplitude
                continue
            # Events are played back on the 8 ns FPGA clock, within the snippet.
            source = pre_root.id_to_index(projection.pre[connection.presynaptic_index])
            clock = np.floor(source_times[source] / CLOCK_TICK_US) * CLOCK_TICK_US
            clock = clock[(clock >= t0_us) & (clock < t0_us + runtime_us)] + EXTERNAL_INPUT_DELAY_US
            clock = clock[clock < t0_us + runtime_us]  # what arrives after the snippet's end is lost with it
            rows.append(np.full(clock.size, post))
            times.append(clock)
            exc.append(np.full(clock.size, 0.0 if inhibitory else amplitude))
            inh.append(np.full(clock.size, amplitude if inhibitory else 0.0))
            excitatory.append(np.full(clock.size, not inhibitory))
    crowded = np.flatnonzero(synapses > SYNAPSES_PER_NEURON)
    if crowded.size:
        raise ValueError(
            f"A neuron receives {synapses[crowded[0]]} synapses, but its column of the synapse array has "
            f"{SYNAPSES_PER_NEURON} (weights above {MAX_SYNAPSE_WEIGHT} take several): use fewer or weaker connections."
        )
    parts = (rows, times, exc, inh, excitatory)
    events = stepped.Events(*(np.concatenate(a) for a in parts)) if rows else stepped.Events.none()
    return events, stepped.OnChip(on_exc, on_inh) if recurrent else None


def compile_snippet(state, runtime_ms: float, t0_ms: float = 0.0) -> Snippet | None:
    """Freeze the network in ``state`` into a snippet that starts at ``t0_ms`` and lasts ``runtime_ms``."""
    neurons = _neurons(state)
    if neurons.sites.size == 0:
        return None
    mismatch = mismatch_of_chip(chip_seed())
    model = neuron_model(neurons.params, neurons.chip_index, mismatch, calibration.synapse_dac_bias(state))
    model.coba = neurons.e_rev
    if neurons.couplings:
        a, b, g = (np.array(column) for column in zip(*neurons.couplings, strict=True))
        model.coupling = stepped.Coupling(a.astype(int), b.astype(int), g / model.capacitance_pf[a] * 1e-3,
                                          g / model.capacitance_pf[b] * 1e-3)  # fmt: skip
    row_of_id = {int(key): row for row, key in enumerate(neurons.sites)}
    events, on_chip = _projections(state, row_of_id, model, t0_ms * 1e3, runtime_ms * 1e3)
    madc_rows = {row_of_id[key]: variable for key, variable in state.madc_sites.items() if key in row_of_id}
    reset_at_start = bool(getattr(state.initial_config, "reset_at_start", False))
    return Snippet(
        runtime_ms * 1e3, neurons.sites, neurons.chip_index, model, events, on_chip, madc_rows, neurons.log,
        reset_at_start,
    )  # fmt: skip


def _padded(events: stepped.Events, n: int) -> exact.InputSpikes:
    """Off-chip events as the exact solver takes them: per neuron, sorted, padded with +inf. Events that reach
    a neuron in the same clock cycle arrive as one burst, as the stepped solver's 8 ns steps take them."""
    order = np.lexsort((events.time, events.row))
    row, t = events.row[order], events.time[order]
    cycle = np.round(t / stepped.STEP_US).astype(np.int64)
    first = np.r_[True, (np.diff(row) != 0) | (np.diff(cycle) != 0)] if row.size else np.zeros(0, bool)
    group = np.cumsum(first) - 1
    row, t = row[first], t[first]
    exc = np.bincount(group, events.exc[order], minlength=row.size) if row.size else np.zeros(0)
    inh = np.bincount(group, events.inh[order], minlength=row.size) if row.size else np.zeros(0)
    counts = np.bincount(row, minlength=n) if row.size else np.zeros(n, int)
    width = max(1, int(counts.max()) if counts.size else 1)
    times, exc_in, inh_in = np.full((n, width), np.inf), np.zeros((n, width)), np.zeros((n, width))
    slot = np.arange(row.size) - np.searchsorted(row, row)
    times[row, slot], exc_in[row, slot], inh_in[row, slot] = t, exc, inh
    return exact.InputSpikes(times, exc_in, inh_in)


def _readout(variable: str, traces: stepped.Traces, column: int) -> np.ndarray:
    """The voltage (mV) the MADC sees for ``variable`` of a traced neuron, after every step."""
    if variable == "v":
        return traces.v[:, column]
    if variable == "adaptation":
        return madc.ADAPTATION_READOUT[0] + madc.ADAPTATION_READOUT[1] * traces.w[:, column]
    current = traces.i_exc[:, column] if variable == "exc_synin" else traces.i_inh[:, column]
    return madc.SYNIN_READOUT[0] + madc.SYNIN_READOUT[1] * current


def trial_rng(runs: int) -> np.random.Generator:
    """Trial-to-trial noise, fresh in every run as on the chip, unless ``BSS2_EMULATOR_TRIAL_SEED`` fixes it."""
    seed = trial_seed()
    return np.random.default_rng(None if seed is None else [seed, runs, 0x7A1])


Readout = tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]  # spike rows, spike times (µs), row -> mV


def _run_exact(snippet: Snippet, madc_rows: dict, channels: list, t_start, v_start, rng) -> Readout:
    """One snippet without feedback, by the exact solver, from each neuron's free-running start."""
    inputs = _padded(snippet.events, len(snippet.ids))
    traced = np.isin(np.arange(len(snippet.ids)), list(madc_rows))
    result = exact.simulate(snippet.model, inputs, t_start, snippet.runtime_us, v_start, traced, rng)
    voltages = {
        row: exact.sample(result.segments, row, times, snippet.model)
        for (row, _), times in zip(sorted(madc_rows.items()), channels, strict=True)
    }
    return result.spike_neuron, result.spike_time, voltages


def _adapted_start(model, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The membrane and adaptation at t = 0: a neuron with adaptation that rests below its threshold starts at the
    rest that leak and adaptation reach together, as on the chip, which runs on before a run; the others
    start as they are, with the adaptation their membrane holds."""
    adex = model.adex
    if adex is None or not adex.adaptation.any():
        return v, np.zeros(len(v))
    rest = (model.e_leak / model.tau_mem + adex.a * adex.v_ref) / (1 / model.tau_mem + adex.a)
    resting = adex.adaptation & (~model.threshold_enabled | (rest < model.v_threshold))
    v = np.where(resting, np.clip(rest, *MEMBRANE_RAILS_MV), v)
    return v, np.where(adex.adaptation, adex.a * (v - adex.v_ref), 0.0)


def _run_stepped(snippets: list[Snippet], madc_rows: dict, channels: list, t_start, v_start, rng) -> Readout:
    """Free-running before t = 0 by the exact solver (no input arrives before the experiment), then every
    snippet in 8 ns steps, each going on from the state the one before left."""
    first = snippets[0]
    n = len(first.ids)
    free = exact.simulate(first.model, exact.InputSpikes.none(n), t_start, 0.0, v_start, np.zeros(n, bool))
    v, w = _adapted_start(first.model, free.final_v)
    state = stepped.State(0.0, v, np.zeros(n), np.zeros(n), w, free.final_refractory_end)
    traced = np.isin(np.arange(n), list(madc_rows))
    rows, times, steps = [], [], []
    for snippet in snippets:
        result = stepped.simulate(
            snippet.model, snippet.events, snippet.on_chip, state, state.t + snippet.runtime_us, traced, rng
        )
        rows.append(result.spike_neuron)
        times.append(result.spike_time)
        steps.append(result.traces)
        state = result.final
    step_times = np.concatenate([tr.times for tr in steps])
    voltages = {}
    for (row, variable), sample_times in zip(sorted(madc_rows.items()), channels, strict=True):
        column = int(np.flatnonzero(steps[0].rows == row)[0])
        values = np.concatenate([_readout(variable, tr, column) for tr in steps])
        voltages[row] = np.interp(sample_times, step_times, values)
    return np.concatenate(rows), np.concatenate(times), voltages


#: What this job process has printed a warning about.
_WARNED: set[str] = set()


def execute(snippets: list[Snippet], runs: int, runtimes_ms: list[float]) -> RunResults:
    """Run the snippets (of ``runtimes_ms``) as one continuous experiment and read out spikes and MADC traces."""
    bounds = [0.0, *np.cumsum(runtimes_ms).tolist()]
    if not snippets:
        return RunResults({}, {}, bounds)
    for snippet in snippets:
        for about, line in snippet.log.items():
            if about not in _WARNED:  # once per parameter and job, however many neurons and runs repeat it
                _WARNED.add(about)
                print(line, file=sys.stderr)
    rng = trial_rng(runs)
    first = snippets[0]
    mismatch = mismatch_of_chip(chip_seed())
    offsets = mismatch.readout_offset[first.chip_index]
    madc_rows = dict(snippets[-1].madc)
    runtime_us = sum(s.runtime_us for s in snippets)
    if first.reset_at_start:  # every neuron starts at its reset level, at t = 0
        t_start = np.zeros(len(first.ids))
        v_start = np.clip(first.model.v_plateau, *MEMBRANE_RAILS_MV)
    else:  # caught mid-cycle: each neuron has run freely for a while before t = 0
        t_start = -rng.uniform(*FREE_RUNNING_US, size=len(first.ids))
        v_start = np.clip(first.model.e_leak, *MEMBRANE_RAILS_MV)
    channels = madc.sample_times(runtime_us, rng, len(madc_rows))

    if len(snippets) == 1 and first.exact:
        spike_rows, spike_times, voltages = _run_exact(first, madc_rows, channels, t_start, v_start, rng)
    else:
        spike_rows, spike_times, voltages = _run_stepped(snippets, madc_rows, channels, t_start, v_start, rng)

    in_run = (spike_times >= 0.0) & (spike_times < runtime_us)
    stamps = np.floor(spike_times[in_run] / CLOCK_TICK_US) * CLOCK_TICK_US * 1e-3
    by_row = spike_rows[in_run]
    order = np.lexsort((stamps, by_row))  # by row, each row's spikes in time order
    per_row = np.split(stamps[order], np.searchsorted(by_row[order], np.arange(1, len(first.ids))))
    spikes = {int(cell): train for cell, train in zip(first.ids, per_row, strict=True)}
    traces = {
        int(first.ids[row]): (
            (times * 1e-3).astype(np.float32),
            madc.digitize(voltages[row], offsets[row] if variable == "v" else 0.0, rng),
            variable,
        )
        for (row, variable), times in zip(sorted(madc_rows.items()), channels, strict=True)
    }
    return RunResults(spikes, traces, bounds)
