"""Measurements on MADC traces: the quantities the hardware observations are stated in.

All values are in MADC LSB and ms, read from the neo data exactly as a
student would read the plot: resting level, sawtooth range, reset plateaus,
interspike intervals and PSP amplitudes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A drop of more than this many LSB within RESET_SAMPLES samples is a reset.
RESET_DROP_LSB = 60
RESET_SAMPLES = 8
#: Resets closer than this (ms) are one reset whose steep part noise interrupted.
MIN_RESET_GAP_MS = 0.001
#: A sample within this distance of the trough level belongs to the reset plateau.
PLATEAU_BAND_LSB = 6


@dataclass
class Sawtooth:
    peak: float
    trough: float
    reset_times: np.ndarray  # ms
    isi: float  # mean interval between resets, ms (nan with fewer than two)
    plateau: float  # mean duration of the reset plateau, ms


def trace(signal) -> tuple[np.ndarray, np.ndarray]:
    """Times (ms) and values (LSB) of a one-channel neo signal."""
    return np.asarray(signal.times.rescale("ms")).ravel(), np.asarray(signal).ravel().astype(float)


def resting_level(values: np.ndarray) -> float:
    return float(np.median(values))


def reset_indices(values: np.ndarray) -> np.ndarray:
    """Sample indices at which a reset starts (the trace drops steeply)."""
    drop = values[:-RESET_SAMPLES] - values[RESET_SAMPLES:]
    starts = np.flatnonzero((drop > RESET_DROP_LSB)[1:] & ~(drop > RESET_DROP_LSB)[:-1]) + 1
    return starts


def sawtooth(times: np.ndarray, values: np.ndarray) -> Sawtooth:
    """Peak and trough levels, reset times, mean interspike interval and plateau length."""
    resets = reset_indices(values)
    if resets.size:
        keep = np.r_[True, np.diff(times[resets]) > MIN_RESET_GAP_MS]
        resets = resets[keep]
    peaks = [values[max(i - RESET_SAMPLES, 0) : i + RESET_SAMPLES].max() for i in resets]
    troughs, plateaus = [], []
    # Whole cycles, from one reset to the next; the cycle the trace ends in counts only if it is the only one.
    ends = [*resets[1:], len(values)][: len(resets)]
    cycles = list(zip(resets, ends, strict=True))
    for start, end in cycles[:-1] if len(cycles) > 1 else cycles:
        cycle = values[start:end]
        low = float(np.median(np.sort(cycle)[: max(3, len(cycle) // 20)]))
        troughs.append(low)
        in_band = np.flatnonzero(cycle <= low + PLATEAU_BAND_LSB)
        if in_band.size and end < len(values):
            plateaus.append(times[start + in_band[-1]] - times[start + in_band[0]])
    reset_times = times[resets]
    return Sawtooth(
        peak=float(np.mean(peaks)) if peaks else float("nan"),
        trough=float(np.mean(troughs)) if troughs else float("nan"),
        reset_times=reset_times,
        isi=float(np.mean(np.diff(reset_times))) if len(reset_times) > 1 else float("nan"),
        plateau=float(np.mean(plateaus)) if plateaus else float("nan"),
    )


def psp_amplitudes(times: np.ndarray, values: np.ndarray, input_times: list[float], window: float = 0.015) -> list:
    """Deflection (LSB, signed) after each input, relative to the level just before it."""
    amplitudes = []
    for t in input_times:
        before = values[(times > t - 0.004) & (times <= t)]
        after = values[(times > t) & (times <= t + window)]
        baseline = float(np.median(before))
        extreme = after.max() if after.max() - baseline >= baseline - after.min() else after.min()
        amplitudes.append(float(extreme - baseline))
    return amplitudes
