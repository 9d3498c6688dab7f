"""How the emulator compares with the chip: like with like, and predictions where the chip was not asked.

- ``compare_with_recordings``: the emulator, run with the exact settings of each hardware recording
  (``bss2_emulator/chip/recordings``), against that recording, each quantity with its tolerance;
- ``predictions``: the tutorial's own experiments on the emulator. No hardware trace exists for
  their settings, so these are predictions, not comparisons. The page reads them from the results
  cache (``recorded_experiments``), where ``make results`` records them, like every other figure.

``python -m helpers.fidelity`` refits the transfer curves, prints them, and prints both tables.
The emulator page and the tests read the same tables.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import neo
import numpy as np

from bss2_emulator.chip.fit import SETTINGS, cycles, load
from bss2_emulator.job_process import run_script

from . import safe_pickle
from .analysis import psp_amplitudes, resting_level, sawtooth, trace
from .cache import provenance
from .cache.store import ResultsCache
from .experiments import QUEUE_RUNNER, experiment_scripts
from .kernel import software_version

#: The settings of each recording (see bss2_emulator/chip/recordings/README.md).
RECORDINGS = SETTINGS
Trace = tuple[np.ndarray, np.ndarray]  # times (µs), MADC codes


def _sawtooth_features(t: np.ndarray, v: np.ndarray) -> dict[str, float]:
    c = cycles(t, v)
    intervals = np.diff(c.falls)
    return {
        "interval": float(intervals.mean()),
        "jitter": float(intervals.std() / intervals.mean() * 100),
        "spikes": float(len(c.peaks)),
        "peak": float(v[c.peaks].mean()),
        "trough": float(v[c.troughs].mean()),
        "fall": float(np.mean(t[c.troughs] - t[c.peaks])),
    }


@dataclass(frozen=True)
class Target:
    """A quantity of a recording, how it is measured, and how close the emulator must come."""

    observation: str
    recording: str
    unit: str
    tolerance: float
    measure: Callable[[Trace], float]
    set_by: str


TARGETS: tuple[Target, ...] = (
    Target("Silent neuron: resting level", "silent_neuron", "LSB", 3.0, lambda tr: float(np.mean(tr[1])),
           "leak potential curve and offset current"),
    Target("Silent neuron: readout noise (std)", "silent_neuron", "LSB", 0.5, lambda tr: float(np.std(tr[1])),
           "MADC readout noise"),
    Target("Leak over threshold: spikes in 0.2 ms", "leak_over_threshold", "", 1.0,
           lambda tr: _sawtooth_features(*tr)["spikes"], "all of the below"),
    Target("Leak over threshold: interspike interval", "leak_over_threshold", "µs", 0.26,
           lambda tr: _sawtooth_features(*tr)["interval"], "leak conductance and offset current, refractory clock"),
    Target("Leak over threshold: interval jitter", "leak_over_threshold", "%", 0.5,
           lambda tr: _sawtooth_features(*tr)["jitter"], "membrane noise at the threshold"),
    Target("Leak over threshold: peak", "leak_over_threshold", "LSB", 3.0,
           lambda tr: _sawtooth_features(*tr)["peak"], "threshold curve"),
    Target("Leak over threshold: trough", "leak_over_threshold", "LSB", 4.0,
           lambda tr: _sawtooth_features(*tr)["trough"], "reset potential and conductance, refractory clock"),
    Target("Leak over threshold: reset fall time", "leak_over_threshold", "µs", 0.15,
           lambda tr: _sawtooth_features(*tr)["fall"], "refractory clock (8 ns per count)"),
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    """A target with the recording's and the emulator's values."""

    target: Target
    hardware: float
    value: float

    @property
    def error(self) -> float:
        return self.value - self.hardware

    @property
    def ratio(self) -> float:
        """The error as a fraction of the tolerance: within tolerance up to 1."""
        return abs(self.error) / self.target.tolerance

    @property
    def matches(self) -> bool:
        return self.ratio <= 1.0

    def describe(self) -> str:
        unit = f" {self.target.unit}" if self.target.unit else ""
        return (
            f"chip {self.hardware:8.2f}{unit}, emulator {self.value:8.2f}{unit}, error {self.error:+.2f} "
            f"(tolerance ±{self.target.tolerance:g}, ratio {self.ratio:.2f})"
        )


def emulate_recording(name: str) -> Trace:
    """The emulator's trace of the recorded neuron (neuron 0 of the default chip) with the recording's settings."""
    import bss2_emulator as pynn

    pynn.setup()
    try:
        population = pynn.Population(1, pynn.cells.HXNeuron(**RECORDINGS[name]))
        population.record(["v", "spikes"])
        pynn.run(0.2)
        times, values = trace(population.get_data().segments[0].irregularlysampledsignals[0])
    finally:
        pynn.end()
    return times * 1e3, values


def recording(name: str) -> Trace:
    return load(name)


def compare_with_recordings() -> list[Row]:
    """Every target, measured on the recording and on the emulator run with the recording's settings."""
    emulated = {name: emulate_recording(name) for name in RECORDINGS}
    recorded = {name: recording(name) for name in RECORDINGS}
    return [Row(t, t.measure(recorded[t.recording]), t.measure(emulated[t.recording])) for t in TARGETS]


