"""The journal of queue submissions: what was sent, under which tag, and which job it became.

An entry is written before a job is submitted and updated as soon as its id is
known, so a run that is interrupted, times out or loses its download can be
resumed by running the same cell or command again: the same script, config and
collab lead to the same entry, and the pending job is awaited instead of a new
one being submitted. An entry is removed once its job's files are published
or the job has ended in an error.

Entries live in ``<output dir>/.bss2-journal/``, one small JSON file each, written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from ...jobs import Job

FOLDER = ".bss2-journal"
TAG_PREFIX = "bss2-submission-"


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


class Journal:
    """The journal of the output folder ``out``."""

    def __init__(self, out: Path) -> None:
        self.folder = out / FOLDER

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def find(self, job: Job) -> Entry | None:
        path = self._path(key_of(job))
        try:
            return Entry(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            path.unlink(missing_ok=True)  # unreadable: as if there were none
            return None

    def by_job_id(self, job_id: str) -> Entry | None:
        for path in self.folder.glob("*.json") if self.folder.is_dir() else []:
            try:
                entry = Entry(**json.loads(path.read_text()))
            except (ValueError, TypeError):
                continue
            if entry.job_id == job_id:
                return entry
        return None

    def new(self, job: Job) -> Entry:
        entry = Entry(key_of(job), job.script.name, job.collab or "", TAG_PREFIX + uuid.uuid4().hex)
        self.save(entry)
        return entry

    def save(self, entry: Entry) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(entry), handle)
        os.replace(tmp, self._path(entry.key))

    def remove(self, entry: Entry) -> None:
        self._path(entry.key).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.folder.rmdir()  # leave nothing behind once nothing is pending
