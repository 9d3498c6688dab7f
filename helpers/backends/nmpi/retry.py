"""Calling the job queue through transient faults: a time-out per call, retries with backoff, a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as CallTimeout
from typing import TypeVar

from ... import settings
from ...errors import BSS2Error
from . import faults
from .clients import TokenExpired

T = TypeVar("T")
MAX_BACKOFF = 8.0


class AmbiguousSubmission(BSS2Error, RuntimeError):
    """A submission whose fate is unknown; retrying could run (and bill) the job twice."""


class QueueUnavailable(BSS2Error, TimeoutError):
    """The job queue kept failing until the deadline."""


class QueueError(BSS2Error, RuntimeError):
    """The job queue refused a request, and asking again would not help."""


def with_retries(call: Callable[[], T], deadline: float, what: str, idempotent: bool = True) -> T:
    """Run ``call`` until it succeeds, retrying transient failures with backoff until ``deadline``.

    The client has no time-out of its own, so each attempt runs in a worker
    thread and is abandoned after ``BSS2_HTTP_TIMEOUT`` seconds. A call that is not
    ``idempotent`` (a submission) is retried only when the server surely did not act on it.
    """
    delay = 0.25
    call_timeout = settings.current().http_timeout
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        while True:
            try:
                return pool.submit(call).result(timeout=min(call_timeout, max(deadline - time.monotonic(), 0.1)))
            except Exception as error:
                if faults.is_auth_failure(error):
                    raise TokenExpired() from None
                if not idempotent and faults.is_ambiguous(error):
                    raise AmbiguousSubmission(
                        f"The job queue did not confirm {what} ({type(error).__name__}). The job may have been "
                        "created anyway: check your jobs in the EBRAINS job manager before running the cell again."
                    ) from error
                if isinstance(error, CallTimeout):
                    pool.shutdown(wait=False)
                    pool = ThreadPoolExecutor(max_workers=1)
                if faults.is_transient(error) and time.monotonic() + delay <= deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, MAX_BACKOFF)
                    continue
                if faults.is_transient(error):
                    raise QueueUnavailable(f"Gave up {what}: the job queue kept failing ({error}).") from error
                if faults.is_service_error(error):
                    raise QueueError(f"The job queue refused {what}: {error}") from error
                raise
    finally:
        pool.shutdown(wait=False)
