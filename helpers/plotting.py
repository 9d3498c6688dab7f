"""``plot_membrane_dynamics``: the tutorial's figure of membrane traces and spikes.

As in the original tutorial, it reads neo data from the job's result file and
plots the MADC trace with a vertical line per spike. The y-axis is scaled to the
data, so that PSPs of a few tens of LSB show (``full_range=True`` shows the whole
10-bit range, 0-1023), with room above for the legend. It also handles several
segments (one line per recorded neuron, coloured, with a legend) and the MADC's
two channels, draws spike rasters of networks, and labels emulated data as such
in the figure itself, in the margin beside the data, never over it.
"""

from __future__ import annotations

import html
import pickle
from pathlib import Path

import matplotlib.pyplot as plt
import neo
import numpy as np

from . import safe_pickle
from .analysis import sawtooth, trace
from .cache import provenance
from .errors import BSS2Error
from .paths import MPL_STYLE

#: The membrane ADC's 10-bit range.
ADC_RANGE = (0, 1023)
#: The smallest y-span drawn (LSB), so that a flat trace does not magnify its noise.
MIN_SPAN = 40.0


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
        return safe_pickle.read_block(path)
    except safe_pickle.UnsafeResultFile as error:
        raise ResultFileError(f"{path} was not read: {error}") from None
    except (pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError, TypeError, ValueError) as error:
        raise ResultFileError(
            f"{path} cannot be read with neo {neo.__version__} ({type(error).__name__}: {error}). PickleIO files "
            "are tied to the neo version that wrote them: re-run the job, or install the neo version named in "
            f"{path.parent / provenance.PROVENANCE_FILE}."
        ) from None


def _source(path: str | Path, block: neo.Block) -> tuple[str, bool]:
    """The figure's title (where the data came from) and whether it is emulated."""
    record = provenance.find(path)
    label = provenance.label(record) if record is not None else None
    # Without a record, the data itself says whether an emulator wrote it.
    emulated = label.emulated if label else "emulator" in str(block.annotations.get("simulator", "")).lower()
    if label is not None:
        return f"{label.headline}, job {record['job_id']}", emulated
    return ("EMULATED (not hardware)" if emulated else "no provenance record: source unknown"), emulated


def _mark_source(ax: plt.Axes, title: str, emulated: bool) -> None:
    ax.set_title(title, loc="left", fontsize="medium", color="#b35900" if emulated else "black")
    if emulated:  # in the right margin, upright along the axis: beside the data, never over it
        ax.text(1.01, 0.5, "EMULATED", transform=ax.transAxes, ha="left", va="center", rotation=90, fontsize=16,
                color="#b35900", alpha=0.45, fontweight="bold")  # fmt: skip


def data_ylim(values: np.ndarray, legend_rows: int = 0) -> tuple[float, float]:
    """A y-range that shows ``values`` with a margin, and ``legend_rows`` rows of legend above them."""
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    span = max(high - low, MIN_SPAN)
    middle = (low + high) / 2
    low, high = middle - span / 2, middle + span / 2
    return max(low - 0.08 * span, ADC_RANGE[0]), min(high + (0.08 + 0.14 * legend_rows) * span, ADC_RANGE[1])


def _train_of(segment: neo.Segment, neuron: int):
    """The spike train of ``neuron`` in ``segment``: by its id, or the only one there is."""
    for train in segment.spiketrains:
        if train.annotations.get("channel_id") == neuron:
            return train
    return segment.spiketrains[0] if len(segment.spiketrains) == 1 else []


