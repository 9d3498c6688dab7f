"""Populations of chip neurons or spike sources (compare ``pyNN/mock/populations.py``)."""

from __future__ import annotations

import numpy as np
from pyNN import common
from pyNN.parameters import ParameterSpace, simplify

from . import simulator
from .morphology import McCircuitParameters, McNeuronBase
from .parameters import check_value
from .recording import Recorder
from .standardmodels.cells import CalibHXNeuronCuba, HXNeuron, _check_range


def _check(celltype, name: str, values) -> None:
    if isinstance(celltype, (HXNeuron, McNeuronBase)):
        check_value(name, values)
    elif isinstance(celltype, CalibHXNeuronCuba) and name in celltype.RANGES:
        _check_range(type(celltype).__name__, name, values, *celltype.RANGES[name])


def _sync_celltype(population) -> None:
    """Keep the cell type's parameters in step with the population's: the calibration and the spike sources
    read them there, as in pynn_brainscales. A multicompartment neuron's are per circuit and stay with it."""
    if isinstance(population.celltype, McNeuronBase):
        return
    population.celltype.parameter_space = ParameterSpace(dict(population._parameters), shape=(population.size,))


def _assign(population, name: str, cells, values) -> None:
    """Set a parameter of some cells; a multicompartment neuron's value goes to each of its circuits."""
    if isinstance(population.celltype, McNeuronBase):
        values = np.asarray(values, dtype=float)
        population._parameters[name][cells] = values[..., None] if values.ndim else values
    elif isinstance(cells, slice) and np.ndim(values) > 0:
        population._parameters[name] = values
    else:
        # One value for a view of every cell (its mask a slice), or values for some cells: set them in a copy, as
        # floats, so that fractions survive and the parameter stays an array over the population.
        changed = np.array(population._parameters[name], dtype=float)
        changed[cells] = values
        population._parameters[name] = changed


def _circuit_values(population, name: str, cells) -> list:
    """A multicompartment parameter as the library gives it: per cell, its circuits' values by compartment."""
    bounds = np.cumsum([c.size for c in population.celltype.compartments.values()])[:-1]
    return [McCircuitParameters(np.split(row, bounds)) for row in population._parameters[name][cells]]


class Assembly(common.Assembly):
    _simulator = simulator


class _RecordingDevice:
    """``record(..., device=...)``, as in pynn_brainscales: the MADC (default), or a pad of the chip's board."""

    def record(self, variables, to_file=None, sampling_interval=None, locations=None, *, device: str = "madc"):
        with self.recorder.device(device):
            super().record(variables, to_file, sampling_interval, locations)


class PopulationView(_RecordingDevice, common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        if isinstance(self.celltype, McNeuronBase):
            return ParameterSpace({n: _circuit_values(self.parent, n, self.mask) for n in names}, shape=(self.size,))
        values = {name: simplify(self.parent._parameters[name][self.mask]) for name in names}
        return ParameterSpace(values, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        for name, value in parameter_space.items():
            values = value.evaluate(simplify=True)
            _check(self.celltype, name, values)
            _assign(self.parent, name, self.mask, values)
        _sync_celltype(self.parent)

    def _set_initial_value_array(self, variable, initial_values):
        pass

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(_RecordingDevice, common.Population):
    """A group of chip neurons or spike sources sharing a cell type (see ``pyNN.common.Population``)."""

    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        state = simulator.state
        ids = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(i) for i in ids], dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        self._parameters = parameter_space.as_dict()
        if isinstance(self.celltype, McNeuronBase):
            self._place_compartments(state)
        elif isinstance(self.celltype, (HXNeuron, CalibHXNeuronCuba)):
            self._place(state)
        _sync_celltype(self)
        for cell in self.all_cells:
            cell.parent = self
        state.id_counter += self.size
        state.populations.append(self)

    def _place(self, state) -> None:
        """Take the next chip neurons (in ``neuronPermutation`` order) and, with ``initial_config``, their settings."""
        free = len(state.placement) - state.chip_neurons_used
        if self.size > free:
            raise ValueError(
                f"The chip has {len(state.placement)} neurons available and {state.chip_neurons_used} are in use: "
                f"a population of {self.size} does not fit. Use fewer neurons."
            )
        used = state.chip_neurons_used
        self.chip_indices = np.array(state.placement[used : used + self.size])
        state.chip_neurons_used += self.size
        if state.initial_config is not None and isinstance(self.celltype, HXNeuron):
            for name, values in state.initial_config.neurons.items():
                if name not in self.celltype.user_parameters:
                    self._parameters[name] = np.asarray(values, dtype=float)[self.chip_indices]

    def _place_compartments(self, state) -> None:
        """A multicompartment neuron takes a block of circuits, as wide as its morphology; its parameters are
        kept per circuit, (size, circuits), starting from the calibration's settings of those circuits."""
        width = max(self.celltype.circuits()) + 1
        free = len(state.placement) - state.chip_neurons_used
        if self.size * width > free:
            raise ValueError(
                f"A {type(self.celltype).__name__} takes {width} neuron circuits and {free} are free: a population "
                f"of {self.size} does not fit. Use fewer neurons."
            )
        used = state.chip_neurons_used
        blocks = np.array(state.placement[used : used + self.size * width]).reshape(self.size, width)
        self.circuit_indices = blocks[:, self.celltype.circuits()]  # (size, circuits): chip neuron of each circuit
        self.chip_indices = self.circuit_indices[:, 0]
        state.chip_neurons_used += self.size * width
        calibrated = None
        if state.initial_config is not None:
            calibrated = {
                name: np.asarray(v, float)[self.circuit_indices] for name, v in state.initial_config.neurons.items()
            }
        self._parameters = self.celltype.circuit_parameters(self.size, calibrated)

    def _set_initial_value_array(self, variable, initial_values):
        pass

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        if isinstance(self.celltype, McNeuronBase):
            return ParameterSpace({n: _circuit_values(self, n, slice(None)) for n in names}, shape=(self.size,))
        return ParameterSpace({name: simplify(self._parameters[name]) for name in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            _check(self.celltype, name, value)
            _assign(self, name, slice(None), value)
        _sync_celltype(self)
