"""The notebook the site offers for download runs on its own, as a student runs it in the EBRAINS Lab.

It is copied alone into a collab's Drive folder and run in a kernel whose environment holds only
what an EBRAINS Lab kernel has (the queue and Drive clients, neo, matplotlib, numpy): no copy of
this repository, no PyNN, no jupytext. Its jobs go to the fake EBRAINS, offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from importlib.metadata import Distribution, distribution
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from packaging.requirements import Requirement

from helpers.paths import REPOSITORY
from tests.site.conftest import TUTORIALS

#: What an EBRAINS Lab kernel has, and ipykernel to be a kernel at all.
LAB_PACKAGES = ["hbp_neuromorphic_platform", "ebrains-drive", "neo", "matplotlib", "numpy", "ipykernel"]


def closure(names: list[str]) -> dict[str, Distribution]:
    """The distributions ``names`` need, recursively, as installed here."""
    found: dict[str, Distribution] = {}
    todo = list(names)
    while todo:
        dist = distribution(todo.pop())
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in found:
            continue
        found[key] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return found


@pytest.fixture(scope="module")
def lab_kernel(tmp_path_factory) -> Path:
    """A kernelspec folder whose ``lab`` kernel runs in a fresh venv holding only the Lab's packages."""
    root = tmp_path_factory.mktemp("lab-kernel")
    venv.create(root / "venv", with_pip=False, symlinks=True)
    python = root / "venv" / "bin" / "python"
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        text=True).strip())  # fmt: skip
    for dist in closure(LAB_PACKAGES).values():
        for top in {Path(str(f)).parts[0] for f in dist.files or []}:
            source = Path(dist.locate_file(top))
            if source.exists() and not (site / top).exists() and not top.startswith(".."):
                (site / top).symlink_to(source)
    kernel = root / "kernels" / "lab"
    kernel.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (kernel / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Lab", "language": "python"}))
    return root


def test_the_lab_kernel_has_only_the_lab_packages(lab_kernel, tmp_path):
    python = lab_kernel / "venv" / "bin" / "python"
    check = "import nmpi, ebrains_drive, neo, matplotlib, numpy\nfor m in ('helpers', 'pyNN', 'jupytext'):\n" \
            "    try:\n        __import__(m)\n    except ImportError:\n        print('absent', m)\n"  # fmt: skip
    process = subprocess.run([python, "-c", check], cwd=tmp_path, capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})  # fmt: skip
    assert process.stdout.split("\n")[:3] == ["absent helpers", "absent pyNN", "absent jupytext"], process.stderr


def texts(notebook) -> str:
    return "\n".join(
        o.get("text", "") + json.dumps(o.get("data", {}).get("text/plain", "")) for c in notebook.cells
        for o in c.get("outputs", [])
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("tutorial", TUTORIALS, ids=lambda t: t.name)
def test_the_downloaded_notebook_runs_alone_in_a_lab_kernel(
    built_site, lab_kernel, tmp_path, monkeypatch, fake_ebrains, tutorial
):
    download = built_site / "_sources" / "tutorials" / f"{tutorial.name}.ipynb"
    edition = nbformat.read(download, as_version=4)
    assert edition.metadata.kernelspec.name == "ebrains-experimental"
    assert not any(c.get("outputs") for c in edition.cells if c.cell_type == "code")
    drive = tmp_path / "shared" / "My Collab"
    drive.mkdir(parents=True)
    shutil.copy(download, drive / download.name)  # the notebook alone, in the collab's Drive
    provider = tmp_path / "lab_site" / "clb_nb_utils"
    provider.mkdir(parents=True)
    (provider / "__init__.py").write_text("")
    (provider / "oauth.py").write_text(f"def get_token():\n    return {fake_ebrains.token!r}\n")
    monkeypatch.delenv("EBRAINS_TOKEN")
    monkeypatch.setenv("PYTHONPATH", str(provider.parent))  # the Lab's token provider, and nothing else
    monkeypatch.setenv("JUPYTER_PATH", str(lab_kernel))
    monkeypatch.setenv("LAB_KERNEL_NAME", "EBRAINS-experimental")
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path / "shared"))
    notebook = nbformat.read(drive / download.name, as_version=4)
    NotebookClient(notebook, kernel_name="lab", timeout=300, resources={"metadata": {"path": str(drive)}},
                   skip_cells_with_tag="skip-execution").execute()  # fmt: skip
    output = texts(notebook)
    assert "Jobs will be accounted to collab 'my-collab'" in output
    assert sorted(job["status"] for job in fake_ebrains.jobs.values()) == ["finished"] * tutorial.jobs
    figures = sum("image/png" in o.get("data", {}) for c in notebook.cells for o in c.get("outputs", []))
    assert figures == tutorial.figures
    assert len(list(Path.home().glob("job_*/*.dat"))) == tutorial.files
    assert str(REPOSITORY) not in output and sys.prefix not in output  # nothing came from this checkout
