"""Benchmark: the emulator's fidelity against the chip's own recordings, each error as a ratio to its tolerance.

The reference is each hardware recording (bss2_emulator/chip/recordings), compared with the emulator
run with the same settings: level, noise, interval, jitter, peak, trough and reset fall time. A
ratio up to 1 is within tolerance. Three trials, since the emulator's noise is fresh in every run.

    .venv/bin/python benchmarks/emulator_fidelity.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.fidelity import compare_with_recordings

TRIALS = ("1", "2", "3")


def main() -> None:
    trials = []
    for trial in TRIALS:
        os.environ["BSS2_EMULATOR_TRIAL_SEED"] = trial
        trials.append(compare_with_recordings())
    print(f"Emulator against the BrainScaleS-2 recordings, same settings ({len(TRIALS)} trials):")
    for rows in zip(*trials, strict=True):
        target = rows[0].target
        errors = ", ".join(f"{r.error:+.2f}" for r in rows)
        worst = max(r.ratio for r in rows)
        unit = f" {target.unit}" if target.unit else ""
        print(f"  {target.observation:42s} error {errors}{unit} (tolerance ±{target.tolerance:g}); "
              f"worst {worst:.2f} of the tolerance")  # fmt: skip


if __name__ == "__main__":
    main()
