"""The landing page's card images: each experiment's cached result, drawn while the page is read.

A card names its image ``bss2-thumbnail:<script>`` (``:img-top: bss2-thumbnail:first_experiment.py``);
this transform draws the figure from the same cache the tutorial replays and
embeds it in the page as a PNG data URI. Nothing is written to or read back
from the build folder, and nothing is ever hand-recorded.
"""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from helpers.errors import BSS2Error
from helpers.experiments import experiment_scripts
from helpers.kernel import software_version

SCHEME = "bss2-thumbnail:"
logger = logging.getLogger(__name__)


def thumbnail_png(script_name: str) -> bytes:
    """A small PNG of the cached result of ``script_name``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.cache import provenance
    from helpers.cache.store import ResultsCache
    from helpers.plotting import THUMBNAIL_DPI, thumbnail_figure

    scripts = experiment_scripts()
    if script_name not in scripts:
        raise ValueError(f"{SCHEME}{script_name}: the tutorial has no %%file cell for {script_name}.")
    cache = ResultsCache()
    entry = cache.lookup(script_name, scripts[script_name].encode(), {"SOFTWARE_VERSION": software_version()})
    with tempfile.TemporaryDirectory(prefix="bss2-thumbnail-") as job_dir:
        provenance.write(Path(job_dir), cache.restore(entry, Path(job_dir)))
        fig = thumbnail_figure(Path(job_dir) / script_name.replace(".py", ".dat"))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=THUMBNAIL_DPI)
    plt.close(fig)
    return buffer.getvalue()


class EmbedThumbnails(SphinxTransform):
    """Replace ``bss2-thumbnail:`` image URIs by the drawn figure."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for image in self.document.findall(nodes.image):
            if image["uri"].startswith(SCHEME):
                try:
                    png = thumbnail_png(image["uri"].removeprefix(SCHEME))
                except (BSS2Error, ValueError) as error:
                    logger.error("Cannot draw the thumbnail %s: %s", image["uri"], error, location=image)
                    image.parent.remove(image)
                    continue
                image["uri"] = "data:image/png;base64," + base64.b64encode(png).decode()
