"""``pynn.helper``: where a script gets a stored calibration of the chip.

On the chip, ``chip_from_nightly()`` loads the calibration that runs every night for the chip the
job landed on, and ``chip_from_file(path)`` loads one stored by the user. The emulator cannot read a
hardware calibration dump; both give the emulated chip calibrated to the nightly calibration's
targets, and ``chip_from_file`` says so in the job's log.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .calibration import Chip, nightly
from .missing import module_getattr


def chip_from_nightly() -> Chip:
    """The emulated chip's nightly calibration: every neuron at the nightly targets."""
    return nightly()


def chip_from_file(path: str | Path) -> Chip:
    """A stored calibration: on the emulator, the nightly one (the file must exist, as on the chip)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"No calibration file at {path}.")
    print(
        f"Emulator note: {path} is a hardware calibration dump, which the emulator cannot read; "
        "it uses its own chip calibrated to the nightly targets.",
        file=sys.stderr,
    )
    return nightly()


__all__ = ["chip_from_file", "chip_from_nightly"]
__getattr__ = module_getattr("pynn_brainscales.brainscales2.helper")
