"""Where a job runs: the results cache (``replay``), the local ``emulator``, or the EBRAINS queue (``nmpi``).

Each backend is a module with one function,

    run(job: Job, workdir: Path) -> dict

which leaves the job's output files in ``workdir`` and returns their provenance
record (``helpers.cache.provenance``). Publishing the folder is the caller's job.
The queue backend instead takes the publishing step (``nmpi.run_and_publish``):
its journal entry, which lets a cut-short run resume its job, must outlive the
download until the folder is published.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

NAMES = ("replay", "emulator", "nmpi")


def load(name: str) -> ModuleType:
    """The backend module called ``name``."""
    if name not in NAMES:
        raise ValueError(f"Unknown backend {name!r}: choose one of {', '.join(NAMES)}.")
    return import_module(f"{__name__}.{name}")
