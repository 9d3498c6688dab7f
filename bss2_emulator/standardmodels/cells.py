"""The cell types of ``pynn_brainscales.brainscales2.standardmodels.cells``, on the emulated chip.

- ``HXNeuron``: the neuron circuit with all its parameters in hardware units (LSB, switches);
- ``CalibHXNeuronCuba`` and ``CalibHXNeuronCoba``: a neuron calibrated to targets in model units,
  with current- or conductance-based synaptic input (``bss2_emulator.chip.calibration``);
- ``SpikeSourceArray`` and ``SpikeSourcePoisson``: spikes played in by the FPGA;
- ``SpikeSourcePoissonOnChip``: the chip's own background spike generators.

Names, signatures, units, ranges and error texts follow the real library.
"""

from __future__ import annotations

import numpy as np
from pyNN.parameters import ArrayParameter
from pyNN.standardmodels import StandardCellType, build_translations, cells

from ..missing import module_getattr
from ..parameters import PARAMETERS, check_value

#: The technical voltages besides the membrane, read through the MADC.
ANALOG = ["v", "exc_synin", "inh_synin", "adaptation"]
ANALOG_UNITS = {name: "dimensionless" for name in ANALOG}


class HXNeuron(StandardCellType):
    """The BrainScaleS-2 neuron with all circuit parameters in hardware units (LSB, switches).

    Every name and value is checked against the hardware ranges when the cell
    type is created, so a typo or an out-of-range value fails at once with a
    message that names the parameter and its range. With ``pynn.setup(initial_config=...)``
    the chip's calibrated settings are the defaults, and the parameters given here override them.
    """

    default_parameters = {name: p.default for name, p in PARAMETERS.items()}
    translations = build_translations(*[(name, name) for name in PARAMETERS])
    recordable = ["spikes", *ANALOG]
    units = ANALOG_UNITS
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False  # current-based synapses: PyNN then checks the weight sign per receptor
    default_initial_values: dict = {}

    def __init__(self, **parameters) -> None:
        for name, value in parameters.items():
            check_value(name, value)
        self.user_parameters = dict(parameters)
        super().__init__(**parameters)


def _values(space, name: str) -> np.ndarray:
    """One parameter of a cell type as an array, without evaluating the parameter space in place."""
    values = space[name]
    values = np.asarray(values.evaluate(simplify=False) if hasattr(values, "evaluate") else values, dtype=float)
    return np.broadcast_to(values, space.shape).copy()  # one value per source, also for a population of one


def _check_range(celltype: str, name: str, value, low: float, high: float, unit: str) -> None:
    values = np.asarray(value, dtype=float)
    bad = values[(values < low) | (values > high)]
    if bad.size:
        raise ValueError(
            f"{celltype} parameter {name!r} = {bad.flat[0]:g} is out of range: calix calibrates it from "
            f"{low:g} to {high:g}{unit}."
        )


class CalibHXNeuronCuba(StandardCellType):
    """A neuron calibrated to targets, with current-based synaptic input.

    Potentials are in CADC units, times in µs of hardware time, as in ``pynn_brainscales``. The
    calibration runs when the network is prepared (``pynn.run``, or ``RunCommand.PREPARE``); on
    the chip that takes minutes, so scripts for the queue load a stored calibration instead
    (``pynn.helper.chip_from_nightly()``) where they can.
    """

    #: name -> (low, high, unit) of what calix can calibrate.
    RANGES = {
        "v_rest": (50, 160, ""),
        "v_reset": (50, 160, ""),
        "v_thresh": (50, 220, ""),
        "tau_m": (0.5, 60, " µs"),
        "tau_syn_E": (0.3, 30, " µs"),
        "tau_syn_I": (0.3, 30, " µs"),
        "cm": (0, 63, ""),
        "tau_refrac": (0.04, 32, " µs"),
        "i_synin_gm_E": (30, 800, ""),
        "i_synin_gm_I": (30, 800, ""),
        "synapse_dac_bias": (30, 1022, ""),
    }
    #: Technical parameters that are one setting of the whole chip.
    GLOBAL = {"i_synin_gm_E": "i_synin_gm_ex", "i_synin_gm_I": "i_synin_gm_in", "synapse_dac_bias": "synapse_dac_bias"}
    default_parameters = {
        "v_rest": 80.0, "v_reset": 70.0, "v_thresh": 125.0, "tau_m": 10.0, "tau_syn_E": 10.0, "tau_syn_I": 10.0,
        "cm": 63, "tau_refrac": 2.0, "i_synin_gm_E": 500, "i_synin_gm_I": 500, "synapse_dac_bias": 600,
    }  # fmt: skip
    units = {
        **{name: "dimensionless" for name in ("v_rest", "v_reset", "v_thresh", "cm")},
        **{name: "us" for name in ("tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac")},
        **{name: "dimensionless" for name in ("i_synin_gm_E", "i_synin_gm_I", "synapse_dac_bias")},
        **ANALOG_UNITS,
    }
    recordable = ["spikes", *ANALOG]
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
    default_initial_values: dict = {}

    def __init__(self, **parameters) -> None:
        for name, value in parameters.items():
            if name in self.RANGES:
                _check_range(type(self).__name__, name, value, *self.RANGES[name])
        super().__init__(**parameters)

    def _archive(self, name: str):
        try:
            return self.__dict__[f"_{name}"]
        except KeyError:
            raise AttributeError(f"{name} only available after pynn.preprocess() or pynn.run() call.") from None

    @property
    def calib_target(self):
        """The targets of the last calibration."""
        return self._archive("calib_target")

    @property
    def calib_hwparams(self):
        """The HXNeuron settings the last calibration found, one dict per neuron."""
        return self._archive("calib_hwparams")

    @property
    def actual_hwparams(self):
        """The HXNeuron settings the neurons run with, one dict per neuron."""
        return tuple(self._archive("actual_hwparams"))


