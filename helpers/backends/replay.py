"""Replay a recorded result from the results cache: no network, no emulator, the exact files of the job."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..cache.store import ResultsCache
from ..jobs import Job


def run(job: Job, workdir: Path, cache: ResultsCache | None = None) -> dict:
    """Copy the cached files of ``job`` into ``workdir``; return their recorded provenance."""
    entry = (cache or ResultsCache()).lookup(job.script.name, job.script.read_bytes(), job.config)
    shutil.copytree(entry.files_dir, workdir, dirs_exist_ok=True)
    return entry.provenance
