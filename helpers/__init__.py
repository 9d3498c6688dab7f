"""What the tutorial notebook imports: collab lookup, quota and kernel checks, job execution, plotting.

The package is laid out along the data path of a job:

    execution (execute_on_hardware) -> backends/ (replay | emulator | nmpi) -> cache/ (job folder,
    provenance, results store) -> plotting (figure and provenance box) -> the page

``emulator/`` is the PyNN backend the ``emulator`` backend runs scripts on.
Names are imported lazily, so that ``python -m helpers`` and the emulator's
job processes do not pay for matplotlib or the EBRAINS clients they do not use.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "execute_on_hardware": "execution",
    "fetch_job": "execution",
    "output_dir": "execution",
    "plot_membrane_dynamics": "plotting",
    "plot_spike_raster": "plotting",
    "compare_spreads": "plotting",
    "show_provenance": "plotting",
    "check_kernel": "kernel",
    "software_version": "kernel",
    "in_ebrains_lab": "kernel",
    "find_collab": "collab",
    "check_quota": "collab",
}

__all__ = sorted(_EXPORTS)

import_module(".kernel", __name__).show_errors_briefly()


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
