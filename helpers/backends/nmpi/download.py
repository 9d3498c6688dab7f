"""Safe downloads of a job's output files.

- Every path is checked before anything is fetched: it must stay inside the job folder, appear
  once, and not take the name of the provenance record. A job with one bad path writes nothing.
- Sizes are capped (``MAX_FILES`` files of at most ``MAX_FILE_BYTES``) and the declared size is
  checked while streaming, so a file that is longer than it claims is cut off at once.
- The declared hash (md5, sha1, sha256 or sha512, any case) is checked before a file is kept.
- Each file is written to a temporary name and renamed when complete; failed attempts are
  retried. Every attempt ends by the job's deadline, whatever the server does: headers sent a
  byte at a time, a compressed stream that decodes to nothing, a chunk-size line that never
  ends, a chain of slow redirects (at most ``MAX_REDIRECTS``). The transfer runs in a worker
  thread that is abandoned at the deadline; this thread removes the temporary file.
- Names the file system cannot hold (a NUL byte, a name longer than it allows) are refused
  before anything is written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath

import requests
import urllib3

from ... import settings
from ...cache.atomic import staging_name
from ...cache.provenance import PROVENANCE_FILE
from ...errors import BSS2Error
from .clients import MAX_REDIRECTS
from .faults import CallTimedOut
from .retry import call_with_timeout

ATTEMPTS = 4
#: Caps on what one job may send back.
MAX_FILES = 1000
MAX_FILE_BYTES = 256 * 2**20
HASHES = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
#: The longest file name and path most file systems hold (Linux: NAME_MAX and PATH_MAX).
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


class UnsafePath(BSS2Error, ValueError):
    """A server-given output listing that would write outside the job folder, or over another file."""


class DownloadFailed(BSS2Error, RuntimeError):
    """A file that could not be downloaded intact."""


class _Refused(DownloadFailed):
    """A failure that another attempt would not mend."""


def local_path(server_path: str, job_id: str, folder: Path) -> Path:
    """Where a server path goes inside ``folder``; the ``job_<id>/`` prefix is dropped. Escapes are refused."""
    if "\x00" in server_path or any(len(part.encode()) > MAX_NAME_BYTES for part in server_path.split("/")):
        raise UnsafePath(
            f"The job queue sent the output path {server_path[:80]!r}{'…' if len(server_path) > 80 else ''}, "
            f"which no file system can hold (a NUL byte, or a name over {MAX_NAME_BYTES} bytes). Running again would "
            "fail the same way, so the job was not downloaded; report this job to the platform support."
        )
    path = PurePosixPath(server_path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise UnsafePath(
            f"The job queue sent the output path {server_path!r}, which would be written outside the job folder. "
            "Nothing was written; report this job to the platform support."
        )
    if path.parts[0] == f"job_{job_id}" and len(path.parts) > 1:
        path = PurePosixPath(*path.parts[1:])
    target = folder.joinpath(*path.parts)
    if len(str(target.absolute()).encode()) > MAX_PATH_BYTES:
        raise UnsafePath(
            f"The output path {server_path[:80]!r}… is too long for the file system ({MAX_PATH_BYTES} bytes in all); "
            "the job was not downloaded. Report this job to the platform support."
        )
    if not target.resolve().is_relative_to(folder.resolve()):
        raise UnsafePath(f"Output path {server_path!r} resolves outside the job folder; nothing was written.")
    return target


def _plan(files: list, job_id: str, folder: Path) -> list[tuple[dict, Path]]:
    if not isinstance(files, list) or not all(isinstance(f, dict) and "url" in f and "path" in f for f in files):
        raise UnsafePath(f"The job queue sent an output listing for job {job_id} that is not a list of files.")
    if len(files) > MAX_FILES:
        raise UnsafePath(f"Job {job_id} lists {len(files)} output files, more than the cap of {MAX_FILES}.")
    planned, seen = [], set()
    for entry in files:
        target = local_path(str(entry["path"]), job_id, folder)
        if target in seen:
            raise UnsafePath(f"Job {job_id} lists the output path {entry['path']!r} twice; nothing was written.")
        if target == folder / PROVENANCE_FILE:
            raise UnsafePath(
                f"Job {job_id} sends a file named {PROVENANCE_FILE}, which would overwrite the record of where "
                "its results came from; nothing was written."
            )
        size = entry.get("size")
        if size is not None and (not isinstance(size, int) or not 0 <= size <= MAX_FILE_BYTES):
            raise UnsafePath(
                f"Job {job_id} declares {entry['path']!r} as {size!r} bytes; files are capped at "
                f"{MAX_FILE_BYTES // 2**20} MiB. Nothing was written."
            )
        seen.add(target)
        planned.append((entry, target))
    return planned


def _stream(url: str, handle, limit: int, hasher, name: str, cancelled: threading.Event) -> int:
    """Write the body at ``url`` into ``handle``, at most ``limit`` bytes; stop once ``cancelled`` is set."""
    written = 0
    with requests.Session() as session:
        session.max_redirects = MAX_REDIRECTS
        with session.get(url, stream=True, timeout=settings.current().http_timeout) as response:
            response.raise_for_status()
            while not cancelled.is_set() and (chunk := response.raw.read1(1 << 16, decode_content=True)):
                written += len(chunk)
                if written > limit:
                    raise _Refused(f"{name}: the server sent more than the {limit} bytes it declared")
                handle.write(chunk)
                if hasher:
                    hasher.update(chunk)
    return written


def _fetch(entry: dict, target: Path, deadline: float) -> None:
    size, digest = entry.get("size"), str(entry.get("hash") or "").lower()
    limit = MAX_FILE_BYTES if size is None else size
    hasher = hashlib.new(HASHES[len(digest)]) if len(digest) in HASHES else None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=staging_name(), dir=target.parent)
    cancelled = threading.Event()
    try:
        with os.fdopen(fd, "wb") as handle:
            transfer = lambda: _stream(entry["url"], handle, limit, hasher, target.name, cancelled)  # noqa: E731
            try:
                written = call_with_timeout(transfer, max(deadline - time.monotonic(), 0.1))
            except CallTimedOut:
                raise _Refused(
                    f"{target.name}: still downloading at the BSS2_JOB_TIMEOUT limit "
                    f"({settings.current().job_timeout:g} s)"
                ) from None
            except requests.TooManyRedirects:
                raise _Refused(f"{target.name}: more than {MAX_REDIRECTS} redirects") from None
        if size is not None and written != size:
            raise DownloadFailed(f"{target.name}: got {written} of {size} bytes")
        if hasher and hasher.hexdigest() != digest:
            raise DownloadFailed(f"{target.name}: content hash does not match")
        os.replace(tmp, target)
    except BaseException:
        cancelled.set()  # an abandoned transfer writes nothing more
        Path(tmp).unlink(missing_ok=True)
        raise


def download_outputs(job: dict, folder: Path, deadline: float) -> list[str]:
    """Download every output file of ``job`` into ``folder`` by ``deadline``; return their relative paths."""
    job_id = str(job["id"])
    planned = _plan((job.get("output_data") or {}).get("files") or [], job_id, folder)
    for entry, target in planned:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                _fetch(entry, target, deadline)
                break
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, DownloadFailed) as error:
                if attempt == ATTEMPTS or isinstance(error, _Refused) or time.monotonic() > deadline:
                    raise DownloadFailed(
                        f"Could not download {entry['path']} of job {job_id} ({error}; attempt {attempt} of "
                        f"{ATTEMPTS}). No partial file was kept. Run the same cell or command again to download "
                        f"job {job_id} again without resubmitting it, or: python -m helpers fetch {job_id}"
                    ) from error
                time.sleep(0.2 * 2**attempt)
    return sorted(str(target.relative_to(folder)) for _, target in planned)
