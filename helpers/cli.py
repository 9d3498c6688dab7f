"""``python -m helpers``: run an experiment script, fetch a queue job, refresh the results cache, list the settings."""

from __future__ import annotations

import argparse
import signal
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
    fetch = commands.add_parser("fetch", help="wait for a queue job by its id and download its files")
    fetch.add_argument("job_id", help="the job id, e.g. 1234")
    fetch.add_argument("--output-dir", help="default: BSS2_OUTPUT_DIR, else the home directory")
    refresh = commands.add_parser("refresh", help="re-record every experiment of the tutorial in the results cache")
    refresh.add_argument("--backend", choices=("emulator", "nmpi"), help="default: BSS2_BACKEND, else emulator")
    commands.add_parser("settings", help="list every environment variable the helpers read, as a Markdown table")
    return parser


def _terminate(signum: int, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds, so staging folders and partial files are removed


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "run":
            from .execution import execute_on_hardware

            job_id = execute_on_hardware(args.script, backend=args.backend, destination=args.output_dir)
            print(f"job id: {job_id}")
        elif args.command == "fetch":
            from .execution import fetch_job

            print(f"job id: {fetch_job(args.job_id, destination=args.output_dir)}")
        elif args.command == "refresh":
            from .execution import refresh_results

            refresh_results(args.backend)
        else:
            print(settings.markdown_table())
    except BSS2Error as error:
        print(f"error: {error}", file=sys.stderr)
        return 130 if error.__class__.__name__ == "JobInterrupted" else 1
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 130
    return 0
