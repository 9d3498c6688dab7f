"""Calling the job queue through transient faults: time-outs per call, retries with backoff."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as CallTimeout
from typing import TypeVar

import requests

from .ebrains import TokenExpired

T = TypeVar("T")
#: One request may take this long (s) before it counts as failed; BSS2_HTTP_TIMEOUT overrides it.
DEFAULT_CALL_TIMEOUT = 30.0
MAX_BACKOFF = 8.0


def call_timeout() -> float:
    return float(os.environ.get("BSS2_HTTP_TIMEOUT", DEFAULT_CALL_TIMEOUT))


def is_transient(error: BaseException) -> bool:
    """Connection trouble, time-outs and 5xx answers (including 503 maintenance) are worth retrying."""
    if isinstance(error, requests.RequestException | CallTimeout | ConnectionError):
        return True
    return str(error).startswith("Error 5")


def is_ambiguous(error: BaseException) -> bool:
    """The request may have reached the server: it timed out or the connection dropped mid-way."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    refused = isinstance(error, requests.ConnectionError) and "Failed to establish a new connection" in str(error)
    return isinstance(error, CallTimeout | requests.Timeout | requests.ConnectionError) and not refused


class AmbiguousSubmission(RuntimeError):
    """A submission whose fate is unknown; retrying could run (and bill) the job twice."""


def is_auth_failure(error: BaseException) -> bool:
    return str(error).startswith("Error 401") or "Token may have expired" in str(error)


def with_retries(call: Callable[[], T], deadline: float, what: str, idempotent: bool = True) -> T:
    """Run ``call`` until it succeeds, retrying transient failures with backoff until ``deadline``.

    The client has no time-out of its own, so each attempt runs in a worker
    thread and is abandoned after ``call_timeout()`` seconds. A call that is not
    ``idempotent`` (a submission) is retried only when the server surely did not act on it.
    """
    delay = 0.25
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        while True:
            try:
                return pool.submit(call).result(timeout=min(call_timeout(), max(deadline - time.monotonic(), 0.1)))
            except Exception as error:
                if is_auth_failure(error):
                    raise TokenExpired() from None
                if not idempotent and is_ambiguous(error):
                    raise AmbiguousSubmission(
                        f"The job queue did not confirm {what} ({type(error).__name__}). The job may have been "
                        "created anyway: check your jobs in the EBRAINS job manager before running the cell again."
                    ) from error
                if isinstance(error, CallTimeout):
                    pool.shutdown(wait=False)
                    pool = ThreadPoolExecutor(max_workers=1)
                if not is_transient(error) or time.monotonic() + delay > deadline:
                    if is_transient(error):
                        raise TimeoutError(f"Gave up {what}: the job queue kept failing ({error}).") from error
                    raise
                time.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
    finally:
        pool.shutdown(wait=False)
