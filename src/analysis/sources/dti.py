"""Provincial DTI (:func:`load_dti`, :func:`load_dti_pillars`)
============================================================
Reads ``data/raw/dti/dti_provincial.csv`` (built by ``data/raw/dti/build_dti.py`` from the
transcribed facts, one cited row per published figure). Unit codes: GSO province codes for the
63 pre-2025 provinces (``"49"`` = Quảng Nam), ``"NN-2025"`` for the 34 post-merger provinces,
``"VN"`` for the national DTI and ``"VN-PMEAN"`` for the published mean over provinces.
Indicators: ``dti`` (overall PDTI), ``cqs``/``kts``/``xhs`` (published pillar values: digital
government / economy / society) and the eight scored main indices of Decision 922/QĐ-BTTTT
(``awareness, institutions, infrastructure, human_resources, cybersecurity, gov_activity,
econ_activity, soc_activity``). Where two sources give the same figure the higher-confidence row
wins and disagreements are listed in ``notes``.

Also here: Quảng Nam's district DTI (:func:`load_dti_districts`) and the national and provincial
targets (:func:`load_targets`), frozen in ``data/raw/dti`` and ``data/raw/targets``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError, ParameterError
from ..schema import Problem
from ._common import RealData, Source, _numeric, _problem, _read_csv, _to_units_contract

#: DTI main indices (Decision 922/QĐ-BTTTT, used for DTI 2022 and 2023) and their points.
DTI_POINTS = {
    "awareness": 100,
    "institutions": 100,
    "infrastructure": 100,
    "human_resources": 100,
    "cybersecurity": 100,
    "gov_activity": 200,
    "econ_activity": 150,
    "soc_activity": 150,
}
DTI_MAIN_INDICES = tuple(DTI_POINTS)
_DTI_PILLAR_METRICS = {"cqs": "government", "kts": "economy", "xhs": "society", "dti": "index"}
_CONFIDENCE_ORDER = {"high": 0, "medium-high": 1, "medium": 2, "low": 3}


# --------------------------------------------------------------------------- DTI
def _dti_table(path_or_dir) -> tuple[pd.DataFrame, Path]:
    path = Path(path_or_dir) if path_or_dir is not None else config.RAW / "dti"
    if path.is_dir():
        path = path / "dti_provincial.csv"
    df = _read_csv(path)
    need = [
        c
        for c in (
            "year",
            "scope",
            "unit_code",
            "unit_name",
            "metric",
            "value",
            "rank",
            "rank_of",
            "confidence_level",
            "source_url",
        )
        if c not in df.columns
    ]
    if need:
        raise DataValidationError(
            [
                _problem(
                    path,
                    1,
                    None,
                    list(df.columns),
                    f"missing column(s) {need}",
                    "rebuild it with data/raw/dti/build_dti.py",
                )
            ],
            source=str(path),
        )
    problems: list[Problem] = []
    for c in ("value", "value_lo", "value_hi", "rank", "rank_lo", "rank_hi", "rank_of"):
        df[c] = _numeric(df, c, c, path, problems) if c in df.columns else np.nan
    bad = ~df["confidence_level"].isin(list(_CONFIDENCE_ORDER))
    for idx in df.index[bad.to_numpy()]:
        problems.append(
            _problem(
                path,
                int(idx) + 2,
                "confidence_level",
                df.at[idx, "confidence_level"],
                "unknown confidence level",
                f"use one of {list(_CONFIDENCE_ORDER)}",
            )
        )
    if problems:
        raise DataValidationError(problems, source=str(path))
    df["unit_code"] = df["unit_code"].astype(str)
    df["period"] = df["year"].astype(str)
    df["is_derived"] = df.get("is_derived", "false").astype(str).str.lower().eq("true")
    df["_conf"] = df["confidence_level"].map(_CONFIDENCE_ORDER)
    df["_row"] = df.index + 2
    return df, path


#: English names of the DTI units that are not provinces (provinces keep their Vietnamese name)
_DTI_NAMES_EN = {"VN": "Viet Nam", "VN-PMEAN": "Provincial mean"}


def _dti_short_name(name: str) -> str:
    """Display name of a DTI unit: ``TP. Hồ Chí Minh (former)`` -> ``Hồ Chí Minh``.

    >>> _dti_short_name("TP. Hồ Chí Minh (new)"), _dti_short_name("(provincial mean)")
    ('Hồ Chí Minh', 'Trung bình cấp tỉnh')
    """
    name = unicodedata.normalize("NFC", name).strip()
    if name.startswith("(provincial mean)"):
        return "Trung bình cấp tỉnh"
    return re.sub(r"^TP\.\s*", "", re.sub(r"\s*\(.*\)\s*$", "", name))


def _province_coordinates() -> dict[str, tuple[float, float]]:
    """Province centroids (GSO code -> lat, lon) from the ``vietnamadminunits`` package database.

    Pre-2025 provinces under their code, post-2025 provinces under ``NN-2025``.
    """
    import sqlite3

    import vietnamadminunits

    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(db) as con:
        legacy = con.execute(
            "select distinct provinceCode, provinceLat, provinceLon from admin_units_legacy"
        ).fetchall()
        new = con.execute(
            "select distinct provinceCode, provinceLat, provinceLon from admin_units"
        ).fetchall()
    out = {str(c): (float(la), float(lo)) for c, la, lo in legacy}
    out.update({f"{c}-2025": (float(la), float(lo)) for c, la, lo in new})
    return out


def load_dti(
    path_or_dir: str | Path | None = None,
    *,
    scope: str = "63_provinces",
    min_confidence: str = "low",
) -> RealData:
    """Load the published provincial DTI figures (``data/raw/dti``) in the contracts.

    Args:
        path_or_dir: ``dti_provincial.csv`` or its folder (default ``data/raw/dti``).
        scope: ``63_provinces`` (pre-2025 provinces, the provincial mean ``VN-PMEAN``),
            ``34_provinces`` (post-merger 2024 ranking), ``national`` (``VN``) or ``all``.
        min_confidence: drop figures below this confidence (``high``, ``medium-high``,
            ``medium``, ``low``).

    Returns:
        :class:`RealData`: observations of every published value (``status`` ``estimated`` for a
        value derived by arithmetic from the source text); units ``unit_code, name_vi,
        unit_type, parent_code``; published: one row per unit, year and metric with ``value,
        value_lo, value_hi, rank, rank_lo, rank_hi, rank_of, confidence_level, is_derived,
        source, rank_source`` (best-confidence source for each). ``notes`` lists conflicts and
        what is missing.
    """
    if min_confidence not in _CONFIDENCE_ORDER:
        raise ParameterError(
            f"min_confidence={min_confidence!r}: use one of {list(_CONFIDENCE_ORDER)}"
        )
    scopes = ("63_provinces", "34_provinces", "national", "all")
    if scope not in scopes:
        raise ParameterError(f"scope={scope!r}: use one of {list(scopes)}")
    df, path = _dti_table(path_or_dir)
    if scope != "all":
        df = df[df["scope"] == scope]
    df = df[df["_conf"] <= _CONFIDENCE_ORDER[min_confidence]]
    df = df.sort_values(["_conf", "_row"], kind="stable")
    notes = _disagreements(df)
    pub = _best_published(df)
    vals = pub[pub["value"].notna()]
    obs = pd.DataFrame(
        {
            "unit_code": vals["unit_code"].astype(str),
            "period": vals["period"].astype(str),
            "indicator": vals["name"],
            "value": vals["value"].astype(float),
            "status": np.where(vals["is_derived"], "estimated", "observed"),
            "source": vals["source"],
        }
    ).reset_index(drop=True)
    notes += _what_is_missing(pub)
    return RealData(obs, _dti_units(df), pub, tuple(notes), framework="dti_provincial")


_KEY = ["unit_code", "period", "metric"]


def _disagreements(df: pd.DataFrame) -> list[str]:
    """One note per figure on which the sources disagree (``df`` sorted best confidence first)."""
    notes = []
    for col in ("value", "rank"):
        spread = df[df[col].notna()].groupby(_KEY)[col].agg(["min", "max", "count"])
        for (u, p, m), _r in spread[(spread["max"] - spread["min"]) > 1e-9].iterrows():
            rows = df[
                (df["unit_code"] == u) & (df["period"] == p) & (df["metric"] == m) & df[col].notna()
            ]
            alts = ", ".join(
                f"{v:g} ({c}, {s})"
                for v, c, s in zip(
                    rows[col], rows["confidence_level"], rows["source_url"], strict=True
                )
            )
            notes.append(
                f"DTI {p} {u} {m}: sources disagree on the {col}: {alts}; the first (highest confidence) is used"
            )
    return notes


def _best_published(df: pd.DataFrame) -> pd.DataFrame:
    """One row per unit, year and metric: the best-confidence value and rank, with sources."""
    keys = df.groupby(_KEY).size().index
    pub = pd.DataFrame(index=keys)
    for col in ("value", "value_lo", "value_hi", "rank", "rank_lo", "rank_hi", "rank_of"):
        pub[col] = df[df[col].notna()].groupby(_KEY)[col].first()
    best_value = df[df["value"].notna()].groupby(_KEY).first()
    best_any = df.groupby(_KEY).first()
    best_rank = df[df["rank"].notna() | df["rank_lo"].notna()].groupby(_KEY).first()
    pub["unit_name"] = best_any["unit_name"]
    pub["scope"] = best_any["scope"]
    pub["confidence_level"] = (
        best_value["confidence_level"].reindex(keys).fillna(best_any["confidence_level"])
    )
    pub["is_derived"] = (
        best_value["is_derived"].reindex(keys).fillna(best_any["is_derived"]).astype(bool)
    )
    pub["source"] = best_value["source_url"].reindex(keys).fillna(best_any["source_url"])
    pub["rank_source"] = best_rank["source_url"].reindex(keys)
    pub = pub.reset_index().rename(columns={"metric": "name"})
    pub = pub[
        [
            "unit_code",
            "period",
            "name",
            "value",
            "rank",
            "source",
            "unit_name",
            "scope",
            "value_lo",
            "value_hi",
            "rank_lo",
            "rank_hi",
            "rank_of",
            "confidence_level",
            "is_derived",
            "rank_source",
        ]
    ]
    return pub.sort_values(["period", "unit_code", "name"], kind="stable").reset_index(drop=True)


def _dti_units(df: pd.DataFrame) -> pd.DataFrame:
    """The units (latest name of each code) in the units contract, with province centroids."""
    u = df.sort_values(["period"], ascending=False, kind="stable").drop_duplicates("unit_code")
    unit_type = np.select(
        [
            u["unit_code"] == "VN",
            u["unit_code"] == "VN-PMEAN",
            u["unit_code"].str.endswith("-2025"),
        ],
        ["country", "mean", "province_2025"],
        "province",
    )
    units = (
        pd.DataFrame(
            {
                "unit_code": u["unit_code"],
                "name_vi": u["unit_name"].map(_dti_short_name),
                # provinces keep their Vietnamese names in English
                "name_en": u["unit_code"]
                .map(_DTI_NAMES_EN)
                .fillna(u["unit_name"].map(_dti_short_name)),
                "unit_type": unit_type,
                "parent_code": np.where(u["unit_code"] == "VN", "", "VN"),
            }
        )
        .sort_values("unit_code")
        .reset_index(drop=True)
    )
    coords = _province_coordinates()
    units["lat"] = units["unit_code"].map(lambda c: coords.get(c, (np.nan, np.nan))[0])
    units["lon"] = units["unit_code"].map(lambda c: coords.get(c, (np.nan, np.nan))[1])
    return _to_units_contract(units)


def _what_is_missing(pub: pd.DataFrame) -> list[str]:
    """Per year, how many provinces have a published value and rank, overall and by pillar."""
    notes = []
    for p, g in pub.groupby("period"):
        provinces = g[~g["unit_code"].isin(["VN", "VN-PMEAN"])]
        n_val = provinces.loc[provinces["name"] == "dti", "value"].notna().sum()
        n_rank = provinces.loc[provinces["name"] == "dti", "rank"].notna().sum()
        pil = provinces[provinces["name"].isin(["cqs", "kts", "xhs"])]
        n_pil = pil.loc[pil["value"].notna(), "unit_code"].nunique()
        n_pil_rank = pil.loc[pil["rank"].notna(), "unit_code"].nunique()
        means = sorted(g.loc[(g["unit_code"] == "VN-PMEAN") & g["value"].notna(), "name"])
        notes.append(
            f"DTI {p}: overall value published for {n_val} province(s), overall rank for {n_rank}; "
            f"pillar values for {n_pil}, pillar ranks for {n_pil_rank}; provincial means published: {means or 'none'}"
        )
    return notes


def load_dti_pillars(
    path_or_dir: str | Path | None = None,
    *,
    scope: str = "63_provinces",
    min_confidence: str = "low",
) -> pd.DataFrame:
    """Published DTI pillar values as a pillar table (one row per unit and year).

    ``government`` = CQS (chính quyền số), ``economy`` = KTS (kinh tế số), ``society`` = XHS
    (xã hội số), ``index`` = the overall DTI, as published (not recomputed: since 2021 the DTI
    is the sum of the main indices, not of the pillars). Extra columns: ``rank_government,
    rank_economy, rank_society, rank_index, rank_of``. Only units with at least one published
    pillar value or rank are returned.

    Returns:
        DataFrame ``unit_code, period, government, economy, society, index, status`` + ranks.
    """
    pub = load_dti(path_or_dir, scope=scope, min_confidence=min_confidence).published
    pub = pub[pub["name"].isin(list(_DTI_PILLAR_METRICS))].copy()
    pub["pillar"] = pub["name"].map(_DTI_PILLAR_METRICS)
    val = pub.pivot_table(
        index=["unit_code", "period"], columns="pillar", values="value", aggfunc="first"
    )
    rnk = pub.pivot_table(
        index=["unit_code", "period"], columns="pillar", values="rank", aggfunc="first"
    ).add_prefix("rank_")
    rank_of = pub.groupby(["unit_code", "period"])["rank_of"].max()
    derived = pub.groupby(["unit_code", "period"])["is_derived"].any()
    out = pd.concat([val, rnk], axis=1)
    for c in (
        "government",
        "economy",
        "society",
        "index",
        "rank_government",
        "rank_economy",
        "rank_society",
        "rank_index",
    ):
        if c not in out:
            out[c] = np.nan
    out["rank_of"] = rank_of
    out["status"] = np.where(derived.reindex(out.index).fillna(False), "estimated", "observed")
    has_pillar = (
        out[["government", "economy", "society", "rank_government", "rank_economy", "rank_society"]]
        .notna()
        .any(axis=1)
    )
    out = out[has_pillar].reset_index()
    out.columns.name = None
    cols = [
        "unit_code",
        "period",
        "government",
        "economy",
        "society",
        "index",
        "status",
        "rank_government",
        "rank_economy",
        "rank_society",
        "rank_index",
        "rank_of",
    ]
    return out[cols].sort_values(["period", "unit_code"]).reset_index(drop=True)


def load_dti_districts(path: str | Path | None = None) -> pd.DataFrame:
    """Quảng Nam's 2023 district DTI (internal provincial assessment): order, class, two scores.

    Returns:
        DataFrame ``year, unit_code, unit_name, parent_code, metric, value, rank, rank_of,
        class_vi, confidence, source_url, source_doc_date, source_note, source_file``; ``value``
        (percent) is published only for the first and the last district.
    """
    path = Path(path) if path is not None else config.RAW / "dti" / "quangnam_district_dti_2023.csv"
    df = _read_csv(path)
    problems: list[Problem] = []
    for c in ("value", "rank", "rank_of"):
        df[c] = _numeric(df, c, c, path, problems)
    if problems:
        raise DataValidationError(problems, source=str(path))
    df["unit_code"] = df["unit_code"].astype(str)
    return df


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """National and Quảng Nam digital-transformation targets (``data/raw/targets/targets.csv``).

    Returns:
        DataFrame, one row per document, indicator and target year: ``document_id, document,
        scope, row_kind, pillar, pillar_vi, indicator_vi, target_year, as_published, target_op,
        target_value, target_unit, confidence, source_url, source_note``. ``target_value`` is
        numeric where the text states a firm number, else NaN (the text stays in ``as_published``).
    """
    path = Path(path) if path is not None else config.RAW / "targets" / "targets.csv"
    df = _read_csv(path)
    problems: list[Problem] = []
    df["target_value"] = _numeric(df, "target_value", "target_value", path, problems)
    if problems:
        raise DataValidationError(problems, source=str(path))
    return df


SOURCE = Source(
    "dti", load_dti, r"dti_provincial.*\.csv$", framework="dti_pillars", files="dti_provincial*.csv"
)
