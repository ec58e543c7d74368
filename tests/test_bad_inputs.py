"""Bad data files, as careless and hostile users make them (issue 19, the data-file cases).

One table: each input file -> the located message it must give (file or ``file[sheet]``, row,
column as the user sees it, value) or the normalisation it must state (values read, and the note
saying what was converted or detected). Nothing ends in a traceback or a silent wrong value.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.errors import DataValidationError, InsufficientDataError
from analysis.loaders import Inputs, check_analysable, validate_file
from analysis.template import FIELD_LABELS, INSTRUCTIONS_SHEET, TEMPLATE_HEADER_ROWS, write_template
from analysis.units import load_units

PCT = "gov_online_dossier_pct"  # unit %, kind rate
RATE = "gov_ontime_dossier_pct"
COUNT = "econ_online_shops_per_1000hh"  # kind count
HEAD = "unit_code,period,indicator,value\n"


def csv(*rows: str) -> str:
    return HEAD + "".join(r + "\n" for r in rows)


# --------------------------------------------------------------------------- expectations
@dataclass
class Ok:
    """Valid; ``values`` read (in file order); each of ``notes`` is in some note."""

    values: list[float]
    notes: list[str] = field(default_factory=list)
    periods: list[str] | None = None


@dataclass
class Located:
    """Invalid; every problem is this one (file suffix, row, column, value, message part)."""

    file_end: str
    row: int | None
    column: str | None
    value: object
    message: str
    count: int = 1


@dataclass
class Refused:
    """The file is not read: one problem saying what the file is."""

    message: str


# --------------------------------------------------------------------------- file makers
def text(content: str, encoding: str = "utf-8", suffix: str = ".csv"):
    def make(dir_: Path) -> Path:
        p = dir_ / f"data{suffix}"
        p.write_bytes(content.encode(encoding))
        return p

    return make


def raw_bytes(data: bytes, suffix: str = ".csv"):
    def make(dir_: Path) -> Path:
        p = dir_ / f"data{suffix}"
        p.write_bytes(data)
        return p

    return make


def _cache_formulas(path: Path, values: dict[str, object]) -> None:
    """Give formula cells the value Excel would have saved with them (openpyxl writes none)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            xml = data.decode()
            for coord, v in values.items():
                xml = re.sub(rf'(<c r="{coord}"[^>]*><f>[^<]*</f>)<v ?/>', rf"\g<1><v>{v}</v>", xml)
            parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def workbook(cells: dict[tuple[str, str], object], *, cached=None, pct_cells=(), fields=None):
    """The data-entry template with ``cells[(sheet, coordinate)] = value`` typed in."""

    def make(dir_: Path) -> Path:
        p = write_template(dir_ / "nhap_lieu.xlsx", periods=["2024H1", "2024H2"])
        wb = openpyxl.load_workbook(p)
        for (sheet, coord), v in cells.items():
            wb[sheet][coord] = v
        for sheet, coord in pct_cells:
            wb[sheet][coord].number_format = "0%"
        if fields:
            ws = wb[INSTRUCTIONS_SHEET]
            for row in ws.iter_rows():
                key = next((k for k, lab in FIELD_LABELS.items() if row[0].value == lab), None)
                if key in fields:
                    row[1].value = fields[key]
        wb.save(p)
        if cached:
            _cache_formulas(p, cached)
        return p

    return make


def tidy_workbook(rows: list[list], *, cached=None, pct_cells=()):
    def make(dir_: Path) -> Path:
        p = dir_ / "tidy.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "data"
        ws.append(["unit_code", "period", "indicator", "value"])
        for r in rows:
            ws.append(r)
        for coord in pct_cells:
            ws[coord].number_format = "0.0%"
        wb.save(p)
        if cached:
            _cache_formulas(p, cached)
        return p

    return make


# row 4 of a template sheet is the first unit (20500) in the first period (2024H1)
R = TEMPLATE_HEADER_ROWS + 1
CP1258 = "unit_code,period,indicator,value,source\n20500,2024H1,gov_online_dossier_pct,85,Đăk Lăk, Cư Jút\n"

