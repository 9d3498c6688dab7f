"""Calibration of the emulated chip: per-neuron HXNeuron settings that hit targets, as calix finds them.

calix measures every neuron and searches, parameter by parameter, for the DAC setting that brings
it to its target: first the membrane time constant (leak bias), then the leak potential (which the
offset current shifts with the leak conductance), the reset plateau, the threshold, the synaptic
time constants and strengths. On the emulated chip the transfer curves and every neuron's
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
    SYN_TAU_US_LSB,
    SYNAPSE_DAC_BIAS_MAX,
    THRESHOLD_MV,
    Mismatch,
    draw_mismatch,
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


def _dac(value: np.ndarray, high: int = 1022, low: int = 0, name: str = "", unreached: list | None = None):
    """Whole DAC settings within range; a target that needs one beyond it is noted in ``unreached``."""
    if unreached is not None and np.any((value < low - 0.5) | (value > high + 0.5)):
        unreached.append(name)
    return np.clip(np.round(value), low, high)


def calibrate(
    targets: dict[str, np.ndarray], chip_index: np.ndarray, mismatch: Mismatch, seed: int, unreached: list | None = None
):
    """HXNeuron settings (name -> one value per neuron) that bring the neurons at ``chip_index`` to ``targets``.

    Targets that some neuron cannot reach within its settings' ranges are named in ``unreached``."""
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
        leak_v_leak=_dac((v_leak - dev["leak"] - LEAK_MV[0]) / LEAK_MV[1], name="v_rest", unreached=unreached),
        leak_enable_degeneration=np.ones(n),
        reset_enable_degeneration=np.ones(n),
        reset_i_bias=np.full(n, 1022.0),
        reset_enable_multiplication=np.ones(n),
        reset_v_reset=_dac((v_reset - dev["reset"] - RESET_MV[0]) / RESET_MV[1], name="v_reset", unreached=unreached),
        threshold_enable=np.ones(n),
        threshold_v_threshold=_dac(
            (potential("v_thresh", 4) - dev["threshold"] - THRESHOLD_MV[0]) / THRESHOLD_MV[1],
            name="v_thresh",
            unreached=unreached,
        ),
        refractory_period_refractory_time=_dac(counts, 255, 1),
        refractory_period_input_clock=slow.astype(float),
    )
    for kind, suffix, tau_dev, gain_dev in (("excitatory", "E", "tau_exc", "gain_exc"), ("inhibitory", "I", "tau_inh",
                                                                                          "gain_inh")):  # fmt: skip
        tau = time_constant(f"tau_syn_{suffix}", 5)
        settings[f"{kind}_input_enable"] = np.ones(n)
        settings[f"{kind}_input_i_bias_tau"] = _dac(SYN_TAU_US_LSB * dev[tau_dev] / tau, low=1)
        settings[f"{kind}_input_i_bias_gm"] = _dac(target[f"i_synin_gm_{suffix}"] / dev[gain_dev])
    return settings


def _targets(population) -> dict[str, np.ndarray]:
    return {name: np.asarray(values, dtype=float) for name, values in population._parameters.items()}


def hxneuron_parameters(population, mismatch: Mismatch) -> dict[str, np.ndarray]:
    """Calibrate a ``CalibHXNeuronCuba``/``Coba`` population and keep the archives the real cell type offers."""
    targets = _targets(population)
    celltype = population.celltype
    for name, text in celltype.GLOBAL.items():
        if np.unique(targets[name]).size > 1:
            raise AttributeError(f"{text} requires same value for all neurons")
    unreached: list[str] = []
    settings = calibrate(targets, population.chip_indices, mismatch, chip_seed(), unreached)
    if unreached:
        print(
            f"Calibration warning: {', '.join(dict.fromkeys(unreached))} out of reach for some neurons of "
            f"{population.label}: their settings are at the end of their range, so those neurons miss the target.",
            file=sys.stderr,
        )
    per_neuron = [{name: float(values[i]) for name, values in settings.items()} for i in range(population.size)]
    celltype._calib_target = targets
    celltype._calib_hwparams = per_neuron
    celltype._actual_hwparams = per_neuron
    return settings


def reversal_potentials(population) -> np.ndarray:
    """(2, size) reversal potentials in mV of a conductance-based population; NaN for current-based ones."""
    if not getattr(population.celltype, "conductance_based", False) or not hasattr(population.celltype, "RANGES"):
        return np.full((2, population.size), np.nan)
    targets = _targets(population)
    return np.stack([targets["e_rev_E"], targets["e_rev_I"]]) * CADC_MV_PER_LSB


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
