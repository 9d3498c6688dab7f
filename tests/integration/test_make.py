"""The Makefile's edges: an unusable Python is named before anything is installed, and `make lab` runs as root."""

from __future__ import annotations

import os
import subprocess

from helpers.paths import REPOSITORY


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-n", *args], cwd=REPOSITORY, capture_output=True, text=True, timeout=60)


def test_an_old_python_is_named_with_the_fix(tmp_path):
    old = tmp_path / "python3.10"
    old.write_text('#!/bin/sh\nexec python3 -c "import sys; sys.version_info = (3, 10, 0); exec(sys.argv[2])" "$@"\n')
    old.chmod(0o755)
    process = make("html", f"PYTHON={old}")
    assert process.returncode != 0
    assert (
        "is older than Python 3.11: install Python 3.11 or newer, or name it with PYTHON=python3.11" in process.stderr
    )


def test_a_missing_python_is_named_with_the_fix():
    process = make("html", "PYTHON=python-that-does-not-exist")
    assert process.returncode != 0 and "python-that-does-not-exist was not found" in process.stderr


def test_lab_runs_as_root_when_root():
    command = next(line for line in make("lab").stdout.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in command) == (os.geteuid() == 0)
