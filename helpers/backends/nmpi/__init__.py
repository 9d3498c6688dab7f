"""Run a job on BrainScaleS-2 through the EBRAINS job queue, with the real ``nmpi`` client.

The queue client is this sub-package:

- ``clients``: the token and the ``nmpi`` / ``ebrains_drive`` clients, with their unsafe habits off;
- ``faults``: the errors a user sees, and which failures mean a bad token, a passing fault or a lost answer;
- ``retry``: a time-out per call, retries with backoff, a deadline;
- ``journal``: what was submitted, so that an interrupted run resumes its job;
- ``submission``: exactly one job per run, whatever the network does;
- ``progress``: the waiting job's status line;
- ``download``: safe, capped, deadline-bound downloads of the output files.

Every wait ends by ``BSS2_JOB_TIMEOUT``, downloads included. Unlike
``submit_job(wait=True)``, ``removed`` ends the wait and ``error`` raises with
the job's log. A job whose wait was cut short (Ctrl-C, the deadline, an expired
token, a failed download) keeps running in the queue and is resumed by
running the same cell or command again, or fetched with ``fetch(job_id)``.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ... import settings
from ...cache import provenance
from ...errors import BSS2Error
from ...jobs import Job, JobFailed, JobRecord
from ...plain_text import as_text, plain_text, shortened
from . import faults
from .clients import job_client
from .download import UnsafePath, download_outputs
from .journal import Entry, Journal
from .progress import Progress
from .retry import QueueError, QueueUnavailable, with_retries
from .submission import JOB_ID, AmbiguousSubmission, find_tagged, submit_once

#: Publishes a job folder: ``publish(produce)`` lets ``produce(staging)`` fill it and return its record.
Publish = Callable[[Callable[[Path], dict]], tuple[dict, Path]]

#: Polls come at a tenth of the time waited so far (finished jobs are noticed soon after they end,
#: and long jobs are polled gently), at least FIRST_POLL and at most BSS2_POLL_INTERVAL seconds apart.
FIRST_POLL = 0.05
POLL_FRACTION = 0.1


class JobRemoved(BSS2Error, RuntimeError):
    """The queue removed the job before it ran."""


class JobTimeout(BSS2Error, TimeoutError):
    """The job did not finish within ``BSS2_JOB_TIMEOUT``."""


class JobInterrupted(BSS2Error):
    """Waiting was interrupted (Ctrl-C); the job itself goes on in the queue."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _resume_hint(job_id: str) -> str:
    return (
        f"Job {job_id} keeps running in the queue. Run the same cell or command again to resume it "
        f"(nothing is submitted twice), or fetch it: python -m helpers fetch {job_id}"
    )


class ForeignJob(QueueError):
    """The queue answered with the record of a job of another collab or user than the one asked for."""


def _check_owner(job: dict, job_id: str, collab: str | None, user: str | None) -> None:
    found = {"collab": job.get("collab"), "user": job.get("user_id")}
    wanted = {"collab": collab, "user": user}
    wrong = [f"{k} {found[k]!r} instead of {wanted[k]!r}" for k in found if wanted[k] and found[k] != wanted[k]]
    if wrong:
        raise ForeignJob(
            f"The job queue answered for job {job_id} with the record of another job ({', '.join(wrong)}). "
            "Nothing was downloaded; report this to the platform support."
        )


def wait_for(client, job_id: str, deadline: float, collab: str | None = None) -> dict:
    """Poll until the job is finished, error or removed; return it with its log.

    With ``collab``, the job must be the user's own, in that collab; the record of another is refused."""
    progress = Progress(job_id)
    longest = settings.current().poll_interval
    started = time.monotonic()
    try:
        while True:
            answer = with_retries(lambda: client.job_status(job_id), deadline, f"waiting for job {job_id}")
            status = shortened(plain_text(answer), 40)
            progress.update(status)
            if status in ("finished", "error", "removed"):
                progress.done(status)
                break
            interval = min(max(FIRST_POLL, POLL_FRACTION * (time.monotonic() - started)), longest)
            if time.monotonic() + interval > deadline:
                raise JobTimeout(
                    f"Job {job_id} is still '{status}' at the BSS2_JOB_TIMEOUT limit "
                    f"({settings.current().job_timeout:g} s). {_resume_hint(job_id)}"
                )
            time.sleep(interval)
        if status == "removed":
            raise JobRemoved(f"Job {job_id} was removed from the queue before it finished; submit it again.")
        job = with_retries(lambda: client.get_job(job_id, with_log=True), deadline, f"fetching job {job_id}")
    except faults.TokenExpired:
        raise faults.TokenExpired(job_id) from None
    except (QueueUnavailable, QueueError, faults.ForeignHost) as error:
        raise type(error)(f"{error} {_resume_hint(job_id)}") from error
    if not isinstance(job, dict) or str(job.get("id")) != job_id:
        raise QueueError(f"The job queue answered a request for job {job_id} with another job.")
    if collab:
        _check_owner(job, job_id, collab, (getattr(client, "user_info", None) or {}).get("id"))
    if status == "error":
        raise JobFailed(job_id, "error", job.get("log"), whole_log_at=f"job {job_id} in the collab's Job Manager")
    return job


