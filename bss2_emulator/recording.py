"""Recording: spikes of any neuron, and up to two analog channels through the MADC.

PyNN's own Recorder builds the neo Blocks (one segment per run/reset cycle); this backend supplies
the data, adds the hardware's annotations, and enforces the MADC's rules with the texts of
``pynn_brainscales``: one analog variable per neuron, at most two neurons, and, since the two
channels take the chip's even- and odd-numbered neurons, one of each.
"""

from __future__ import annotations

import numpy as np
from pyNN import recording

from . import simulator
from .standardmodels.cells import ANALOG

MADC_LIMIT_MESSAGE = (
    "Can only record at most two neurons/locations via MADC. Record an analog variable on at most one "
    "even- and one odd-numbered neuron per run: call record(None), then record on a one-neuron PopulationView."
)


def _variable_names(variables) -> list[str]:
    if isinstance(variables, str):
        return [variables]
    return list(variables)


class Recorder(recording.Recorder):
    _simulator = simulator

    def record(self, variables, ids, sampling_interval=None, locations=None):
        if sampling_interval is not None:
            raise NotImplementedError("Sampling interval not implemented. The MADC samples every 34 ns.")
        names = self.population.celltype.recordable if variables == "all" else _variable_names(variables)
        analog = sorted(set(names) & set(ANALOG))
        if analog:
            self._configure_madc(analog, [i for i in ids if i.local])
        super().record(names, ids, None, locations)

    def _configure_madc(self, variables: list[str], ids) -> None:
        if len(variables) > 1:
            raise ValueError("Can only set 1 analog record type per neuron.")
        sites = dict(self._simulator.state.madc_sites)
        for cell in ids:
            if sites.get(int(cell), variables[0]) != variables[0]:
                raise ValueError("Only one source can be recorded per neuron.")
            sites[int(cell)] = variables[0]
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

    def _chip_index(self, cell_id: int) -> int:
        """The chip neuron of a cell of any population."""
        for population in self._simulator.state.populations:
            if int(population.first_id) <= cell_id <= int(population.last_id):
                return int(population.chip_indices[cell_id - int(population.first_id)])
        raise KeyError(cell_id)

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
        return {i for i in ids if int(i) in traces and traces[int(i)][2] == variable.name}

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

    def _get_spiketimes(self, ids, clear=False):
        # (ids, times) arrays let PyNN build one SpikeTrainList at once instead of a train per neuron.
        results = self._results()
        spikes = results.spikes if results is not None else {}
        ids = [int(i) for i in ids]
        times = [spikes.get(i, np.zeros(0)) for i in ids]
        id_array = np.repeat(np.array(ids, dtype=int), [len(t) for t in times])
        return id_array, np.concatenate([np.zeros(0), *times])

    def _get_all_signals(self, variable, ids, clear=False):
        # One channel: one time axis, one signal. Two channels sample in turn: a time axis each.
        if not ids:
            return np.zeros((0, 0)), np.zeros(0)
        traces = self._results().traces
        if len(ids) == 1:
            times, values, _ = traces[int(ids[0])]
            return values[:, None], times
        columns = [traces[int(i)] for i in ids]
        return np.stack([c[1] for c in columns], axis=1), np.stack([c[0] for c in columns], axis=1)

    def _get_current_segment(self, filter_ids=None, variables="all", clear=False):
        segment = super()._get_current_segment(filter_ids, variables, clear)
        for signal in segment.irregularlysampledsignals:
            signal.annotate(
                source_ids=[int(i) for i in signal.annotations.pop("channel_ids")],
                channel_index=[int(i) for i in signal.array_annotations["channel_index"]],
                source_population=self.population.label,
                device="madc",
            )
        return segment

    def _local_count(self, variable, filter_ids=None):
        results = self._results()
        spikes = results.spikes if results is not None else {}
        return {int(i): len(spikes.get(int(i), ())) for i in self.filter_recorded(variable, filter_ids)}

    def _clear_simulator(self):
        self._cleared_run = self._simulator.state.runs

    def _reset(self):
        """record(None): this population's cells leave the MADC."""
        mine = {int(i) for i in self.population.all_cells}
        sites = self._simulator.state.madc_sites
        self._simulator.state.madc_sites = {cell: v for cell, v in sites.items() if cell not in mine}
