"""Fit the emulator's transfer curves to the chip's own recordings (``recordings/``).

``python -m helpers.fidelity`` runs this fit, prints its constants and residuals, and compares
the emulator, run with each recording's settings, against the recording.

The physics of one neuron circuit, as its MADC sees it (potentials in LSB, times in µs):

- the membrane: ``C dV/dt = g_L (V_L - V) + I_off``, and while the reset is active
  ``C dV/dt = g_R (V_R - V) + I_off``: a leaky integrator with a leak conductance and a constant
  offset current (the circuit's leakage). Leak and reset are one circuit on the chip (lola's
  ``LeakReset``, whose two configurations share a source follower): during the refractory time it
  pulls towards the reset potential through the reset conductance instead of the leak's;
- the potentials come from CapMem DACs through linear curves, ``V = slope * DAC + offset``.
  Two recordings cannot pin a slope each, so the slopes are the lab-course fits of the
  same kind of chip (leak 0.79, reset 0.88, threshold 0.99 LSB per DAC step); the offsets
  are fitted here;
- the conductances are linear in their bias currents, with no floor (a bias of 0 is off), and
  the multiplication switches scale them by 8; ``C`` is 2.25 pF at capacitance 63. A
  transconductor cannot grow without bound: its output stage limits it, as a conductance
  ``g_max`` in series. The chip's fastest reset time constant, about 0.5 µs (reset bias 1022
  with multiplication), fixes ``g_max``; the leak shares the same kind of circuit and limit;

What each recording pins down:

- the silent neuron (leak 700, leak bias 1022) rests at ``V_L(700) + I_off / g_L(1022)``;
- the leak-over-threshold trace (leak 1000, bias 150) rises exponentially: a fit of its ramps
  gives the level it approaches, ``V_L(1000) + I_off / g_L(150)``, and the time constant
  ``C / g_L(150)``. With the silent level, that fixes the leak offset and ``I_off``;
- its peaks give the threshold; its falls (an exponential towards the plateau
  ``V_R + I_off / g_R`` with ``C / g_R``, for the refractory time after a short comparator
  latency) give the reset potential and the reset conductance at bias 1022 without multiplication;
- the spacing of its troughs after the peaks confirms the 8 ns refractory clock, and the
  scatter of its intervals gives the small membrane noise at the threshold.

The constants in ``chip.py`` are this fit's output, rounded; a test keeps them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from ..paths import RECORDINGS

MV_PER_LSB = 1200.0 / 1024.0
CAPACITANCE_63_PF = 2.25
LEAK_SLOPE, RESET_SLOPE, THRESHOLD_SLOPE = 0.79, 0.88, 0.99
#: The fastest reset time constant of the circuit (µs; reset bias 1022 with multiplication, capacitance 63).
FASTEST_TAU_US = 0.5
#: The exact ``HXNeuron`` settings of each recording (see recordings/README.md).
SETTINGS = {
    "silent_neuron": {"leak_v_leak": 700, "leak_i_bias": 1022},
    "leak_over_threshold": {
        "leak_v_leak": 1000, "leak_i_bias": 150, "threshold_v_threshold": 300, "reset_v_reset": 400,
        "membrane_capacitance_capacitance": 63, "refractory_period_refractory_time": 255, "threshold_enable": True,
        "reset_i_bias": 1022,
    },
}  # fmt: skip
SILENT, LOT = SETTINGS["silent_neuron"], SETTINGS["leak_over_threshold"]


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Times (µs) and MADC codes of a recording."""
    data = np.loadtxt(RECORDINGS / f"{name}.csv", delimiter=",", skiprows=1)
    return data[:, 1] * 1e3, data[:, 2]


#: A fall: the trace drops by more than FALL_LSB within FALL_WINDOW_US (a ramp never does; noise never does).
FALL_LSB, FALL_WINDOW_US = 30.0, 0.3