def _record(job: Job, job_id: str, finished: dict, files: list[str], submitted: str) -> JobRecord:
    queue_job = {k: v for k, v in finished.items() if k not in ("log", "code")}
    return JobRecord(
        job_id=job_id,
        backend="nmpi",
        software_version=str(job.config.get("SOFTWARE_VERSION", "stable")),
        submitted_at=finished.get("timestamp_submission") or submitted,
        completed_at=finished.get("timestamp_completion") or _now(),
        log=as_text(finished.get("log")),
        files=files,
        extra={
            "hardware_provenance": finished.get("provenance"),
            "resource_usage": finished.get("resource_usage"),
            "queue_job": queue_job,
        },
    )


def _await_and_download(
    client, job: Job, job_id: str, workdir: Path, deadline: float, submitted: str, own: bool = True
) -> dict:
    try:
        finished = wait_for(client, job_id, deadline, job.collab if own else None)
        files = download_outputs(finished, workdir, deadline)
    except KeyboardInterrupt:
        raise JobInterrupted(f"Stopped waiting. {_resume_hint(job_id)}") from None
    return provenance.build(job, _record(job, job_id, finished, files, submitted), workdir)


def _submit_and_await(job: Job, workdir: Path, journal: Journal, deadline: float) -> tuple[dict, Entry]:
    """Submit the job's script (or resume its pending job), wait, and download into ``workdir``."""
    submitted = _now()
    client = job_client(deadline)
    entry = journal.find(job)
    if entry is not None and entry.job_id is None:
        entry.job_id = find_tagged(client, job.collab, entry.tag, deadline)  # an earlier run lost the answer
    resumed = entry is not None and entry.job_id is not None
    if resumed:
        print(f"Resuming job {entry.job_id} of an earlier run of {job.script.name}.")
    else:
        entry = entry or journal.new(job)
        try:
            entry.job_id = submit_once(client, job, entry.tag, deadline, settings.current().http_timeout)
        except KeyboardInterrupt:
            raise JobInterrupted(
                f"Interrupted before the queue confirmed the submission of {job.script.name}. Run the same cell "
                "or command again: it looks for the job first, and submits only if there is none."
            ) from None
        except BSS2Error as error:
            if not isinstance(error, AmbiguousSubmission):
                journal.remove(entry)  # the queue surely holds no job of this run
            raise
    journal.save(entry)  # the job id is recorded before the wait starts
    try:
        if not resumed:
            print(f"Submitted {job.script.name} as job {entry.job_id} (collab {job.collab}).")
        record = _await_and_download(client, job, entry.job_id, workdir, deadline, submitted)
    except KeyboardInterrupt:
        raise JobInterrupted(f"Stopped waiting. {_resume_hint(entry.job_id)}") from None
    except (JobFailed, JobRemoved, UnsafePath, ForeignJob):
        journal.remove(entry)  # the job has ended, or is not ours, and running again would not mend it
        raise
    return record, entry


def run_and_publish(job: Job, publish: Publish) -> tuple[dict, Path]:
    """Run ``job`` in the queue and ``publish`` its folder; the journal entry goes only once it is published.

    Runs of the same experiment into the same folder take turns; one that waited for a run that published
    its job meanwhile returns that job's folder instead of submitting again.
    """
    if not job.collab or not job.output_dir:
        raise ValueError("A queue job needs the collab that pays for it and the folder its results go to.")
    deadline = time.monotonic() + settings.current().job_timeout
    journal = Journal(job.output_dir)
    with journal.turn(job, deadline) as turn:
        if turn.adopted:
            job_dir = job.output_dir / f"job_{turn.adopted}"
            with contextlib.suppress(OSError, ValueError):
                record = provenance.validate(provenance.load(job_dir))
                print(f"The other run published job {turn.adopted} meanwhile; using its results.")
                return record, job_dir
        entries: list[Entry] = []

        def produce(staging: Path) -> dict:
            record, entry = _submit_and_await(job, staging, journal, deadline)
            entries.append(entry)
            return record

        record, job_dir = publish(produce)
        journal.remove(entries[0])
        turn.published(str(record["job_id"]))
    return record, job_dir


def fetch_and_publish(job_id: str, output_dir: Path, publish: Publish) -> tuple[dict, Path]:
    """Wait for the queue job ``job_id`` (by ``BSS2_JOB_TIMEOUT``), download and ``publish`` its folder; a journal
    entry of the job goes once it is published."""
    if not JOB_ID.fullmatch(str(job_id)):
        raise QueueError(f"{job_id!r} is not a job id of the queue: they are whole numbers, such as 1234.")
    deadline = time.monotonic() + settings.current().job_timeout
    client = job_client(deadline)
    journal = Journal(output_dir)
    entry = journal.by_job_id(str(job_id))
    try:
        job_info = with_retries(lambda: client.get_job(job_id, with_log=False), deadline, f"fetching job {job_id}")
    except Exception as error:
        if str(error).startswith("No such job"):  # the nmpi client's words for the queue's 404
            raise QueueError(
                f"The queue has no job {job_id}: check the number. Each run prints its job id, and the collab's "
                "Job Manager lists them."
            ) from None
        raise
    with tempfile.TemporaryDirectory(prefix="bss2-fetch-") as scratch:
        script = Path(scratch) / (entry.script if entry else "run.py")
        script.write_text(str(job_info.get("code") or ""))
        job = Job(script, dict(job_info.get("hardware_config") or {}), job_info.get("collab"))
        published = publish(
            lambda staging: _await_and_download(client, job, str(job_id), staging, deadline, _now(), own=False)
        )
    if entry:
        journal.remove(entry)
    return published
