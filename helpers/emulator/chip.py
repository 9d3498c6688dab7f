"""The chip model: transfer curves from DAC settings (LSB) to physical quantities, per neuron.

Every analog parameter maps through a linear transfer curve. Each of the 512
neuron circuits deviates from the nominal curve by its own fixed-pattern noise,
drawn once from the chip seed, so that the same seed is the same chip in every
run and every process, and another seed is another chip.

Engine units: time in µs (hardware time), potentials in mV, currents as
membrane slopes in mV/µs (current divided by capacitance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import settings

N_NEURONS = 512

#: MADC: 10 bit over about 0 to 1.2 V.
MADC_MV_PER_LSB = 1200.0 / 1024.0
#: The FPGA and refractory clock: 125 MHz.
CLOCK_TICK_US = 0.008

# --- Nominal transfer curves (uncalibrated chip), value = offset + slope * DAC ---
# Potentials, calibrated against the published hardware plots (the emulator page compares them).
LEAK_MV = (-292.0 * MADC_MV_PER_LSB, 0.95 * MADC_MV_PER_LSB)
RESET_MV = (-137.0 * MADC_MV_PER_LSB, 0.88 * MADC_MV_PER_LSB)
THRESHOLD_MV = (113.0 * MADC_MV_PER_LSB, 0.99 * MADC_MV_PER_LSB)
# Capacitance in pF: a parasitic part plus 63 switchable units (63 is about 2.25 pF).
CAPACITANCE_PF = (0.1, 2.15 / 63)
# Conductances in nS, linear in the bias current; multiplication/division scale by 8.
LEAK_NS_PER_LSB = 0.51
LEAK_NS_FLOOR = 0.2
RESET_NS_PER_LSB = 0.917
# Synaptic time constant in µs: inversely proportional to the bias current.
SYN_TAU_US_NUMERATOR = 1000.0
SYN_TAU_BIAS_OFFSET = 33.3
# Synaptic current jump per weight LSB at full transconductance (gm = 1022), in nA.
SYN_NA_PER_WEIGHT = 0.585
# Offset current in nA per DAC LSB.
OFFSET_NA_PER_LSB = 0.01

# --- Fixed-pattern noise: standard deviations ---
FPN_POTENTIAL_MV = {"leak": 4.0, "reset": 5.0, "threshold": 5.0}
#: Each neuron's readout path (its buffer to the MADC) adds its own offset to everything the MADC sees.
FPN_READOUT_OFFSET_LSB = 8.0
FPN_RELATIVE = {"g_leak": 0.03, "g_reset": 0.08, "capacitance": 0.02, "tau_syn": 0.08, "syn_gain": 0.10}


@dataclass(frozen=True)
class Mismatch:
    """Per-neuron deviations of one chip; each field is an array over the 512 neurons."""

    leak: np.ndarray
    reset: np.ndarray
    threshold: np.ndarray
    g_leak: np.ndarray
    g_reset: np.ndarray
    capacitance: np.ndarray
    tau_exc: np.ndarray
    tau_inh: np.ndarray
    gain_exc: np.ndarray
    gain_inh: np.ndarray
    readout_offset: np.ndarray  # LSB, added to the membrane as the MADC reads it


def chip_seed() -> int:
    """The chip seed: ``BSS2_EMULATOR_SEED`` or the default chip."""
    return settings.current().emulator_seed


def draw_mismatch(seed: int) -> Mismatch:
    """Draw the fixed-pattern noise of the chip with this seed (deterministic in ``seed``)."""
    rng = np.random.default_rng([seed, 0x855])

    def relative(key: str) -> np.ndarray:
        return np.exp(rng.normal(0.0, FPN_RELATIVE[key], N_NEURONS))

    return Mismatch(
        leak=rng.normal(0.0, FPN_POTENTIAL_MV["leak"], N_NEURONS),
        reset=rng.normal(0.0, FPN_POTENTIAL_MV["reset"], N_NEURONS),
        threshold=rng.normal(0.0, FPN_POTENTIAL_MV["threshold"], N_NEURONS),
        g_leak=relative("g_leak"),
        g_reset=relative("g_reset"),
        capacitance=relative("capacitance"),
        tau_exc=relative("tau_syn"),
        tau_inh=relative("tau_syn"),
        gain_exc=relative("syn_gain"),
        gain_inh=relative("syn_gain"),
        readout_offset=rng.normal(0.0, FPN_READOUT_OFFSET_LSB, N_NEURONS),
    )


@dataclass
class NeuronModel:
    """Physical parameters of a set of neurons in engine units, one array entry per neuron."""

    e_leak: np.ndarray  # mV, leak potential including the offset current's shift
    tau_mem: np.ndarray  # µs
    v_threshold: np.ndarray  # mV
    threshold_enabled: np.ndarray  # bool
    v_plateau: np.ndarray  # mV, where the membrane settles while the reset is active
    tau_reset: np.ndarray  # µs
    t_refractory: np.ndarray  # µs
    tau_exc: np.ndarray  # µs
    tau_inh: np.ndarray  # µs
    jump_exc: np.ndarray  # mV/µs per weight LSB (0 if the input is disabled)
    jump_inh: np.ndarray  # mV/µs per weight LSB, negative (0 if disabled)

    def __len__(self) -> int:
        return len(self.e_leak)


def _scaled_conductance(bias: np.ndarray, multiply: np.ndarray, divide: np.ndarray) -> np.ndarray:
    scale = np.where(multiply, 8.0, 1.0) / np.where(divide, 8.0, 1.0)
    return bias * scale


def neuron_model(params: dict[str, np.ndarray], chip_index: np.ndarray, mismatch: Mismatch) -> NeuronModel:
    """Map DAC settings of the neurons at ``chip_index`` to their physical model on this chip."""

    def get(name: str) -> np.ndarray:
        return np.asarray(params[name], dtype=float)

    def dev(values: np.ndarray) -> np.ndarray:
        return values[chip_index]

    capacitance = (CAPACITANCE_PF[0] + CAPACITANCE_PF[1] * get("membrane_capacitance_capacitance")) * dev(
        mismatch.capacitance
    )
    g_leak = (
        LEAK_NS_FLOOR
        + LEAK_NS_PER_LSB
        * _scaled_conductance(
            get("leak_i_bias"), get("leak_enable_multiplication") > 0, get("leak_enable_division") > 0
        )
    ) * dev(mismatch.g_leak)
    g_reset = (
        RESET_NS_PER_LSB
        * _scaled_conductance(
            get("reset_i_bias"), get("reset_enable_multiplication") > 0, get("reset_enable_division") > 0
        )
        * dev(mismatch.g_reset)
    )
    # nS and pF give time constants in ms * 1e3 = µs: tau = C / g = pF / nS = ms -> * 1e3 µs.
    tau_mem = capacitance / g_leak * 1e3
    offset_na = np.where(get("constant_current_enable") > 0, OFFSET_NA_PER_LSB * get("constant_current_i_offset"), 0.0)
    # nA / nS = mV, the shift of the resting potential caused by the offset current.
    e_leak = LEAK_MV[0] + LEAK_MV[1] * get("leak_v_leak") + dev(mismatch.leak) + offset_na / g_leak * 1e3
    v_reset = RESET_MV[0] + RESET_MV[1] * get("reset_v_reset") + dev(mismatch.reset)
    g_total = g_leak + g_reset
    v_plateau = (g_leak * e_leak + g_reset * v_reset) / g_total
    tau_reset = capacitance / g_total * 1e3

    def synapse(kind: str, tau_dev: np.ndarray, gain_dev: np.ndarray, sign: float) -> tuple[np.ndarray, np.ndarray]:
        tau = SYN_TAU_US_NUMERATOR / (get(f"{kind}_input_i_bias_tau") + SYN_TAU_BIAS_OFFSET) * dev(tau_dev)
        current_na = SYN_NA_PER_WEIGHT * get(f"{kind}_input_i_bias_gm") / 1022.0 * dev(gain_dev)
        # nA / pF = 1e3 V/s = 1 mV/µs.
        jump = sign * current_na / capacitance
        return tau, np.where(get(f"{kind}_input_enable") > 0, jump, 0.0)

    tau_exc, jump_exc = synapse("excitatory", mismatch.tau_exc, mismatch.gain_exc, 1.0)
    tau_inh, jump_inh = synapse("inhibitory", mismatch.tau_inh, mismatch.gain_inh, -1.0)
    return NeuronModel(
        e_leak=e_leak,
        tau_mem=tau_mem,
        v_threshold=THRESHOLD_MV[0] + THRESHOLD_MV[1] * get("threshold_v_threshold") + dev(mismatch.threshold),
        threshold_enabled=get("threshold_enable") > 0,
        v_plateau=v_plateau,
        tau_reset=tau_reset,
        # The refractory counter runs at 125 MHz; at least one tick, so a reset always takes time.
        t_refractory=np.maximum(get("refractory_period_refractory_time"), 1.0) * CLOCK_TICK_US,
        tau_exc=tau_exc,
        tau_inh=tau_inh,
        jump_exc=jump_exc,
        jump_inh=jump_inh,
    )
