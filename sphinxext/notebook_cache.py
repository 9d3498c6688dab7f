"""The notebook cache path, keyed by a digest of what notebook outputs depend on besides their code.

jupyter-cache keys a notebook on its code cells only, so a change to the helpers,
the cached results or the figure style would keep stale outputs (MyST-NB#299).
The digest of those folders is part of the cache path, and a config value that
makes Sphinx re-read every page when it changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

from helpers.paths import REPOSITORY

INPUTS = ("bss2_emulator", "helpers", "results", "_static", "sphinxext")


def inputs_digest(root: Path = REPOSITORY) -> str:
    """A digest of every file in the INPUTS folders, names and contents."""
    digest = hashlib.sha256()
    for folder in INPUTS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def configure(app: Sphinx, config: Config) -> None:
    """Set the digest and an absolute cache path under ``_build`` (a relative one depends on the cwd)."""
    config.bss2_inputs_digest = inputs_digest()
    config.nb_execution_cache_path = str(REPOSITORY / "_build" / "jupyter_cache" / config.bss2_inputs_digest)