CalibHXNeuronCuba.translations = build_translations(*[(n, n) for n in CalibHXNeuronCuba.default_parameters])


class CalibHXNeuronCoba(CalibHXNeuronCuba):
    """A neuron calibrated to targets, with conductance-based synaptic input (reversal potentials in CADC units)."""

    #: calix accepts any reversal potential, also beyond the CADC's range (the defaults are): it extrapolates.
    RANGES = {**CalibHXNeuronCuba.RANGES, "e_rev_E": (-np.inf, np.inf, ""), "e_rev_I": (-np.inf, np.inf, "")}
    default_parameters = {
        "v_rest": 110.0, "v_reset": 100.0, "v_thresh": 160.0, "tau_m": 10.0, "tau_syn_E": 10.0, "tau_syn_I": 10.0,
        "cm": 63, "tau_refrac": 2.0, "e_rev_E": 300.0, "e_rev_I": 30.0, "i_synin_gm_E": 180, "i_synin_gm_I": 250,
        "synapse_dac_bias": 400,
    }  # fmt: skip
    units = {**CalibHXNeuronCuba.units, "e_rev_E": "dimensionless", "e_rev_I": "dimensionless"}
    conductance_based = True


CalibHXNeuronCoba.translations = build_translations(*[(n, n) for n in CalibHXNeuronCoba.default_parameters])


class SpikeSourceArray(cells.SpikeSourceArray):
    """Spikes played into the chip by the FPGA at the given times (ms)."""

    default_parameters = {"spike_times": ArrayParameter([])}
    translations = build_translations(("spike_times", "spike_times"))
    recordable: list[str] = []


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    """Poisson spikes from the host, played in by the FPGA: ``start`` and ``duration`` in ms, ``rate`` in Hz.

    As in ``pynn_brainscales``, the spike times are drawn with numpy's global random state when the
    network is first run and kept until a parameter changes, so every target receives the same train.
    """

    translations = build_translations(("start", "start"), ("rate", "rate"), ("duration", "duration"))
    recordable: list[str] = []

    def __init__(self, start, rate, duration) -> None:
        super(cells.SpikeSourcePoisson, self).__init__(start=start, rate=rate, duration=duration)
        self._spike_times: list[np.ndarray] | None = None
        self._used: dict[str, np.ndarray] | None = None

    def get_spike_times(self) -> list[np.ndarray]:
        """The spike times (ms) of each source, drawn anew only where a parameter changed."""
        space = self.parameter_space
        now = {name: _values(space, name) for name in ("start", "rate", "duration")}
        size = len(now["start"])
        if self._spike_times is None:
            self._used = {name: np.full(size, np.nan) for name in ("start", "rate", "duration")}
            self._spike_times = [np.zeros(0)] * size
        changed = np.zeros(size, bool)
        for name, values in now.items():
            changed |= values != self._used[name]
        for index in np.flatnonzero(changed):
            count = np.random.poisson(int(now["duration"][index] * now["rate"][index] / 1000))
            self._spike_times[index] = now["start"][index] + np.random.rand(count) * now["duration"][index]
        self._used = now
        return self._spike_times


class SpikeSourcePoissonOnChip(StandardCellType):
    """The chip's background spike generators: Poisson-like spikes at ``rate`` (Hz), repeatable by ``seed``.

    A generator emits on a clock tick with a probability and a period that the hardware stores in 8 and
    16 bits, so the realized rate is the nearest the registers allow; the events of one population
    are spread over its sources at random.
    """

    default_parameters = {"rate": 1.0, "seed": 0}
    units = {"rate": "Hz", "seed": "dimensionless"}
    translations = build_translations(("rate", "rate"), ("seed", "seed"))
    recordable: list[str] = []
    #: The generators' clock (Hz; an assumption: the chip's 125 MHz).
    CLOCK_HZ = 125e6

    def __init__(self, rate, seed) -> None:
        super().__init__(rate=rate, seed=seed)

    def spike_times_us(self, until_us: float) -> list[np.ndarray]:
        """The spike times (µs) of each source of the population, from 0 to ``until_us``."""
        rate, seed = _values(self.parameter_space, "rate"), _values(self.parameter_space, "seed")
        if not (np.all(rate == rate[0]) and np.all(seed == seed[0])):
            raise ValueError("SpikeSourcePoissonOnChip: all sources of a population share one rate and one seed.")
        size = len(rate)
        total = rate[0] * size
        if total > self.CLOCK_HZ:
            raise RuntimeError(
                "The chosen Poisson rate can not be realized on hardware. The product of rate and number of "
                "neurons is too high in this population."
            )
        if total <= 0:
            return [np.zeros(0)] * size
        value = round(255 * total / self.CLOCK_HZ)
        probability = (value + 1) / 256
        period = max(round(self.CLOCK_HZ / total * probability) - 1, 0)
        tick_us = (period + 1) / self.CLOCK_HZ * 1e6
        rng = np.random.default_rng(int(seed[0]))
        ticks = np.arange(tick_us, until_us, tick_us)
        emitted = ticks[rng.random(ticks.size) < probability]
        owner = rng.integers(0, size, emitted.size)
        return [emitted[owner == index] for index in range(size)]


__all__ = [
    "CalibHXNeuronCoba",
    "CalibHXNeuronCuba",
    "HXNeuron",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "SpikeSourcePoissonOnChip",
]
__getattr__ = module_getattr("pynn_brainscales.brainscales2.standardmodels.cells")
