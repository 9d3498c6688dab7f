"""Projections: entries of the chip's synapse array (compare ``pyNN/mock/projections.py``).

The rules of ``pynn_brainscales``: weights are whole numbers whose sign matches the receptor
(``pyNN.errors.ConnectionError`` otherwise), and there is no configurable delay. A weight above 63
in magnitude takes several 6-bit synapses; ``network_run`` checks that they fit the chip's columns.
Projections between chip neurons go through the synapse array too, with the chip's own routing
delay (``chip.ON_CHIP_DELAY_US``).
"""

from __future__ import annotations

import numpy as np
from pyNN import common, errors
from pyNN.space import Space

from . import simulator
from .morphology import McNeuronBase
from .standardmodels.synapses import StaticSynapse

DELAY_MESSAGE = "Setting the delay unequal 0 is not supported."
SIGN_MESSAGE = (
    "Weights must be positive for conductance-based and/or excitatory synapses and negative for inhibitory synapses"
)


class Connection(common.Connection):
    """One synapse: source and target indices, a whole-number weight and no delay."""

    def __init__(self, projection, pre: int, post: int, compartment: int = 0, **attributes) -> None:
        self.projection = projection
        self.presynaptic_index = pre
        self.postsynaptic_index = post
        self.compartment = compartment  # of the target: 0 unless it is a multicompartment neuron
        self._delay = 0.0
        for name, value in attributes.items():
            setattr(self, name, value)

    def _get_weight(self) -> int:
        return self._weight

    def _set_weight(self, value: float) -> None:
        weight = round(float(value))
        post = self.projection.post
        # As the message says: positive onto conductance-based inputs of either kind (their reversal potential
        # gives the sign), else the receptor's sign. (The library's own check refuses every inhibitory weight
        # onto CalibHXNeuronCoba, against its message; the emulator follows the message.)
        if post.conductance_based:
            wrong = weight < 0
        else:
            wrong = (weight < 0 and self.projection.receptor_type != "inhibitory") or (
                weight > 0 and self.projection.receptor_type != "excitatory"
            )
        if wrong:
            raise errors.ConnectionError(SIGN_MESSAGE)
        self._weight = weight

    def _get_delay(self) -> float:
        return self._delay

    def _set_delay(self, value: float) -> None:
        if float(value) != 0:
            raise ValueError(f"{DELAY_MESSAGE} BrainScaleS-2 has no configurable synaptic delay: use delay=0.")
        self._delay = 0.0

    weight = property(_get_weight, _set_weight)
    delay = property(_get_delay, _set_delay)

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    """Synapses from one population onto another, checked against the chip's rules on creation."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse

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
        self.connections.sort(key=lambda c: (c.presynaptic_index, c.postsynaptic_index))
        simulator.state.projections.append(self)

    def __len__(self) -> int:
        return len(self.connections)

    def __getitem__(self, i: int) -> Connection:
        return self.connections[i]

    def _set_attributes(self, parameter_space):
        parameter_space.evaluate(mask=(slice(None), self.post._mask_local))
        for name, value in parameter_space.items():
            for connection in self.connections:
                setattr(connection, name, float(value[connection.presynaptic_index][connection.postsynaptic_index]))

    def _set_initial_value_array(self, variable, initial_value):
        raise NotImplementedError("Synapses of the chip have no state to initialize.")

    def _convergent_connect(
        self, presynaptic_indices, postsynaptic_index, location_selector=None, **connection_parameters
    ):
        count = len(presynaptic_indices)
        columns = {name: np.broadcast_to(np.asarray(value), (count,)) for name, value in connection_parameters.items()}
        for compartment in self._target_compartments(location_selector):
            for k, pre_index in enumerate(presynaptic_indices):
                attributes = {name: float(values[k]) for name, values in columns.items()}
                self.connections.append(
                    Connection(self, int(pre_index), int(postsynaptic_index), compartment=compartment, **attributes)
                )

    def _target_compartments(self, location_selector) -> list[int]:
        """The compartments of the target neurons that the synapses reach: the labelled ones of a
        multicompartment neuron (its first without a label), or the one compartment of any other."""
        celltype = self.post.celltype
        if isinstance(celltype, McNeuronBase):
            return [0] if location_selector is None else celltype.get_compartment_ids(location_selector)
        if location_selector is not None:
            raise ValueError(
                f"location_selector={location_selector!r}: {type(celltype).__name__} has a single compartment. "
                "Leave it out; locations are the compartment labels of multicompartment neurons (pynn.morphology)."
            )
        return [0]
