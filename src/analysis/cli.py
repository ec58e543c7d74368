"""The ``dgap`` command: parse and merge parameters, then make one call into the package.

Each subcommand has a ``_add_<name>(sub)`` function that declares its arguments, its help
examples (``epilog``) and sets ``func`` to a small function that calls the library. Only the
CLI and the runner configure logging. ``python -m analysis`` is the same command.

Exit status (also in ``dgap --help``): 0 success; 1 the command ran and found problems (invalid
data, failed notebooks); 2 nothing was done (a wrong argument, parameter or file, or an output
folder in use or not writable); 130 interrupted. Errors print one message, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import config
from .errors import AnalysisError, DataValidationError, RunError

#: exit status: the command ran and found problems (invalid data, failed notebooks)
EXIT_PROBLEMS = 1
#: exit status: nothing was done (usage, parameter, file or output-folder error)
EXIT_USAGE = 2
#: exit status: interrupted (Ctrl-C)
EXIT_INTERRUPTED = 130

EXIT_CODES = f"""\
exit status:
  0    success
  {EXIT_PROBLEMS}    the command ran and found problems: invalid data (validate, index,
       robustness) or notebooks that failed (report; the others still ran)
  {EXIT_USAGE}    nothing was done: a wrong argument, parameter or file, or an output
       folder that another run holds or that cannot be written
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); finished outputs are kept"""


def _parser(sub, name: str, *, help: str, examples: str, description: str | None = None):
    """A subcommand parser whose help ends with examples (and the exit codes)."""
    return sub.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        epilog=f"examples:\n{examples.rstrip()}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


# --------------------------------------------------------------------------- validate
def _add_validate(sub) -> None:
    p = _parser(
        sub,
        "validate",
        help="check an observations file (CSV/XLSX/Parquet) against the contract",
        examples="""\
  dgap validate nhap_lieu.xlsx                 # a filled data-entry workbook
  dgap validate observations.csv --units my_units.csv --framework my_framework.yaml
  (one line per problem: file:row, column, value and the fix; exit 0 when valid;
   lines starting "note:" say what was converted, e.g. a cell shown as 85% read as 85)""",
    )
    p.add_argument(
        "path", help="observations file, or a filled data-entry workbook from `dgap template`"
    )
    p.add_argument(
        "--units", default=None, help="units CSV (default: data/raw/units/dai_loc_units.csv)"
    )
    p.add_argument(
        "--framework", default=None, help="framework YAML (default: data/frameworks/commune.yaml)"
    )
    p.set_defaults(func=_run_validate)


def _run_validate(args) -> int:
    from .loaders import validate_file

    report = validate_file(args.path, units=args.units, framework=args.framework)
    for problem in report.problems:
        print(problem)
    for note in report.notes:  # what was converted or detected: said, not errors
        print(f"note: {note}")
    print(report.summary(), file=sys.stderr)
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- template
def _add_template(sub) -> None:
    p = _parser(
        sub,
        "template",
        help="write a data-entry Excel workbook for the units and framework",
        examples="""\
  dgap template --out nhap_lieu.xlsx --periods 2024H2,2025H1
  dgap template --out my.xlsx --units my_units.csv --framework my_framework.yaml""",
    )
    p.add_argument("--out", required=True, help="output .xlsx path")
    p.add_argument("--units", default=None, help="units CSV (default: the Đại Lộc communes)")
    p.add_argument("--framework", default=None, help="framework YAML (default: commune)")
    p.add_argument(
        "--periods", default=None, help="comma-separated periods to pre-fill, e.g. 2024H1,2024H2"
    )
    p.set_defaults(func=_run_template)


def _run_template(args) -> int:
    from .template import write_template

    periods = [p.strip() for p in args.periods.split(",")] if args.periods else None
    path = write_template(args.out, units=args.units, framework=args.framework, periods=periods)
    print(path)
    return 0


# --------------------------------------------------------------------------- data
def _add_data(sub) -> None:
    p = _parser(
        sub,
        "data",
        help="rebuild the synthetic demo panel in data/demo/ (byte-identical for a seed)",
        examples=f"""\
  dgap data                    # = make data: data/demo/observations.csv, seed {config.DEFAULT_SEED}
  dgap data --seed 7           # another draw of the same documented model""",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help=f"random seed (default: {config.DEFAULT_SEED})",
    )
    p.set_defaults(func=_run_data)


