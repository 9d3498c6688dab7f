"""How the emulator compares with the chip: the hardware targets, in one table, and their measurement.

The emulator page and the tests both read ``TARGETS``; every value is measured
by running the tutorial's own experiments (from the notebook) on the emulator.
The hardware values are read off the published plots of one uncalibrated chip,
so they are ranges, not exact targets.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import neo
import numpy as np
from neo.io import PickleIO

from .analysis import psp_amplitudes, resting_level, sawtooth, trace
from .emulator.job_process import run_script
from .experiments import experiment_scripts

Blocks = dict[str, neo.Block]


def _rest(blocks: Blocks) -> np.ndarray:
    return trace(blocks["first_experiment"].segments[0].irregularlysampledsignals[0])[1]


def _saw(blocks: Blocks):
    return sawtooth(*trace(blocks["second_experiment"].segments[0].irregularlysampledsignals[0]))


def _saws(blocks: Blocks) -> list:
    return [sawtooth(*trace(s.irregularlysampledsignals[0])) for s in blocks["third_experiment"].segments]


def _isi_spread(blocks: Blocks) -> float:
    isis = np.array([s.isi for s in _saws(blocks)])
    return float(isis.max() / isis.min() - 1) * 100


def _psps(blocks: Blocks) -> list[float]:
    times, values = trace(blocks["fourth_experiment"].segments[0].irregularlysampledsignals[0])
    return psp_amplitudes(times, values, [0.01, 0.03, 0.05, 0.08])  # exc, inh, exc, exc


@dataclass(frozen=True)
class Target:
    """One observation of the hardware plots, the range the emulator must hit, and how to measure it."""

    observation: str
    hardware: str
    low: float
    high: float
    unit: str
    set_by: str
    measure: Callable[[Blocks], float]


TARGETS: tuple[Target, ...] = (
    Target(
        "Exp. 1: resting level", "≈ 373", 361, 385, "LSB", "leak potential curve (LEAK_MV)",
        lambda b: resting_level(_rest(b)),
    ),
    Target(
        "Exp. 1: readout noise (std)", "≈ 2–3 LSB peak to peak", 0.8, 3, "LSB", "READOUT_NOISE_LSB",
        lambda b: float(np.std(_rest(b))),
    ),
    Target(
        "Exp. 2: sawtooth trough", "≈ 232", 217, 247, "LSB", "reset potential curve (RESET_MV)",
        lambda b: _saw(b).trough,
    ),
    Target(
        "Exp. 2: sawtooth peak", "≈ 400", 385, 425, "LSB", "threshold curve (THRESHOLD_MV)",
        lambda b: _saw(b).peak,
    ),
    Target(
        "Exp. 2: spikes in 0.2 ms", "≈ 15", 13, 17, "", "leak conductance (LEAK_NS_PER_LSB) and leak potential",
        lambda b: float(len(b["second_experiment"].segments[0].spiketrains[0])),
    ),
    Target(
        "Exp. 2: reset plateau", "≈ 1–2 µs", 0.8, 2.5, "µs",
        "refractory clock (8 ns/count) and reset conductance (RESET_NS_PER_LSB)",
        lambda b: _saw(b).plateau * 1e3,
    ),
    Target(
        "Exp. 3: lowest peak", "≈ 398", 385, 410, "LSB", "threshold and readout-offset mismatch",
        lambda b: min(s.peak for s in _saws(b)),
    ),
    Target(
        "Exp. 3: highest peak", "≈ 435", 415, 445, "LSB", "threshold and readout-offset mismatch",
        lambda b: max(s.peak for s in _saws(b)),
    ),
    Target(
        "Exp. 3: lowest trough", "≈ 215", 205, 232, "LSB", "reset and readout-offset mismatch",
        lambda b: min(s.trough for s in _saws(b)),
    ),
    Target(
        "Exp. 3: highest trough", "≈ 245", 235, 258, "LSB", "reset and readout-offset mismatch",
        lambda b: max(s.trough for s in _saws(b)),
    ),
    Target(
        "Exp. 3: spread of interspike intervals", "5–15 %", 5, 15, "%",
        "leak-conductance, potential and readout-offset mismatch (FPN_*)", _isi_spread,
    ),
    Target(
        "Exp. 4: excitatory PSPs (smallest)", "tens of LSB, upward", 10, 100, "LSB",
        "synaptic strength (SYN_NA_PER_WEIGHT), time constant (SYN_TAU_*)",
        lambda b: min(_psps(b)[0], *_psps(b)[2:]),
    ),
    Target(
        "Exp. 4: inhibitory PSP", "downward", -100, -10, "LSB", "the same, inhibitory input",
        lambda b: _psps(b)[1],
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    """A target with the emulator's value."""

    target: Target
    value: float

    @property
    def matches(self) -> bool:
        return self.target.low <= self.value <= self.target.high


def compare(blocks: Blocks) -> list[Row]:
    """Every target measured on the experiments' results (``{"first_experiment": block, ...}``)."""
    return [Row(target, float(target.measure(blocks))) for target in TARGETS]


def run_experiments() -> Blocks:
    """Run the tutorial's experiments on the emulator and read their results."""
    with tempfile.TemporaryDirectory(prefix="bss2-fidelity-") as work:
        folder = Path(work)
        blocks = {}
        for name, text in experiment_scripts().items():
            (folder / name).write_text(text)
            process = run_script(folder / name, folder)
            if process.returncode != 0:
                raise RuntimeError(f"{name} failed on the emulator:\n{process.stderr[-2000:]}")
            blocks[Path(name).stem] = PickleIO(str(folder / f"{Path(name).stem}.dat")).read_block()
    return blocks
