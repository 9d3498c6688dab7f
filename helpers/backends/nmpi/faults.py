"""How the EBRAINS services fail: the errors a user sees, and the one place that reads error types and texts.

The ``nmpi`` client raises a plain ``Exception("Error 503: ...")`` for an HTTP
error, ``KeyError`` or ``TypeError`` for an error body it cannot read, and
``requests`` exceptions for network trouble; ``ebrains_drive`` raises
``requests.HTTPError``. Everything else in the helpers asks here whether a
failure means a rejected token, a passing fault, a request whose effect on the
server is unknown, or a refusal.
"""

from __future__ import annotations

import email.utils
import time
import traceback

import requests

from ...errors import BSS2Error


class MissingToken(BSS2Error, RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "No EBRAINS token: run the notebook in the EBRAINS Lab, or set EBRAINS_TOKEN to a valid token. "
            "Without one, use BSS2_BACKEND=emulator (or replay) to run the tutorial locally."
        )


class TokenExpired(BSS2Error, RuntimeError):
    def __init__(self, job_id: str | None = None) -> None:
        self.job_id = job_id
        fix = (
            "In the Lab, restart the kernel to get a fresh one; elsewhere set EBRAINS_TOKEN to a new token."
            if job_id is None
            else f"Job {job_id} keeps running in the queue: get a fresh token (in the Lab, restart the kernel; "
            "elsewhere set EBRAINS_TOKEN), then run the same cell or command again to resume it, "
            f"or fetch it with: python -m helpers fetch {job_id}"
        )
        super().__init__(f"EBRAINS rejected the token (it may have expired). {fix}")


class CallTimedOut(Exception):
    """A call that got no answer within ``seconds``; its request may still be on its way."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"no answer within {seconds:.3g} s")


class RateLimited(Exception):
    """A 429 answer: the service asks to wait ``retry_after`` seconds (None if it did not say)."""

    def __init__(self, url: str, retry_after: float | None) -> None:
        self.retry_after = retry_after
        wait = f", asking to wait {retry_after:g} s" if retry_after is not None else ""
        super().__init__(f"429 Too Many Requests from {url}{wait}")


def retry_after(header: str | None) -> float | None:
    """The seconds a ``Retry-After`` header asks for (a number or an HTTP date); None if absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


class AnswerTooLarge(BSS2Error, RuntimeError):
    """An answer larger than the cap for its kind."""


class ForeignHost(BSS2Error, RuntimeError):
    """A request for a host other than the configured EBRAINS services; the token is not sent."""


def http_status(error: BaseException) -> int | None:
    """The HTTP status an error reports, from ``requests`` or from the text of an ``nmpi`` error."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return error.response.status_code
    text = str(error)
    if text.startswith("Error ") and text[6:9].isdigit():
        return int(text[6:9])
    return None


def is_auth_failure(error: BaseException) -> bool:
    """The service rejected the token."""
    return isinstance(error, TokenExpired) or http_status(error) == 401 or "Token may have expired" in str(error)


def is_unreadable_answer(error: BaseException) -> bool:
    """An answer the client could not read: an error body without ``detail``/``error``, a list, a missing key."""
    if not isinstance(error, KeyError | TypeError | ValueError) or isinstance(error, BSS2Error):
        return False
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and ("/nmpi/" in frames[-1].filename or "/requests/" in frames[-1].filename)


def is_transient(error: BaseException) -> bool:
    """Worth asking again: no answer, a dropped connection, a 429 or 5xx answer (503 maintenance) or an
    unreadable one."""
    if isinstance(error, requests.RequestException | CallTimedOut | RateLimited | ConnectionError):
        return True
    status = http_status(error)
    return (status is not None and 500 <= status < 600) or is_unreadable_answer(error)


def got_no_answer(error: BaseException) -> bool:
    """The request may still be on its way to the server, or in it: no answer came back at all."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    refused = isinstance(error, requests.ConnectionError) and "Failed to establish a new connection" in str(error)
    return isinstance(error, CallTimedOut | requests.Timeout | requests.ConnectionError) and not refused


def surely_not_acted_on(error: BaseException) -> bool:
    """The server did not act on the request: it never got it, or refused it with a 4xx answer."""
    if isinstance(error, requests.ConnectTimeout | ForeignHost | RateLimited):
        return True
    refused = isinstance(error, requests.ConnectionError) and "Failed to establish a new connection" in str(error)
    status = http_status(error)
    return refused or (status is not None and 400 <= status < 500)


def is_service_error(error: BaseException) -> bool:
    """An error answer or a network failure, as opposed to a bug in a client."""
    return http_status(error) is not None or isinstance(error, requests.RequestException) or is_unreadable_answer(error)


def describe(error: BaseException) -> str:
    """A short, readable account of a failure, for messages."""
    if is_unreadable_answer(error):
        return f"an answer the nmpi client cannot read ({type(error).__name__}: {error})"
    status = http_status(error)
    if status == 403:
        return f"403 Forbidden ({str(error)[10:] or 'no reason given'}): the account may lack access to this collab"
    return str(error) or type(error).__name__