def _run_data(args) -> int:
    from .demo import write_demo

    for path in write_demo(seed=args.seed):
        print(path)
    return 0


# --------------------------------------------------------------------------- index
def _add_pipeline_flags(p, *, from_spec: bool) -> None:
    """The COINr inputs and base-pipeline flags shared by ``index`` and ``robustness``.

    With ``from_spec`` (robustness) every pipeline flag defaults to None: the spec decides.
    """

    def d(value):
        return None if from_spec else value

    tail = " (default: from the spec)" if from_spec else ""
    p.add_argument(
        "--idata",
        required=True,
        help="iData CSV: uCode, uName, *_group, denominators, one column per indicator",
    )
    p.add_argument(
        "--imeta",
        required=True,
        help="iMeta CSV: Level, iCode, iName, Direction, Weight, Denominator, Parent, Type",
    )
    p.add_argument(
        "--denominate",
        action="store_true",
        default=d(False),
        help="divide indicators by their iMeta Denominator column",
    )
    p.add_argument(
        "--impute",
        default=d("none"),
        help="none | mean | median | mean-by:COL | median-by:COL" + (tail or " (default none)"),
    )
    p.add_argument(
        "--screen",
        type=float,
        default=None,
        help="drop units with data availability below this fraction, e.g. 0.9",
    )
    p.add_argument(
        "--treat",
        default=d("none"),
        help="none | jrc | jrc:WINMAX (JRC skew/kurtosis rule; default winmax 5)" + tail,
    )
    p.add_argument(
        "--normalise",
        default=d("minmax"),
        help="minmax[:LO,HI] | zscore[:MEAN,SD] | rank | percentile | goalposts"
        + (tail or " (default minmax:0,100)"),
    )
    p.add_argument(
        "--aggregate",
        default=d("arithmetic"),
        help="arithmetic | geometric | harmonic | genmean:P, at every level" + tail,
    )
    p.add_argument(
        "--weights",
        default=d("framework"),
        choices=["framework", "equal"] if from_spec else ["framework", "equal", "pca"],
        help=(
            "the iMeta (framework) weights or equal"
            if from_spec
            else "the iMeta (framework) weights, equal, or PCA per pillar"
        )
        + tail,
    )
    p.add_argument(
        "--order",
        default=None,
        help="the steps in the order to run them, e.g. COINr's example "
        "denominate,impute,screen,treat,normalise,aggregate"
        + (tail or " (default denominate,screen,impute,treat,normalise,aggregate)"),
    )


def _add_index(sub) -> None:
    p = _parser(
        sub,
        "index",
        help="composite index from a COINr iData/iMeta pair (normalise, weight, aggregate, rank)",
        examples="""\
  dgap index --idata iData.csv --imeta iMeta.csv --out scores.csv
  dgap index --idata iData.csv --imeta iMeta.csv --normalise minmax:0,100 \\
      --aggregate geometric --weights equal --out scores.csv""",
    )
    _add_pipeline_flags(p, from_spec=False)
    p.add_argument(
        "--min-coverage",
        type=float,
        default=None,
        help="aggregate is NaN below this share of available children",
    )
    p.add_argument(
        "--nonpositive",
        default="raise",
        choices=["raise", "nan", "clip"],
        help="values <= 0 in geometric/harmonic means",
    )
    p.add_argument("--out", required=True, help="output scores CSV")
    p.set_defaults(func=_run_index)


def _run_index(args) -> int:
    from .composite import run_index

    path = run_index(
        args.idata,
        args.imeta,
        args.out,
        denominate=args.denominate,
        impute=args.impute,
        screen=args.screen,
        treat=args.treat,
        normalise=args.normalise,
        aggregate=args.aggregate,
        weights=args.weights,
        min_coverage=args.min_coverage,
        nonpositive=args.nonpositive,
        order=args.order,
    )
    print(path)
    return 0


