"""The provenance record of a result: built, written, read and labelled here, and nowhere else.

Every job folder and every cache entry holds a ``provenance.json`` that says
where its files came from: backend, job id, software, times, a log excerpt and
the hash of every file. Whether a result is emulated is derived from the
record and cross-checked (backend, job id, software, the queue's own job
record), never taken from one flag, so an emulated result cannot be labelled
as hardware by editing a field.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from ..errors import BSS2Error
from ..jobs import PLATFORM, Job, JobRecord, log_tail

PROVENANCE_FILE = "provenance.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def software_versions() -> dict[str, str]:
    """The software that read and recorded the result on this side of the queue (in the Lab: no PyNN, no emulator)."""
    found = {"python": platform.python_version()}
    for package in ("neo", "PyNN", "numpy"):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    if "PyNN" in found:
        from bss2_emulator import __version__ as emulator_version

        found["emulator"] = emulator_version
    return found


def build(job: Job, record: JobRecord, workdir: Path) -> dict:
    """The record of a finished job whose output files are in ``workdir``."""
    return validate(
        {
            "backend": record.backend,
            "emulated": record.emulated,
            "job_id": record.job_id,
            "platform": PLATFORM,
            "software_version": record.software_version,
            "config": job.config,
            "script": job.script.name,
            "script_sha256": sha256(job.script.read_bytes()),
            "submitted_at": record.submitted_at,
            "completed_at": record.completed_at,
            "log_excerpt": log_tail(record.log),
            "versions": software_versions(),
            "files": {name: sha256((workdir / name).read_bytes()) for name in record.files},
            **record.extra,
        }
    )


def write(folder: Path, record: dict) -> None:
    """Store ``record`` in ``folder``."""
    (folder / PROVENANCE_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def load(folder: str | Path) -> dict:
    """The record of a job folder, or of the folder holding a result file."""
    folder = Path(folder)
    if folder.is_file():
        folder = folder.parent
    return json.loads((folder / PROVENANCE_FILE).read_text())


def find(result_file: str | Path) -> dict | None:
    """The record next to a result file, if there is one."""
    path = Path(result_file).parent / PROVENANCE_FILE
    return load(path.parent) if path.is_file() else None


class InvalidRecord(BSS2Error, ValueError):
    """A provenance record that is malformed, or claims what its own contents contradict."""


#: The job ids the backends give: the queue's whole numbers, and the emulator's ``emu-`` ids.
JOB_ID = re.compile(r"[0-9]{1,12}|emu-[0-9a-f]{10}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _safe_name(name: object) -> bool:
    path = PurePosixPath(str(name))
    return isinstance(name, str) and bool(name) and not path.is_absolute() and ".." not in path.parts


def hardware_evidence(record: dict) -> list[str]:
    """What is missing for ``record`` to be a hardware result; empty if it is one."""
    queue_job = record.get("queue_job")
    platform = str((record.get("hardware_provenance") or {}).get("platform", ""))
    missing = []
    if record.get("backend") != "nmpi":
        missing.append(f"it ran on the {record.get('backend')!r} backend, not the EBRAINS queue")
    if not re.fullmatch(r"[0-9]{1,12}", str(record.get("job_id"))):
        missing.append("its job id is not a queue job id")
    if "emulator" in str(record.get("software_version", "")).lower() or "emulator" in platform.lower():
        missing.append("it names an emulator as its platform or software")
    if not isinstance(queue_job, dict) or str(queue_job.get("id")) != str(record.get("job_id")):
        missing.append("it carries no job record of the queue with its job id")
    elif queue_job.get("status") != "finished" or queue_job.get("hardware_platform") != PLATFORM:
        missing.append("the queue's job record is not a finished BrainScaleS-2 job")
    return missing


def is_emulated(record: dict) -> bool:
    """Emulated unless every sign says hardware (see ``hardware_evidence``); the ``emulated`` flag can only add."""
    return bool(record.get("emulated")) or bool(hardware_evidence(record))


def validate(record: object) -> dict:
    """``record`` if it is well formed and consistent; ``InvalidRecord`` naming the first problem otherwise."""
    if not isinstance(record, dict):
        raise InvalidRecord(f"the record is a {type(record).__name__}, not a JSON object")
    if not JOB_ID.fullmatch(str(record.get("job_id"))):
        raise InvalidRecord(f"its job id {str(record.get('job_id'))[:40]!r} is neither a queue nor an emulator id")
    files = record.get("files")
    if not isinstance(files, dict):
        raise InvalidRecord("its 'files' entry must map every output file to its sha256 hash")
    for name, digest in files.items():
        if not _safe_name(name) or name == PROVENANCE_FILE or not _SHA256.fullmatch(str(digest)):
            raise InvalidRecord(f"its 'files' entry lists {str(name)[:60]!r} with {str(digest)[:16]!r}")
    if record.get("emulated") is False and hardware_evidence(record):
        raise InvalidRecord(f"it says 'emulated': false, but {'; '.join(hardware_evidence(record))}")
    return record


@dataclass(frozen=True)
class Label:
    """How a result is labelled wherever it is shown."""

    emulated: bool
    headline: str  # "EMULATED (...)" or "BrainScaleS-2 hardware"
    title: str  # the provenance box's title
    line: str  # one line: headline, job, software and date
    rows: list[tuple[str, str]]  # the provenance box's rows


def label(record: dict) -> Label:
    """The label of a result, derived from its record."""
    emulated = is_emulated(record)
    local = record.get("backend") == "emulator"
    if emulated:
        source = "local emulator" if local else "the queue reports an emulator"
        headline = f"EMULATED ({source}, not hardware)"
        title = "Emulated result: " + ("local BrainScaleS-2 emulator" if local else "the queue reports an emulator")
        origin = "emulator (not hardware)"
    else:
        headline = title = "BrainScaleS-2 hardware"
        title += " result"
        origin = f"BrainScaleS-2 via the EBRAINS queue ({record['backend']})"
    rows = [
        ("Source", origin),
        ("Job", str(record["job_id"])),
        ("Software", str(record["software_version"])),
        ("Date", str(record.get("completed_at", ""))),
        ("Script", f"{record.get('script', '')} (sha256 {record.get('script_sha256', '')[:12]})"),
        ("Recorded with", ", ".join(f"{k} {v}" for k, v in sorted(record.get("versions", {}).items()))),
    ]
    if record.get("signed_by") and not emulated:
        rows.insert(1, ("Signed by", str(record["signed_by"])))
    if "emulator_seed" in record:
        rows.insert(3, ("Emulated chip", f"seed {record['emulator_seed']}"))
    line = f"{headline}, job {record['job_id']}, software {record['software_version']}, {record.get('completed_at')}"
    return Label(emulated, headline, title, line, rows)
