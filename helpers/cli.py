"""``python -m helpers``: run an experiment script, or refresh the results cache, from a terminal."""

from __future__ import annotations

import argparse
import sys

from .execution import BACKENDS, execute_on_hardware


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one experiment script and download its files")
    run.add_argument("script", help="the experiment script, e.g. first_experiment.py")
    run.add_argument("--backend", choices=BACKENDS, help="default: BSS2_BACKEND, else auto")
    run.add_argument("--output-dir", help="default: BSS2_OUTPUT_DIR, else the home directory")
    refresh = commands.add_parser("refresh", help="re-record every experiment of the tutorial in the results cache")
    refresh.add_argument("--backend", choices=("emulator", "nmpi"), help="default: BSS2_BACKEND, else emulator")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            job_id = execute_on_hardware(args.script, backend=args.backend, destination=args.output_dir)
            print(f"job id: {job_id}")
        else:
            from .refresh import refresh

            refresh(args.backend)
    except (RuntimeError, LookupError, ValueError, OSError) as error:
        # Every error the helpers raise for a user is one of these, with a message that says what to do.
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
