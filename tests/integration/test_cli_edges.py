"""The command line at its edges: what a terminal user types wrong, and what they are told."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.experiments import experiment_scripts
from tests.conftest import run_cli


def test_scripts_writes_the_tutorials_experiments(tmp_path):
    process = run_cli("scripts", "mine", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    for name, text in experiment_scripts().items():
        assert (tmp_path / "mine" / name).read_text() == text


def test_an_experiment_runs_by_its_name_from_anywhere(tmp_path):
    process = run_cli("run", "second_experiment.py", "--backend", "emulator", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert "as the tutorial writes it (tutorials/queue_runner.md)" in process.stdout
    assert len(list((tmp_path / "jobs").glob("job_emu-*/second_experiment.dat"))) == 1
    assert not (tmp_path / "second_experiment.py").exists()


def test_the_project_python_runs_the_helpers_from_any_folder(tmp_path):
    """As a user types it in another folder: .venv/bin/python -m helpers, with no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    process = subprocess.run([sys.executable, "-m", "helpers", "run", "first_experiment.py", "--backend", "emulator"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert process.returncode == 0, process.stderr
    assert len(list((tmp_path / "jobs").glob("job_emu-*/first_experiment.dat"))) == 1


def test_a_missing_script_at_the_terminal_is_explained_for_the_terminal(tmp_path):
    process = run_cli("run", "my_experiment.py", "--backend", "emulator", cwd=tmp_path)
    assert process.returncode == 1
    assert process.stderr.startswith("error: No script 'my_experiment.py' in")
    assert "first_experiment.py" in process.stderr and "python -m helpers scripts" in process.stderr
    assert "%%file" not in process.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "out").write_text("a file"), "is a file: choose a folder"),
        (lambda d: (d / "blocker").write_text("a file"), "cannot be created"),
    ],
    ids=["output-dir-is-a-file", "parent-is-a-file"],
)
def test_an_unusable_output_dir_is_explained(tmp_path, setup, message):
    setup(tmp_path)
    target = "out" if "is a file" in message else "blocker/out"
    process = run_cli("run", "first_experiment.py", "--backend", "emulator", "--output-dir", target, cwd=tmp_path)
    assert (
        process.returncode == 1 and process.stderr.startswith("error: The output folder") and message in process.stderr
    )
    assert "Errno" not in process.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("BSS2_JOB_TIMEOUT", "abc"), ("BSS2_SOFTWARE_VERSION", "nonsense"), ("BSS2_EMULATOR_SEED", "-1")],
)
def test_a_bad_setting_is_named_at_the_terminal(tmp_path, variable, value):
    process = run_cli("run", "first_experiment.py", cwd=tmp_path, env={variable: value})
    assert process.returncode == 1
    assert process.stderr.startswith(f"error: {variable}='{value}' must be") and "Traceback" not in process.stderr


def test_a_failing_script_shows_its_own_traceback_not_the_emulators(tmp_path):
    script = tmp_path / "broken_experiment.py"
    script.write_text(
        "import pynn_brainscales.brainscales2 as pynn\n\n\ndef build():\n"
        "    return pynn.Population(1, pynn.cells.HXNeuron(leak_v_leak=2000))\n\n\nbuild()\n"
    )
    process = run_cli("run", str(script), "--backend", "emulator", cwd=tmp_path)
    assert process.returncode == 1
    assert 'File "broken_experiment.py", line 8, in <module>\n    build()' in process.stderr
    assert 'File "broken_experiment.py", line 5, in build' in process.stderr
    assert "ValueError: HXNeuron parameter 'leak_v_leak' = 2000 is out of range" in process.stderr
    assert "bss2_emulator" not in process.stderr and "pyNN/" not in process.stderr


def test_the_terminal_shows_what_the_job_printed_and_each_warning_once(tmp_path):
    """What is wrong (issue 16), 10: a job's own prints and the emulator's warnings reach the student, as the
    chip's job log does; a setting the emulator does not model is named once, however many neurons and runs."""
    (tmp_path / "loop.py").write_text(
        "import pynn_brainscales.brainscales2 as pynn\n"
        "print('measured 42 spikes')\n"
        "for run in range(3):\n"
        "    pynn.setup()\n"
        "    pop = pynn.Population(4, pynn.cells.HXNeuron(refractory_period_enable_pause=True))\n"
        "    pop.record('spikes')\n"
        "    pynn.run(0.01)\n"
        "    pynn.end()\n"
    )
    process = run_cli("run", "loop.py", "--backend", "emulator", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert "Job output:" in process.stdout
    assert "  measured 42 spikes" in process.stdout
    assert process.stdout.count("refractory_period_enable_pause=1 set, but not modelled") == 1


def test_a_cell_type_the_chips_library_lacks_is_named_with_what_it_offers(tmp_path):
    (tmp_path / "mine.py").write_text(
        "import pynn_brainscales.brainscales2 as pynn\npynn.setup()\npynn.Population(1, pynn.IF_cond_exp())\n"
    )
    process = run_cli("run", "mine.py", "--backend", "emulator", cwd=tmp_path)
    assert process.returncode == 1
    assert "pynn_brainscales has no IF_cond_exp, on the chip as in the emulator" in process.stderr
    assert "HXNeuron" in process.stderr and "CalibHXNeuronCuba" in process.stderr
    assert "run the script on the chip" not in process.stderr
