"""Brian2, the reference the emulator's speed is measured against, in a venv of its own.

Brian2 2.9 needs numpy<2.3, so it cannot share the project's environment; ``brian_python`` makes
``benchmarks/.venv-brian2`` on first use. ``measure`` runs a benchmark script and reads the JSON
line it prints last.
"""

from __future__ import annotations

import json
import subprocess
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
BRIAN_VENV = HERE / ".venv-brian2"


def brian_python() -> Path:
    """The Brian2 2.9 venv's interpreter, created on first use."""
    python = BRIAN_VENV / "bin" / "python"
    if not python.exists():
        venv.create(BRIAN_VENV, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-qq", "brian2==2.9.0", "numpy<2.3"], check=True)
    return python


def measure(command: list[str]) -> dict:
    """Run ``command`` and return the JSON object its last line prints."""
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])
