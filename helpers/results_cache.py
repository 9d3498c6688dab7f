"""The committed results cache: job outputs keyed by script content, platform and config.

Each entry is a folder ``results/<script stem>-<key>/`` with the job's output
files under ``files/`` and a ``provenance.json`` that says where they came from.
Entries are written atomically; a missing or edited file makes the entry
corrupt, which is reported as such instead of failing later inside neo.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from . import atomic
from .jobs import LOG_TAIL_LINES, PLATFORM, JobRecord

CACHE_DIR = Path(__file__).resolve().parent.parent / "results"
REFRESH_COMMAND = "make results BSS2_BACKEND=emulator   (or BSS2_BACKEND=nmpi for the chip)"


class NotCached(LookupError):
    """No cached result for this exact script and configuration."""


class CorruptCacheEntry(RuntimeError):
    """A cache entry whose files do not match its provenance record."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_key(script_text: bytes, config: dict) -> str:
    """The key of a job: the script's content (trailing whitespace aside), the platform and the hardware config."""
    identity = {"script_sha256": sha256(script_text.rstrip()), "platform": PLATFORM, "config": config}
    return sha256(json.dumps(identity, sort_keys=True).encode())[:16]


def software_versions() -> dict[str, str]:
    from .emulator import __version__ as emulator_version

    return {
        "python": platform.python_version(),
        "neo": version("neo"),
        "PyNN": version("PyNN"),
        "numpy": version("numpy"),
        "emulator": emulator_version,
    }


@dataclass
class Entry:
    path: Path
    provenance: dict

    @property
    def files_dir(self) -> Path:
        return self.path / "files"


class ResultsCache:
    def __init__(self, root: Path = CACHE_DIR) -> None:
        self.root = root

    def _path(self, script_name: str, key: str) -> Path:
        return self.root / f"{Path(script_name).stem}-{key}"

    def lookup(self, script_name: str, script_text: bytes, config: dict) -> Entry:
        """The verified entry for this script and config; ``NotCached`` if there is none."""
        path = self._path(script_name, cache_key(script_text, config))
        record = path / "provenance.json"
        if not record.is_file():
            raise NotCached(
                f"No cached result for {script_name} with config {json.dumps(config, sort_keys=True)}: "
                f"the script differs from every recorded run. Refresh the cache with:\n    {REFRESH_COMMAND}\n"
                f"or run it live with BSS2_BACKEND=emulator."
            )
        try:
            provenance = json.loads(record.read_text())
            expected = provenance["files"]
        except (ValueError, KeyError) as error:
            raise CorruptCacheEntry(
                f"{record} is unreadable ({error}). Delete {path} and run {REFRESH_COMMAND}"
            ) from None
        for name, digest in expected.items():
            file = path / "files" / name
            if not file.is_file() or sha256(file.read_bytes()) != digest:
                raise CorruptCacheEntry(
                    f"Cache entry {path.name} is corrupt: {name} is missing or changed since it was recorded. "
                    f"Delete {path} and run {REFRESH_COMMAND}"
                )
        return Entry(path, provenance)

    def store(self, script_name: str, script_text: bytes, config: dict, record: JobRecord, job_dir: Path) -> Entry:
        """Store a finished job's files and provenance; all or nothing."""
        path = self._path(script_name, cache_key(script_text, config))
        with atomic.staged_directory(path) as staging:
            files = {}
            for name in record.files:
                target = staging / "files" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(job_dir / name, target)
                files[name] = sha256(target.read_bytes())
            provenance = provenance_record(script_name, script_text, config, record, files)
            (staging / "provenance.json").write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")
        return Entry(path, provenance)

    def prune(self, script_name: str, keep: Path) -> None:
        """Remove the entries of ``script_name`` other than ``keep`` (results of older script versions)."""
        for old in self.root.glob(f"{Path(script_name).stem}-*"):
            if old != keep and (old / "provenance.json").is_file():
                shutil.rmtree(old)


def provenance_record(script_name: str, script_text: bytes, config: dict, record: JobRecord, files: dict) -> dict:
    """Where a result came from: backend, job, platform, software, times, log excerpt and file hashes."""
    return {
        "backend": record.backend,
        "emulated": record.emulated,
        "job_id": record.job_id,
        "platform": PLATFORM,
        "software_version": record.software_version,
        "config": config,
        "script": script_name,
        "script_sha256": sha256(script_text),
        "submitted_at": record.submitted_at,
        "completed_at": record.completed_at,
        "log_excerpt": "\n".join(record.log.rstrip().splitlines()[-LOG_TAIL_LINES:]),
        "versions": software_versions(),
        "files": files,
        **record.extra,
    }
