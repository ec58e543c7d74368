"""The ``dgap`` command itself: --version, ``python -m analysis``, help with examples, exit codes."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from analysis import config
from analysis.cli import EXIT_PROBLEMS, EXIT_USAGE, build_parser, main

NB_DIR = Path(__file__).parent / "notebooks"
SUBCOMMANDS = ["validate", "template", "data", "index", "brief", "report", "robustness"]


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"dgap {version('analysis')}"


def test_python_dash_m_analysis_is_dgap(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "analysis", "--version"], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0 and res.stdout.strip() == f"python -m analysis {version('analysis')}"
    res = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--edition", "smoke", "--dry-run",
         "--output", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "to run, 0 finished and unchanged" in res.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_examples_and_exit_codes(command):
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    text = sub.format_help()
    assert "examples:" in text and f"dgap {command}" in text.split("examples:")[1]
    assert "exit status:" in text


def test_help_shows_values_not_constant_names():
    parser = build_parser()
    top = parser.format_help()
    assert "exit status:" in top and "  2    nothing was done" in top and "--version" in top
    choices = parser._subparsers._group_actions[0].choices
    for command in ("data", "robustness"):
        text = choices[command].format_help()
        assert f"(default: {config.DEFAULT_SEED})" in text and "DEFAULT_SEED" not in text


def _edition(tmp_path: Path) -> Path:
    path = tmp_path / "ed.yaml"
    path.write_text(
        f"edition: ed\nnotebooks_dir: {NB_DIR}\noutput_dir: {tmp_path / 'out'}\nnotebooks: [light]\n"
    )
    return path


def test_exit_codes_say_whether_anything_was_done(tmp_path, capsys):
    ed = _edition(tmp_path)
    # nothing done: a parameter no notebook declares
    assert main(["report", "--edition", str(ed), "-p", "zzz", "1"]) == EXIT_USAGE
    assert "dgap report: error:" in capsys.readouterr().err
    # nothing done: another run holds the output folder
    (tmp_path / "out").mkdir()
    with open(tmp_path / "out" / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["report", "--edition", str(ed)]) == EXIT_USAGE
    assert "another run is writing" in capsys.readouterr().err
    # the command ran and found problems: invalid data
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_code,period,indicator,value\n99999,2024H1,nope,abc\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == EXIT_PROBLEMS
    # usage errors are argparse's 2 as well
    with pytest.raises(SystemExit) as info:
        main(["report", "--no-such-flag"])
    assert info.value.code == EXIT_USAGE
