"""The parts a multicompartment neuron is built from: compartments and connections of the shared line.

A compartment is a group of neuron circuits (given by their positions in the logical neuron) that the
chip shorts together into one iso-potential node. A circuit can connect its compartment to the
shared (somatic) line directly, or through a conductance; ``SharedLineConnection`` closes the shared
line between two columns of circuits, so that what is attached to it on either side is joined.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable

SharedLineConnection = namedtuple("SharedLineConnection", ["start", "stop", "row"])


def _positions_of(name: str, values, positions: Iterable[int] | None = None) -> list[int]:
    if not isinstance(values, Iterable) or isinstance(values, str) or not all(isinstance(v, int) for v in values):
        raise TypeError(f"`{name}` needs to be a sequence of integers (List, Tuple, ...)")
    values = list(values)
    if len(set(values)) != len(values):
        raise TypeError(f"`{name}` contains non-unique entries.")
    if positions is not None and not set(values) <= set(positions):
        raise TypeError(f"`{name}` contains entries which were not defined in `positions`.")
    return values


class Compartment:
    """One iso-potential compartment: circuit ``positions``, a ``label``, its links to the shared line, and
    parameters of its circuits (each a value for all of them, or a sequence with one per circuit)."""

    def __init__(
        self,
        *,
        positions: list[int],
        label: str | None = None,
        connect_shared_line: list[int] | None = None,
        connect_conductance: list[tuple[int, int]] | None = None,
        **parameters,
    ) -> None:
        self.positions = _positions_of("positions", positions)
        if not isinstance(label, str):
            raise TypeError("Provide a string as a `label`.")
        self.label = label
        self.connect_shared_line = _positions_of("connect_shared_line", connect_shared_line or [], self.positions)
        conductance = list(connect_conductance or [])
        if not all(isinstance(entry, tuple) and len(entry) == 2 for entry in conductance):
            raise TypeError(
                "`connect_conductance` has to be a sequence in which each entry is of the form "
                "`(<position>, <conductance>)`."
            )
        _positions_of("connect_conductance", [position for position, _ in conductance], self.positions)
        both = set(self.connect_shared_line) & {position for position, _ in conductance}
        if both:
            raise RuntimeError(
                f"The circuit at position {min(both)} was already directly connected to the shared line. It can "
                "not be connected via a conductance at the same time."
            )
        self.connect_conductance = conductance
        self.parameters = parameters

    @property
    def size(self) -> int:
        """The number of circuits in the compartment."""
        return len(self.positions)