@dataclass(frozen=True)
class FigureTarget:
    """A fact of one of the catalogue's published chip figures (``reference/catalogue.md``), how it is measured
    on the emulator's run of the same page's settings, and how close the emulator must come. Those figures come
    from other chips of the same design, so the tolerances include the spread between chips."""

    observation: str
    figure: str
    unit: str
    chip: float
    tolerance: float
    measure: Callable[[dict], float]
    set_by: str


Run = dict  # t (µs), v (MADC codes), spikes (µs) of one emulated figure


def _run_figure(figure: str) -> Run:
    """The emulator with the settings of one of the catalogue's figures (its page's code, as a student runs it)."""
    import bss2_emulator as pynn
    from bss2_emulator.chip.fit import ADEX_SUBTHRESHOLD, GS_03_EXPERIMENT_1, GS_NEURON

    calibrated = figure != "AdEx subthreshold"
    pynn.setup(initial_config=pynn.helper.chip_from_file(pynn.helper.nightly_calib_path()) if calibrated else None)
    try:
        if figure == "AdEx subthreshold":
            settings = {**ADEX_SUBTHRESHOLD, "reset_v_reset": 300, "reset_i_bias": 1022,
                        "reset_enable_multiplication": True, "membrane_capacitance_capacitance": 63,
                        "refractory_period_refractory_time": 30, "threshold_v_threshold": 620,
                        "threshold_enable": True, "adaptation_enable": True, "adaptation_enable_pulse": True,
                        "adaptation_i_bias_a": 10, "adaptation_i_bias_tau": 100, "adaptation_v_ref": 500,
                        "adaptation_v_leak": 500}  # fmt: skip
        else:
            settings = GS_03_EXPERIMENT_1 if figure == "gs_03 experiment 1" else GS_NEURON
        population = pynn.Population(1, pynn.cells.HXNeuron(**settings))
        population.record(["spikes", "v"])
        volley = {"gs_02": (5, 63), "gs_03 experiment 2": (26, 32)}.get(figure)
        if volley:
            sources = pynn.Population(
                volley[0], pynn.cells.SpikeSourceArray(spike_times=[0.01, 0.03, 0.05, 0.07, 0.09])
            )
            synapse = pynn.synapses.StaticSynapse(weight=volley[1])
            pynn.Projection(sources, population, pynn.AllToAllConnector(), synapse_type=synapse,
                            receptor_type="excitatory")  # fmt: skip
        pynn.run(0.1)
        segment = population.get_data().segments[0]
        times, values = trace(segment.irregularlysampledsignals[0])
        return {"t": times * 1e3, "v": values, "spikes": np.asarray(segment.spiketrains[0]) * 1e3}
    finally:
        pynn.end()


