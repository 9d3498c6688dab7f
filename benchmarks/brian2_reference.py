"""Brian2, the reference the emulator's speed is measured against, in a venv of its own.

Brian2 2.9 needs numpy<2.3, so it cannot share the project's environment; ``brian_python`` makes
``benchmarks/.venv-brian2`` on first use. ``measure`` runs a benchmark script and reads the JSON
line it prints last.

The model is matched, not re-derived: ``EXPORT_MODEL`` (run in the emulator's process) writes the
emulator's own per-neuron parameters of the benchmark's neurons (leak level and time constant,
threshold, reset level and time constant, refractory time, synaptic time constant and saturation,
and the on-chip weights and routing delay where there are any) to a JSON file, and ``BRIAN`` has
Brian2 integrate the same equations with its exponential Euler method: the leak, or during the
refractory time the reset conductance, pulling towards its level, and exponential synaptic currents.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
BRIAN_VENV = HERE / ".venv-brian2"


def brian_python() -> Path:
    """The Brian2 2.9 venv's interpreter, created on first use."""
    python = BRIAN_VENV / "bin" / "python"
    if not python.exists():
        venv.create(BRIAN_VENV, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-qq", "brian2==2.9.0", "numpy<2.3"], check=True)
    return python


def measure(command: list[str]) -> dict:
    """Run ``command`` and return the JSON object its last line prints."""
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


#: Emulator side: ``export_model(runtime_ms, path)`` writes the model of the network set up in the emulator.
EXPORT_MODEL = textwrap.dedent(
    """
    def export_model(runtime_ms, path):
        from bss2_emulator.network.run import compile_snippet
        from bss2_emulator.solvers.stepped import DELAY_STEPS, STEP_US
        snippet = compile_snippet(pynn.simulator.state, runtime_ms)
        m = snippet.model
        model = {name: getattr(m, name).astype(float).tolist() for name in
                 ("e_leak", "tau_mem", "v_threshold", "v_plateau", "tau_reset", "t_refractory", "tau_exc", "max_exc")}
        model["trace"] = bool(snippet.madc)
        if snippet.on_chip is not None:
            model["weight"] = snippet.on_chip.exc.tolist()
            model["delay_us"] = DELAY_STEPS * STEP_US
        with open(path, "w") as f:
            json.dump(model, f)
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
        b2.defaultclock.dt = float(sys.argv[4]) * b2.nsecond
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
        burst : 1
        '''
        group = b2.NeuronGroup(512, eqs, threshold="v >= v_threshold", refractory="t_ref", method="exponential_euler")
        group.e_leak, group.v_plateau = model["e_leak"], model["v_plateau"]
        group.v_threshold, group.max_exc = model["v_threshold"], model["max_exc"]
        group.tau_mem, group.tau_reset = np.array(model["tau_mem"]) * us, np.array(model["tau_reset"]) * us
        group.tau_exc, group.t_ref = np.array(model["tau_exc"]) * us, np.array(model["t_refractory"]) * us
        rng = np.random.default_rng(1)
        group.v = np.array(model["v_plateau"]) + rng.random(512) * (np.array(model["v_threshold"]) - model["v_plateau"])
        if "weight" in model:
            weight = np.array(model["weight"])
            # The emulator's synaptic input: the events of one step arrive as a burst that saturates softly.
            synapses = b2.Synapses(group, group, "w : 1", on_pre="burst_post += w", delay=model["delay_us"] * us)
            group.run_regularly(chr(10).join(["i_exc += max_exc * tanh(burst / max_exc)", "burst = 0"]),
                                when="after_synapses")
            pre, post = np.nonzero(weight)
            synapses.connect(i=pre, j=post)
            synapses.w = weight[pre, post]
        spikes = b2.SpikeMonitor(group)
        if model["trace"]:
            trace = b2.StateMonitor(group, "v", record=[0])  # the membrane of one, as the MADC reads one
        start = time.perf_counter()
        b2.run(float(sys.argv[2]) * b2.msecond)
        return time.perf_counter() - start, spikes.num_spikes

    runs = [once() for _ in range(int(sys.argv[1]))]
    print(json.dumps({"times": [r[0] for r in runs], "spikes": int(runs[0][1]),
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    """
)
