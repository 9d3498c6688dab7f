"""The built site, shared by the site tests: built once per session, afresh, from the sources as they are now."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.paths import REPOSITORY

REPOSITORY_URL = "https://github.com/example-org/bss2-tutorials"


@dataclass(frozen=True)
class Tutorial:
    """A tutorial notebook and what running it gives: queue jobs, figures and result files."""

    name: str
    jobs: int
    figures: int
    files: int


TUTORIALS = [Tutorial("queue_runner", 4, 4, 4), Tutorial("neuron_to_network", 4, 5, 5)]


def sphinx_build(source: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``sphinx-build -W`` of ``source`` into ``out/html``, with fresh doctrees, in parallel as ``make html``."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-j", "auto", "-W", "--keep-going", "-b", "html", "-d", str(out / "doctrees"),
         str(source), str(out / "html")],
        cwd=source, capture_output=True, text=True, timeout=600, env={**os.environ, **env},
    )  # fmt: skip


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site's HTML folder. Notebook outputs come from the digest-keyed notebook cache, so this is quick."""
    out = tmp_path_factory.mktemp("site")
    process = sphinx_build(REPOSITORY, out, BSS2_REPOSITORY_URL=REPOSITORY_URL)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return out / "html"
