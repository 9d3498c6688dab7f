"""The nmpi backend with the real clients against the fake EBRAINS: success, every fault, load, terminal use."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from neo.io import PickleIO

from helpers.backends.nmpi import JobRemoved, clients
from helpers.backends.nmpi.download import DownloadFailed, UnsafePath
from helpers.backends.nmpi.submission import AmbiguousSubmission
from helpers.execution import execute_on_hardware
from helpers.jobs import JobFailed
from tests.conftest import run_cli
from tests.support.queue_runs import run


def leftovers(folder: Path) -> list[str]:
    """What a failed job left in the output folder: partial files, staging folders or job folders.

    The journal of a job that can be resumed is not a leftover."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".bss2-journal") if folder.exists() else []


def test_job_runs_and_downloads_with_provenance(lab, fake_ebrains, capsys):
    job_id = run(lab / "out")
    job_dir = lab / "out" / f"job_{job_id}"
    block = PickleIO(str(job_dir / "first_experiment.dat")).read_block()
    assert len(block.segments[0].irregularlysampledsignals) == 1
    provenance = json.loads((job_dir / "provenance.json").read_text())
    assert provenance["backend"] == "nmpi" and provenance["job_id"] == job_id
    assert provenance["emulated"] is True  # the fake queue reports an emulator, so the result says so
    submitted = fake_ebrains.jobs[int(job_id)]
    assert submitted["collab"] == "my-collab" and submitted["command"] == "run.py"
    assert submitted["hardware_platform"] == "BrainScaleS-2"
    assert f"job {job_id}: finished" in capsys.readouterr().err


@pytest.mark.parametrize(
    "fault",
    [
        lambda f: f.fail("/jobs", 500, {"detail": "Internal Server Error"}, times=2),
        lambda f: f.fail("/jobs", 503, {"error": "The platform is under maintenance"}, times=3),
        lambda f: f.drop("/jobs/10", times=2),
        lambda f: f.drop("/files", times=1),
        lambda f: setattr(f, "slow_seconds", 0.3),
    ],
    ids=["http-500", "503-maintenance", "dropped-connection", "dropped-download", "slow"],
)
def test_transient_faults_are_retried(lab, fake_ebrains, fault):
    fault(fake_ebrains)
    job_id = run(lab / "out")
    assert (lab / "out" / f"job_{job_id}" / "first_experiment.dat").is_file()
    assert leftovers(lab / "out") == [f"job_{job_id}"]


def test_unconfirmed_submission_is_not_sent_twice(lab, fake_ebrains):
    fake_ebrains.drop("/jobs/")
    with pytest.raises(AmbiguousSubmission, match="Nothing was sent twice"):
        run(lab / "out")
    assert len(fake_ebrains.jobs) == 0  # this fake drops before creating; a second job was not submitted
    assert [m for m, p, _ in fake_ebrains.requests if p == "/jobs/" and m == "POST"] == ["POST"]
    assert leftovers(lab / "out") == []


def test_expired_token_is_a_clear_error(lab, fake_ebrains):
    fake_ebrains.fail("/jobs", 401, {"detail": "Token may have expired"})
    with pytest.raises(clients.TokenExpired, match="EBRAINS rejected the token"):
        run(lab / "out")
    assert leftovers(lab / "out") == []


def test_failed_job_shows_its_log(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("error")
    with pytest.raises(JobFailed, match=r"(?s)status 'error'.*injected"):
        run(lab / "out")
    assert leftovers(lab / "out") == []


def test_removed_job_ends_the_wait(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("removed")
    with pytest.raises(JobRemoved, match="removed from the queue"):
        run(lab / "out")


def test_wait_is_bounded(lab, fake_ebrains, monkeypatch):
    fake_ebrains.step_seconds = 3.0
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "0.5")
    with pytest.raises(TimeoutError, match="BSS2_JOB_TIMEOUT"):
        run(lab / "out")


@pytest.mark.parametrize("outcome", ["escape-absolute", "escape-dotdot"])
def test_output_paths_cannot_escape(lab, fake_ebrains, outcome):
    fake_ebrains.next_outcomes.append(outcome)
    with pytest.raises(UnsafePath, match="outside the job folder"):
        run(lab / "out")
    assert leftovers(lab / "out") == []
    assert not (lab / "first_experiment.dat").exists()


def test_truncated_download_is_retried_then_reported_without_partial_file(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("truncated")
    with pytest.raises(DownloadFailed, match="attempt 4 of 4"):
        run(lab / "out")
    assert leftovers(lab / "out") == []


def test_token_is_never_written_or_printed(lab, fake_ebrains, capsys, monkeypatch):
    from nmpi import nmpi_user

    # nmpi fixed its token file from HOME when it was first imported; point it at this test's home.
    token_file = Path.home() / ".hbptoken"
    monkeypatch.setattr(nmpi_user, "TOKENFILE", str(token_file))
    run(lab / "out")
    assert not token_file.exists()
    written = [p.read_bytes() for p in (lab / "out").rglob("*") if p.is_file()]
    assert not any(fake_ebrains.token.encode() in data for data in written)
    captured = capsys.readouterr()
    assert fake_ebrains.token not in captured.out + captured.err


@pytest.mark.slow
def test_fifty_concurrent_jobs_all_finish_with_their_own_files(lab, fake_ebrains, monkeypatch):
    monkeypatch.setenv("BSS2_HTTP_TIMEOUT", "60")  # 50 jobs share 2 cores with the fake queue's emulator
    scripts = []
    for k in range(50):
        script = lab / f"load_{k:02d}.py"
        script.write_text(f"open('result_{k:02d}.txt', 'w').write('job {k}')\n")
        scripts.append(script)

    def one(script: Path) -> tuple[int, str]:
        return int(script.stem.split("_")[1]), execute_on_hardware(str(script), backend="nmpi", destination=lab / "out")

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, scripts))
    assert len({job_id for _, job_id in results}) == 50
    for k, job_id in results:
        assert (lab / "out" / f"job_{job_id}" / f"result_{k:02d}.txt").read_text() == f"job {k}"
    assert [job["status"] for job in fake_ebrains.jobs.values()] == ["finished"] * 50


def test_terminal_run_against_the_fake(lab, fake_ebrains):
    env = {
        "EBRAINS_TOKEN": fake_ebrains.token,
        "EBRAINS_JOB_SERVICE": fake_ebrains.url,
        "EBRAINS_USERINFO_URL": fake_ebrains.url + "/userinfo",
        "EBRAINS_COLLAB": "my-collab",
    }
    process = run_cli("run", "first_experiment.py", "--backend", "nmpi", "--output-dir", "OUT", cwd=lab, env=env)
    assert process.returncode == 0, process.stderr
    job_id = re.search(r"job id: (\d+)", process.stdout).group(1)
    assert (lab / "OUT" / f"job_{job_id}" / "first_experiment.dat").is_file()
    assert fake_ebrains.token not in process.stdout + process.stderr
    assert not (Path.home() / ".hbptoken").exists()  # a fresh process: nmpi took its token file from this HOME


def test_terminal_failure_is_readable(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("error")
    env = {"EBRAINS_JOB_SERVICE": fake_ebrains.url, "EBRAINS_USERINFO_URL": fake_ebrains.url + "/userinfo"}
    process = run_cli("run", "first_experiment.py", "--backend", "nmpi", "--output-dir", "OUT", cwd=lab, env=env)
    assert process.returncode == 1
    assert "\nerror: Job " in process.stderr and "injected" in process.stderr
