"""Writes that either complete or leave nothing behind: files and whole folders."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING_PREFIX = ".staging-"


@contextmanager
def staging_area(parent: Path) -> Iterator[Path]:
    """Yield an empty staging folder in ``parent``; whatever is not published is removed on exit."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, final: Path) -> None:
    """Move a complete staging folder to ``final``, replacing any previous version in one rename."""
    if final.exists():
        retired = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=final.parent))
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