# --------------------------------------------------------------------------- brief
def _add_brief(sub) -> None:
    p = _parser(
        sub,
        "brief",
        help="re-render one PDF brief of a finished run from its saved JSON",
        examples="""\
  dgap brief --unit 20527 --lang vi --edition dai_loc          # one commune
  dgap brief --unit district --lang en --edition dai_loc       # the district brief
  dgap brief --unit 20500 --lang vi --edition dai_loc/post2025 # a post-2025 commune""",
    )
    p.add_argument(
        "--unit",
        required=True,
        help="unit code (commune, or the district code for the district brief)",
    )
    p.add_argument("--lang", required=True, choices=["vi", "en"], help="language of the brief")
    p.add_argument(
        "--edition",
        required=True,
        help="edition name: reads reports/<edition>/briefs/<unit>_<lang>.json",
    )
    p.add_argument(
        "--out", default=None, help="output PDF (default: next to the JSON, overwriting the brief)"
    )
    p.set_defaults(func=_run_brief)


def _run_brief(args) -> int:
    from .briefs import render_saved_brief

    print(render_saved_brief(args.unit, args.lang, edition=args.edition, out_pdf=args.out))
    return 0


# --------------------------------------------------------------------------- report
def _add_report(sub) -> None:
    p = _parser(
        sub,
        "report",
        help="run an edition of the notebooks with papermill into reports/<edition>/",
        examples="""\
  dgap report --edition dai_loc                         # = make report
  dgap report --edition dai_loc -p lang en -f my.yaml   # YAML files first, then -p flags
  dgap report --edition dai_loc -p observations_path nhap_lieu.xlsx   # your data
  dgap report --edition dai_loc --only 30_commune_profile -p unit_code 20527
  dgap report --edition dai_loc --output /tmp/out --workers 2 --dry-run
  dgap report --edition dai_loc --scheduler local       # on a Dask LocalCluster
  dgap report --edition dai_loc --force                 # rerun all, empty the results store

Relative paths given with -p/-f (observations_path, units_path, any *_path) and
--output are relative to the current folder. Parameters are checked (name, type,
allowed values) before anything runs. A partial run (--only, or -p on a grid
parameter such as unit_code) is recorded in <output>/runs/, leaving run.json.""",
    )
    p.add_argument(
        "--edition",
        default="dai_loc",
        help="edition name (notebooks/params/NAME.yaml) or YAML path (default: dai_loc)",
    )
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter (NAME or NOTEBOOK.NAME); repeatable; applied after -f",
    )
    p.add_argument(
        "-f",
        "--parameters-file",
        action="append",
        default=[],
        metavar="PARAMS.yaml",
        help="YAML mapping of parameter overrides, applied after the edition; repeatable",
    )
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: CPU count)"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS|local",
        help="run the same tasks on a Dask cluster at ADDRESS, or 'local' for a LocalCluster",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="rerun every task, even finished and unchanged ones, and empty the results store",
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="plain papermill: a fresh kernel per notebook (no warm kernels)",
    )
    p.add_argument(
        "--only",
        action="append",
        default=None,
        metavar="NOTEBOOK",
        help="run only this notebook (name, prefix or glob); repeatable",
    )
    p.add_argument(
        "--output",
        default=None,
        help="output folder (default: reports/<edition>; relative: to the current folder)",
    )
    p.add_argument("--no-html", action="store_true", help="skip the HTML copies")
    p.add_argument(
        "--dry-run", action="store_true", help="check parameters and list the tasks; run nothing"
    )
    p.set_defaults(func=_run_report)


def _run_report(args) -> int:
    from .runner import run_edition

    run_edition(
        args.edition,
        parameters=[tuple(p) for p in args.parameter],
        parameter_files=args.parameters_file,
        workers=args.workers,
        scheduler=args.scheduler,
        force=args.force,
        cold=args.cold,
        only=args.only,
        output_dir=args.output,
        html=not args.no_html,
        dry_run=args.dry_run,
    )
    return 0