def _rest(run: Run) -> float:
    return float(np.median(run["v"][run["t"] < 9.5]))


def _peak(run: Run, start: float, stop: float) -> float:
    return float(run["v"][(run["t"] > start) & (run["t"] < stop)].max())


def _spike(run: Run, index: int) -> float:
    return float(run["spikes"][index]) if len(run["spikes"]) > index else np.inf


FIGURE_TARGETS: tuple[FigureTarget, ...] = (
    FigureTarget("gs_02: resting level", "gs_02", "LSB", 190.0, 25.0, _rest, "leak curve (calibrated chip)"),
    FigureTarget("gs_02: first PSP's peak", "gs_02", "LSB", 290.0, 25.0, lambda r: _peak(r, 10, 30),
                 "synaptic gain"),
    FigureTarget("gs_02: later peaks", "gs_02", "LSB", 320.0, 25.0, lambda r: _peak(r, 70, 100),
                 "synaptic and membrane time constants"),
    FigureTarget("gs_02: spikes", "gs_02", "", 0.0, 0.5, lambda r: float(len(r["spikes"])), "threshold curve"),
    FigureTarget("gs_03 exp. 1: spikes in 100 µs", "gs_03 experiment 1", "", 7.0, 1.0,
                 lambda r: float(len(r["spikes"])), "leak square law, level, reset"),
    FigureTarget("gs_03 exp. 1: interspike interval", "gs_03 experiment 1", "µs", 83.0 / 6, 1.0,
                 lambda r: float(np.diff(r["spikes"]).mean()), "leak square law, level, reset"),
    FigureTarget("gs_03 exp. 1: peaks", "gs_03 experiment 1", "LSB", 560.0, 25.0, lambda r: float(r["v"].max()),
                 "threshold curve"),
    FigureTarget("gs_03 exp. 1: troughs", "gs_03 experiment 1", "LSB", 170.0, 25.0, lambda r: float(r["v"].min()),
                 "reset curve, degeneration"),
    FigureTarget("gs_03 exp. 2: first PSP's peak", "gs_03 experiment 2", "LSB", 410.0, 30.0,
                 lambda r: _peak(r, 10, 30), "synaptic gain and saturation"),
    FigureTarget("gs_03 exp. 2: spikes", "gs_03 experiment 2", "", 2.0, 0.5, lambda r: float(len(r["spikes"])),
                 "stacked PSPs, threshold"),
    FigureTarget("gs_03 exp. 2: first spike", "gs_03 experiment 2", "µs", 56.0, 3.0, lambda r: _spike(r, 0),
                 "stacked PSPs, threshold"),
    FigureTarget("gs_03 exp. 2: second spike", "gs_03 experiment 2", "µs", 95.0, 3.0, lambda r: _spike(r, 1),
                 "stacked PSPs, threshold"),
    FigureTarget("AdEx subthreshold: resting level", "AdEx subthreshold", "LSB", 325.0, 60.0, _rest,
                 "leak curve, offset of a weak leak, adaptation"),
)  # fmt: skip


def compare_with_catalogue() -> list[Row]:
    """Every fact of the catalogue's figures beside the emulator run with that page's settings."""
    runs = {figure: _run_figure(figure) for figure in dict.fromkeys(t.figure for t in FIGURE_TARGETS)}
    return [Row(t, t.chip, t.measure(runs[t.figure])) for t in FIGURE_TARGETS]


Blocks = dict[str, neo.Block]


def run_experiments(scripts: dict[str, str] | None = None) -> Blocks:
    """Run the tutorial's experiments (or ``scripts``) on the emulator, as the queue runs them, and read their
    results."""
    with tempfile.TemporaryDirectory(prefix="bss2-fidelity-") as work:
        folder = Path(work)
        blocks = {}
        for name, text in (scripts or experiment_scripts(QUEUE_RUNNER)).items():
            (folder / name).write_text(text)
            process = run_script(folder / name, folder)
            if process.returncode != 0:
                raise RuntimeError(f"{name} failed on the emulator:\n{process.stderr[-2000:]}")
            blocks[Path(name).stem] = safe_pickle.read_block(folder / f"{Path(name).stem}.dat")
    return blocks


