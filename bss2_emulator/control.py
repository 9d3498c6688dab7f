"""setup, run, reset and end (compare ``pyNN/mock/control.py``), with the keywords and run commands of
``pynn_brainscales``."""

from __future__ import annotations

from enum import Enum, auto

from pyNN import common
from pyNN.recording import get_io

from . import simulator
from .chip.calibration import Chip
from .chip.model import N_NEURONS
from .network import run as network_run

DEFAULT_TIMESTEP = 3.4e-5  # ms: the average time between two MADC samples
#: setup() keywords that write hardware configuration directly, which the emulator does not model.
HARDWARE_INJECTION = ("injected_config", "injected_readout", "injected_calib_target", "injected_calib_options")
#: setup() keywords with nothing to do on the emulator (no hardware connection, no calibration cache).
NO_EFFECT = ("connection", "calibration_cache", "backgroundPermutation", "max_delay")


class RunCommand(Enum):
    """What ``pynn.run()`` does: prepare only, schedule a snippet, or run what is scheduled."""

    PREPARE = auto()
    APPEND = auto()
    EXECUTE = auto()


def _placement(permutation) -> list[int]:
    chosen = [int(i) for i in permutation]
    if len(set(chosen)) != len(chosen) or not all(0 <= i < N_NEURONS for i in chosen):
        raise ValueError(f"neuronPermutation must list distinct chip neurons from 0 to {N_NEURONS - 1}: got {chosen}.")
    return chosen


def setup(timestep: float = DEFAULT_TIMESTEP, min_delay=0, **extra_params) -> int:
    """Prepare a new experiment. As on hardware, an unknown keyword is a ``KeyError``."""
    for name in HARDWARE_INJECTION:
        if extra_params.pop(name, None) is not None:
            raise NotImplementedError(
                f"setup({name}=...) writes hardware configuration directly, which the emulator does not model. "
                "Leave it out to run on the emulator, or run the script on the chip."
            )
    for name in NO_EFFECT:
        extra_params.pop(name, None)
    permutation = extra_params.pop("neuronPermutation", None)
    bypass = bool(extra_params.pop("enable_neuron_bypass", False))
    initial_config = extra_params.pop("initial_config", None)
    if extra_params:
        raise KeyError(f"unhandled extra_params in call to pynn.setup(...):{extra_params}")
    if initial_config is not None and not isinstance(initial_config, Chip):
        raise TypeError(
            f"initial_config is a {type(initial_config).__name__}; the emulator takes the chip configurations of "
            "pynn.helper.chip_from_nightly() or chip_from_file()."
        )
    common.setup(timestep, "auto")
    simulator.state.clear()
    simulator.state.dt = timestep
    simulator.state.configure(None if permutation is None else _placement(permutation), bypass, initial_config)
    return 0


def end() -> None:
    """Write what ``record(..., to_file=...)`` asked for, then drop the experiment's state."""
    for population, variables, filename in getattr(simulator.state, "write_on_end", []):
        population.write_data(get_io(filename), variables)
    simulator.state.write_on_end = []
    simulator.state.clear()


def run(runtime: float | None, command: RunCommand = RunCommand.EXECUTE) -> float:
    """Run for ``runtime`` ms, or, with ``command``, only prepare, schedule a snippet, or execute the schedule."""
    state = simulator.state
    if command == RunCommand.PREPARE:
        network_run.compile_snippet(state, 0.0)  # places the network and runs the calibrations
    elif command == RunCommand.APPEND:
        if runtime is None:
            raise ValueError("Appending a configuration that is executed for no time is forbidden.")
        state.append(runtime)
    elif command == RunCommand.EXECUTE:
        if runtime is not None:
            state.append(runtime)
        elif not state.runtimes:
            raise ValueError(
                "No experiment scheduled for execution yet.\n"
                "To schedule an execution of the currently defined network configuration use "
                "`command=pyNN.RunCommand.APPEND`.\n"
                "To only perform map and route operations on the current network configuration use "
                "`command=pyNN.RunCommand.PREPARE`"
            )
        state.execute()
    else:
        raise ValueError("Passed command is invalid.")
    return state.t


_, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = common.build_state_queries(
    simulator
)
