"""EU Digital Economy and Society Index, 2022 methodology (:func:`load_desi`)
==========================================================================
Reads ``desi_dimension_scores_2017_2022.csv`` (wide) or the long ``DESI.csv`` (European
Commission's digital-agenda-data export: ``indicator=desi``, ``breakdown=desi_hc|desi_conn|
desi_idt|desi_dps``, ``unit_measure=pc_desi``; or a row extract of it named ``DESI_extract*.csv``, as
shipped in ``data/raw/desi/``). The value published is each dimension's weighted
contribution to the DESI as a fraction; with the 2022 weights (25% each) the dimension score on
0–100 is ``400 × pc_desi``. Indicators: ``dps`` (digital public services) -> ``government``;
``idt`` (integration of digital technology) -> ``economy``; ``hc`` (human capital) and ``conn``
(connectivity) -> ``society``. Published: ``desi`` = ``100 × desi_total`` from ``DESI.csv``
(0–100). Editions 2017–2022 are all on the 2022 methodology (the Commission re-computed them).
Unit codes are the Commission's (``EL`` for Greece); ``EU`` (the EU-27 aggregate) is kept in
``published`` and only enters ``observations`` with ``include_aggregate=True``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError
from ..schema import Problem
from ._common import (
    RealData,
    Source,
    _map_columns,
    _numeric,
    _problem,
    _read_csv,
    _to_units_contract,
    read_member_table,
)

#: DESI (2022 methodology) dimensions and their pillar.
DESI_DIMENSIONS = ("dps", "idt", "hc", "conn")
DESI_PILLARS = {"dps": "government", "idt": "economy", "hc": "society", "conn": "society"}


def _eu_members() -> dict[str, tuple[str, str | None]]:
    """Commission code -> (English name, ISO3 or None) for the EU-27 and the aggregate ``EU``."""
    t = read_member_table("eu_members.csv")
    return {c: (n, i or None) for c, n, i in zip(t["code"], t["name_en"], t["iso3"], strict=True)}


# --------------------------------------------------------------------------- DESI
_DESI_WIDE = {
    "year": ("desi_edition_year", "year", "time_period"),
    "geo": ("country_code", "ref_area", "geo"),
    "hc": ("human_capital_desi_hc", "desi_hc", "hc"),
    "conn": ("connectivity_desi_conn", "desi_conn", "conn"),
    "idt": ("integration_digital_tech_desi_idt", "desi_idt", "idt"),
    "dps": ("digital_public_services_desi_dps", "desi_dps", "dps"),
}
_DESI_BREAKDOWN = {"desi_hc": "hc", "desi_conn": "conn", "desi_idt": "idt", "desi_dps": "dps"}
#: the Commission's long export: ``DESI.csv`` or a row extract such as ``DESI_extract.csv``
_LONG_NAME = re.compile(r"DESI(_extract[^/]*)?\.csv$")


def _desi_long(df: pd.DataFrame, path: Path, problems: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Commission's long export -> (contributions wide, totals)."""
    need = [
        c
        for c in ("time_period", "ref_area", "indicator", "breakdown", "unit_measure", "value")
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
                    "use the long DESI export (observation, time_period, ref_area, indicator, breakdown, unit_measure, value)",
                )
            ],
            source=str(path),
        )
    df = df.copy()
    df["value"] = _numeric(df, "value", "value", path, problems)
    dims = df[
        (df["indicator"] == "desi")
        & (df["unit_measure"] == "pc_desi")
        & df["breakdown"].isin(list(_DESI_BREAKDOWN))
    ]
    wide = dims.pivot_table(
        index=["time_period", "ref_area"], columns="breakdown", values="value", aggfunc="first"
    ).rename(columns=_DESI_BREAKDOWN)
    wide.columns.name = None
    wide = wide.reset_index().rename(columns={"time_period": "year", "ref_area": "geo"})
    tot = df[(df["indicator"] == "desi_total") & (df["breakdown"] == "desi_total")]
    totals = tot[["time_period", "ref_area", "value"]].rename(
        columns={"time_period": "year", "ref_area": "geo"}
    )
    return wide, totals


def _desi_wide(df: pd.DataFrame, path: Path, problems: list) -> pd.DataFrame:
    cols = _map_columns(df.columns, _DESI_WIDE)
    need = [c for c in _DESI_WIDE if c not in cols]
    if need:
        raise DataValidationError(
            [
                _problem(
                    path,
                    1,
                    None,
                    list(df.columns),
                    f"not a DESI dimension layout: missing {need}",
                    f"expected headers {[_DESI_WIDE[c][0] for c in need]}",
                )
            ],
            source=str(path),
        )
    out = pd.DataFrame({"year": df[cols["year"]], "geo": df[cols["geo"]]})
    for d in DESI_DIMENSIONS:
        out[d] = _numeric(df, cols[d], cols[d], path, problems)
    if "source_url" in df.columns:
        out["source"] = df["source_url"]
    return out


