"""Calibration of the emulated chip: per-neuron HXNeuron settings that hit targets, as calix finds them.

calix measures every neuron and searches, parameter by parameter, for the DAC setting that brings
it to its target: first the membrane time constant (leak bias), then the leak potential, the reset
plateau, the threshold, the synaptic time constants and strengths, all with the OTAs' degeneration on,
so that they settle at their references. On the emulated chip the transfer curves and every neuron's
deviations are known, so each search is an inversion of ``chip``'s curves. What remains is what
limits calix on the chip as well:

- settings are whole numbers within their range, so targets are met to a DAC step;
- every measurement is noisy, so each neuron keeps a small error (``NOISE``);
- calix measures through the CADC, so the MADC still sees each neuron's readout offset.

The synapse DAC bias is one setting of the whole chip (``chip.neuron_model`` applies it): ``synapse_dac_bias``
below returns the one in force.

Potentials are in CADC units, as in ``pynn_brainscales``: an 8-bit converter over the same span as
the MADC (an assumption; the library states no scale).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from ..config import chip_seed
from ..parameters import PARAMETERS
from .model import (
    BIAS_REFERENCE_LSB,
    CAPACITANCE_PF,
    LEAK_MV,
    LEAK_NS_AT_REFERENCE,
    MAX_CONDUCTANCE_NS,
    N_NEURONS,
    REFRACTORY_TICK_US,
    RESET_MV,
    SYN_TAU_US_AT_REFERENCE,
    SYNAPSE_DAC_BIAS_MAX,
    THRESHOLD_MV,
    Mismatch,
    draw_mismatch,
    neuron_model,
)

CADC_MV_PER_LSB = 1200.0 / 256.0
#: What calix leaves after it converged: potentials in mV, time constants relative (standard deviations).
NOISE = {"potential_mv": 1.0, "time_constant": 0.02}
#: The targets of the nightly calibration (those of ``CalibHXNeuronCuba``'s defaults).
NIGHTLY = {
    "v_rest": 80, "v_reset": 70, "v_thresh": 125, "tau_m": 10, "tau_syn_E": 10, "tau_syn_I": 10, "cm": 63,
    "tau_refrac": 2, "i_synin_gm_E": 500, "i_synin_gm_I": 500, "synapse_dac_bias": 600,
}  # fmt: skip


#: The targets of calix's integrator ("hagen") mode, for multiply-accumulate operation: the membrane rests
#: at the leak target, integrates its input with the leak off and no threshold, and is reset to the same
#: level before every run. Short synaptic time constants, so that the integral forms quickly (assumptions
#: of the same kind as the nightly ones: calix's hagen defaults are not stated in the public material used).
HAGEN = {**NIGHTLY, "v_rest": 120, "v_reset": 120, "tau_syn_E": 1, "tau_syn_I": 1, "synapse_dac_bias": 800}
MODES = {"spiking": NIGHTLY, "hagen": HAGEN}


@dataclass
class Chip:
    """A calibration of the emulated chip (``pynn.helper.chip_from_nightly()``): settings for all 512 neurons.

    Pass it as ``pynn.setup(initial_config=chip)``: HXNeurons then take these settings, and the
    parameters given to ``HXNeuron(...)`` override them. ``reset_at_start``: the neurons are reset to
    their reset potential before every run (the integrator mode, whose membrane would float otherwise).
    """

    seed: int
    neurons: dict[str, np.ndarray]
    synapse_dac_bias: float = NIGHTLY["synapse_dac_bias"]
    mode: str = "spiking"
    reset_at_start: bool = False


def _dac(value: np.ndarray, high: int = 1022, low: int = 0) -> np.ndarray:
    """Whole DAC settings within range."""
    return np.clip(np.round(value), low, high)


#: How far a calibrated neuron may miss its target before it is reported: a few times calix's own error.
MISS = {"potential_mv": 5.0, "time_constant": 0.1}
#: target -> (what the emulated neuron reaches, in the target's unit, the unit, the setting at its end of range).
_REACHED = {
    "v_rest": (lambda m: m.e_leak / CADC_MV_PER_LSB, "", "leak_v_leak"),
    "v_reset": (lambda m: m.v_plateau / CADC_MV_PER_LSB, "", "reset_v_reset"),
    "v_thresh": (lambda m: m.v_threshold / CADC_MV_PER_LSB, "", "threshold_v_threshold"),
    "tau_m": (lambda m: m.tau_mem, " µs", "leak_i_bias"),
    "tau_syn_E": (lambda m: m.tau_exc, " µs", "excitatory_input_i_bias_tau"),
    "tau_syn_I": (lambda m: m.tau_inh, " µs", "inhibitory_input_i_bias_tau"),
    "tau_refrac": (lambda m: m.t_refractory, " µs", "refractory_period_refractory_time"),
}


def missed_targets(
    targets: dict[str, np.ndarray], settings: dict[str, np.ndarray], chip_index: np.ndarray, mismatch: Mismatch
) -> list[str]:
    """Each target that some neuron misses with these settings: its value, what is reached and why."""
    model = neuron_model(settings, chip_index, mismatch)
    found = []
    for name, (reached_of, unit, setting) in _REACHED.items():
        want = np.broadcast_to(np.asarray(targets[name], float), (len(chip_index),))
        reached = reached_of(model)
        if unit:
            miss = np.abs(reached / want - 1) > MISS["time_constant"]
        else:
            miss = np.abs(reached - want) * CADC_MV_PER_LSB > MISS["potential_mv"]
        if miss.any():
            worst = int(np.argmax(np.abs(reached - want) * miss))
            found.append(
                f"{name}={want[worst]:g}{unit} is out of reach: the emulated chip reaches {reached[worst]:.3g}{unit} "
                f"with {setting} at the end of its range ({int(miss.sum())} of {miss.size} neurons)"
            )
    return found


def calibrate(targets: dict[str, np.ndarray], chip_index: np.ndarray, mismatch: Mismatch, seed: int):
    """HXNeuron settings (name -> one value per neuron) that bring the neurons at ``chip_index`` to ``targets``,
    as close as their ranges allow (``missed_targets`` names what they miss)."""
    n = len(chip_index)
    rng = np.random.default_rng([seed, 0xCA11B])
    noise = rng.normal(size=(6, N_NEURONS))[:, chip_index]
    dev = {name: getattr(mismatch, name)[chip_index] for name in Mismatch.__dataclass_fields__}
    target = {name: np.broadcast_to(np.asarray(value, float), (n,)) for name, value in targets.items()}

    def potential(name: str, row: int) -> np.ndarray:
        return target[name] * CADC_MV_PER_LSB + NOISE["potential_mv"] * noise[row]

    def time_constant(name: str, row: int) -> np.ndarray:
        return target[name] * (1 + NOISE["time_constant"] * noise[row])

    settings = {name: np.full(n, float(p.default)) for name, p in PARAMETERS.items()}
    cm = _dac(target["cm"], 63)
    capacitance = (CAPACITANCE_PF[0] + CAPACITANCE_PF[1] * cm) * dev["capacitance"]
    # The leak bias for tau_m: invert the limited square-law transconductor, then pick the range switch.
    g_leak = np.minimum(capacitance / time_constant("tau_m", 0) * 1e3, 0.95 * MAX_CONDUCTANCE_NS)
    unlimited = g_leak * MAX_CONDUCTANCE_NS / (MAX_CONDUCTANCE_NS - g_leak) / (LEAK_NS_AT_REFERENCE * dev["g_leak"])
    bias = BIAS_REFERENCE_LSB * np.sqrt(unlimited)
    multiply, divide = bias > 1022, bias < BIAS_REFERENCE_LSB / np.sqrt(8)
    leak_bias = _dac(bias / np.sqrt(np.where(multiply, 8.0, np.where(divide, 1 / 8, 1.0))), low=1)
    # calix's configuration enables the OTAs' degeneration, so the leak and reset settle at their references.
    v_leak = potential("v_rest", 1)
    v_reset = potential("v_reset", 2)
    refractory = time_constant("tau_refrac", 3)
    slow = refractory > 255 * REFRACTORY_TICK_US[0]
    counts = refractory / np.where(slow, REFRACTORY_TICK_US[1], REFRACTORY_TICK_US[0])
    settings.update(
        membrane_capacitance_capacitance=cm,
        leak_i_bias=leak_bias,
        leak_enable_multiplication=multiply.astype(float),
        leak_enable_division=divide.astype(float),
        leak_v_leak=_dac((v_leak - dev["leak"] - LEAK_MV[0]) / LEAK_MV[1]),
        leak_enable_degeneration=np.ones(n),
        reset_enable_degeneration=np.ones(n),
        reset_i_bias=np.full(n, 1022.0),
        reset_enable_multiplication=np.ones(n),
        reset_v_reset=_dac((v_reset - dev["reset"] - RESET_MV[0]) / RESET_MV[1]),
        threshold_enable=np.ones(n),
        threshold_v_threshold=_dac((potential("v_thresh", 4) - dev["threshold"] - THRESHOLD_MV[0]) / THRESHOLD_MV[1]),
        refractory_period_refractory_time=_dac(counts, 255, 1),
        refractory_period_input_clock=slow.astype(float),
    )
    for kind, suffix, tau_dev, gain_dev in (("excitatory", "E", "tau_exc", "gain_exc"), ("inhibitory", "I", "tau_inh",
                                                                                          "gain_inh")):  # fmt: skip
        tau = time_constant(f"tau_syn_{suffix}", 5)
        settings[f"{kind}_input_enable"] = np.ones(n)
        bias = BIAS_REFERENCE_LSB * np.sqrt(SYN_TAU_US_AT_REFERENCE * dev[tau_dev] / tau)
        settings[f"{kind}_input_i_bias_tau"] = _dac(bias, low=1)
        settings[f"{kind}_input_i_bias_gm"] = _dac(target[f"i_synin_gm_{suffix}"] / dev[gain_dev])
    return settings


def _targets(population) -> dict[str, np.ndarray]:
    return {name: np.asarray(values, dtype=float) for name, values in population._parameters.items()}


#: The (population, target) pairs this job process has warned about.
_WARNED: set[tuple[str, str]] = set()


def hxneuron_parameters(population, mismatch: Mismatch) -> dict[str, np.ndarray]:
    """Calibrate a ``CalibHXNeuronCuba``/``Coba`` population and keep the archives the real cell type offers."""
    targets = _targets(population)
    celltype = population.celltype
    for name, text in celltype.GLOBAL.items():
        if np.unique(targets[name]).size > 1:
            raise AttributeError(f"{text} requires same value for all neurons")
    settings = calibrate(targets, population.chip_indices, mismatch, chip_seed())
    for missed in missed_targets(targets, settings, population.chip_indices, mismatch):
        about = (population.label, missed.split("=")[0])
        if about not in _WARNED:  # once per population and target, however many runs calibrate it
            _WARNED.add(about)
            print(f"Calibration warning ({population.label}): {missed}.", file=sys.stderr)
    per_neuron = [{name: float(values[i]) for name, values in settings.items()} for i in range(population.size)]
    celltype._calib_target = targets
    celltype._calib_hwparams = per_neuron
    celltype._actual_hwparams = per_neuron
    return settings


def reversal_potentials(population) -> np.ndarray:
    """(3, size) mV of a conductance-based population: the excitatory and inhibitory reversal potentials and the
    reference potential, where the input has its current-based strength (calix: midway between leak and
    threshold); NaN for current-based populations."""
    if not getattr(population.celltype, "conductance_based", False) or not hasattr(population.celltype, "RANGES"):
        return np.full((3, population.size), np.nan)
    targets = _targets(population)
    reference = (targets["v_rest"] + targets["v_thresh"]) / 2
    return np.stack([targets["e_rev_E"], targets["e_rev_I"], reference]) * CADC_MV_PER_LSB


def synapse_dac_bias(state) -> float:
    """The chip-wide synapse DAC bias: a calibrated population's, else the initial configuration's, else full."""
    for population in state.populations:
        if hasattr(population.celltype, "GLOBAL"):
            return float(np.asarray(population._parameters["synapse_dac_bias"]).flat[0])
    if state.initial_config is not None:
        return state.initial_config.synapse_dac_bias
    return SYNAPSE_DAC_BIAS_MAX


def integrator(settings: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Spiking settings turned into calix's integrator mode: no leak and no threshold, so that the membrane holds
    its integral (the degenerated OTAs carry no offset that would make it drift)."""
    n = len(settings["leak_i_bias"])
    return {
        **settings,
        "leak_i_bias": np.zeros(n),
        "leak_enable_multiplication": np.zeros(n),
        "leak_enable_division": np.zeros(n),
        "threshold_enable": np.zeros(n),
    }


def calibrated_chip(mode: str = "spiking", targets: dict | None = None) -> Chip:
    """The emulated chip (``BSS2_EMULATOR_SEED``) calibrated in ``mode`` to ``targets`` (default: the mode's)."""
    if mode not in MODES:
        raise ValueError(f"No calibration mode {mode!r}: the emulator calibrates in the modes {', '.join(MODES)}.")
    chosen = {**MODES[mode], **(targets or {})}
    seed = chip_seed()
    settings = calibrate(chosen, np.arange(N_NEURONS), draw_mismatch(seed), seed)
    if mode == "hagen":
        settings = integrator(settings)
    return Chip(seed, settings, float(chosen["synapse_dac_bias"]), mode, reset_at_start=mode == "hagen")


def nightly() -> Chip:
    """The emulated chip calibrated to the nightly calibration's targets, for spiking operation."""
    return calibrated_chip("spiking")
