"""``McCircuitParameters``: one parameter of a multicompartment neuron, a value for each of its circuits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pyNN.parameters import ArrayParameter


class McCircuitParameters(ArrayParameter):
    """The values of one parameter: an outer sequence over compartments, an inner one over their circuits."""

    def __init__(self, value: Sequence) -> None:  # the compartments differ in size: a ragged array
        self.value = np.array([np.asarray(circuits, dtype=float) for circuits in value], dtype=object)

    def flat(self) -> np.ndarray:
        """The values of all circuits, compartment after compartment."""
        return np.concatenate([np.atleast_1d(circuits) for circuits in self.value])

    def max(self) -> float:
        return float(self.flat().max())

    def __eq__(self, other) -> bool:
        return isinstance(other, McCircuitParameters) and np.array_equal(self.flat(), other.flat())

    __hash__ = None
