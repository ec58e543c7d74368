"""analysis.template: the data-entry workbook written, filled by hand (openpyxl) and read back."""

from __future__ import annotations

import openpyxl
import pytest

from analysis.cli import main as dgap
from analysis.errors import DataValidationError
from analysis.loaders import validate_file
from analysis.template import TEMPLATE_HEADER_ROWS, TEMPLATE_KEYS, read_workbook, write_template


def test_template_round_trip_filled_with_openpyxl(tmp_path):
    path = write_template(tmp_path / "entry.xlsx", periods=["2025H1"])
    wb = openpyxl.load_workbook(path)
    assert {"Hướng dẫn - Instructions", "units", "government", "economy", "society"} <= set(
        wb.sheetnames
    )
    instructions = " ".join(
        str(c.value) for row in wb["Hướng dẫn - Instructions"].iter_rows() for c in row if c.value
    )
    assert "dấu phẩy" in instructions.lower() and "decimal commas" in instructions.lower()
    gov = wb["government"]
    assert gov.data_validations.dataValidation, "cells must carry Excel data validation"
    header = [c.value for c in gov[1]]
    assert tuple(header[:3]) == TEMPLATE_KEYS
    # fill every value of the government sheet, some the Vietnamese way
    filled = 0
    for r in range(TEMPLATE_HEADER_ROWS + 1, gov.max_row + 1):
        for c in range(4, len(header) + 1):
            gov.cell(r, c, "85,5" if (r + c) % 2 else 42)
            filled += 1
    eco = wb["economy"]
    eco.cell(4, 4, 33.3)
    wb.save(path)
    report = validate_file(path)
    assert report.ok, report.problems[:3]
    assert len(report.data) == filled + 1
    assert set(report.data["value"]) == {85.5, 42.0, 33.3}
    assert report.data["unit_code"].nunique() == 18
    # a bad value is reported with sheet row and column
    gov.cell(5, 4, 150)
    wb.save(path)
    report = validate_file(path)
    [p] = report.problems
    assert p.row == 5 and "outside 0–100" in p.message


def test_read_workbook_gives_typed_values_with_their_excel_rows(tmp_path, commune_framework):
    path = write_template(tmp_path / "entry.xlsx", periods=["2024H2", "2025H1"])
    wb = openpyxl.load_workbook(path)
    wb["society"].cell(TEMPLATE_HEADER_ROWS + 19, 5, " 12,5 ")  # 2025H1, first unit
    wb["society"].cell(TEMPLATE_HEADER_ROWS + 2, 4, "   ")  # blank text is no value
    wb.save(path)
    table, rows, problems = read_workbook(path, commune_framework)
    assert problems == [] and len(table) == 1 and rows.tolist() == [TEMPLATE_HEADER_ROWS + 19]
    society = commune_framework.indicators.query("pillar == 'society'")["id"].tolist()
    assert table.iloc[0][["period", "indicator", "value", "source"]].tolist() == [
        "2025H1",
        society[1],
        " 12,5 ",
        "entry.xlsx",
    ]


def test_wrong_pillar_sheet_layout_is_located(tmp_path, commune_framework):
    path = write_template(tmp_path / "entry.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["economy"].cell(1, 4, "econ_unknown")
    wb["society"].cell(1, 1, "ma_xa")
    del wb["government"]
    wb.save(path)
    _, _, problems = read_workbook(path, commune_framework)
    text = [str(p) for p in problems]
    assert "pillar sheet missing" in text[0] and "'government'" in text[0]
    assert any("[economy]:1: column 'econ_unknown'" in t and "unknown indicator" in t for t in text)
    assert any("[society]:1:" in t and "first columns must be" in t for t in text)


def test_wrong_sheet_layout(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["ma", "ten", "gia tri"])
    wb.active.append(["20500", "x", 3])
    p = tmp_path / "wrong.xlsx"
    wb.save(p)
    r = validate_file(p)
    assert not r.ok and "wrong sheet layout" in str(r.problems[0])


def test_excel_tidy_sheet_with_numeric_codes(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["unit_code", "period", "indicator", "value"])
    wb.active.append([20500, 2024, "gov_online_dossier_pct", "85,5"])
    p = tmp_path / "tidy.xlsx"
    wb.save(p)
    r = validate_file(p)
    assert r.ok, r.problems
    assert r.data.loc[0, ["unit_code", "period", "value"]].tolist() == ["20500", "2024", 85.5]


def test_a_file_that_is_not_a_workbook(tmp_path, commune_framework):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"not a zip")
    with pytest.raises(DataValidationError, match="cannot open as an Excel workbook"):
        read_workbook(p, commune_framework)
    assert "cannot open as an Excel workbook" in str(validate_file(p).problems[0])


def test_template_cli(tmp_path):
    out = tmp_path / "t.xlsx"
    assert dgap(["template", "--out", str(out), "--periods", "2024H2,2025H1"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb["society"].max_row == 3 + 18 * 2
