"""``plot_membrane_dynamics``: the tutorial's figure of membrane traces and spikes.

As in the original tutorial, it reads neo data from the job's result file and
plots the MADC trace with a vertical line per spike, on the full 10-bit range.
It also handles several segments (one line per recorded neuron, coloured, with
a legend) and labels emulated data as such in the figure itself.
"""

from __future__ import annotations

import html
import pickle
from pathlib import Path

import matplotlib.pyplot as plt
import neo
import numpy as np
from neo.io import PickleIO

from .analysis import sawtooth, trace
from .cache import provenance
from .errors import BSS2Error
from .paths import MPL_STYLE


class ResultFileError(BSS2Error, RuntimeError):
    """A result file that is missing or cannot be read with the installed neo."""


def load_block(path: str | Path) -> neo.Block:
    """Read a job's result file, with an error that says what to do when that fails."""
    path = Path(path)
    if not path.is_file():
        folder = path.parent
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        raise ResultFileError(
            f"No result file {path}. "
            + (f"The job folder holds {found}." if folder.is_dir() else f"The job folder {folder} does not exist.")
            + " Check the job id and that the experiment script writes this file."
        )
    try:
        return PickleIO(str(path)).read_block()
    except (pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError, TypeError, ValueError) as error:
        raise ResultFileError(
            f"{path} cannot be read with neo {neo.__version__} ({type(error).__name__}: {error}). PickleIO files "
            "are tied to the neo version that wrote them: re-run the job, or install the neo version named in "
            f"{path.parent / provenance.PROVENANCE_FILE}."
        ) from None


def membrane_figure(path: str | Path) -> plt.Figure:
    """The figure of the membrane potential and spikes recorded in the result file at ``path``."""
    block = load_block(path)
    record = provenance.find(path)
    label = provenance.label(record) if record is not None else None
    # Without a record, the data itself says whether an emulator wrote it.
    emulated = label.emulated if label else "emulator" in str(block.annotations.get("simulator", "")).lower()
    several = len(block.segments) > 1
    with plt.style.context(MPL_STYLE):
        if several:
            fig = plt.figure(figsize=(7.5, 6.2))
            grid = fig.add_gridspec(2, 2, height_ratios=(1.6, 1), hspace=0.45, wspace=0.3)
            ax = fig.add_subplot(grid[0, :])
        else:
            fig, ax = plt.subplots()
        n = len(block.segments)
        palette = plt.get_cmap("tab10" if n <= 10 else "tab20")

        def colours(k: int):
            return palette(k % palette.N)

        for index, segment in enumerate(block.segments):
            if len(segment.irregularlysampledsignals) != 1:
                raise ValueError(
                    f"Segment {index} holds {len(segment.irregularlysampledsignals)} membrane traces; "
                    "plotting needs exactly one per segment (record 'v' on one neuron per run)."
                )
            signal = segment.irregularlysampledsignals[0]
            neuron = signal.annotations.get("source_ids", [index])[0]
            colour = colours(index) if several else "C0"
            for spike in segment.spiketrains[0] if len(segment.spiketrains) else []:
                ax.axvline(float(spike.rescale("ms")), color="black", linewidth=0.6, alpha=0.6)
            ax.plot(
                signal.times.rescale("ms"),
                np.asarray(signal).ravel(),
                color=colour,
                alpha=0.7,
                linewidth=0.8,
                label=f"neuron {neuron}" if n <= 10 else str(neuron),
            )
        if not any(len(s.spiketrains) and len(s.spiketrains[0]) for s in block.segments):
            print(_no_spikes_note(block))
        ax.set_xlabel("Wall clock time [ms]")
        ax.set_ylabel("ADC readout [a.u.]")
        ax.set_ylim(0, 1023)  # ADC precision: 10 bit -> value range 0-1023
        if several:
            many = {"title": "neuron", "title_fontsize": "x-small", "fontsize": "x-small", "ncols": 10}
            ax.legend(**({"ncols": 5, "fontsize": "small"} if n <= 10 else many), loc="upper center", frameon=False)
            _spread_panels(fig, grid, block, colours)
        if label is not None:
            source = f"{label.headline}, job {record['job_id']}"
        else:
            source = "EMULATED (not hardware)" if emulated else "no provenance record: source unknown"
        ax.set_title(source, loc="left", fontsize="medium", color="#b35900" if emulated else "black")
        if emulated:
            ax.text(
                0.99,
                0.03,
                "EMULATED",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=22,
                color="#b35900",
                alpha=0.25,
                fontweight="bold",
            )
    return fig


def _no_spikes_note(block: neo.Block) -> str:
    """What to say when no spike is drawn: none happened, or none was recorded though the traces show resets."""
    recorded = any(len(s.spiketrains) for s in block.segments)
    resets = any(len(sawtooth(*trace(s.irregularlysampledsignals[0])).reset_times) for s in block.segments)
    if resets and not recorded:
        return "Spikes were not recorded in this run (record 'spikes' to draw them); each steep drop is a reset."
    return "No spikes found to plot."


def _spread_panels(fig: plt.Figure, grid, block: neo.Block, colours) -> None:
    """Per-neuron peak (threshold) and trough (reset) levels and interspike intervals, read off the traces."""
    saws = [sawtooth(*trace(s.irregularlysampledsignals[0])) for s in block.segments]
    neurons = np.arange(len(saws))
    levels, intervals = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    for n, saw in zip(neurons, saws, strict=True):
        levels.plot([n, n], [saw.trough, saw.peak], color=colours(n), linewidth=2)
        levels.plot([n], [saw.peak], "^", color=colours(n))
        levels.plot([n], [saw.trough], "v", color=colours(n))
        intervals.bar(n, saw.isi * 1e3, color=colours(n))
    ticks = neurons[:: -(-len(neurons) // 10)]  # at most ten labels, so they never overlap
    levels.set(xlabel="neuron", ylabel="peak ▲ / reset ▼ [a.u.]", xticks=ticks)
    isis = np.array([s.isi for s in saws]) * 1e3
    intervals.set(xlabel="neuron", ylabel="interspike interval [µs]", xticks=ticks, ylim=(0, np.nanmax(isis) * 1.25))
    intervals.set_title(f"spread {np.nanmax(isis) / np.nanmin(isis) - 1:.0%}", fontsize="small")


def box_html(record: dict) -> str:
    """The provenance box shown under a result: emulated or hardware, job, software, date and versions."""
    label = provenance.label(record)
    kind = "emulated" if label.emulated else "hardware"
    cells = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in label.rows)
    return (
        f'<div class="bss2-provenance bss2-provenance-{kind}" role="note" aria-label="Provenance of this result">'
        f'<p class="bss2-provenance-title">{html.escape(label.title)}</p><dl>{cells}</dl></div>'
    )


def show_provenance(job_dir: str | Path) -> None:
    """Display the provenance box of a job (in a notebook), or print its one-line label (elsewhere)."""
    record = provenance.load(job_dir)
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(HTML(box_html(record)))
    else:
        print(provenance.label(record).line)


def plot_membrane_dynamics(path: str | Path) -> None:
    """Show the membrane potential and spikes recorded in the result file at ``path``, and where they came from."""
    membrane_figure(path)
    plt.show()
    if provenance.find(path) is not None:
        show_provenance(path)
