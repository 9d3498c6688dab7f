"""What a hostile job queue and Drive may do, as a student meets it through the real clients.

Every wait ends by ``BSS2_JOB_TIMEOUT`` (the Drive lookup, the quota check and downloads that
never end on their own included); a 429 waits as asked, within the deadline; what the server
says reaches the screen capped and as plain text; answers that cannot be right are refused
with a final, clear message.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time

import pytest

from helpers.backends.nmpi import ForeignJob, clients
from helpers.backends.nmpi.download import UnsafePath
from helpers.backends.nmpi.faults import AnswerTooLarge, ForeignHost
from helpers.backends.nmpi.retry import QueueUnavailable
from helpers.collab import Collab, check_quota, find_collab
from helpers.jobs import LOG_TAIL_CHARS
from helpers.paths import REPOSITORY
from tests.conftest import experiment
from tests.support.queue_runs import SCRIPT, cli, result, run

#: What no screen may receive from a server: ESC, the C1 CSI, a bidi override.
CONTROLS = ("\x1b", "\x9b", "\u202e")


def finished_job(fake, outcome: str) -> str:
    """A job of the student's that the queue has finished, with ``outcome``; its id."""
    fake.next_outcomes.append(outcome)
    job = fake.submit({"code": experiment("first_experiment"), "collab": "my-collab", "command": "run.py"})
    while fake.jobs[job["id"]]["status"] not in ("finished", "error"):
        time.sleep(0.05)
    return str(job["id"])


def timed(process: subprocess.Popen, limit: float) -> tuple[str, str, float]:
    started = time.monotonic()
    out, err = process.communicate(timeout=limit + 60)
    return out, err, time.monotonic() - started


# -- 4. Every wait ends by its deadline ---------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["slow-headers", "gzip-nothing", "endless-chunk-line", "redirect-chain"])
def test_a_download_that_never_ends_on_its_own_ends_by_the_deadline(lab, fake_ebrains, outcome):
    job_id = finished_job(fake_ebrains, outcome)
    fetch = cli("fetch", job_id, "--output-dir", "out", cwd=lab, BSS2_JOB_TIMEOUT="4", BSS2_HTTP_TIMEOUT="2")
    _, err, took = timed(fetch, 4)
    assert took < 4 + 6, f"{outcome}: {took:.1f} s"  # the deadline, plus the interpreter's start and exit
    assert fetch.returncode == 1 and f"Could not download job_{job_id}/" in err
    assert "BSS2_JOB_TIMEOUT limit (4 s)" in err or "more than 5 redirects" in err, err
    assert not [p for p in (lab / "out").iterdir() if not p.name.startswith(".bss2-journal")]  # no partial file


def test_a_drive_that_never_answers_ends_the_collab_lookup_by_the_deadline(lab, fake_ebrains):
    fake_ebrains.silent("/api2/", times=100)
    folder = lab / "My Collab"
    folder.mkdir()
    (folder / SCRIPT).write_text((lab / SCRIPT).read_text())
    process = cli(
        "run", SCRIPT, "--backend", "nmpi", cwd=folder, EBRAINS_COLLAB="", EBRAINS_DRIVE_ROOT=str(lab),
        BSS2_JOB_TIMEOUT="4", BSS2_HTTP_TIMEOUT="2",
    )  # fmt: skip
    _, err, took = timed(process, 4)
    assert took < 4 + 6 and process.returncode == 1
    assert "Gave up the Drive lookup of the collab 'My Collab' by the BSS2_JOB_TIMEOUT limit (4 s)" in err
    assert "Traceback" not in err and fake_ebrains.submissions() == 0


def test_a_queue_that_never_answers_ends_the_quota_check_by_the_deadline(fake_ebrains, monkeypatch):
    fake_ebrains.silent("/projects", times=100)
    monkeypatch.setenv("BSS2_JOB_TIMEOUT", "3")
    monkeypatch.setenv("BSS2_HTTP_TIMEOUT", "1")
    started = time.monotonic()
    with pytest.raises(QueueUnavailable, match=r"Gave up the quota check by the BSS2_JOB_TIMEOUT limit \(3 s\)"):
        check_quota(Collab("my-collab"))
    assert time.monotonic() - started < 3 + 1


