"""Read and write tables: CSV, XLSX and Parquet. Nothing else: no validation, no contracts.

Reading is forgiving where users type by hand, and strict about meaning:

* Vietnamese decimal commas (``85,5``), thousands dots (``1.234,5``), a trailing ``%`` and
  surrounding spaces are accepted in numeric cells (:func:`analysis.i18n.parse_number`);
* text is normalised to Unicode NFC (Excel on macOS often stores NFD);
* codes typed as numbers in Excel (``20500.0``) become the string ``"20500"``;
* a CSV file's encoding (UTF-8, UTF-8 with BOM, UTF-16) and separator (``,``, ``;`` as in
  Excel's vi-VN export, tab) are detected; what was detected is stated in
  ``table.attrs["read_notes"]``; a file that is not text (a PDF, a workbook or an image renamed
  ``.csv``, a legacy 8-bit encoding such as Windows-1258) or holds only blank lines gets a
  message saying what it is.

Every write goes to a temporary file in the target folder and is renamed into place, so a crash
never leaves a half-written file that looks finished; every text cell of a CSV/XLSX table that a
spreadsheet would run as a formula is escaped (:func:`escape_formulas`).

Validation lives in :mod:`analysis.schema`, the data-entry workbook in :mod:`analysis.template`,
validated loading in :mod:`analysis.loaders` (observations) and :mod:`analysis.units` (units).
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
from pathlib import Path

import pandas as pd

from .errors import DataValidationError
from .outputs import atomic_write

#: first characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d.,]*|[.,]\d+)([eE][+-]?\d+)?%?")


# --------------------------------------------------------------------------- writing
def escape_formula(value):
    """A text cell a spreadsheet would run as a formula, made literal with a leading ``'``.

    OWASP's rule for CSV injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return gets a single quote in front. Numbers, and text that is a plain number
    (``"-0.5"``, ``"+84"``), are left alone.

    >>> escape_formula("=cmd|' /C calc'!A0"), escape_formula("@SUM(A1)"), escape_formula("Đại Lộc")
    ("'=cmd|' /C calc'!A0", "'@SUM(A1)", 'Đại Lộc')
    >>> escape_formula(-3.5), escape_formula("-3,5"), escape_formula("-x")
    (-3.5, '-3,5', "'-x")
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with :func:`escape_formula` applied to its text cells (column names included).

    Numeric columns are untouched; an object column is escaped cell by cell, so its numbers stay
    numbers. Returns ``df`` itself when nothing needs escaping.
    """
    text_cols = [
        c
        for c in df.columns
        if df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype | pd.CategoricalDtype)
    ]
    out = df
    for c in text_cols:
        col = df[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        escaped = col.map(escape_formula, na_action="ignore")
        if not escaped.equals(col):
            out = out.copy() if out is df else out
            out[c] = escaped
    names = [escape_formula(c) if isinstance(c, str) else c for c in out.columns]
    if names != list(out.columns):
        out = out.copy() if out is df else out
        out.columns = names
    return out


def save_table(df: pd.DataFrame, path: str | Path, *, status: str | None = None) -> Path:
    """Save a table atomically as CSV (UTF-8), XLSX or Parquet, chosen by the suffix.

    If ``status`` is given and the table has no ``status`` column, one is added, so that data
    status (e.g. ``synthetic``) travels with every table that leaves the package. Text cells of
    a CSV or XLSX file that a spreadsheet would run as a formula are escaped
    (:func:`escape_formulas`); Parquet keeps the values as they are.
    """
    path = Path(path)
    if status is not None and "status" not in df.columns:
        df = df.assign(status=status)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with atomic_write(path, "w") as fh:
            escape_formulas(df).to_csv(fh, index=False, lineterminator="\n")
    elif suffix == ".parquet":
        with atomic_write(path, "wb") as fh:
            df.to_parquet(fh, index=False)
    elif suffix == ".xlsx":
        with atomic_write(path, "wb") as fh:
            escape_formulas(df).to_excel(fh, index=False)
    else:
        raise DataValidationError(
            [f"{path}: unsupported table format {suffix!r}; use .csv, .xlsx or .parquet"]
        )
    return path


# --------------------------------------------------------------------------- parsing helpers
def nfc(value):
    """NFC-normalise and strip a string; other values pass through.

    >>> nfc("  Đa\u0323i Lô\u0323c ") == "Đại Lộc"
    True
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def normalise_code(value) -> str | None:
    """Unit code as a string: ``20500.0`` (Excel) -> ``"20500"``; blanks -> None.

    >>> normalise_code(20500.0), normalise_code(" 20500 "), normalise_code("AUT")
    ('20500', '20500', 'AUT')
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    s = nfc(str(value))
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    return s or None


def normalise_period(value) -> str | None:
    """Period as text: ``2022`` / ``2022.0`` -> ``"2022"``; ``2022h1`` -> ``"2022H1"``.

    >>> normalise_period(2022.0), normalise_period("2024h2"), normalise_period("2024q1")
    ('2022', '2024H2', '2024Q1')
    """
    code = normalise_code(value)
    return code.upper() if code else None


# --------------------------------------------------------------------------- what a file is
#: leading bytes of files that are not text tables, and what to call them
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx/.ods workbook or a .docx is one)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-format Office file (.xls/.doc)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "an RTF document"),
)


def _not_a_table(path: Path, what: str, fix: str) -> DataValidationError:
    return DataValidationError([f"{path}: {what}; {fix}"], source=str(path))


def _decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """The file's text and a name for its encoding; raise with what the file is otherwise."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            fix = (
                "open it in Excel and save as 'CSV UTF-8', or pass the .xlsx file itself"
                if "Office" in what or "ZIP" in what
                else "export the table as CSV (UTF-8) or Excel .xlsx"
            )
            raise _not_a_table(path, f"not a CSV file: it is {what}", fix)
    if data.startswith(codecs.BOM_UTF8):
        return _utf8(path, data[3:]), "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(path, data, "utf-16"), "UTF-16"
    head = data[:4000]
    if len(head) >= 4:  # UTF-16 without a BOM: every other byte of ASCII text is zero
        if head[1::2].count(0) > 0.4 * len(head[1::2]):
            return _utf16(path, data, "utf-16-le"), "UTF-16 (little-endian, no BOM)"
        if head[0::2].count(0) > 0.4 * len(head[0::2]):
            return _utf16(path, data, "utf-16-be"), "UTF-16 (big-endian, no BOM)"
    if b"\x00" in head:
        raise _not_a_table(
            path,
            "not a text file: it holds binary data (NUL bytes)",
            "export the table as CSV (UTF-8) or Excel .xlsx",
        )
    return _utf8(path, data), "UTF-8"


