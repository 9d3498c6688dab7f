"""Where the project's own files are: the repository root and the folders the helpers read.

This is the one place the repository root is computed; every other module asks here.
"""

from __future__ import annotations

from pathlib import Path

#: The repository root: the folder that holds ``helpers/``, ``tutorials/`` and ``results/``.
REPOSITORY = Path(__file__).resolve().parent.parent
#: The committed results cache.
RESULTS = REPOSITORY / "results"
#: The tutorial notebooks (Jupytext MyST sources).
TUTORIALS = REPOSITORY / "tutorials"
#: The figure style shared by the notebooks and the site; it travels with the package.
MPL_STYLE = Path(__file__).resolve().parent / "figure.mplstyle"
