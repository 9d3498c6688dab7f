"""Catalogue pages on the emulator: ``python -m helpers catalogue`` and the "BrainScaleS-2 (emulator)" kernel.

The pages are a small catalogue in brainscales2-demos' format that the tests write themselves
(``tests/support/catalogue.py``); they run through the real command, in the real kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

from bss2_emulator.kernel import DISPLAY_NAME, KERNEL_NAME
from helpers.paths import REPOSITORY
from tests.conftest import run_cli
from tests.support.catalogue import write_catalogue

pytestmark = pytest.mark.slow


def test_the_catalogue_command_reports_each_page_and_saves_its_figures(tmp_path):
    root = write_catalogue(tmp_path / "demos")
    process = run_cli("catalogue", str(root), "--figures", str(tmp_path / "figures"), "--budget", "60", cwd=tmp_path)
    rows = {line.split("|")[1].strip(): line for line in process.stdout.splitlines() if line.startswith("| ")}
    assert "| ran |" in rows["aa_single_neuron"], process.stdout + process.stderr
    assert "ValueError: broken on purpose" in rows["bb_broken"] and "cell 1" in rows["bb_broken"]
    assert "| error |" in rows["bb_broken_widget"] and "broken inside the widget" in rows["bb_broken_widget"]
    assert "dlens_vx_v3" in rows["cc_low_level"].split("|")[2]  # needs: the low-level stack
    assert "low-level chip access" in rows["cc_low_level"]
    figures = sorted((tmp_path / "figures" / "aa_single_neuron").glob("*.png"))  # the plot, and the widget's
    assert len(figures) == 2 and all(f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in figures)
    assert "1 of 4 pages ran to the end; 1 of the 3 pages that need only PyNN." in process.stdout
    assert process.returncode == 1  # a page that needs only PyNN failed

    alone = run_cli("catalogue", str(root), "aa_single_neuron", "--figures", str(tmp_path / "f2"), cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout + alone.stderr


def test_a_page_over_its_budget_is_stopped_and_named(tmp_path):
    root = write_catalogue(tmp_path / "demos")
    (root / "dd_slow.rst").write_text(".. code:: ipython3\n\n    import time\n    time.sleep(60)\n")
    process = run_cli("catalogue", str(root), "dd_slow", "--budget", "3", cwd=tmp_path)
    assert "dd_slow: timeout" in process.stdout and "ran out" in process.stdout
    assert process.returncode == 1


def test_unknown_pages_and_folders_get_a_clear_error(tmp_path):
    root = write_catalogue(tmp_path / "demos")
    assert "has no page zz_missing" in run_cli("catalogue", str(root), "zz_missing", cwd=tmp_path).stderr
    assert "give the path of a checkout" in run_cli("catalogue", str(tmp_path / "nowhere"), cwd=tmp_path).stderr


def test_the_pages_as_notebooks_run_unchanged_in_the_emulator_kernel(tmp_path):
    from nbclient import NotebookClient

    root = write_catalogue(tmp_path / "demos")
    process = run_cli("catalogue", str(root), "aa_single_neuron", "--notebooks", str(tmp_path / "nb"), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    book = nbformat.read(tmp_path / "nb" / "aa_single_neuron.ipynb", as_version=4)
    assert book.metadata.kernelspec.name == KERNEL_NAME and book.metadata.kernelspec.display_name == DISPLAY_NAME
    book.cells.append(nbformat.v4.new_code_cell("print(pynn.__name__, pynn.helper.get_unique_identifier())"))
    NotebookClient(book, timeout=120, resources={"metadata": {"path": str(tmp_path / "nb")}}).execute()
    assert "bss2_emulator ['emulated-bss2-" in book.cells[-1].outputs[0]["text"]


def test_the_kernel_is_installed_into_this_environment_only():
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert spec.display_name == DISPLAY_NAME
    assert spec.resource_dir.startswith(sys.prefix)  # .venv, never the user's or the system's kernels
    assert spec.argv[:3] == [sys.executable, "-m", "bss2_emulator.kernel"]


def test_the_kernel_never_shadows_a_real_pynn_brainscales(tmp_path):
    (tmp_path / "pynn_brainscales").mkdir()
    (tmp_path / "pynn_brainscales" / "__init__.py").write_text("")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPOSITORY)])}
    process = subprocess.run(
        [sys.executable, "-m", "bss2_emulator.kernel"], env=env, capture_output=True, text=True, timeout=60
    )
    assert process.returncode != 0
    assert "does not shadow" in process.stderr and "real pynn_brainscales is installed" in process.stderr
