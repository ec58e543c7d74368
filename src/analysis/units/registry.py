"""Administrative unit tables: the pre-2025 communes, the post-2025 communes, former districts.

:func:`load_units` is the one loader of a units table (codes as strings, NFC text, numbers;
validated against the units contract of :mod:`analysis.schema`); :func:`load_units_2025` loads the
post-2025 communes; :func:`select_former_district` keeps "the communes of former Đại Lộc district"
selectable on any table.

Names and types, as the briefs need them: ``name_vi`` is the bare name (``Đại Thạnh``, never
``Xã Đại Thạnh``; the full name is ``full_name_vi``), ``name_en`` the name in English (a
Vietnamese place keeps its Vietnamese name: ``Đại Thạnh``; filled from ``name_vi`` when a table
has none), ``unit_type`` the kind of unit: the Vietnamese administrative type for Vietnamese
units below the province (``xã``, ``thị trấn``, ``phường``), else ``province``,
``province_2025``, ``country``, ``aggregate`` or ``mean`` (the real sources of
:mod:`analysis.sources`). The words ("Đại Thạnh commune") are the text layer's.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError, ParameterError
from ..io import nfc, normalise_code, read_table
from ..schema import Problem, check_code, validate_units

UNITS_2025_CSV = config.RAW / "units" / "dai_loc_units_2025.csv"
_NUMERIC_COLUMNS = ("lat", "lon", "population", "households", "area_km2")
_CODE_COLUMNS = ("parent_code", "successor_code")
_ADMIN_PREFIXES = (
    "thành phố ",
    "thị trấn ",
    "thị xã ",
    "huyện ",
    "quận ",
    "tỉnh ",
    "phường ",
    "xã ",
    "đặc khu ",
)


def _fold(text: str) -> str:
    """Accent- and case-insensitive key of a Vietnamese name.

    >>> _fold("Huyện Đại Lộc") == _fold("huyen dai loc")
    True
    """
    s = unicodedata.normalize("NFC", str(text)).strip().replace("Đ", "D").replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _strip_prefix(name: str) -> str:
    """Drop the administrative prefix of a name.

    >>> _strip_prefix("Huyện Đại Lộc"), _strip_prefix("Thị Trấn Ái Nghĩa")
    ('Đại Lộc', 'Ái Nghĩa')
    """
    s = unicodedata.normalize("NFC", str(name)).strip()
    low = s.lower()
    for p in _ADMIN_PREFIXES:
        if low.startswith(p):
            return s[len(p) :].strip()
    return s


# --------------------------------------------------------------------------- units
def load_units(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load a units table (default: the 18 pre-2025 communes of Đại Lộc).

    ``unit_code``, ``parent_code`` and ``successor_code`` are strings; text is NFC; ``lat, lon,
    population, households, area_km2`` are numbers.

    Args:
        path: CSV/XLSX/Parquet in the units contract (default ``data/raw/units/dai_loc_units.csv``).
        validate: check the table with :func:`analysis.schema.validate_units` and raise on
            problems (``False``: read and normalise only, for a user's table that gives fewer
            columns than the contract; the unit codes' format is checked in any case).

    Returns:
        One row per unit.

    Raises:
        DataValidationError: missing column, a code that is not allowed
            (:func:`analysis.schema.check_code`), duplicate code or bad coordinates, naming the
            row.
    """
    path = Path(path) if path is not None else config.UNITS_CSV
    units = _read_units(path)
    if validate:
        problems = validate_units(units, source=str(path))
    else:  # codes name output files: their format is checked in any case
        problems = _code_problems(units, str(path))
    if problems:
        raise DataValidationError(problems, source=str(path))
    return units


def _code_problems(units: pd.DataFrame, source: str) -> list[Problem]:
    """A problem for each unit code that :func:`analysis.schema.check_code` rejects."""
    if "unit_code" not in units.columns:
        return [
            Problem(source, 1, "unit_code", None, "required column is missing", "add 'unit_code'")
        ]
    return [
        Problem(
            source,
            i + 2,
            "unit_code",
            code,
            f"unit code not allowed: it {issue}",
            "a code of letters, digits, '-', '_' or '.', e.g. the GSO code 20527",
        )
        for i, code in units["unit_code"].items()
        if (issue := check_code(code))
    ]


def _read_units(path: Path) -> pd.DataFrame:
    """A units table as read: codes as strings, text NFC, numeric columns as numbers."""
    df = read_table(path)
    df["unit_code"] = df["unit_code"].map(normalise_code)
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].map(nfc)
    for col in _NUMERIC_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    for col in _CODE_COLUMNS:
        if col in df.columns:
            df[col] = df[col].map(normalise_code)
    if "name_vi" in df.columns:  # Vietnamese places keep their Vietnamese name in English
        if "name_en" not in df.columns:
            df.insert(list(df.columns).index("name_vi") + 1, "name_en", df["name_vi"])
        else:
            df["name_en"] = df["name_en"].fillna(df["name_vi"])
    return df


