"""``HXNeuron``, the BrainScaleS-2 neuron circuit, and the off-chip ``SpikeSourceArray``."""

from __future__ import annotations

from pyNN.standardmodels import StandardCellType, build_translations, cells

from ..parameters import PARAMETERS, check_value


class HXNeuron(StandardCellType):
    """The BrainScaleS-2 neuron with all circuit parameters in hardware units (LSB, switches).

    Every name and value is checked against the hardware ranges when the cell
    type is created, so a typo or an out-of-range value fails at once with a
    message that names the parameter and its range.
    """

    default_parameters = {name: p.default for name, p in PARAMETERS.items()}
    translations = build_translations(*[(name, name) for name in PARAMETERS])
    recordable = ["spikes", "v", "exc_synin", "inh_synin", "adaptation"]
    units = {
        "v": "dimensionless",
        "exc_synin": "dimensionless",
        "inh_synin": "dimensionless",
        "adaptation": "dimensionless",
    }
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False  # current-based synapses: PyNN then checks the weight sign per receptor
    default_initial_values: dict = {}

    def __init__(self, **parameters) -> None:
        for name, value in parameters.items():
            check_value(name, value)
        super().__init__(**parameters)


class SpikeSourceArray(cells.SpikeSourceArray):
    """Spikes played into the chip by the FPGA at the given times (ms)."""

    translations = build_translations(("spike_times", "spike_times"))


__all__ = ["HXNeuron", "SpikeSourceArray"]
