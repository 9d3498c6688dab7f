"""The journal of queue submissions: what was sent, under which tag, and which job it became.

An entry is written before a job is submitted and updated as soon as its id is
known, so a run that is interrupted, times out or loses its download can be
resumed by running the same cell or command again: the same script, config and
collab lead to the same entry, and the pending job is awaited instead of a new
one being submitted. An entry is removed only once its job's folder is
published, or the job has ended in an error.

Runs of the same experiment into the same folder take turns: each holds a lock
(``<key>.lock``) from looking up its entry until its folder is published. A run
that waited for another one that finished meanwhile uses that run's job, so
two notebooks started at once bill one job. An entry that cannot be read stops
the run with a message that names it, its job, and how to resume or discard it.

Entries live in ``<output dir>/.bss2-journal/``, one small JSON file each, written atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ...errors import BSS2Error
from ...jobs import Job
from .submission import JOB_ID

FOLDER = ".bss2-journal"
TAG_PREFIX = "bss2-submission-"
_TAG = re.compile(re.escape(TAG_PREFIX) + "[0-9a-f]{32}")
_LOCK_POLL = 0.1


class JournalError(BSS2Error, RuntimeError):
    """A journal that cannot be read or written; the message says how to resume or discard what it holds."""


class JournalBusy(BSS2Error, TimeoutError):
    """Another run of the same experiment held the journal until the deadline."""


@dataclass
class Entry:
    """A submission: its unique tag, and the job id once the queue has confirmed it."""

    key: str
    script: str
    collab: str
    tag: str
    job_id: str | None = None


def key_of(job: Job) -> str:
    """The same script text, config and collab give the same key."""
    identity = {"script": job.script.read_text(), "config": job.config, "collab": job.collab}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:20]


def _problem(data: object, key: str) -> str | None:
    """What is wrong with a parsed entry, or None."""
    if not isinstance(data, dict):
        return f"it holds a JSON {type(data).__name__}, not an entry"
    names = {f.name for f in fields(Entry)}
    if set(data) != names and set(data) != names - {"job_id"}:
        return f"its fields are {sorted(data)}, not {sorted(names)}"
    if data["key"] != key or not all(isinstance(data[k], str) for k in ("script", "collab")):
        return "its key, script or collab is not what this run wrote"
    if not isinstance(data["tag"], str) or not _TAG.fullmatch(data["tag"]):
        return f"its tag {str(data['tag'])[:60]!r} is not a tag this project gives"
    job_id = data.get("job_id")
    if job_id is not None and not JOB_ID.fullmatch(str(job_id)):
        return f"its job id {str(job_id)[:60]!r} is not a job id of the queue"
    return None


class Journal:
    """The journal of the output folder ``out``."""

    def __init__(self, out: Path) -> None:
        self.out, self.folder = out, out / FOLDER

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _folder(self) -> Path:
        if self.folder.exists() and not self.folder.is_dir():
            raise JournalError(
                f"{self.folder} is a file, where the journal of queue submissions goes. It is no journal of this "
                f"project: move it away or delete it (rm {self.folder}), then run again."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

    def _unusable(self, path: Path, raw: str, why: str) -> JournalError:
        job = re.search(r'"job_id"\s*:\s*"?([0-9]{1,12})\b', raw)
        resume = (
            f"It may stand for job {job[1]}, which could still be running: fetch it with "
            f"python -m helpers fetch {job[1]} --output-dir {self.out}, then delete the entry"
            if job
            else "It may stand for a job that was submitted; look for it in the collab's Job Manager before you "
            "delete the entry"
        )
        return JournalError(
            f"The journal entry {path} cannot be used: {why}. Nothing was submitted, so that no job is billed twice. "
            f"{resume} (rm {path}) and run again."
        )

    def find(self, job: Job) -> Entry | None:
        """The pending entry of ``job``; ``JournalError`` if there is one that cannot be used."""
        key = key_of(job)
        path = self._path(key)
        if not self._folder().joinpath(path.name).exists():
            return None
        raw = path.read_text(errors="replace")
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise self._unusable(path, raw, f"it is not JSON ({error})") from None
        why = _problem(data, key)
        if why:
            raise self._unusable(path, raw, why)
        return Entry(**{**data, "job_id": None if data.get("job_id") is None else str(data["job_id"])})

    def by_job_id(self, job_id: str) -> Entry | None:
        for path in self.folder.glob("*.json") if self.folder.is_dir() else []:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                data = json.loads(path.read_text())
                if str(data.get("job_id")) == job_id and not _problem(data, path.stem):
                    return Entry(**data)
        return None

    def new(self, job: Job) -> Entry:
        entry = Entry(key_of(job), job.script.name, job.collab or "", TAG_PREFIX + uuid.uuid4().hex)
        self.save(entry)
        return entry

    def save(self, entry: Entry) -> None:
        """Write ``entry`` in one rename; a failed write leaves the previous version and no temporary file."""
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self._folder())
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(asdict(entry), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path(entry.key))
        except OSError as error:
            Path(tmp).unlink(missing_ok=True)
            pending = f" Job {entry.job_id} was submitted; fetch it with python -m helpers fetch {entry.job_id}" \
                if entry.job_id else ""  # fmt: skip
            raise JournalError(
                f"Could not record the submission of {entry.script} in {self.folder} ({error.strerror}). Free some "
                f"space or choose another output folder.{pending}"
            ) from None

    def remove(self, entry: Entry) -> None:
        self._path(entry.key).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.folder.rmdir()  # leave nothing behind once nothing is pending

    @contextlib.contextmanager
    def turn(self, job: Job, deadline: float) -> Iterator[Turn]:
        """Hold the turn of ``job``'s runs in this folder until the block ends (at most until ``deadline``)."""
        started = time.time()
        turn = Turn(self, key_of(job))
        turn.acquire(job.script.name, started, deadline)
        try:
            yield turn
        finally:
            turn.release()


