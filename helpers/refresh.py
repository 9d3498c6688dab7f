"""Re-record every experiment of the tutorial in the results cache.

The experiment scripts are taken from the tutorial notebook's ``%%file`` cells,
so the cache always matches what the notebook writes. All experiments are
submitted at once and awaited together; only when every job has succeeded are
the old entries of those scripts removed.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext

from .execution import run_live
from .kernel import software_version
from .results_cache import ResultsCache

NOTEBOOK = Path(__file__).resolve().parent.parent / "tutorials" / "queue_runner.md"


def experiment_scripts(notebook: Path = NOTEBOOK) -> dict[str, str]:
    """The ``%%file`` cells of the notebook: file name -> script text, as the magic writes them."""
    scripts = {}
    for cell in jupytext.read(notebook).cells:
        first, _, body = cell.source.partition("\n")
        if cell.cell_type == "code" and first.startswith("%%file"):
            scripts[Path(first.split(maxsplit=1)[1]).name] = body + "\n"
    return scripts


def refresh(backend: str | None = None, notebook: Path = NOTEBOOK, cache: ResultsCache | None = None) -> list[str]:
    """Run every experiment on ``backend`` concurrently and store the results; return the job ids."""
    backend = backend or os.environ.get("BSS2_BACKEND") or "emulator"
    if backend not in ("emulator", "nmpi"):
        raise ValueError(f"Refreshing needs a live backend (emulator or nmpi), not {backend!r}.")
    cache = cache or ResultsCache()
    config = {"SOFTWARE_VERSION": software_version()}
    scripts = experiment_scripts(notebook)
    with tempfile.TemporaryDirectory(prefix="bss2-refresh-") as work:
        work_dir = Path(work)
        for name, text in scripts.items():
            (work_dir / name).write_text(text)

        def one(name: str):
            record, job_dir = run_live(backend, work_dir / name, config, work_dir / "jobs")
            print(f"{name}: job {record.job_id} finished")
            return name, record, job_dir

        with ThreadPoolExecutor(max_workers=len(scripts)) as pool:
            finished = list(pool.map(one, scripts))
        for name, record, job_dir in finished:
            entry = cache.store(name, scripts[name].encode(), config, record, job_dir)
            cache.prune(name, keep=entry.path)
    print(f"Recorded {len(finished)} results from the {backend} in {cache.root}")
    return [record.job_id for _, record, _ in finished]
