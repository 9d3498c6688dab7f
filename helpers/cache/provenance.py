"""The provenance record of a result: built, written, read and labelled here, and nowhere else.

Every job folder and every cache entry holds a ``provenance.json`` that says
where its files came from: backend, job id, software, times, a log excerpt and
the hash of every file. Whether a result is emulated is derived from the
record, never taken from one flag alone, so an emulated result cannot be
labelled as hardware by editing a single field.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from ..jobs import LOG_TAIL_LINES, PLATFORM, Job, JobRecord

PROVENANCE_FILE = "provenance.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def software_versions() -> dict[str, str]:
    """The software that read and recorded the result on this side of the queue."""
    from ..emulator import __version__ as emulator_version

    return {
        "python": platform.python_version(),
        "neo": version("neo"),
        "PyNN": version("PyNN"),
        "numpy": version("numpy"),
        "emulator": emulator_version,
    }


def build(job: Job, record: JobRecord, workdir: Path) -> dict:
    """The record of a finished job whose output files are in ``workdir``."""
    return {
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
        "log_excerpt": "\n".join(record.log.rstrip().splitlines()[-LOG_TAIL_LINES:]),
        "versions": software_versions(),
        "files": {name: sha256((workdir / name).read_bytes()) for name in record.files},
        **record.extra,
    }


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


def is_emulated(record: dict) -> bool:
    """Emulated unless every sign says hardware: the queue backend, and no emulator named anywhere."""
    hardware_platform = str((record.get("hardware_provenance") or {}).get("platform", ""))
    return bool(record.get("emulated")) or record.get("backend") != "nmpi" or "emulator" in hardware_platform.lower()


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
    if "emulator_seed" in record:
        rows.insert(3, ("Emulated chip", f"seed {record['emulator_seed']}"))
    line = f"{headline}, job {record['job_id']}, software {record['software_version']}, {record.get('completed_at')}"
    return Label(emulated, headline, title, line, rows)
