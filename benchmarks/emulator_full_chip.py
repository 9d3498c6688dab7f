"""Benchmark: the whole chip (512 neurons, leak over threshold) for 0.2 ms, against Brian2.

Workload: 512 HXNeurons in the second experiment's configuration, spikes
recorded from all of them and the membrane of one, 0.2 ms of hardware time;
timed from ``run`` to the neo Block returned by ``get_data``.
Reference: Brian2 2.9 (numpy code generation) running the same model, with the emulator's own
parameters of these neurons (``brian2_reference``), at the MADC's 34 ns step, the membrane of one
recorded, timed around ``run``; both print their spike counts. Brian2 2.9 needs numpy<2.3, so it
gets a venv of its own (benchmarks/.venv-brian2).
Prints the best of several wall times, the ratio and each side's peak memory.

    make benchmark
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

from brian2_reference import BRIAN, EXPORT_MODEL, brian_python, measure

HERE = Path(__file__).resolve().parent
REPEATS = 5

EMULATOR = EXPORT_MODEL + textwrap.dedent(
    """
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    import bss2_emulator as pynn

    def network():
        pynn.setup()
        pop = pynn.Population(512, pynn.cells.HXNeuron(
            leak_v_leak=1000, leak_i_bias=200, threshold_v_threshold=300, reset_v_reset=400,
            membrane_capacitance_capacitance=63, refractory_period_refractory_time=120, threshold_enable=True,
            reset_i_bias=1022, reset_enable_multiplication=True))
        pop.record("spikes")
        pop[0:1].record("v")
        return pop

    def once():
        pop = network()
        start = time.perf_counter()
        pynn.run(0.2)
        block = pop.get_data()
        elapsed = time.perf_counter() - start
        spikes = sum(len(s) for s in block.segments[0].spiketrains)
        pynn.end()
        return elapsed, spikes

    once()  # warm-up: first-call costs
    runs = [once() for _ in range(int(sys.argv[2]))]
    network()
    export_model(0.2, sys.argv[3])
    pynn.end()
    print(json.dumps({"times": [r[0] for r in runs], "spikes": runs[0][1],
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    """
)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        model = str(Path(scratch) / "model.json")
        emulator = measure([sys.executable, "-c", EMULATOR, str(HERE.parent), str(REPEATS), model])
        brian = measure([str(brian_python()), "-c", BRIAN, str(REPEATS), "0.2", model, "34"])
    emu_best, brian_best = min(emulator["times"]), min(brian["times"])
    print("Full chip: 512 neurons, leak over threshold, 0.2 ms, spikes of all + v of one")
    print(
        f"  emulator (bss2_emulator):  best {emu_best * 1e3:7.1f} ms of {REPEATS}, {emulator['spikes']} spikes, "
        f"peak RSS {emulator['max_rss_mb']:.0f} MB"
    )
    print(
        f"  reference Brian2 2.9 (numpy): best {brian_best * 1e3:7.1f} ms of {REPEATS}, {brian['spikes']} spikes, "
        f"peak RSS {brian['max_rss_mb']:.0f} MB"
    )
    print(f"  ratio Brian2 / emulator: {brian_best / emu_best:.1f}x   (target: >= 30x)")


if __name__ == "__main__":
    main()
