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

from .. import config

N_NEURONS = 512

#: MADC: 10 bit over about 0 to 1.2 V.
MADC_MV_PER_LSB = 1200.0 / 1024.0
#: The FPGA and refractory clock: 125 MHz.
CLOCK_TICK_US = 0.008
#: The two refractory clocks a neuron picks with ``refractory_period_input_clock``: 8 ns, and a slow one
#: divided by 16, so that 255 counts reach the 32 µs calix calibrates to (an assumption: no recording pins it).
REFRACTORY_TICK_US = (CLOCK_TICK_US, 16 * CLOCK_TICK_US)

# --- Nominal transfer curves (uncalibrated chip), value = offset + slope * DAC ---
# The output of ``python -m bss2_emulator.chip.fit``: one fit to every public reference at once (the two
# recordings in recordings/ and the catalogue's published chip figures); a test keeps them equal.
LEAK_MV = (-143.09, 0.92357)
RESET_MV = (-110.86, 1.02453)
THRESHOLD_MV = (107.98, 1.19909)
#: The leak/reset OTAs' conductance grows with the square of the bias setting: the CapMem's current cell is a
#: transistor in saturation (square law), and the OTA runs in weak inversion, where its transconductance is
#: proportional to that current. The conductance (nS) at the reference setting, scaled by 8 by multiplication
#: or division ...
BIAS_REFERENCE_LSB = 150.0
LEAK_NS_AT_REFERENCE = 214.187
RESET_NS_AT_REFERENCE = 39.666
#: ... in series with the output stage's own limit (nS), so that the fastest time constant at
#: capacitance 63 is about 0.5 µs, as on the chip.
MAX_CONDUCTANCE_NS = 6479.3
#: Without source degeneration (``*_enable_degeneration`` off, the uncalibrated default), an OTA settles below
#: its reference, by a fraction of the reference's height above OTA_OFFSET_ZERO_MV: a simple OTA's systematic
#: offset follows its input common-mode level, to first order linearly. The fraction is
#: ``OTA_OFFSET_FRACTION * tanh(OTA_OFFSET_NS / g)``: it falls as ``1 / g`` for strong OTAs and saturates for weak
#: ones, which settle instead of falling to the rail. calix's configuration enables degeneration, which
#: removes the offset.
OTA_OFFSET_FRACTION = 0.1611
OTA_OFFSET_NS = 1752.3
OTA_OFFSET_ZERO_MV = -455.03
#: The membrane node's own junction leakage (nA), towards ground: it only shows where nothing else holds the
#: membrane (a leak bias of 0), which then drifts to the bottom rail (an assumption; no recording pins it).
MEMBRANE_LEAKAGE_NA = -0.005
#: Membrane noise at the threshold comparator (mV, std, fresh for every crossing): it gives the
#: interspike intervals the jitter of the recording.
THRESHOLD_NOISE_MV = 0.362
# Capacitance in pF: a parasitic part plus 63 switchable units (63 is about 2.25 pF).
CAPACITANCE_PF = (0.1, 2.15 / 63)
#: From a neuron's spike to its targets' synaptic inputs, through the event crossbar and a synapse driver
#: (µs; an assumption: a handful of clock cycles of the digital routing, which no recording pins).
ON_CHIP_DELAY_US = 0.1
#: From the FPGA's playback of an external spike to its arrival at the synaptic input: the FPGA's event
#: output, the chip's links and the synapse drivers (µs; about what the PSP onsets of a held-out calibrated
#: chip recording show, as reported with issue 16).
EXTERNAL_INPUT_DELAY_US = 0.4
#: The membrane is bounded by the circuit's supply (mV).
MEMBRANE_RAILS_MV = (0.0, 1200.0)
#: Synaptic time constant (µs) at the reference bias setting: inversely proportional to the bias current, which
#: the same kind of CapMem current cell gives as the square of the setting (0: no decay). It keeps 4.3 µs at
#: setting 200 (the tutorial's), and spans calix's 0.3 to 30 µs within the setting's range.
SYN_TAU_US_AT_REFERENCE = 7.62
# Synaptic current jump per weight LSB at full transconductance (gm = 1022), in nA.
SYN_NA_PER_WEIGHT = 1.015
#: The synaptic input saturates softly (solvers.exact.saturated) towards the current of this many full-weight
#: events at full synapse DAC bias. The limit is the input stage's, so a lower synapse DAC bias makes each event
#: smaller but not the limit, as pynn_brainscales describes it. With the gain above, fitted to the catalogue's
#: gs_02 and gs_03 figures (5 x 63 and 26 x 32 simultaneous weight steps give about +100 and +220 LSB).
SYN_SATURATION_EVENTS = 12.0
#: The chip-wide synapse DAC bias that scales every synapse's current pulse; full scale unless calibrated.
SYNAPSE_DAC_BIAS_MAX = 1022
#: The conductance between compartments of a multicompartment neuron: nS per bias LSB of
#: ``multicompartment_i_bias_nmda``, through the same output-stage limit as the leak. Set from the catalogue's
#: published compartment-chain figure (multicompartment_chain_solution.png): at setting 500 a PSP keeps about
#: 0.6 to 0.8 of its height from one compartment to the next. No recording pins it further.
MC_NS_PER_LSB = 2.0
#: The constant current source: nA per DAC LSB of ``constant_current_i_offset``, up to about 100 nA, enough to
#: drive a neuron over its threshold against its leak (an assumption; no recording pins it).
OFFSET_NA_PER_LSB = 0.1
# --- The AdEx terms (assumptions of the same kind as the synaptic input; no recording pins them) ---
#: The exponential term ``I0 exp((V - V_T) / DELTA_T)``: V_T from ``exponential_v_exp`` through the leak's
#: curve, I0 in nA per bias LSB, a slope factor set by the transistors, and a ceiling, as the circuit saturates.
EXP_NA_PER_LSB = 0.02
EXP_DELTA_T_MV = 15.0
EXP_MAX_NA = 200.0
#: Adaptation ``tau_w dw/dt = a (V - V_ref) - w``, ``w += b`` at each spike; a in nS and b in nA per bias
#: LSB, the invert switches flip the signs. tau_w (µs) at the reference bias setting, inversely proportional
#: to the bias current and so to the square of the setting, as the other CapMem currents: about 120 µs at
#: setting 100, the slow decline the AdEx page's published subthreshold figure shows, and 3 µs to 3 ms over
#: its slider's range (20 to 600).
ADAPT_TAU_US_AT_REFERENCE = 53.3
#: The adaptation circuit's own leak reference (``adaptation_v_leak``) tracks the membrane's when it sits this
#: many DAC steps below ``leak_v_leak`` (the AdEx page's rule); away from that, it shifts the adaptation's
#: reference potential by the difference.
ADAPT_LEAK_TRACKING_LSB = 200
ADAPT_NS_PER_LSB = 0.1
ADAPT_NA_PER_LSB = 0.02
#: A circuit switched off: a time constant (µs) standing in for "never", and a conductance (nS) for "none".
NEVER_US = 1e12
G_OFF_NS = 1e-6

