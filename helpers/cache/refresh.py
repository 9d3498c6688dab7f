"""Re-record every experiment of a tutorial in the results cache.

All experiments are run at once and awaited together. Each one that finishes
is stored at once, replacing the older entries of its script; one that fails
leaves its old entry exactly as it was. A refresh with failures ends in
``RefreshIncomplete``, which names what was stored and what failed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import BSS2Error
from .store import ResultsCache

#: Runs one script and returns its published job folder: ``run(script, output_dir) -> job_dir``.
RunJob = Callable[[Path, Path], Path]


class RefreshIncomplete(BSS2Error, RuntimeError):
    """Some experiments failed; the others were stored."""


def refresh(
    scripts: dict[str, str], config: dict, run: RunJob, cache: ResultsCache, signing_key: Path | None = None
) -> list[str]:
    """Run every script with ``run`` concurrently and store each result that finishes (hardware results signed
    with ``signing_key``); return the job ids."""
    stored, failed = {}, {}
    with tempfile.TemporaryDirectory(prefix="bss2-refresh-") as work:
        work_dir = Path(work)
        for name, text in scripts.items():
            (work_dir / name).write_text(text)

        def one(name: str) -> None:
            try:
                job_dir = run(work_dir / name, work_dir / "jobs")
                entry = cache.store(name, scripts[name].encode(), config, job_dir, signing_key)
            except Exception as error:
                failed[name] = error
                return
            cache.prune(name, keep=entry.path)
            stored[name] = job_dir.name.removeprefix("job_")

        with ThreadPoolExecutor(max_workers=len(scripts)) as pool:
            list(pool.map(one, scripts))
    print(f"Recorded {len(stored)} of {len(scripts)} results in {cache.root}")
    if failed:
        kept = f"Stored: {', '.join(sorted(stored))}. " if stored else "Nothing was stored. "
        reasons = "\n".join(f"- {name}: {error}" for name, error in sorted(failed.items()))
        raise RefreshIncomplete(
            f"{len(failed)} of {len(scripts)} experiments failed; their old results are kept. {kept}"
            f"Run the refresh again for the rest.\n{reasons}"
        ) from next(iter(failed.values()))
    return [stored[name] for name in scripts]
