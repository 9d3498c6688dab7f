"""Multicompartment neurons: a cell type whose compartments are groups of chip circuits, coupled by conductances.

``create_mc_neuron`` makes the cell type from compartments and shared-line connections. On the
emulated chip each compartment is one node: its circuits' capacitances add, and so do their leak
conductances, while its threshold, reset and synaptic input are those of its first circuit. Nodes
are coupled where the chip couples them:

- a circuit connected to the shared line through a conductance (``connect_conductance``) couples its
  compartment to whatever is directly on that stretch of the line, with the circuit's
  ``multicompartment_i_bias_nmda`` setting the conductance;
- a stretch of the line that no compartment touches directly joins the conductances that meet on it
  as a star, which acts on the compartments as a mesh of conductances;
- two compartments both directly on one stretch are shorted together.

Recording and input take a compartment's label as location (``record(..., locations=[label])``,
``AllToAllConnector(location_selector=label)``). Spikes come from the first compartment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyNN.standardmodels import StandardCellType, build_translations

from ..chip.model import MAX_CONDUCTANCE_NS, MC_NS_PER_LSB, limited
from ..parameters import PARAMETERS
from ..standardmodels.cells import ANALOG, ANALOG_UNITS
from .parameters import McCircuitParameters
from .parts import Compartment, SharedLineConnection

#: Columns of neuron circuits in one row of the chip; a position counts along the row, then on to the next.
COLUMNS = 256
#: What the settings of all but the first circuit of each compartment become with ``single_active_circuit``.
SINGLE_ACTIVE = {"leak_i_bias": 0.0, "leak_enable_division": 1.0, "leak_enable_multiplication": 0.0,
                 "membrane_capacitance_capacitance": 0.0, "threshold_enable": 0.0}  # fmt: skip


@dataclass(frozen=True)
class Link:
    """A coupling: ``kind`` "conductance" (compartments ``a`` and ``b`` through circuit ``circuit``), "short"
    (``a`` and ``b`` on one stretch of the line), or "star" (``star``: (compartment, circuit) pairs)."""

    kind: str
    a: int = -1
    b: int = -1
    circuit: int = -1
    star: tuple[tuple[int, int], ...] = ()


class _Groups:
    """Union-find over the nodes of the morphology: compartments and stretches of the shared line."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, node):
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a, b) -> None:
        self.parent[self.find(a)] = self.find(b)


