"""Benchmark: a network on the 8 ns stepped path (synapses between chip neurons), against Brian2.

Workload: 512 HXNeurons in the leak-over-threshold configuration with their excitatory input on; the
first 256 project onto all 512 through the synapse array (a dense block: each neuron's whole column
of 256 synapses, the most the chip allows), weight 1; spikes of all recorded; 1 ms of hardware time.
Timed from ``run`` to the neo Block returned by ``get_data``, after a warm-up run (the compiled
solver's first call loads it from numba's cache).

Reference: Brian2 2.9 (numpy code generation) running the same model at the same 8 ns step. The
model is matched, not re-derived: the emulator's own per-neuron parameters for these neurons
(leak level and time constant, threshold, reset level and time constant, refractory time, synaptic
time constant, jump and saturation, routing delay) are handed to Brian2, which integrates the same
equations with its exponential Euler method. Both print their spike counts; they agree within the
emulator's threshold noise and the random starting phases.

    .venv/bin/python benchmarks/emulator_network.py
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

from brian2_reference import brian_python, measure

HERE = Path(__file__).resolve().parent
REPEATS = 3
RUNTIME_MS = 1.0

EMULATOR = textwrap.dedent(
    """
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    import bss2_emulator as pynn
    from bss2_emulator.network.run import compile_snippet
    from bss2_emulator.solvers.stepped import DELAY_STEPS, STEP_US

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
    snippet = compile_snippet(pynn.simulator.state, float(sys.argv[3]))
    m = snippet.model
    model = {name: getattr(m, name).astype(float).tolist() for name in
             ("e_leak", "tau_mem", "v_threshold", "v_plateau", "tau_reset", "t_refractory", "tau_exc", "max_exc")}
    model["weight"] = snippet.on_chip.exc[:256].tolist()
    model["delay_us"] = DELAY_STEPS * STEP_US
    pynn.end()
    with open(sys.argv[4], "w") as f:
        json.dump(model, f)
    print(json.dumps({"times": [r[0] for r in runs], "spikes": runs[0][1], "max_rss_mb": rss,
                      "max_rss_long_mb": rss_long}))
    """
)

BRIAN = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np
    import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    model = json.load(open(sys.argv[3]))

    def once():
        b2.start_scope()
        b2.defaultclock.dt = 8 * b2.nsecond
        us = b2.usecond
        eqs = '''
        level = e_leak * int(not_refractory) + v_plateau * (1 - int(not_refractory)) : 1
        tau = tau_mem * int(not_refractory) + tau_reset * (1 - int(not_refractory)) : second
        dv/dt = (level - v) / tau + i_exc / usecond : 1
        di_exc/dt = -i_exc / tau_exc : 1
        e_leak : 1 (constant)
        v_plateau : 1 (constant)
        v_threshold : 1 (constant)
        tau_mem : second (constant)
        tau_reset : second (constant)
        tau_exc : second (constant)
        t_ref : second (constant)
        max_exc : 1 (constant)
        '''
        group = b2.NeuronGroup(512, eqs, threshold="v >= v_threshold", refractory="t_ref", method="exponential_euler")
        group.e_leak, group.v_plateau = model["e_leak"], model["v_plateau"]
        group.v_threshold, group.max_exc = model["v_threshold"], model["max_exc"]
        group.tau_mem, group.tau_reset = np.array(model["tau_mem"]) * us, np.array(model["tau_reset"]) * us
        group.tau_exc, group.t_ref = np.array(model["tau_exc"]) * us, np.array(model["t_refractory"]) * us
        rng = np.random.default_rng(1)
        group.v = np.array(model["v_plateau"]) + rng.random(512) * (np.array(model["v_threshold"]) - model["v_plateau"])
        weight = np.array(model["weight"])
        synapses = b2.Synapses(group, group, "w : 1", on_pre="i_exc_post = clip(i_exc_post + w, -1e30, max_exc_post)",
                               delay=model["delay_us"] * us)
        pre, post = np.nonzero(weight)
        synapses.connect(i=pre, j=post)
        synapses.w = weight[pre, post]
        spikes = b2.SpikeMonitor(group)
        start = time.perf_counter()
        b2.run(float(sys.argv[2]) * b2.msecond)
        return time.perf_counter() - start, spikes.num_spikes

    runs = [once() for _ in range(int(sys.argv[1]))]
    print(json.dumps({"times": [r[0] for r in runs], "spikes": int(runs[0][1]),
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    """
)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        model = Path(scratch) / "model.json"
        emulator = measure(
            [sys.executable, "-c", EMULATOR, str(HERE.parent), str(REPEATS), str(RUNTIME_MS), str(model)]
        )
        brian = measure([str(brian_python()), "-c", BRIAN, "1", str(RUNTIME_MS), str(model)])
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
