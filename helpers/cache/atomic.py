"""Writes that either complete or leave nothing behind: whole folders, published in one rename.

Staging folders are named ``.staging-<pid>-*`` after the process that made them.
Whatever a process does not publish it removes on the way out; what a killed
process left behind is swept by the next one that stages in the same folder.
Publishing holds a lock on the parent folder, so two processes publishing the
same result at once each see a complete folder, and neither fails.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING_PREFIX = ".staging-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(parent: Path) -> None:
    """Remove the staging folders and files in ``parent`` whose process is gone."""
    for path in parent.glob(STAGING_PREFIX + "*"):
        pid = path.name[len(STAGING_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def staging_name() -> str:
    """The prefix of this process's staging folders and files."""
    return f"{STAGING_PREFIX}{os.getpid()}-"


@contextmanager
def staging_area(parent: Path) -> Iterator[Path]:
    """Yield an empty staging folder in ``parent``; whatever is not published is removed on exit."""
    parent.mkdir(parents=True, exist_ok=True)
    sweep(parent)
    staging = Path(tempfile.mkdtemp(prefix=staging_name(), dir=parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def publish(staging: Path, final: Path) -> None:
    """Move a complete staging folder to ``final``, replacing any previous version in one rename."""
    with _locked(final.parent):
        if final.exists():
            retired = Path(tempfile.mkdtemp(prefix=staging_name(), dir=final.parent))
            os.replace(final, retired / final.name)
            os.replace(staging, final)
            shutil.rmtree(retired)
        else:
            os.replace(staging, final)


@contextmanager
def staged_directory(final: Path) -> Iterator[Path]:
    """Yield a staging folder that replaces ``final`` if the block succeeds; ``final`` is untouched if it raises."""
    with staging_area(final.parent) as staging:
        yield staging
        publish(staging, final)
