"""Recording and input sites: a neuron's compartment as one number.

A single-compartment neuron is its cell id. Compartment ``k`` of a multicompartment neuron is the cell
id plus ``k`` times ``STRIDE``, so that spikes, MADC channels and synapse targets can be keyed by one
integer whatever the neuron's morphology, and compartment 0 (where spikes come from) is the cell id.
"""

from __future__ import annotations

#: Larger than any cell id the chip can have (512 neurons, plus spike sources).
STRIDE = 1 << 24


def site(cell: int, compartment: int = 0) -> int:
    """The site of ``compartment`` of the neuron ``cell``."""
    return int(cell) + int(compartment) * STRIDE


def cell_of(key: int) -> int:
    """The cell a site belongs to."""
    return int(key) % STRIDE


def compartment_of(key: int) -> int:
    """The compartment a site is."""
    return int(key) // STRIDE
