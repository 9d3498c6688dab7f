"""Benchmark: a network on the 8 ns stepped path (synapses between chip neurons), against Brian2.

Workload: 512 HXNeurons in the leak-over-threshold configuration with their excitatory input on; the
first 256 project onto all 512 through the synapse array (a dense block: each neuron's whole column
of 256 synapses, the most the chip allows), weight 1; spikes of all recorded; 1 ms of hardware time.
Timed from ``run`` to the neo Block returned by ``get_data``, after a warm-up run (the compiled
solver's first call loads it from numba's cache).

Reference: Brian2 2.9 (numpy code generation) running the same model at the same 8 ns step, with
the emulator's own parameters of these neurons (``brian2_reference``). Both print their spike
counts; they agree within the emulator's threshold noise and the random starting phases.

    .venv/bin/python benchmarks/emulator_network.py
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

from brian2_reference import BRIAN, EXPORT_MODEL, brian_python, measure

HERE = Path(__file__).resolve().parent
REPEATS = 3
RUNTIME_MS = 1.0

EMULATOR = EXPORT_MODEL + textwrap.dedent(
    """
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    import bss2_emulator as pynn

    def network():
        pynn.setup()
        pop = pynn.Population(512, pynn.cells.HXNeuron(
            leak_v_leak=1000, leak_i_bias=200, threshold_v_threshold=300, reset_v_reset=400,
            membrane_capacitance_capacitance=63, refractory_period_refractory_time=120, threshold_enable=True,
            reset_i_bias=1022, reset_enable_multiplication=True, excitatory_input_enable=True,
            excitatory_input_i_bias_gm=300, excitatory_input_i_bias_tau=150))
        pynn.Projection(pop[0:256], pop, pynn.AllToAllConnector(), pynn.synapses.StaticSynapse(weight=1))
        pop.record("spikes")
        return pop

    def once():
        pop = network()
        start = time.perf_counter()
        pynn.run(float(sys.argv[3]))
        block = pop.get_data()
        elapsed = time.perf_counter() - start
        spikes = sum(len(s) for s in block.segments[0].spiketrains)
        pynn.end()
        return elapsed, spikes

    once()  # warm-up
    runs = [once() for _ in range(int(sys.argv[2]))]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    long = network()  # memory is flat in run time: a run 4 times as long, spikes not recorded, takes no more
    long.record(None)
    pynn.run(4 * float(sys.argv[3]))
    pynn.end()
    rss_long = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    network()  # the model, for Brian2: the emulator's own parameters of these neurons
    export_model(float(sys.argv[3]), sys.argv[4])
    pynn.end()
    print(json.dumps({"times": [r[0] for r in runs], "spikes": runs[0][1], "max_rss_mb": rss,
                      "max_rss_long_mb": rss_long}))
    """
)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        model = Path(scratch) / "model.json"
        emulator = measure(
            [sys.executable, "-c", EMULATOR, str(HERE.parent), str(REPEATS), str(RUNTIME_MS), str(model)]
        )
        brian = measure([str(brian_python()), "-c", BRIAN, "1", str(RUNTIME_MS), str(model), "8"])
    emu_best, brian_best = min(emulator["times"]), min(brian["times"])
    print(f"Network: 512 neurons, 256 x 512 on-chip synapses, {RUNTIME_MS:g} ms in 8 ns steps, spikes of all")
    print(
        f"  emulator (compiled stepped solver): best {emu_best:6.2f} s of {REPEATS}, {emulator['spikes']} spikes, "
        f"peak RSS {emulator['max_rss_mb']:.0f} MB"
    )
    print(
        f"  reference Brian2 2.9 (numpy), same model and step: {brian_best:6.2f} s, {brian['spikes']} spikes, "
        f"peak RSS {brian['max_rss_mb']:.0f} MB"
    )
    print(f"  ratio Brian2 / emulator: {brian_best / emu_best:.1f}x   (target: >= 30x)")
    print(f"  spike counts, emulator / Brian2: {emulator['spikes'] / max(brian['spikes'], 1):.3f}")
    print(
        f"  emulator memory: peak RSS {emulator['max_rss_mb']:.0f} MB after the {RUNTIME_MS:g} ms runs, "
        f"{emulator['max_rss_long_mb']:.0f} MB after a {4 * RUNTIME_MS:g} ms run without recording"
    )


if __name__ == "__main__":
    main()
