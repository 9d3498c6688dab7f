"""A fake EBRAINS on 127.0.0.1: identity, job queue, projects (quota) and Drive, for the real clients.

It speaks the URL shapes that ``nmpi`` 0.11.2 and ``ebrains_drive`` 0.7.0 use
and runs submitted BrainScaleS-2 jobs on the emulator, as the real queue runs
them on the chip. Tests and benchmarks share it, and inject faults:

- ``fail(prefix, status, body, headers=...)``: answer the next matching requests with an HTTP error (any JSON
  body), e.g. a 429 with ``Retry-After`` or a 302 with ``Location``;
- ``drop(prefix)``: close the connection unanswered; ``silent(prefix)``: accept it and never answer;
- ``raw(prefix, status, data)``: answer with these bytes, e.g. a truncated JSON body;
- ``after=True`` on any of them: the request takes effect first, so a submission creates its job
  and only the answer is lost: the case that must not bill a student twice;
- ``slow_seconds``: delay every answer;
- ``next_outcomes``: how the next jobs end or what they send back:
  ``error`` (with a log), ``removed``, ``escape-absolute``/``escape-dotdot`` (output paths leaving the
  folder), ``truncated``/``trickle``/``oversize``/``huge`` (downloads cut short, at 1 byte/s, longer
  than declared, declared larger than any cap), ``many-files``, ``duplicate-paths``,
  ``provenance-name``, ``sha512``, ``uppercase-hash``, ``bad-hash``, ``escape-log`` (terminal control
  codes in the log), ``hostile-uri`` (a ``resource_uri`` naming another host) and ``no-status``;
  downloads that never end on their own: ``slow-headers`` (a byte of headers at a time), ``gzip-nothing``
  (a gzip stream decoding to nothing), ``endless-chunk-line``, ``redirect-chain`` (30 slow hops);
  answers to doubt: ``huge-log`` (10 MB on one line), ``int-log``, ``list-log``, ``escape-status``
  (control codes in the status), ``nul-name``, ``long-name`` (output names no file system holds),
  ``foreign-collab`` and ``foreign-user`` (the record of another collab's or user's job).

Run by hand:  python -m tests.support.fake_ebrains --port 8765 --token T --collab my-collab [--background]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from bss2_emulator.job_process import run_script

DRIVE_TOKEN = "drive-session-token"
USER = "student"


@dataclass
class Fault:
    prefix: str
    kind: str  # "status", "drop", "silent" or "raw"
    status: int = 0
    body: object = None  # JSON for "status", bytes for "raw"
    times: int = 1
    after: bool = False  # the request takes effect before the fault
    method: str | None = None
    headers: dict = field(default_factory=dict)


@dataclass
class FakeEbrains:
    token: str = "test-token"
    collabs: dict[str, str] = field(default_factory=lambda: {"My Collab": "my-collab"})  # title -> slug
    step_seconds: float = 0.05  # time a job spends in each state before it moves on
    slow_seconds: float = 0.0
    next_outcomes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.jobs: dict[int, dict] = {}
        self.outcomes: dict[int, str] = {}
        self.durations: dict[int, float] = {}  # seconds from submission to a final status, for benchmarks
        self.files: dict[tuple[int, str], bytes] = {}
        self.projects: list[dict] = [
            {"id": "p0", "collab": slug, "status": "accepted", "title": "quota"} for slug in self.collabs.values()
        ]
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict]] = []  # method, path, headers
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self._next_id = 1000
        self._server: ThreadingHTTPServer | None = None

    # -- control -------------------------------------------------------------
    def fail(
        self, prefix: str, status: int, body: object, times: int = 1, after: bool = False, method=None, headers=None
    ) -> None:
        self.faults.append(Fault(prefix, "status", status, body, times, after, method, dict(headers or {})))

    def drop(self, prefix: str, times: int = 1, after: bool = False, method=None) -> None:
        self.faults.append(Fault(prefix, "drop", times=times, after=after, method=method))

    def silent(self, prefix: str, times: int = 1, method=None) -> None:
        self.faults.append(Fault(prefix, "silent", times=times, method=method))

    def raw(self, prefix: str, status: int, data: bytes, times: int = 1, after: bool = False, method=None) -> None:
        self.faults.append(Fault(prefix, "raw", status, data, times, after, method))

    def start(self, port: int = 0) -> str:
        self._server = _Server(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.stopped.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def submissions(self) -> int:
        """How many jobs were created: what the student would be billed for."""
        return len(self.jobs)

    # -- job lifecycle -------------------------------------------------------
    def submit(self, body: dict) -> dict:
        with self.lock:
            job_id = self._next_id
            self._next_id += 1
            outcome = self.next_outcomes.pop(0) if self.next_outcomes else "normal"
        job = {
            **body,
            "id": job_id,
            "user_id": USER,
            "status": "submitted",
            "resource_uri": f"/jobs/@127.0.0.2:{self._server.server_address[1]}"
            if outcome == "hostile-uri"
            else f"/jobs/{job_id}",
            "timestamp_submission": _now(),
            "log": "",
            "output_data": None,
        }
        self.jobs[job_id] = job
        self.outcomes[job_id] = outcome
        started = time.monotonic()

        def run() -> None:
            self._run(job, outcome)
            self.durations[job_id] = time.monotonic() - started

        threading.Thread(target=run, daemon=True).start()
        return job

    def _run(self, job: dict, outcome: str) -> None:
        time.sleep(self.step_seconds)
        job["status"] = (
            "\x1b[2J\x1b[Hjob 1000: finished OK\x9b2J\u202erunning" if outcome == "escape-status" else "running"
        )
        if outcome == "removed":
            time.sleep(self.step_seconds)
            job["status"] = "removed"
            return
        with tempfile.TemporaryDirectory(prefix="fake-ebrains-job-") as work:
            script = Path(work) / "run.py"
            script.write_text(job["code"])
            process = run_script(script, Path(work), timeout=300)
            script.unlink()
            outputs = {p.name: p.read_bytes() for p in Path(work).iterdir() if p.is_file()}
        time.sleep(self.step_seconds)
        job["log"] = process.stdout + process.stderr
        if outcome == "escape-log":
            job["log"] += "\x1b[2J\x1b[H\x1b]0;owned\x07Job finished OK\r\n\x9b2J\u202eKO delif\n"
        if outcome == "huge-log":
            job["log"] += "x" * 10**7
        job["log"] = {"int-log": 7, "list-log": ["one", 2]}.get(outcome, job["log"])
        if outcome == "error" or process.returncode != 0:
            job["log"] += "\nRuntimeError: the experiment failed on the chip (injected)\n" if outcome == "error" else ""
            job["status"] = "error"
            job["timestamp_completion"] = _now()
            return
        if outcome == "provenance-name":
            outputs["provenance.json"] = b'{"emulated": false}'
        if outcome == "many-files":
            outputs.update({f"extra_{k:04d}.txt": b"x" for k in range(1100)})
        files = []
        for name, data in sorted(outputs.items()):
            self.files[(job["id"], name)] = data
            path = {
                "escape-absolute": f"/tmp/{name}",
                "escape-dotdot": f"job_{job['id']}/../../{name}",
                "nul-name": f"job_{job['id']}/{name}\x00.txt",
                "long-name": f"job_{job['id']}/{'n' * 300}{name}",
            }.get(outcome, f"job_{job['id']}/{name}")
            digest = hashlib.sha512(data).hexdigest() if outcome == "sha512" else hashlib.sha1(data).hexdigest()
            files.append(
                {
                    "url": f"{self.url}/files/{job['id']}/{name}",
                    "path": path,
                    "content_type": "application/octet-stream",
                    "size": {"oversize": 10, "huge": 2**31}.get(outcome, len(data)),
                    "hash": {"uppercase-hash": digest.upper(), "bad-hash": "0" * 40}.get(outcome, digest),
                }
            )
        if outcome == "duplicate-paths":
            files.append(dict(files[0]))
        job["output_data"] = {"repository": "Fake repository", "files": files}
        job["collab"] = "other-collab" if outcome == "foreign-collab" else job["collab"]
        job["user_id"] = "someone-else" if outcome == "foreign-user" else job["user_id"]
        job["provenance"] = {"platform": "BrainScaleS-2 (fake: emulator)", "version": "fake"}
        job["resource_usage"] = {"value": 0.001, "units": "chip-hours"}
        job["timestamp_completion"] = _now()
        job["status"] = "finished"


class _Server(ThreadingHTTPServer):
    # A deep listen backlog, as behind the real service's proxy: the load test opens 50 connections at once.
    request_queue_size = 256


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def _handler(fake: FakeEbrains):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body, content_type: str = "application/json", headers=None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _take_fault(self, method: str, path: str, after: bool) -> Fault | None:
            with fake.lock:
                for fault in fake.faults:
                    if (
                        fault.times > 0
                        and fault.after == after
                        and path.startswith(fault.prefix)
                        and fault.method in (None, method)
                    ):
                        fault.times -= 1
                        return fault
            return None

        def _apply(self, fault: Fault) -> None:
            if fault.kind == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
            elif fault.kind == "silent":
                fake.stopped.wait(600)  # hold the connection open, answering nothing
                self.close_connection = True
            elif fault.kind == "raw":
                self.send_response(fault.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fault.body)))
                self.end_headers()
                self.wfile.write(fault.body)
            else:
                self._send(fault.status, fault.body, headers=fault.headers)

        def _bearer_ok(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {fake.token}":
                return True
            self._send(401, {"detail": "Token may have expired"})
            return False

        def _handle(self, method: str) -> None:
            url = urlparse(self.path)
            fake.requests.append((method, url.path, dict(self.headers)))
            if fake.slow_seconds:
                time.sleep(fake.slow_seconds)
            fault = self._take_fault(method, url.path, after=False)
            if fault:
                return self._apply(fault)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            query = parse_qs(url.query)
            parts = [p for p in url.path.split("/") if p]
            if url.path == "/_fake/stop" and method == "POST":
                self._send(200, {"detail": "stopping"})
                threading.Thread(target=fake._server.shutdown, daemon=True).start()
            elif url.path == "/userinfo" and method == "GET":
                if self._bearer_ok():
                    teams = [f"collab-{slug}-administrator" for slug in fake.collabs.values()]
                    self._send(200, {"sub": "u1", "preferred_username": USER, "roles": {"team": teams}})
            elif parts[:2] == ["files", "hop"] and method == "GET":
                self._hop(int(parts[2]), int(parts[3]), parts[4])
            elif parts[:1] == ["files"] and method == "GET":
                self._file(int(parts[1]), parts[2])
            elif parts[:1] == ["jobs"]:
                if self._bearer_ok():
                    self._jobs(method, parts, body, query)
            elif parts[:1] == ["projects"]:
                if self._bearer_ok():
                    self._projects(method, body, query)
            elif url.path == "/api2/account/token/" and method == "GET":
                if self._bearer_ok():
                    self._send(200, DRIVE_TOKEN.encode(), "text/plain")
            elif url.path == "/api2/repos/" and method == "GET":
                self._repos()
            else:
                self._send(404, {"detail": f"Not found: {url.path}"})

        def _trickle(self, data: bytes, every: float) -> None:
            """Send ``data`` a few bytes at a time, ``every`` seconds apart, until done or stopped."""
            self.close_connection = True
            for start in range(0, len(data), 5):
                if fake.stopped.wait(every):
                    break
                try:
                    self.wfile.write(data[start : start + 5])
                    self.wfile.flush()
                except OSError:  # the reader gave up, as it should
                    break

        def _hop(self, hop: int, job_id: int, name: str) -> None:
            time.sleep(1.0)  # each hop of the chain takes its time
            self._send(302, {}, headers={"Location": f"/files/hop/{hop + 1}/{job_id}/{name}"})

        def _endless(self, outcome: str) -> None:
            """Answers that keep a reader busy without ever giving it a byte of the file."""
            if outcome == "slow-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                return self._trickle(b"X-Padding: " + b"p" * 60000 + b"\r\n\r\n", 0.05)
            self.send_response(200)
            if outcome == "gzip-nothing":  # a gzip header, then empty stored deflate blocks, forever
                self.send_header("Content-Encoding", "gzip")
                self.end_headers()
                return self._trickle(
                    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"\x00\x00\x00\xff\xff" * 10**5, 0.02
                )
            self.send_header("Transfer-Encoding", "chunked")  # a chunk-size line that never ends
            self.end_headers()
            self._trickle(b"1" * 10**6, 0.02)

        def _file(self, job_id: int, name: str) -> None:
            data = fake.files.get((job_id, name))
            outcome = fake.outcomes.get(job_id)
            if data is None:
                return self._send(404, {"detail": "No such file"})
            if outcome in ("slow-headers", "gzip-nothing", "endless-chunk-line"):
                return self._endless(outcome)
            if outcome == "redirect-chain":
                return self._hop(0, job_id, name)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data) * (1000 if outcome == "oversize" else 1)))
            self.end_headers()
            if outcome == "truncated":
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
            elif outcome == "trickle":
                for byte in data:
                    if fake.stopped.wait(1.0):
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                self.close_connection = True
            elif outcome == "oversize":
                for _ in range(1000):
                    self.wfile.write(data)
            else:
                self.wfile.write(data)

        def _jobs(self, method: str, parts: list[str], body, query: dict) -> None:
            if method == "POST" and len(parts) == 1:
                if not body or "code" not in body:
                    return self._send(422, {"detail": [{"loc": ["body", "code"], "msg": "field required"}]})
                job = fake.submit(body)
                fault = self._take_fault(method, self.path, after=True)
                return self._apply(fault) if fault else self._send(201, job)
            if method == "GET" and len(parts) == 1:
                statuses = query.get("status", [])
                listed = [
                    j
                    for j in fake.jobs.values()
                    if (not statuses or j["status"] in statuses)
                    and query.get("user_id", [j["user_id"]])[0] == j["user_id"]
                    and query.get("collab", [j["collab"]])[0] == j["collab"]
                ]
                return self._send(200, listed)
            if method == "GET" and parts[1].isdigit():
                job = fake.jobs.get(int(parts[1]))
                if job is None:
                    return self._send(404, {"detail": "Job not found"})
                shown = dict(job)
                if urlparse(self.path).query.find("with_log=true") < 0:
                    shown.pop("log", None)
                if fake.outcomes.get(job["id"]) == "no-status":
                    shown.pop("status", None)
                return self._send(200, shown)
            self._send(404 if method == "GET" else 405, {"detail": "Not found"})

        def _projects(self, method: str, body, query: dict) -> None:
            if method == "GET":
                collab = query.get("collab", [None])[0]
                return self._send(200, [p for p in fake.projects if collab in (None, p["collab"])])
            project = {**body, "id": f"p{len(fake.projects)}", "resource_uri": f"/projects/p{len(fake.projects)}"}
            fake.projects.append(project)
            self._send(201, project)  # the v3 server answers with id, not context

        def _repos(self) -> None:
            if self.headers.get("Authorization") != f"Token {DRIVE_TOKEN}":
                return self._send(401, {"detail": "Invalid token"})
            self._send(
                200,
                [
                    {
                        "id": f"repo-{slug}",
                        "name": title,
                        "owner": f"collab-{slug}-administrator",
                        "type": "grepo",
                        "permission": "rw",
                        "encrypted": False,
                    }
                    for title, slug in fake.collabs.items()
                ],
            )

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake EBRAINS on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--collab", default="my-collab")
    parser.add_argument("--background", action="store_true", help="return once it listens; print how to stop it")
    parser.add_argument("--stop", action="store_true", help="stop the fake EBRAINS listening on --port")
    args = parser.parse_args()
    if args.stop:
        request = urllib.request.Request(f"http://127.0.0.1:{args.port}/_fake/stop", method="POST")
        print(json.load(urllib.request.urlopen(request, timeout=10))["detail"])
        return
    fake = FakeEbrains(token=args.token, collabs={args.collab: args.collab})
    if args.background:
        fake._server = _Server(("127.0.0.1", args.port), _handler(fake))  # listening before the command returns
        pid = os.fork()
        if pid:
            print(f"Fake EBRAINS at {fake.url}; stop it with: python -m tests.support.fake_ebrains --stop "
                  f"--port {args.port}", flush=True)  # fmt: skip
            return
        fake._server.daemon_threads = True
        fake._server.serve_forever()
        return
    print(f"Fake EBRAINS at {fake.start(args.port)} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
