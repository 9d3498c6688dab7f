"""Shared fixtures: a fresh emulator per test, the seed scripts, and an isolated output folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
SEED_SCRIPTS = REPOSITORY / "tests" / "seed_scripts"
EXPERIMENTS = ["first_experiment", "second_experiment", "third_experiment", "fourth_experiment"]
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


@pytest.fixture
def pynn():
    """The emulator, set up for one experiment and torn down afterwards."""
    import helpers.emulator as pynn

    pynn.setup()
    yield pynn
    pynn.end()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No test sees the developer's EBRAINS or BSS2 settings, or writes into their home."""
    for name in [
        "EBRAINS_TOKEN",
        "BSS2_BACKEND",
        "BSS2_OUTPUT_DIR",
        "BSS2_RECORD",
        "BSS2_SOFTWARE_VERSION",
        "BSS2_EMULATOR_SEED",
        "LAB_KERNEL_NAME",
        "LAB_IMAGE_NAME",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m helpers ARGS`` in a subprocess, as a user would type it."""
    import os

    full_env = {**os.environ, "PYTHONPATH": str(REPOSITORY), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "helpers", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def fake_ebrains(monkeypatch):
    """A fake EBRAINS on 127.0.0.1, with the environment pointing the helpers at it."""
    from tests.fake_ebrains import FakeEbrains

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
