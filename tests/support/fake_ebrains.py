"""A fake EBRAINS on 127.0.0.1: identity, job queue, projects (quota) and Drive, for the real clients.

It speaks the URL shapes that ``nmpi`` 0.11.2 and ``ebrains_drive`` 0.7.0 use
and runs submitted BrainScaleS-2 jobs
on the emulator, as the real queue runs them on the chip. Tests inject faults:

- ``fail(path_prefix, status, body, times)``: answer the next requests with an HTTP error;
- ``slow_seconds``: delay every answer; ``drop(path_prefix, times)``: close the connection unanswered;
- ``next_outcomes``: make the next jobs end in "error" (with a log), "removed", with output paths
  that escape the download folder ("escape-absolute", "escape-dotdot"), or "truncated" downloads.

Run by hand:  python -m tests.support.fake_ebrains --port 8765 --token T --collab my-collab
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from helpers.emulator.job_process import run_script

DRIVE_TOKEN = "drive-session-token"


@dataclass
class Fault:
    prefix: str
    status: int | None  # None: drop the connection
    body: dict | None
    times: int


@dataclass
class FakeEbrains:
    token: str = "test-token"
    collabs: dict[str, str] = field(default_factory=lambda: {"My Collab": "my-collab"})  # title -> slug
    step_seconds: float = 0.05  # time a job spends in each state before it moves on
    slow_seconds: float = 0.0
    next_outcomes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.jobs: dict[int, dict] = {}
        self.durations: dict[int, float] = {}  # seconds from submission to a final status, for benchmarks
        self.files: dict[tuple[int, str], bytes] = {}
        self.truncated: set[tuple[int, str]] = set()
        self.projects: list[dict] = [
            {"id": "p0", "collab": slug, "status": "accepted", "title": "quota"} for slug in self.collabs.values()
        ]
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict]] = []  # method, path, headers
        self.lock = threading.Lock()
        self._next_id = 1000
        self._server: ThreadingHTTPServer | None = None

    # -- control -------------------------------------------------------------
    def fail(self, prefix: str, status: int, body: dict, times: int = 1) -> None:
        self.faults.append(Fault(prefix, status, body, times))

    def drop(self, prefix: str, times: int = 1) -> None:
        self.faults.append(Fault(prefix, None, None, times))

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
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # -- job lifecycle -------------------------------------------------------
    def submit(self, body: dict, user: str) -> dict:
        with self.lock:
            job_id = self._next_id
            self._next_id += 1
            outcome = self.next_outcomes.pop(0) if self.next_outcomes else "normal"
        job = {
            **body,
            "id": job_id,
            "user_id": user,
            "status": "submitted",
            "resource_uri": f"/jobs/{job_id}",
            "timestamp_submission": _now(),
            "log": "",
            "output_data": None,
        }
        self.jobs[job_id] = job
        started = time.monotonic()

        def run() -> None:
            self._run(job, outcome)
            self.durations[job_id] = time.monotonic() - started

        threading.Thread(target=run, daemon=True).start()
        return job

    def _run(self, job: dict, outcome: str) -> None:
        time.sleep(self.step_seconds)
        job["status"] = "running"
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
        if outcome == "error" or process.returncode != 0:
            job["log"] += "\nRuntimeError: the experiment failed on the chip (injected)\n" if outcome == "error" else ""
            job["status"] = "error"
            job["timestamp_completion"] = _now()
            return
        files = []
        for name, data in sorted(outputs.items()):
            self.files[(job["id"], name)] = data
            path = {"escape-absolute": f"/tmp/{name}", "escape-dotdot": f"job_{job['id']}/../../{name}"}.get(
                outcome, f"job_{job['id']}/{name}"
            )
            if outcome == "truncated":
                self.truncated.add((job["id"], name))
            files.append(
                {
                    "url": f"{self.url}/files/{job['id']}/{name}",
                    "path": path,
                    "content_type": "application/octet-stream",
                    "size": len(data),
                    "hash": hashlib.sha1(data).hexdigest(),
                }
            )
        job["output_data"] = {"repository": "Fake repository", "files": files}
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

        def _send(self, status: int, body, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _fault(self, path: str) -> bool:
            with fake.lock:
                fault = next((f for f in fake.faults if path.startswith(f.prefix) and f.times > 0), None)
                if fault:
                    fault.times -= 1
            if fault is None:
                return False
            if fault.status is None:
                self.close_connection = True
                self.connection.shutdown(2)
            else:
                self._send(fault.status, fault.body)
            return True

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
            if self._fault(url.path):
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            query = parse_qs(url.query)
            parts = [p for p in url.path.split("/") if p]
            if url.path == "/userinfo" and method == "GET":
                if self._bearer_ok():
                    teams = [f"collab-{slug}-administrator" for slug in fake.collabs.values()]
                    self._send(200, {"sub": "u1", "preferred_username": "student", "roles": {"team": teams}})
            elif parts[:1] == ["files"] and method == "GET":
                key = (int(parts[1]), parts[2])
                data = fake.files.get(key)
                if data is None:
                    self._send(404, {"detail": "No such file"})
                elif key in fake.truncated:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                else:
                    self._send(200, data, "application/octet-stream")
            elif parts[:1] == ["jobs"]:
                if not self._bearer_ok():
                    return
                if method == "POST" and len(parts) == 1:
                    if not body or "code" not in body:
                        self._send(422, {"detail": [{"loc": ["body", "code"], "msg": "field required"}]})
                    else:
                        self._send(201, fake.submit(body, "student"))
                elif method == "GET" and len(parts) == 1:
                    statuses = query.get("status", [])
                    self._send(200, [j for j in fake.jobs.values() if not statuses or j["status"] in statuses])
                elif method == "GET":
                    job = fake.jobs.get(int(parts[1]))
                    if job is None:
                        self._send(404, {"detail": "Job not found"})
                    else:
                        shown = dict(job)
                        if query.get("with_log") != ["true"]:
                            shown.pop("log", None)
                        self._send(200, shown)
                else:
                    self._send(405, {"detail": "Method not allowed"})
            elif parts[:1] == ["projects"]:
                if not self._bearer_ok():
                    return
                if method == "GET":
                    collab = query.get("collab", [None])[0]
                    self._send(200, [p for p in fake.projects if collab in (None, p["collab"])])
                else:
                    project = {
                        **body,
                        "id": f"p{len(fake.projects)}",
                        "resource_uri": f"/projects/p{len(fake.projects)}",
                    }
                    fake.projects.append(project)
                    self._send(201, project)  # the v3 server answers with id, not context
            elif url.path == "/api2/account/token/" and method == "GET":
                if self._bearer_ok():
                    self._send(200, DRIVE_TOKEN.encode(), "text/plain")
            elif url.path == "/api2/repos/" and method == "GET":
                if self.headers.get("Authorization") != f"Token {DRIVE_TOKEN}":
                    self._send(401, {"detail": "Invalid token"})
                else:
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
            else:
                self._send(404, {"detail": f"Not found: {url.path}"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake EBRAINS on 127.0.0.1 until interrupted.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--collab", default="my-collab")
    args = parser.parse_args()
    fake = FakeEbrains(token=args.token, collabs={args.collab: args.collab})
    print(f"Fake EBRAINS at {fake.start(args.port)} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
