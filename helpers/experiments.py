"""The experiments of the tutorials, read from their notebooks' ``%%file`` cells.

The notebooks are the one source of the experiment scripts: the results cache,
the site's thumbnails and fidelity table, and the tests all take them from here.
"""

from __future__ import annotations

from pathlib import Path

from .paths import TUTORIALS

#: The tutorials, in the order the site shows them.
QUEUE_RUNNER = TUTORIALS / "queue_runner.md"
NEURON_TO_NETWORK = TUTORIALS / "neuron_to_network.md"
NOTEBOOKS = (QUEUE_RUNNER, NEURON_TO_NETWORK)


def experiment_scripts(notebook: Path | None = None) -> dict[str, str]:
    """The ``%%file`` cells of ``notebook``, or of every tutorial: file name -> script text, as written."""
    if notebook is None:
        scripts: dict[str, str] = {}
        for each in NOTEBOOKS:
            for name, text in experiment_scripts(each).items():
                if name in scripts:
                    raise ValueError(f"Two tutorials write {name}: give each experiment its own file name.")
                scripts[name] = text
        return scripts
    import jupytext  # a build and test dependency; a notebook in the Lab never calls this

    scripts = {}
    for cell in jupytext.read(notebook).cells:
        first, _, body = cell.source.partition("\n")
        if cell.cell_type == "code" and first.startswith("%%file"):
            scripts[Path(first.split(maxsplit=1)[1]).name] = body + "\n"
    return scripts


def tutorial_of(script_name: str) -> Path:
    """The notebook whose ``%%file`` cell writes ``script_name``."""
    return next(notebook for notebook in NOTEBOOKS if script_name in experiment_scripts(notebook))
