"""Which Jupyter kernel runs the notebook, and which BrainScaleS-2 software version it asks for."""

from __future__ import annotations

import sys

from . import settings
from .errors import BSS2Error


class WrongKernel(BSS2Error, RuntimeError):
    """A Lab kernel that is not an EBRAINS kernel."""


def show_errors_briefly() -> None:
    """In a notebook, show a helpers error as its message alone: it says what to do, a traceback would bury it."""
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    if shell is None:
        return

    def brief(shell, etype, value, tb, tb_offset=None) -> list[str]:
        text = [f"{etype.__name__}: {value}"]
        shell._showtraceback(etype, value, text)
        return text

    shell.set_custom_exc((BSS2Error,), brief)


def kernel_name() -> str | None:
    """The EBRAINS Lab kernel name (``LAB_KERNEL_NAME``), or None outside the Lab."""
    return settings.current().lab_kernel_name


def in_ebrains_lab() -> bool:
    """True inside the EBRAINS Lab, which sets ``LAB_KERNEL_NAME`` or an ``ebrains`` ``LAB_IMAGE_NAME``."""
    return kernel_name() is not None or "ebrains" in (settings.current().lab_image_name or "").lower()


def check_kernel() -> str:
    """Check the kernel; any EBRAINS kernel (``EBRAINS-experimental``, ``EBRAINS-25.02``, ...) is fine.

    Outside the Lab every kernel is fine too: the emulator or the cache runs the jobs.
    """
    name = kernel_name()
    if name is None:
        return "local kernel (not in the EBRAINS Lab)"
    if not name.lower().startswith("ebrains"):
        raise WrongKernel(
            f"The kernel {name!r} is not an EBRAINS kernel, so the job-queue client may be missing. "
            "Choose one with Kernel > Change kernel > EBRAINS-... (for example EBRAINS-experimental)."
        )
    return name


def software_version() -> str:
    """The BrainScaleS-2 software the job asks for: ``BSS2_SOFTWARE_VERSION``, else from the kernel name."""
    override = settings.current().software_version
    if override:
        return override
    return "experimental" if "experimental" in (kernel_name() or "").lower() else "stable"
