"""Benchmark: the emulator's fidelity against every public chip reference, each error as a ratio to its tolerance.

The references: each hardware recording (bss2_emulator/chip/recordings), compared with the emulator
run with the same settings (level, noise, interval, jitter, peak, trough and reset fall time), and the
facts of the catalogue's published chip figures (gs_02, gs_03 experiments 1 and 2, the AdEx page's
subthreshold level), compared with the emulator run with each page's settings. A ratio up to 1 is within
tolerance; a larger one is marked OUTSIDE. Three trials, since the emulator's noise is fresh in every run.

    .venv/bin/python benchmarks/emulator_fidelity.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.fidelity import compare_with_catalogue, compare_with_recordings

TRIALS = ("1", "2", "3")


def report(title: str, compare) -> None:
    trials = []
    for trial in TRIALS:
        os.environ["BSS2_EMULATOR_TRIAL_SEED"] = trial
        trials.append(compare())
    print(f"{title} ({len(TRIALS)} trials):")
    for rows in zip(*trials, strict=True):
        target = rows[0].target
        errors = ", ".join(f"{r.error:+.2f}" for r in rows)
        worst = max(r.ratio for r in rows)
        unit = f" {target.unit}" if target.unit else ""
        verdict = "within" if worst <= 1 else "OUTSIDE"
        print(f"  {target.observation:42s} error {errors}{unit} (tolerance ±{target.tolerance:g}); "
              f"worst {worst:.2f} of the tolerance, {verdict}")  # fmt: skip


def main() -> None:
    report("Emulator against the BrainScaleS-2 recordings, same settings", compare_with_recordings)
    report("Emulator against the catalogue's published chip figures, each page's settings", compare_with_catalogue)


if __name__ == "__main__":
    main()
