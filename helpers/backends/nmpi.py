"""Run a job on BrainScaleS-2 through the EBRAINS job queue, with the real ``nmpi`` client.

Unlike ``submit_job(wait=True)``, the wait here is bounded (``BSS2_JOB_TIMEOUT``),
shows progress, survives transient faults, ends on ``removed``, and turns
``error`` into an exception carrying the job's log. Files are fetched by the
safe downloader, never by ``download_data``.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from .. import ebrains
from ..collab import find_collab
from ..download import download_outputs
from ..jobs import JobFailed, JobRecord
from ..progress import Progress
from ..retry import with_retries

DEFAULT_JOB_TIMEOUT = 3600.0
#: Polling starts fast, for short jobs, and slows down by POLL_GROWTH per poll to at most
#: BSS2_POLL_INTERVAL seconds, to spare the queue during long ones.
FIRST_POLL = 0.1
POLL_GROWTH = 1.5
DEFAULT_POLL_INTERVAL = 2.0


class JobRemoved(RuntimeError):
    """The queue removed the job before it ran."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def wait_for(client, job_id: str, deadline: float) -> dict:
    """Poll until the job is finished, error or removed; return it with its log."""
    progress = Progress(job_id)
    longest = float(os.environ.get("BSS2_POLL_INTERVAL", DEFAULT_POLL_INTERVAL))
    interval = min(FIRST_POLL, longest)
    while True:
        status = with_retries(lambda: client.job_status(job_id), deadline, f"waiting for job {job_id}")
        progress.update(status)
        if status in ("finished", "error", "removed"):
            progress.done(status)
            break
        if time.monotonic() + interval > deadline:
            raise TimeoutError(
                f"Job {job_id} is still '{status}' after the BSS2_JOB_TIMEOUT limit; it keeps running in the queue. "
                "Raise BSS2_JOB_TIMEOUT, or fetch it later with the job id."
            )
        time.sleep(interval)
        interval = min(interval * POLL_GROWTH, longest)
    if status == "removed":
        raise JobRemoved(f"Job {job_id} was removed from the queue before it finished; submit it again.")
    job = with_retries(lambda: client.get_job(job_id, with_log=True), deadline, f"fetching job {job_id}")
    if status == "error":
        raise JobFailed(job_id, "error", job.get("log") or "")
    return job


def run(script: Path, config: dict, workdir: Path) -> JobRecord:
    """Submit ``script`` to the queue, wait for it, and download its files into ``workdir``."""
    import nmpi

    deadline = time.monotonic() + float(os.environ.get("BSS2_JOB_TIMEOUT", DEFAULT_JOB_TIMEOUT))
    client = ebrains.job_client()
    collab = find_collab().slug
    submitted = _now()

    def submit() -> str:
        return client.submit_job(
            source=str(script), platform=nmpi.BRAINSCALES2, collab_id=collab, config=config, command="run.py"
        )

    uri = with_retries(submit, deadline, f"the submission of {script.name}", idempotent=False)
    job_id = str(uri).rstrip("/").rsplit("/", 1)[-1]
    job = wait_for(client, job_id, deadline)
    files = download_outputs(job, workdir)
    return JobRecord(
        job_id=job_id,
        backend="nmpi",
        software_version=str(config.get("SOFTWARE_VERSION", "stable")),
        submitted_at=job.get("timestamp_submission") or submitted,
        completed_at=job.get("timestamp_completion") or _now(),
        log=job.get("log") or "",
        files=files,
        extra={"hardware_provenance": job.get("provenance"), "resource_usage": job.get("resource_usage")},
    )
