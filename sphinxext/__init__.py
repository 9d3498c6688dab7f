"""The site's Sphinx extension: everything the build computes, kept out of ``conf.py``.

It follows MyST-NB's own layout (``myst_nb/sphinx_ext.py``): ``setup()`` only
registers config values, event handlers, transforms and directives; each job
lives in a module of its own.

- ``environment``: pins the build's environment, so jobs are replayed from the
  committed cache whatever the developer's shell holds (``config-inited``);
- ``notebook_cache``: the digest of what notebook outputs depend on besides
  their code, and the notebook cache path keyed by it (``config-inited``);
- ``thumbnails``: the landing page's card images, drawn from the cache;
- ``fidelity_report``: the emulator page's comparison with the chip's recordings, and its predictions;
- ``lab_edition``: the downloadable notebooks, made to run on their own in the EBRAINS Lab.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from . import environment, fidelity_report, lab_edition, notebook_cache, thumbnails


def setup(app: Sphinx) -> dict:
    environment.quiet_configuration_dumps()
    app.add_config_value("bss2_inputs_digest", "", "env")  # a change re-reads every page
    app.add_config_value("bss2_repository_url", "", "html")
    app.connect("config-inited", environment.pin)
    app.connect("config-inited", notebook_cache.configure)
    app.connect("config-inited", environment.repository_links)
    app.add_transform(thumbnails.EmbedThumbnails)
    app.add_directive("bss2-fidelity-report", fidelity_report.FidelityReport)
    app.add_directive("bss2-parameter-lists", fidelity_report.ParameterLists)
    app.connect("html-page-context", lab_edition.offer_download, priority=500)  # before the theme's menu (501)
    app.connect("build-finished", lab_edition.write_lab_editions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
