"""The data-entry workbook: one sheet per pillar, instructions in Vietnamese and English.

:func:`write_template` writes it (``dgap template``); :func:`read_workbook` reads it back, filled,
as an observations table for :func:`analysis.schema.validate_observations` (it also reads a
workbook whose first sheet is a tidy table). Layout of a pillar sheet:

* row 1: ``unit_code, unit_name, period`` then one column per indicator id;
* row 2: Vietnamese indicator names; row 3: English names and unit;
* from row 4: one row per unit and period, pre-filled with code, name and period; the user
  types the values. Excel data validation restricts percentages to 0–100 and counts to >= 0,
  and unit codes to the list in the ``units`` sheet.

The instructions sheet also has two fields the user fills (:data:`FIELD_LABELS`): who produced
the data and their date, read back as the dataset's provenance. Text from data (codes, names)
is written as text, never as a formula (:func:`analysis.io.escape_formula`).

Reading takes cells as Excel shows them: a number formatted as a percentage (``0.85`` shown as
``85%``) is read as 85 and noted; a formula is read from the value Excel saved with it, and a
formula without a saved value (a file written by a program that does not compute formulas) is a
problem naming the sheet, cell and formula.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import DataValidationError
from .frameworks import Framework, load_framework
from .io import escape_formula, nfc
from .outputs import atomic_write
from .schema import LOCATION_COLUMNS, OBS_COLUMNS, REQUIRED_OBS_COLUMNS, Problem
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
        "Ghi đơn vị cung cấp và ngày của số liệu vào hai ô màu vàng bên dưới: báo cáo trích dẫn "
        "chúng làm nguồn số liệu.",
        "Write who produced the data and their date in the two yellow cells below: the reports "
        "cite them as the source of the data.",
    ),
    (
        "Kiểm tra tệp: dgap validate TEN_TEP.xlsx — mỗi lỗi ghi rõ trang, dòng, cột và cách sửa.",
        "Check the file: dgap validate FILE.xlsx — each problem names sheet, row, column and the fix.",
    ),
]

_HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INSTRUCTIONS_SHEET = "Hướng dẫn - Instructions"
#: Fields the user types on the instructions sheet (label in column A, value in column B): who
#: produced the data and when; they become the dataset's provenance (else "user-supplied,
#: unpublished").
FIELD_LABELS = {
    "producer": "Đơn vị cung cấp số liệu / Producer of the data",
    "date": "Ngày của số liệu / Date of the data (YYYY-MM-DD)",
}


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
    _write_instructions(wb.active, fw)
    text = _text_cell

    us = wb.create_sheet("units")
    us.append(["unit_code", "name_vi", "unit_type"])
    for _, u in units.iterrows():
        us.append([text(u["unit_code"]), text(u["name_vi"]), text(u.get("unit_type", ""))])
        us.cell(us.max_row, 1).number_format = "@"
    n_units = len(units)

    for pillar in fw.pillar_ids:
        inds = fw.indicators[fw.indicators["pillar"] == pillar]
        sh = wb.create_sheet(pillar)
        sh.append(list(TEMPLATE_KEYS) + [text(i) for i in inds["id"]])
        sh.append(["Mã xã", "Tên xã", "Kỳ"] + [text(n) for n in inds["name_vi"]])
        sh.append(
            ["Unit code", "Unit name", "Period"]
            + [text(f"{n} ({u})") for n, u in zip(inds["name_en"], inds["unit"], strict=True)]
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
                sh.append([text(u["unit_code"]), text(u["name_vi"]), text(period)])
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


def _text_cell(value):
    """A text cell from data (a code, a name), never run as a formula by Excel."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return escape_formula(str(value))


def _write_instructions(ws, fw: Framework) -> None:
    """The instructions sheet: the steps in Vietnamese and English, the framework, and the two
    fields (producer, date) the user fills for the provenance of the data."""
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 95
    ws.column_dimensions["B"].width = 95
    for i, (vi, en) in enumerate(INSTRUCTIONS, start=1):
        ws.cell(i, 1, vi).alignment = Alignment(wrap_text=True)
        ws.cell(i, 2, en).alignment = Alignment(wrap_text=True)
    ws["A1"].font = ws["B1"].font = Font(bold=True, size=13)
    row = len(INSTRUCTIONS) + 2
    ws.cell(row, 1, _text_cell(f"Khung chỉ số: {fw.name_vi} (v{fw.version})"))
    ws.cell(row, 2, _text_cell(f"Framework: {fw.name_en} (v{fw.version})"))
    for i, label in enumerate(FIELD_LABELS.values(), start=row + 2):
        ws.cell(i, 1, label).font = Font(bold=True)
        ws.cell(i, 2).fill = _INPUT_FILL
        ws.cell(i, 2).number_format = "@"


