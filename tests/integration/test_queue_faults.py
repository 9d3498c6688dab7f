"""The queue path under a hostile network and server, through the real nmpi client, as a user sees it.

One job per run whatever the network does; an interrupted run resumes its job; every wait ends by
its deadline and the process exits; the token goes nowhere else; hostile listings write nothing.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from helpers.backends.nmpi import JobTimeout, clients
from helpers.backends.nmpi.download import DownloadFailed, UnsafePath
from helpers.backends.nmpi.retry import QueueError, QueueUnavailable
from helpers.execution import fetch_job
from tests.support.queue_runs import SCRIPT, cli, result, run


def not_journal_or_jobs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(("job_", ".bss2-journal")))


# -- 1. Exactly once ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        lambda f: f.fail("/jobs/", 504, {"detail": "Gateway Timeout"}, after=True, method="POST"),
        lambda f: f.fail("/jobs/", 502, {"detail": "Bad Gateway"}, after=True, method="POST"),
        lambda f: f.raw("/jobs/", 201, b'{"id": 1000, "resource_uri": "/jobs/1', after=True, method="POST"),
        lambda f: f.drop("/jobs/", after=True, method="POST"),
        lambda f: f.fail("/jobs/", 500, {"detail": "Internal Server Error"}, method="POST"),
    ],
    ids=["504-after-create", "502-after-create", "truncated-201", "dropped-after-create", "500-before-create"],
)
def test_a_lost_answer_to_a_submission_never_creates_a_second_job(lab, fake_ebrains, fault):
    fault(fake_ebrains)
    job_id = run(lab / "out")
    assert fake_ebrains.submissions() == 1
    assert result(lab / "out", job_id).is_file()
    assert not (lab / "out" / ".bss2-journal").exists()  # finished: nothing pending is left


def test_every_submission_carries_its_own_tag(lab, fake_ebrains):
    run(lab / "out")
    run(lab / "out")  # a second, deliberate run of the same script is a new job
    tags = [job["tags"] for job in fake_ebrains.jobs.values()]
    assert len(tags) == 2 and all(len(t) == 1 and t[0].startswith("bss2-submission-") for t in tags)
    assert tags[0] != tags[1]


# -- 2. A submitted job is never lost ----------------------------------------------------------------


def test_ctrl_c_while_waiting_then_the_same_command_resumes_the_job(lab, fake_ebrains):
    fake_ebrains.step_seconds = 2.0
    process = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    line = ""
    while "as job" not in line:
        line = process.stdout.readline()
        assert line, "the job id was never shown"
    job_id = line.split("as job ")[1].split()[0]
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert f"Job {job_id} keeps running in the queue" in err and f"python -m helpers fetch {job_id}" in err
    assert "Traceback" not in err
    (entry,) = (lab / "out" / ".bss2-journal").glob("*.json")
    assert json.loads(entry.read_text())["job_id"] == job_id  # recorded before the wait started

    again = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert f"Resuming job {job_id}" in out and f"job id: {job_id}" in out
    assert fake_ebrains.submissions() == 1
    assert result(lab / "out", job_id).is_file() and not (lab / "out" / ".bss2-journal").exists()


def test_a_timed_out_run_is_resumed_by_running_it_again(lab, fake_ebrains, monkeypatch):
    fake_ebrains.step_seconds = 1.5
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "0.5")
    with pytest.raises(JobTimeout, match=r"Job 1000 .*Run the same cell or command again.*fetch 1000"):
        run(lab / "out")
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "60")
    assert run(lab / "out") == "1000"
    assert fake_ebrains.submissions() == 1


def test_a_job_is_fetched_by_its_id_from_python_and_from_the_terminal(lab, fake_ebrains, monkeypatch):
    fake_ebrains.step_seconds = 1.5
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "0.5")
    with pytest.raises(JobTimeout):
        run(lab / "out")
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "60")
    assert fetch_job("1000", destination=lab / "out") == "1000"
    record = json.loads((lab / "out" / "job_1000" / "provenance.json").read_text())
    assert record["script"] == SCRIPT  # named from the journal of the interrupted run, which is now done
    assert result(lab / "out", "1000").is_file() and not (lab / "out" / ".bss2-journal").exists()
    process = cli("fetch", "1000", "--output-dir", "term", cwd=lab)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "job id: 1000" in out and result(lab / "term", "1000").is_file()
    assert fake_ebrains.submissions() == 1


def test_fetch_refuses_what_is_not_a_job_id(lab, fake_ebrains):
    with pytest.raises(QueueError, match="whole numbers"):
        fetch_job("../1000", destination=lab / "out")


def test_fetching_a_job_the_queue_does_not_have_says_so(lab, fake_ebrains):
    with pytest.raises(QueueError, match=r"The queue has no job 4242: check the number"):
        fetch_job("4242", destination=lab / "out")
    process = cli("fetch", "4242", "--output-dir", "term", cwd=lab)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1 and err.startswith("error: The queue has no job 4242") and "Traceback" not in err
    assert not (lab / "term").exists() or not any((lab / "term").iterdir())


def test_a_token_expiring_while_waiting_names_the_job(lab, fake_ebrains):
    fake_ebrains.step_seconds = 0.5
    fake_ebrains.fail("/jobs/1000", 401, {"detail": "Token may have expired"}, method="GET")
    with pytest.raises(clients.TokenExpired, match=r"Job 1000 keeps running.*fetch 1000"):
        run(lab / "out")
    assert run(lab / "out") == "1000" and fake_ebrains.submissions() == 1


def test_a_failed_download_is_retried_by_running_again_without_resubmitting(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("truncated")
    with pytest.raises(DownloadFailed, match="without resubmitting"):
        run(lab / "out")
    fake_ebrains.outcomes[1000] = "normal"  # the file server recovers
    assert run(lab / "out") == "1000" and fake_ebrains.submissions() == 1


# -- 3. Nothing hangs ----------------------------------------------------------------------------------


def test_an_invalid_token_answer_never_prompts_for_a_password(lab, fake_ebrains):
    fake_ebrains.fail("/userinfo", 401, {"error": "invalid_token", "error_description": "Token is not active"})
    process = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.startswith("error: EBRAINS rejected the token") and "Password" not in out + err
    assert fake_ebrains.submissions() == 0


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (lambda f: f.silent("/jobs/10", times=100, method="GET"), "Gave up waiting for job 1000"),
        (lambda f: f.silent("/jobs/", times=1, method="POST"), "did not confirm the submission"),
        (lambda f: f.silent("/userinfo", times=100), "Gave up the EBRAINS identity check"),
    ],
    ids=["silent-poll", "silent-submit", "silent-identity"],
)
def test_a_silent_server_ends_in_an_error_by_the_deadline_and_the_process_exits(lab, fake_ebrains, fault, message):
    fault(fake_ebrains)
    started = time.monotonic()
    process = cli(
        "run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab, BSS2_JOB_TIMEOUT="4", BSS2_HTTP_TIMEOUT="1"
    )
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 4 + 6  # the deadline, plus the interpreter's start and exit
    assert process.returncode == 1 and message in err
    assert fake_ebrains.submissions() <= 1


def test_a_trickling_download_ends_by_the_deadline_without_leftovers(lab, fake_ebrains, monkeypatch):
    fake_ebrains.next_outcomes.append("trickle")
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "4")
    started = time.monotonic()
    with pytest.raises(DownloadFailed, match=r"BSS2_JOB_TIMEOUT limit \(4 s\)"):
        run(lab / "out")
    assert time.monotonic() - started < 8
    assert not_journal_or_jobs(lab / "out") == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killing_a_download_leaves_no_staging_folder_behind(lab, fake_ebrains, sig):
    fake_ebrains.next_outcomes.append("trickle")
    process = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    while "finished" not in process.stderr.readline():
        pass
    time.sleep(1.0)  # inside the download now
    assert any(p.name.startswith(".staging-") for p in (lab / "out").iterdir())
    process.send_signal(sig)
    process.communicate(timeout=30)
    fake_ebrains.outcomes[1000] = "normal"
    if sig == signal.SIGKILL:  # nothing could run in the killed process: the next run sweeps its folder
        assert run(lab / "out") == "1000"
    assert not_journal_or_jobs(lab / "out") == []
    assert fake_ebrains.submissions() == 1


# -- 4. Bounded resources and validated identifiers --------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "error", "message"),
    [
        ("oversize", DownloadFailed, "more than the 10 bytes it declared"),
        ("huge", UnsafePath, "capped at 256 MiB"),
        ("many-files", UnsafePath, "more than the cap of 1000"),
        ("duplicate-paths", UnsafePath, "twice"),
        ("provenance-name", UnsafePath, "provenance.json"),
        ("bad-hash", DownloadFailed, "hash does not match"),
    ],
)
def test_hostile_output_listings_write_nothing(lab, fake_ebrains, outcome, error, message):
    fake_ebrains.next_outcomes.append(outcome)
    with pytest.raises(error, match=message):
        run(lab / "out")
    assert not_journal_or_jobs(lab / "out") == []
    assert not list((lab / "out").glob("job_*"))


@pytest.mark.parametrize("outcome", ["sha512", "uppercase-hash"])
def test_every_declared_hash_is_checked_in_any_case(lab, fake_ebrains, outcome):
    fake_ebrains.next_outcomes.append(outcome)
    assert result(lab / "out", run(lab / "out")).is_file()


def test_control_codes_in_a_job_log_are_dropped(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("escape-log")
    job_id = run(lab / "out")
    excerpt = json.loads((lab / "out" / f"job_{job_id}" / "provenance.json").read_text())["log_excerpt"]
    assert "Job finished OK" in excerpt and "\x1b" not in excerpt and "\x07" not in excerpt


class _Spy(BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self) -> None:
        _Spy.seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_job_address_on_another_host_gets_no_token(lab, fake_ebrains):
    spy = HTTPServer(("127.0.0.2", int(fake_ebrains.url.rsplit(":", 1)[1])), _Spy)
    threading.Thread(target=spy.serve_forever, daemon=True).start()
    try:
        fake_ebrains.next_outcomes.append("hostile-uri")
        job_id = run(lab / "out")  # the job is found by its tag, under its integer id
    finally:
        spy.shutdown()
    assert job_id == "1000" and _Spy.seen == []
    assert fake_ebrains.submissions() == 1


def test_the_token_is_sent_to_the_configured_services_only():
    auth = clients.GuardedAuth("secret")
    import requests

    request = requests.Request("GET", "http://127.0.0.2:1/jobs/1").prepare()
    with pytest.raises(clients.ForeignHost, match="Nothing was sent"):
        auth(request)
    assert "Authorization" not in request.headers


@pytest.mark.parametrize(
    "fault",
    [
        lambda f: f.fail("/jobs/10", 503, ["a", "list"], times=2, method="GET"),
        lambda f: f.fail("/jobs/10", 503, {"message": "no detail, no error"}, times=2, method="GET"),
        lambda f: f.fail("/userinfo", 503, {"error": "maintenance"}, times=2),
        lambda f: f.fail("/userinfo", 401, ["odd"], times=1),
    ],
    ids=["503-list-body", "503-without-detail", "503-userinfo", "401-list-body"],
)
def test_odd_error_bodies_are_retried_or_explained(lab, fake_ebrains, fault):
    fault(fake_ebrains)
    try:
        assert result(lab / "out", run(lab / "out")).is_file()
    except QueueError as error:
        assert "cannot read" in str(error)


def test_a_refusal_is_explained(lab, fake_ebrains):
    fake_ebrains.fail("/jobs/", 403, {"detail": "Forbidden"}, method="POST")
    with pytest.raises(QueueError, match=r"403 Forbidden.*access to this collab"):
        run(lab / "out")
    assert not (lab / "out" / ".bss2-journal").exists()


def test_a_job_without_status_is_explained(lab, fake_ebrains, monkeypatch):
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "2")
    fake_ebrains.next_outcomes.append("no-status")
    with pytest.raises(QueueUnavailable, match=r"job 1000.*cannot read \(KeyError: 'status'\)"):
        run(lab / "out")
