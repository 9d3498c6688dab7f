"""``python -m helpers``: run an experiment, fetch a queue job, write the experiments, refresh the cache, settings."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path

from . import settings
from .errors import BSS2Error, ScriptNotFound
from .paths import REPOSITORY

OUTPUT_HELP = "default: BSS2_OUTPUT_DIR, else jobs/ here (in the Lab: the home directory)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one experiment script and download its files")
    run.add_argument("script", help="a script file, or the name of one of the tutorials' experiments")
    run.add_argument("--backend", choices=settings.BACKENDS, help="default: BSS2_BACKEND, else auto")
    run.add_argument("--output-dir", help=OUTPUT_HELP)
    fetch = commands.add_parser("fetch", help="wait for a queue job by its id and download its files")
    fetch.add_argument("job_id", help="the job id, e.g. 1234")
    fetch.add_argument("--output-dir", help=OUTPUT_HELP)
    refresh = commands.add_parser("refresh", help="re-record every experiment of the tutorial in the results cache")
    refresh.add_argument("--backend", choices=("emulator", "nmpi"), help="default: BSS2_BACKEND, else emulator")
    refresh.add_argument("--force", action="store_true", help="re-record every experiment, changed or not")
    scripts = commands.add_parser("scripts", help="write the tutorials' experiment scripts into a folder")
    scripts.add_argument("folder", help="where to write them, e.g. my_experiments")
    commands.add_parser("settings", help="list every environment variable the helpers read, as a Markdown table")
    catalogue = commands.add_parser(
        "catalogue", help="run a checkout of the official tutorial catalogue (brainscales2-demos) on the emulator"
    )
    catalogue.add_argument("checkout", help="the catalogue's folder, e.g. brainscales2-demos")
    catalogue.add_argument("pages", nargs="*", help="only these pages (file names or stems); default: every page")
    catalogue.add_argument("--figures", default="catalogue-figures", help="where each page's figures go")
    catalogue.add_argument("--budget", type=float, default=300.0, help="seconds each page may take (default 300)")
    catalogue.add_argument(
        "--notebooks", help="write the pages as notebooks for the emulator kernel into this folder, and run nothing"
    )
    return parser


def write_scripts(folder: Path) -> list[Path]:
    """Write the tutorials' experiment scripts, from their notebooks, into ``folder``."""
    from .experiments import experiment_scripts

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in experiment_scripts().items():
        (folder / name).write_text(text)
        written.append(folder / name)
    return written


def _run(script: str, backend: str | None, output_dir: str | None) -> None:
    """Run a script file; a tutorial experiment's name runs it as the notebook writes it."""
    from .execution import execute_on_hardware
    from .experiments import experiment_scripts, tutorial_of

    if not Path(script).is_file():
        experiments = experiment_scripts()
        if script not in experiments:
            raise ScriptNotFound(
                f"No script {script!r} in {Path.cwd()}. Give the path of a script, or the name of one of the "
                f"tutorial's experiments: {', '.join(experiments)}. To edit them, write them into a folder "
                "first: python -m helpers scripts my_experiments"
            )
        print(f"Running {script} as the tutorial writes it ({tutorial_of(script).relative_to(REPOSITORY)}).")
        with tempfile.TemporaryDirectory(prefix="bss2-script-") as scratch:
            write_scripts(Path(scratch))
            print(f"job id: {execute_on_hardware(str(Path(scratch) / script), backend, output_dir)}")
        return
    print(f"job id: {execute_on_hardware(script, backend=backend, destination=output_dir)}")


def _catalogue(checkout: Path, chosen: list[str], figures: Path, budget: float, notebooks: str | None) -> int:
    """Run the catalogue's pages on the emulator, print a line per page as it ends and the table at the end;
    with ``notebooks``, write them as notebooks for the emulator kernel instead."""
    from .catalogue.pages import pages
    from .catalogue.runner import run_page, table, write_notebooks
    from .errors import CatalogueError

    if not checkout.is_dir():
        raise CatalogueError(f"No folder {checkout}: give the path of a checkout of brainscales2-demos.")
    found = pages(checkout)
    if chosen:
        wanted = {Path(name).stem for name in chosen}
        unknown = wanted - {page.stem for page in found}
        if unknown:
            raise CatalogueError(f"{checkout} has no page {', '.join(sorted(unknown))} with code.")
        found = [page for page in found if page.stem in wanted]
    if not found:
        raise CatalogueError(f"{checkout} has no catalogue page with code (.rst files with '.. code:: ipython3').")
    if notebooks:
        for path in write_notebooks(found, Path(notebooks)):
            print(path)
        print(f"Open them with the kernel 'BrainScaleS-2 (emulator)': .venv/bin/jupyter lab {notebooks}")
        return 0
    results = []
    for page in found:
        result = run_page(page, figures, budget)
        print(f"{page.stem}: {result.status} in {result.seconds:.1f} s {result.first_error}".rstrip(), flush=True)
        results.append(result)
    print()
    print(table(results))
    print(f"\nFigures: {figures}/<page>/")
    return 0 if all(r.status == "ran" for r in results if not r.needs) else 1


def _terminate(signum: int, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds, so staging folders and partial files are removed


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "run":
            _run(args.script, args.backend, args.output_dir)
        elif args.command == "scripts":
            for path in write_scripts(Path(args.folder)):
                print(path)
        elif args.command == "fetch":
            from .execution import fetch_job

            print(f"job id: {fetch_job(args.job_id, destination=args.output_dir)}")
        elif args.command == "refresh":
            from .execution import refresh_results

            refresh_results(args.backend, force=args.force)
        elif args.command == "catalogue":
            return _catalogue(Path(args.checkout), args.pages, Path(args.figures), args.budget, args.notebooks)
        else:
            print(settings.markdown_table())
    except BSS2Error as error:
        print(f"error: {error}", file=sys.stderr)
        return 130 if error.__class__.__name__ == "JobInterrupted" else 1
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 130
    return 0