# --------------------------------------------------------------------------- reading it back
@dataclass(frozen=True)
class _Cell:
    """One cell as the reader needs it: the value (a formula's saved value), where it is, and
    how Excel shows it."""

    value: object
    coordinate: str
    is_pct_format: bool = False
    formula: str | None = None  #: the formula, when the cell holds one


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _sheet_cells(wb, wb_values, name: str) -> list[list[_Cell]]:
    """The cells of one sheet: values, formats and formulas; a formula's value is its saved one."""
    rows: list[list[_Cell]] = []
    formulas: dict[str, str] = {}
    for row in wb[name].iter_rows():
        cells = []
        for c in row:
            coord = getattr(c, "coordinate", None)
            if coord is None:  # an empty cell of a read-only row
                cells.append(_Cell(None, ""))
                continue
            fmt = getattr(c, "number_format", "") or ""
            if c.data_type == "f":
                text = c.value if isinstance(c.value, str) else getattr(c.value, "text", "")
                formulas[coord] = str(text)
                cells.append(_Cell(None, coord, "%" in fmt, str(text)))
            else:
                cells.append(_Cell(c.value, coord, "%" in fmt and _is_number(c.value)))
        rows.append(cells)
    if formulas:  # the values Excel saved with the formulas (None if it never computed them)
        saved = {
            c.coordinate: c.value
            for row in wb_values()[name].iter_rows()
            for c in row
            if getattr(c, "coordinate", None) in formulas
        }
        rows = [
            [
                replace(c, value=saved.get(c.coordinate), is_pct_format=c.is_pct_format)
                if c.formula is not None
                else c
                for c in row
            ]
            for row in rows
        ]
    return rows


def _open(path: Path, *, data_only: bool):
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise DataValidationError(
            [f"{path}: cannot open as an Excel workbook ({type(exc).__name__}: {exc})"]
        ) from exc


def read_workbook(path: str | Path, framework: Framework):
    """Read a workbook: the template's pillar sheets (wide) or a single tidy sheet.

    Cells are read as Excel shows them: a cell formatted as a percentage holding 0.85 is read as
    85; a formula is read from the value Excel saved with it. Each record carries where it is
    (:data:`analysis.schema.LOCATION_COLUMNS`: ``file[sheet]``, the indicator column with its
    letter, whether the value was a percentage). What was converted is listed in
    ``table.attrs["read_notes"]``; the producer and date typed on the instructions sheet are in
    ``table.attrs["provenance"]``.

    Args:
        path: the ``.xlsx`` file.
        framework: the framework whose pillars name the sheets and whose indicators the columns.

    Returns:
        ``(table, rows, problems)``: the observations as typed (values not yet parsed), the Excel
        row of each record, and the layout problems and formulas without a saved value (when
        there are any, the table is empty).

    Raises:
        DataValidationError: the file cannot be opened as a workbook, or its first sheet is empty.
    """
    path = Path(path)
    wb = _open(path, data_only=False)
    opened: list = []

    def values_workbook():
        if not opened:
            opened.append(_open(path, data_only=True))
        return opened[0]

    try:
        fields = _read_fields(wb)
        if any(p in wb.sheetnames for p in framework.pillar_ids):
            table, rows, problems = _read_pillar_sheets(wb, values_workbook, path, framework)
        else:
            table, rows, problems = _read_tidy_sheet(wb, values_workbook, path)
    finally:
        wb.close()
        for w in opened:
            w.close()
    table.attrs["provenance"] = fields
    return table, rows, problems


def _read_fields(wb) -> dict[str, str]:
    """The producer and date typed on the instructions sheet (absent ones are left out)."""
    if INSTRUCTIONS_SHEET not in wb.sheetnames:
        return {}
    labels = {nfc(label).rstrip(":").casefold(): key for key, label in FIELD_LABELS.items()}
    out = {}
    for row in wb[INSTRUCTIONS_SHEET].iter_rows(max_col=2, values_only=True):
        if len(row) < 2 or not isinstance(row[0], str):
            continue
        key = labels.get(nfc(row[0]).rstrip(":").casefold())
        value = row[1]
        if key and value is not None and str(value).strip():
            out[key] = value.date().isoformat() if hasattr(value, "date") else nfc(str(value))
    return out


def _read_pillar_sheets(wb, values_workbook, path: Path, framework: Framework):
    src = str(path)
    records: list[dict] = []
    rownums: list[int] = []
    notes: list[Problem] = []
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
        rows = _sheet_cells(wb, values_workbook, sheet)
        sheet_problems = _read_pillar_sheet(rows, path, sheet, expected, records, rownums)
        read = {"unit_code", "period", *(h.lower() for h in expected)}
        problems += sheet_problems or _formula_problems(
            rows, path, sheet, TEMPLATE_HEADER_ROWS, read
        )
        notes += _conversion_notes(rows, path, sheet, TEMPLATE_HEADER_ROWS)
    if problems:
        return pd.DataFrame(), pd.Series(dtype=int), problems
    df = pd.DataFrame(records, columns=OBS_COLUMNS + list(LOCATION_COLUMNS))
    df.attrs["read_notes"] = notes
    return df, pd.Series(rownums, index=df.index, dtype=int), []