def _utf8(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _not_a_table(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): it looks like "
            + _legacy_encoding(data),
            "in Excel use 'Save as' > 'CSV UTF-8 (Comma delimited)'; or convert it, e.g. "
            "`iconv -f CP1258 -t UTF-8 file.csv > file-utf8.csv`",
        ) from exc


def _utf16(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise _not_a_table(
            path,
            f"looks like UTF-16 text but cannot be decoded ({exc.reason})",
            "save it again as 'CSV UTF-8'",
        ) from exc


def _legacy_encoding(data: bytes) -> str:
    """A guess at the 8-bit encoding of text that is not UTF-8, for the message."""
    text = data.decode("cp1258", errors="replace")
    vietnamese = sum(ch in "ăâđêôơưĂÂĐÊÔƠƯ" for ch in text)
    if vietnamese:
        return "Vietnamese text in the Windows-1258 (ANSI) code page"
    return "text in a legacy 8-bit code page (e.g. Windows-1252 or Windows-1258)"


def _separator(header: str) -> str:
    """The separator of a CSV header line: ``,``, ``;`` or tab (the most frequent, ``,`` on ties)."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if not data:
        raise DataValidationError(
            [f"{path}: the file is empty; expected a header row"], source=str(path)
        )
    text, encoding = _decode_text(path, data)
    lines = [ln for ln in text.splitlines() if ln.strip(" \t,;")]
    if not lines:
        raise _not_a_table(
            path,
            "holds only blank lines (or separators): no header row and no data",
            "expected a header row such as unit_code,period,indicator,value",
        )
    sep = _separator(lines[0])
    df = pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=True,
    )
    notes = []
    if encoding not in ("UTF-8", "UTF-8 with BOM"):
        notes.append(f"read as {encoding} text")
    if sep != ",":
        name = "semicolon (;)" if sep == ";" else "tab"
        notes.append(
            f"read as {name}-separated values"
            + (" (Excel's CSV export in a Vietnamese locale)" if sep == ";" else "")
        )
    df.attrs["read_notes"] = notes
    return df


# --------------------------------------------------------------------------- reading
def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read CSV / XLSX / Parquet as text-preserving object columns (no type guessing on codes).

    What was detected while reading a CSV (an encoding other than UTF-8, a separator other than
    a comma) is listed in ``table.attrs["read_notes"]``.

    Raises:
        DataValidationError: missing or empty file, a file that is not a text table (saying what
            it is: PDF, workbook, image, legacy encoding, only blank lines), unknown suffix.
    """
    path = Path(path)
    if not path.exists():
        raise DataValidationError([f"{path}: file not found"], source=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise DataValidationError(
        [f"{path}: unsupported format {suffix!r}; use .csv, .xlsx or .parquet"], source=str(path)
    )
