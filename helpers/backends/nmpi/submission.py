"""Submitting a job exactly once, whatever the network does.

Every submission carries a unique tag (``bss2-submission-<uuid>``). When the
queue's answer to a submission is lost (a 5xx, a dropped connection, a
truncated body), the queue is asked for the user's queued jobs and the collab's
finished ones, and a job with the tag is adopted instead of submitting again.
Only when the queue answered and holds no such job is the same tagged script
sent again. When no answer came at all, the request may still be on its way:
nothing is sent again, and the next run looks for the tag first.
"""

from __future__ import annotations

import re
import time

from ...errors import BSS2Error
from ...jobs import Job
from . import faults
from .retry import QueueError, call_with_timeout, give_up, pause_before_retry, with_retries

#: The queue's job ids are integers; nothing else is used to build a URL or a folder name.
JOB_ID = re.compile(r"[0-9]{1,12}")
_RESOURCE_URI = re.compile(r"/jobs/([0-9]{1,12})/?")


class AmbiguousSubmission(BSS2Error, RuntimeError):
    """A submission with no answer, and no job with its tag yet; sending it again could bill twice."""


def job_id_from_uri(uri: object) -> str:
    """The integer job id in a ``resource_uri`` such as ``/jobs/1000``; anything else is refused."""
    match = _RESOURCE_URI.fullmatch(str(uri))
    if not match:
        raise QueueError(
            f"The job queue answered the submission with the job address {str(uri)[:80]!r}, which is not "
            "/jobs/<number>. Nothing was requested from it; report this to the platform support."
        )
    return match[1]


def find_tagged(client, collab: str, tag: str, deadline: float) -> str | None:
    """The id of the user's job carrying ``tag``: queued, or finished in ``collab``; None if there is none."""

    def listing() -> list[dict]:
        return [*client.queued_jobs(verbose=True), *client.completed_jobs(collab, verbose=True)]

    for job in with_retries(listing, deadline, "the lookup of the submission"):
        if isinstance(job, dict) and tag in (job.get("tags") or []) and JOB_ID.fullmatch(str(job.get("id"))):
            return str(job["id"])
    return None


def submit_once(client, job: Job, tag: str, deadline: float, timeout: float) -> str:
    """Submit ``job`` with ``tag`` and return its job id; a lost answer never leads to a second job."""
    import nmpi

    def submit() -> object:
        return client.submit_job(
            source=str(job.script),
            platform=nmpi.BRAINSCALES2,
            collab_id=job.collab,
            config=job.config,
            command="run.py",
            tags=[tag],
        )

    delay = 0.25
    while True:
        try:
            uri = call_with_timeout(submit, min(timeout, max(deadline - time.monotonic(), 0.1)))
        except Exception as error:
            if faults.is_auth_failure(error):
                raise faults.TokenExpired() from None
            if isinstance(error, faults.RateLimited):  # refused, so surely not billed: ask again when allowed
                pause = pause_before_retry(error, delay)
                if time.monotonic() + pause > deadline:
                    raise give_up(f"submitting {job.script.name}", error) from error
                time.sleep(pause)
                delay = min(delay * 2, 8.0)
                continue
            if isinstance(error, BSS2Error) or faults.surely_not_acted_on(error):
                if faults.is_service_error(error):
                    raise QueueError(f"The job queue refused {job.script.name}: {faults.describe(error)}") from error
                raise
            found = find_tagged(client, job.collab, tag, deadline)
            if found:
                return found
            if faults.got_no_answer(error) or time.monotonic() + delay > deadline:
                raise AmbiguousSubmission(
                    f"The job queue did not confirm the submission of {job.script.name} ({faults.describe(error)}), "
                    f"and holds no job tagged {tag} yet. Nothing was sent twice. Run the same cell or command "
                    "again: it looks for the job first, and submits only if there is none."
                ) from error
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
            continue
        try:
            return job_id_from_uri(uri)
        except QueueError:
            # The job exists, under an address that cannot be trusted: its tag gives its integer id.
            found = find_tagged(client, job.collab, tag, deadline)
            if found:
                return found
            raise
