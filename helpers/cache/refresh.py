"""Re-record the experiments of the tutorials in the results cache, those that changed.

An experiment whose entry is still ``up_to_date`` (same script, configuration
and, for emulated entries, emulator) is left as it is, so a refresh with nothing
changed changes no file. The others are run at once and awaited together. Each
one that finishes is stored at once, replacing the older entries of its script;
one that fails leaves its old entry exactly as it was. A refresh with failures
ends in ``RefreshIncomplete``, which names what was stored and what failed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import BSS2Error
from .store import CorruptCacheEntry, NotCached, ResultsCache

#: Runs one script and returns its published job folder: ``run(script, output_dir) -> job_dir``.
RunJob = Callable[[Path, Path], Path]


class RefreshIncomplete(BSS2Error, RuntimeError):
    """Some experiments failed; the others were stored."""


def _kept(cache: ResultsCache, scripts: dict[str, str], config: dict, up_to_date: Callable[[dict], bool]) -> dict:
    """The records of the entries that need no refresh, by script; a missing or corrupt entry needs one."""
    kept = {}
    for name, text in scripts.items():
        try:
            record = cache.lookup(name, text.encode(), config).provenance
        except (NotCached, CorruptCacheEntry):
            continue
        if up_to_date(record):
            kept[name] = record
    return kept


def refresh(
    scripts: dict[str, str],
    config: dict,
    run: RunJob,
    cache: ResultsCache,
    signing_key: Path | None = None,
    up_to_date: Callable[[dict], bool] | None = None,
) -> list[str]:
    """Run with ``run``, concurrently, every script whose entry is missing or not ``up_to_date`` (every script
    without it), and store each result that finishes (hardware results signed with ``signing_key``); return
    the job ids, of the entries kept as well."""
    kept = _kept(cache, scripts, config, up_to_date) if up_to_date else {}
    for name, record in kept.items():
        print(f"{name}: unchanged since job {record['job_id']}, kept")
    stale = [name for name in scripts if name not in kept]
    stored, failed = {}, {}
    with tempfile.TemporaryDirectory(prefix="bss2-refresh-") as work:
        work_dir = Path(work)
        for name in stale:
            (work_dir / name).write_text(scripts[name])

        def one(name: str) -> None:
            try:
                job_dir = run(work_dir / name, work_dir / "jobs")
                entry = cache.store(name, scripts[name].encode(), config, job_dir, signing_key)
            except Exception as error:
                failed[name] = error
                return
            cache.prune(name, keep=entry.path)
            stored[name] = job_dir.name.removeprefix("job_")

        with ThreadPoolExecutor(max_workers=max(len(stale), 1)) as pool:
            list(pool.map(one, stale))
    print(f"Recorded {len(stored)} of {len(scripts)} results in {cache.root}; {len(kept)} unchanged")
    if failed:
        done = f"Stored: {', '.join(sorted(stored))}. " if stored else "Nothing was stored. "
        reasons = "\n".join(f"- {name}: {error}" for name, error in sorted(failed.items()))
        raise RefreshIncomplete(
            f"{len(failed)} of {len(scripts)} experiments failed; their old results are kept. {done}"
            f"Run the refresh again for the rest.\n{reasons}"
        ) from next(iter(failed.values()))
    return [stored[name] if name in stored else kept[name]["job_id"] for name in scripts]