CASES = {
    # ------------------------------------------------------------- encodings and what a file is
    "utf8": (text(csv(f"20500,2024H1,{PCT},85.5")), Ok([85.5])),
    "utf8-bom": (text("\ufeff" + csv(f"20500,2024H1,{PCT},85.5")), Ok([85.5])),
    "utf16-bom": (text(csv(f'20500,2024H1,{PCT},"85,5"'), "utf-16"), Ok([85.5], ["UTF-16"])),
    "utf16le-no-bom": (
        raw_bytes(csv(f'20500,2024H1,{PCT},"85,5"').encode("utf-16-le")),
        Ok([85.5], ["UTF-16 (little-endian, no BOM)"]),
    ),
    "cp1258": (raw_bytes(codecs.encode(CP1258, "cp1258")), Refused("Windows-1258")),
    "binary": (raw_bytes(bytes(range(256)) * 4), Refused("binary data")),
    "pdf-renamed": (raw_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), Refused("PDF document")),
    "xlsx-renamed": (raw_bytes(b"PK\x03\x04\x14\x00\x06\x00"), Refused("ZIP archive")),
    "blank-lines": (text("\n\n  \n,,,\n\n"), Refused("only blank lines")),
    "semicolon-vi-VN": (
        text(f"unit_code;period;indicator;value\n20500;2024H1;{PCT};85,5\n20503;2024H1;{PCT};90\n"),
        Ok([85.5, 90.0], ["semicolon (;)-separated"]),
    ),
    "tab-separated": (
        text(f"unit_code\tperiod\tindicator\tvalue\n20500\t2024H1\t{PCT}\t85\n"),
        Ok([85.0], ["tab-separated"]),
    ),
    # ------------------------------------------------------------- numbers
    "thousands-dot": (
        text(csv(f"20500,2024H1,{COUNT},1.234")),
        Located("data.csv", 2, "value", "1.234", "ambiguous number: '1.234' is either 1234"),
    ),
    "thousands-comma": (
        text(csv(f'20500,2024H1,{COUNT},"1,234"')),
        Located("data.csv", 2, "value", "1,234", "or 1.234 (with a decimal mark)"),
    ),
    "decimal-with-leading-zero-is-not-ambiguous": (
        text(csv(f"20500,2024H1,{COUNT},0.125", f'20503,2024H1,{COUNT},"12,5"')),
        Ok([0.125, 12.5]),
    ),
    "both-separators-are-not-ambiguous": (
        text(csv(f'20500,2024H1,{COUNT},"1.234,5"')),
        Ok([1234.5]),
    ),
    "+inf-count": (
        text(csv(f"20500,2024H1,{COUNT},inf")),
        Located("data.csv", 2, "value", "inf", "not a finite number"),
    ),
    "-inf-rate": (
        text(csv(f"20500,2024H1,{RATE},-inf")),
        Located("data.csv", 2, "value", "-inf", "not a finite number"),
    ),
    "Infinity-rate": (
        text(csv(f"20500,2024H1,{RATE},Infinity")),
        Located("data.csv", 2, "value", "Infinity", "not a finite number"),
    ),
    # ------------------------------------------------------------- percentages
    "percent-sign": (text(csv(f"20500,2024H1,{PCT},85%")), Ok([85.0])),
    "small-percentage-typed-with-sign": (
        text(csv(*(f'{u},2024H1,{PCT},"0,5%"' for u in (20500, 20503, 20506)))),
        Ok([0.5, 0.5, 0.5]),
    ),
    "fractions-for-percentages": (
        text(csv(f"20500,2024H1,{PCT},0.85", f"20503,2024H1,{PCT},0.9", f"20506,2024H1,{PCT},1")),
        Located("data.csv", None, "value", None, "probable fraction: every value", count=2),
    ),
    "one-fraction-among-percentages": (
        text(csv(f"20500,2024H1,{PCT},85", f"20503,2024H1,{PCT},90", f"20506,2024H1,{PCT},0.8")),
        Ok([85.0, 90.0, 0.8], ["probable fraction? 0.8"]),
    ),
    # ------------------------------------------------------------- periods and codes
    "quarterly-periods": (
        text(csv(f"20500,2024Q1,{PCT},80", f"20500,2024q2,{PCT},85")),
        Ok([80.0, 85.0], periods=["2024Q1", "2024Q2"]),
    ),
    "code-path-traversal": (
        text(csv(f"../../../X,2024H1,{PCT},85")),
        Located("data.csv", 2, "unit_code", "../../../X", "contains a path separator ('/')"),
    ),
    "code-windows-path": (
        text(csv(f"C:\\evil,2024H1,{PCT},85")),
        Located("data.csv", 2, "unit_code", "C:\\evil", "contains a path separator"),
    ),
    "code-formula": (
        text(csv(f"=2+3,2024H1,{PCT},85")),
        Located("data.csv", 2, "unit_code", "=2+3", "starts with '='"),
    ),
    "code-at": (
        text(csv(f"@SUM(A1),2024H1,{PCT},85")),
        Located("data.csv", 2, "unit_code", "@SUM(A1)", "starts with '@'"),
    ),
    "code-too-long": (
        text(csv(f"{'X' * 41},2024H1,{PCT},85")),
        Located("data.csv", 2, "unit_code", "X" * 41, "41 characters long (at most 40)"),
    ),
    "code-control-character": (
        text(csv(f"205\x0700,2024H1,{PCT},85")),
        Located("data.csv", 2, "unit_code", "205\x0700", "non-printable"),
    ),
    # ------------------------------------------------------------- Excel
    "excel-percent-format": (
        workbook({("government", f"D{R}"): 0.85}, pct_cells=[("government", f"D{R}")]),
        Ok([85.0], [f"cell D{R} is formatted as a percentage: read as 85"]),
    ),
    "excel-value-names-sheet-row-indicator-column": (
        workbook({("government", f"D{R + 1}"): 150}),
        Located(
            "nhap_lieu.xlsx[government]",
            R + 1,
            "gov_level4_services_pct (D)",
            150,
            "percentage outside 0–100",
        ),
    ),
    "excel-fractions-in-a-column": (
        workbook({("government", f"E{R + i}"): v for i, v in enumerate((0.8, 0.5, 0.9))}),
        Located(
            "nhap_lieu.xlsx[government]",
            None,
            f"{PCT} (E)",
            None,
            "probable fraction",
            count=3,
        ),
    ),
    "excel-formula-with-saved-value": (
        workbook({("government", f"D{R}"): "=40+45"}, cached={f"D{R}": 85}),
        Ok([85.0], ["1 formula cell(s) read from the values Excel saved"]),
    ),
    "excel-formula-without-saved-value": (
        workbook({("government", f"D{R}"): "=40+45", ("government", f"E{R}"): 70}),
        Located(
            "nhap_lieu.xlsx[government]", R, f"cell D{R}", "=40+45", "formula without a saved value"
        ),
    ),
    "excel-formula-in-a-column-not-read": (
        workbook({("government", f"B{R}"): "=A4", ("government", f"D{R}"): 80}),
        Ok([80.0]),
    ),
    "excel-tidy-all-formulas-without-cache": (
        tidy_workbook([[u, "2024H1", PCT, "=80+5"] for u in ("20500", "20503", "20506")]),
        Located("tidy.xlsx[data]", None, None, "=80+5", "formula without a saved value", count=3),
    ),
    "excel-tidy-percent-and-formula": (
        tidy_workbook(
            [["20500", "2024H1", PCT, 0.855], ["20503", "2024H1", PCT, "=80+5"]],
            cached={"D3": 85},
            pct_cells=["D2"],
        ),
        Ok([85.5, 85.0], ["cell D2 is formatted as a percentage: read as 85.5"]),
    ),
}


