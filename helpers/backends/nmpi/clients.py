"""The EBRAINS services: the token and the real ``nmpi`` and ``ebrains_drive`` clients.

Endpoints come from the settings (``EBRAINS_JOB_SERVICE``, ``EBRAINS_USERINFO_URL``,
``EBRAINS_DRIVE_URL``); the token from ``EBRAINS_TOKEN`` or, in the EBRAINS Lab,
from its token provider. The token is never printed, logged or written to disk:
the ``nmpi`` client's habit of saving it to ``~/.hbptoken`` is redirected into a
private temporary folder that is deleted at once.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from ... import settings
from ...errors import BSS2Error
from . import faults

#: ``nmpi`` keeps the token file path in a module global; clients are built one at a time.
_CLIENT_LOCK = threading.Lock()


class MissingToken(BSS2Error, RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "No EBRAINS token: run the notebook in the EBRAINS Lab, or set EBRAINS_TOKEN to a valid token. "
            "Without one, use BSS2_BACKEND=emulator (or replay) to run the tutorial locally."
        )


class TokenExpired(BSS2Error, RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "EBRAINS rejected the token (it may have expired). In the Lab, restart the kernel to get a fresh "
            "one; elsewhere set EBRAINS_TOKEN to a new token."
        )


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


def job_client():
    """An ``nmpi.Client`` for the configured job service; no token file is left behind."""
    import nmpi
    from nmpi import nmpi_user

    config = settings.current()
    with _CLIENT_LOCK, tempfile.TemporaryDirectory(prefix="bss2-nmpi-") as private:
        saved = nmpi_user.TOKENFILE
        nmpi_user.TOKENFILE = str(Path(private) / "hbptoken")
        try:
            return nmpi.Client(token=token(), job_service=config.job_service, user_info_endpoint=config.userinfo_url)
        except Exception as error:
            if faults.is_auth_failure(error):
                raise TokenExpired() from None
            raise
        finally:
            nmpi_user.TOKENFILE = saved


def drive_client():
    """An ``ebrains_drive`` client; ``EBRAINS_DRIVE_URL`` points it at another server."""
    import ebrains_drive

    client = ebrains_drive.connect(token=token())
    url = settings.current().drive_url
    if url:
        client.server = url
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
