"""The build from a fresh copy of the sources: no writes into the source tree, no guessed links, clear errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.paths import REPOSITORY
from tests.site.conftest import sphinx_build

SOURCES = ["conf.py", "index.md", "emulator.md", "execution-statistics.md", "_static", "bss2_emulator", "helpers",
           "results", "sphinxext", "tutorials"]  # fmt: skip


@pytest.fixture
def copy(tmp_path) -> Path:
    """The site's sources in a fresh folder that is no git checkout (so it has no remote)."""
    for name in SOURCES:
        (shutil.copytree if (REPOSITORY / name).is_dir() else shutil.copy)(REPOSITORY / name, tmp_path / name)
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts)


@pytest.mark.slow
def test_a_cold_build_writes_nothing_into_the_sources_and_guesses_no_repository(copy, tmp_path):
    tutorials = listing(copy / "tutorials")
    process = sphinx_build(copy, tmp_path / "out")  # a new copy: a cold notebook cache, so the notebook runs
    assert process.returncode == 0, process.stderr[-3000:]
    assert listing(copy / "tutorials") == tutorials  # the %%file cells wrote into a scratch folder
    assert "the repository and launch buttons are left out" in process.stdout
    assert "MdParserConfig" not in process.stdout and "NbParserConfig" not in process.stdout  # no config dumps
    assert "IPKernelApp" not in process.stderr and "without encryption" not in process.stderr
    pages = "".join(p.read_text() for p in (tmp_path / "out" / "html").rglob("*.html"))
    assert "git-pull" not in pages and "bss2-tutorials/queue-runner-tutorial" not in pages
    executed = (tmp_path / "out" / "jupyter_execute" / "tutorials" / "queue_runner.ipynb").read_text()
    assert "Writing first_experiment.py" in executed and "Overwriting" not in executed
    second = (tmp_path / "out" / "jupyter_execute" / "tutorials" / "neuron_to_network.ipynb").read_text()
    assert "Writing calibrated_neurons.py" in second and "Overwriting" not in second
    html = tmp_path / "out" / "html"
    for name in ("queue_runner", "neuron_to_network"):  # without a URL, every way in but the launch button
        edition = html / "_sources" / "tutorials" / f"{name}.ipynb"
        assert "_HELPERS = " in edition.read_text()  # the Lab edition, which runs on its own
        page = (html / "tutorials" / f"{name}.html").read_text()
        assert f'href="../_sources/tutorials/{name}.ipynb"' in page
    landing = (html / "index.html").read_text()
    linked = re.search(r'<a href="([^"]+\.ipynb)" download>Download its notebook</a>', landing)
    assert linked and (html / linked[1]).is_file()


@pytest.mark.slow
def test_an_experiment_edited_without_recording_fails_the_build_with_the_fix(copy, tmp_path):
    notebook = copy / "tutorials" / "queue_runner.md"
    notebook.write_text(notebook.read_text().replace("leak_v_leak=700,", "leak_v_leak=650,"))
    process = sphinx_build(copy, tmp_path / "out")
    log = process.stdout + process.stderr
    assert process.returncode != 0
    assert re.search(r"Cannot draw the thumbnail bss2-thumbnail:first_experiment\.py: No cached result", log)
    assert "NotCached: No cached result for first_experiment.py" in log and "make results" in log
    assert "Extension error" not in log and "please open an issue" not in log
