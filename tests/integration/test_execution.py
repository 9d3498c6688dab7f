"""execute_on_hardware: backend choice, where files land, and the errors a student can meet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.cache.store import NotCached
from helpers.execution import execute_on_hardware
from tests.conftest import experiment, run_cli


@pytest.fixture
def first(tmp_path, monkeypatch):
    """The first experiment, written into the working directory as the %%file cell would."""
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "first_experiment.py"
    script.write_text(experiment("first_experiment"))
    return script


def test_replay_when_asked_copies_the_committed_result(first, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BSS2_BACKEND", "replay")
    job_id = execute_on_hardware("first_experiment.py")
    job_dir = tmp_path / "jobs" / f"job_{job_id}"  # outside the Lab: a jobs/ folder where it runs
    assert (job_dir / "first_experiment.dat").is_file()
    provenance = json.loads((job_dir / "provenance.json").read_text())
    assert provenance["job_id"] == job_id
    assert "Replayed from the results cache: EMULATED" in capsys.readouterr().out
    assert not list((tmp_path / "home").iterdir())


def test_output_dir_from_environment(first, tmp_path, monkeypatch):
    monkeypatch.setenv("BSS2_OUTPUT_DIR", str(tmp_path / "results_here"))
    job_id = execute_on_hardware("first_experiment.py", backend="replay")
    assert (tmp_path / "results_here" / f"job_{job_id}" / "first_experiment.dat").is_file()


def test_auto_without_a_token_runs_on_the_emulator_with_notice(first, capsys, tmp_path):
    job_id = execute_on_hardware("first_experiment.py")  # a recorded result exists, and is not used
    out = capsys.readouterr().out
    assert "No EBRAINS token: running on the local emulator (results are EMULATED)" in out
    assert job_id.startswith("emu-")
    assert (tmp_path / "jobs" / f"job_{job_id}" / "first_experiment.dat").is_file()


@pytest.mark.parametrize(("kernel", "version"), [("EBRAINS-experimental", "experimental"), ("EBRAINS-25.02", "stable")])
def test_in_the_lab_auto_runs_on_the_chip_with_any_ebrains_kernel(first, fake_ebrains, monkeypatch, kernel, version):
    monkeypatch.setenv("LAB_KERNEL_NAME", kernel)
    monkeypatch.setenv("EBRAINS_COLLAB", "my-collab")
    job_id = execute_on_hardware("first_experiment.py")
    assert fake_ebrains.submissions() == 1 and job_id == "1000"
    assert fake_ebrains.jobs[1000]["hardware_config"] == {"SOFTWARE_VERSION": version}
    job_dir = Path.home() / f"job_{job_id}"  # in the Lab: the home directory, as in the original tutorial
    assert json.loads((job_dir / "provenance.json").read_text())["backend"] == "nmpi"


def test_replay_of_an_edited_script_fails_with_the_fix(first, monkeypatch):
    monkeypatch.setenv("BSS2_BACKEND", "replay")
    first.write_text(first.read_text().replace("leak_v_leak=700", "leak_v_leak=650"))
    with pytest.raises(NotCached, match=r"first_experiment\.py(.|\n)*make results"):
        execute_on_hardware("first_experiment.py")


def test_missing_script_is_named_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"second_experiment\.py.*%%file"):
        execute_on_hardware("second_experiment.py")


def test_unknown_backend_is_named(first, monkeypatch):
    monkeypatch.setenv("BSS2_BACKEND", "spinnaker")
    with pytest.raises(ValueError, match=r"spinnaker.*auto, replay, emulator, nmpi"):
        execute_on_hardware("first_experiment.py")


def test_cli_replay_prints_job_and_files(first, tmp_path):
    process = run_cli("run", "first_experiment.py", "--backend", "replay", "--output-dir", "out", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    job_id = re.search(r"job id: (\S+)", process.stdout).group(1)
    assert "first_experiment.dat" in process.stdout
    assert (tmp_path / "out" / f"job_{job_id}" / "first_experiment.dat").is_file()


def test_cli_replay_miss_exits_non_zero_with_message(first, tmp_path):
    first.write_text(first.read_text() + "\n# edited\n")
    process = run_cli("run", "first_experiment.py", "--backend", "replay", cwd=tmp_path)
    assert process.returncode == 1
    assert process.stderr.startswith("error: No cached result for first_experiment.py")


def test_record_stores_a_live_result(first, tmp_path, monkeypatch):
    from helpers import execution
    from helpers.cache.store import ResultsCache

    cache = ResultsCache(tmp_path / "cache")
    monkeypatch.setattr(execution, "ResultsCache", lambda: cache)
    monkeypatch.setenv("BSS2_RECORD", "1")
    job_id = execute_on_hardware("first_experiment.py", backend="emulator")
    entry = cache.lookup("first_experiment.py", first.read_bytes(), {"SOFTWARE_VERSION": "stable"})
    assert entry.provenance["job_id"] == job_id and entry.provenance["emulated"]
