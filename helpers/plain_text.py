"""What a server or a job says, made safe to print: plain text of a bounded length.

Job statuses, error details and logs come from outside. Before any of them
reaches a terminal or a notebook, every control sequence that could clear the
screen, move the cursor, set a title or reorder the text (ESC and C1 controls
such as U+009B, bidi overrides such as U+202E) is removed, and anything that
is not a string (a log sent as a number or a list) becomes its JSON text.
"""

from __future__ import annotations

import json
import re

#: Terminal control sequences (ESC and C1, with their parameters), other control characters and the
#: bidi embeddings, overrides and isolates.
_CONTROL = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: window titles, links
    r"|\x1b.?|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
    r"|[\u200e\u200f\u202a-\u202e\u2066-\u2069]",
    re.DOTALL,
)


#: How a tail cut to its last characters begins.
CUT_MARK = "[… "


def as_text(value: object) -> str:
    """``value`` as a string: itself if it is one, "" for None, else its JSON (or ``str``) text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def plain_text(value: object) -> str:
    """``value`` as plain text: no sequence in it can clear a screen, fake a line or reverse text;
    carriage returns end lines."""
    return _CONTROL.sub("", as_text(value).replace("\r\n", "\n").replace("\r", "\n"))


def shortened(text: str, limit: int) -> str:
    """``text`` cut to its first ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters not shown]"


def tail(text: str, lines: int, limit: int) -> str:
    """The last ``lines`` lines of ``text``, at most ``limit`` characters, saying how much was left out."""
    kept = "\n".join(text.rstrip().splitlines()[-lines:])
    if len(kept) <= limit:
        return kept
    return f"{CUT_MARK}{len(kept) - limit} earlier characters not shown]{kept[-limit:]}"