@dataclass(frozen=True)
class Cycles:
    """The sawtooth of a trace cut into its parts: each peak (the highest sample just before a fall) and the
    lowest sample after it, before the next ramp."""

    peaks: np.ndarray  # sample indices
    troughs: np.ndarray
    falls: np.ndarray  # where each fall starts (µs): the times the intervals are measured between


def cycles(t: np.ndarray, v: np.ndarray) -> Cycles:
    """Find the cycles the same way in a dense emulated trace and in a sparse digitized recording."""
    later = np.interp(t + FALL_WINDOW_US, t, v)
    falling = (v - later > FALL_LSB) & (t + FALL_WINDOW_US <= t[-1])
    starts = np.flatnonzero(falling & ~np.r_[False, falling[:-1]])
    peaks, troughs, falls = [], [], []
    for start in starts:
        before = np.flatnonzero((t >= t[start] - 0.2) & (t <= t[start] + 0.1))
        peak = int(before[np.argmax(v[before])])
        after = np.flatnonzero((t >= t[peak]) & (t <= t[peak] + 4.0))
        whole = t[start] - 0.2 >= t[0] and t[peak] + 4.0 <= t[-1]  # the trace holds the whole fall
        if whole and (not peaks or t[peak] - t[peaks[-1]] > 4.0):
            peaks.append(peak)
            troughs.append(int(after[np.argmin(v[after])]))
            falls.append(t[start])
    return Cycles(np.array(peaks), np.array(troughs), np.array(falls))


@dataclass(frozen=True)
class Measured:
    """What the recordings show."""

    silent_level: float  # LSB
    readout_noise: float  # LSB, std of the silent trace
    v_inf: float  # LSB, the level the leak-over-threshold ramps approach
    tau_mem: float  # µs
    ramp_rms: float  # LSB
    threshold: float  # LSB, where the falls start
    plateau: float  # LSB, the level the falls approach
    tau_reset: float  # µs
    latency: float  # µs, from the peak sample to the start of the fall
    fall_rms: float  # LSB
    isi: float  # µs
    isi_jitter: float  # relative std
    trough_delay: float  # µs, from the peak sample to the lowest sample


def measure() -> Measured:
    """Fit the recordings' ramps and falls."""
    _, silent = load("silent_neuron")
    t, v = load("leak_over_threshold")
    c = cycles(t, v)
    ramps = [np.arange(a + 1, b + 1) for a, b in zip(c.troughs[:-1], c.peaks[1:], strict=True)]

    def ramp_residuals(p: np.ndarray) -> np.ndarray:
        v_inf, tau, starts = p[0], p[1], p[2:]
        return np.concatenate(
            [v_inf - (v_inf - v0) * np.exp(-(t[i] - t[i[0]]) / tau) - v[i] for v0, i in zip(starts, ramps, strict=True)]
        )

    ramp = least_squares(ramp_residuals, [600.0, 10.0, *(v[i[0]] for i in ramps)])
    falls = [np.arange(a, b + 1) for a, b in zip(c.peaks, c.troughs, strict=True)]

    def fall_residuals(p: np.ndarray) -> np.ndarray:
        plateau, tau, latency = p
        return np.concatenate(
            [
                plateau + (v[i[0]] - plateau) * np.exp(-np.maximum(t[i] - t[i[0]] - latency, 0) / tau) - v[i]
                for i in falls
            ]
        )

    fall = least_squares(fall_residuals, [200.0, 1.2, 0.05], bounds=([0, 0.05, 0], [400, 10, 0.5]))
    v_inf, tau_mem = ramp.x[:2]
    slope_at_threshold = (v_inf - v[c.peaks].mean()) / tau_mem
    intervals = np.diff(c.falls)
    return Measured(
        silent_level=float(silent.mean()),
        readout_noise=float(silent.std()),
        v_inf=float(v_inf),
        tau_mem=float(tau_mem),
        ramp_rms=float(np.sqrt(np.mean(ramp.fun**2))),
        threshold=float(v[c.peaks].mean() - slope_at_threshold * fall.x[2]),
        plateau=float(fall.x[0]),
        tau_reset=float(fall.x[1]),
        latency=float(fall.x[2]),
        fall_rms=float(np.sqrt(np.mean(fall.fun**2))),
        isi=float(intervals.mean()),
        isi_jitter=float(intervals.std() / intervals.mean()),
        trough_delay=float(np.mean(t[c.troughs] - t[c.peaks])),
    )


