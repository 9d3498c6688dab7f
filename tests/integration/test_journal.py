"""Exactly one job, also when runs overlap and when the journal is corrupt or a publish fails.

Through the real nmpi client against the fake EBRAINS, as a user runs the experiment: from
Python (a notebook cell) and from two terminals at once.
"""

from __future__ import annotations

import errno
import json
import re

import pytest

from helpers.backends.nmpi import JobTimeout, journal
from helpers.backends.nmpi.journal import JournalError, key_of
from helpers.execution import execute_on_hardware
from helpers.jobs import Job
from helpers.kernel import software_version
from tests.support.queue_runs import SCRIPT, cli, result, run


def entry_path(lab):
    key = key_of(Job(lab / SCRIPT, {"SOFTWARE_VERSION": software_version()}, "my-collab"))
    return lab / "out" / journal.FOLDER / f"{key}.json"


def timed_out_run(lab, fake_ebrains, monkeypatch) -> dict:
    """A run whose wait ended at the deadline: job 1000 is submitted, and its entry is pending."""
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "0.5")
    step, fake_ebrains.step_seconds = fake_ebrains.step_seconds, 2.0  # the job is still queued at the deadline
    with pytest.raises(JobTimeout):
        run(lab / "out")
    fake_ebrains.step_seconds = step
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "60")
    return json.loads(entry_path(lab).read_text())


def test_two_terminals_running_the_same_experiment_at_once_bill_one_job(lab, fake_ebrains):
    fake_ebrains.slow_seconds = 0.5  # every answer takes its time, the submission's too
    first, second = (cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab) for _ in range(2))
    outputs = [p.communicate(timeout=180) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert fake_ebrains.submissions() == 1
    assert all("job id: 1000" in out for out, _ in outputs)
    assert any("Another run of first_experiment.py" in out and "using its results" in out for out, _ in outputs)
    assert result(lab / "out", "1000").is_file() and not (lab / "out" / journal.FOLDER).exists()


def test_when_one_of_two_runs_times_out_the_other_resumes_its_job(lab, fake_ebrains):
    fake_ebrains.step_seconds, fake_ebrains.slow_seconds = 1.0, 0.3
    hasty = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab, BSS2_JOB_TIMEOUT="1")
    patient = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    (_, hasty_err), (patient_out, patient_err) = hasty.communicate(timeout=180), patient.communicate(timeout=180)
    assert hasty.returncode == 1 and "BSS2_JOB_TIMEOUT" in hasty_err
    assert patient.returncode == 0, patient_err
    assert fake_ebrains.submissions() == 1 and "job id: 1000" in patient_out
    assert not (lab / "out" / journal.FOLDER).exists()  # nothing pending, nothing orphaned


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"key": "k", "script": "first_experiment.py", "job_id": "10', "not JSON"),
        ("", "not JSON"),
        ('[{"job_id": "1000"}]', "JSON list"),
        (None, "its fields are"),
        ('{"job_id": "../../1000"}', "its fields are"),
    ],
    ids=["truncated", "empty", "list", "extra-field", "path-for-a-job-id"],
)
def test_a_corrupt_journal_stops_the_run_with_the_way_out_and_bills_nothing(lab, fake_ebrains, text, why):
    path = entry_path(lab)
    path.parent.mkdir(parents=True)
    if text is None:
        entry = {"key": path.stem, "script": SCRIPT, "collab": "my-collab", "tag": "bss2-submission-" + "0" * 32}
        text = json.dumps({**entry, "job_id": "1000", "note": "edited"})
    path.write_text(text)
    where = re.escape(str(path))
    with pytest.raises(JournalError, match=rf"{where} cannot be used: .*{why}.*\(rm {where}\)") as error:
        run(lab / "out")
    if '"job_id": "10' in text and "../" not in text:
        assert "python -m helpers fetch 10" in str(error.value)
    assert fake_ebrains.submissions() == 0 and path.read_text() == text  # never dropped silently
    path.unlink()  # the way out the message gives
    assert run(lab / "out") == "1000" and fake_ebrains.submissions() == 1


def test_a_job_id_that_is_a_path_is_reported_at_once(lab, fake_ebrains, monkeypatch):
    entry = timed_out_run(lab, fake_ebrains, monkeypatch)
    entry_path(lab).write_text(json.dumps({**entry, "job_id": "../../1000"}))
    process = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1 and "is not a job id of the queue" in err
    assert f"(rm {entry_path(lab).relative_to(lab)})" in err
    assert "Traceback" not in err


def test_a_job_id_of_the_wrong_type_is_repaired(lab, fake_ebrains, monkeypatch):
    entry = timed_out_run(lab, fake_ebrains, monkeypatch)
    entry_path(lab).write_text(json.dumps({**entry, "job_id": 1000}))
    assert run(lab / "out") == "1000" and fake_ebrains.submissions() == 1


def test_a_journal_that_is_a_file_is_explained(lab, fake_ebrains):
    (lab / "out").mkdir()
    (lab / "out" / journal.FOLDER).write_text("not a folder")
    with pytest.raises(JournalError, match=r"is a file, where the journal .*\(rm "):
        run(lab / "out")
    assert fake_ebrains.submissions() == 0


def test_a_publish_that_fails_after_the_download_keeps_the_job_for_the_rerun(lab, fake_ebrains, monkeypatch):
    from helpers.cache import provenance

    write = provenance.write

    def disk_full(folder, record):
        monkeypatch.setattr(provenance, "write", write)  # once
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(provenance, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        run(lab / "out")
    assert json.loads(entry_path(lab).read_text())["job_id"] == "1000"
    assert run(lab / "out") == "1000" and fake_ebrains.submissions() == 1
    assert result(lab / "out", "1000").is_file()


def test_a_full_disk_while_recording_the_job_id_leaves_no_temporary_file(lab, fake_ebrains, monkeypatch):
    dump = json.dump

    def full_on_second_save(data, handle, **kwargs):
        if isinstance(data, dict) and str(data.get("tag")).startswith("bss2-submission-") and data.get("job_id"):
            raise OSError(errno.ENOSPC, "No space left on device")  # the save that records the job id
        dump(data, handle, **kwargs)

    monkeypatch.setattr(journal.json, "dump", full_on_second_save)
    with pytest.raises(JournalError, match=r"No space left on device.*python -m helpers fetch 1000"):
        execute_on_hardware(SCRIPT, backend="nmpi", destination=lab / "out")
    assert [p.name for p in (lab / "out" / journal.FOLDER).iterdir() if p.name.startswith(".tmp")] == []
    monkeypatch.setattr(journal.json, "dump", dump)
    assert run(lab / "out") == "1000" and fake_ebrains.submissions() == 1  # found again by its tag
