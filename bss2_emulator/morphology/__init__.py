"""``pynn_brainscales.brainscales2.morphology`` on the emulator: multicompartment neurons."""

from .neuron import McNeuronBase, create_mc_neuron
from .parameters import McCircuitParameters
from .parts import Compartment, SharedLineConnection

__all__ = ["Compartment", "McCircuitParameters", "McNeuronBase", "SharedLineConnection", "create_mc_neuron"]
