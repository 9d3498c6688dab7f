"""Cell and synapse types of the emulated chip (``pynn_brainscales.brainscales2.standardmodels``)."""

from . import cells, synapses

__all__ = ["cells", "synapses"]