def load_units_2025(path: str | Path | None = None) -> pd.DataFrame:
    """Load the post-2025 communes (default: the 5 communes formed from Đại Lộc district).

    The frozen file stores the 2019 census totals of each new commune's constituents as
    ``population_2019_constituents`` / ``households_2019_constituents``; they are also exposed as
    ``population`` / ``households`` so that the units contract holds for new units too.
    ``former_district`` is kept, so the new communes stay selectable as "former Đại Lộc".

    >>> load_units_2025()["unit_code"].tolist()
    ['20500', '20506', '20515', '20539', '20542']
    """
    path = Path(path) if path is not None else UNITS_2025_CSV
    units = _read_units(path)
    for col in ("population", "households"):
        src = f"{col}_2019_constituents"
        if col not in units.columns and src in units.columns:
            units[col] = pd.to_numeric(units[src], errors="coerce")
    if "unit_code" not in units.columns or units["unit_code"].duplicated().any():
        raise DataValidationError(
            [f"{path}: column 'unit_code' missing or not unique; one row per new commune"],
            source=str(path),
        )
    return units


def select_province(units: pd.DataFrame, province: str) -> pd.DataFrame:
    """The units of one province (or centrally-run city) of a national units table.

    ``province`` is the name (``"Thành phố Đà Nẵng"``, ``"Đà Nẵng"``, ``"da nang"``: case, accents
    and the "Tỉnh"/"Thành phố" prefix are ignored) or the 2-digit province code (``"48"``).
    The province is read from ``province_vi`` / ``province_code``, or from ``parent_code`` on
    the post-2025 table (whose parent is the province).

    Raises:
        ParameterError: the table has no province column, or no unit matches; the message
            lists the provinces available.
    """
    name_col = "province_vi" if "province_vi" in units.columns else None
    code_col = "province_code" if "province_code" in units.columns else None
    if code_col is None and name_col is not None and "parent_code" in units.columns:
        code_col = "parent_code"  # the post-2025 table: a commune's parent is its province
    if name_col is None and code_col is None:
        raise ParameterError(
            "province: the units table has no province_vi, province_code or parent_code "
            "column; give a national units table (data/raw/units/vn_units_2025.csv) or leave "
            "province empty"
        )
    want = str(province).strip()
    mask = pd.Series(False, index=units.index)
    if code_col is not None:
        mask |= units[code_col].astype(str).str.strip() == want
    if name_col is not None:
        key = _fold(_strip_prefix(want))
        names = units[name_col].astype(str)
        folded = {n: _fold(_strip_prefix(n)) for n in names.unique()}
        mask |= names.map(folded) == key
    if not mask.any():
        avail = sorted(units[name_col or code_col].dropna().astype(str).unique().tolist())
        raise ParameterError(
            f"province={province!r} matches no unit of the units table; give one of the "
            f"{len(avail)} provinces by name or code, e.g. {avail[:6]}"
        )
    return units.loc[mask].reset_index(drop=True)


def select_former_district(
    data: pd.DataFrame, district: str, *, units: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows of ``data`` that belong to a former (pre-2025) district.

    Works on units tables (old or new), crosswalks and observations: the ``former_district``
    column is used when present; otherwise ``unit_code`` is looked up in ``units`` (default: the
    Đại Lộc old and new unit tables). Matching ignores case, accents and prefixes such as
    "Huyện", so ``"Đại Lộc"``, ``"Huyện Đại Lộc"`` and ``"dai loc"`` are the same district.

    Args:
        data: any table with ``former_district`` or ``unit_code``.
        district: the district name (or its pre-2025 code, e.g. ``"506"``, on a crosswalk).
        units: lookup table ``unit_code -> former_district`` when ``data`` has no such column.

    Raises:
        ParameterError: no row matches; the message lists the districts available.

    >>> len(select_former_district(load_units(), "Huyện Đại Lộc"))
    18
    """
    if "former_district" in data.columns:
        col = data["former_district"]
    elif "unit_code" in data.columns:
        if units is None:
            units = pd.concat([load_units(), load_units_2025()], ignore_index=True)
        lookup = units.drop_duplicates("unit_code").set_index("unit_code")["former_district"]
        col = data["unit_code"].map(lookup)
    else:
        raise ParameterError(
            "select_former_district: data needs a 'former_district' or 'unit_code' column"
        )
    key = _fold(_strip_prefix(district))
    mask = col.map(lambda v: pd.notna(v) and _fold(_strip_prefix(v)) == key).astype(bool)
    if "old_district_code" in data.columns:
        mask |= (data["old_district_code"] == str(district).strip()).fillna(False).astype(bool)
    if not mask.any():
        avail = sorted(col.dropna().unique().tolist())
        raise ParameterError(
            f"select_former_district: no row has former_district {district!r}; "
            f"available: {avail[:20]}{' ...' if len(avail) > 20 else ''}"
        )
    return data.loc[mask].reset_index(drop=True)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km.

    >>> round(float(haversine_km(15.886972, 108.113221, 15.811651, 107.870235)), 1)
    27.3
    """
    r = 6371.0088  # IUGG mean Earth radius
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))