# --- Fixed-pattern noise: standard deviations ---
#: The neuron the recordings come from (bss2_emulator/chip/recordings).
RECORDED_NEURON = 0
FPN_POTENTIAL_MV = {"leak": 4.0, "reset": 11.0, "threshold": 11.0}
#: Where a chip's neurons lie on average, relative to the recorded neuron whose curves the fit gives (mV).
#: The original site's ten-neuron plot (same chip, leak bias 200) peaks at 398 to 436 LSB, around 417,
#: while the recorded neuron peaks at 399: the recorded neuron's threshold lies below its chip's mean.
MEAN_FROM_RECORDED_MV = {"threshold": (417.0 - 399.0) * MADC_MV_PER_LSB}
#: Each neuron's readout path (its buffer to the MADC) adds its own offset to everything the MADC sees.
#: It is small: calix calibrates through the CADC, which does not see it, and still leaves below 0.3 of
#: the uncalibrated spread in the MADC's traces.
FPN_READOUT_OFFSET_LSB = 1.5
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


def draw_mismatch(seed: int) -> Mismatch:
    """Draw the fixed-pattern noise of the chip with this seed (deterministic in ``seed``).

    The default chip (``BSS2_EMULATOR_SEED`` unset) stands for the chip of the recordings: its
    neuron 0 is the recorded circuit, which the fitted curves describe exactly, so its deviations
    are zero; every other neuron, and every neuron of another chip, deviates by its own draw.
    """
    rng = np.random.default_rng([seed, 0x855])
    recorded = seed == config.DEFAULT_CHIP_SEED

    def draw(values: np.ndarray, neutral: float) -> np.ndarray:
        if recorded:
            values[RECORDED_NEURON] = neutral
        return values

    def potential(key: str) -> np.ndarray:
        return draw(rng.normal(MEAN_FROM_RECORDED_MV.get(key, 0.0), FPN_POTENTIAL_MV[key], N_NEURONS), 0.0)

    def relative(key: str) -> np.ndarray:
        return draw(np.exp(rng.normal(0.0, FPN_RELATIVE[key], N_NEURONS)), 1.0)

    return Mismatch(
        leak=potential("leak"),
        reset=potential("reset"),
        threshold=potential("threshold"),
        g_leak=relative("g_leak"),
        g_reset=relative("g_reset"),
        capacitance=relative("capacitance"),
        tau_exc=relative("tau_syn"),
        tau_inh=relative("tau_syn"),
        gain_exc=relative("syn_gain"),
        gain_inh=relative("syn_gain"),
        readout_offset=draw(rng.normal(0.0, FPN_READOUT_OFFSET_LSB, N_NEURONS), 0.0),
    )


