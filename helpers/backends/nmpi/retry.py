"""Calling the EBRAINS services through transient faults: a time-out per call, retries with backoff, a deadline.

The clients have no time-outs of their own, so each call runs in a daemon
thread that is abandoned after ``BSS2_HTTP_TIMEOUT`` seconds, or at the deadline
if that comes first. A daemon thread stuck in a request never keeps the process
alive after the deadline. A 429 answer is retried after the wait its
``Retry-After`` asks for, capped at ``MAX_RETRY_AFTER`` and never past the deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ... import settings
from ...errors import BSS2Error
from . import faults

T = TypeVar("T")
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0


class QueueUnavailable(BSS2Error, TimeoutError):
    """The job queue kept failing until the deadline."""


class QueueError(BSS2Error, RuntimeError):
    """The job queue refused a request, and asking again would not help."""


def call_with_timeout(call: Callable[[], T], timeout: float) -> T:
    """``call()``, or ``CallTimedOut`` after ``timeout`` seconds (the call goes on in an abandoned daemon thread)."""
    outcome: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=target, name="bss2-service-call", daemon=True).start()
    if not done.wait(timeout):
        raise faults.CallTimedOut(timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def pause_before_retry(error: BaseException, delay: float) -> float:
    """How long to wait before asking again: what a 429's ``Retry-After`` asks for (capped), else ``delay``."""
    if isinstance(error, faults.RateLimited) and error.retry_after is not None:
        return min(error.retry_after, MAX_RETRY_AFTER)
    return delay


def give_up(what: str, error: BaseException) -> QueueUnavailable:
    """The error for a service that kept failing until the ``BSS2_JOB_TIMEOUT`` deadline."""
    limit = settings.current().job_timeout
    return QueueUnavailable(
        f"Gave up {what} by the BSS2_JOB_TIMEOUT limit ({limit:g} s): the EBRAINS service kept failing "
        f"(last: {faults.describe(error)})."
    )


def with_retries(call: Callable[[], T], deadline: float, what: str) -> T:
    """Run the idempotent ``call`` until it succeeds, retrying transient failures with backoff until ``deadline``."""
    delay = 0.25
    timeout = settings.current().http_timeout
    while True:
        try:
            return call_with_timeout(call, min(timeout, max(deadline - time.monotonic(), 0.1)))
        except Exception as error:
            if faults.is_auth_failure(error):
                raise faults.TokenExpired() from None
            pause = pause_before_retry(error, delay)
            if faults.is_transient(error) and time.monotonic() + pause <= deadline:
                time.sleep(pause)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            if faults.is_transient(error):
                raise give_up(what, error) from error
            if faults.is_service_error(error):
                raise QueueError(f"The EBRAINS service refused {what}: {faults.describe(error)}") from error
            raise
