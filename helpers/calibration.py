"""The emulator's calibration: the tutorial's experiments measured on the emulator next to the hardware plots.

Every emulator value is computed by running the four experiments now, so the
table on the site always describes the emulator as it is.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from neo.io import PickleIO

from .analysis import psp_amplitudes, resting_level, sawtooth, trace
from .emulator.runner import run_script
from .refresh import experiment_scripts


@dataclass
class Row:
    observation: str
    hardware: str  # read off the published hardware plots
    low: float  # the range the emulator value must fall in to match
    high: float
    value: float
    unit: str
    set_by: str

    @property
    def matches(self) -> bool:
        return self.low <= self.value <= self.high


def _blocks() -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bss2-calibration-") as work:
        folder = Path(work)
        blocks = {}
        for name, text in experiment_scripts().items():
            (folder / name).write_text(text)
            process = run_script(folder / name, folder)
            if process.returncode != 0:
                raise RuntimeError(f"{name} failed on the emulator:\n{process.stderr[-2000:]}")
            blocks[Path(name).stem] = PickleIO(str(folder / f"{Path(name).stem}.dat")).read_block()
    return blocks


def measure() -> list[Row]:
    """Run the four experiments on the emulator and compare them with the hardware observations."""
    blocks = _blocks()
    _, rest = trace(blocks["first_experiment"].segments[0].irregularlysampledsignals[0])
    second = blocks["second_experiment"].segments[0]
    saw = sawtooth(*trace(second.irregularlysampledsignals[0]))
    third = [sawtooth(*trace(s.irregularlysampledsignals[0])) for s in blocks["third_experiment"].segments]
    isis = np.array([s.isi for s in third])
    times, values = trace(blocks["fourth_experiment"].segments[0].irregularlysampledsignals[0])
    exc1, inh, exc2, exc3 = psp_amplitudes(times, values, [0.01, 0.03, 0.05, 0.08])
    return [
        Row("Exp. 1: resting level", "≈ 373", 361, 385, resting_level(rest), "LSB", "leak potential curve (LEAK_MV)"),
        Row(
            "Exp. 1: readout noise (std)",
            "≈ 2–3 LSB peak to peak",
            0.8,
            3,
            float(np.std(rest)),
            "LSB",
            "READOUT_NOISE_LSB",
        ),
        Row("Exp. 2: sawtooth trough", "≈ 232", 217, 247, saw.trough, "LSB", "reset potential curve (RESET_MV)"),
        Row("Exp. 2: sawtooth peak", "≈ 400", 385, 425, saw.peak, "LSB", "threshold curve (THRESHOLD_MV)"),
        Row(
            "Exp. 2: spikes in 0.2 ms",
            "≈ 15",
            13,
            17,
            float(len(second.spiketrains[0])),
            "",
            "leak conductance (LEAK_NS_PER_LSB) and leak potential",
        ),
        Row(
            "Exp. 2: reset plateau",
            "≈ 1–2 µs",
            0.8,
            2.5,
            saw.plateau * 1e3,
            "µs",
            "refractory clock (8 ns/count) and reset conductance (RESET_NS_PER_LSB)",
        ),
        Row(
            "Exp. 3: lowest peak",
            "≈ 398",
            385,
            410,
            min(s.peak for s in third),
            "LSB",
            "threshold and readout-offset mismatch",
        ),
        Row(
            "Exp. 3: highest peak",
            "≈ 435",
            415,
            445,
            max(s.peak for s in third),
            "LSB",
            "threshold and readout-offset mismatch",
        ),
        Row(
            "Exp. 3: lowest trough",
            "≈ 215",
            205,
            232,
            min(s.trough for s in third),
            "LSB",
            "reset and readout-offset mismatch",
        ),
        Row(
            "Exp. 3: highest trough",
            "≈ 245",
            235,
            258,
            max(s.trough for s in third),
            "LSB",
            "reset and readout-offset mismatch",
        ),
        Row(
            "Exp. 3: spread of interspike intervals",
            "5–15 %",
            5,
            15,
            (isis.max() / isis.min() - 1) * 100,
            "%",
            "leak-conductance, potential and readout-offset mismatch (FPN_*)",
        ),
        Row(
            "Exp. 4: excitatory PSPs (smallest)",
            "tens of LSB, upward",
            10,
            100,
            min(exc1, exc2, exc3),
            "LSB",
            "synaptic strength (SYN_NA_PER_WEIGHT), time constant (SYN_TAU_*)",
        ),
        Row("Exp. 4: inhibitory PSP", "downward", -100, -10, inh, "LSB", "the same, inhibitory input"),
    ]


def table_html(rows: list[Row]) -> str:
    """The calibration table, with a match column."""
    head = "<tr><th>Observation</th><th>Hardware</th><th>Emulator</th><th>Match</th><th>Set by</th></tr>"
    body = "".join(
        f"<tr><td>{r.observation}</td><td>{r.hardware}</td><td>{r.value:.1f} {r.unit}</td>"
        f"<td>{'yes' if r.matches else f'no (target {r.low:g}–{r.high:g})'}</td><td>{r.set_by}</td></tr>"
        for r in rows
    )
    return f'<table class="table bss2-calibration"><thead>{head}</thead><tbody>{body}</tbody></table>'