def _values(report) -> list[float]:
    return [round(v, 9) for v in report.data["value"]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_a_located_message_or_a_stated_normalisation(case, tmp_path):
    make, expected = CASES[case]
    report = validate_file(make(tmp_path))
    notes = [str(n) for n in report.notes]
    if isinstance(expected, Ok):
        assert report.ok, [str(p) for p in report.problems]
        assert _values(report) == expected.values
        for part in expected.notes:
            assert any(part in n for n in notes), (part, notes)
        if not expected.notes:
            assert notes == []
        if expected.periods:
            assert report.data["period"].tolist() == expected.periods
    elif isinstance(expected, Refused):
        [problem] = report.problems
        assert problem.row is None and expected.message in problem.message
        assert "Traceback" not in str(problem)
    else:
        assert not report.ok and len(report.problems) == expected.count, report.problems
        for p in report.problems:
            assert p.file.endswith(expected.file_end), p
            if expected.row is not None:
                assert p.row == expected.row, p
            else:
                assert p.row is None or p.row > 1, p
            if expected.column is not None:
                assert p.column == expected.column, p
            if expected.value is not None:
                assert p.value == expected.value, p
            assert expected.message in p.message, p
            assert p.fix, "every problem says how to fix it"


def test_a_workbook_of_uncached_formulas_never_validates(tmp_path):
    """Formulas written by a program that does not compute them: not 'OK, 0 observations'."""
    path = tidy_workbook([["20500", "2024H1", PCT, "=85"]])(tmp_path)
    report = validate_file(path)
    assert not report.ok and report.data.empty
    assert "OK" not in report.summary()


def test_the_template_fields_give_the_provenance_of_a_users_file(tmp_path):
    path = workbook(
        {("government", f"D{R}"): 80},
        fields={"producer": "UBND xã Đại Thạnh", "date": "2025-06-30"},
    )(tmp_path)
    report = validate_file(path)
    assert report.ok
    assert report.data.attrs["provenance"] == {
        "producer": "UBND xã Đại Thạnh",
        "date": "2025-06-30",
    }


def test_a_units_file_with_a_hostile_code_is_refused(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(
        "unit_code,name_vi,unit_type,parent_code,lat,lon,population,households\n"
        "../../../X,Bad,xã,506,15.8,108.1,100,30\n",
        encoding="utf-8",
    )
    for validate in (True, False):
        with pytest.raises(
            DataValidationError, match=r"units.csv:2: column 'unit_code'.*path separator"
        ):
            load_units(units, validate=validate)


def test_dgap_template_writes_names_as_text_never_as_formulas(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(
        "unit_code,name_vi,unit_type,parent_code,lat,lon,population,households\n"
        "20500,\"=cmd|' /C calc'!A0\",xã,506,15.8,108.1,100,30\n"
        "20503,@SUM(1+1),xã,506,15.8,108.1,100,30\n",
        encoding="utf-8",
    )
    path = write_template(tmp_path / "t.xlsx", units=units)
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = {c.value for c in cells if isinstance(c.value, str) and "calc" in c.value}
    assert names == {"'=cmd|' /C calc'!A0"}
    assert "'@SUM(1+1)" in {c.value for c in cells}


def test_one_commune_one_period_says_what_is_missing(tmp_path):
    obs = pd.DataFrame(
        {"unit_code": ["20527"], "period": ["2025H1"], "indicator": [PCT], "value": [80.0]}
    )
    inputs = Inputs(obs, pd.DataFrame(), None, "observed", {"observations": "x.csv"}, "d")
    with pytest.raises(InsufficientDataError) as err:
        check_analysable(inputs)
    message = str(err.value)
    assert "\n" not in message and "end must come after start" not in message
    assert (
        "1 unit(s) and a single period (2025H1)" in message and "--only 00_data_quality" in message
    )
    two = Inputs(pd.concat([obs, obs.assign(period="2025H2")]), None, None, "observed", {}, "d")
    check_analysable(two)  # two periods: fine


@pytest.mark.slow
@pytest.mark.xdist_group("notebooks")
def test_a_quarterly_panel_runs_through_the_pillar_scores_notebook(tmp_path):
    """Quarterly periods (documented as valid) validate and run end to end: the pillar scores
    notebook executes, and its tables keep the quarters in time order with the last one current."""
    from analysis.loaders import load_observations
    from analysis.runner import run_edition

    halves = ["2023H1", "2023H2", "2024H1", "2024H2", "2025H1"]
    quarters = dict(zip(halves, ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"], strict=True))
    obs = load_observations()
    obs = obs[obs["period"].isin(list(quarters))].assign(period=lambda d: d["period"].map(quarters))
    path = tmp_path / "quarterly.csv"
    obs.to_csv(path, index=False)
    assert validate_file(path).ok
    result = run_edition(
        "smoke",
        parameters=[("observations_path", str(path))],
        only=["10_pillar_scores"],
        output_dir=tmp_path / "out",
        workers=1,
        progress=False,
        html=False,
    )
    assert result.ok, [(r.task.id, r.error) for r in result.failures]
    pillars = pd.read_csv(tmp_path / "out" / "tables" / "pillar_scores.csv", dtype=str)
    assert sorted(pillars["period"].unique()) == sorted(quarters.values())
