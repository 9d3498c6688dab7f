"""Safe downloads of a job's output files: contained paths, size and hash checks, atomic writes, retries."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path, PurePosixPath

import requests

from ... import settings
from ...cache.atomic import STAGING_PREFIX
from ...errors import BSS2Error

ATTEMPTS = 4
HASHES = {32: "md5", 40: "sha1", 64: "sha256"}


class UnsafePath(BSS2Error, ValueError):
    """A server-given output path that would land outside the download folder."""


class DownloadFailed(BSS2Error, RuntimeError):
    """A file that could not be downloaded intact."""


def local_path(server_path: str, job_id: str, folder: Path) -> Path:
    """Where a server path goes inside ``folder``; the ``job_<id>/`` prefix is dropped. Escapes are refused."""
    path = PurePosixPath(server_path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise UnsafePath(
            f"The job queue sent the output path {server_path!r}, which would be written outside the job folder. "
            "Nothing was written; report this job to the platform support."
        )
    if path.parts[0] == f"job_{job_id}":
        path = PurePosixPath(*path.parts[1:])
    target = folder.joinpath(*path.parts)
    if not target.resolve().is_relative_to(folder.resolve()):
        raise UnsafePath(f"Output path {server_path!r} resolves outside the job folder; nothing was written.")
    return target


def _fetch(url: str, target: Path, size: int | None, digest: str | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=target.parent)
    try:
        hasher = hashlib.new(HASHES[len(digest)]) if digest and len(digest) in HASHES else None
        written = 0
        with (
            os.fdopen(fd, "wb") as handle,
            requests.get(url, stream=True, timeout=settings.current().http_timeout) as response,
        ):
            response.raise_for_status()
            for chunk in response.iter_content(chunk_size=1 << 16):
                handle.write(chunk)
                written += len(chunk)
                if hasher:
                    hasher.update(chunk)
        if size is not None and written != size:
            raise DownloadFailed(f"{target.name}: got {written} of {size} bytes")
        if hasher and hasher.hexdigest() != digest:
            raise DownloadFailed(f"{target.name}: content hash does not match")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def download_outputs(job: dict, folder: Path) -> list[str]:
    """Download every output file of ``job`` into ``folder``; return their relative paths.

    All paths are checked before anything is fetched, so a job with one bad
    path writes nothing at all.
    """
    job_id = str(job["id"])
    files = (job.get("output_data") or {}).get("files") or []
    planned = [(entry, local_path(entry["path"], job_id, folder)) for entry in files]
    for entry, target in planned:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                _fetch(entry["url"], target, entry.get("size"), entry.get("hash"))
                break
            except (requests.RequestException, DownloadFailed) as error:
                if attempt == ATTEMPTS:
                    raise DownloadFailed(
                        f"Could not download {entry['path']} of job {job_id} after {ATTEMPTS} attempts ({error}). "
                        "No partial file was kept; run the cell again to retry."
                    ) from error
                time.sleep(0.2 * 2**attempt)
    return sorted(str(target.relative_to(folder)) for _, target in planned)