def _header(cells: list[_Cell], *, lower: bool = False) -> list[str]:
    out = [nfc(str(c.value)) if c.value is not None else "" for c in cells]
    return [h.lower() for h in out] if lower else out


def _read_pillar_sheet(
    rows: list[list[_Cell]],
    path: Path,
    sheet: str,
    expected: list[str],
    records: list,
    rownums: list,
) -> list[Problem]:
    """Append the values of one pillar sheet to ``records``; return its layout problems."""
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
    header = _header(rows[0])
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
        if all(c.value is None and c.formula is None for c in r):
            continue
        for c_i, h in enumerate(header[3:], start=3):
            if not h or h in unknown or c_i >= len(r):
                continue
            cell = r[c_i]
            v = _percent_value(cell)
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            records.append(
                {
                    "unit_code": r[0].value,
                    "period": r[2].value if len(r) > 2 else None,
                    "indicator": h,
                    "value": v,
                    "status": "observed",
                    "source": path.name,
                    "_file": where,
                    "_value_column": f"{h} ({get_column_letter(c_i + 1)})",
                    "_is_pct_marked": cell.is_pct_format,
                }
            )
            rownums.append(r_i)
    return problems


def _percent_value(cell: _Cell):
    """The value as the user sees it: a number shown as a percentage (0.85 as 85%) is 85."""
    v = cell.value
    if cell.is_pct_format and _is_number(v):
        return float(Decimal(repr(float(v))) * 100)
    return v


def _formula_problems(
    rows: list[list[_Cell]], path: Path, sheet: str, skip: int, read: set[str]
) -> list[Problem]:
    """Every formula cell without a saved value in a column that is read (header in ``read``):
    an error naming sheet, cell and formula."""
    header = _header(rows[0], lower=True) if rows else []
    used = {i for i, h in enumerate(header) if h in read}
    return [
        Problem(
            f"{path}[{sheet}]",
            r_i,
            f"cell {c.coordinate}",
            c.formula,
            "formula without a saved value: the file was written by a program that does not "
            "compute formulas, so the number is unknown",
            "open the file in Excel or LibreOffice and save it (that stores the computed values), "
            "or type the number instead of the formula",
        )
        for r_i, row in enumerate(rows[skip:], start=skip + 1)
        for i, c in enumerate(row)
        if c.formula is not None and c.value is None and i in used
    ]


def _conversion_notes(rows: list[list[_Cell]], path: Path, sheet: str, skip: int) -> list[Problem]:
    """Notes on what was read differently from the stored number: % cells and formulas."""
    header = _header(rows[0]) if rows else []
    notes = []
    formulas = []
    for r_i, row in enumerate(rows[skip:], start=skip + 1):
        for c_i, c in enumerate(row):
            name = header[c_i] if c_i < len(header) else ""
            column = f"{name} ({get_column_letter(c_i + 1)})" if name else f"cell {c.coordinate}"
            if c.formula is not None and c.value is not None:
                formulas.append(c.coordinate)
            if c.is_pct_format and _is_number(c.value):
                notes.append(
                    Problem(
                        f"{path}[{sheet}]",
                        r_i,
                        column,
                        c.value,
                        f"cell {c.coordinate} is formatted as a percentage: read as "
                        f"{_percent_value(c):g} (Excel shows {_percent_value(c):g}%)",
                    )
                )
    if formulas:
        shown = ", ".join(formulas[:5]) + (" ..." if len(formulas) > 5 else "")
        notes.append(
            Problem(
                f"{path}[{sheet}]",
                None,
                None,
                None,
                f"{len(formulas)} formula cell(s) read from the values Excel saved with them ({shown})",
            )
        )
    return notes


def _read_tidy_sheet(wb, values_workbook, path: Path):
    name = wb.sheetnames[0]
    rows = _sheet_cells(wb, values_workbook, name)
    if not rows:
        raise DataValidationError(
            [f"{path}: the first sheet is empty; expected a header row {OBS_COLUMNS}"]
        )
    header = _header(rows[0], lower=True)
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
    formula_problems = _formula_problems(rows, path, name, 1, set(OBS_COLUMNS))
    if formula_problems:
        return pd.DataFrame(), pd.Series(dtype=int), formula_problems
    width = len(header)
    body = [
        ([_percent_value(c) for c in r[:width]] + [None] * (width - len(r)), r, i)
        for i, r in enumerate(rows[1:], start=2)
        if any(c.value is not None for c in r)
    ]
    df = pd.DataFrame([b[0] for b in body], columns=header)
    value_at = header.index("value") if "value" in header else None
    df["_file"] = f"{path}[{name}]"
    df["_value_column"] = (
        f"value ({get_column_letter(value_at + 1)})" if value_at is not None else "value"
    )
    df["_is_pct_marked"] = [
        value_at is not None and value_at < len(r) and r[value_at].is_pct_format for _, r, _ in body
    ]
    df.attrs["read_notes"] = _conversion_notes(rows, path, name, 1)
    return df, pd.Series([b[2] for b in body], index=df.index, dtype=int), []