@dataclass
class AdEx:
    """The AdEx terms per neuron, in engine units (mV, µs, mV/µs: currents over capacitance)."""

    exponential: np.ndarray  # bool
    v_t: np.ndarray  # mV
    i_exp: np.ndarray  # mV/µs at V = V_T
    i_exp_max: np.ndarray  # mV/µs, where the exponential saturates
    adaptation: np.ndarray  # bool
    v_ref: np.ndarray  # mV
    tau_w: np.ndarray  # µs
    a: np.ndarray  # 1/µs: the subthreshold coupling over capacitance
    b: np.ndarray  # mV/µs: the jump of w at each spike (0 without enable_pulse)

    @property
    def any(self) -> bool:
        return bool(self.exponential.any() or self.adaptation.any())


@dataclass
class NeuronModel:
    """Physical parameters of a set of neurons in engine units, one array entry per neuron."""

    e_leak: np.ndarray  # mV, the level the leak, its OTA's offset and the constant currents settle at
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
    max_exc: np.ndarray  # mV/µs, the excitatory input's saturation
    max_inh: np.ndarray  # mV/µs, positive: the inhibitory input's saturation in magnitude
    adex: AdEx | None = None  # the exponential and adaptation terms, where any neuron has them on
    bypass_exc: np.ndarray | None = None  # bool: the neuron forwards its excitatory input events as spikes
    bypass_inh: np.ndarray | None = None
    coba: np.ndarray | None = None  # (3, n) mV: exc and inh reversal and the reference potential, NaN where off
    capacitance_pf: np.ndarray | None = None
    coupling: object | None = None  # solvers.stepped.Coupling: conductances between compartments

    def __len__(self) -> int:
        return len(self.e_leak)


def switch_scale(multiply: np.ndarray, divide: np.ndarray) -> np.ndarray:
    """The factor the multiplication and division switches apply to an OTA's conductance."""
    return np.where(multiply, 8.0, 1.0) / np.where(divide, 8.0, 1.0)


def limited(conductance_ns: np.ndarray, maximum_ns: float = MAX_CONDUCTANCE_NS) -> np.ndarray:
    """A transconductor's conductance (nS) in series with the output stage's limit: linear when small."""
    return conductance_ns * maximum_ns / (conductance_ns + maximum_ns)


