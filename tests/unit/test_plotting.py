"""plot_membrane_dynamics on real emulator output: labels, ranges, segments, and the EMULATED mark."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import itertools
import json

import numpy as np
import pytest

from helpers.execution import execute_on_hardware
from helpers.plotting import ResultFileError, membrane_figure, plot_membrane_dynamics, result_figure, thumbnail_figure
from tests.conftest import experiment


def replayed(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"{name}.py").write_text(experiment(name))
    job_id = execute_on_hardware(f"{name}.py", backend="replay", destination=tmp_path)
    return tmp_path / f"job_{job_id}" / f"{name}.dat"


def test_single_neuron_with_spikes(tmp_path, monkeypatch):
    fig = membrane_figure(replayed("second_experiment", tmp_path, monkeypatch))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Wall clock time [ms]" and ax.get_ylabel() == "ADC readout [a.u.]"
    assert ax.get_ylim()[0] >= 0 and ax.get_ylim()[1] <= 1023
    assert len(ax.get_lines()) > 10  # the trace plus one vertical line per spike
    assert "EMULATED" in ax.get_title(loc="left")
    assert any(t.get_text() == "EMULATED" for t in ax.texts)


def test_one_coloured_line_per_neuron_with_legend(tmp_path, monkeypatch):
    fig = membrane_figure(replayed("third_experiment", tmp_path, monkeypatch))
    ax = fig.axes[0]
    traces = [line for line in ax.get_lines() if line.get_label().startswith("neuron")]
    assert len(traces) == 10 and len({line.get_color() for line in traces}) == 10
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["neuron 0", "neuron 1"]


def test_no_spikes_is_said(tmp_path, monkeypatch, capsys):
    plot_membrane_dynamics(replayed("first_experiment", tmp_path, monkeypatch))
    assert "No spikes found to plot." in capsys.readouterr().out


HARDWARE = {
    "emulated": False,
    "backend": "nmpi",
    "job_id": "4242",
    "software_version": "stable",
    "hardware_provenance": {"platform": "BrainScaleS-2"},
    "queue_job": {"id": 4242, "status": "finished", "hardware_platform": "BrainScaleS-2"},
}


def test_hardware_data_is_not_marked_emulated(tmp_path, monkeypatch):
    path = replayed("first_experiment", tmp_path, monkeypatch)
    record = path.parent / "provenance.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), **HARDWARE}))
    ax = membrane_figure(path).axes[0]
    assert ax.get_title(loc="left") == "BrainScaleS-2 hardware, job 4242" and not ax.texts


@pytest.mark.parametrize("flipped", [{"emulated": False}, {"emulated": False, "backend": "nmpi"}])
def test_an_emulated_result_cannot_be_relabelled_as_hardware(tmp_path, monkeypatch, flipped):
    path = replayed("first_experiment", tmp_path, monkeypatch)
    record = path.parent / "provenance.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), **flipped}))
    ax = membrane_figure(path).axes[0]
    assert ax.get_title(loc="left").startswith("EMULATED") and ax.texts[0].get_text() == "EMULATED"


def test_missing_and_unreadable_files_give_clear_errors(tmp_path, monkeypatch):
    path = replayed("first_experiment", tmp_path, monkeypatch)
    with pytest.raises(ResultFileError, match=r"No result file.*holds"):
        membrane_figure(path.with_name("second_experiment.dat"))
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ResultFileError, match="cannot be read with neo"):
        membrane_figure(path)


def test_experiment_3_says_its_spikes_were_not_recorded(tmp_path, monkeypatch, capsys):
    plot_membrane_dynamics(replayed("third_experiment", tmp_path, monkeypatch))
    out = capsys.readouterr().out
    assert "Spikes were not recorded in this run" in out and "No spikes found" not in out


def test_twenty_neurons_get_readable_labels(pynn, tmp_path):
    from neo.io import PickleIO

    from tests.conftest import LEAK_OVER_THRESHOLD

    population = pynn.Population(20, pynn.cells.HXNeuron(**LEAK_OVER_THRESHOLD))
    for neuron in range(20):
        population.record(None)
        pynn.PopulationView(population, [neuron]).record(["v"])
        pynn.run(0.05)
        pynn.reset()
    PickleIO(str(tmp_path / "twenty.dat")).write_block(population.get_data())
    fig = membrane_figure(tmp_path / "twenty.dat")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes[1:]:
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert not any(a.overlaps(b) for a, b in itertools.pairwise(boxes))
    legend = fig.axes[0].get_legend().get_window_extent(renderer)
    assert fig.bbox.x0 <= legend.x0 and legend.x1 <= fig.bbox.x1  # the legend fits the figure
    lines = [line for line in fig.axes[0].get_lines() if line.get_label().isdigit()]
    assert len({line.get_color() for line in lines}) == 20  # no two neurons share a colour


def _drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _trace_points(ax):
    """Every drawn point of the membrane traces, in display coordinates."""
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]
    return np.concatenate([ax.transData.transform(np.column_stack(line.get_data())) for line in lines])


def test_small_potentials_fill_the_axis_and_the_full_range_is_an_option(tmp_path, monkeypatch):
    """Experiment 4's PSPs are some 30 LSB: on a 0-1023 axis they would be a few pixels high."""
    path = replayed("fourth_experiment", tmp_path, monkeypatch)
    ax = membrane_figure(path).axes[0]
    (line,) = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]
    low, high = ax.get_ylim()
    values = np.asarray(line.get_ydata())
    assert low <= values.min() and values.max() <= high
    assert (values.max() - values.min()) / (high - low) > 0.5  # the PSPs take most of the height
    assert membrane_figure(path, full_range=True).axes[0].get_ylim() == (0, 1023)


@pytest.mark.parametrize("name", ["fourth_experiment", "third_experiment", "small_network"])
def test_the_emulated_mark_and_the_legend_stay_off_the_data(tmp_path, monkeypatch, name):
    fig = result_figure(replayed(name, tmp_path, monkeypatch))
    renderer = _drawn(fig)
    ax = fig.axes[0]
    (mark,) = [t for t in ax.texts if t.get_text() == "EMULATED"]
    assert not mark.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))  # beside the axes
    legend = ax.get_legend()
    if legend is not None and ax.lines:
        box = legend.get_window_extent(renderer)
        points = _trace_points(ax) if name != "small_network" else np.empty((0, 2))
        inside = (points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
        assert not inside.any(), f"{inside.sum()} points of the traces under the legend"


def test_one_name_per_measure(tmp_path, monkeypatch):
    fig = membrane_figure(replayed("third_experiment", tmp_path, monkeypatch))
    titles = [ax.get_title() for ax in fig.axes[1:]]
    assert any(t.startswith("range ") and "(max / min − 1)" in t for t in titles)
    assert not any("spread" in t for t in titles)  # "spread" names no single measure


@pytest.mark.parametrize("name", ["third_experiment", "synapse_pair", "small_network"])
def test_a_thumbnail_is_drawn_for_its_size(tmp_path, monkeypatch, name):
    fig = thumbnail_figure(replayed(name, tmp_path, monkeypatch))
    renderer = _drawn(fig)
    (ax,) = fig.axes
    assert ax.get_legend() is None and not ax.get_xlabel() and not ax.get_ylabel()
    assert len([line for line in ax.get_lines() if line.get_linestyle() == "-"]) <= 3  # a few traces, not ten
    (mark,) = [t for t in ax.texts if t.get_text() == "EMULATED"]
    assert not mark.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
