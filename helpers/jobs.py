"""What a backend is given (a ``Job``), what it reports back (a ``JobRecord``), and how a job can fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import BSS2Error
from .plain_text import plain_text, tail

PLATFORM = "BrainScaleS-2"
LOG_TAIL_LINES = 30
#: The most of a log shown in an error or kept in a provenance record; the job queue keeps the whole log.
LOG_TAIL_CHARS = 8000


@dataclass(frozen=True)
class Job:
    """A job to run: the experiment script, the hardware config sent with it, and the collab that pays."""

    script: Path
    config: dict
    collab: str | None = None
    output_dir: Path | None = None  # where the job folder will be published; the queue's journal lives there
    trial_seed: int | None = None  # the emulator's trial-to-trial noise, fixed so that a recorded result repeats


@dataclass
class JobRecord:
    """A finished job: where it ran, its id, its log and the output files it left."""

    job_id: str
    backend: str  # "emulator" or "nmpi" (hardware)
    software_version: str
    submitted_at: str
    completed_at: str
    log: str
    files: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def emulated(self) -> bool:
        """Emulated results: from the local emulator, or from a queue that reports an emulator as platform."""
        platform = str((self.extra.get("hardware_provenance") or {}).get("platform", ""))
        return self.backend == "emulator" or "emulator" in platform.lower()


def log_tail(log: object) -> str:
    """The last lines of a job log, as plain text of at most ``LOG_TAIL_CHARS`` characters."""
    return tail(plain_text(log), LOG_TAIL_LINES, LOG_TAIL_CHARS)


class JobFailed(BSS2Error, RuntimeError):
    """A job that ended in an error; the message carries the tail of its log."""

    def __init__(self, job_id: str, status: str, log: object, whole_log_at: str = "") -> None:
        self.job_id, self.status, self.log = job_id, status, plain_text(log)
        shown = log_tail(log) or "(the job left no log)"
        where = f" ({whole_log_at} has all of it)" if whole_log_at else ""
        super().__init__(f"Job {job_id} ended with status '{status}'. Last lines of its log{where}:\n{shown}")


def output_files(folder: Path) -> list[str]:
    """The files in a job folder, as sorted relative paths."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