def ota_conductance(
    bias: np.ndarray, scale: np.ndarray, ns_at_reference: float, maximum_ns: float = MAX_CONDUCTANCE_NS
) -> np.ndarray:
    """The leak or reset OTA's conductance (nS) at a bias setting, with its x8 switches' ``scale``."""
    unlimited = ns_at_reference * (np.asarray(bias, float) / BIAS_REFERENCE_LSB) ** 2 * scale
    return limited(unlimited, maximum_ns)


def ota_offset_mv(
    conductance_ns: np.ndarray,
    degenerated: np.ndarray,
    reference_mv: np.ndarray,
    fraction: float = OTA_OFFSET_FRACTION,
    crossover_ns: float = OTA_OFFSET_NS,
    zero_mv: float = OTA_OFFSET_ZERO_MV,
) -> np.ndarray:
    """How far a leak or reset OTA without degeneration settles below its reference (mV, negative); zero with
    degeneration."""
    g = np.maximum(conductance_ns, G_OFF_NS)
    shift = -fraction * np.tanh(crossover_ns / g) * np.maximum(np.asarray(reference_mv) - zero_mv, 0.0)
    return np.where(degenerated | (g <= G_OFF_NS), 0.0, shift)  # an OTA switched off has no offset either


def synaptic_tau_us(bias: np.ndarray) -> np.ndarray:
    """The synaptic input's time constant (µs) at a bias setting above 0."""
    return SYN_TAU_US_AT_REFERENCE * (BIAS_REFERENCE_LSB / np.maximum(np.asarray(bias, float), 1e-12)) ** 2


