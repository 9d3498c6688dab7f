"""The build's environment: offline, replaying the committed cache, whatever the developer's shell holds."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.config import Config

from helpers import settings

#: The EBRAINS Lab (a JupyterHub) that the launch buttons open a notebook in, through nbgitpuller.
EBRAINS_LAB_URL = "https://lab.ebrains.eu"
#: Until the repository is published, its links point here.
PLACEHOLDER_REPOSITORY = "https://github.com/bss2-tutorials/queue-runner-tutorial"


def pin(app: Sphinx, config: Config) -> None:
    """Drop every project setting from the environment, then replay jobs into the build folder, with no token.

    The notebooks' kernels inherit this environment. ``BSS2_REPOSITORY_URL`` is a build setting and is kept.
    """
    for name in settings.variables():
        if name != "BSS2_REPOSITORY_URL":
            os.environ.pop(name, None)
    os.environ["BSS2_BACKEND"] = "replay"
    os.environ["BSS2_OUTPUT_DIR"] = str(Path(app.outdir).parent / "jobs")


def repository_links(app: Sphinx, config: Config) -> None:
    """Point the theme's repository and launch buttons, and the landing page's launch link, at the repository."""
    url = config.bss2_repository_url or settings.current().repository_url or PLACEHOLDER_REPOSITORY
    launch = (
        f"{EBRAINS_LAB_URL}/hub/user-redirect/git-pull?repo={quote(url, safe='')}"
        f"&urlpath=lab/tree/{url.rstrip('/').rsplit('/', 1)[-1]}/tutorials/queue_runner.ipynb&branch=main"
    )
    config.myst_substitutions = {
        **config.myst_substitutions,
        "lab_launch": f"[Open the tutorial in the EBRAINS Lab]({launch})",
    }
    config.html_theme_options = {
        **config.html_theme_options,
        "repository_url": url,
        "launch_buttons": {"jupyterhub_url": EBRAINS_LAB_URL, "notebook_interface": "jupyterlab"},
    }
