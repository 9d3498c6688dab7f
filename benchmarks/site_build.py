"""Benchmark: `make html` cold and warm, and the tutorial page's weight and load time in Chromium.

Cold: a fresh clone with `.venv` present (symlinked), nothing built yet, as the median of
three. Warm: `make html` again with nothing changed. The reference, timed in the same run so
that a busy machine slows both: a bare sphinx-book-theme build of one empty page.

The page is then served on 127.0.0.1 and loaded in Debian's Chromium; its weight is the sum
of every response (HTML, CSS, JS, fonts, images), raw and as transferred with gzip, which
every static host applies (the budget applies to the transfer). Each figure is printed with
its ratio to its budget (10 s cold build, 2 MB page), the cold build also with its ratio to
the reference.

    .venv/bin/python benchmarks/site_build.py
"""

from __future__ import annotations

import functools
import gzip
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_BUDGET_S = 10.0
COLD_RUNS = 3
PAGE_BUDGET_BYTES = 2_000_000
LOADS = 5


def timed(command: list[str], folder: Path) -> float:
    start = time.perf_counter()
    process = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {folder}:\n{process.stdout[-2000:]}{process.stderr[-2000:]}")
    return time.perf_counter() - start


def reference_build(folder: Path) -> float:
    """The reference: sphinx-book-theme building one empty page, in a fresh folder."""
    folder.mkdir()
    (folder / "conf.py").write_text('html_theme = "sphinx_book_theme"\n')
    (folder / "index.rst").write_text("Empty\n=====\n")
    return timed([str(ROOT / ".venv" / "bin" / "python"), "-m", "sphinx", "-q", "-b", "html", ".", "_build"], folder)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def page_weight_and_load(site: Path) -> tuple[int, int, list[float]]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/tutorials/queue_runner.html"
    loads, weight, transfer = [], 0, 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for attempt in range(LOADS):
            context = browser.new_context()  # empty cache every time
            page = context.new_page()
            responses = []
            page.on("response", lambda r, seen=responses: seen.append(r))  # bodies are read once idle, not after
            start = time.perf_counter()
            page.goto(url, wait_until="load")
            loads.append(time.perf_counter() - start)
            page.wait_for_load_state("networkidle")
            if attempt == 0:
                bodies = [r.body() for r in responses if r.ok]
                weight = sum(len(b) for b in bodies)
                transfer = sum(len(gzip.compress(b, compresslevel=6)) for b in bodies)
            context.close()
        browser.close()
    server.shutdown()
    return weight, transfer, loads


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bss2-site-bench-") as work:
        colds, references = [], []
        for run in range(COLD_RUNS):
            clone = Path(work) / f"clone-{run}"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            (clone / ".venv").symlink_to(ROOT / ".venv")
            colds.append(timed(["make", "html"], clone))
            references.append(reference_build(Path(work) / f"reference-{run}"))
        warm = timed(["make", "html"], clone)
        weight, transfer, loads = page_weight_and_load(clone / "_build" / "html")
    cold, reference = statistics.median(colds), statistics.median(references)
    print(f"make html on this machine (fresh clone, .venv present), median of {COLD_RUNS}:")
    print(
        f"  cold {cold:.1f} s ({cold / COLD_BUDGET_S:.2f} of the {COLD_BUDGET_S:.0f} s budget; "
        f"{cold / reference:.1f}x the reference, a one-page sphinx-book-theme build of {reference:.1f} s)"
    )
    print(f"  warm {warm:.1f} s (cold/warm {cold / warm:.1f}x)")  # fmt: skip
    print("Tutorial page in Chromium (served on 127.0.0.1, empty cache):")
    median_load = statistics.median(loads) * 1e3
    print(f"  weight {transfer / 1e6:.2f} MB transferred with gzip ({transfer / PAGE_BUDGET_BYTES:.2f} of 2 MB budget)")
    print(f"  {weight / 1e6:.2f} MB uncompressed; load {median_load:.0f} ms, median of {LOADS}")


if __name__ == "__main__":
    main()
