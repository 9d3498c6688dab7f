"""The committed results cache: job outputs keyed by script content, platform and config.

Each entry is a folder ``results/<script stem>-<key>/`` holding the job's output
files under ``files/`` and the job's ``provenance.json``. Entries are written
atomically; a missing or edited file makes the entry corrupt, which is reported
as such instead of failing later inside neo.

Entries arrive in pull requests, so none of them is ever unpickled: a job's neo
pickle is stored as arrays and JSON (``neo_arrays``), and ``restore`` writes
the ``.dat`` file back from them. An entry holding a pickle is refused. A
hardware entry is served only with a valid maintainer's signature (``signatures``).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import neo
from neo.io import PickleIO

from .. import safe_pickle
from ..errors import BSS2Error
from ..jobs import PLATFORM
from ..paths import RESULTS
from . import atomic, neo_arrays, provenance, signatures

REFRESH_COMMAND = "make results BSS2_BACKEND=emulator   (or BSS2_BACKEND=nmpi for the chip)"


class NotCached(BSS2Error, LookupError):
    """No cached result for this exact script and configuration."""


class CorruptCacheEntry(BSS2Error, RuntimeError):
    """A cache entry whose files do not match its provenance record."""


def _is_pickle(path: Path) -> bool:
    """Whether ``path`` starts as a pickle of protocol 2 or later does (as every neo pickle does)."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _stored_as_arrays(name: str) -> bool:
    return any(part.endswith(neo_arrays.SUFFIX) for part in Path(name).parts[:-1])


def cache_key(script_text: bytes, config: dict) -> str:
    """The key of a job: the script's content (trailing whitespace aside), the platform and the hardware config."""
    identity = {"script_sha256": provenance.sha256(script_text.rstrip()), "platform": PLATFORM, "config": config}
    return provenance.sha256(json.dumps(identity, sort_keys=True).encode())[:16]


@dataclass
class Entry:
    path: Path
    provenance: dict

    @property
    def files_dir(self) -> Path:
        return self.path / "files"


