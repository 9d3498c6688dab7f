"""Configuration of the EBRAINS services: token and endpoints, from the environment or the Lab."""

from __future__ import annotations

import os


def lab_token() -> str | None:
    """The token the EBRAINS Lab provides (``clb_oauth``), or None outside the Lab."""
    try:
        import clb_oauth  # type: ignore[import-not-found]
    except ImportError:
        return None
    return clb_oauth.get_token()


def token() -> str | None:
    """``EBRAINS_TOKEN``, else the Lab's token; never printed or stored."""
    return os.environ.get("EBRAINS_TOKEN") or lab_token()


def token_available() -> bool:
    return bool(os.environ.get("EBRAINS_TOKEN")) or lab_token() is not None
