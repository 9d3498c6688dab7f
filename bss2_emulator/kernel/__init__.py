"""The Jupyter kernel "BrainScaleS-2 (emulator)": IPython in which ``pynn_brainscales.brainscales2`` is the emulator.

A student opens an official catalogue notebook with this kernel and runs it unchanged. The kernel is
installed into one environment only (``install(prefix)``, which ``make lab`` calls for ``.venv``),
never into the user's or the system's kernels, so it cannot appear in the EBRAINS Lab; and where a
real ``pynn_brainscales`` is installed it refuses to start rather than shadow it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from ..paths import PACKAGE_PARENT

KERNEL_NAME = "bss2-emulator"
DISPLAY_NAME = "BrainScaleS-2 (emulator)"


def kernel_spec(python: str = sys.executable) -> dict:
    """The kernel.json of the emulator kernel, run by ``python``."""
    return {
        "argv": [python, "-m", "bss2_emulator.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "env": {"PYTHONPATH": str(PACKAGE_PARENT)},
        "metadata": {"debugger": True},
    }


def install(prefix: str | Path = sys.prefix) -> Path:
    """Install the kernel into the environment at ``prefix``; return the kernel's folder."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1))
        return Path(KernelSpecManager().install_kernel_spec(folder, KERNEL_NAME, prefix=str(prefix)))
