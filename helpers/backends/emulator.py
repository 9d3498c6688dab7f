"""Run a job on the local emulator, the way the queue runs it on the chip."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bss2_emulator import __version__ as emulator_version
from bss2_emulator.config import chip_seed
from bss2_emulator.job_process import run_script

from ..cache import provenance
from ..jobs import Job, JobFailed, JobRecord, output_files

#: An emulated experiment of the tutorial takes about a second; this is a generous bound.
TIMEOUT_S = 600


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run(job: Job, workdir: Path) -> dict:
    """Run the job's script in the emulator; its output files are left in ``workdir``."""
    job_id = f"emu-{uuid.uuid4().hex[:10]}"
    submitted = now()
    with tempfile.TemporaryDirectory(prefix="bss2-script-") as scratch:
        copy = Path(scratch) / job.script.name
        shutil.copyfile(job.script, copy)
        process = run_script(copy, workdir, timeout=TIMEOUT_S)
    log = process.stdout + process.stderr
    if process.returncode != 0:
        raise JobFailed(job_id, "error", log)
    record = JobRecord(
        job_id=job_id,
        backend="emulator",
        software_version=f"{job.config.get('SOFTWARE_VERSION', 'stable')} (emulator {emulator_version})",
        submitted_at=submitted,
        completed_at=now(),
        log=log,
        files=output_files(workdir),
        extra={"emulator_seed": chip_seed()},
    )
    return provenance.build(job, record, workdir)
