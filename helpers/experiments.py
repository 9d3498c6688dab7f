"""The experiments of a tutorial, read from its notebook's ``%%file`` cells.

The notebook is the one source of the experiment scripts: the results cache,
the site's thumbnails and fidelity table, and the tests all take them from here.
"""

from __future__ import annotations

from pathlib import Path

from .paths import TUTORIALS

QUEUE_RUNNER = TUTORIALS / "queue_runner.md"


def experiment_scripts(notebook: Path = QUEUE_RUNNER) -> dict[str, str]:
    """The ``%%file`` cells of ``notebook``: file name -> script text, exactly as the magic writes them."""
    import jupytext  # a build and test dependency; a notebook in the Lab never calls this

    scripts = {}
    for cell in jupytext.read(notebook).cells:
        first, _, body = cell.source.partition("\n")
        if cell.cell_type == "code" and first.startswith("%%file"):
            scripts[Path(first.split(maxsplit=1)[1]).name] = body + "\n"
    return scripts
