"""Recording: spikes of any neuron, and the membrane of one neuron through the MADC.

PyNN's own Recorder builds the neo Blocks (one segment per run/reset cycle);
this backend supplies the data and adds the hardware's annotations.
"""

from __future__ import annotations

import numpy as np
from pyNN import recording

from . import simulator

MADC_LIMIT_MESSAGE = (
    "Can only record single neuron/location via MADC. Record 'v' on one neuron per run: call "
    "record(None), then record 'v' on a one-neuron PopulationView."
)


def _analog_recordings(state) -> int:
    return sum(len(ids) for r in state.recorders for var, ids in r.recorded.items() if var.name != "spikes")


class Recorder(recording.Recorder):
    _simulator = simulator

    def record(self, variables, ids, sampling_interval=None, locations=None):
        if sampling_interval is not None:
            raise NotImplementedError("The MADC samples at a fixed 34 ns; sampling_interval cannot be set.")
        super().record(variables, ids, sampling_interval, locations)

    def _record(self, variable, new_ids, sampling_interval=None):
        if variable.name in ("spikes", "v"):
            if variable.name == "v" and _analog_recordings(self._simulator.state) > 1:
                self.recorded[variable] -= set(new_ids)
                raise ValueError(MADC_LIMIT_MESSAGE)
            return
        self.recorded[variable] -= set(new_ids)
        raise NotImplementedError(f"Recording {variable.name!r} is not emulated; record 'v' or 'spikes'.")

    def _results(self):
        results = self._simulator.state.results
        if results is None:
            raise RuntimeError("Nothing has been run yet: call pynn.run() before get_data().")
        return results

    def _get_spiketimes(self, ids, clear=False):
        # (ids, times) arrays let PyNN build one SpikeTrainList at once instead of a train per neuron.
        spikes = self._results().spikes
        ids = [int(i) for i in ids]
        times = [spikes.get(i, np.zeros(0)) for i in ids]
        id_array = np.repeat(np.array(ids, dtype=int), [len(t) for t in times])
        return id_array, np.concatenate([np.zeros(0), *times])

    def _get_all_signals(self, variable, ids, clear=False):
        # The MADC records one neuron, so there is one time axis; PyNN then builds one signal.
        traces = self._results().traces
        if not ids:
            return np.zeros((0, 0)), np.zeros(0)
        ((times, values),) = (traces[int(i)] for i in ids)
        return values[:, None], times

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
        spikes = self._results().spikes
        return {int(i): len(spikes.get(int(i), ())) for i in self.filter_recorded(variable, filter_ids)}

    def _clear_simulator(self):
        pass

    def _reset(self):
        pass
