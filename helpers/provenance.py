"""The provenance box shown under every result: where it came from, generated from the provenance record."""

from __future__ import annotations

import html
import json
from pathlib import Path

PROVENANCE_FILE = "provenance.json"


def write(job_dir: Path, provenance: dict) -> None:
    """Store the provenance record in a job folder."""
    (job_dir / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")


def load(job_dir: str | Path) -> dict:
    """The provenance record of a job folder (or of the folder holding a result file)."""
    folder = Path(job_dir)
    if folder.is_file():
        folder = folder.parent
    return json.loads((folder / PROVENANCE_FILE).read_text())


def box_html(provenance: dict) -> str:
    """An HTML box: emulated or hardware, job id, software version, date, and the software that read it."""
    emulated = bool(provenance.get("emulated"))
    kind = "emulated" if emulated else "hardware"
    title = "Emulated result: local BrainScaleS-2 emulator" if emulated else "BrainScaleS-2 hardware result"
    versions = provenance.get("versions", {})
    rows = [
        (
            "Source",
            "emulator (not hardware)" if emulated else f"BrainScaleS-2 via the EBRAINS queue ({provenance['backend']})",
        ),
        ("Job", provenance["job_id"]),
        ("Software", provenance["software_version"]),
        ("Date", provenance.get("completed_at", "")),
        ("Script", f"{provenance.get('script', '')} (sha256 {provenance.get('script_sha256', '')[:12]})"),
        ("Recorded with", ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))),
    ]
    if "emulator_seed" in provenance:
        rows.insert(3, ("Emulated chip", f"seed {provenance['emulator_seed']}"))
    cells = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in rows)
    return (
        f'<div class="bss2-provenance bss2-provenance-{kind}" role="note" aria-label="Provenance of this result">'
        f'<p class="bss2-provenance-title">{html.escape(title)}</p><dl>{cells}</dl></div>'
    )


def show_provenance(job_dir: str | Path) -> None:
    """Display the provenance box of a job (in a notebook), or print its lines (elsewhere)."""
    provenance = load(job_dir)
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(HTML(box_html(provenance)))
    else:
        print(f"{'EMULATED' if provenance.get('emulated') else 'HARDWARE'} job {provenance['job_id']}")
