"""``{bss2-fidelity-table}``: the emulator against the hardware targets, measured while the page is read."""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from helpers.fidelity import Row, compare, run_experiments

logger = logging.getLogger(__name__)


def table_html(rows: list[Row]) -> str:
    """The comparison table, with a match column that gives the range whenever a value misses it."""
    head = "<tr><th>Observation</th><th>Hardware</th><th>Emulator</th><th>Match</th><th>Set by</th></tr>"
    body = "".join(
        f"<tr><td>{html.escape(r.target.observation)}</td><td>{html.escape(r.target.hardware)}</td>"
        f"<td>{r.value:.1f} {r.target.unit}</td>"
        f"<td>{'yes' if r.matches else f'no (target {r.target.low:g}–{r.target.high:g})'}</td>"
        f"<td>{html.escape(r.target.set_by)}</td></tr>"
        for r in rows
    )
    return f'<table class="table bss2-calibration"><thead>{head}</thead><tbody>{body}</tbody></table>'


class FidelityTable(SphinxDirective):
    """Run the tutorial's experiments on the emulator and compare them with the hardware targets."""

    def run(self) -> list[nodes.Node]:
        try:
            rows = compare(run_experiments())
        except RuntimeError as error:
            logger.error("Cannot measure the emulator: %s", error, location=self.get_location())
            return []
        return [nodes.raw("", table_html(rows), format="html")]
