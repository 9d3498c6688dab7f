"""Recording: spikes of any neuron, and up to two analog channels through the MADC.

PyNN's own Recorder builds the neo Blocks (one segment per run/reset cycle); this backend supplies
the data, adds the hardware's annotations, and enforces the MADC's rules with the texts of
``pynn_brainscales``: one analog variable per neuron, at most two neurons, and, since the two
channels take the chip's even- and odd-numbered neurons, one of each.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Iterator
from datetime import datetime

import neo
import numpy as np
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList
from pyNN import recording
from pyNN.recording import Variable

from . import simulator
from .morphology import McNeuronBase
from .network.sites import cell_of, compartment_of, site
from .standardmodels.cells import ANALOG

MADC_LIMIT_MESSAGE = (
    "Can only record at most two neurons/locations via MADC. Record an analog variable on at most one "
    "even- and one odd-numbered neuron per run: call record(None), then record on a one-neuron PopulationView."
)


def _variable_names(variables) -> list[str]:
    if isinstance(variables, str):
        return [variables]
    return list(variables)


def pad_of(device: str) -> int:
    """The pad of a device name ``pad_0`` or ``pad_1``, optionally ``_buffered`` or ``_unbuffered``."""
    parts = device.split("_")
    if not (2 <= len(parts) <= 3 and parts[0] == "pad" and parts[1] in ("0", "1")) or (
        len(parts) == 3 and parts[2] not in ("buffered", "unbuffered")
    ):
        raise ValueError(f'Device "{device}" is not supported')
    return int(parts[1])


class Recorder(recording.Recorder):
    _simulator = simulator
    _device = "madc"

    @contextlib.contextmanager
    def device(self, device: str) -> Iterator[None]:
        """Record with ``device`` for the calls inside the block."""
        if device != "madc" and not device.startswith("pad"):
            raise ValueError(f'Device "{device}" is not supported' + (
                ": the emulator reads analog variables through the MADC only (device='madc')." if device == "cadc"
                else ""))  # fmt: skip
        self._device = device
        try:
            yield
        finally:
            self._device = "madc"

    def record(self, variables, ids, sampling_interval=None, locations=None):
        if sampling_interval is not None:
            raise NotImplementedError("Sampling interval not implemented. The MADC samples every 34 ns.")
        names = self.population.celltype.recordable if variables == "all" else _variable_names(variables)
        analog = sorted(set(names) & set(ANALOG))
        at = [site(i, c) for i in ids if i.local for c in self._compartments(locations)]
        if analog and self._device == "madc":
            self._configure_madc(analog, at)
        elif analog:
            self._connect_pad(pad_of(self._device), analog, at)
        super().record(names, ids, None, locations)

    def _compartments(self, locations) -> list[int]:
        """The compartments that ``locations`` (labels) name: compartment 0 for a neuron of one compartment."""
        if locations is None:
            return [0]
        celltype = self.population.celltype
        if not isinstance(celltype, McNeuronBase):
            raise ValueError(
                f"{type(celltype).__name__} has a single compartment: record it without locations (locations are "
                "the compartment labels of multicompartment neurons, pynn.morphology)."
            )
        return celltype.get_compartment_ids([locations] if isinstance(locations, str) else locations)

    def _localize_variables(self, variables, locations):
        """Variables at the compartments ``locations`` names, as PyNN's recorders key them."""
        if locations is None:
            return super()._localize_variables(variables, None)
        self._compartments(locations)  # a clear error for a label no compartment has
        labels = [locations] if isinstance(locations, str) else list(locations)
        names = [variables] if isinstance(variables, str) else list(variables)
        return [Variable(name=name, location=label, label=label) for name in names for label in labels]

    def _connect_pad(self, pad: int, variables: list[str], ids) -> None:
        """A pad carries one neuron's analog variable off the chip, to the board's connector (an oscilloscope
        there); the emulator has no oscilloscope, so nothing is recorded, and the job's log says so."""
        if len(ids) != 1 or len(variables) != 1:
            raise ValueError(f"Each of the 2 pads can be connected to one neuron and one variable (pad {pad}).")
        print(
            f"Emulator note: {variables[0]} of neuron {int(ids[0])} goes to pad {pad}, which on the chip's board feeds "
            "an oscilloscope; the emulator records nothing there. Record with device='madc' to see it.",
            file=sys.stderr,
        )

    def _configure_madc(self, variables: list[str], ids) -> None:
        if len(variables) > 1:
            raise ValueError("Can only set 1 analog record type per neuron.")
        sites = dict(self._simulator.state.madc_sites)
        for key in ids:
            if sites.get(key, variables[0]) != variables[0]:
                raise ValueError("Only one source can be recorded per neuron.")
            sites[key] = variables[0]
        if len(sites) > 2:
            raise ValueError(MADC_LIMIT_MESSAGE)
        chip = {cell: self._chip_index(cell) for cell in sites}
        if len(chip) == 2 and len({index % 2 for index in chip.values()}) == 1:
            parity = "even" if next(iter(chip.values())) % 2 == 0 else "odd"
            raise ValueError(
                f"The MADC's two channels read one even- and one odd-numbered chip neuron, but chip neurons "
                f"{sorted(chip.values())} are both {parity}. Record neurons of different parity."
            )
        self._simulator.state.madc_sites = sites

    def _chip_index(self, key: int) -> int:
        """The chip neuron of a site (a cell, or a compartment's first circuit) of any population."""
        cell, compartment = cell_of(key), compartment_of(key)
        for population in self._simulator.state.populations:
            if int(population.first_id) <= cell <= int(population.last_id):
                index = cell - int(population.first_id)
                if isinstance(population.celltype, McNeuronBase):
                    first = population.celltype.compartment_of_circuit().tolist().index(compartment)
                    return int(population.circuit_indices[index, first])
                return int(population.chip_indices[index])
        raise KeyError(cell)

    def _record(self, variable, new_ids, sampling_interval=None):
        pass

    def filter_recorded(self, variable, filter_ids):
        """For analog variables, only the neurons whose channel read this variable in the run: a neuron
        recorded after the run has no data yet."""
        ids = super().filter_recorded(variable, filter_ids)
        if variable.name == "spikes":
            return ids
        results = self._results()
        traces = results.traces if results is not None else {}
        at = self._compartment_of_variable(variable)
        return {i for i in ids if site(i, at) in traces and traces[site(i, at)][2] == variable.name}

    def _compartment_of_variable(self, variable) -> int:
        return 0 if variable.location is None else self._compartments(variable.location)[0]

    def _results(self):
        state = self._simulator.state
        if state.results is None or getattr(self, "_cleared_run", None) == state.runs:
            return None
        return state.results

    def get(self, variables, gather=False, filter_ids=None, clear=False, annotations=None, locations=None):
        if not self._simulator.state.running and not self.cache._data:
            raise RuntimeError(
                "get_data(): nothing has been recorded yet. Call pynn.run(...) first; each run, up to the "
                "next pynn.reset(), becomes one segment."
            )
        return super().get(variables, gather, filter_ids, clear, annotations, locations)

    def _get_current_segment(self, filter_ids=None, variables="all", clear=False):
        """The run's data as ``pynn_brainscales`` lays it out: per snippet of the run (each ``RunCommand.APPEND``),
        a spike train for each recorded neuron and a signal for each neuron an MADC channel read, each covering
        that snippet's time and annotated with its source."""
        state = self._simulator.state
        segment = neo.Segment(
            name=f"segment{state.segment_counter:03d}",
            description=self.population.describe(),
            rec_datetime=datetime.now(),
        )
        wanted = sorted((v for v in self.recorded if variables == "all" or v in variables), key=lambda v: v.name)
        results = self._results()
        bounds = results.bounds_ms if results is not None else [0.0, state.t]
        for t_start, t_stop in itertools.pairwise(bounds):
            for variable in wanted:
                ids = sorted(self.filter_recorded(variable, filter_ids))
                if variable.name == "spikes" and len(bounds) == 2:  # one snippet: one lazy list, built on demand
                    segment.spiketrains = self._spike_train_list(ids, results, t_start, t_stop)
                elif variable.name == "spikes":
                    segment.spiketrains.extend(self._spike_trains(ids, results, t_start, t_stop))
                else:
                    segment.irregularlysampledsignals.extend(self._signals(variable, ids, results, t_start, t_stop))
        if isinstance(segment.spiketrains, SpikeTrainList):
            segment.spiketrains.segment = segment  # its trains get the segment when they are built
        else:
            for train in segment.spiketrains:
                train.segment = segment
        for signal in segment.irregularlysampledsignals:
            signal.segment = segment
        return segment

    def _annotations(self, cell: int) -> dict:
        return {"source_population": self.population.label, "source_index": int(self.population.id_to_index(cell))}

    def _spike_train_list(self, ids, results, t_start: float, t_stop: float) -> SpikeTrainList:
        """The spike trains of ``ids`` as one list that neo turns into trains when they are first used: the same
        trains and annotations as ``_spike_trains``, without building hundreds of them that nobody reads."""
        spikes = results.spikes if results is not None else {}
        times = [spikes.get(int(cell), np.zeros(0)) for cell in ids]
        times = [train[(train >= t_start) & (train < t_stop)] for train in times]
        cells = np.array([int(cell) for cell in ids], dtype=int)
        return SpikeTrainList.from_spike_time_array(
            np.concatenate([np.zeros(0), *times]), np.repeat(cells, [len(train) for train in times]), cells,
            t_stop=t_stop * pq.ms, units="ms", t_start=t_start * pq.ms, source_id=cells.tolist(),
            source_compartment=[0] * len(cells), source_population=self.population.label,
            source_index=[int(self.population.id_to_index(cell)) for cell in ids],
        )  # fmt: skip

    def _spike_trains(self, ids, results, t_start: float, t_stop: float) -> list[neo.SpikeTrain]:
        trains = []
        for cell in ids:
            times = results.spikes.get(int(cell), np.zeros(0)) if results is not None else np.zeros(0)
            times = times[(times >= t_start) & (times < t_stop)]
            trains.append(
                neo.SpikeTrain(
                    times, t_start=t_start, t_stop=t_stop, units="ms", source_id=int(cell), source_compartment=0,
                    **self._annotations(int(cell)),
                )
            )  # fmt: skip
        return trains

    def _signals(self, variable, ids, results, t_start: float, t_stop: float) -> list[neo.IrregularlySampledSignal]:
        compartment = self._compartment_of_variable(variable)
        signals = []
        for cell in ids:
            times, values, recorded = results.traces[site(cell, compartment)]
            if recorded != variable.name:
                continue
            inside = (times >= t_start) & (times < t_stop)
            signals.append(
                neo.IrregularlySampledSignal(
                    times[inside], values[inside][:, None], units="dimensionless", time_units="ms",
                    name=variable.name, device="madc", source_ids=[int(cell)], source_compartments=[compartment],
                    source_locations=[variable.location], **self._annotations(int(cell)),
                    array_annotations={"channel_index": [int(self.population.id_to_index(cell))]},
                )
            )  # fmt: skip
        return signals

    def _local_count(self, variable, filter_ids=None):
        results = self._results()
        spikes = results.spikes if results is not None else {}
        return {int(i): len(spikes.get(int(i), ())) for i in self.filter_recorded(variable, filter_ids)}

    def _clear_simulator(self):
        self._cleared_run = self._simulator.state.runs

    def _reset(self):
        """record(None): this population's cells (all their compartments) leave the MADC."""
        mine = {int(i) for i in self.population.all_cells}
        sites = self._simulator.state.madc_sites
        self._simulator.state.madc_sites = {key: v for key, v in sites.items() if cell_of(key) not in mine}
