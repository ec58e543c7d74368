"""The ``dgap`` command: parse and merge parameters, then make one call into the package.

Each subcommand has a ``_add_<name>(sub)`` function that declares its arguments and sets
``func`` to a small function that calls the library. Only the CLI and the runner configure
logging. Errors derived from :class:`analysis.errors.AnalysisError` print one clear message
and exit with status 2 (1 for a run with failed tasks).
"""

from __future__ import annotations

import argparse
import logging
import sys

from .errors import AnalysisError, DataValidationError, RunError


# --------------------------------------------------------------------------- validate
def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check an observations file (CSV/XLSX/Parquet) against the contract")
    p.add_argument("path", help="observations file, or a filled data-entry workbook from `dgap template`")
    p.add_argument("--units", default=None, help="units CSV (default: data/raw/units/dai_loc_units.csv)")
    p.add_argument("--framework", default=None, help="framework YAML (default: data/frameworks/commune.yaml)")
    p.set_defaults(func=_run_validate)


def _run_validate(args) -> int:
    from .schema import validate_file

    report = validate_file(args.path, units=args.units, framework=args.framework)
    for problem in report.problems:
        print(problem)
    print(report.summary(), file=sys.stderr)
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- template
def _add_template(sub) -> None:
    p = sub.add_parser("template", help="write a data-entry Excel workbook for the units and framework")
    p.add_argument("--out", required=True, help="output .xlsx path")
    p.add_argument("--units", default=None, help="units CSV (default: the Đại Lộc communes)")
    p.add_argument("--framework", default=None, help="framework YAML (default: commune)")
    p.add_argument("--periods", default=None, help="comma-separated periods to pre-fill, e.g. 2024H1,2024H2")
    p.set_defaults(func=_run_template)


def _run_template(args) -> int:
    from .io import write_template

    periods = [p.strip() for p in args.periods.split(",")] if args.periods else None
    path = write_template(args.out, units=args.units, framework=args.framework, periods=periods)
    print(path)
    return 0


# --------------------------------------------------------------------------- data
def _add_data(sub) -> None:
    p = sub.add_parser("data", help="rebuild the synthetic demo panel in data/demo/ (byte-identical for a seed)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: analysis.config.DEFAULT_SEED)")
    p.set_defaults(func=_run_data)


def _run_data(args) -> int:
    from .demo import write_demo

    for path in write_demo(seed=args.seed):
        print(path)
    return 0


COMMANDS = [_add_validate, _add_template, _add_data]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dgap",
        description="Digital-gap toolkit: digital government vs digital economy and society, commune by commune.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except DataValidationError as exc:
        print(f"dgap {args.command}: {exc}", file=sys.stderr)
        return 1
    except RunError as exc:
        print(f"dgap {args.command}: {exc}", file=sys.stderr)
        return 1
    except AnalysisError as exc:
        print(f"dgap {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"dgap {args.command}: interrupted; finished outputs are kept, partial ones were not written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