def neuron_model(
    params: dict[str, np.ndarray],
    chip_index: np.ndarray,
    mismatch: Mismatch,
    synapse_dac_bias: float = SYNAPSE_DAC_BIAS_MAX,
) -> NeuronModel:
    """Map DAC settings of the neurons at ``chip_index`` to their physical model on this chip.

    Units: pF, nS, nA, mV, µs. pF / nS = ms, so time constants carry a factor 1e3; nA / nS = V, so
    potentials from currents carry a factor 1e3 too; nA / pF = mV/µs.
    """

    def get(name: str) -> np.ndarray:
        return np.asarray(params[name], dtype=float)

    def dev(values: np.ndarray) -> np.ndarray:
        return values[chip_index]

    capacitance = (CAPACITANCE_PF[0] + CAPACITANCE_PF[1] * get("membrane_capacitance_capacitance")) * dev(
        mismatch.capacitance
    )

    def conductance(block: str, at_reference: float, deviation: np.ndarray) -> np.ndarray:
        scale = switch_scale(get(f"{block}_enable_multiplication") > 0, get(f"{block}_enable_division") > 0)
        # A bias of 0 switches the OTA off: a conductance so small that the membrane only drifts.
        return np.maximum(ota_conductance(get(f"{block}_i_bias"), scale, at_reference * deviation), G_OFF_NS)

    g_leak = conductance("leak", LEAK_NS_AT_REFERENCE, dev(mismatch.g_leak))
    g_reset = conductance("reset", RESET_NS_AT_REFERENCE, dev(mismatch.g_reset))
    current_na = MEMBRANE_LEAKAGE_NA + np.where(
        get("constant_current_enable") > 0, OFFSET_NA_PER_LSB * get("constant_current_i_offset"), 0.0
    )
    v_leak = LEAK_MV[0] + LEAK_MV[1] * get("leak_v_leak") + dev(mismatch.leak)
    e_leak = v_leak + ota_offset_mv(g_leak, get("leak_enable_degeneration") > 0, v_leak) + current_na / g_leak * 1e3
    v_reset = RESET_MV[0] + RESET_MV[1] * get("reset_v_reset") + dev(mismatch.reset)
    # One leak/reset circuit: during the refractory time it pulls towards the reset potential through the
    # reset conductance instead of the leak's, with the same kind of offset; the constant current acts throughout.
    v_plateau = (
        v_reset + ota_offset_mv(g_reset, get("reset_enable_degeneration") > 0, v_reset) + current_na / g_reset * 1e3
    )

    def synapse(kind: str, tau_dev: np.ndarray, gain_dev: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        bias = get(f"{kind}_input_i_bias_tau")
        tau = np.where(bias > 0, synaptic_tau_us(bias) * dev(tau_dev), NEVER_US)
        current_na = SYN_NA_PER_WEIGHT * get(f"{kind}_input_i_bias_gm") / 1022.0 * dev(gain_dev)
        full = np.where(get(f"{kind}_input_enable") > 0, current_na / capacitance, 0.0)
        return tau, full * synapse_dac_bias / SYNAPSE_DAC_BIAS_MAX, full * 63 * SYN_SATURATION_EVENTS

    tau_exc, jump_exc, max_exc = synapse("excitatory", mismatch.tau_exc, mismatch.gain_exc)
    tau_inh, jump_inh, max_inh = synapse("inhibitory", mismatch.tau_inh, mismatch.gain_inh)
    return NeuronModel(
        capacitance_pf=capacitance,
        e_leak=e_leak,
        tau_mem=capacitance / g_leak * 1e3,
        v_threshold=THRESHOLD_MV[0] + THRESHOLD_MV[1] * get("threshold_v_threshold") + dev(mismatch.threshold),
        threshold_enabled=get("threshold_enable") > 0,
        v_plateau=v_plateau,
        tau_reset=capacitance / g_reset * 1e3,
        # The refractory counter counts its clock's ticks; at least one, so a reset always takes time.
        t_refractory=np.maximum(get("refractory_period_refractory_time"), 1.0)
        * np.where(get("refractory_period_input_clock") > 0, REFRACTORY_TICK_US[1], REFRACTORY_TICK_US[0]),
        tau_exc=tau_exc,
        tau_inh=tau_inh,
        jump_exc=jump_exc,
        jump_inh=-jump_inh,
        max_exc=max_exc,
        max_inh=max_inh,
        adex=_adex(get, capacitance),
        bypass_exc=get("event_routing_enable_bypass_excitatory") > 0,
        bypass_inh=get("event_routing_enable_bypass_inhibitory") > 0,
    )


def _adex(get, capacitance: np.ndarray) -> AdEx:
    """The exponential and adaptation terms from their DAC settings (nA / pF = mV/µs; nS / pF = 1/ms)."""
    sign_a = np.where(get("adaptation_invert_a") > 0, -1.0, 1.0)
    sign_b = np.where(get("adaptation_invert_b") > 0, -1.0, 1.0)
    tau_bias = get("adaptation_i_bias_tau")
    untracked = get("adaptation_v_leak") - (get("leak_v_leak") - ADAPT_LEAK_TRACKING_LSB)
    return AdEx(
        exponential=get("exponential_enable") > 0,
        v_t=LEAK_MV[0] + LEAK_MV[1] * get("exponential_v_exp"),
        i_exp=EXP_NA_PER_LSB * get("exponential_i_bias") / capacitance,
        i_exp_max=EXP_MAX_NA / capacitance,
        adaptation=get("adaptation_enable") > 0,
        v_ref=LEAK_MV[0] + LEAK_MV[1] * (get("adaptation_v_ref") - untracked),
        tau_w=np.where(
            tau_bias > 0, ADAPT_TAU_US_AT_REFERENCE * (BIAS_REFERENCE_LSB / np.maximum(tau_bias, 1e-12)) ** 2, NEVER_US
        ),
        a=sign_a * ADAPT_NS_PER_LSB * get("adaptation_i_bias_a") / capacitance * 1e-3,
        b=np.where(get("adaptation_enable_pulse") > 0, sign_b * ADAPT_NA_PER_LSB * get("adaptation_i_bias_b"), 0.0)
        / capacitance,
    )
