"""Sphinx configuration for the BrainScaleS-2 executable tutorials (in the style of MyST-NB's own docs).

Plain settings only: what the build computes (the notebook cache path, the
pinned environment, thumbnails, the emulator page's table) lives in the
``sphinxext`` extension.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers and sphinxext packages

# -- Project information -----------------------------------------------------

project = "BrainScaleS-2 executable tutorials"
author = "BrainScaleS-2 tutorial contributors"
copyright = f"2026, {author}"

# -- General configuration ---------------------------------------------------

extensions = [
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinxext",
]
exclude_patterns = [
    "_build",
    ".*",  # .venv, .pytest_cache, .ci and other hidden folders
    "**/.ipynb_checkpoints",
    "**/*.ipynb",  # the paired notebooks: Sphinx reads the MyST .md of each pair
    "README.md",
    "CONTRIBUTING.md",
    "benchmarks",
    "bss2_emulator",
    "helpers",
    "results",
    "sphinxext",
    "tests",
]
# No dollarmath: the site has no formulas, and MathJax would be fetched from a CDN.
myst_enable_extensions = ["colon_fence", "deflist", "substitution", "attrs_inline"]

# -- Notebook execution ------------------------------------------------------
# Jobs are replayed from the committed results cache (see sphinxext.environment);
# the cache path is set by sphinxext.notebook_cache.

nb_execution_mode = "cache"
nb_execution_in_temp = True  # %%file cells write into a scratch folder, never into the source tree
# A failing notebook is a warning that shows the helpers' own message (-W makes it fail the build).
nb_execution_raise_on_error = False
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_kernel_rgx_aliases = {"(?i)ebrains.*": "python3"}
nb_merge_streams = True
nb_output_stderr = "warn"

# -- HTML output -------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = "BrainScaleS-2 tutorials"
html_static_path = ["_static"]
html_css_files = ["bss2.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = ""
html_theme_options = {
    "repository_branch": "main",
    "path_to_docs": "",
    "use_download_button": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "auto"}  # light or dark, following the reader's system
