"""``execute_on_hardware``: run an experiment script on a backend and bring its output files home.

The data path is one straight line:

    script -> backend (replay | emulator | nmpi) -> <output dir>/job_<id>/ (files + provenance.json)

``BSS2_BACKEND`` chooses the backend; ``auto`` (the default) sends the job to
the queue, to run on the chip, when an EBRAINS token is available (in the Lab,
always), and runs it on the local emulator when not. Recorded results are
replayed only when asked for (``replay``), as the site's build does.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable
from pathlib import Path

from . import backends, settings
from .backends.nmpi.clients import token_available
from .cache import atomic, provenance
from .cache.refresh import refresh
from .cache.store import ResultsCache, cache_key
from .collab import find_collab
from .errors import OutputDirError, ScriptNotFound, SettingError
from .experiments import experiment_scripts
from .jobs import LOG_TAIL_LINES, Job, output_files
from .kernel import in_ebrains_lab, software_version
from .plain_text import CUT_MARK


def output_dir() -> Path:
    """Where job folders go: ``BSS2_OUTPUT_DIR``; else, in the Lab, the home directory as in the original
    tutorial, and elsewhere a ``jobs/`` folder in the working directory."""
    configured = settings.current().output_dir
    if configured:
        return configured.expanduser()
    return Path.home() if in_ebrains_lab() else Path.cwd() / "jobs"


def _writable(folder: Path) -> Path:
    """``folder``, created if needed; an error that says what is wrong if results cannot be written there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputDirError(f"The output folder {folder} is a file: choose a folder for the job results.") from None
    except OSError as error:
        raise OutputDirError(
            f"The output folder {folder} cannot be created ({error.strerror}): choose a folder you can write to."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputDirError(f"The output folder {folder} is not writable: choose a folder you can write to.")
    return folder


def _find_script(script_name: str | os.PathLike) -> Path:
    script = Path(script_name).expanduser()
    if not script.is_file():
        raise ScriptNotFound(
            f"Experiment script {str(script)!r} not found (looked in {Path.cwd()}). "
            "Run the %%file cell that writes it first."
        )
    return script


def _publish(out: Path, produce: Callable[[Path], dict]) -> tuple[dict, Path]:
    """Let ``produce`` fill a staging folder in ``out`` and return its record; publish it as ``job_<id>/``."""
    with atomic.staging_area(_writable(out)) as staging:
        record = provenance.validate(produce(staging))  # the job id is checked before it names a folder
        provenance.write(staging, record)
        job_dir = out / f"job_{record['job_id']}"
        atomic.publish(staging, job_dir)
    return record, job_dir


def run(name: str, job: Job, out: Path) -> tuple[dict, Path]:
    """Run ``job`` on the backend ``name``; publish its files and provenance as ``out/job_<id>/``."""
    collab = job.collab or (find_collab().slug if name == "nmpi" else None)
    job = dataclasses.replace(job, collab=collab, output_dir=out)
    if name == "nmpi":  # its journal entry must outlive the download until the folder is published
        from .backends import nmpi

        return nmpi.run_and_publish(job, functools.partial(_publish, out))
    return _publish(out, lambda staging: backends.load(name).run(job, staging))


def _signing_key_for(backend: str) -> Path | None:
    """The key that will sign hardware results before they are stored; refused before anything is submitted."""
    key = settings.current().signing_key
    if backend == "nmpi" and key is None:
        raise SettingError(
            "Hardware results are stored in results/ only signed, so that no one can pass off a result as the "
            "chip's: set BSS2_SIGNING_KEY to your SSH key (e.g. ~/.ssh/id_ed25519), whose public key is listed in "
            "allowed_signers. Nothing was submitted."
        )
    return key.expanduser() if key else None


def show_output(record: dict) -> None:
    """Print what the job printed (its script's output and the chip software's or emulator's warnings), as the
    chip's job log holds it: the last lines, as plain text, as its provenance keeps them."""
    lines = str(record.get("log_excerpt") or "").splitlines()
    if lines:
        more = len(lines) >= LOG_TAIL_LINES or lines[0].startswith(CUT_MARK)
        print("Job output (its end; the job log holds the rest):" if more else "Job output:")
        for line in lines:
            print(f"  {line}")


def fetch_job(job_id: str | int, destination: str | Path | None = None) -> str:
    """Wait for the queue job ``job_id`` and download its files into ``<destination or output dir>/job_<id>/``.

    For a job whose run was interrupted, timed out or lost its download; nothing is submitted.
    """
    from .backends import nmpi

    out = Path(destination).expanduser() if destination else output_dir()
    record, job_dir = nmpi.fetch_and_publish(str(job_id), out, functools.partial(_publish, out))
    show_output(record)
    print(f"Fetched job {record['job_id']} [{provenance.label(record).line}]")
    print("All files:", [f for f in output_files(job_dir) if f != provenance.PROVENANCE_FILE])
    return str(record["job_id"])


def execute_on_hardware(script_name: str, backend: str | None = None, destination: str | Path | None = None) -> str:
    """Run ``script_name`` on the backend from ``BSS2_BACKEND`` and download its files; return the job id.

    The files land in ``<destination or output dir>/job_<id>/``. Errors name the problem and the fix:
    a missing script, a failed job (with its log), a result missing from the cache.
    """
    config = settings.current()
    name = settings.parse("backend", backend, given_as="backend") if backend else config.backend
    script = _find_script(script_name)
    out = Path(destination).expanduser() if destination else output_dir()
    job = Job(script, {"SOFTWARE_VERSION": software_version()})
    started = time.monotonic()

    if name == "auto":
        name = "nmpi" if token_available() else "emulator"
        if name == "emulator":
            print("No EBRAINS token: running on the local emulator (results are EMULATED).")
    signing_key = _signing_key_for(name) if config.record else None

    record, job_dir = run(name, job, out)
    show_output(record)
    label = provenance.label(record)
    if name == "replay":
        print(f"Replayed from the results cache: {label.line}")
    else:
        if config.record:
            ResultsCache().store(script.name, script.read_bytes(), job.config, job_dir, signing_key)
            print("Recorded in the results cache (results/).")
        print(f"{record['job_id']} time used: {time.monotonic() - started:.1f} s  [{label.line}]")
    print("All files:", [f for f in output_files(job_dir) if f != provenance.PROVENANCE_FILE])
    return str(record["job_id"])


def refresh_results(backend: str | None = None, cache: ResultsCache | None = None, force: bool = False) -> list[str]:
    """Re-record on ``backend`` (emulator or nmpi) every experiment of the tutorials whose entry changed, or every
    one with ``force``; return the job ids.

    An entry is kept when its script and configuration are unchanged and it is a hardware result, or, on the
    emulator, an emulated one of the same emulator. Emulated runs get a trial seed from their entry's key, so
    that a forced refresh with nothing changed records the same data again.
    """
    configured = settings.current().backend
    backend = backend or (configured if configured != "auto" else "emulator")
    if backend not in ("emulator", "nmpi"):
        raise SettingError(f"Refreshing needs a live backend (emulator or nmpi), not {backend!r}.")
    config = {"SOFTWARE_VERSION": software_version()}
    signing_key = _signing_key_for(backend)

    from .backends.emulator import emulator_digest  # the emulator is not in the Lab edition's helpers

    digest = emulator_digest()

    def up_to_date(record: dict) -> bool:
        if not provenance.is_emulated(record):
            return True  # a chip result is replaced only when forced
        return backend == "emulator" and record.get("backend") == "emulator" and record.get("emulator_digest") == digest

    def run_one(script: Path, out: Path) -> Path:
        seed = int(cache_key(script.read_bytes(), config)[:8], 16) if backend == "emulator" else None
        record, job_dir = run(backend, Job(script, config, trial_seed=seed), out)
        print(f"{script.name}: job {record['job_id']} finished")
        return job_dir

    scripts = experiment_scripts()
    return refresh(scripts, config, run_one, cache or ResultsCache(), signing_key, None if force else up_to_date)
