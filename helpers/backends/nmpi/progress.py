"""Show a waiting job's elapsed time and status: one updating line in notebooks and terminals.

In a notebook the line is plain text (``Pretty``), not a quoted Python string."""

from __future__ import annotations

import sys
import time


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "Kernel" in type(shell).__name__ + str(getattr(shell, "kernel", ""))


class Progress:
    """``update(status)`` redraws "job <id>: <status> (<elapsed> s)" in place."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.started = time.monotonic()
        self._handle = None
        if _in_notebook():
            from IPython.display import Pretty, display

            self._pretty = Pretty
            self._handle = display(Pretty(self._text("submitted")), display_id=True)

    def _text(self, status: str) -> str:
        return f"job {self.job_id}: {status} ({time.monotonic() - self.started:.0f} s)"

    def update(self, status: str) -> None:
        if self._handle is not None:
            self._handle.update(self._pretty(self._text(status)))
        elif sys.stderr.isatty():
            print("\r" + self._text(status), end="", file=sys.stderr, flush=True)

    def done(self, status: str) -> None:
        self.update(status)
        if self._handle is None:
            print(("\r" if sys.stderr.isatty() else "") + self._text(status), file=sys.stderr)
