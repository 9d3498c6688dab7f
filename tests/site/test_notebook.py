"""The tutorial notebook executed top to bottom in a real Jupyter kernel: offline, and as a Lab student."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from helpers.experiments import QUEUE_RUNNER, experiment_scripts
from helpers.paths import REPOSITORY
from tests.conftest import EXPERIMENTS
from tests.site.conftest import TUTORIALS

each_tutorial = pytest.mark.parametrize("tutorial", TUTORIALS, ids=lambda t: t.name)


def checkout(root: Path, name: str) -> Path:
    """A copy of a notebook in ``root/tutorials`` next to the repository's helpers, as nbgitpuller lays it out."""
    (root / "tutorials").mkdir(parents=True, exist_ok=True)
    for package in ("helpers", "bss2_emulator"):
        if not (root / package).exists():
            (root / package).symlink_to(REPOSITORY / package)
    shutil.copy(REPOSITORY / "tutorials" / f"{name}.md", root / "tutorials" / f"{name}.md")
    return root / "tutorials" / f"{name}.md"


def execute(path: Path, edit=None) -> nbformat.NotebookNode:
    notebook = jupytext.read(path)
    if edit:
        edit(notebook)
    NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(path.parent)}},
        skip_cells_with_tag="skip-execution",
    ).execute()
    return notebook


def texts(notebook) -> str:
    chunks = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            chunks.append(output.get("text", "") + json.dumps(output.get("data", {}).get("text/plain", "")))
    return "\n".join(chunks)


def images(notebook) -> int:
    return sum("image/png" in o.get("data", {}) for c in notebook.cells for o in c.get("outputs", []))


SEED = REPOSITORY.parent / "shared" / "seed" / "queue_runner_tutorial.txt"


def test_file_cells_are_the_seed_scripts_verbatim():
    """Line for line the seed's scripts (the seed text lost its indentation and blank lines, so they are ignored)."""
    if not SEED.is_file():
        pytest.skip(f"The seed tutorial is not at {SEED}.")
    seed = [line.strip() for line in SEED.read_text().splitlines() if line.strip()]
    scripts = experiment_scripts(QUEUE_RUNNER)
    assert list(scripts) == [f"{name}.py" for name in EXPERIMENTS]
    for name, text in scripts.items():
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        start = seed.index(f"%%file ~/{name}") + 1
        assert seed[start : start + len(lines)] == lines


@each_tutorial
def test_runs_offline_in_replay_mode(tmp_path, monkeypatch, tutorial):
    monkeypatch.setenv("BSS2_BACKEND", "replay")
    monkeypatch.setenv("BSS2_OUTPUT_DIR", str(tmp_path / "jobs"))
    notebook = execute(checkout(tmp_path / "repo", tutorial.name))
    assert images(notebook) == tutorial.figures
    output = texts(notebook)
    assert "Not in the EBRAINS Lab" in output
    assert output.count("Replayed from the results cache: EMULATED") == tutorial.jobs
    assert len(list((tmp_path / "jobs").glob("job_*/*.dat"))) == tutorial.files


@pytest.mark.slow
@each_tutorial
def test_lab_student_runs_every_job_on_the_queue(tmp_path, monkeypatch, fake_ebrains, tutorial):
    """A student in the EBRAINS Lab: Drive folder, Lab kernel, Lab token provider, quota check on."""
    shared = tmp_path / "mnt" / "user" / "shared"
    notebook_path = checkout(shared / "My Collab", tutorial.name)
    provider = tmp_path / "lab_site" / "clb_nb_utils"
    provider.mkdir(parents=True)
    (provider / "__init__.py").write_text("")
    (provider / "oauth.py").write_text(f"def get_token():\n    return {fake_ebrains.token!r}\n")
    monkeypatch.delenv("EBRAINS_TOKEN")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(provider.parent), str(REPOSITORY)]))
    monkeypatch.setenv("LAB_KERNEL_NAME", "EBRAINS-experimental")
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(shared))

    def quota_on(nb):
        for cell in nb.cells:
            cell.source = cell.source.replace("check_for_quota = False", "check_for_quota = True")

    notebook = execute(notebook_path, edit=quota_on)
    output = texts(notebook)
    assert "Jobs will be accounted to collab 'my-collab'" in output
    assert "Collab 'my-collab' has an accepted quota." in output
    assert any(path == "/projects/" for _, path, _ in fake_ebrains.requests)
    assert sorted(job["status"] for job in fake_ebrains.jobs.values()) == ["finished"] * tutorial.jobs
    assert {job["hardware_config"]["SOFTWARE_VERSION"] for job in fake_ebrains.jobs.values()} == {"experimental"}
    assert images(notebook) == tutorial.figures
    home = Path(os.environ["HOME"])
    assert len(list(home.glob("job_*/*.dat"))) == tutorial.files  # in the home directory, as in the original
    assert not (home / ".hbptoken").exists()
    assert fake_ebrains.token not in output
    assert fake_ebrains.token not in nbformat.writes(notebook)
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    stdout, stderr = ("".join(o.get("text", "") for o in outputs if o.get("name") == n) for n in ("stdout", "stderr"))
    assert stdout.count("Submitted ") == tutorial.jobs and "Submitted " not in stderr  # not shown in red
    shown = [o.get("data", {}).get("text/plain", "") for o in outputs if o.get("output_type") == "display_data"]
    progress = [text for text in shown if text.lstrip("'").startswith("job ")]
    assert len(progress) == tutorial.jobs and all(p.startswith("job ") and ": finished (" in p for p in progress)


@each_tutorial
def test_jupyter_runs_the_notebook_without_kernel_flags(tmp_path, tutorial):
    """Outside the Lab, the notebook's EBRAINS kernel name is this environment's kernel; jobs go to the emulator."""
    notebook = checkout(tmp_path / "repo", tutorial.name).with_suffix(".ipynb")
    shutil.copy(REPOSITORY / "tutorials" / f"{tutorial.name}.ipynb", notebook)
    jupyter = Path(sys.executable).with_name("jupyter")
    process = subprocess.run([str(jupyter), "execute", str(notebook)], cwd=notebook.parent, capture_output=True,
                             text=True, timeout=600)  # fmt: skip
    assert process.returncode == 0, process.stderr[-3000:]
    assert len(list((notebook.parent / "jobs").glob("job_emu-*/*.dat"))) == tutorial.files  # here, not in home
    assert not list(Path.home().glob("job_*"))
