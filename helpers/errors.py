"""The base class of every error the helpers raise for a user.

Each subclass lives next to the code that raises it, and its message says what
went wrong and how to fix it. The command line catches ``BSS2Error`` and prints
the message; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from .plain_text import plain_text


class BSS2Error(Exception):
    """An error a user can act on; the message names the problem and the fix.

    Messages often quote a server (an error's detail, a job's log): they are kept as plain text, so
    that nothing quoted can clear the screen or draw a line of its own.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(plain_text(arg) if isinstance(arg, str) else arg for arg in args))


class SettingError(BSS2Error, ValueError):
    """An environment variable with a value the helpers cannot use."""


class ScriptNotFound(BSS2Error, FileNotFoundError):
    """The experiment script to run does not exist."""


class OutputDirError(BSS2Error, OSError):
    """The folder for job results cannot be created or written."""


class CatalogueError(BSS2Error, ValueError):
    """``python -m helpers catalogue`` was pointed at something that is no catalogue checkout or page."""
