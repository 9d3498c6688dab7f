"""Make ``import pynn_brainscales.brainscales2`` resolve to the emulator, in one process.

``install()`` puts the emulator's modules into ``sys.modules`` under the real library's names (no
package called ``pynn_brainscales`` is installed anywhere), together with ``dlens_vx_v3.hxcomm``,
which scripts use to open a connection to their chip. The rest of the chip's own software stack is
not provided: importing it is an error that names the missing piece (``missing.LIBRARIES``).

Nothing is shadowed: where a real ``pynn_brainscales`` (or ``dlens_vx_v3``) is installed, as in the
EBRAINS Lab, ``install()`` leaves it alone and says so.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import types

from .missing import LIBRARIES, missing_library


class RealLibraryInstalled(RuntimeError):
    """A real ``pynn_brainscales`` is installed here, and the emulator will not shadow it."""


class _MissingLibraries(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: an import of the chip's stack that nothing else found gets a clear error."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in LIBRARIES:
            raise missing_library(fullname)
        return None


def _real(name: str) -> bool:
    existing = sys.modules.get(name)
    if existing is not None:
        return not getattr(existing, "__bss2_emulator__", False)
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _package(name: str, **attributes) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__path__ = []
    module.__bss2_emulator__ = True
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


def install() -> None:
    """Alias the emulator as ``pynn_brainscales.brainscales2``; raise ``RealLibraryInstalled`` where it exists."""
    if _real("pynn_brainscales"):
        raise RealLibraryInstalled(
            "A real pynn_brainscales is installed in this environment: the BrainScaleS-2 emulator does not shadow "
            "it. Use this environment's own kernel for the chip, or the emulator's kernel in an environment "
            "without the chip's software."
        )
    import bss2_emulator as emulator

    from . import hxcomm

    modules = {
        "pynn_brainscales": _package("pynn_brainscales", brainscales2=emulator),
        "pynn_brainscales.brainscales2": emulator,
        "pynn_brainscales.brainscales2.standardmodels": emulator.standardmodels,
        "pynn_brainscales.brainscales2.standardmodels.cells": emulator.standardmodels.cells,
        "pynn_brainscales.brainscales2.standardmodels.synapses": emulator.standardmodels.synapses,
        "pynn_brainscales.brainscales2.helper": emulator.helper,
        "pynn_brainscales.brainscales2.connectors": emulator.connectors,
        "pynn_brainscales.brainscales2.morphology": emulator.morphology,
    }
    if not _real("dlens_vx_v3"):
        modules["dlens_vx_v3"] = _package("dlens_vx_v3", hxcomm=hxcomm)
        modules["dlens_vx_v3.hxcomm"] = hxcomm
    sys.modules.update(modules)
    if not any(isinstance(finder, _MissingLibraries) for finder in sys.meta_path):
        sys.meta_path.append(_MissingLibraries())
