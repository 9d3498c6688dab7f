"""``python -m helpers``: run an experiment script, refresh the results cache, or list the settings."""

from __future__ import annotations

import argparse
import sys

from . import settings
from .errors import BSS2Error


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one experiment script and download its files")
    run.add_argument("script", help="the experiment script, e.g. first_experiment.py")
    run.add_argument("--backend", choices=settings.BACKENDS, help="default: BSS2_BACKEND, else auto")
    run.add_argument("--output-dir", help="default: BSS2_OUTPUT_DIR, else the home directory")
    refresh = commands.add_parser("refresh", help="re-record every experiment of the tutorial in the results cache")
    refresh.add_argument("--backend", choices=("emulator", "nmpi"), help="default: BSS2_BACKEND, else emulator")
    commands.add_parser("settings", help="list every environment variable the helpers read, as a Markdown table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            from .execution import execute_on_hardware

            job_id = execute_on_hardware(args.script, backend=args.backend, destination=args.output_dir)
            print(f"job id: {job_id}")
        elif args.command == "refresh":
            from .execution import refresh_results

            refresh_results(args.backend)
        else:
            print(settings.markdown_table())
    except BSS2Error as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