class Turn:
    """The lock of one experiment's runs in one folder; it tells a waiting run what the run before it published."""

    def __init__(self, journal: Journal, key: str) -> None:
        self.journal, self.key = journal, key
        self.adopted: str | None = None  # the job id a run that held the turn meanwhile published
        self._fd: int | None = None
        self._published: str | None = None

    @property
    def path(self) -> Path:
        return self.journal.folder / f"{self.key}.lock"

    def acquire(self, script: str, started: float, deadline: float) -> None:
        waited = False
        while True:
            try:
                fd = os.open(self.journal._folder() / self.path.name, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:
                continue  # the run before removed the emptied folder just now
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not waited:
                        print(f"Another run of {script} into {self.journal.out} is under way; waiting for it, to "
                              "use its job instead of submitting a second one.", flush=True)  # fmt: skip
                        waited = True
                    if time.monotonic() > deadline:
                        os.close(fd)
                        raise JournalBusy(
                            f"Another run of {script} into {self.journal.out} was still waiting for its job at the "
                            "BSS2_JOB_TIMEOUT deadline. Run this again once it has finished: it will use its job."
                        ) from None
                    time.sleep(_LOCK_POLL)
            if waited:
                self.adopted = self.adopted or _published_since(fd, started)
            if _is_current(fd, self.path):
                self._fd = fd
                return
            os.close(fd)  # the run before removed the lock file on its way out: take the new one

    def published(self, job_id: str) -> None:
        """Tell a run waiting for this turn that ``job_id`` is published."""
        self._published = job_id

    def release(self) -> None:
        if self._fd is None:
            return
        if self._published:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, json.dumps({"published": self._published, "at": time.time()}).encode(), 0)
        with contextlib.suppress(OSError):
            self.path.unlink()  # waiting runs notice the file is gone, read the note above, and take a new one
        with contextlib.suppress(OSError):
            self.journal.folder.rmdir()
        os.close(self._fd)
        self._fd = None


def _published_since(fd: int, started: float) -> str | None:
    """The job id a lock file's note says was published after ``started``, if any."""
    with contextlib.suppress(ValueError, OSError, AttributeError, TypeError, KeyError):
        note = json.loads(os.pread(fd, 4096, 0) or b"{}")
        if note["at"] >= started and JOB_ID.fullmatch(str(note["published"])):
            return str(note["published"])
    return None


def _is_current(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False
