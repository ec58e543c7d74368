"""The 2025 commune crosswalk (old -> new): loading, filtering, split shares, comparison.

Crosswalk columns (one row per old -> new pair): ``old_code, new_code, old_name, new_name,
is_split, share_population, share_area, needs_shares, source`` then ``old_province_code,
old_province, old_district_code, old_district, former_district, new_province_code, new_province``
and ``has_outside_constituents`` (the new commune also takes in old units outside the selected
province/district), then source-specific extras (``is_default_successor`` for vietnamadminunits,
``resolution_clause`` and the 2019 weights for the Đại Lộc table). ``share_*`` is the fraction of
the OLD unit that goes to the new one: 1.0 for a whole unit, NaN for a split unit whose shares are
unknown.

Sources: the resolution-checked Đại Lộc table, the PyPI package ``vietnamadminunits`` (any
province or former district), the dvhcvn/20250701 JSON, or a user CSV; old units split across
several new communes are flagged and, until the user supplies shares (:func:`apply_split_shares`),
marked ``needs_shares``.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import AnalysisError, DataValidationError, ParameterError
from ..io import nfc, normalise_code, read_table
from ..provenance import dataset_record
from .registry import _fold, _strip_prefix

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


#: Provenance of the national crosswalks read from packages or the shared datasets folder.
_NATIONAL_RECORDS = {
    "vietnamadminunits": {
        "id": "vietnamadminunits_2025",
        "title": "National crosswalk of commune-level units, pre- to post-1 July 2025",
        "producer": "PyPI package vietnamadminunits 1.0.4 (Trần Ngọc Minh Hiếu, MIT), after the "
        "Resolutions 1654-1687/NQ-UBTVQH15 of 2025",
        "date": "2025",
        "url": "https://github.com/tranngocminhhieu/vietnamadminunits",
        "licence": "MIT",
        "status": "published",
        "citation_en": "Resolutions 1654-1687/NQ-UBTVQH15 (2025) on the arrangement of "
        "commune-level units, as tabulated by the package vietnamadminunits 1.0.4.",
        "citation_vi": "Các Nghị quyết 1654-1687/NQ-UBTVQH15 (2025) về sắp xếp đơn vị hành chính "
        "cấp xã, theo bảng của gói vietnamadminunits 1.0.4.",
    },
    "dvhcvn": {
        "id": "dvhcvn_20250701",
        "title": "National crosswalk of commune-level units, pre- to post-1 July 2025 (dvhcvn)",
        "producer": "dvhcvn/20250701 (MIT), after the Resolutions 1654-1687/NQ-UBTVQH15 of 2025",
        "date": "2025",
        "url": "https://github.com/dvhcvn/20250701",
        "licence": "MIT",
        "status": "published",
        "citation_en": "Resolutions 1654-1687/NQ-UBTVQH15 (2025) on the arrangement of "
        "commune-level units, as tabulated by dvhcvn/20250701.",
        "citation_vi": "Các Nghị quyết 1654-1687/NQ-UBTVQH15 (2025) về sắp xếp đơn vị hành chính "
        "cấp xã, theo bảng của dvhcvn/20250701.",
    },
}


def crosswalk_record(source: str | Path = "dai_loc") -> dict:
    """The provenance record of a crosswalk named as in :func:`load_crosswalk`."""
    if isinstance(source, str) and source == "dai_loc":
        return dataset_record(config.CROSSWALK_CSV, "crosswalk")
    if isinstance(source, str) and source in _NATIONAL_RECORDS:
        return dict(_NATIONAL_RECORDS[source], role="crosswalk", path=source, files={})
    return dataset_record(source, "crosswalk")


def _to_bool(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.fillna(False).astype(bool)
    truthy = {"true", "1", "yes", "y", "t"}
    return series.map(lambda v: str(v).strip().lower() in truthy if pd.notna(v) else False).astype(
        bool
    )


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
