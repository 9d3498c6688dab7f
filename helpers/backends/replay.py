"""Replay a recorded result from the results cache: no network, no emulator, the job's files as it wrote them."""

from __future__ import annotations

from pathlib import Path

from ..cache.store import ResultsCache
from ..jobs import Job


def run(job: Job, workdir: Path, cache: ResultsCache | None = None) -> dict:
    """Copy the cached files of ``job`` into ``workdir``; return their recorded provenance."""
    cache = cache or ResultsCache()
    entry = cache.lookup(job.script.name, job.script.read_bytes(), job.config)
    return cache.restore(entry, workdir)
