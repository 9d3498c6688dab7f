"""``dlens_vx_v3.hxcomm`` on the emulator: a connection to the emulated chip, and nothing else.

Scripts open a connection to learn which chip they run on (``connection.get_unique_identifier()``);
on the emulator that names the emulated chip by its seed. Low-level access through the connection
is not modelled.
"""

from __future__ import annotations

from types import TracebackType

from .config import chip_seed
from .missing import EMULATOR_PAGE, LIBRARIES


class EmulatedConnection:
    """A connection to the emulated chip: it can only say which chip it is."""

    def get_unique_identifier(self) -> list[str]:
        """The chip's name, as the real connection lists its chips' identifiers."""
        return [f"emulated-bss2-seed{chip_seed()}"]

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"The emulated chip's connection has no {name!r}: it only names the chip (get_unique_identifier). "
            f"Reading or writing the chip through it is {LIBRARIES['dlens_vx_v3']}, which the emulator does not "
            f"provide; see {EMULATOR_PAGE}."
        )


class ManagedConnection:
    """``with hxcomm.ManagedConnection() as connection:`` yields the emulated chip's connection."""

    def __enter__(self) -> EmulatedConnection:
        return EmulatedConnection()

    def __exit__(self, kind: type | None, value: BaseException | None, trace: TracebackType | None) -> None:
        return None