@dataclass(frozen=True)
class Curves:
    """The transfer curves of the chip's nominal neuron, in engine units (mV, nS, nA, µs)."""

    leak_mv: tuple[float, float]  # offset, slope per DAC step
    reset_mv: tuple[float, float]
    threshold_mv: tuple[float, float]
    leak_ns_per_lsb: float
    reset_ns_per_lsb: float
    max_conductance_ns: float
    offset_current_na: float
    threshold_noise_mv: float
    readout_noise_lsb: float


def _series_limit(g_low: float, g_high: float, ratio: float) -> tuple[float, float]:
    """Slope per bias step and output limit of a transconductor ``1 / (1 / (k b) + 1 / g_max)`` from its
    conductances at two biases ``b`` and ``ratio * b``: returns (k b, g_max)."""
    linear = (1 - 1 / ratio) / (1 / g_low - 1 / g_high)
    return linear, 1 / (1 / g_low - 1 / linear)


def derive(m: Measured) -> Curves:
    """Transfer curves from the measured quantities, by the physics in the module docstring."""
    c = CAPACITANCE_63_PF * 1e3  # pF, so that c / µs is in nS
    g_leak_150 = c / m.tau_mem
    g_reset_1022 = c / m.tau_reset  # the reset takes the leak's place in the shared leak/reset circuit
    reset_linear, g_max = _series_limit(g_reset_1022, c / FASTEST_TAU_US, 8.0)
    leak_linear = 1 / (1 / g_leak_150 - 1 / g_max)
    g_leak_1022 = 1 / (1 / (leak_linear * SILENT["leak_i_bias"] / LOT["leak_i_bias"]) + 1 / g_max)
    # V_inf(1000, 150) - silent = slope * 300 + I_off / g_L(150) - I_off / g_L(1022)
    offset = (m.v_inf - m.silent_level - LEAK_SLOPE * 300) / (1 / g_leak_150 - 1 / g_leak_1022)  # LSB * nS
    leak_offset = m.silent_level - offset / g_leak_1022 - LEAK_SLOPE * 700
    v_reset = m.plateau - offset / g_reset_1022
    # Independent jitter at each crossing: var(interval) = 2 (sigma / slope at threshold)^2.
    slope = (m.v_inf - m.threshold) / m.tau_mem
    return Curves(
        leak_mv=(leak_offset * MV_PER_LSB, LEAK_SLOPE * MV_PER_LSB),
        reset_mv=((v_reset - RESET_SLOPE * LOT["reset_v_reset"]) * MV_PER_LSB, RESET_SLOPE * MV_PER_LSB),
        threshold_mv=(
            (m.threshold - THRESHOLD_SLOPE * LOT["threshold_v_threshold"]) * MV_PER_LSB,
            THRESHOLD_SLOPE * MV_PER_LSB,
        ),
        leak_ns_per_lsb=leak_linear / LOT["leak_i_bias"],
        reset_ns_per_lsb=reset_linear / LOT["reset_i_bias"],
        max_conductance_ns=g_max,
        offset_current_na=offset * MV_PER_LSB * 1e-3,  # mV * nS = pA
        threshold_noise_mv=m.isi_jitter * m.isi / np.sqrt(2) * slope * MV_PER_LSB,
        readout_noise_lsb=m.readout_noise,
    )
