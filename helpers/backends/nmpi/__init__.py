"""Run a job on BrainScaleS-2 through the EBRAINS job queue, with the real ``nmpi`` client.

The queue client is this sub-package:

- ``clients``: the token and the ``nmpi`` / ``ebrains_drive`` clients;
- ``faults``: which failures mean a bad token, a passing fault or an unknown outcome;
- ``retry``: time-outs per call, retries with backoff, a deadline;
- ``progress``: the waiting job's status line;
- ``download``: safe downloads of the output files.

Unlike ``submit_job(wait=True)``, the wait here is bounded (``BSS2_JOB_TIMEOUT``),
shows progress, survives transient faults, ends on ``removed``, and turns
``error`` into an exception carrying the job's log. Files are fetched by the
safe downloader, never by ``download_data``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from ... import settings
from ...cache import provenance
from ...errors import BSS2Error
from ...jobs import Job, JobFailed, JobRecord
from .clients import job_client
from .download import download_outputs
from .progress import Progress
from .retry import with_retries

#: Polling starts fast, for short jobs, and slows down by POLL_GROWTH per poll to at most
#: BSS2_POLL_INTERVAL seconds, to spare the queue during long ones.
FIRST_POLL = 0.1
POLL_GROWTH = 1.5


class JobRemoved(BSS2Error, RuntimeError):
    """The queue removed the job before it ran."""


class JobTimeout(BSS2Error, TimeoutError):
    """The job did not finish within ``BSS2_JOB_TIMEOUT``."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def wait_for(client, job_id: str, deadline: float) -> dict:
    """Poll until the job is finished, error or removed; return it with its log."""
    progress = Progress(job_id)
    longest = settings.current().poll_interval
    interval = min(FIRST_POLL, longest)
    while True:
        status = with_retries(lambda: client.job_status(job_id), deadline, f"waiting for job {job_id}")
        progress.update(status)
        if status in ("finished", "error", "removed"):
            progress.done(status)
            break
        if time.monotonic() + interval > deadline:
            raise JobTimeout(
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


def run(job: Job, workdir: Path) -> dict:
    """Submit the job's script to the queue, wait for it, and download its files into ``workdir``."""
    import nmpi

    if not job.collab:
        raise ValueError("A queue job needs the collab that pays for it.")
    deadline = time.monotonic() + settings.current().job_timeout
    client = job_client()
    submitted = _now()

    def submit() -> str:
        return client.submit_job(
            source=str(job.script),
            platform=nmpi.BRAINSCALES2,
            collab_id=job.collab,
            config=job.config,
            command="run.py",
        )

    uri = with_retries(submit, deadline, f"the submission of {job.script.name}", idempotent=False)
    job_id = str(uri).rstrip("/").rsplit("/", 1)[-1]
    finished = wait_for(client, job_id, deadline)
    files = download_outputs(finished, workdir)
    record = JobRecord(
        job_id=job_id,
        backend="nmpi",
        software_version=str(job.config.get("SOFTWARE_VERSION", "stable")),
        submitted_at=finished.get("timestamp_submission") or submitted,
        completed_at=finished.get("timestamp_completion") or _now(),
        log=finished.get("log") or "",
        files=files,
        extra={"hardware_provenance": finished.get("provenance"), "resource_usage": finished.get("resource_usage")},
    )
    return provenance.build(job, record, workdir)
