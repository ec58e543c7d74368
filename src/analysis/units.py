"""Administrative units and the 2025 commune crosswalk (old -> new), with re-aggregation.

Since 1 July 2025 Vietnam has no district level and about 10,040 communes (10,035 in
``vietnamadminunits``, 10,047 in dvhcvn, plus 5 island districts) were rearranged into 3,321
(Resolutions 1654..1687/NQ-UBTVQH15). Đại Lộc district's 18 communes became 5 communes of Đà Nẵng
city (Resolution 1659/NQ-UBTVQH15, clauses 66-70). Historical data sit on the old units; decisions
are now taken on the new ones. This module:

* loads the unit tables (:func:`load_units`, :func:`load_units_2025`);
* loads an old -> new crosswalk (:func:`load_crosswalk`) from the resolution-checked Đại Lộc table,
  the PyPI package ``vietnamadminunits`` (any province or former district), the dvhcvn/20250701
  JSON, or a user CSV; old units split across several new communes are flagged and, until the user
  supplies shares (:func:`apply_split_shares`), marked ``needs_shares``;
* turns a crosswalk into constituent weights (:func:`compute_constituent_weights`) and a table for
  notebooks and briefs (:func:`constituents_table`);
* re-aggregates observations to the new units by indicator kind
  (:func:`reaggregate_observations`), with coverage and partial flags;
* keeps "the communes of former Đại Lộc district" selectable (:func:`select_former_district`);
* lists, not hides, disagreements between two crosswalks (:func:`compare_crosswalks`).

Crosswalk columns (one row per old -> new pair): ``old_code, new_code, old_name, new_name,
is_split, share_population, share_area, needs_shares, source`` then ``old_province_code,
old_province, old_district_code, old_district, former_district, new_province_code, new_province``
and ``has_outside_constituents`` (the new commune also takes in old units outside the selected
province/district), then source-specific extras (``is_default_successor`` for vietnamadminunits,
``resolution_clause`` and the 2019 weights for the Đại Lộc table). ``share_*`` is the fraction of
the OLD unit that goes to the new one: 1.0 for a whole unit, NaN for a split unit whose shares are
unknown.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .errors import AnalysisError, DataValidationError, ParameterError
from .io import OBS_COLUMNS, nfc, normalise_code, read_table
from .io import load_units as _io_load_units

__all__ = [
    "CROSSWALK_COLUMNS",
    "MissingSharesError",
    "UnitsWarning",
    "apply_split_shares",
    "compare_crosswalks",
    "compute_constituent_weights",
    "constituents_table",
    "load_crosswalk",
    "load_units",
    "load_units_2025",
    "reaggregate_observations",
    "select_former_district",
    "shares_template",
]

#: Leading columns of every crosswalk returned by :func:`load_crosswalk`.
CROSSWALK_COLUMNS = [
    "old_code",
    "new_code",
    "old_name",
    "new_name",
    "is_split",
    "share_population",
    "share_area",
    "needs_shares",
    "source",
]
_GEO_COLUMNS = [
    "old_province_code",
    "old_province",
    "old_district_code",
    "old_district",
    "former_district",
    "new_province_code",
    "new_province",
]
#: Default location of the dvhcvn/20250701 crosswalk (tests and benchmarks only).
DVHCVN_DIR = config.SHARED_DATASETS / "vn-commune-crosswalk-2025"
UNITS_2025_CSV = config.RAW / "units" / "dai_loc_units_2025.csv"
_SHARE_TOL = 1e-6
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


class MissingSharesError(AnalysisError):
    """Split units need allocation shares that the crosswalk does not have.

    Attributes:
        table: the rows to fill, as returned by :func:`shares_template` (``old_code, new_code,
            old_name, new_name, share``); save it as CSV, fill ``share`` and pass it to
            :func:`apply_split_shares` or ``load_crosswalk(..., shares=path)``.
    """

    def __init__(self, table: pd.DataFrame, context: str = ""):
        self.table = table
        n_old = table["old_code"].nunique()
        head = table.head(12).to_string(index=False)
        more = f"\n... and {len(table) - 12} more rows" if len(table) > 12 else ""
        super().__init__(
            f"{context}{n_old} old unit(s) are split across several new communes and have no "
            f"population (or area) shares ({len(table)} old->new rows):\n{head}{more}\n"
            "Fix: supply a CSV with columns old_code,new_code,share (the fraction of the OLD unit's "
            "population going to each new commune; shares of one old_code sum to 1) and pass it as "
            "load_crosswalk(..., shares=path) or apply_split_shares(crosswalk, path). "
            "The exception's .table attribute (or shares_template(crosswalk)) is that CSV with "
            "'share' left empty."
        )


class UnitsWarning(UserWarning):
    """A crosswalk or re-aggregation result needs the user's attention (not an error)."""


# --------------------------------------------------------------------------- small helpers
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


