"""Shared fixtures: an isolated environment for every test, a fresh emulator, the experiments, a fake EBRAINS.

Tests are grouped by kind: ``unit/`` (one module, no subprocess or server),
``integration/`` (the CLI, the emulator in a job process, the real EBRAINS
clients against the fake EBRAINS) and ``site/`` (the notebook in a real kernel,
the built site in Chromium). ``support/`` holds what tests and benchmarks share.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.experiments import experiment_scripts
from helpers.paths import REPOSITORY

EXPERIMENTS = ["first_experiment", "second_experiment", "third_experiment", "fourth_experiment"]
#: The prefixes of every variable the helpers, the nmpi client or the EBRAINS Lab read.
PROJECT_PREFIXES = ("BSS2_", "EBRAINS_", "LAB_")
#: The seed's leak-over-threshold configuration (second and third experiments).
LEAK_OVER_THRESHOLD = dict(
    leak_v_leak=1000,
    leak_i_bias=200,
    threshold_v_threshold=300,
    reset_v_reset=400,
    membrane_capacitance_capacitance=63,
    refractory_period_refractory_time=120,
    threshold_enable=True,
    reset_i_bias=1022,
    reset_enable_multiplication=True,
)


def experiment(name: str) -> str:
    """The text of an experiment script, from the tutorial notebook's ``%%file`` cell."""
    return experiment_scripts()[f"{name}.py"]


def pytest_configure(config: pytest.Config) -> None:
    """No test, and no fixture of any scope, sees the developer's EBRAINS, BSS2 or Lab settings."""
    for name in list(os.environ):
        if name.startswith(PROJECT_PREFIXES):
            del os.environ[name]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """Every test starts without project settings, whatever the test before it set, and with its own home."""
    for name in list(os.environ):
        if name.startswith(PROJECT_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()


@pytest.fixture
def pynn():
    """The emulator, set up for one experiment and torn down afterwards."""
    import bss2_emulator as pynn

    pynn.setup()
    yield pynn
    pynn.end()


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m helpers ARGS`` in a subprocess, as a user would type it."""
    full_env = {**os.environ, "PYTHONPATH": str(REPOSITORY), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "helpers", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def fake_ebrains(monkeypatch):
    """A fake EBRAINS on 127.0.0.1, with the environment pointing the helpers at it."""
    from tests.support.fake_ebrains import FakeEbrains

    fake = FakeEbrains()
    url = fake.start()
    monkeypatch.setenv("EBRAINS_TOKEN", fake.token)
    monkeypatch.setenv("EBRAINS_JOB_SERVICE", url)
    monkeypatch.setenv("EBRAINS_USERINFO_URL", f"{url}/userinfo")
    monkeypatch.setenv("EBRAINS_DRIVE_URL", url)
    monkeypatch.setenv("BSS2_POLL_INTERVAL", "0.05")
    monkeypatch.setenv("BSS2_HTTP_TIMEOUT", "5")
    yield fake
    fake.stop()
