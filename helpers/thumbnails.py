"""Small figures of each experiment's cached result, for the landing page's cards.

They are drawn at build time from the same cache the tutorial replays, so
they always show what the tutorial shows and are never hand-recorded.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import matplotlib

from .plotting import membrane_figure
from .refresh import experiment_scripts
from .results_cache import ResultsCache


def render_thumbnails(out_dir: Path, config: dict, digest: str) -> list[Path]:
    """Write ``<experiment>.png`` for every experiment of the tutorial into ``out_dir``.

    Nothing is redrawn while ``digest`` (of the helpers and the cached results) is unchanged,
    so a warm build neither spends the time nor makes Sphinx re-read the pages that show them.
    """
    stamp = out_dir / ".digest"
    if stamp.is_file() and stamp.read_text() == digest:
        return sorted(out_dir.glob("*.png"))
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in experiment_scripts().items():
        entry = ResultsCache().lookup(name, text.encode(), config)
        data = entry.files_dir / f"{Path(name).stem}.dat"
        with contextlib.redirect_stdout(io.StringIO()):  # the figure's "No spikes found" note is for notebooks
            fig = membrane_figure(data)
        fig.set_size_inches(5.0, 3.0 if len(fig.axes) == 1 else 4.2)
        target = out_dir / f"{Path(name).stem}.png"
        fig.savefig(target, dpi=72, bbox_inches="tight")
        plt.close(fig)
        written.append(target)
    stamp.write_text(digest)
    return written
