"""Benchmark: the whole chip (512 neurons, leak over threshold) for 0.2 ms, against Brian2.

Workload: 512 HXNeurons in the second experiment's configuration, spikes
recorded from all of them and the membrane of one, 0.2 ms of hardware time;
timed from ``run`` to the neo Block returned by ``get_data``.
Reference: Brian2 2.9 (numpy code generation) running the equivalent LIF
network with the MADC's 34 ns step, timed around ``run``. Brian2 2.9 needs
numpy<2.3, so it gets a venv of its own (benchmarks/.venv-brian2).
Prints the best of several wall times, the ratio and each side's peak memory.

    make benchmark
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from brian2_reference import brian_python, measure

HERE = Path(__file__).resolve().parent
REPEATS = 5

EMULATOR = textwrap.dedent(
    """
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    import bss2_emulator as pynn

    def once():
        pynn.setup()
        pop = pynn.Population(512, pynn.cells.HXNeuron(
            leak_v_leak=1000, leak_i_bias=200, threshold_v_threshold=300, reset_v_reset=400,
            membrane_capacitance_capacitance=63, refractory_period_refractory_time=120, threshold_enable=True,
            reset_i_bias=1022, reset_enable_multiplication=True))
        pop.record("spikes")
        pop[0:1].record("v")
        start = time.perf_counter()
        pynn.run(0.2)
        block = pop.get_data()
        elapsed = time.perf_counter() - start
        spikes = sum(len(s) for s in block.segments[0].spiketrains)
        pynn.end()
        return elapsed, spikes

    once()  # warm-up: first-call costs
    runs = [once() for _ in range(int(sys.argv[2]))]
    print(json.dumps({"times": [r[0] for r in runs], "spikes": runs[0][1],
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    """
)

BRIAN = textwrap.dedent(
    """
    import json, resource, sys, time
    import brian2 as b2
    b2.prefs.codegen.target = "numpy"

    def once():
        b2.start_scope()
        b2.defaultclock.dt = 34 * b2.nsecond
        tau, e_leak, theta, v_reset = 23.2 * b2.usecond, 658.0, 405.0, 232.0
        group = b2.NeuronGroup(512, "dv/dt = (e_leak - v) / tau : 1 (unless refractory)", threshold="v > theta",
                               reset="v = v_reset", refractory=0.96 * b2.usecond, method="exact")
        group.v = "v_reset + rand() * (theta - v_reset)"
        spikes = b2.SpikeMonitor(group)
        trace = b2.StateMonitor(group, "v", record=[0])
        start = time.perf_counter()
        b2.run(200 * b2.usecond)
        return time.perf_counter() - start, spikes.num_spikes

    once()
    runs = [once() for _ in range(int(sys.argv[1]))]
    print(json.dumps({"times": [r[0] for r in runs], "spikes": int(runs[0][1]),
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    """
)


def main() -> None:
    emulator = measure([sys.executable, "-c", EMULATOR, str(HERE.parent), str(REPEATS)])
    brian = measure([str(brian_python()), "-c", BRIAN, str(REPEATS)])
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
    print(f"  ratio Brian2 / emulator: {brian_best / emu_best:.1f}x   (targets: >= 10x, emulator < 200 ms)")


if __name__ == "__main__":
    main()
