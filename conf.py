"""Sphinx configuration for the BrainScaleS-2 executable tutorials (in the style of MyST-NB's own docs)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the helpers package, for the landing page's thumbnails

# -- Project information -----------------------------------------------------

project = "BrainScaleS-2 executable tutorials"
author = "BrainScaleS-2 tutorial contributors"
copyright = f"2026, {author}"

# -- General configuration ---------------------------------------------------

extensions = [
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
]
exclude_patterns = [
    "_build",
    ".*",  # .venv, .pytest_cache, .ci and other hidden folders
    "**/.ipynb_checkpoints",
    "**/*.ipynb",  # the paired notebooks: Sphinx reads the MyST .md of each pair
    "README.md",
    "benchmarks",
    "helpers",
    "results",
    "tests",
]
# No dollarmath: the site has no formulas, and MathJax would be fetched from a CDN.
myst_enable_extensions = ["colon_fence", "deflist", "substitution", "attrs_inline"]
suppress_warnings = []

# -- Notebook execution ------------------------------------------------------
# The build never touches the network: jobs are replayed from the committed results cache.

os.environ["BSS2_BACKEND"] = "replay"
os.environ["BSS2_OUTPUT_DIR"] = str(ROOT / "_build" / "jobs")
os.environ.pop("EBRAINS_TOKEN", None)


def _inputs_digest() -> str:
    """A digest of what notebook outputs depend on besides their code: the helpers and the cached results.

    jupyter-cache keys only on code cells, so it is part of the cache path, and a
    change to it re-executes the notebooks (MyST-NB#299).
    """
    digest = hashlib.sha256()
    for folder in ("helpers", "results", "_static"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


bss2_inputs_digest = _inputs_digest()
nb_execution_mode = "cache"
nb_execution_cache_path = str(ROOT / "_build" / "jupyter_cache" / bss2_inputs_digest)
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_kernel_rgx_aliases = {"(?i)ebrains.*": "python3"}
nb_merge_streams = True
nb_output_stderr = "warn"

# -- HTML output -------------------------------------------------------------

# Where this repository is published, and the EBRAINS Lab (a JupyterHub) that the launch
# button opens it in: nbgitpuller clones the repository there and opens the paired .ipynb.
REPOSITORY_URL = os.environ.get("BSS2_REPOSITORY_URL", "https://github.com/bss2-tutorials/queue-runner-tutorial")
EBRAINS_LAB_URL = "https://lab.ebrains.eu"

LAB_LAUNCH_URL = (
    f"{EBRAINS_LAB_URL}/hub/user-redirect/git-pull?repo={quote(REPOSITORY_URL, safe='')}"
    f"&urlpath=lab/tree/{REPOSITORY_URL.rstrip('/').rsplit('/', 1)[-1]}/tutorials/queue_runner.ipynb&branch=main"
)
myst_substitutions = {"lab_launch": f"[Open the tutorial in the EBRAINS Lab]({LAB_LAUNCH_URL})"}

html_theme = "sphinx_book_theme"
html_title = "BrainScaleS-2 tutorials"
html_static_path = ["_static"]
html_css_files = ["bss2.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = ""
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "",
    "use_download_button": True,
    "use_repository_button": True,
    "launch_buttons": {"jupyterhub_url": EBRAINS_LAB_URL, "notebook_interface": "jupyterlab"},
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "auto"}  # light or dark, following the reader's system


def _render_thumbnails(app) -> None:
    from helpers.kernel import software_version
    from helpers.thumbnails import render_thumbnails

    render_thumbnails(ROOT / "_build" / "thumbnails", {"SOFTWARE_VERSION": software_version()}, bss2_inputs_digest)


def setup(app):
    # A changed digest invalidates Sphinx's environment too, so every page is re-read.
    app.add_config_value("bss2_inputs_digest", "", "env")
    app.connect("builder-inited", _render_thumbnails)
