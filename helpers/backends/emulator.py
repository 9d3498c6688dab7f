"""Run a job on the local emulator, the way the queue runs it on the chip.

Its record names the emulator by version and by the digest of its sources (``emulator_digest``), and the
trial seed of its noise where one was fixed, so that a recorded result can be repeated and a refresh can
tell whether the emulator changed since.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bss2_emulator import __version__ as emulator_version
from bss2_emulator.config import chip_seed, trial_seed
from bss2_emulator.job_process import run_script
from bss2_emulator.paths import PACKAGE

from ..cache import provenance
from ..jobs import Job, JobFailed, JobRecord, output_files

#: An emulated experiment of the tutorial takes about a second; this is a generous bound.
TIMEOUT_S = 600


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@functools.cache
def emulator_digest() -> str:
    """The digest of the emulator's sources and data: it changes whenever what the emulator computes may."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def run(job: Job, workdir: Path) -> dict:
    """Run the job's script in the emulator; its output files are left in ``workdir``."""
    job_id = f"emu-{uuid.uuid4().hex[:10]}"
    submitted = now()
    with tempfile.TemporaryDirectory(prefix="bss2-script-") as scratch:
        copy = Path(scratch) / job.script.name
        shutil.copyfile(job.script, copy)
        process = run_script(copy, workdir, timeout=TIMEOUT_S, trial_seed=job.trial_seed)
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
        extra={
            "emulator_seed": chip_seed(),
            "emulator_trial_seed": job.trial_seed if job.trial_seed is not None else trial_seed(),
            "emulator_digest": emulator_digest(),
        },
    )
    return provenance.build(job, record, workdir)