def test_the_deadline_is_named_when_the_queue_stops_answering(lab, fake_ebrains):
    fake_ebrains.silent("/jobs/10", times=100, method="GET")
    process = cli("run", SCRIPT, "--backend", "nmpi", cwd=lab, BSS2_JOB_TIMEOUT="3", BSS2_HTTP_TIMEOUT="5")
    _, err, took = timed(process, 3)
    assert took < 3 + 6 and process.returncode == 1
    assert "Gave up waiting for job 1000 by the BSS2_JOB_TIMEOUT limit (3 s)" in err
    assert "BSS2_HTTP_TIMEOUT" not in err  # it was the deadline that cut the last call short, not the 5 s
    assert "python -m helpers fetch 1000" in err  # the job goes on: how to resume it


# -- 5. Answers the queue may give ------------------------------------------------------------------------


def test_a_429_on_a_poll_waits_as_asked_and_the_run_goes_on(lab, fake_ebrains):
    fake_ebrains.fail("/jobs/1000", 429, {"detail": "Too many requests"}, times=2, method="GET",
                      headers={"Retry-After": "1"})  # fmt: skip
    started = time.monotonic()
    assert result(lab / "out", run(lab / "out")).is_file()
    assert time.monotonic() - started >= 2  # both waits were kept
    assert fake_ebrains.submissions() == 1


def test_a_429_on_the_submission_is_asked_again_and_bills_one_job(lab, fake_ebrains):
    fake_ebrains.fail("/jobs/", 429, {"detail": "slow down"}, method="POST", headers={"Retry-After": "1"})
    assert result(lab / "out", run(lab / "out")).is_file() and fake_ebrains.submissions() == 1


def test_a_429_asking_past_the_deadline_ends_at_once_with_the_way_to_resume(lab, fake_ebrains):
    fake_ebrains.fail("/jobs/1000", 429, {"detail": "later"}, times=100, method="GET",
                      headers={"Retry-After": "3600"})  # fmt: skip
    process = cli("run", SCRIPT, "--backend", "nmpi", cwd=lab, BSS2_JOB_TIMEOUT="30")
    _, err, took = timed(process, 30)
    assert took < 15 and process.returncode == 1  # no waiting out a wait that cannot end in time
    assert "429 Too Many Requests" in err and "asking to wait 3600 s" in err
    assert "python -m helpers fetch 1000" in err


