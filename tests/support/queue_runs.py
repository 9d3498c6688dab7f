"""A student's runs of the first experiment on the queue path, from Python and from a terminal, for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers.execution import execute_on_hardware
from helpers.paths import REPOSITORY

SCRIPT = "first_experiment.py"


def run(out: Path) -> str:
    return execute_on_hardware(SCRIPT, backend="nmpi", destination=out)


def result(out: Path, job_id: str) -> Path:
    return out / f"job_{job_id}" / "first_experiment.dat"


def cli(*args: str, cwd: Path, **env: str) -> subprocess.Popen:
    """``python -m helpers ARGS`` started as a user would, with unbuffered output."""
    return subprocess.Popen(
        [sys.executable, "-m", "helpers", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY), "PYTHONUNBUFFERED": "1", **env},
        stdin=subprocess.PIPE,  # open and never written: a password prompt would wait forever
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
