"""Telling the EBRAINS services' failures apart: the one place that reads error types and message texts.

The ``nmpi`` client raises a plain ``Exception("Error 503: ...")`` for an HTTP
error, and ``requests`` exceptions for network trouble; ``ebrains_drive``
raises ``requests.HTTPError``. Everything else in the helpers asks here
whether a failure means a rejected token, a passing fault, or a request whose
effect on the server is unknown.
"""

from __future__ import annotations

from concurrent.futures import TimeoutError as CallTimeout

import requests


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
    return http_status(error) == 401 or "Token may have expired" in str(error)


def is_transient(error: BaseException) -> bool:
    """Connection trouble, time-outs and 5xx answers (including 503 maintenance) are worth retrying."""
    if isinstance(error, requests.RequestException | CallTimeout | ConnectionError):
        return True
    status = http_status(error)
    return status is not None and 500 <= status < 600


def is_ambiguous(error: BaseException) -> bool:
    """The request may have reached the server: it timed out or the connection dropped mid-way."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    refused = isinstance(error, requests.ConnectionError) and "Failed to establish a new connection" in str(error)
    return isinstance(error, CallTimeout | requests.Timeout | requests.ConnectionError) and not refused


def is_service_error(error: BaseException) -> bool:
    """An error answer or a network failure, as opposed to a bug in a client."""
    return http_status(error) is not None or isinstance(error, requests.RequestException)
