"""Global state of the emulated chip, as PyNN backends keep it (compare ``pyNN/mock/simulator.py``)."""

from __future__ import annotations

from pyNN import common

from . import network_run

name = "BrainScaleS-2 emulator (helpers.emulator)"


class ID(int, common.IDMixin):
    def __init__(self, n: int) -> None:
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """Time, populations, projections and the results of the last run."""

    def __init__(self) -> None:
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.record_sample_times = True  # membrane traces become IrregularlySampledSignals
        self.dt = 3.4e-5
        self.min_delay = 0.0
        self.max_delay = 0.0
        self.clear()

    def run(self, simtime: float) -> None:
        self.run_until(self.t + simtime)

    def run_until(self, tstop: float) -> None:
        if self.running:
            raise RuntimeError(
                "run() was called again without reset(): on BrainScaleS-2 every run starts a new "
                "experiment. Call pynn.reset() between runs."
            )
        self.results = network_run.run(self, tstop)
        self.runs += 1
        self.t = tstop
        self.running = True

    def clear(self) -> None:
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.id_counter = 0
        self.chip_neurons_used = 0
        self.runs = 0  # counts runs since setup(): seeds the trial-to-trial noise
        self.segment_counter = -1
        self.results = None
        self.reset()

    def reset(self) -> None:
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.segment_counter += 1


state = State()