# --------------------------------------------------------------------------- robustness
def _add_robustness(sub) -> None:
    p = _parser(
        sub,
        "robustness",
        help="uncertainty and Sobol sensitivity analysis of ranks over method choices (COINr inputs)",
        examples="""\
  dgap robustness --idata iData.csv --imeta iMeta.csv --out outdir/
  dgap robustness --idata iData.csv --imeta iMeta.csv --spec coinr-vignette \\
      --draws 500 --sobol --seed 1 --out outdir/""",
    )
    _add_pipeline_flags(p, from_spec=True)
    p.add_argument(
        "--spec",
        default="coinr-vignette",
        help="robustness spec: YAML path or preset name (default coinr-vignette)",
    )
    p.add_argument(
        "--draws",
        type=int,
        default=1000,
        help="Monte Carlo runs of the uncertainty analysis (default 1000)",
    )
    p.add_argument(
        "--sobol",
        action="store_true",
        help="also run the Sobol sensitivity analysis (SALib), writes sensitivity.csv",
    )
    p.add_argument(
        "--sobol-n",
        type=int,
        default=None,
        help="base sample size N of the Sobol design (default: --draws); N*(d+2) runs",
    )
    p.add_argument(
        "--seed", type=int, default=None, help=f"random seed (default: {config.DEFAULT_SEED})"
    )
    p.add_argument(
        "--top-k", type=int, default=None, help="k of p_top_k / p_bottom_k (default: 10%% of units)"
    )
    p.add_argument(
        "--replay",
        default=None,
        help="runs CSV (run,<choice columns>) to evaluate exactly those variants",
    )
    p.add_argument(
        "--weight-sets",
        default=None,
        help="weight sets CSV, long: set,iCode,weight (for weights_set in --replay)",
    )
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(func=_run_robustness)


def _run_robustness(args) -> int:
    from .robustness import run_robustness

    base = {
        "denominate": args.denominate,
        "impute": args.impute,
        "screen": args.screen,
        "normalisation": args.normalise,
        "aggregation": args.aggregate,
        "weights": args.weights,
        "order": args.order,
        "winmax": args.treat,
    }
    paths = run_robustness(
        args.idata,
        args.imeta,
        args.out,
        spec=args.spec,
        base=base,
        draws=args.draws,
        sobol=args.sobol,
        sobol_n=args.sobol_n,
        seed=args.seed,
        top_k=args.top_k,
        replay=args.replay,
        weight_sets=args.weight_sets,
    )
    for path in paths.values():
        print(path)
    return 0


COMMANDS = [
    _add_validate,
    _add_template,
    _add_data,
    _add_index,
    _add_brief,
    _add_report,
    _add_robustness,
]


class _VersionAction(argparse.Action):
    """``--version``: looked up only when asked (importlib.metadata is not free)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest=dest, nargs=0, help=kwargs.get("help"))

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {package_version()}")
        parser.exit()


def package_version() -> str:
    """The installed distribution's version (importlib.metadata), else ``analysis.__version__``."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("analysis")
    except (ImportError, PackageNotFoundError):
        from . import __version__

        return __version__


def build_parser(prog: str = "dgap") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Digital-gap toolkit: digital government vs digital economy and society, commune by commune.",
        epilog=f"""\
examples:
  dgap report --edition dai_loc          # the main job (= make report)
  dgap validate nhap_lieu.xlsx           # check your data before a report
  dgap COMMAND --help                    # options and examples of one command
  python -m analysis ...                 # the same command without the dgap script

{EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def _exit_status(exc: AnalysisError) -> int:
    """1 when the command ran and found problems, 2 when nothing was done."""
    if isinstance(exc, DataValidationError):
        return EXIT_PROBLEMS
    if isinstance(exc, RunError) and getattr(exc, "result", None) is not None:
        return EXIT_PROBLEMS  # the run finished; some notebooks failed
    return EXIT_USAGE


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run the ``dgap`` command; returns the exit status (see the module docstring)."""
    parser = build_parser(prog or "dgap")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    name = f"{parser.prog} {args.command}"
    try:
        return int(args.func(args) or 0)
    except AnalysisError as exc:
        status = _exit_status(exc)
        prefix = "" if status == EXIT_PROBLEMS else "error: "
        print(f"{name}: {prefix}{exc}", file=sys.stderr)
        return status
    except PermissionError as exc:
        where = exc.filename or "a file"
        print(
            f"{name}: error: cannot write {where} ({exc.strerror}); make its folder writable "
            "or choose another output path",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(
            f"{name}: interrupted; finished outputs are kept, partial ones were not written",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
