"""The error for a name of ``pynn_brainscales`` that the emulator does not have."""

from __future__ import annotations

#: Where students find what the emulator models.
EMULATOR_PAGE = "the emulator page of the tutorial site (emulator.html#what-the-emulator-models)"


def missing_name(module: str, name: str) -> AttributeError:
    """An ``AttributeError`` that says the emulator lacks ``module.name`` and where to look."""
    return AttributeError(
        f"module {module!r} has no attribute {name!r} in the BrainScaleS-2 emulator: the emulator does not "
        f"have it yet. See {EMULATOR_PAGE} for what is modelled, or run the script on the chip."
    )


def module_getattr(module: str):
    """A module-level ``__getattr__`` that raises ``missing_name`` for public names."""

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise missing_name(module, name)

    return __getattr__
