"""``{bss2-fidelity-report}``: the emulator against the chip's recordings and the catalogue's published chip
figures, and its predictions. The comparisons run the emulator in the build's own process (well under a
second); the predictions are read from the results cache, where ``make results`` records the experiments.

For each recording: the recording and the emulator run with the same settings, overlaid in one
figure, and a table of every quantity with the chip's value, the emulator's, the error and the
tolerance. Then the tutorial's own experiments, labelled as predictions. ``{bss2-parameter-lists}``
lists which HXNeuron parameters the emulator models.
"""

from __future__ import annotations

import base64
import html
import io

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from bss2_emulator.chip.fit import cycles
from bss2_emulator.parameters import MODELLED, PARAMETERS
from helpers import fidelity

logger = logging.getLogger(__name__)
TITLES = {
    "silent_neuron": "Silent neuron: leak 700, leak bias 1022 (the tutorial's first experiment)",
    "leak_over_threshold": "Leak over threshold: leak 1000, leak bias 150, refractory 255, no reset multiplication",
}


def _overlay_png(name: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.paths import MPL_STYLE

    with plt.style.context(MPL_STYLE):
        fig, ax = plt.subplots(figsize=(7.0, 2.8))
        emulated, recorded = fidelity.emulate_recording(name), fidelity.recording(name)
        # The chip catches its neuron at a random phase; the emulated trace is shifted to start in phase.
        shift = 0.0
        falls = [cycles(*trace).falls for trace in (recorded, emulated)]
        if all(len(f) for f in falls):
            shift = falls[0][0] - falls[1][0]
        ax.plot(emulated[0] + shift, emulated[1], color="#d97706", linewidth=0.8,
                label="emulator, same settings (EMULATED)" + (", shifted in phase" if shift else ""))  # fmt: skip
        ax.plot(*recorded, color="black", linewidth=0.8, label="BrainScaleS-2 recording")
        ax.set(xlabel="Wall clock time [µs]", ylabel="ADC readout [a.u.]", xlim=(0, 100))
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize="small", frameon=False)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _comparison_html(rows: list[fidelity.Row]) -> str:
    head = (
        "<tr><th>Quantity</th><th>Chip</th><th>Emulator</th><th>Error</th><th>Tolerance</th>"
        "<th>Within tolerance</th><th>Set by</th></tr>"
    )
    body = "".join(
        f"<tr><td>{html.escape(r.target.observation)}</td><td>{r.hardware:.2f} {r.target.unit}</td>"
        f"<td>{r.value:.2f} {r.target.unit}</td><td>{r.error:+.2f}</td><td>±{r.target.tolerance:g}</td>"
        f"<td>{'yes' if r.matches else 'NO'} ({r.ratio:.2f} of it)</td><td>{html.escape(r.target.set_by)}</td></tr>"
        for r in rows
    )
    return _scrolling(f'<table class="table bss2-calibration"><thead>{head}</thead><tbody>{body}</tbody></table>')


def _scrolling(table: str) -> str:
    """A wide table in a box of its own that scrolls sideways on a narrow screen, not the whole page."""
    return f'<div class="bss2-table-scroll" role="region" aria-label="Table" tabindex="0">{table}</div>'


def _predictions_html(values: list[tuple[str, float, str]]) -> str:
    body = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{value:.1f} {unit}</td><td>prediction: no hardware recording</td></tr>"
        for name, value, unit in values
    )
    head = "<tr><th>Quantity</th><th>Emulator (EMULATED)</th><th>Hardware reference</th></tr>"
    return _scrolling(f'<table class="table bss2-calibration"><thead>{head}</thead><tbody>{body}</tbody></table>')


def _parameters_html() -> str:
    modelled = sorted(MODELLED)
    warned = sorted(n for n in PARAMETERS if n not in MODELLED)

    def names(items: list[str]) -> str:
        return ", ".join(f"<code>{html.escape(n)}</code>" for n in items)

    return (
        f"<p><strong>Modelled</strong> ({len(modelled)} of {len(PARAMETERS)} <code>HXNeuron</code> parameters): "
        f"{names(modelled)}.</p>"
        f"<p><strong>Not modelled</strong> ({len(warned)}): {names(warned)}. Setting one of them away from its "
        "default has no effect on the emulator, and the job's log names it in a warning.</p>"
    )


class FidelityReport(SphinxDirective):
    """Compare the emulator with the recordings, predict the tutorial, and list what is modelled."""

    def run(self) -> list[nodes.Node]:
        try:
            rows = fidelity.compare_with_recordings()
            figures = fidelity.compare_with_catalogue()
            predicted = fidelity.predictions(fidelity.recorded_experiments())
        except (RuntimeError, LookupError) as error:
            logger.error("Cannot measure the emulator: %s", error, location=self.get_location())
            return []
        parts = []
        for name, title in TITLES.items():
            alt = f"{title}: the BrainScaleS-2 recording in black and the emulator, with the same settings, in orange."
            parts.append(
                f"<h4>{html.escape(title)}</h4>"
                f'<img src="data:image/png;base64,{_overlay_png(name)}" alt="{html.escape(alt)}" '
                'class="bss2-fidelity-figure">'
            )
        parts.append("<h4>Every quantity, chip against emulator</h4>" + _comparison_html(rows))
        worst = max(rows, key=lambda r: r.ratio)
        parts.append(
            f"<p>{sum(r.matches for r in rows)} of {len(rows)} quantities lie within their tolerance; the largest "
            f"error is {worst.ratio:.2f} of its tolerance ({html.escape(worst.target.observation.lower())}).</p>"
        )
        parts.append(
            "<h4>The catalogue's published chip figures, against the emulator with each page's settings</h4>"
            "<p>Facts read off the figures of the official tutorial catalogue (gs_02, gs_03, the AdEx page). They "
            "come from other chips of the same design, so each tolerance includes the spread between chips.</p>"
            + _comparison_html(figures)
        )
        outside = [r for r in figures if not r.matches]
        parts.append(
            f"<p>{len(figures) - len(outside)} of {len(figures)} lie within their tolerance"
            + (
                "; outside: " + "; ".join(f"{html.escape(r.target.observation)} ({r.ratio:.2f} of it)" for r in outside)
                if outside
                else ""
            )
            + ".</p>"
        )
        parts.append("<h4>The tutorial's own settings: predictions</h4>" + _predictions_html(predicted))
        return [nodes.raw("", "".join(parts), format="html")]


class ParameterLists(SphinxDirective):
    """Which HXNeuron parameters the emulator models, and which it names in a warning instead."""

    def run(self) -> list[nodes.Node]:
        return [nodes.raw("", _parameters_html(), format="html")]
