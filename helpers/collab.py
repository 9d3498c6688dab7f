"""Find the EBRAINS collab the notebook runs in, and check that it has a BrainScaleS-2 quota.

In the EBRAINS Lab, shared notebooks live under ``/mnt/user/shared/<collab title>/``.
The collab's title leads, through the Drive, to its repository, whose owner
(``collab-<slug>-administrator``) names the slug the job queue wants.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from . import settings
from .backends.nmpi import clients, faults
from .backends.nmpi.retry import QueueError, QueueUnavailable, call_with_timeout, with_retries
from .errors import BSS2Error

OWNER_PATTERN = re.compile(r"^collab-(?P<slug>.+)-(administrator|editor|viewer)$")
#: The folders for which the user was told that their only collab is used: once is enough.
_ANNOUNCED: set[tuple[Path, str]] = set()


class CollabNotFound(BSS2Error, LookupError):
    """The collab could not be determined."""


class QuotaNotAccepted(BSS2Error, RuntimeError):
    """The collab has no accepted quota for BrainScaleS-2 yet."""


@dataclass(frozen=True)
class Collab:
    slug: str  # what the job queue calls ``collab_id``
    title: str = ""  # the display name, as in the Drive path


def title_from_path(path: str | Path) -> str | None:
    """The collab title from a working directory under the Drive root; None elsewhere."""
    root, here = settings.current().drive_root, Path(path)
    try:
        return here.relative_to(root).parts[0]
    except (ValueError, IndexError):
        return None


def usable_collabs(client=None) -> list[str]:
    """The collabs whose jobs the user may submit: those where the identity service names them editor or more."""
    client = client or clients.job_client()
    teams = ((getattr(client, "user_info", None) or {}).get("roles") or {}).get("team") or []
    found = (OWNER_PATTERN.match(str(team)) for team in teams)
    return sorted({m["slug"] for m in found if m and m.group(2) in ("administrator", "editor")})


def _only_usable_collab(here: Path) -> Collab:
    """Outside a Drive folder (a launch button clones into the home directory): the user's one collab."""
    collabs = usable_collabs()
    if len(collabs) == 1:
        if (here, collabs[0]) not in _ANNOUNCED:
            print(f"{here} is not in a collab's Drive folder; using your only collab, {collabs[0]!r}.")
            _ANNOUNCED.add((here, collabs[0]))
        return Collab(slug=collabs[0], title=collabs[0])
    choose = (
        f"You can submit jobs to {len(collabs)} collabs: {', '.join(collabs)}. Choose one with "
        f"os.environ['EBRAINS_COLLAB'] = '{collabs[0]}' in the notebook, or export EBRAINS_COLLAB in a terminal."
        if collabs
        else "Your account may submit jobs to no collab yet: create one at wiki.ebrains.eu, or ask to join one, "
        "then set EBRAINS_COLLAB to its name as it appears in its URL."
    )
    raise CollabNotFound(
        f"{here} is not inside a collab's Drive folder, so the collab cannot be taken from it. {choose}"
    )


def slug_from_owner(owner: str) -> str:
    """``collab-my-collab-administrator`` -> ``my-collab``."""
    match = OWNER_PATTERN.match(owner)
    if not match:
        raise CollabNotFound(f"Drive repository owner {owner!r} is not a collab; set EBRAINS_COLLAB instead.")
    return match["slug"]


def find_collab(path: str | Path | None = None) -> Collab:
    """The collab that pays for jobs: ``EBRAINS_COLLAB``, else the Drive folder the notebook is in, else the
    user's only collab."""
    override = settings.current().collab
    if override:
        return Collab(slug=override, title=override)
    here = Path(path or Path.cwd())
    title = title_from_path(here)
    if title is None:
        return _only_usable_collab(here)
    drive = clients.drive_client()

    def lookup() -> list:
        try:
            return drive.repos.get_repos_by_filter("name", title)
        except AttributeError:
            # ebrains_drive reports a rejected token as AttributeError when it retries the token exchange.
            raise clients.TokenExpired() from None

    repos = with_retries(lookup, _deadline(), f"the Drive lookup of the collab {title!r}")
    if len(repos) != 1:
        raise CollabNotFound(
            f"Found {len(repos)} Drive repositories named {title!r}, expected exactly one. "
            "Set EBRAINS_COLLAB to the collab's name as it appears in its URL."
        )
    return Collab(slug=slug_from_owner(repos[0].owner), title=title)


def _deadline() -> float:
    return time.monotonic() + settings.current().job_timeout


def check_quota(collab: Collab, client=None, request_if_missing: bool = True) -> str:
    """Return "accepted" if the collab may submit jobs; otherwise request a test quota or explain why not.

    Every request ends by ``BSS2_JOB_TIMEOUT``."""
    deadline = _deadline()
    client = client or clients.job_client(deadline)
    projects = with_retries(lambda: client.resource_requests(collab.slug), deadline, "the quota check")
    if not isinstance(projects, list) or not all(isinstance(p, dict) for p in projects):
        raise QueueError("The job queue answered the quota check with something other than a list of quota requests.")
    if any(p.get("status") == "accepted" for p in projects):
        print(f"Collab {collab.slug!r} has an accepted quota.")
        return "accepted"
    if not projects and request_if_missing:
        try:
            remaining = max(deadline - time.monotonic(), 0.1)
            call_with_timeout(lambda: clients.create_test_quota_request(client, collab.slug), remaining)
        except faults.CallTimedOut:
            raise QueueUnavailable(
                f"The request for a test quota for {collab.slug!r} got no answer by the BSS2_JOB_TIMEOUT limit; it "
                "may have been made. Run check_quota again later: it asks again only if the collab has no request."
            ) from None
        raise QuotaNotAccepted(
            f"Collab {collab.slug!r} had no quota: a test quota request was submitted. An administrator must "
            "accept it before jobs can run; you can still run the tutorial with BSS2_BACKEND=emulator."
        )
    raise QuotaNotAccepted(
        f"Collab {collab.slug!r} has a quota request, but it is not accepted yet "
        f"(status: {', '.join(sorted({str(p.get('status', '?')) for p in projects})) or 'none'}). "
        "Wait for the review, or run the tutorial with BSS2_BACKEND=emulator meanwhile."
    )