def test_a_huge_one_line_log_is_capped_on_screen_and_in_the_record(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("huge-log")
    process = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    out, err, _ = timed(process, 60)
    assert process.returncode == 0, err
    assert len(out) + len(err) < 2 * LOG_TAIL_CHARS and "earlier characters not shown" in out
    assert "the job log holds the rest" in out
    record = json.loads((lab / "out" / "job_1000" / "provenance.json").read_text())
    assert len(record["log_excerpt"]) < LOG_TAIL_CHARS + 100 and "not shown" in record["log_excerpt"]


@pytest.mark.parametrize(("outcome", "shown"), [("int-log", "7"), ("list-log", '["one", 2]')])
def test_a_log_that_is_not_text_is_shown_as_text(lab, fake_ebrains, outcome, shown):
    fake_ebrains.next_outcomes.append(outcome)
    process = cli("run", SCRIPT, "--backend", "nmpi", "--output-dir", "out", cwd=lab)
    out, err, _ = timed(process, 60)
    assert process.returncode == 0, err
    assert f"Job output:\n  {shown}\n" in out and "Traceback" not in err


def test_control_codes_in_a_status_never_reach_the_terminal(lab, fake_ebrains):
    """The waiting job's status line is drawn on a terminal: the student's, a pseudo-terminal here."""
    fake_ebrains.next_outcomes.append("escape-status")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers", "run", SCRIPT, "--backend", "nmpi", "--output-dir", "out"],
        cwd=lab, env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    screen = b""
    while chunk := _read(leader):
        screen += chunk
    assert process.wait(timeout=60) == 0, screen
    text = screen.decode()
    assert "finished OK" in text and "running" in text  # the status is shown, as plain text
    assert not [c for c in CONTROLS if c in text], repr(text[:400])


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except OSError:  # the terminal closed with the process
        return b""


def test_control_codes_in_an_error_detail_never_reach_the_terminal(lab, fake_ebrains):
    fake_ebrains.fail("/jobs/", 400, {"detail": "\x1b[2J\x1b[HJob 1000 finished OK\x9b2J\u202eKO"}, method="POST")
    process = cli("run", SCRIPT, "--backend", "nmpi", cwd=lab)
    _, err, _ = timed(process, 60)
    assert process.returncode == 1 and "Job 1000 finished OK" in err
    assert not [c for c in CONTROLS if c in err], repr(err)


def test_c1_controls_and_bidi_overrides_in_a_log_are_dropped(lab, fake_ebrains):
    fake_ebrains.next_outcomes.append("escape-log")
    job_id = run(lab / "out")
    excerpt = json.loads((lab / "out" / f"job_{job_id}" / "provenance.json").read_text())["log_excerpt"]
    assert "KO delif" in excerpt and not [c for c in CONTROLS if c in excerpt]


@pytest.mark.parametrize("outcome", ["nul-name", "long-name"])
def test_a_name_no_file_system_holds_is_refused_once_and_for_all(lab, fake_ebrains, outcome):
    fake_ebrains.next_outcomes.append(outcome)
    with pytest.raises(UnsafePath, match="no file system can hold") as error:
        run(lab / "out")
    assert "Run the same cell" not in str(error.value)  # running again would not mend it
    assert not list((lab / "out").glob("job_*")) and not (lab / "out" / ".bss2-journal").exists()


def test_a_drive_answer_past_its_cap_is_dropped_with_a_clear_error(fake_ebrains, monkeypatch, tmp_path):
    monkeypatch.setenv("EBRAINS_DRIVE_ROOT", str(tmp_path))
    fake_ebrains.raw("/api2/repos/", 200, b"[" + b" " * (clients.MAX_DRIVE_ANSWER_BYTES + 10) + b"]")
    with pytest.raises(AnswerTooLarge, match=r"/api2/repos/ answered with more than 16 MiB"):
        find_collab(tmp_path / "My Collab")


@pytest.mark.parametrize(("outcome", "named"), [("foreign-collab", "other-collab"), ("foreign-user", "someone-else")])
def test_the_record_of_another_collabs_or_users_job_is_refused(lab, fake_ebrains, outcome, named):
    fake_ebrains.next_outcomes.append(outcome)
    with pytest.raises(ForeignJob, match=rf"record of another job \(.*{named}.*\)\. Nothing was downloaded"):
        run(lab / "out")
    assert not list((lab / "out").glob("job_*"))


def test_a_redirect_to_another_host_is_refused_and_named(lab, fake_ebrains):
    elsewhere = fake_ebrains.url.replace("127.0.0.1", "localhost")
    fake_ebrains.fail("/jobs/1000", 302, {}, method="GET", headers={"Location": f"{elsewhere}/jobs/1000"})
    with pytest.raises(ForeignHost, match=r"redirected a request to 'localhost:\d+'.*not followed") as error:
        run(lab / "out")
    assert "expired" not in str(error.value) and "python -m helpers fetch 1000" in str(error.value)
    assert not [h for _, _, h in fake_ebrains.requests if h.get("Host", "").startswith("localhost")]


def test_the_readme_says_the_drive_gets_the_token_too():
    readme = (REPOSITORY / "README.md").read_text()
    assert "The token is sent only to the configured job and identity services and to the Drive" in readme
