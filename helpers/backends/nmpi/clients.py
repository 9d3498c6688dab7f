"""The EBRAINS services: the token and the real ``nmpi`` and ``ebrains_drive`` clients, made safe to use.

Endpoints come from the settings (``EBRAINS_JOB_SERVICE``, ``EBRAINS_USERINFO_URL``,
``EBRAINS_DRIVE_URL``); the token from ``EBRAINS_TOKEN`` or, in the EBRAINS Lab,
from its token provider. Three habits of ``nmpi`` are switched off for the whole
process, before its first client is built:

- it saves the token to ``~/.hbptoken``: the file is ``os.devnull``;
- on an ``invalid_token`` answer it prompts for a password (and would send it to the production
  login): the prompt raises ``TokenExpired`` instead;
- it attaches the token to any URL and reads answers of any size: its requests go through
  ``GuardedAuth``, which sends the token only to the configured services and caps every answer.

Every answer of the queue and the Drive is read through ``read_answer``: capped in size, a 429
turned into ``RateLimited`` (with its ``Retry-After``), and a redirect to another origin refused
before it is followed.
"""

from __future__ import annotations

import os
import time
import types
from urllib.parse import urlsplit

import requests

from ... import settings
from .faults import AnswerTooLarge, ForeignHost, MissingToken, RateLimited, TokenExpired, retry_after
from .retry import with_retries

#: The largest answer read from the job queue (a job with its log and file list), in bytes.
MAX_ANSWER_BYTES = 16 * 2**20
#: The largest answer read from the Drive (the list of the user's repositories), in bytes.
MAX_DRIVE_ANSWER_BYTES = 16 * 2**20
#: Redirects followed for one request to the Drive, or for one download.
MAX_REDIRECTS = 5


def lab_token() -> str | None:
    """The token the EBRAINS Lab provides (``clb_nb_utils.oauth``), or None outside the Lab."""
    try:
        from clb_nb_utils import oauth  # type: ignore[import-not-found]
    except ImportError:
        return None
    return oauth.get_token()


def token() -> str:
    """``EBRAINS_TOKEN``, else the Lab's token; raises ``MissingToken`` if there is none."""
    value = settings.current().token or lab_token()
    if not value:
        raise MissingToken()
    return value


def token_available() -> bool:
    return bool(settings.current().token) or lab_token() is not None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


def read_answer(response: requests.Response, max_bytes: int, allowed: set[tuple[str, str, int | None]]) -> None:
    """Read ``response`` into memory, at most ``max_bytes``; refuse a 429 and a redirect off ``allowed`` origins."""
    if response.is_redirect:
        target = requests.compat.urljoin(response.url, response.headers.get("location", ""))
        if _origin(target) not in allowed:
            response.close()
            raise ForeignHost(
                f"The EBRAINS service at {urlsplit(response.url).netloc!r} redirected a request to "
                f"{urlsplit(target).netloc!r}, which is not a configured EBRAINS service. The redirect was not "
                "followed and the token was not sent; report this to the platform support."
            )
    if response.status_code == 429:
        response.close()
        raise RateLimited(urlsplit(response.url).path, retry_after(response.headers.get("retry-after")))
    body = response.raw.read(max_bytes + 1, decode_content=True)
    if len(body) > max_bytes:
        response.close()
        raise AnswerTooLarge(
            f"{urlsplit(response.url).path} answered with more than {max_bytes // 2**20} MiB; "
            "the answer was dropped. Report this to the platform support."
        )
    response._content, response._content_consumed = body, True


class GuardedAuth(requests.auth.AuthBase):
    """Bearer authentication for the configured services only, with every answer capped in size."""

    def __init__(self, token: str, max_bytes: int = MAX_ANSWER_BYTES) -> None:
        config = settings.current()
        self.token, self.max_bytes = token, max_bytes
        self.allowed = {_origin(config.job_service), _origin(config.userinfo_url)}

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if _origin(request.url) not in self.allowed:
            raise ForeignHost(
                f"Refused to send the EBRAINS token to {urlsplit(request.url).netloc!r}, which is not a configured "
                "EBRAINS service. Nothing was sent; report this answer of the job queue to the platform support."
            )
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.register_hook("response", self._read_capped)
        return request

    def _read_capped(self, response: requests.Response, **kwargs) -> requests.Response:
        read_answer(response, self.max_bytes, self.allowed)
        return response


def _refuse_prompt(*args, **kwargs) -> str:
    raise TokenExpired()


def _switch_off_unsafe_habits() -> None:
    from nmpi import nmpi_user

    nmpi_user.TOKENFILE = os.devnull
    nmpi_user.getpass = types.SimpleNamespace(getpass=_refuse_prompt)
    nmpi_user.EBRAINSAuth = GuardedAuth


def job_client(deadline: float | None = None):
    """An ``nmpi.Client`` for the configured job service, built through faults until ``deadline``."""
    import nmpi

    _switch_off_unsafe_habits()
    config = settings.current()
    secret = token()

    def build():
        return nmpi.Client(token=secret, job_service=config.job_service, user_info_endpoint=config.userinfo_url)

    return with_retries(build, deadline or time.monotonic() + config.job_timeout, "the EBRAINS identity check")


def drive_client():
    """An ``ebrains_drive`` client whose answers are read as the queue's are; ``EBRAINS_DRIVE_URL`` points it at
    another server. Building it sends nothing."""
    import ebrains_drive

    client = ebrains_drive.connect(token=token())
    url = settings.current().drive_url
    if url:
        client.server = url
    allowed = {_origin(client.server)}

    def capped(response: requests.Response, **kwargs) -> requests.Response:
        read_answer(response, MAX_DRIVE_ANSWER_BYTES, allowed)
        return response

    client.session.hooks["response"].append(capped)
    client.session.max_redirects = MAX_REDIRECTS
    return client


def create_test_quota_request(client, collab: str) -> None:
    """Ask for a test quota, tolerating the client's ``KeyError: 'context'`` on the v3 server."""
    try:
        client.create_resource_request(
            title=f"Test quota request for {collab}",
            collab_id=collab,
            abstract="Test quota request from the BrainScaleS-2 queue-runner tutorial",
            submit=True,
        )
    except KeyError as error:
        # The server created the request; the client then reads a key the v3 API no longer sends.
        if error.args != ("context",):
            raise
