"""Run an unmodified experiment script against the emulator.

``python -m bss2_emulator.job_process SCRIPT`` makes ``import pynn_brainscales.brainscales2``
resolve to this emulator for that one process (``aliases.install``), then runs SCRIPT as
``__main__``. ``run_script`` does that in a subprocess inside a working
directory, so the script's output files land there.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import traceback
from pathlib import Path

from . import aliases
from .paths import PACKAGE_PARENT


def run_script(
    script: Path, workdir: Path, timeout: float | None = None, trial_seed: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with the emulator in a fresh Python process whose working directory is ``workdir``;
    ``trial_seed`` fixes its trial-to-trial noise (``BSS2_EMULATOR_TRIAL_SEED``), so that the run can be repeated."""
    env = dict(os.environ)
    if trial_seed is not None:
        env["BSS2_EMULATOR_TRIAL_SEED"] = str(trial_seed)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    return subprocess.run(
        [sys.executable, "-m", "bss2_emulator.job_process", str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def user_traceback(error: BaseException, script: str) -> str:
    """The traceback of ``error`` as the script's author needs it: their own lines, and the message."""
    frames = [
        traceback.FrameSummary(Path(script).name, f.lineno, f.name, lookup_line=False, line=f.line)
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename == script
    ]
    lines = traceback.format_list(frames)
    return (
        "Traceback (most recent call last):\n"
        + "".join(lines)
        + "".join(traceback.format_exception_only(type(error), error))
    )


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m bss2_emulator.job_process SCRIPT")
    aliases.install()
    sys.argv = argv
    try:
        runpy.run_path(argv[0], run_name="__main__")
    except Exception as error:  # the job's log shows the script's own lines, not the emulator's internals
        print(user_traceback(error, argv[0]), file=sys.stderr, end="")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main(sys.argv[1:])
