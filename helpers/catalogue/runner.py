"""Run catalogue pages in the emulator's Jupyter kernel: what ran, how long, the first error, the figures.

Each page runs as its own notebook in a fresh "BrainScaleS-2 (emulator)" kernel, with the checkout as
its working directory, as the catalogue's own tests run it (so ``from _static.common.helpers import ...``
works). A page has a time budget; a cell still running at its end stops the page. Every figure a page
shows is saved as a PNG under ``<figures>/<page>/``.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from bss2_emulator.kernel import DISPLAY_NAME, KERNEL_NAME
from bss2_emulator.missing import LIBRARIES

from .pages import cells, notebook, static_files

#: Imports that put a page outside the emulator: the chip's low-level stack, and machine learning on it.
OUT_OF_SCOPE_IMPORTS = tuple(LIBRARIES)
_IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][\w]*)", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class PageResult:
    page: str
    needs: list[str]  # libraries beyond the emulator's reach that the page imports
    status: str = "not run"  # "ran", "error", "timeout"
    seconds: float = 0.0
    cells_run: int = 0
    cells: int = 0
    first_error: str = ""
    figures: list[Path] = field(default_factory=list)


def needs(page: Path) -> list[str]:
    """What the page's code, or a ``_static`` helper it imports, imports beyond the emulator's reach: the chip's
    low-level stack, machine learning on it, and any other library this environment does not have."""
    code = "\n".join(cells(page))
    for helper in re.findall(r"_static\.([\w.]+)\s+import", code):
        path = page.parent / "_static" / Path(*helper.split(".")).with_suffix(".py")
        if path.is_file():
            code += "\n" + path.read_text(encoding="utf-8")
    imported = set(_IMPORT.findall(code)) - {"_static", "pynn_brainscales", "__future__"}
    found = {name for name in imported if name in OUT_OF_SCOPE_IMPORTS or importlib.util.find_spec(name) is None}
    # The shared helpers import dlens_vx_v3 for its connection only, which the emulator provides.
    if "dlens_vx_v3" in found and not re.search(r"dlens_vx_v3 import (?!hxcomm\b)|dlens_vx_v3\.(?!hxcomm)", code):
        found.discard("dlens_vx_v3")
    return sorted(found)


def _error_text(output: dict) -> str:
    return _ANSI.sub("", f"{output.get('ename', 'Error')}: {output.get('evalue', '')}").strip()


def _save_figures(outputs: list, folder: Path, start: int, seen: set[str]) -> list[Path]:
    """Save each PNG among ``outputs`` not saved before (``seen``: their contents) as the next figure."""
    saved = []
    for output in outputs:
        image = output.get("data", {}).get("image/png")
        if image and image not in seen:
            seen.add(image)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"figure_{start + len(saved) + 1:02d}.png"
            path.write_bytes(base64.b64decode(image))
            saved.append(path)
    return saved


def _shown(cell, client: NotebookClient) -> list:
    """What a cell showed: its own outputs, and those of the output widgets (``interact``) it drew into."""
    widgets = [output for state in client.widget_state.values() for output in state.get("outputs", [])]
    return [*cell.outputs, *widgets]


def build_folder(checkout: Path, into: Path) -> Path:
    """The folder the catalogue's notebooks run in, laid out as its build lays it out: ``_static/`` holds the
    checkout's ``_static`` and the other files its ``conf.py`` names (such as ``matplotlibrc``)."""
    static = into / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for source in static_files(checkout):
        if source.is_dir():
            shutil.copytree(source, static, dirs_exist_ok=True)
        else:
            shutil.copy(source, static / source.name)
    return into


def write_notebooks(pages: list[Path], folder: Path) -> list[Path]:
    """Write ``pages`` as notebooks for the emulator kernel into ``folder``, laid out as the catalogue's build
    lays them out, so that a student can open and run them in Jupyter; return their paths."""
    build_folder(pages[0].parent, folder)
    written = []
    for page in pages:
        path = folder / f"{page.stem}.ipynb"
        nbformat.write(notebook(page, KERNEL_NAME, DISPLAY_NAME), path)
        written.append(path)
    return written


def run_page(
    page: Path, figures: Path, budget_s: float = 300.0, kernel_name: str = KERNEL_NAME, folder: Path | None = None
) -> PageResult:
    """Run one page in a fresh kernel within ``budget_s`` seconds, in ``folder`` (default: a fresh build folder)."""
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="bss2-catalogue-") as scratch:
            return run_page(page, figures, budget_s, kernel_name, build_folder(page.parent, Path(scratch)))
    book = notebook(page, kernel_name)
    result = PageResult(page.stem, needs(page), cells=len(book.cells))
    client = NotebookClient(book, kernel_name=kernel_name, resources={"metadata": {"path": str(folder)}})
    began = time.monotonic()
    seen: set[str] = set()
    try:
        with client.setup_kernel():
            for index, cell in enumerate(book.cells):
                left = budget_s - (time.monotonic() - began)
                if left <= 0:
                    raise CellTimeoutError(f"the page's budget of {budget_s:g} s ran out before cell {index + 1}")
                client.timeout = max(1, int(left))
                try:
                    client.execute_cell(cell, index)
                finally:
                    shown = _shown(cell, client)
                    result.figures += _save_figures(shown, figures / page.stem, len(result.figures), seen)
                failed = [output for output in shown if output.get("output_type") == "error"]
                if failed:  # an exception inside a widget's callback (interact) shows only in its output
                    result.status, result.first_error = "error", f"cell {index + 1}: {_error_text(failed[0])}"
                    break
                result.cells_run = index + 1
            else:
                result.status = "ran"
    except CellExecutionError:
        result.status = "error"
        errors = [o for c in book.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        result.first_error = f"cell {result.cells_run + 1}: " + (_error_text(errors[0]) if errors else "failed")
    except (CellTimeoutError, TimeoutError):
        result.status = "timeout"
        result.first_error = f"cell {result.cells_run + 1}: still running when the page's {budget_s:g} s ran out"
    except DeadKernelError as death:
        result.status = "error"
        result.first_error = f"cell {result.cells_run + 1}: the kernel died ({death})"
    result.seconds = time.monotonic() - began
    return result


def table(results: list[PageResult]) -> str:
    """The results as a Markdown table."""
    rows = [
        "| page | needs | result | time (s) | cells | figures | first error |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        error = r.first_error.replace("|", "\\|")[:160]
        rows.append(
            f"| {r.page} | {', '.join(r.needs) or 'PyNN only'} | {r.status} | {r.seconds:.1f} | "
            f"{r.cells_run}/{r.cells} | {len(r.figures)} | {error} |"
        )
    ran = sum(r.status == "ran" for r in results)
    in_scope = [r for r in results if not r.needs]
    rows.append("")
    rows.append(
        f"{ran} of {len(results)} pages ran to the end; {sum(r.status == 'ran' for r in in_scope)} of the "
        f"{len(in_scope)} pages that need only PyNN."
    )
    return "\n".join(rows)