def membrane_figure(path: str | Path, full_range: bool = False) -> plt.Figure:
    """The figure of the membrane potentials and spikes recorded in the result file at ``path``.

    One line per recorded trace: a trace per segment (neurons recorded one after another, with
    panels of their spread), or two in one segment (the MADC's two channels). The y-axis fits the
    data, or, with ``full_range``, the ADC's whole range.
    """
    block = load_block(path)
    title, emulated = _source(path, block)
    traces = [(segment, signal) for segment in block.segments for signal in segment.irregularlysampledsignals]
    if not traces or any(len(s.irregularlysampledsignals) > 2 for s in block.segments):
        raise ValueError(
            f"{path} holds {len(traces)} membrane traces in {len(block.segments)} segments; plotting needs one or "
            "two per segment (record an analog variable on at most two neurons per run)."
        )
    spread = len(block.segments) > 1 and all(len(s.irregularlysampledsignals) == 1 for s in block.segments)
    with plt.style.context(MPL_STYLE):
        if spread:
            fig = plt.figure(figsize=(7.5, 6.2))
            grid = fig.add_gridspec(2, 2, height_ratios=(1.6, 1), hspace=0.45, wspace=0.3)
            ax = fig.add_subplot(grid[0, :])
        else:
            fig, ax = plt.subplots()
        n = len(traces)
        palette = plt.get_cmap("tab10" if n <= 10 else "tab20")

        def colours(k: int):
            return palette(k % palette.N)

        for index, (segment, signal) in enumerate(traces):
            neuron = signal.annotations.get("source_ids", [index])[0]
            colour = colours(index) if n > 1 else "C0"
            for spike in _train_of(segment, neuron):
                ax.axvline(float(spike.rescale("ms")), color="black" if n == 1 else colour, linewidth=0.6, alpha=0.6)
            ax.plot(signal.times.rescale("ms"), np.asarray(signal).ravel(), color=colour, alpha=0.7, linewidth=0.8,
                    label=f"neuron {neuron}" if n <= 10 else str(neuron))  # fmt: skip
        if not any(len(train) for s in block.segments for train in s.spiketrains):
            print(_no_spikes_note(block))
        ax.set_xlabel("Wall clock time [ms]")
        ax.set_ylabel("ADC readout [a.u.]")
        columns = 5 if n <= 10 else 10
        rows = 0 if n == 1 else -(-n // columns) + (n > 10)  # a title row above many neurons
        values = np.concatenate([np.asarray(signal).ravel() for _, signal in traces])
        ax.set_ylim(*(ADC_RANGE if full_range else data_ylim(values, rows)))
        if n > 1:
            many = {"title": "neuron", "title_fontsize": "x-small", "fontsize": "x-small"}
            style = {"fontsize": "small"} if n <= 10 else many
            ax.legend(**style, ncols=columns, loc="upper center", frameon=False, borderaxespad=0.2)
        if spread:
            _spread_panels(fig, grid, block, colours)
        _mark_source(ax, title, emulated)
    return fig


def raster_figure(path: str | Path) -> plt.Figure:
    """A raster of every spike train in the result file at ``path``: one row per neuron, one colour per population."""
    block = load_block(path)
    title, emulated = _source(path, block)
    trains = [train for segment in block.segments for train in segment.spiketrains]
    populations = list(dict.fromkeys(str(t.annotations.get("source_population", "")) for t in trains))
    with plt.style.context(MPL_STYLE):
        fig, ax = plt.subplots()
        for row, train in enumerate(trains):
            colour = f"C{populations.index(str(train.annotations.get('source_population', '')))}"
            ax.plot(train.rescale("ms").magnitude, np.full(len(train), row), "|", color=colour, markersize=4)
        for k, name in enumerate(populations):
            rows = [r for r, t in enumerate(trains) if str(t.annotations.get("source_population", "")) == name]
            count = sum(len(trains[r]) for r in rows)
            ax.plot([], [], "|", color=f"C{k}", label=f"{name} ({len(rows)} neurons, {count} spikes)")
        ax.set(xlabel="Wall clock time [ms]", ylabel="neuron", ylim=(-1, max(len(trains), 1)))
        if trains:
            ax.set_xlim(float(trains[0].t_start.rescale("ms")), float(trains[0].t_stop.rescale("ms")))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=2, fontsize="small", frameon=False)
        _mark_source(ax, title, emulated)
    return fig


