"""A stand-in for ``pylogging``, which ``pynn_brainscales`` exposes as ``pynn.logger``."""

from __future__ import annotations

import logging
import sys


class LogLevel:
    """Log levels as ``pylogging`` names them; they are opaque values with no ordering."""

    FATAL = logging.CRITICAL
    ERROR = logging.ERROR
    WARN = logging.WARNING
    INFO = logging.INFO
    DEBUG = logging.DEBUG
    TRACE = 5
    ALL = 1


_ROOT = logging.getLogger("bss2")


def default_config(
    level: int = LogLevel.WARN,
    fname: str = "",
    dual: bool = False,
    print_location: bool = False,
    color: bool = True,
    date_format: str = "ABSOLUTE",
) -> None:
    """Send log records at ``level`` and above to stderr (and to ``fname`` if given)."""
    del color, date_format  # accepted for compatibility; plain text only
    _ROOT.handlers.clear()
    fmt = "%(relativeCreated)6dms %(levelname)-5s %(name)s " + ("%(pathname)s:%(lineno)d " if print_location else "")
    handlers: list[logging.Handler] = []
    if not fname or dual:
        handlers.append(logging.StreamHandler(sys.stderr))
    if fname:
        handlers.append(logging.FileHandler(fname))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(fmt + "%(message)s"))
        _ROOT.addHandler(handler)
    _ROOT.setLevel(level)
    _ROOT.propagate = False


class Logger:
    """A named logger whose methods join all arguments with ``str()`` and no separator."""

    def __init__(self, name: str) -> None:
        self._logger = _ROOT.getChild(name)

    def _log(self, level: int, args: tuple) -> None:
        if self._logger.isEnabledFor(level):
            self._logger.log(level, "".join(str(a) for a in args))

    def FATAL(self, *args) -> None:
        self._log(LogLevel.FATAL, args)

    def ERROR(self, *args) -> None:
        self._log(LogLevel.ERROR, args)

    def WARN(self, *args) -> None:
        self._log(LogLevel.WARN, args)

    def INFO(self, *args) -> None:
        self._log(LogLevel.INFO, args)

    def DEBUG(self, *args) -> None:
        self._log(LogLevel.DEBUG, args)

    def TRACE(self, *args) -> None:
        self._log(LogLevel.TRACE, args)

    fatal, error, warn, info, debug, trace = FATAL, ERROR, WARN, INFO, DEBUG, TRACE


def get(name: str) -> Logger:
    """The logger called ``name``."""
    return Logger(name)


def set_loglevel(logger: Logger, level: int) -> None:
    """Show records of ``logger`` at ``level`` and above."""
    logger._logger.setLevel(level)


def get_root() -> Logger:
    """The root logger, of which every named logger is a child."""
    root = Logger("")
    root._logger = _ROOT
    return root


def reset() -> None:
    """Drop every handler and level set so far."""
    _ROOT.handlers.clear()
    _ROOT.setLevel(LogLevel.WARN)
