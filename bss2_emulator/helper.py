"""``pynn.helper``: where a script finds the chip it runs on and the chip's stored calibrations.

On the chip, ``chip_from_nightly()`` loads the calibration that runs every night for the chip the
job landed on, ``nightly_calib_path()`` names that file, and ``chip_from_file(path)`` loads one stored
by the user. The emulator keeps its calibrations in ``chip/calibrations/`` under the same names: small
JSON files that say which calix mode and which targets the emulated chip is calibrated to.
"""

from __future__ import annotations

import json
from pathlib import Path

from .chip.calibration import MODES, NIGHTLY, Chip, calibrated_chip
from .hxcomm import ManagedConnection
from .missing import module_getattr
from .paths import CALIBRATIONS

FORMAT = "bss2-emulator calibration"


def get_unique_identifier() -> list[str]:
    """The identifier of the chip this process runs on: the emulated chip's."""
    with ManagedConnection() as connection:
        return connection.get_unique_identifier()


def nightly_calib_path() -> Path:
    """The file of the nightly calibration (for spiking operation); its folder holds the other modes'."""
    return CALIBRATIONS / "stable" / "latest" / "spiking_cocolist.pbin"


def chip_from_nightly() -> Chip:
    """The emulated chip's nightly calibration: every neuron at the nightly targets."""
    return chip_from_file(nightly_calib_path())


def _read(path: Path) -> dict:
    data = path.read_bytes()
    try:
        description = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        description = None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise ValueError(
            f"{path} is not a calibration of the emulated chip: a dump of the real chip's configuration (portable "
            "binary) cannot be read by the emulator. Use pynn.helper.chip_from_nightly(), or the emulator's files "
            f"in {nightly_calib_path().parent} (spiking_cocolist.pbin, hagen_cocolist.pbin)."
        )
    return description


def chip_from_file(path: str | Path) -> Chip:
    """The calibration stored in ``path``: the emulated chip calibrated in the file's mode, to its targets."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No calibration file at {path}.")
    description = _read(path)
    mode, targets = description.get("mode"), description.get("targets", {})
    if mode not in MODES:
        raise ValueError(f"{path}: calibration mode {mode!r} is unknown; the emulator has {', '.join(MODES)}.")
    unknown = sorted(set(targets) - set(NIGHTLY)) if isinstance(targets, dict) else ["(targets is not a mapping)"]
    if unknown:
        raise ValueError(f"{path}: unknown calibration targets {unknown}; the targets are {', '.join(NIGHTLY)}.")
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in targets.values()):
        raise ValueError(f"{path}: every calibration target must be a number.")
    return calibrated_chip(mode, targets)


__all__ = ["chip_from_file", "chip_from_nightly", "get_unique_identifier", "nightly_calib_path"]
__getattr__ = module_getattr("pynn_brainscales.brainscales2.helper")
