"""setup, run, reset and end (compare ``pyNN/mock/control.py``)."""

from __future__ import annotations

from pyNN import common

from . import simulator

DEFAULT_TIMESTEP = 3.4e-5  # ms: the average time between two MADC samples


def setup(timestep: float = DEFAULT_TIMESTEP, **extra_params) -> int:
    """Prepare a new experiment; as on hardware, unknown keyword arguments are an error."""
    if extra_params:
        raise KeyError(f"setup() got unsupported arguments {sorted(extra_params)}; it only takes timestep.")
    common.setup(timestep, "auto")
    simulator.state.clear()
    simulator.state.dt = timestep
    return 0


def end() -> None:
    """Drop the experiment's state."""
    simulator.state.clear()


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = common.build_state_queries(
    simulator
)
