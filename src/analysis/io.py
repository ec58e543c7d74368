"""Read and write tables: CSV, XLSX and Parquet. Nothing else: no validation, no contracts.

Reading is forgiving where users type by hand, and strict about meaning:

* Vietnamese decimal commas (``85,5``), thousands dots (``1.234,5``), a trailing ``%`` and
  surrounding spaces are accepted in numeric cells (:func:`analysis.i18n.parse_number`);
* text is normalised to Unicode NFC (Excel on macOS often stores NFD);
* codes typed as numbers in Excel (``20500.0``) become the string ``"20500"``.

Every write goes to a temporary file in the target folder and is renamed into place, so a crash
never leaves a half-written file that looks finished.

Validation lives in :mod:`analysis.schema`, the data-entry workbook in :mod:`analysis.template`,
validated loading in :mod:`analysis.loaders` (observations) and :mod:`analysis.units` (units).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from .errors import DataValidationError
from .outputs import atomic_write


def save_table(df: pd.DataFrame, path: str | Path, *, status: str | None = None) -> Path:
    """Save a table atomically as CSV (UTF-8), XLSX or Parquet, chosen by the suffix.

    If ``status`` is given and the table has no ``status`` column, one is added, so that data
    status (e.g. ``synthetic``) travels with every table that leaves the package.
    """
    path = Path(path)
    if status is not None and "status" not in df.columns:
        df = df.assign(status=status)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with atomic_write(path, "w") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
    elif suffix == ".parquet":
        with atomic_write(path, "wb") as fh:
            df.to_parquet(fh, index=False)
    elif suffix == ".xlsx":
        with atomic_write(path, "wb") as fh:
            df.to_excel(fh, index=False)
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

    >>> normalise_period(2022.0), normalise_period("2024h2")
    ('2022', '2024H2')
    """
    code = normalise_code(value)
    return code.upper() if code else None


# --------------------------------------------------------------------------- reading
def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read CSV / XLSX / Parquet as text-preserving object columns (no type guessing on codes)."""
    path = Path(path)
    if not path.exists():
        raise DataValidationError([f"{path}: file not found"], source=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if path.stat().st_size == 0:
            raise DataValidationError(
                [f"{path}: the file is empty; expected a header row"],
                source=str(path),
            )
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        )
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise DataValidationError(
        [f"{path}: unsupported format {suffix!r}; use .csv, .xlsx or .parquet"], source=str(path)
    )
