"""Calling the EBRAINS services through transient faults: a time-out per call, retries with backoff, a deadline.

The clients have no time-outs of their own, so each call runs in a daemon
thread that is abandoned after ``BSS2_HTTP_TIMEOUT`` seconds. A daemon thread
stuck in a request never keeps the process alive after the deadline.
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
        raise faults.CallTimedOut()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


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
            if faults.is_transient(error) and time.monotonic() + delay <= deadline:
                time.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            if faults.is_transient(error):
                raise QueueUnavailable(
                    f"Gave up {what}: the EBRAINS service kept failing until the deadline ({faults.describe(error)})."
                ) from error
            if faults.is_service_error(error):
                raise QueueError(f"The EBRAINS service refused {what}: {faults.describe(error)}") from error
            raise