def recorded_experiments(cache: ResultsCache | None = None) -> Blocks:
    """The tutorial's experiments as the results cache holds them, read without running anything.

    Predictions are the emulator's: should an entry be a hardware result, that experiment is run on the
    emulator instead. An experiment missing from the cache is ``NotCached``, with the command that records it.
    """
    cache = cache or ResultsCache()
    config = {"SOFTWARE_VERSION": software_version()}
    scripts = experiment_scripts(QUEUE_RUNNER)
    blocks, hardware = {}, {}
    for name, text in scripts.items():
        entry = cache.lookup(name, text.encode(), config)
        stem = Path(name).stem
        if provenance.is_emulated(entry.provenance):
            blocks[stem] = cache.read_block(entry, f"{stem}.dat")
        else:
            hardware[name] = text
    blocks.update(run_experiments(hardware) if hardware else {})
    return {Path(name).stem: blocks[Path(name).stem] for name in scripts}


def predictions(blocks: Blocks) -> list[tuple[str, float, str]]:
    """The tutorial's experiments as the emulator predicts them: (quantity, value, unit)."""
    rest = trace(blocks["first_experiment"].segments[0].irregularlysampledsignals[0])[1]
    second = blocks["second_experiment"].segments[0]
    saw = sawtooth(*trace(second.irregularlysampledsignals[0]))
    third = [sawtooth(*trace(s.irregularlysampledsignals[0])) for s in blocks["third_experiment"].segments]
    isis = np.array([s.isi for s in third])
    times, values = trace(blocks["fourth_experiment"].segments[0].irregularlysampledsignals[0])
    exc1, inh, exc2, exc3 = psp_amplitudes(times, values, [0.01, 0.03, 0.05, 0.08])
    return [
        ("Exp. 1: resting level", resting_level(rest), "LSB"),
        ("Exp. 2: spikes in 0.2 ms", float(len(second.spiketrains[0])), ""),
        ("Exp. 2: sawtooth peak", saw.peak, "LSB"),
        ("Exp. 2: sawtooth trough", saw.trough, "LSB"),
        ("Exp. 2: reset plateau", saw.plateau * 1e3, "µs"),
        ("Exp. 3: peaks, lowest to highest", float(np.ptp([s.peak for s in third])), "LSB"),
        ("Exp. 3: troughs, lowest to highest", float(np.ptp([s.trough for s in third])), "LSB"),
        ("Exp. 3: range of interspike intervals (max / min − 1)", float((isis.max() / isis.min() - 1) * 100), "%"),
        ("Exp. 4: excitatory PSPs (smallest)", min(exc1, exc2, exc3), "LSB"),
        ("Exp. 4: inhibitory PSP", inh, "LSB"),
    ]


def main() -> None:
    from bss2_emulator.chip import fit

    measured = fit.measure()
    print("Measured on the recordings:")
    for name, value in vars(measured).items():
        print(f"  {name:15s} {value:10.4f}")
    print(f"Fit residuals: ramps {measured.ramp_rms:.2f} LSB rms, falls {measured.fall_rms:.2f} LSB rms.")
    fit.main()
    print("The emulator with each recording's settings, against the recording:")
    for row in compare_with_recordings():
        print(f"  {row.target.observation:42s} {row.describe()}")
    print("The emulator with the settings of the catalogue's published chip figures, against them:")
    for row in compare_with_catalogue():
        print(f"  {row.target.observation:42s} {row.describe()}")
    print("Predictions for the tutorial's own settings (no hardware recording exists for them):")
    for name, value, unit in predictions(run_experiments()):
        print(f"  {name:42s} {value:8.2f} {unit}")


if __name__ == "__main__":
    main()