def load_desi(
    path_or_dir: str | Path | None = None, *, include_aggregate: bool = False
) -> RealData:
    """Load the EU DESI (2022 methodology) dimension scores and published totals.

    Args:
        path_or_dir: the folder (default ``data/raw/desi``) holding
            ``desi_dimension_scores_*.csv`` and/or the long export ``DESI.csv`` (or a row
            extract of it named ``DESI_extract*.csv``), or one of those files. The published totals
            come from the long export (``indicator=desi_total``); without it ``published`` is
            empty and ``notes`` says so.
        include_aggregate: keep the EU-27 aggregate (``EU``) in ``observations`` too.

    Returns:
        :class:`RealData`: observations ``dps, idt, hc, conn`` as scores 0–100 (``400 × pc_desi``);
        units ``unit_code, name_en, iso3, unit_type``; published ``desi`` (0–100) with the rank
        among member states.
    """
    path = Path(path_or_dir) if path_or_dir is not None else config.RAW / "desi"
    problems: list[Problem] = []
    notes: list[str] = []
    if path.is_dir():
        dim_files = sorted(path.glob("desi_dimension_scores*.csv"))
        long_files = sorted(p for p in path.glob("*.csv") if _LONG_NAME.match(p.name))
        long_file = long_files[0] if long_files else None
        dim_file = dim_files[0] if dim_files else None
        if dim_file is None and long_file is None:
            raise DataValidationError(
                [
                    _problem(
                        path,
                        None,
                        None,
                        None,
                        "no desi_dimension_scores*.csv or DESI*.csv in this folder",
                        "download the DESI data (see README) into it",
                    )
                ],
                source=str(path),
            )
    else:
        dim_file, long_file = (
            (None, path) if "indicator" in _read_csv(path, nrows=0).columns else (path, None)
        )
    totals = None
    long_wide = None
    if long_file is not None and long_file.exists():
        long_wide, totals = _desi_long(_read_csv(long_file), long_file, problems)
        long_wide["source"] = (
            f"European Commission DESI 2022 ({long_file.name}, indicator=desi, unit pc_desi)"
        )
    if dim_file is not None:
        wide = _desi_wide(_read_csv(dim_file), dim_file, problems)
        if "source" not in wide:
            wide["source"] = f"European Commission DESI 2022 ({dim_file.name})"
    else:
        wide = long_wide
    if problems:
        raise DataValidationError(problems, source=str(path))
    wide = wide.copy()
    wide["year"] = wide["year"].astype(str).str.replace(r"\.0+$", "", regex=True)
    wide["geo"] = wide["geo"].astype(str).str.strip()
    members = _eu_members()
    unknown = sorted(set(wide["geo"]) - set(members))
    if unknown:
        notes.append(f"DESI: unit codes not in the EU-27 list, kept as given: {unknown}")
    for d in DESI_DIMENSIONS:
        wide[d] = wide[d] * 400.0  # pc_desi (weighted contribution, 25% each) -> score 0-100
    obs = wide.rename(columns={"geo": "unit_code", "year": "period"}).melt(
        id_vars=["unit_code", "period", "source"],
        value_vars=list(DESI_DIMENSIONS),
        var_name="indicator",
        value_name="value",
    )
    if not include_aggregate:
        obs = obs[obs["unit_code"] != "EU"]
    obs = obs[obs["value"].notna()].assign(status="observed")[
        ["unit_code", "period", "indicator", "value", "status", "source"]
    ]
    obs = obs.sort_values(["period", "unit_code", "indicator"], kind="stable").reset_index(
        drop=True
    )

    if totals is not None:
        pub = totals.rename(columns={"geo": "unit_code", "year": "period"}).copy()
        pub["period"] = pub["period"].astype(str).str.replace(r"\.0+$", "", regex=True)
        pub["value"] = pub["value"] * 100.0
        pub["name"] = "desi"
        pub["source"] = (
            f"European Commission DESI 2022 ({long_file.name}, indicator=desi_total, unit pc_desi x 100)"
        )
        member = pub["unit_code"] != "EU"
        pub["rank"] = np.nan
        pub.loc[member, "rank"] = (
            pub[member].groupby("period")["value"].rank(ascending=False, method="min")
        )
        pub = (
            pub[["unit_code", "period", "name", "value", "rank", "source"]]
            .sort_values(["period", "unit_code"])
            .reset_index(drop=True)
        )
    else:
        pub = pd.DataFrame(columns=["unit_code", "period", "name", "value", "rank", "source"])
        notes.append(
            "DESI: no DESI.csv (the long export) beside the dimension scores, so no published totals to check against"
        )
    codes = sorted(set(wide["geo"]) | set(pub["unit_code"]))
    units = pd.DataFrame(
        {
            "unit_code": codes,
            "name_en": [members.get(c, (c, None))[0] for c in codes],
            "iso3": [members.get(c, (None, None))[1] for c in codes],
            "unit_type": ["aggregate" if c == "EU" else "country" for c in codes],
        }
    )
    notes.append(
        "DESI: the 2022 edition methodology re-computed for 2017-2022; earlier editions' own (different) DESI values are not included"
    )
    return RealData(obs, _to_units_contract(units), pub, tuple(notes), framework="desi2022")


SOURCE = Source(
    "desi",
    load_desi,
    r"(desi_dimension_scores.*|desi|desi_extract.*)\.csv$",
    framework="desi2022",
    files="DESI.csv (or DESI_extract*.csv), desi_dimension_scores*.csv",
    units_table="eu_members.csv",
)
