"""The built site in real Chromium: every page loads cleanly and locally, figures decode, and the tutorial
page has its provenance boxes, launch and download links. LinkChecker checks every local link."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest

from helpers.paths import REPOSITORY
from tests.site.conftest import REPOSITORY_URL, TUTORIALS
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = REPOSITORY / "_build" / "screenshots"
PAGES = ["index.html", *(f"tutorials/{t.name}.html" for t in TUTORIALS), "emulator.html", "execution-statistics.html",
         "search.html"]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(built_site):
    """The freshly built site, served on 127.0.0.1."""
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install Debian's chromium package.")
        pytest.skip("Chromium not found: install Debian's 'chromium' package to run the browser test.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def visit(browser, url: str, color_scheme: str = "light"):
    """Open ``url`` and scroll through it; return the page, console errors and off-site requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    errors, foreign = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def check_request(request):
        host = urlparse(request.url).hostname
        if urlparse(request.url).scheme not in ("data", "blob") and host != "127.0.0.1":
            foreign.append(request.url)

    page.on("request", check_request)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    page.evaluate("async () => { for (let y = 0; y < document.body.scrollHeight; y += 600) {"
                  " window.scrollTo(0, y); await new Promise(r => setTimeout(r, 20)); } }")  # fmt: skip
    page.wait_for_load_state("networkidle")
    return page, errors, foreign


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_locally_without_errors_and_images_decode(site, browser, path):
    page, errors, foreign = visit(browser, f"{site}/{path}")
    assert errors == []
    assert foreign == []
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert broken == []
    missing_alt = page.evaluate("Array.from(document.images).filter(i => !i.alt).map(i => i.src)")
    assert missing_alt == []
    page.close()


@pytest.mark.parametrize("tutorial", TUTORIALS, ids=lambda t: t.name)
def test_tutorial_page_shows_figures_provenance_launch_and_downloads(site, browser, tutorial):
    page, _, _ = visit(browser, f"{site}/tutorials/{tutorial.name}.html")
    figures = page.locator(".cell_output img")
    assert figures.count() == tutorial.figures
    assert all(len(figures.nth(i).get_attribute("alt")) > 40 for i in range(tutorial.figures))  # described
    boxes = page.locator(".bss2-provenance")
    assert boxes.count() == tutorial.figures
    for i in range(tutorial.figures):
        text = boxes.nth(i).inner_text()
        assert ("Emulated result" in text and "emulator (not hardware)" in text) or "hardware result" in text
        assert "Job" in text and "Software" in text and "Date" in text
    launch = page.locator('a[href*="git-pull"]')
    assert launch.count() >= 1
    query = parse_qs(urlparse(launch.first.get_attribute("href")).query)
    assert query["repo"] == [REPOSITORY_URL]
    assert query["urlpath"][0].endswith(f"tutorials/{tutorial.name}.ipynb")
    downloads = {a.get_attribute("href") for a in page.locator("a[href$='.ipynb'], a[href$='.md']").all()}
    ipynb = next(h for h in downloads if h.endswith(".ipynb") and "git-pull" not in h)
    assert any(h.endswith(f"{tutorial.name}.md") for h in downloads)
    notebook = nbformat.reads(page.request.get(page.url.rsplit("/", 1)[0] + "/" + ipynb).text(), as_version=4)
    nbformat.validate(notebook)
    assert sum(cell.cell_type == "code" for cell in notebook.cells) >= 12
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{tutorial.name}.png"), full_page=True)
    page.close()


def test_dark_mode_follows_the_reader(site, browser):
    page, errors, _ = visit(browser, f"{site}/index.html", color_scheme="dark")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "index-dark.png"))
    page.close()


def test_linkchecker_finds_no_broken_local_link(site):
    process = subprocess.run([str(Path(sys.executable).with_name("linkchecker")), "--no-status", "--no-warnings",
                              f"{site}/index.html"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert process.returncode == 0, process.stdout[-3000:]


def test_launch_buttons_only_where_a_notebook_exists(built_site):
    for tutorial in TUTORIALS:
        assert "git-pull" in (built_site / "tutorials" / f"{tutorial.name}.html").read_text()
    assert "git-pull" not in (built_site / "emulator.html").read_text()  # a plain page: nothing to launch


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_reads_on_a_phone(site, browser, path):
    """At 390 px, on a high-density screen: the page never scrolls sideways; wide tables and code scroll in their
    own box; figures are SVG, sharp at any zoom; card images carry pixels for the screen's density."""
    page = browser.new_page(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    page.goto(f"{site}/{path}", wait_until="networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    overflowing = page.evaluate("""() => Array.from(document.querySelectorAll('table, pre')).filter(e => {
        for (let box = e; box && box !== document.body; box = box.parentElement) {
            const style = getComputedStyle(box);
            if (['auto', 'scroll'].includes(style.overflowX)) return false;  // scrolls in its own box
        }
        return e.getBoundingClientRect().right > window.innerWidth + 1;
    }).map(e => e.outerHTML.slice(0, 80))""")
    assert overflowing == []
    figures = page.evaluate("Array.from(document.querySelectorAll('.cell_output img')).map(i => i.src)")
    assert all(src.endswith(".svg") for src in figures), figures
    cards = page.evaluate("Array.from(document.querySelectorAll('img.sd-card-img-top'))"
                          ".map(i => [i.naturalWidth, i.getBoundingClientRect().width])")  # fmt: skip
    assert all(natural >= 1.5 * shown for natural, shown in cards), cards
    if path == "emulator.html":  # its wide tables scroll inside their own box
        assert page.evaluate("Array.from(document.querySelectorAll('.bss2-table-scroll'))"
                             ".some(b => b.scrollWidth > b.clientWidth)")  # fmt: skip
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{path.replace('/', '-')}.png"))
    page.close()


def test_what_a_job_printed_is_on_the_page(site, browser):
    """The job's own output (its script's prints and log lines, the emulator's warnings) shows under its cell."""
    page, _, _ = visit(browser, f"{site}/tutorials/queue_runner.html")
    shown = page.locator(".cell_output").filter(has_text="Job output:")
    texts = [shown.nth(i).inner_text() for i in range(shown.count())]
    assert any("Recording analog variations" in t for t in texts)  # experiment 3's log lines
    assert any("Emulator warning: excitatory_input_i_shift_reference=300 set" in t for t in texts)  # experiment 4
    assert all(shown.nth(i).is_visible() for i in range(shown.count()))
    page.close()


NUMBERS = {4: "four", 8: "eight", 12: "twelve"}


def test_the_landing_page_counts_its_experiments_and_links_what_it_names(built_site):
    landing = (built_site / "index.html").read_text()
    cards = landing.count('class="sd-card-img-top')
    assert f"walk you through {NUMBERS[cards]} such experiments" in " ".join(landing.split())
    for page in ["index.html", *(f"tutorials/{t.name}.html" for t in TUTORIALS)]:
        text = (built_site / page).read_text()
        assert "original version" not in text  # a page a newcomer has never seen
        for name, address in [("PyNN", "neuralensemble.org"), ("EBRAINS", "ebrains.eu"),
                              ("BrainScaleS-2 documentation", "documentation-brainscales2")]:  # fmt: skip
            if name in text:
                assert re.search(rf'href="https://[^"]*{re.escape(address)}', text), (page, name)
