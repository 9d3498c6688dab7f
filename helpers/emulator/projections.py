"""Projections: entries of the chip's synapse array (compare ``pyNN/mock/projections.py``).

The hardware rules are enforced here: no delay and 6-bit weights. PyNN itself
checks that the weight sign matches the receptor, because HXNeuron declares
current-based synapses.
"""

from __future__ import annotations

from itertools import repeat

from pyNN import common
from pyNN.core import ezip
from pyNN.space import Space

from . import simulator

MAX_WEIGHT = 63


class Connection(common.Connection):
    """One synapse: source and target indices, weight and delay."""

    def __init__(self, pre, post, **attributes):
        self.presynaptic_index = pre
        self.postsynaptic_index = post
        for name, value in attributes.items():
            setattr(self, name, value)

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


def check_connection(weight: float, delay: float) -> None:
    """Raise the hardware's error if this synapse cannot be built on the chip."""
    if delay != 0:
        raise ValueError(f"Synaptic delay {delay} ms is not supported on BrainScaleS-2: use delay=0.")
    if abs(round(weight)) > MAX_WEIGHT:
        raise ValueError(f"The absolute weight must be <= {MAX_WEIGHT} (got {weight}): weights are 6 bit.")


class Projection(common.Projection):
    """Synapses from one population onto another, checked against the chip's rules on creation."""

    _simulator = simulator

    def __init__(
        self,
        presynaptic_population,
        postsynaptic_population,
        connector,
        synapse_type=None,
        source=None,
        receptor_type=None,
        space=None,
        label=None,
    ):
        common.Projection.__init__(
            self,
            presynaptic_population,
            postsynaptic_population,
            connector,
            synapse_type,
            source,
            receptor_type,
            space or Space(),
            label,
        )
        self.connections = []
        connector.connect(self)
        for connection in self.connections:
            check_connection(float(connection.weight), float(connection.delay))
        simulator.state.projections.append(self)

    def __len__(self) -> int:
        return len(self.connections)

    def set(self, **attributes):
        raise NotImplementedError("Changing synapses after creation is not emulated; create a new Projection.")

    def _convergent_connect(
        self, presynaptic_indices, postsynaptic_index, location_selector=None, **connection_parameters
    ):
        if location_selector is not None:
            raise NotImplementedError("BrainScaleS-2 neurons have a single compartment here.")
        for name, value in connection_parameters.items():
            if isinstance(value, float):
                connection_parameters[name] = repeat(value)
        for pre_idx, other in ezip(presynaptic_indices, *connection_parameters.values()):
            attributes = dict(zip(connection_parameters.keys(), other, strict=True))
            self.connections.append(Connection(pre_idx, postsynaptic_index, **attributes))
