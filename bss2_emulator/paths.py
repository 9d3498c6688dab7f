"""Where the emulator's own files are; the one place this package computes a path from ``__file__``."""

from __future__ import annotations

from pathlib import Path

#: This package's folder: its sources and data, whose digest names what the emulator computes.
PACKAGE = Path(__file__).resolve().parent
#: The folder that holds this package: what a job process puts on its ``PYTHONPATH``.
PACKAGE_PARENT = PACKAGE.parent
#: The hardware recordings the chip model is fitted to.
RECORDINGS = Path(__file__).resolve().parent / "chip" / "recordings"
#: The emulated chip's stored calibrations, under the names the chip's nightly calibration uses.
CALIBRATIONS = Path(__file__).resolve().parent / "chip" / "calibrations"
