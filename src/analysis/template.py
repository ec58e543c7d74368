"""The data-entry workbook: one sheet per pillar, instructions in Vietnamese and English.

Layout of a pillar sheet (what :mod:`analysis.schema` reads back):

* row 1: ``unit_code, unit_name, period`` then one column per indicator id;
* row 2: Vietnamese indicator names; row 3: English names and unit;
* from row 4: one row per unit and period, pre-filled with code, name and period; the user
  types the values. Excel data validation restricts percentages to 0–100 and counts to >= 0,
  and unit codes to the list in the ``units`` sheet.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .frameworks import load_framework
from .io import load_units
from .outputs import atomic_write
from .schema import TEMPLATE_HEADER_ROWS, TEMPLATE_KEYS

DEFAULT_PERIODS = ("2025H1",)

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
    units = load_units(units) if units is None or isinstance(units, str | Path) else units
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
