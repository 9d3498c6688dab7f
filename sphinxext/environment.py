"""The build's environment: offline, replaying the committed cache, whatever the developer's shell holds."""

from __future__ import annotations

import json
import logging as logging_module
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from helpers import settings
from helpers.paths import REPOSITORY

#: The EBRAINS Lab (a JupyterHub) that the launch buttons open a notebook in, through nbgitpuller.
EBRAINS_LAB_URL = "https://lab.ebrains.eu"
logger = logging.getLogger(__name__)


def _not_a_configuration_dump(record: logging_module.LogRecord) -> bool:
    args = record.args if isinstance(record.args, tuple) else ()
    return not any(type(arg).__name__ in ("MdParserConfig", "NbParserConfig") for arg in args)


def quiet_configuration_dumps() -> None:
    """Keep MyST's and MyST-NB's dumps of their whole configuration out of the build log."""
    for name in ("sphinx.myst_parser.sphinx_ext.main", "sphinx.myst_nb.sphinx_ext"):
        logging_module.getLogger(name).addFilter(_not_a_configuration_dump)


def pin(app: Sphinx, config: Config) -> None:
    """Drop every project setting from the environment, then replay jobs into the build folder, with no token.

    The notebooks' kernels inherit this environment. ``BSS2_REPOSITORY_URL`` is a build setting and is kept.
    """
    for name in settings.variables():
        if name != "BSS2_REPOSITORY_URL":
            os.environ.pop(name, None)
    os.environ["BSS2_BACKEND"] = "replay"
    os.environ["BSS2_EMULATOR_TRIAL_SEED"] = "1"  # the emulator page is measured with repeatable noise
    os.environ["BSS2_OUTPUT_DIR"] = str(Path(app.outdir).parent / "jobs")
    # Notebooks run in a scratch folder; their kernels find the helpers here.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    os.environ["IPYTHONDIR"] = str(_kernel_profile(Path(app.outdir).parent / ".ipython"))


def _kernel_profile(folder: Path) -> Path:
    """An IPython folder of the build's own, not the developer's: kernels that log errors only (on loopback, the
    kernel's warning about unencrypted TCP is noise in the build log), and figures as SVG, sharp at any zoom on
    a phone. A student's kernel keeps its own settings."""
    profile = folder / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    config = {"IPKernelApp": {"log_level": "ERROR"}, "InlineBackend": {"figure_formats": ["svg"]}}
    (profile / "ipython_kernel_config.json").write_text(json.dumps(config))
    return folder


def repository_url() -> str | None:
    """``BSS2_REPOSITORY_URL``, else the git remote ``origin`` if it is a public web address, else None."""
    configured = settings.current().repository_url
    if configured:
        return configured
    try:
        remote = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=REPOSITORY, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except OSError:
        return None
    ssh = re.fullmatch(r"git@([\w.-]+):(.+?)(?:\.git)?", remote)
    if ssh:
        return f"https://{ssh[1]}/{ssh[2]}"
    https = re.fullmatch(r"(https://[\w.-]+/.+?)(?:\.git)?/?", remote)
    return https[1] if https else None


#: The landing page's link to the first tutorial's Lab edition (``lab_edition`` writes it in every build).
DOWNLOAD = '<a href="_sources/tutorials/queue_runner.ipynb" download>{}</a>, upload it'


def repository_links(app: Sphinx, config: Config) -> None:
    """Point the repository and launch buttons, and the landing page's launch link, at the repository.

    Without a repository URL they are left out, rather than pointing at a guess.
    """
    url = config.bss2_repository_url or repository_url()
    options = dict(config.html_theme_options)
    if url:
        launch = (
            f"{EBRAINS_LAB_URL}/hub/user-redirect/git-pull?repo={quote(url, safe='')}"
            f"&urlpath=lab/tree/{url.rstrip('/').rsplit('/', 1)[-1]}/tutorials/queue_runner.ipynb&branch=main"
        )
        download = DOWNLOAD.format("download its notebook")
        link = f"[Open the tutorial in the EBRAINS Lab]({launch}) with one click, or {download} to a collab's Drive"
        options.update(
            repository_url=url,
            use_repository_button=True,
            launch_buttons={"jupyterhub_url": EBRAINS_LAB_URL, "notebook_interface": "jupyterlab"},
        )
    else:
        logger.info(
            "No repository URL (set BSS2_REPOSITORY_URL, or a git remote 'origin' with a web address): "
            "the repository and launch buttons are left out."
        )
        link = f"{DOWNLOAD.format('Download its notebook')} to a collab's Drive in the EBRAINS Lab and open it there"
        options.update(use_repository_button=False, launch_buttons={})
    config.myst_substitutions = {**config.myst_substitutions, "lab_launch": link}
    config.html_theme_options = options