def _to_bool(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.fillna(False).astype(bool)
    truthy = {"true", "1", "yes", "y", "t"}
    return series.map(lambda v: str(v).strip().lower() in truthy if pd.notna(v) else False).astype(
        bool
    )


def _indicator_table(framework) -> pd.DataFrame:
    if framework is None:
        from .frameworks import load_framework

        framework = load_framework()
    ind = framework.indicators if hasattr(framework, "indicators") else framework
    if not isinstance(ind, pd.DataFrame) or not {"id", "kind"} <= set(ind.columns):
        raise ParameterError(
            "framework: expected an analysis.frameworks.Framework or its indicators table with "
            f"columns id, kind, reaggregate_by; got {type(framework).__name__}"
        )
    return ind


# --------------------------------------------------------------------------- units
def load_units(path: str | Path | None = None) -> pd.DataFrame:
    """Load a units table (default: the 18 pre-2025 communes of Đại Lộc).

    ``unit_code``, ``parent_code`` and ``successor_code`` are strings; text is NFC; ``lat, lon,
    population, households, area_km2`` are numbers.

    Args:
        path: CSV/XLSX/Parquet in the units contract (default ``data/raw/units/dai_loc_units.csv``).

    Returns:
        One row per unit.

    Raises:
        DataValidationError: missing column, duplicate code or bad coordinates, naming the row.
    """
    from .schema import validate_units

    path = Path(path) if path is not None else config.UNITS_CSV
    units = _io_load_units(path)
    problems = validate_units(units, source=str(path))
    if problems:
        raise DataValidationError(problems, source=str(path))
    return units


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
    units = _io_load_units(path)
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


# --------------------------------------------------------------------------- vietnamadminunits data
def _vau_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data"


@functools.lru_cache(maxsize=1)
def _vau_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(legacy, new) unit tables of vietnamadminunits: codes and names (cached, do not mutate)."""
    with sqlite3.connect(_vau_dir() / "dataset.db") as con:
        legacy = pd.read_sql_query(
            "select provinceCode, province, districtCode, district, districtShort, wardCode, ward, "
            "provinceKey, districtKey, wardKey from admin_units_legacy",
            con,
        )
        new = pd.read_sql_query(
            "select provinceCode, province, wardCode, ward, provinceKey, wardKey, wardAreaKm2 from admin_units",
            con,
        )
    for df in (legacy, new):
        for c in df.columns:
            if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                df[c] = df[c].map(nfc)
    # Island districts without communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) are
    # crosswalked as units of their own, under their district code (as dvhcvn does).
    legacy["old_code"] = legacy["wardCode"].fillna(legacy["districtCode"])
    legacy["old_name"] = legacy["ward"].fillna(legacy["district"])
    return legacy, new


def _enrich(cw: pd.DataFrame) -> pd.DataFrame:
    """Add province/district columns of old and new codes (from the vietnamadminunits DB)."""
    legacy, new = _vau_tables()
    old = legacy.drop_duplicates("old_code").set_index("old_code")
    nw = new.drop_duplicates("wardCode").set_index("wardCode")
    out = cw.copy()
    out["old_province_code"] = out["old_code"].map(old["provinceCode"])
    out["old_province"] = out["old_code"].map(old["province"])
    out["old_district_code"] = out["old_code"].map(old["districtCode"])
    out["old_district"] = out["old_code"].map(old["district"])
    out["former_district"] = out["old_code"].map(old["districtShort"])
    out["new_province_code"] = out["new_code"].map(nw["provinceCode"])
    out["new_province"] = out["new_code"].map(nw["province"])
    return out


@functools.lru_cache(maxsize=1)
def _vau_crosswalk() -> pd.DataFrame:
    """National crosswalk from ``vietnamadminunits/data/converter_2025.json`` (cached)."""
    legacy, new = _vau_tables()
    key_old = dict(
        zip(
            legacy["provinceKey"]
            + "_"
            + legacy["districtKey"]
            + "_"
            + legacy["wardKey"].fillna(""),
            legacy["old_code"],
            strict=True,
        )
    )
    key_new = dict(
        zip(zip(new["provinceKey"], new["wardKey"], strict=True), new["wardCode"], strict=True)
    )
    path = _vau_dir() / "converter_2025.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    rows: list[tuple] = []
    unresolved: list[str] = []
    for prov, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, old_keys in wards.items():
            for ok in old_keys:
                rows.append(
                    (key_old.get(ok), key_new.get((prov, new_key)), False, True, ok, new_key)
                )
    for prov, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for ok, targets in olds.items():
            for t in targets:
                rows.append(
                    (
                        key_old.get(ok),
                        key_new.get((prov, t["newWardKey"])),
                        True,
                        bool(t["isDefaultNewWard"]),
                        ok,
                        t["newWardKey"],
                    )
                )
    cw = pd.DataFrame(
        rows, columns=["old_code", "new_code", "is_split", "is_default_successor", "_ok", "_nk"]
    )
    bad = cw["old_code"].isna() | cw["new_code"].isna()
    if bad.any():
        unresolved = (cw.loc[bad, "_ok"] + " -> " + cw.loc[bad, "_nk"]).tolist()
        raise DataValidationError(
            [f"{path}: key {u} not found in dataset.db" for u in unresolved],
            source=f"vietnamadminunits {path}",
        )
    old_names = legacy.drop_duplicates("old_code").set_index("old_code")["old_name"]
    new_names = new.set_index("wardCode")["ward"]
    cw["old_name"] = cw["old_code"].map(old_names)
    cw["new_name"] = cw["new_code"].map(new_names)
    cw["source"] = "vietnamadminunits " + _vau_version()
    return cw.drop(columns=["_ok", "_nk"])


def _vau_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vietnamadminunits")
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return "?"


@functools.lru_cache(maxsize=4)
def _dvhcvn_crosswalk(folder: str) -> pd.DataFrame:
    """National crosswalk from dvhcvn/20250701 ``mapping/splits.json`` (cached)."""
    path = Path(folder)
    path = path / "splits.json" if path.is_dir() else path
    if not path.exists():
        raise DataValidationError([f"{path}: dvhcvn splits.json not found"], source=str(path))
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for prov in doc["data"]:
        items = list(prov.get("level3s", [])) + [
            {"level3_id": d["level2_id"], "name": d["name"], "splits": d["splits"]}
            for d in prov.get("level2s", [])
        ]
        for it in items:
            split = len(it["splits"]) > 1
            for s in it["splits"]:
                rows.append(
                    (
                        normalise_code(it["level3_id"]),
                        normalise_code(s["new_id"]),
                        nfc(it["name"]),
                        nfc(s["name"]),
                        split,
                    )
                )
    cw = pd.DataFrame(rows, columns=["old_code", "new_code", "old_name", "new_name", "is_split"])
    cw["source"] = "dvhcvn/20250701 splits.json"
    return cw


def _dai_loc_crosswalk(path: Path) -> pd.DataFrame:
    raw = read_table(path)
    for c in raw.columns:
        raw[c] = raw[c].map(nfc)
    cw = raw.rename(
        columns={
            "old_commune_pre_2025_07_01": "old_name",
            "new_commune_da_nang_from_2025_07_01": "new_name",
        }
    )
    return cw


def _finish(cw: pd.DataFrame, source_label: str) -> pd.DataFrame:
    """Normalise types, fill share/flag columns and order columns."""
    missing = [c for c in ("old_code", "new_code") if c not in cw.columns]
    if missing:
        raise DataValidationError(
            [
                f"{source_label}: crosswalk column(s) {missing} missing; expected at least old_code,new_code"
            ],
            source=source_label,
        )
    cw = cw.copy()
    cw["old_code"] = cw["old_code"].map(normalise_code).astype(str)
    cw["new_code"] = cw["new_code"].map(normalise_code).astype(str)
    dup = cw.duplicated(["old_code", "new_code"])
    if dup.any():
        pairs = cw.loc[dup, ["old_code", "new_code"]].astype(str).agg("->".join, axis=1).tolist()
        raise DataValidationError(
            [f"{source_label}: duplicate old->new pair(s) {pairs[:10]}; one row per pair"],
            source=source_label,
        )
    n_targets = cw.groupby("old_code")["new_code"].transform("size")
    cw["is_split"] = _to_bool(cw["is_split"]) if "is_split" in cw.columns else n_targets > 1
    cw["is_split"] = cw["is_split"] | (n_targets > 1)
    for c in ("old_name", "new_name"):
        cw[c] = cw[c].map(nfc) if c in cw.columns else pd.Series(pd.NA, index=cw.index, dtype="str")
    for c in ("share_population", "share_area"):
        cw[c] = pd.to_numeric(cw[c], errors="coerce") if c in cw.columns else np.nan
        cw.loc[~cw["is_split"] & cw[c].isna(), c] = 1.0
    cw["needs_shares"] = cw["is_split"] & cw["share_population"].isna() & cw["share_area"].isna()
    if "source" not in cw.columns:
        cw["source"] = source_label
    cw["source"] = cw["source"].fillna(source_label)
    if not set(_GEO_COLUMNS) <= set(cw.columns):
        keep = [c for c in _GEO_COLUMNS if c in cw.columns]
        enriched = _enrich(cw.drop(columns=keep))
        for c in keep:  # values given by the source win over the DB lookup
            enriched[c] = cw[c].where(cw[c].notna(), enriched[c])
        cw = enriched
    cols = CROSSWALK_COLUMNS + _GEO_COLUMNS
    cw = cw[cols + [c for c in cw.columns if c not in cols]]
    return cw.sort_values(["new_code", "old_code"], kind="stable").reset_index(drop=True)


def _filter(cw: pd.DataFrame, province: str | None, former_district: str | None) -> pd.DataFrame:
    if province is not None:
        p = str(province).strip()
        key = _fold(_strip_prefix(p))
        mask = pd.Series(False, index=cw.index)
        for code_col, name_col in (
            ("old_province_code", "old_province"),
            ("new_province_code", "new_province"),
        ):
            mask |= cw[code_col].astype(str).eq(p).fillna(False).astype(bool)
            names = cw[name_col].dropna().unique()
            hit = {n for n in names if _fold(_strip_prefix(n)) == key}
            mask |= cw[name_col].isin(hit).fillna(False).astype(bool)
        if not mask.any():
            avail = sorted(set(cw["old_province"].dropna()) | set(cw["new_province"].dropna()))
            raise ParameterError(
                f"load_crosswalk: province={province!r} matches no old or new province; available: {avail}"
            )
        cw = cw[mask]
    if former_district is not None:
        d = str(former_district).strip()
        key = _fold(_strip_prefix(d))
        by_code = cw["old_district_code"].astype(str).eq(d).fillna(False).astype(bool)
        by_name = (
            cw["old_district"]
            .map(lambda v: pd.notna(v) and _fold(_strip_prefix(v)) == key)
            .astype(bool)
        )
        mask = by_code | by_name
        codes = cw.loc[by_name, "old_district_code"].dropna().unique()
        if not by_code.any() and len(codes) > 1:
            which = cw.loc[by_name].drop_duplicates("old_district_code")
            cand = [
                f"{r.old_district} ({r.old_province}, code {r.old_district_code})"
                for r in which.itertuples()
            ]
            raise ParameterError(
                f"load_crosswalk: former_district={former_district!r} is ambiguous: {cand}; "
                "pass province=... or the district code"
            )
        if not mask.any():
            raise ParameterError(
                f"load_crosswalk: former_district={former_district!r} matches no pre-2025 district"
                + (f" in province {province!r}" if province else "")
                + "; give the name as in the 2019 list (e.g. 'Đại Lộc') or the 3-digit district code"
            )
        cw = cw[mask]
    return cw.reset_index(drop=True)


def load_crosswalk(
    source: str | Path = "dai_loc",
    province: str | None = None,
    former_district: str | None = None,
    *,
    shares: str | Path | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Load the 2025 commune crosswalk (one row per old -> new pair).

    Args:
        source: ``"dai_loc"`` (the resolution-checked table in ``data/raw/units/``),
            ``"vietnamadminunits"`` (national, from the PyPI package), ``"dvhcvn"`` (national,
            the dvhcvn/20250701 JSON in the shared datasets folder), or a path: a CSV/XLSX with at
            least ``old_code,new_code`` (optional ``old_name, new_name, is_split,
            share_population, share_area, source``) or a folder / ``splits.json`` of dvhcvn.
        province: keep rows whose old OR new province matches (code like ``"49"`` or name like
            ``"Quảng Nam"`` / ``"Thành phố Đà Nẵng"``; accents and case ignored).
        former_district: keep rows whose old unit lay in this pre-2025 district (name, e.g.
            ``"Đại Lộc"``, or 3-digit code ``"506"``).
        shares: optional CSV path or DataFrame ``old_code,new_code,share`` for split units,
            applied with :func:`apply_split_shares`.

    Returns:
        The crosswalk, columns :data:`CROSSWALK_COLUMNS` then province/district columns then
        source extras. Split units without shares have ``needs_shares=True``; a
        :class:`UnitsWarning` says how many and what to supply.

    Raises:
        ParameterError: unknown source, or a province/district that matches nothing.
        DataValidationError: a malformed crosswalk file.

    >>> cw = load_crosswalk("vietnamadminunits", former_district="Đại Lộc")
    >>> cw.groupby("new_name")["old_code"].size().to_dict()
    {'Xã Hà Nha': 3, 'Xã Phú Thuận': 4, 'Xã Thượng Đức': 3, 'Xã Vu Gia': 3, 'Xã Đại Lộc': 5}
    """
    label = str(source)
    if isinstance(source, str) and source == "dai_loc":
        cw = _finish(
            _dai_loc_crosswalk(config.CROSSWALK_CSV),
            f"Resolution 1659/NQ-UBTVQH15 ({config.CROSSWALK_CSV.name})",
        )
    elif isinstance(source, str) and source == "vietnamadminunits":
        cw = _finish(_vau_crosswalk(), label)
    elif isinstance(source, str) and source == "dvhcvn":
        cw = _finish(_dvhcvn_crosswalk(str(DVHCVN_DIR)), label)
    else:
        path = Path(source)
        if not path.exists():
            raise ParameterError(
                f"load_crosswalk: source={source!r} is neither 'dai_loc', 'vietnamadminunits', "
                "'dvhcvn' nor an existing file/folder"
            )
        if path.is_dir() or path.suffix.lower() == ".json":
            cw = _finish(_dvhcvn_crosswalk(str(path)), str(path))
        else:
            cw = _finish(_dai_loc_crosswalk(path), str(path))
    full_counts = cw.groupby("new_code")["old_code"].size()
    cw = _filter(cw, province, former_district)
    # a new commune that also takes in old units outside the selection
    kept = cw.groupby("new_code")["old_code"].transform("size")
    cw["has_outside_constituents"] = cw["new_code"].map(full_counts).to_numpy() > kept.to_numpy()
    lead = CROSSWALK_COLUMNS + _GEO_COLUMNS + ["has_outside_constituents"]
    cw = cw[lead + [c for c in cw.columns if c not in lead]]
    if shares is not None:
        cw = apply_split_shares(cw, shares)
    n = int(cw.loc[cw["needs_shares"], "old_code"].nunique())
    if n:
        warnings.warn(
            f"load_crosswalk({label!r}): {n} old unit(s) are split across several new communes and "
            "have no population/area shares; weights for their new communes cannot be computed "
            "until you supply a CSV old_code,new_code,share (see shares_template(crosswalk)) via "
            "load_crosswalk(..., shares=path).",
            UnitsWarning,
            stacklevel=2,
        )
    return cw


def shares_template(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """The rows a user must fill for split units without shares.

    Returns:
        ``old_code, new_code, old_name, new_name, former_district, share`` (``share`` empty);
        save it as CSV, fill ``share`` (fraction of the old unit's population going to the new
        commune; each ``old_code`` sums to 1) and pass it to :func:`apply_split_shares`.
    """
    need = crosswalk.loc[crosswalk["needs_shares"]]
    cols = ["old_code", "new_code", "old_name", "new_name"] + (
        ["former_district"] if "former_district" in crosswalk else []
    )
    return need[cols].assign(share=np.nan).reset_index(drop=True)


def apply_split_shares(
    crosswalk: pd.DataFrame, shares: str | Path | pd.DataFrame, *, kind: str = "population"
) -> pd.DataFrame:
    """Set allocation shares of split units from a user table.

    Args:
        crosswalk: from :func:`load_crosswalk`.
        shares: CSV path or DataFrame with columns ``old_code, new_code, share``.
        kind: ``population`` (sets ``share_population``) or ``area`` (sets ``share_area``).

    Returns:
        A copy with shares set and ``needs_shares`` recomputed.

    Raises:
        DataValidationError: unknown pair, share outside [0, 1], or the shares of one old unit
            not summing to 1 (row and value named).
    """
    if kind not in ("population", "area"):
        raise ParameterError(f"apply_split_shares: kind={kind!r}; expected 'population' or 'area'")
    label = str(shares) if not isinstance(shares, pd.DataFrame) else "<shares>"
    df = read_table(shares) if not isinstance(shares, pd.DataFrame) else shares.copy()
    missing = [c for c in ("old_code", "new_code", "share") if c not in df.columns]
    if missing:
        raise DataValidationError(
            [f"{label}: missing column(s) {missing}; expected old_code,new_code,share"],
            source=label,
        )
    df["old_code"] = df["old_code"].map(normalise_code).astype(str)
    df["new_code"] = df["new_code"].map(normalise_code).astype(str)
    df["share"] = pd.to_numeric(df["share"], errors="coerce")
    problems = []
    pairs = set(zip(crosswalk["old_code"], crosswalk["new_code"], strict=True))
    for i, r in df.iterrows():
        row = i + 2
        if (r["old_code"], r["new_code"]) not in pairs:
            problems.append(
                f"{label}:{row}: pair {r['old_code']}->{r['new_code']} is not in the crosswalk; check the codes"
            )
        if not (0 <= r["share"] <= 1):
            problems.append(
                f"{label}:{row}: column 'share' value {r['share']!r} must be a number in [0, 1]"
            )
    sums = df.groupby("old_code")["share"].sum()
    for code, s in sums.items():
        if abs(s - 1) > 1e-3:
            problems.append(
                f"{label}: shares of old_code {code} sum to {s:.4f}; they must sum to 1 over its new communes"
            )
    if problems:
        raise DataValidationError(problems, source=label)
    col = f"share_{kind}"
    out = crosswalk.copy()
    key = out["old_code"] + "|" + out["new_code"]
    upd = dict(zip(df["old_code"] + "|" + df["new_code"], df["share"], strict=True))
    hit = key.isin(upd.keys())
    out.loc[hit, col] = key[hit].map(upd).astype(float)
    # pairs of a supplied old unit that the user left out get share 0
    given = out["old_code"].isin(set(df["old_code"])) & ~hit
    out.loc[given, col] = 0.0
    out["needs_shares"] = (
        out["is_split"] & out["share_population"].isna() & out["share_area"].isna()
    )
    return out


# --------------------------------------------------------------------------- weights
def _allocation(crosswalk: pd.DataFrame, context: str) -> pd.Series:
    """Share of each old unit allocated to each pair: population share, else area share."""
    share = crosswalk["share_population"].astype(float)
    use_area = share.isna() & crosswalk["share_area"].notna()
    if use_area.any():
        codes = sorted(crosswalk.loc[use_area, "old_code"].unique())
        warnings.warn(
            f"{context}: {len(codes)} split unit(s) {codes[:10]} have only area shares; using them as "
            "population shares (supply population shares for a better estimate)",
            UnitsWarning,
            stacklevel=3,
        )
        share = share.fillna(crosswalk["share_area"].astype(float))
    if share.isna().any():
        raise MissingSharesError(
            shares_template(crosswalk.assign(needs_shares=share.isna())), f"{context}: "
        )
    return share


def _base_weights(crosswalk: pd.DataFrame, units: pd.DataFrame, context: str) -> pd.DataFrame:
    """Pairs with allocation share and the population/households of each piece."""
    need = [
        c
        for c in ("old_code", "new_code", "share_population", "share_area", "is_split")
        if c not in crosswalk.columns
    ]
    if need:
        raise ParameterError(
            f"{context}: crosswalk lacks column(s) {need}; build it with load_crosswalk()"
        )
    share = _allocation(crosswalk, context)
    cols = ["unit_code"] + [c for c in ("population", "households") if c in units.columns]
    u = units[cols].drop_duplicates("unit_code").set_index("unit_code")
    missing = sorted(set(crosswalk["old_code"]) - set(u.index))
    if missing:
        raise DataValidationError(
            [
                f"{context}: {len(missing)} old_code(s) of the crosswalk are not in units: {missing[:15]}; "
                "filter the crosswalk (load_crosswalk(..., former_district=...)) or add these units with population/households"
            ],
            source=context,
        )
    out = crosswalk[["new_code", "old_code", "is_split"]].copy()
    out["share"] = share.to_numpy()
    for c in ("population", "households"):
        out[c] = (
            out["old_code"].map(u[c]).astype(float) * out["share"] if c in u.columns else np.nan
        )
    return out


def compute_constituent_weights(
    crosswalk: pd.DataFrame, units: pd.DataFrame, by: str = "population"
) -> pd.DataFrame:
    """Weight of each old unit (constituent) within each new commune.

    ``weight = by(old) * share(old -> new) / sum over constituents``, where ``share`` is 1 for a
    whole unit and the population share (else area share) for a split unit.

    Args:
        crosswalk: from :func:`load_crosswalk` (restricted to the units you have).
        units: old units with ``unit_code`` and the ``by`` column.
        by: ``population`` or ``households``.

    Returns:
        ``new_code, old_code, weight`` (sums to 1 per ``new_code``) plus ``share`` and ``basis``
        (the constituent's ``by`` count allocated to the new commune).

    Raises:
        MissingSharesError: split units without shares (message and ``.table`` say what to supply).
        DataValidationError: old codes missing from ``units`` or a missing/zero ``by`` value.

    >>> w = compute_constituent_weights(load_crosswalk(), load_units())
    >>> w.groupby("new_code")["weight"].sum().round(12).unique().tolist()
    [1.0]
    """
    if by not in ("population", "households"):
        raise ParameterError(
            f"compute_constituent_weights: by={by!r}; expected 'population' or 'households'"
        )
    if by not in units.columns:
        raise DataValidationError(
            [f"units: column {by!r} missing; it is needed to weight constituents"], source="units"
        )
    base = _base_weights(crosswalk, units, "compute_constituent_weights")
    bad = base[base[by].isna()]
    if len(bad):
        raise DataValidationError(
            [
                f"units: {by} missing for unit_code {c}; fill it (2019 census) to weight constituents"
                for c in bad["old_code"].unique()
            ],
            source="units",
        )
    total = base.groupby("new_code")[by].transform("sum")
    zero = base.loc[total <= 0, "new_code"].unique()
    if len(zero):
        raise DataValidationError(
            [f"new commune {c}: total {by} of its constituents is 0; cannot weight" for c in zero],
            source="units",
        )
    out = pd.DataFrame(
        {
            "new_code": base["new_code"],
            "old_code": base["old_code"],
            "weight": base[by] / total,
            "share": base["share"],
            "basis": base[by],
        }
    )
    return out.sort_values(["new_code", "old_code"], kind="stable").reset_index(drop=True)


def constituents_table(crosswalk: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Each new commune's constituents with their weights (for notebooks and briefs).

    Returns:
        One row per (new commune, old unit): ``new_code, new_name, old_code, old_name,
        former_district, is_split, share, population, households, weight_population,
        weight_households`` (+ ``resolution_clause`` when the crosswalk has it), sorted by new
        commune then descending population weight. ``population``/``households`` are the pieces
        allocated to the new commune (the whole unit unless split).
    """
    wp = compute_constituent_weights(crosswalk, units, "population")
    has_hh = "households" in units.columns and units["households"].notna().all()
    wh = compute_constituent_weights(crosswalk, units, "households") if has_hh else None
    keys = ["new_code", "old_code"]
    extra = [
        c
        for c in ("new_name", "old_name", "former_district", "is_split", "resolution_clause")
        if c in crosswalk.columns
    ]
    t = crosswalk[keys + extra].merge(
        wp.rename(columns={"weight": "weight_population", "basis": "population"}), on=keys
    )
    if wh is not None:
        t = t.merge(
            wh[keys + ["weight", "basis"]].rename(
                columns={"weight": "weight_households", "basis": "households"}
            ),
            on=keys,
        )
    else:
        t["households"] = np.nan
        t["weight_households"] = np.nan
    names = units.drop_duplicates("unit_code").set_index("unit_code")
    if "name_vi" in names.columns:
        t["old_name"] = t["old_code"].map(names["name_vi"]).fillna(t.get("old_name"))
    cols = [
        "new_code",
        "new_name",
        "old_code",
        "old_name",
        "former_district",
        "is_split",
        "share",
        "population",
        "households",
        "weight_population",
        "weight_households",
    ]
    cols = [c for c in cols if c in t.columns] + [
        c for c in ("resolution_clause",) if c in t.columns
    ]
    t = t[cols].sort_values(
        ["new_code", "weight_population"], ascending=[True, False], kind="stable"
    )
    return t.reset_index(drop=True)


# --------------------------------------------------------------------------- re-aggregation
def reaggregate_observations(
    observations: pd.DataFrame,
    crosswalk: pd.DataFrame,
    units: pd.DataFrame,
    framework=None,
) -> pd.DataFrame:
    """Re-aggregate observations from old units to the new (post-2025) communes.

    By indicator ``kind`` (framework):

    * ``rate`` and ``score``: weighted mean over the constituents that have a value, weights =
      ``reaggregate_by`` (population or households) x allocation share;
    * ``count`` without ``denominator``: sum of ``share x value`` (a split unit contributes its
      share); a partial sum is an undercount, hence ``is_partial``;
    * ``count`` with a ``denominator`` (e.g. per 1,000 households): such values are densities, so
      the absolute counts ``value x denominator / scale`` are summed and divided by the summed
      denominator, i.e. a weighted mean by the denominator.

    Composite scores (pillars, index) are NOT averaged: recompute them from the re-aggregated
    indicators with the composite engine.

    Args:
        observations: observations contract, ``unit_code`` = OLD codes.
        crosswalk: from :func:`load_crosswalk`, covering every old code in ``observations``.
        units: old units with ``population`` and ``households`` (e.g. :func:`load_units`).
        framework: :class:`analysis.frameworks.Framework` or its indicators table (default:
            the commune framework).

    Returns:
        Observations on NEW codes: ``unit_code, period, indicator, value, status, source`` then
        ``n_constituents, n_covered, coverage_share`` (share of the new commune's population,
        allocated by share, whose constituents have a value), ``is_partial`` (a constituent is
        missing) and ``former_district``. ``status`` is the worst status of the constituents
        used; values apportioned from split units are at least ``estimated``.

    Raises:
        DataValidationError: observation units absent from the crosswalk, or indicators absent
            from the framework (listed, with the fix).
        MissingSharesError: split units without shares.
    """
    ind = _indicator_table(framework)
    obs = observations.copy()
    missing_cols = [
        c for c in ("unit_code", "period", "indicator", "value") if c not in obs.columns
    ]
    if missing_cols:
        raise DataValidationError(
            [f"observations: column(s) {missing_cols} missing; expected {OBS_COLUMNS}"],
            source="observations",
        )
    codes = obs["unit_code"].astype(object)
    obs["unit_code"] = codes.map({c: normalise_code(c) for c in pd.unique(codes)}).astype(str)
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce")
    if "status" not in obs.columns:
        obs["status"] = "observed"
    if "source" not in obs.columns:
        obs["source"] = ""
    obs_units = set(obs["unit_code"].unique().tolist())
    obs_inds = set(obs["indicator"].unique().tolist())
    unknown_units = sorted(obs_units - set(crosswalk["old_code"]))
    if unknown_units:
        raise DataValidationError(
            [
                f"observations: unit_code(s) {unknown_units[:15]} are not old codes of the crosswalk; "
                "use a crosswalk covering them (e.g. load_crosswalk('vietnamadminunits', former_district=...)) "
                "or drop those rows"
            ],
            source="observations",
        )
    dup = obs.duplicated(["unit_code", "period", "indicator"])
    if dup.any():
        first = (
            obs.loc[dup, ["unit_code", "period", "indicator"]]
            .head(5)
            .astype(str)
            .agg("/".join, axis=1)
            .tolist()
        )
        raise DataValidationError(
            [
                f"observations: {int(dup.sum())} duplicate (unit_code, period, indicator) row(s), e.g. {first}; keep one row each"
            ],
            source="observations",
        )
    unknown_ind = sorted(obs_inds - set(ind["id"]))
    if unknown_ind:
        raise DataValidationError(
            [
                f"observations: indicator(s) {unknown_ind[:15]} are not in the framework; add them (with kind and reaggregate_by) or drop them"
            ],
            source="observations",
        )
    # Only the new communes that some observation reaches; all their constituents count for coverage.
    targets = set(crosswalk.loc[crosswalk["old_code"].isin(obs_units), "new_code"])
    cw = crosswalk[crosswalk["new_code"].isin(targets)]
    base = _base_weights(cw, units, "reaggregate_observations")
    if base["population"].isna().any():
        codes = sorted(base.loc[base["population"].isna(), "old_code"].unique())
        raise DataValidationError(
            [f"units: population missing for unit_code(s) {codes}; needed for coverage_share"],
            source="units",
        )

    if "has_outside_constituents" in cw.columns and cw["has_outside_constituents"].any():
        codes = sorted(cw.loc[cw["has_outside_constituents"], "new_code"].unique())
        warnings.warn(
            f"reaggregate_observations: new commune(s) {codes[:10]} also take in old units outside "
            "this crosswalk selection; their values and coverage_share cover only the selected "
            "constituents (load the crosswalk by province to include all of them)",
            UnitsWarning,
            stacklevel=2,
        )
    meta = ind.set_index("id")
    # how each indicator re-aggregates (computed once per indicator, not per row)
    im = meta.loc[sorted(obs_inds)]
    kind = im["kind"]
    by = im["reaggregate_by"] if "reaggregate_by" in im else pd.Series("population", index=im.index)
    by = by.astype(object)
    if "denominator" in im:
        is_dens = kind.eq("count") & im["denominator"].notna()
        by = by.where(~is_dens, im["denominator"])
    else:
        is_dens = pd.Series(False, index=im.index)
    by = by.fillna("population")
    bad_by = sorted(set(by) - {"population", "households"})
    if bad_by:
        raise DataValidationError(
            [
                f"framework: reaggregate_by/denominator {bad_by} not supported; use population or households"
            ],
            source="framework",
        )
    if by.eq("households").any() and base["households"].isna().any():
        codes = sorted(base.loc[base["households"].isna(), "old_code"].unique())
        raise DataValidationError(
            [
                f"units: households missing for unit_code(s) {codes[:15]}; needed by indicators re-aggregated by households"
            ],
            source="units",
        )
    im = pd.DataFrame(
        {
            "indicator": im.index,
            "_mode": np.where(kind.eq("count") & ~is_dens, "sum", "mean"),
            "_by": by.to_numpy(),
        }
    )

    # all (new unit, constituent) x (period, indicator) combinations present in the data
    keys = obs[["period", "indicator"]].drop_duplicates().merge(im, on="indicator")
    grid = base.merge(keys, how="cross")
    x = grid.merge(
        obs[["unit_code", "period", "indicator", "value", "status", "source"]]
        .assign(_in=True)
        .rename(columns={"unit_code": "old_code"}),
        on=["old_code", "period", "indicator"],
        how="left",
    )
    has = x["value"].notna()
    w = np.where(x["_by"].eq("households"), x["households"], x["population"])
    x["_w"] = np.where(has, w, 0.0)
    x["_wv"] = np.where(has, w * x["value"].fillna(0.0), 0.0)
    x["_sv"] = np.where(has, x["share"] * x["value"].fillna(0.0), 0.0)
    x["_pop_cov"] = np.where(has, x["population"], 0.0)
    x["_has"] = has
    x["_split_used"] = has & x["is_split"].astype(bool)
    gkeys = ["new_code", "period", "indicator"]
    g = x.groupby(gkeys, sort=True)
    agg = g.agg(
        _mode=("_mode", "first"),
        _w=("_w", "sum"),
        _wv=("_wv", "sum"),
        _sv=("_sv", "sum"),
        _pop_cov=("_pop_cov", "sum"),
        _pop=("population", "sum"),
        n_constituents=("old_code", "size"),
        n_covered=("_has", "sum"),
        _split_used=("_split_used", "any"),
    ).reset_index()
    # keep only (new, period, indicator) that at least one observation row reaches
    present = x[x["_in"].notna()][gkeys].drop_duplicates()
    agg = agg.merge(present, on=gkeys, how="inner")
    mean = np.where(agg["_w"] > 0, agg["_wv"] / agg["_w"].where(agg["_w"] > 0, 1.0), np.nan)
    total = np.where(agg["n_covered"] > 0, agg["_sv"], np.nan)
    agg["value"] = np.where(agg["_mode"].eq("sum"), total, mean)
    agg["coverage_share"] = agg["_pop_cov"] / agg["_pop"]
    agg["is_partial"] = agg["n_covered"] < agg["n_constituents"]

    order = {s: i for i, s in enumerate(config.STATUSES)}
    xs = x[x["_in"].notna()].copy()
    xs["_rank"] = xs["status"].map(order)
    # worst status over constituents with a value; if none has one, over the rows present
    xs["_rank_v"] = xs["_rank"].where(xs["_has"])
    st = xs.groupby(gkeys).agg(_rv=("_rank_v", "max"), _ra=("_rank", "max")).reset_index()
    st["_r"] = st["_rv"].fillna(st["_ra"])
    # sources: distinct non-empty texts per group, joined (python only for multi-source groups)
    srcs = xs.loc[xs["source"].notna(), gkeys + ["source"]].astype({"source": "str"})
    srcs = srcs[srcs["source"] != ""].drop_duplicates().sort_values(gkeys + ["source"])
    n_src = srcs.groupby(gkeys)["source"].transform("size")
    multi = srcs[n_src > 1].groupby(gkeys)["source"].agg("; ".join).reset_index()
    src = pd.concat([srcs[n_src == 1], multi], ignore_index=True)
    agg = agg.merge(st[gkeys + ["_r"]], on=gkeys, how="left").merge(src, on=gkeys, how="left")
    est = order["estimated"]
    r = agg["_r"].where(~(agg["_split_used"] & (agg["_r"] < est)), est)
    if agg["_r"].isna().any():  # unknown status text: keep the worst known
        r = r.fillna(len(config.STATUSES) - 1)
    agg["status"] = np.asarray(config.STATUSES, dtype=object)[r.astype(int).to_numpy()]
    label = crosswalk["source"].iloc[0] if len(crosswalk) else "crosswalk"
    agg["source"] = agg["source"].fillna("") + f" | re-aggregated to 2025 communes ({label})"
    agg["source"] = agg["source"].str.lstrip(" |")
    fd = (
        cw.groupby("new_code")["former_district"].agg(
            lambda s: " | ".join(sorted({v for v in s.dropna()}))
        )
        if "former_district" in cw.columns
        else pd.Series(dtype="str")
    )
    agg["former_district"] = agg["new_code"].map(fd)
    out = agg.rename(columns={"new_code": "unit_code"})
    cols = OBS_COLUMNS + [
        "n_constituents",
        "n_covered",
        "coverage_share",
        "is_partial",
        "former_district",
    ]
    out = out[cols]
    out["n_covered"] = out["n_covered"].astype(int)
    return out.sort_values(["unit_code", "period", "indicator"], kind="stable").reset_index(
        drop=True
    )


# --------------------------------------------------------------------------- comparison
def compare_crosswalks(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """List every old unit on which two crosswalks disagree.

    Args:
        a, b: crosswalks (``old_code, new_code``; names and ``source`` used when present).

    Returns:
        One row per disagreeing old code: ``old_code, old_name, issue, new_codes_a,
        new_codes_b, new_names_a, new_names_b, source_a, source_b``. ``issue`` is one of
        ``only_in_a``, ``only_in_b`` (old code absent from the other crosswalk),
        ``different_successor`` (disjoint successor sets), ``a_has_more_successors`` /
        ``b_has_more_successors`` (one set contains the other: a split seen by one source only),
        ``overlapping_successors``. Empty when they agree.
    """

    def sets(cw: pd.DataFrame) -> pd.DataFrame:
        names = cw["new_name"] if "new_name" in cw.columns else cw["new_code"]
        df = cw.assign(_nn=names)
        g = df.groupby("old_code")
        out = pd.DataFrame(
            {
                "codes": g["new_code"].agg(lambda s: tuple(sorted(set(s)))),
                "names": g["_nn"].agg(lambda s: tuple(sorted({str(v) for v in s}))),
            }
        )
        out["old_name"] = g["old_name"].first() if "old_name" in cw.columns else pd.NA
        return out

    sa, sb = sets(a), sets(b)
    src_a = str(a["source"].iloc[0]) if "source" in a.columns and len(a) else "a"
    src_b = str(b["source"].iloc[0]) if "source" in b.columns and len(b) else "b"
    rows = []
    for code in sorted(set(sa.index) | set(sb.index)):
        ia, ib = code in sa.index, code in sb.index
        ca = set(sa.at[code, "codes"]) if ia else set()
        cb = set(sb.at[code, "codes"]) if ib else set()
        if ia and ib and ca == cb:
            continue
        if not ib:
            issue = "only_in_a"
        elif not ia:
            issue = "only_in_b"
        elif not (ca & cb):
            issue = "different_successor"
        elif ca > cb:
            issue = "a_has_more_successors"
        elif cb > ca:
            issue = "b_has_more_successors"
        else:
            issue = "overlapping_successors"
        name = sa.at[code, "old_name"] if ia else sb.at[code, "old_name"]
        rows.append(
            {
                "old_code": code,
                "old_name": name,
                "issue": issue,
                "new_codes_a": ", ".join(sorted(ca)),
                "new_codes_b": ", ".join(sorted(cb)),
                "new_names_a": ", ".join(sa.at[code, "names"]) if ia else "",
                "new_names_b": ", ".join(sb.at[code, "names"]) if ib else "",
                "source_a": src_a,
                "source_b": src_b,
            }
        )
    cols = [
        "old_code",
        "old_name",
        "issue",
        "new_codes_a",
        "new_codes_b",
        "new_names_a",
        "new_names_b",
        "source_a",
        "source_b",
    ]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- frozen table
def _build_dai_loc_crosswalk(
    facts_csv: str | Path, units: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Build ``data/raw/units/dai_loc_crosswalk_2025.csv`` from the resolution-checked facts file.

    Keeps the source columns (old_code, old_commune_pre_2025_07_01, new_code,
    new_commune_da_nang_from_2025_07_01, resolution, resolution_clause, source_url, source_note)
    and adds ``is_split, share_population, share_area, population_2019, households_2019,
    weight_population, weight_households``.
    """
    units = load_units() if units is None else units
    raw = read_table(facts_csv)
    for c in raw.columns:
        raw[c] = raw[c].map(nfc)
    raw["old_code"] = raw["old_code"].map(normalise_code)
    raw["new_code"] = raw["new_code"].map(normalise_code)
    cw = _finish(
        raw.rename(
            columns={
                "old_commune_pre_2025_07_01": "old_name",
                "new_commune_da_nang_from_2025_07_01": "new_name",
            }
        ).assign(source="resolution 1659/NQ-UBTVQH15"),
        str(facts_csv),
    )
    wp = compute_constituent_weights(cw, units, "population").set_index(["new_code", "old_code"])
    wh = compute_constituent_weights(cw, units, "households").set_index(["new_code", "old_code"])
    out = raw.copy()
    idx = pd.MultiIndex.from_arrays([out["new_code"], out["old_code"]])
    split = cw.set_index(["new_code", "old_code"])
    out["is_split"] = split.loc[idx, "is_split"].to_numpy()
    out["share_population"] = split.loc[idx, "share_population"].to_numpy()
    out["share_area"] = split.loc[idx, "share_area"].to_numpy()
    out["population_2019"] = wp.loc[idx, "basis"].round().astype(int).to_numpy()
    out["households_2019"] = wh.loc[idx, "basis"].round().astype(int).to_numpy()
    out["weight_population"] = wp.loc[idx, "weight"].round(6).to_numpy()
    out["weight_households"] = wh.loc[idx, "weight"].round(6).to_numpy()
    return out.sort_values("old_code", kind="stable").reset_index(drop=True)


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
