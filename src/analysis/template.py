"""The data-entry workbook: one sheet per pillar, instructions in Vietnamese and English.

:func:`write_template` writes it (``dgap template``); :func:`read_workbook` reads it back, filled,
as an observations table for :func:`analysis.schema.validate_observations` (it also reads a
workbook whose first sheet is a tidy table). Layout of a pillar sheet:

* row 1: ``unit_code, unit_name, period`` then one column per indicator id;
* row 2: Vietnamese indicator names; row 3: English names and unit;
* from row 4: one row per unit and period, pre-filled with code, name and period; the user
  types the values. Excel data validation restricts percentages to 0–100 and counts to >= 0,
  and unit codes to the list in the ``units`` sheet.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import DataValidationError
from .frameworks import Framework, load_framework
from .io import nfc
from .outputs import atomic_write
from .schema import OBS_COLUMNS, REQUIRED_OBS_COLUMNS, Problem
from .units import load_units

DEFAULT_PERIODS = ("2025H1",)
#: Meta columns of a pillar sheet (before the indicator columns).
TEMPLATE_KEYS = ("unit_code", "unit_name", "period")
TEMPLATE_HEADER_ROWS = 3  # row 1: ids, row 2: Vietnamese names, row 3: English names + unit

INSTRUCTIONS = [
    ("HƯỚNG DẪN NHẬP LIỆU", "DATA-ENTRY INSTRUCTIONS"),
    (
        "Mỗi trụ cột (chính quyền số, kinh tế số, xã hội số) có một trang tính riêng.",
        "Each pillar (digital government, economy, society) has its own sheet.",
    ),
    (
        "Mỗi dòng là một xã/thị trấn trong một kỳ (ví dụ 2025H1 = 6 tháng đầu năm 2025).",
        "Each row is one commune in one period (e.g. 2025H1 = first half of 2025).",
    ),
    (
        "Nhập số vào các ô chỉ số. Dấu phẩy thập phân (85,5) và ký hiệu % đều được chấp nhận.",
        "Type numbers in the indicator cells. Decimal commas (85,5) and a % sign are accepted.",
    ),
    (
        "Tỷ lệ phần trăm phải từ 0 đến 100; số lượng không được âm. Để trống nếu chưa có số liệu.",
        "Percentages must be between 0 and 100; counts cannot be negative. Leave blank if unknown.",
    ),
    (
        "Không đổi tên, di chuyển hay xóa 3 dòng tiêu đề và 3 cột đầu (mã, tên, kỳ).",
        "Do not rename, move or delete the 3 header rows and the first 3 columns (code, name, period).",
    ),
    (
        "Có thể thêm dòng cho kỳ khác: chép mã xã, tên và ghi kỳ mới.",
        "You may add rows for other periods: copy the code and name, write the new period.",
    ),
    (
        "Kiểm tra tệp: dgap validate TEN_TEP.xlsx — mỗi lỗi ghi rõ trang, dòng, cột và cách sửa.",
        "Check the file: dgap validate FILE.xlsx — each problem names sheet, row, column and the fix.",
    ),
]

_HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")


def write_template(out, *, units=None, framework=None, periods=None) -> Path:
    """Write the data-entry workbook for ``units`` × ``framework`` indicators × ``periods``.

    Args:
        out: output ``.xlsx`` path (written atomically).
        units: units table or CSV path (default: the 18 Đại Lộc communes).
        framework: :class:`~analysis.frameworks.Framework` or YAML path (default: commune).
        periods: periods to pre-fill (default: ``["2025H1"]``).

    Returns:
        The path written.
    """
    if units is None or isinstance(units, str | Path):
        units = load_units(units, validate=False)
    fw = (
        load_framework(framework)
        if framework is None or isinstance(framework, str | Path)
        else framework
    )
    periods = list(periods or DEFAULT_PERIODS)

    wb = Workbook()
    ws = wb.active
    ws.title = "Hướng dẫn - Instructions"
    ws.column_dimensions["A"].width = 95
    ws.column_dimensions["B"].width = 95
    for i, (vi, en) in enumerate(INSTRUCTIONS, start=1):
        ws.cell(i, 1, vi).alignment = Alignment(wrap_text=True)
        ws.cell(i, 2, en).alignment = Alignment(wrap_text=True)
    ws["A1"].font = ws["B1"].font = Font(bold=True, size=13)
    ws.cell(len(INSTRUCTIONS) + 2, 1, f"Khung chỉ số: {fw.name_vi} (v{fw.version})")
    ws.cell(len(INSTRUCTIONS) + 2, 2, f"Framework: {fw.name_en} (v{fw.version})")

    us = wb.create_sheet("units")
    us.append(["unit_code", "name_vi", "unit_type"])
    for _, u in units.iterrows():
        us.append([str(u["unit_code"]), u["name_vi"], u.get("unit_type", "")])
        us.cell(us.max_row, 1).number_format = "@"
    n_units = len(units)

    for pillar in fw.pillar_ids:
        inds = fw.indicators[fw.indicators["pillar"] == pillar]
        sh = wb.create_sheet(pillar)
        sh.append(list(TEMPLATE_KEYS) + inds["id"].tolist())
        sh.append(["Mã xã", "Tên xã", "Kỳ"] + inds["name_vi"].tolist())
        sh.append(
            ["Unit code", "Unit name", "Period"]
            + [f"{n} ({u})" for n, u in zip(inds["name_en"], inds["unit"], strict=True)]
        )
        for r in range(1, TEMPLATE_HEADER_ROWS + 1):
            for c in range(1, sh.max_column + 1):
                cell = sh.cell(r, c)
                cell.fill = _HEAD_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                cell.font = Font(bold=(r == 1))
        sh.row_dimensions[2].height = 60
        sh.row_dimensions[3].height = 60
        sh.column_dimensions["A"].width = 10
        sh.column_dimensions["B"].width = 16
        sh.column_dimensions["C"].width = 9
        for c in range(4, sh.max_column + 1):
            sh.column_dimensions[get_column_letter(c)].width = 18
        for period in periods:
            for _, u in units.iterrows():
                sh.append([str(u["unit_code"]), u["name_vi"], period])
                sh.cell(sh.max_row, 1).number_format = "@"
        sh.freeze_panes = sh.cell(TEMPLATE_HEADER_ROWS + 1, 4)
        last = max(sh.max_row, TEMPLATE_HEADER_ROWS + 1) + 500  # room for extra rows
        first = TEMPLATE_HEADER_ROWS + 1
        code_dv = DataValidation(
            type="list",
            formula1=f"=units!$A$2:$A${n_units + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Mã xã / Unit code",
            error="Mã xã không có trong danh sách (trang units). / Unit code not in the units sheet.",
        )
        code_dv.add(f"A{first}:A{last}")
        sh.add_data_validation(code_dv)
        for c, (_, ind) in enumerate(inds.iterrows(), start=4):
            col = get_column_letter(c)
            if ind["unit"] == "%":
                dv = DataValidation(
                    type="decimal",
                    operator="between",
                    formula1="0",
                    formula2="100",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="0–100",
                    error="Tỷ lệ phần trăm phải từ 0 đến 100. / A percentage must be between 0 and 100.",
                )
            else:
                dv = DataValidation(
                    type="decimal",
                    operator="greaterThanOrEqual",
                    formula1="0",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=">= 0",
                    error="Giá trị không được âm. / The value cannot be negative.",
                )
            dv.add(f"{col}{first}:{col}{last}")
            sh.add_data_validation(dv)

    out = Path(out)
    with atomic_write(out, "wb") as fh:
        wb.save(fh)
    return out


# --------------------------------------------------------------------------- reading it back
def read_workbook(path: str | Path, framework: Framework):
    """Read a workbook: the template's pillar sheets (wide) or a single tidy sheet.

    Args:
        path: the ``.xlsx`` file.
        framework: the framework whose pillars name the sheets and whose indicators the columns.

    Returns:
        ``(table, rows, problems)``: the observations as typed (values not yet parsed), the Excel
        row of each record, and the layout problems (when there are any, the table is empty).

    Raises:
        DataValidationError: the file cannot be opened as a workbook, or its first sheet is empty.
    """
    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise DataValidationError(
            [f"{path}: cannot open as an Excel workbook ({type(exc).__name__}: {exc})"]
        ) from exc
    if any(p in wb.sheetnames for p in framework.pillar_ids):
        return _read_pillar_sheets(wb, path, framework)
    return _read_tidy_sheet(wb, path)


def _read_pillar_sheets(wb, path: Path, framework: Framework):
    src = str(path)
    records: list[dict] = []
    rownums: list[int] = []
    problems = [
        Problem(
            src,
            None,
            None,
            p,
            "wrong sheet layout: pillar sheet missing",
            f"the workbook needs sheets {framework.pillar_ids}; regenerate it with `dgap template`",
        )
        for p in framework.pillar_ids
        if p not in wb.sheetnames
    ]
    for sheet in (p for p in framework.pillar_ids if p in wb.sheetnames):
        expected = framework.indicators.loc[framework.indicators["pillar"] == sheet, "id"].tolist()
        rows = list(wb[sheet].iter_rows(values_only=True))
        problems += _read_pillar_sheet(rows, path, sheet, expected, records, rownums)
    wb.close()
    if problems:
        return pd.DataFrame(), pd.Series(dtype=int), problems
    df = pd.DataFrame(records, columns=OBS_COLUMNS)
    return df, pd.Series(rownums, index=df.index, dtype=int), []


def _read_pillar_sheet(
    rows: list, path: Path, sheet: str, expected: list[str], records: list, rownums: list
) -> list[Problem]:
    """Append the typed values of one pillar sheet to ``records``; return its layout problems."""
    where = f"{path}[{sheet}]"
    if not rows:
        return [
            Problem(
                where,
                1,
                None,
                None,
                "wrong sheet layout: sheet is empty",
                "regenerate the workbook with `dgap template`",
            )
        ]
    header = [nfc(str(h)) if h is not None else "" for h in rows[0]]
    if tuple(header[:3]) != TEMPLATE_KEYS:
        return [
            Problem(
                where,
                1,
                None,
                tuple(header[:3]),
                "wrong sheet layout: first columns must be unit_code, unit_name, period",
                "do not move or rename the header cells; regenerate with `dgap template`",
            )
        ]
    unknown = [h for h in header[3:] if h and h not in expected]
    problems = [
        Problem(
            where,
            1,
            h,
            h,
            "wrong sheet layout: unknown indicator column",
            f"indicator columns of sheet {sheet!r} are {expected}",
        )
        for h in unknown
    ]
    for r_i, r in enumerate(rows[TEMPLATE_HEADER_ROWS:], start=TEMPLATE_HEADER_ROWS + 1):
        if r is None or all(c is None for c in r):
            continue
        for c_i, h in enumerate(header[3:], start=3):
            if not h or h in unknown or c_i >= len(r):
                continue
            v = r[c_i]
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            records.append(
                {
                    "unit_code": r[0],
                    "period": r[2],
                    "indicator": h,
                    "value": v,
                    "status": "observed",
                    "source": path.name,
                }
            )
            rownums.append(r_i)
    return problems


def _read_tidy_sheet(wb, path: Path):
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows:
        raise DataValidationError(
            [f"{path}: the first sheet is empty; expected a header row {OBS_COLUMNS}"]
        )
    header = [nfc(str(h)).lower() if h is not None else "" for h in rows[0]]
    if not set(REQUIRED_OBS_COLUMNS) & set(header):
        return (
            pd.DataFrame(),
            pd.Series(dtype=int),
            [
                Problem(
                    str(path),
                    1,
                    None,
                    tuple(h for h in header if h),
                    "wrong sheet layout: neither the template's pillar sheets nor a tidy sheet",
                    f"use `dgap template` or a sheet with columns {list(REQUIRED_OBS_COLUMNS)}",
                )
            ],
        )
    df = pd.DataFrame(rows[1:], columns=header)
    df = df.dropna(how="all")
    return df, pd.Series(df.index + 2, index=df.index), []
