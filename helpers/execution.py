"""``execute_on_hardware``: run an experiment script and bring its output files home.

The backend is chosen by ``BSS2_BACKEND``:

- ``replay``: copy the recorded result from the committed cache (no network);
- ``emulator``: run the script on the local emulator;
- ``nmpi``: submit it to the EBRAINS job queue, to run on the chip;
- ``auto`` (default): replay if cached, else ``nmpi`` if a token is available, else the emulator.

Files land in ``<output dir>/job_<id>/``, with a ``provenance.json`` beside them.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from . import atomic, provenance
from .ebrains import token_available
from .jobs import JobRecord, output_files
from .kernel import software_version
from .results_cache import Entry, ResultsCache, provenance_record, sha256

BACKENDS = ("auto", "replay", "emulator", "nmpi")


def output_dir() -> Path:
    """Where job folders go: ``BSS2_OUTPUT_DIR``, or the home directory as in the original tutorial."""
    return Path(os.environ.get("BSS2_OUTPUT_DIR") or Path.home()).expanduser()


def backend_name(requested: str | None = None) -> str:
    name = (requested or os.environ.get("BSS2_BACKEND") or "auto").lower()
    if name not in BACKENDS:
        raise ValueError(f"Unknown backend {name!r}: BSS2_BACKEND must be one of {', '.join(BACKENDS)}.")
    return name


def _find_script(script_name: str | os.PathLike) -> Path:
    script = Path(script_name).expanduser()
    if not script.is_file():
        raise FileNotFoundError(
            f"Experiment script {str(script)!r} not found (looked in {Path.cwd()}). "
            "Run the %%file cell that writes it first."
        )
    return script


def run_live(name: str, script: Path, config: dict, out: Path) -> tuple[JobRecord, Path]:
    """Run ``script`` on a live backend; publish its files and provenance in ``out/job_<id>/``."""
    if name == "emulator":
        from .backends import emulator as backend
    else:
        from .backends import nmpi as backend
    with atomic.staging_area(out) as staging:
        record = backend.run(script, config, staging)
        files = {f: sha256((staging / f).read_bytes()) for f in record.files}
        provenance.write(staging, provenance_record(script.name, script.read_bytes(), config, record, files))
        job_dir = out / f"job_{record.job_id}"
        atomic.publish(staging, job_dir)
    return record, job_dir


def _replay(entry: Entry, out: Path) -> Path:
    job_dir = out / f"job_{entry.provenance['job_id']}"
    with atomic.staged_directory(job_dir) as staging:
        shutil.copytree(entry.files_dir, staging, dirs_exist_ok=True)
        provenance.write(staging, entry.provenance)
    return job_dir


def describe(record: dict) -> str:
    """One line saying where a result came from."""
    if record["emulated"]:
        where = (
            "EMULATED (local emulator)" if record["backend"] == "emulator" else "EMULATED (queue reports an emulator)"
        )
    else:
        where = "BrainScaleS-2 hardware"
    return f"{where}, job {record['job_id']}, software {record['software_version']}, {record['completed_at']}"


def execute_on_hardware(script_name: str, backend: str | None = None, destination: str | Path | None = None) -> str:
    """Run ``script_name`` on the backend from ``BSS2_BACKEND`` and download its files; return the job id.

    The files land in ``<destination or output dir>/job_<id>/``. Errors name the problem and the fix:
    a missing script, a failed job (with its log), a result missing from the cache.
    """
    script = _find_script(script_name)
    out = Path(destination).expanduser() if destination else output_dir()
    config = {"SOFTWARE_VERSION": software_version()}
    name = backend_name(backend)
    cache = ResultsCache()
    text = script.read_bytes()
    started = time.monotonic()

    if name in ("auto", "replay"):
        try:
            entry = cache.lookup(script.name, text, config)
        except LookupError:
            if name == "replay":
                raise
            entry = None
        if entry is not None:
            job_dir = _replay(entry, out)
            print(f"Replayed from the results cache: {describe(entry.provenance)}")
            print("All files:", [f for f in output_files(job_dir) if f != provenance.PROVENANCE_FILE])
            return str(entry.provenance["job_id"])
        if token_available():
            name = "nmpi"
        else:
            name = "emulator"
            print("No cached result and no EBRAINS token: running on the local emulator (results are EMULATED).")

    record, job_dir = run_live(name, script, config, out)
    if os.environ.get("BSS2_RECORD") == "1":
        cache.store(script.name, text, config, record, job_dir)
        print(f"Recorded in the results cache ({cache.root.name}/).")
    print(f"{record.job_id} time used: {time.monotonic() - started:.1f} s  [{describe(provenance.load(job_dir))}]")
    print("All files:", record.files)
    return record.job_id