def _links(compartments: list[Compartment], connections: list[SharedLineConnection]) -> list[Link]:
    """How the compartments are coupled, from where their circuits meet the shared line."""
    circuit_of = {}
    for index, position in enumerate(p for c in compartments for p in c.positions):
        circuit_of[position] = index
    groups = _Groups()
    for start, stop, row in connections:
        for column in range(min(start, stop), max(start, stop)):
            groups.join(("line", row, column), ("line", row, column + 1))
    for number, compartment in enumerate(compartments):
        for position in compartment.connect_shared_line:
            groups.join(("compartment", number), ("line", position // COLUMNS, position % COLUMNS))
    members: dict = {}
    for number in range(len(compartments)):
        members.setdefault(groups.find(("compartment", number)), []).append(number)
    links = [Link("short", shorted[0], other) for shorted in members.values() for other in shorted[1:]]
    floating: dict = {}
    for number, compartment in enumerate(compartments):
        for position, _ in compartment.connect_conductance:
            group = groups.find(("line", position // COLUMNS, position % COLUMNS))
            circuit = circuit_of[position]
            if group in members:
                links += [Link("conductance", number, other, circuit) for other in members[group] if other != number]
            else:
                floating.setdefault(group, []).append((number, circuit))
    links += [Link("star", star=tuple(ends)) for ends in floating.values() if len(ends) > 1]
    return links


class McNeuronBase(StandardCellType):
    """A multicompartment neuron in hardware units; ``create_mc_neuron`` makes its subclasses."""

    compartments: dict[int, Compartment] = {}
    links: list[Link] = []
    single_active_circuit = False
    default_parameters = {name: p.default for name, p in PARAMETERS.items()}
    translations = build_translations(*[(name, name) for name in PARAMETERS])
    recordable = ["spikes", *ANALOG]
    units = ANALOG_UNITS
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
    injectable = False
    default_initial_values: dict = {}

    def __init__(self, **parameters) -> None:
        unknown = sorted(set(parameters) - set(PARAMETERS))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no parameter {unknown[0]!r}: its parameters are HXNeuron's.")
        self.user_parameters = dict(parameters)
        super().__init__(**{k: v for k, v in parameters.items() if not isinstance(v, McCircuitParameters)})

    def can_record(self, variable: str, location=None) -> bool:
        return variable in self.recordable and (location is None or location in self.get_labels())

    @classmethod
    def get_labels(cls) -> list[str]:
        """The compartments' labels, in order."""
        return [compartment.label for compartment in cls.compartments.values()]

    @classmethod
    def get_compartment_ids(cls, labels) -> list[int]:
        """The compartments with these labels; a ``ValueError`` names a label no compartment has."""
        labels = [labels] if isinstance(labels, str) else list(labels)
        found = []
        for label in labels:
            matching = [number for number, c in cls.compartments.items() if c.label == label]
            if not matching:
                raise ValueError(f"No compartment is labelled {label!r}: the labels are {cls.get_labels()}.")
            found += matching
        return found

    @classmethod
    def circuits(cls) -> list[int]:
        """The positions of all circuits, compartment after compartment."""
        return [position for compartment in cls.compartments.values() for position in compartment.positions]

    @classmethod
    def compartment_of_circuit(cls) -> np.ndarray:
        return np.concatenate([np.full(c.size, n) for n, c in cls.compartments.items()])

    def circuit_parameters(self, size: int, calibrated: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Every parameter as a (size, circuits) array: defaults (or the calibration's, per circuit), then the
        compartments' own values, then the user's, then the single-active-circuit rule."""
        n = len(self.circuits())
        values = {name: np.full((size, n), float(p.default)) for name, p in PARAMETERS.items()}
        for name, per_circuit in (calibrated or {}).items():
            values[name][:] = per_circuit
        start = 0
        for compartment in self.compartments.values():
            for name, value in compartment.parameters.items():
                values[name][:, start : start + compartment.size] = value
            start += compartment.size
        for name, value in self.user_parameters.items():
            values[name][:] = value.flat() if isinstance(value, McCircuitParameters) else value
        if self.single_active_circuit:
            first = np.zeros(n, bool)
            first[np.cumsum([0, *[c.size for c in self.compartments.values()]])[:-1]] = True
            for name, value in SINGLE_ACTIVE.items():
                values[name][:, ~first] = value
        return values


def _effective(bias: np.ndarray, multiply: np.ndarray, divide: np.ndarray) -> np.ndarray:
    return bias * np.where(multiply > 0, 8.0, 1.0) / np.where(divide > 0, 8.0, 1.0)


def compartment_settings(celltype: type[McNeuronBase], circuits: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One neuron's settings per compartment (from its per-circuit ``circuits``): the first circuit's, with the
    capacitances and leak conductances of all its circuits added up."""
    owner = celltype.compartment_of_circuit()
    first = np.array([np.flatnonzero(owner == n)[0] for n in celltype.compartments])
    settings = {name: values[first].copy() for name, values in circuits.items()}
    leak = _effective(circuits["leak_i_bias"], circuits["leak_enable_multiplication"], circuits["leak_enable_division"])
    settings["leak_i_bias"] = np.bincount(owner, leak, len(first))
    settings["leak_enable_multiplication"][:] = 0
    settings["leak_enable_division"][:] = 0
    settings["membrane_capacitance_capacitance"] = np.bincount(
        owner, circuits["membrane_capacitance_capacitance"], len(first)
    )
    return settings


def couplings(celltype: type[McNeuronBase], circuits: dict[str, np.ndarray]) -> list[tuple[int, int, float]]:
    """One neuron's couplings between compartments: (compartment a, compartment b, conductance in nS)."""
    bias = _effective(
        circuits["multicompartment_i_bias_nmda"],
        circuits["multicompartment_enable_conductance_multiplication"],
        circuits["multicompartment_enable_conductance_division"],
    )
    conductance = limited(MC_NS_PER_LSB * bias)
    found = []
    for link in celltype.links:
        if link.kind == "short":
            found.append((link.a, link.b, MAX_CONDUCTANCE_NS))
        elif link.kind == "conductance":
            found.append((link.a, link.b, float(conductance[link.circuit])))
        else:  # a star of conductances on a floating stretch of the line acts as a mesh between its ends
            total = sum(float(conductance[circuit]) for _, circuit in link.star)
            for i, (a, circuit_a) in enumerate(link.star):
                for b, circuit_b in link.star[i + 1 :]:
                    if total > 0:
                        found.append((a, b, float(conductance[circuit_a]) * float(conductance[circuit_b]) / total))
    return found


def create_mc_neuron(
    name: str,
    compartments: list[Compartment],
    connections: list[SharedLineConnection] | None = None,
    single_active_circuit: bool = False,
) -> type[McNeuronBase]:
    """A multicompartment cell type called ``name`` with these compartments and shared-line connections;
    ``single_active_circuit`` leaves leak, capacitance and threshold to the first circuit of each compartment."""
    if not isinstance(compartments, (list, tuple)) or not all(isinstance(c, Compartment) for c in compartments):
        raise TypeError("The `compartments` argument needs to be a sequence of Compartments (List, Tuple, ...).")
    if not compartments:
        raise RuntimeError("A multi-compartment neuron class has to have at least one compartment.")
    connections = list(connections or [])
    if not all(isinstance(c, SharedLineConnection) for c in connections):
        raise TypeError("The `connections` argument needs to be a sequence of SharedLineConnection (List, Tuple, ...)")
    positions = [p for c in compartments for p in c.positions]
    if len(set(positions)) != len(positions):
        raise ValueError("A neuron circuit belongs to two compartments: every position may appear once.")
    for compartment in compartments:  # a conductance's setting is the compartment's own parameter, per circuit
        if compartment.connect_conductance:
            bias = np.zeros(compartment.size)
            bias[:] = compartment.parameters.get("multicompartment_i_bias_nmda", 0)
            for position, value in compartment.connect_conductance:
                bias[compartment.positions.index(position)] = value
            compartment.parameters["multicompartment_i_bias_nmda"] = bias
    return type(
        name,
        (McNeuronBase,),
        {
            "compartments": dict(enumerate(compartments)),
            "links": _links(compartments, connections),
            "single_active_circuit": single_active_circuit,
            "__module__": __name__,
        },
    )
