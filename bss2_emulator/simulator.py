"""Global state of the emulated chip, as PyNN backends keep it (compare ``pyNN/mock/simulator.py``)."""

from __future__ import annotations

from pyNN import common

from .chip.model import N_NEURONS
from .missing import OUT_OF_SCOPE, missing_name
from .network import run as network_run

name = "BrainScaleS-2 emulator (bss2_emulator)"


class ID(int, common.IDMixin):
    def __init__(self, n: int) -> None:
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """Time, populations, projections, the scheduled snippets and the results of the last run."""

    def __init__(self) -> None:
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.record_sample_times = True  # membrane traces become IrregularlySampledSignals
        self.dt = 3.4e-5
        self.min_delay = 0.0
        self.max_delay = 0.0
        self.configure()
        self.clear()

    def __getattr__(self, name: str):
        """Attributes of the real library's state that belong to the chip's low-level software get a clear error."""
        if name in OUT_OF_SCOPE:
            raise missing_name("pynn_brainscales.brainscales2.simulator.state", name)
        raise AttributeError(f"'State' object has no attribute {name!r}")

    def configure(self, placement=None, enable_neuron_bypass: bool = False, initial_config=None) -> None:
        """The chip-wide settings of ``setup()``."""
        self.placement = list(range(N_NEURONS)) if placement is None else [int(i) for i in placement]
        self.enable_neuron_bypass = enable_neuron_bypass
        self.initial_config = initial_config

    def run(self, simtime: float) -> None:
        self.run_until(self.t + simtime)

    def run_until(self, tstop: float) -> None:
        self.append(tstop - self.t)
        self.execute()

    def append(self, runtime: float) -> None:
        """Schedule the network as it stands now for ``runtime`` ms (``RunCommand.APPEND``)."""
        self._refuse_second_run()
        t0 = sum(self.runtimes)
        self.snippets.append(network_run.compile_snippet(self, runtime, t0))
        self.runtimes.append(runtime)

    def execute(self) -> None:
        """Run every scheduled snippet as one experiment (``RunCommand.EXECUTE``)."""
        self._refuse_second_run()
        self.results = network_run.execute([s for s in self.snippets if s is not None], self.runs, self.runtimes)
        self.runs += 1
        self.t = sum(self.runtimes)
        self.running = True
        self.snippets, self.runtimes = [], []

    def _refuse_second_run(self) -> None:
        if self.running:
            raise RuntimeError(
                "run() was called again without reset(): on BrainScaleS-2 every run starts a new "
                "experiment. Call pynn.reset() between runs."
            )

    def clear(self) -> None:
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.id_counter = 0
        self.chip_neurons_used = 0
        self.madc_sites: dict[int, str] = {}  # cell id -> the variable its MADC channel reads
        self.runs = 0  # counts runs since setup(): seeds the trial-to-trial noise
        self.segment_counter = -1
        self.results = None
        self.reset()

    def reset(self) -> None:
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.snippets, self.runtimes = [], []
        self.segment_counter += 1


state = State()
