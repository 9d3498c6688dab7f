"""The notebooks the site offers for download: Lab editions that run on their own.

A student downloads a tutorial's ``.ipynb``, uploads it to a collab's Drive and runs
it in an EBRAINS kernel, with no copy of this repository beside it. So the download
is not the page's executed notebook but a Lab edition of its source:

- it carries the notebook-level ``helpers`` (not the emulator, ``bss2_emulator``, which the Lab does not need), zipped
  into one collapsed cell that unpacks them into a temporary folder;
- it has no outputs, since they came from the results cache, not from the student's run;
- it asks for the EBRAINS kernel its source names.

The cell goes right before the cell tagged ``import-helpers``. Every build offers it,
with or without launch buttons (sphinx-book-theme copies a notebook only for those).
"""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import jupytext
import nbformat
from sphinx.application import Sphinx
from sphinx.util import logging

from helpers.paths import REPOSITORY

TAG = "import-helpers"
logger = logging.getLogger(__name__)

_UNPACK = """\
# The tutorial's helper functions, bundled so that this notebook runs on its own, for
# example uploaded to a collab's Drive. They are the `helpers` package of the tutorial's
# repository (without its emulator); this cell unpacks them into a temporary folder.
import base64, io, sys, tempfile, zipfile

_folder = tempfile.mkdtemp(prefix="bss2-helpers-")
zipfile.ZipFile(io.BytesIO(base64.b64decode(_HELPERS))).extractall(_folder)
sys.path.insert(0, _folder)
"""


def helpers_bundle(root: Path = REPOSITORY) -> bytes:
    """A zip of the ``helpers`` package, byte for byte the same for the same sources."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted((root / "helpers").rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and "__pycache__" not in relative.parts:
                info = zipfile.ZipInfo(str(relative), date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, path.read_bytes())
    return buffer.getvalue()


def lab_edition(source: Path) -> nbformat.NotebookNode:
    """The Lab edition of the MyST notebook ``source``."""
    notebook = jupytext.read(source)
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if TAG in cell.metadata.get("tags", []):
            blob = base64.b64encode(helpers_bundle()).decode()
            unpack = nbformat.v4.new_code_cell(
                f'_HELPERS = "{blob}"\n{_UNPACK}', metadata={"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}
            )
            notebook.cells.insert(index, unpack)
            return notebook
    raise ValueError(f"{source} has no cell tagged {TAG!r} to put the helpers before.")


def _notebook_pages(app: Sphinx) -> list[str]:
    return sorted(name for name in app.env.found_docs if "kernelspec" in app.env.metadata.get(name, {}))


def offer_download(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Put the ``.ipynb`` in a notebook page's download menu (the theme reads ``ipynb_source``)."""
    if "kernelspec" in app.env.metadata.get(pagename, {}):
        context["ipynb_source"] = f"{pagename}.ipynb"


def write_lab_editions(app: Sphinx, exception: Exception | None) -> None:
    """Write each notebook page's Lab edition where its download menu points: ``_sources/<page>.ipynb``."""
    if exception is not None or app.builder.format != "html":
        return
    for page in _notebook_pages(app):
        download = Path(app.outdir, "_sources", f"{page}.ipynb")
        download.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(lab_edition(Path(app.srcdir, f"{page}.md")), download)
        logger.verbose("Lab edition of %s written to %s", page, download)
