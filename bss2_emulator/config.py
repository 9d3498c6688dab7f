"""The emulator's two environment variables: which chip it emulates, and its trial-to-trial noise.

They are read at each run, so a value set in a notebook cell takes effect at once. A value that
cannot be used is a ``ValueError`` that names the variable and what it accepts.
"""

from __future__ import annotations

import os

#: The default chip: the first seed (of 1..3000) whose neuron 0 lies within about 1 LSB / 1 % of the
#: nominal curves in every deviation, like the neuron of the published single-neuron plots.
DEFAULT_CHIP_SEED = 2326


def _seed(variable: str) -> int | None:
    raw = os.environ.get(variable, "")
    if raw == "":
        return None
    if not raw.isdigit() or int(raw) >= 2**32:
        raise ValueError(
            f"{variable}={raw!r} must be a whole number from 0 to 4294967295. "
            "Set it to one, or unset it for the default."
        )
    return int(raw)


def chip_seed() -> int:
    """``BSS2_EMULATOR_SEED``: which emulated chip (its fixed-pattern noise); the default chip when unset."""
    seed = _seed("BSS2_EMULATOR_SEED")
    return DEFAULT_CHIP_SEED if seed is None else seed


def trial_seed() -> int | None:
    """``BSS2_EMULATOR_TRIAL_SEED``: fixes the trial-to-trial noise, for tests; ``None``, fresh noise."""
    return _seed("BSS2_EMULATOR_TRIAL_SEED")