#: A landing-page card's image: its size in inches, and the pixels per inch (twice a card's CSS width, for
#: high-density screens).
THUMBNAIL_INCHES = (3.2, 1.6)
THUMBNAIL_DPI = 200


def thumbnail_figure(path: str | Path) -> plt.Figure:
    """A card-sized drawing of a result: its traces (or its raster) alone, drawn for their size: no legend, no
    axis labels, at most three traces, lines made to show at three inches, and the EMULATED mark above the
    data, never on it."""
    block = load_block(path)
    _, emulated = _source(path, block)
    traces = [signal for segment in block.segments for signal in segment.irregularlysampledsignals]
    with plt.style.context(MPL_STYLE):
        fig, ax = plt.subplots(figsize=THUMBNAIL_INCHES, layout="constrained")
        palette = plt.get_cmap("tab10")
        for index, signal in enumerate(traces[:3]):
            ax.plot(signal.times.rescale("ms"), np.asarray(signal).ravel(), linewidth=1.0,
                    color=palette(index) if len(traces) > 1 else "C0")  # fmt: skip
        if traces:
            ax.set_ylim(*data_ylim(np.concatenate([np.asarray(s).ravel() for s in traces[:3]])))
        else:
            trains = [train for segment in block.segments for train in segment.spiketrains]
            for row, train in enumerate(trains):
                ax.plot(train.rescale("ms").magnitude, np.full(len(train), row), "|", color="C0", markersize=3)
        ax.set(xticks=[], yticks=[])
        if emulated:
            ax.text(1.0, 1.03, "EMULATED", transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                    color="#b35900", fontweight="bold")  # fmt: skip
    return fig


def result_figure(path: str | Path) -> plt.Figure:
    """The figure a result file calls for: its membrane traces, or, where it holds only spikes, a raster."""
    block = load_block(path)
    has_traces = any(s.irregularlysampledsignals for s in block.segments)
    return membrane_figure(path) if has_traces else raster_figure(path)


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
    intervals.set_title(f"range {np.nanmax(isis) / np.nanmin(isis) - 1:.0%} (max / min − 1)", fontsize="small")


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


def plot_membrane_dynamics(path: str | Path, full_range: bool = False) -> None:
    """Show the membrane potential and spikes recorded in the result file at ``path``, and where they came from.

    The y-axis fits the data; ``full_range=True`` shows the ADC's whole range, 0-1023."""
    membrane_figure(path, full_range)
    plt.show()
    if provenance.find(path) is not None:
        show_provenance(path)


def plot_spike_raster(path: str | Path) -> None:
    """Show the spikes of every neuron recorded in the result file at ``path``, and where they came from."""
    raster_figure(path)
    plt.show()
    if provenance.find(path) is not None:
        show_provenance(path)


def compare_spreads(uncalibrated: str | Path, calibrated: str | Path) -> None:
    """Print how much the neurons of two result files differ: the standard deviation, over neurons, of their
    peaks, resets and interspike intervals, and what calibration leaves of each."""
    spreads = []
    for path in (uncalibrated, calibrated):
        saws = [sawtooth(*trace(s.irregularlysampledsignals[0])) for s in load_block(path).segments]
        spreads.append([np.std([s.peak for s in saws]), np.std([s.trough for s in saws]),
                        np.std([s.isi for s in saws]) * 1e3])  # fmt: skip
    print(f"{'std over neurons':30s} {'uncalibrated':>13s} {'calibrated':>11s} {'left':>6s}")
    for name, raw, calibrated_value in zip(("peak [a.u.]", "reset [a.u.]", "interval [µs]"), *spreads, strict=True):
        print(f"{name:30s} {raw:13.2f} {calibrated_value:11.2f} {calibrated_value / raw:6.0%}")
