"""Re-record every experiment of a tutorial in the results cache.

All experiments are run at once and awaited together. Only when every job has
succeeded are the new entries stored and the old entries of those scripts
removed, so a failed refresh leaves the cache exactly as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .store import ResultsCache

#: Runs one script and returns its published job folder: ``run(script, output_dir) -> job_dir``.
RunJob = Callable[[Path, Path], Path]


def refresh(scripts: dict[str, str], config: dict, run: RunJob, cache: ResultsCache) -> list[str]:
    """Run every script with ``run`` concurrently and store the results in ``cache``; return the job ids."""
    with tempfile.TemporaryDirectory(prefix="bss2-refresh-") as work:
        work_dir = Path(work)
        for name, text in scripts.items():
            (work_dir / name).write_text(text)
        with ThreadPoolExecutor(max_workers=len(scripts)) as pool:
            job_dirs = list(pool.map(lambda name: run(work_dir / name, work_dir / "jobs"), scripts))
        for name, job_dir in zip(scripts, job_dirs, strict=True):
            entry = cache.store(name, scripts[name].encode(), config, job_dir)
            cache.prune(name, keep=entry.path)
    print(f"Recorded {len(job_dirs)} results in {cache.root}")
    return [job_dir.name.removeprefix("job_") for job_dir in job_dirs]