class ResultsCache:
    """The cache in ``root`` (default: the committed ``results/`` folder), trusting the keys in ``allowed_signers``."""

    def __init__(self, root: Path = RESULTS, allowed_signers: Path = signatures.ALLOWED_SIGNERS) -> None:
        self.root, self.allowed_signers = root, allowed_signers

    def _path(self, script_name: str, key: str) -> Path:
        return self.root / f"{Path(script_name).stem}-{key}"

    def lookup(self, script_name: str, script_text: bytes, config: dict) -> Entry:
        """The verified entry for this script and config; ``NotCached`` if there is none."""
        path = self._path(script_name, cache_key(script_text, config))
        if not (path / provenance.PROVENANCE_FILE).is_file():
            raise NotCached(
                f"No cached result for {script_name} with config {json.dumps(config, sort_keys=True)}: "
                "the script differs from every recorded run. If you edited the tutorial's %%file cell, record "
                f"it with:\n    {REFRESH_COMMAND}\nTo run a script without recording it, use the emulator backend "
                "(BSS2_BACKEND=emulator, or --backend emulator at a terminal)."
            )
        try:
            record = provenance.load(path)
        except ValueError as error:
            raise CorruptCacheEntry(
                f"{path / provenance.PROVENANCE_FILE} is unreadable ({error}). Delete {path} and run {REFRESH_COMMAND}"
            ) from None
        try:
            provenance.validate(record)
        except provenance.InvalidRecord as error:
            raise CorruptCacheEntry(
                f"Cache entry {path.name} cannot be trusted: {error}. Delete {path} and run {REFRESH_COMMAND}"
            ) from None
        stored = {str(p.relative_to(path / "files")) for p in (path / "files").rglob("*") if p.is_file()}
        unlisted = sorted(stored - set(record["files"]))
        if unlisted:
            raise CorruptCacheEntry(
                f"Cache entry {path.name} cannot be trusted: it holds {', '.join(unlisted)}, which its provenance "
                f"record does not list. Delete {path} and run {REFRESH_COMMAND}"
            )
        for name, digest in record["files"].items():
            file = path / "files" / name
            if not file.is_file() or provenance.sha256(file.read_bytes()) != digest:
                raise CorruptCacheEntry(
                    f"Cache entry {path.name} is corrupt: {name} is missing or changed since it was recorded. "
                    f"Delete {path} and run {REFRESH_COMMAND}"
                )
            if not _stored_as_arrays(name) and _is_pickle(file):
                raise CorruptCacheEntry(
                    f"Cache entry {path.name} cannot be trusted: {name} is a pickle, which could run code when "
                    f"read, and results/ never holds one. It was not read. Delete {path} and run {REFRESH_COMMAND}"
                )
        record.pop("signed_by", None)  # only a verified signature says who signed
        if not provenance.is_emulated(record):
            try:
                record["signed_by"] = signatures.signer(path, self.allowed_signers)
            except signatures.SignatureError as error:
                raise CorruptCacheEntry(f"Cache entry {path.name} is not shown as a hardware result: {error}") from None
        return Entry(path, record)

    def store(
        self, script_name: str, script_text: bytes, config: dict, job_dir: Path, signing_key: Path | None = None
    ) -> Entry:
        """Store a finished job folder (its files, neo pickles as arrays, and its provenance record, signed with
        ``signing_key`` if it is a hardware result); all or nothing."""
        path = self._path(script_name, cache_key(script_text, config))
        record = provenance.load(job_dir)
        hardware = not provenance.is_emulated(record)
        if hardware and signing_key is None:
            raise signatures.SignatureError(
                f"Job {record['job_id']} ran on the chip, and hardware results are stored only signed: set "
                f"BSS2_SIGNING_KEY to your SSH key, listed in {self.allowed_signers.name}, and record it again."
            )
        with atomic.staged_directory(path) as staging:
            files = staging / "files"
            for name in record["files"]:
                target = files / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if _is_pickle(job_dir / name):
                    try:
                        block = safe_pickle.read_block(job_dir / name)
                    except safe_pickle.UnsafeResultFile as error:
                        raise CorruptCacheEntry(f"{name} of job {record['job_id']} was not stored: {error}") from None
                    neo_arrays.write(block, target.with_name(target.name + neo_arrays.SUFFIX))
                else:
                    shutil.copyfile(job_dir / name, target)
            stored = sorted(p for p in files.rglob("*") if p.is_file())
            record = {**record, "files": {str(p.relative_to(files)): provenance.sha256(p.read_bytes()) for p in stored}}
            record.pop("signed_by", None)
            provenance.write(staging, record)
            if hardware:
                signatures.sign(staging, signing_key)
        return Entry(path, record)

    def read_block(self, entry: Entry, name: str) -> neo.Block:
        """The neo data of the result file ``name`` of ``entry``, read from its arrays (nothing is unpickled)."""
        try:
            return neo_arrays.read(entry.files_dir / f"{name}{neo_arrays.SUFFIX}")
        except neo_arrays.BadArrays as error:
            raise CorruptCacheEntry(
                f"Cache entry {entry.path.name} cannot be read: {error}. Delete {entry.path} and run {REFRESH_COMMAND}"
            ) from None

    def restore(self, entry: Entry, workdir: Path) -> dict:
        """Write the job's files of ``entry`` into ``workdir`` (each neo result as the ``.dat`` pickle the job
        wrote); return the entry's record, listing the files written."""
        for name in entry.provenance["files"]:
            source = entry.files_dir / name
            if not _stored_as_arrays(name):
                (workdir / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, workdir / name)
        for folder in sorted(entry.files_dir.rglob("*" + neo_arrays.SUFFIX)):
            name = folder.relative_to(entry.files_dir).with_suffix("")
            (workdir / name).parent.mkdir(parents=True, exist_ok=True)
            PickleIO(str(workdir / name)).write_block(self.read_block(entry, str(name)))
        written = sorted(p for p in workdir.rglob("*") if p.is_file() and p.name != provenance.PROVENANCE_FILE)
        files = {str(p.relative_to(workdir)): provenance.sha256(p.read_bytes()) for p in written}
        return {**entry.provenance, "files": files}

    def prune(self, script_name: str, keep: Path) -> None:
        """Remove the entries of ``script_name`` other than ``keep`` (results of older script versions)."""
        for old in self.root.glob(f"{Path(script_name).stem}-*"):
            if old != keep and (old / provenance.PROVENANCE_FILE).is_file():
                shutil.rmtree(old)
