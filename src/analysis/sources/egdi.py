"""UN E-Government Survey (:func:`load_egdi`)
==========================================
Layouts read (detected from the header, case-insensitive; see ``_EGDI_ALIASES``):

* UNU-EGOV ``egdi-YYYY.csv`` (2010–2018): ``country-code, country-name, e-gov-rank, e-gov-index,
  e-pat-index, osi, hci, tii``; the year comes from the file name;
* UN DESA ``EGOV_DATA_2022.csv``: ``Survey Year, Country Name, E-Government Rank, E-Government
  Index, E-Participation Index, Online Service Index, Human Capital Index, Telecommunication
  Infrastructure Index`` (no country code: names are matched to ISO3);
* ``EGOV_DATA_2024.csv`` as re-published with renamed columns: ``Survey Year, Country, Rank,
  E_Index, E_Participation, Online_Service, Human_Capital, Tele_Infra, Region``;
* the combined long file ``egdi_osi_tii_hci_2010_2024.csv`` (``survey_year, iso3, country,
  egdi_rank, egdi, ..., source_url, source_note``; ``iso3`` empty for 2022 and 2024).

Given a folder, every ``egdi*.csv`` / ``EGOV*.csv`` in it is read; a single-year file wins over the
combined file for the same country and year. Country names are matched to ISO3 with the table of
the 193 UN member states below (UN names as in the survey, plus the renamings "North Macedonia"
and "Türkiye"); ``region`` is the continent as in the 2024 file; ``is_asean`` marks the ten ASEAN
members (Viet Nam's region for the editions).

Indicators: ``osi`` (Online Service Index) -> pillar ``government``; ``hci`` (Human Capital
Index) and ``tii`` (Telecommunication Infrastructure Index) -> pillar ``society``. There is no
economy pillar in the EGDI. Published: ``egdi`` (with ``rank``) and ``epi`` (E-Participation).

What the published files say about the formula (checked by ``tests/test_sources_egdi.py``):

* 2012–2024: EGDI = (OSI + HCI + TII) / 3 for every country, within the published rounding;
* 2010: EGDI = 0.34·OSI + 0.33·HCI + 0.33·TII (a least-squares fit over the 183 ranked countries
  gives these weights with residuals below 1e-5; equal weights miss by up to 4e-3). The weights
  per year are in :data:`EGDI_WEIGHTS`;
* placeholders: in 2010 ten countries (no HCI) and in 2012 three countries (Libya, Central
  African Republic, Guinea) carry EGDI 0 with rank "184"/"191" although their components are
  not all zero: they were not assessed. Their EGDI and rank become NaN, and a component
  published as exactly 0 in such a row is dropped (it cannot be told from "not assessed");
  South Sudan 2010 has no values at all. Each case is listed in ``notes``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError
from ..schema import Problem
from ._common import (
    RealData,
    Source,
    _key,
    _map_columns,
    _numeric,
    _problem,
    _read_csv,
    _to_units_contract,
    _years_filter,
    read_member_table,
)

#: EGDI components in survey order and their pillar in the gap analysis.
EGDI_COMPONENTS = ("osi", "hci", "tii")
EGDI_PILLARS = {"osi": "government", "hci": "society", "tii": "society"}
#: Weights of the EGDI formula by survey year, where they differ from equal thirds.
EGDI_WEIGHTS = {2010: {"osi": 0.34, "hci": 0.33, "tii": 0.33}}


@functools.cache
def _un_table() -> tuple[pd.DataFrame, dict[str, str]]:
    """The UN member states (``unit_code, name_en, region``) and a name -> ISO3 lookup."""
    table = read_member_table("un_members.csv")
    lookup = {}
    for iso3, name, others in zip(
        table["iso3"], table["name_un"], table["other_names"], strict=True
    ):
        for n in (name, *[o for o in others.split(";") if o]):
            lookup[_key(n)] = iso3
    members = pd.DataFrame(
        {"unit_code": table["iso3"], "name_en": table["name_un"], "region": table["region"]}
    )
    return members, lookup


def _asean_names_vi() -> dict[str, str]:
    """ISO3 -> Vietnamese name of the ASEAN members."""
    t = read_member_table("asean_members.csv")
    return dict(zip(t["iso3"], t["name_vi"], strict=True))


def egdi_weights(year: int | str) -> dict[str, float]:
    """Weights of OSI, HCI and TII in the published EGDI of ``year`` (sum 1).

    >>> egdi_weights(2010)
    {'osi': 0.34, 'hci': 0.33, 'tii': 0.33}
    >>> round(egdi_weights("2024")["osi"], 6)
    0.333333
    """
    return dict(EGDI_WEIGHTS.get(int(year), dict.fromkeys(EGDI_COMPONENTS, 1 / 3)))


# --------------------------------------------------------------------------- EGDI
_EGDI_ALIASES = {
    "year": ("survey year", "survey_year", "year"),
    "iso3": ("country-code", "iso3", "country code", "country_code", "iso", "iso_code"),
    "country": ("country-name", "country name", "country", "country_name"),
    "rank": ("e-gov-rank", "e-government rank", "rank", "egdi_rank", "egdi rank"),
    "egdi": ("e-gov-index", "e-government index", "e_index", "egdi"),
    "epi": (
        "e-pat-index",
        "e-participation index",
        "e_participation",
        "e_participation_index",
        "epi",
    ),
    "osi": ("osi", "online service index", "online_service", "osi_online_service"),
    "hci": ("hci", "human capital index", "human_capital", "hci_human_capital"),
    "tii": (
        "tii",
        "telecommunication infrastructure index",
        "tele_infra",
        "tii_telecom_infrastructure",
    ),
    "region": ("region",),
    "source_url": ("source_url",),
}


def _read_egdi_file(path: Path) -> pd.DataFrame:
    """One EGDI file, any known layout -> canonical columns (values still raw)."""
    df = _read_csv(path)
    cols = _map_columns(df.columns, _EGDI_ALIASES)
    need = [c for c in ("egdi", "osi", "hci", "tii") if c not in cols]
    if "iso3" not in cols and "country" not in cols:
        need.insert(0, "country or iso3")
    if need:
        expect = {c: _EGDI_ALIASES.get(c, ("country-name", "country-code"))[:3] for c in need}
        raise DataValidationError(
            [
                _problem(
                    path,
                    1,
                    None,
                    list(df.columns),
                    f"not a known E-Government Survey layout: missing {need}",
                    f"expected headers such as {expect}",
                )
            ],
            source=str(path),
        )
    out = pd.DataFrame(index=df.index)
    for canon, header in cols.items():
        out[canon] = df[header]
    out["_header"] = [cols] * len(df)
    if "year" not in cols:
        m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", path.stem)
        if not m:
            raise DataValidationError(
                [
                    _problem(
                        path,
                        1,
                        None,
                        None,
                        "no survey-year column and no year in the file name",
                        "add a 'Survey Year' column or name the file egdi-YYYY.csv",
                    )
                ],
                source=str(path),
            )
        out["year"] = m.group(1)
    out["_file"] = path.name
    out["_row"] = df.index + 2
    out["_single_year"] = out["year"].nunique() <= 1
    return out


def _egdi_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() == ".csv" and re.match(r"(?i)(egdi|egov)", p.name)
        )
        if not files:
            raise DataValidationError(
                [
                    _problem(
                        path,
                        None,
                        None,
                        None,
                        "no egdi*.csv or EGOV*.csv file in this folder",
                        "download the UN E-Government Survey data (see README) into it",
                    )
                ],
                source=str(path),
            )
        return files
    return [path]


def load_egdi(
    path_or_dir: str | Path | None = None, years: Iterable[int | str] | int | None = None
) -> RealData:
    """Load UN E-Government Survey data (any of the layouts in the module docstring).

    Args:
        path_or_dir: a CSV file or a folder of them (default ``data/raw/egdi``).
        years: survey years to keep (default all).

    Returns:
        :class:`RealData`: observations of ``osi``, ``hci``, ``tii`` (``unit_code`` = ISO3,
        ``period`` = survey year); units ``unit_code, name_en, unit_type, region, is_asean, name_vi``;
        published ``egdi`` (with ``rank``) and ``epi``.

    Raises:
        DataValidationError: unknown layout, unknown country name or non-numeric cell, naming
            the file, row and column.
    """
    path = Path(path_or_dir) if path_or_dir is not None else config.RAW / "egdi"
    members, lookup = _un_table()
    raw = _parse_egdi([_read_egdi_file(p) for p in _egdi_files(path)], lookup, path)
    keep = _years_filter(years)
    if keep is not None:
        raw = raw[raw["year"].isin(keep)]
    # a single-year file wins over the combined file for the same country and year
    raw = (
        raw.sort_values(["_single_year"], ascending=False, kind="stable")
        .drop_duplicates(["unit_code", "year"])
        .copy()
    )
    notes = _set_aside_placeholders(raw)
    raw["period"] = raw["year"].astype(str)
    if "source_url" in raw:
        src = raw["source_url"].astype("string")
    else:
        src = pd.Series(pd.NA, index=raw.index, dtype="string")
    default_src = "UN DESA E-Government Survey " + raw["period"] + " (" + raw["_file"] + ")"
    raw["source"] = src.where(src.notna() & (src != ""), default_src).astype(str)
    obs, pub = _egdi_tables(raw)

    units = members[members["unit_code"].isin(set(raw["unit_code"]))].copy()
    units.insert(2, "unit_type", "country")
    asean_vi = _asean_names_vi()
    units["is_asean"] = units["unit_code"].isin(set(asean_vi))
    units["name_vi"] = units["unit_code"].map(asean_vi)  # ASEAN only; others: use name_en
    units = units.reset_index(drop=True)
    lacking = sorted(set(raw["unit_code"]) - set(obs["unit_code"]))
    if lacking:
        notes.append(f"EGDI: no component values at all for {lacking}")
    return RealData(obs, _to_units_contract(units), pub, tuple(notes), framework="egdi")


def _parse_egdi(frames: list[pd.DataFrame], lookup: dict[str, str], path: Path) -> pd.DataFrame:
    """The files' rows with ``unit_code`` (ISO3, given or matched by name) and numeric values.

    Raises:
        DataValidationError: every unmatched country name and non-numeric cell, located.
    """
    raw = pd.concat(frames, ignore_index=True)
    problems: list[Problem] = []
    iso = (
        raw["iso3"].astype("string").str.strip().str.upper()
        if "iso3" in raw
        else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    names = (
        raw["country"]
        .astype("string")
        .map(lambda s: unicodedata.normalize("NFC", s).strip() if isinstance(s, str) else s)
        if "country" in raw
        else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    by_name = names.map(lambda s: lookup.get(_key(s)) if isinstance(s, str) else None)
    iso = iso.where(iso.notna() & (iso != ""), by_name.astype("string"))
    for idx in raw.index[iso.isna().to_numpy()]:
        header = raw.at[idx, "_header"].get("country", "country")
        problems.append(
            _problem(
                raw.at[idx, "_file"],
                int(raw.at[idx, "_row"]),
                header,
                names.get(idx),
                "country name not matched to an ISO3 code",
                "use the UN name as in the E-Government Survey, or add a 'country-code' (ISO3) column",
            )
        )
    raw["unit_code"] = iso
    raw["year"] = raw["year"].astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    for c in ("rank", "egdi", "epi", *EGDI_COMPONENTS):
        if c in raw:
            vals = np.full(len(raw), np.nan)
            for fname, idx in raw.groupby("_file").groups.items():
                sub = raw.loc[idx]
                header = sub["_header"].iloc[0].get(c, c)
                vals[raw.index.get_indexer(idx)] = _numeric(
                    sub.set_index(sub["_row"] - 2), c, header, fname, problems
                ).to_numpy()
            raw[c] = vals
        else:
            raw[c] = np.nan
    if problems:
        raise DataValidationError(problems, source=str(path))
    return raw


def _set_aside_placeholders(raw: pd.DataFrame) -> list[str]:
    """Blank the EGDI 0 placeholders of countries not assessed (in place); say what was done."""
    notes: list[str] = []
    comps = list(EGDI_COMPONENTS)
    placeholder = (raw["egdi"] == 0) & (raw[comps].fillna(0).sum(axis=1) > 0)
    empty = raw[["egdi", *comps]].isna().all(axis=1)
    for _, r in raw[placeholder].iterrows():
        zero = [c for c in comps if r[c] == 0]
        missing = [c for c in comps if pd.isna(r[c])]
        notes.append(
            f"EGDI {r['year']} {r['unit_code']}: published EGDI 0 (rank {r['rank']:.0f}) with non-zero components: not assessed; "
            f"EGDI and rank set to missing"
            + (f", components published as 0 dropped {zero}" if zero else "")
            + (f", components missing {missing}" if missing else "")
        )
    for _, r in raw[empty].iterrows():
        notes.append(f"EGDI {r['year']} {r['unit_code']}: no values published (file {r['_file']})")
    zero_in_placeholder = placeholder.to_numpy()[:, None] & (raw[comps].to_numpy() == 0)
    raw[comps] = raw[comps].mask(zero_in_placeholder)
    raw.loc[placeholder, ["egdi", "rank"]] = np.nan
    return notes


def _egdi_tables(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observations of the components, published EGDI and EPI) from the parsed rows."""
    obs = raw.melt(
        id_vars=["unit_code", "period", "source"],
        value_vars=list(EGDI_COMPONENTS),
        var_name="indicator",
        value_name="value",
    )
    obs = obs[obs["value"].notna()].assign(status="observed")
    obs = obs[["unit_code", "period", "indicator", "value", "status", "source"]]
    obs = obs.sort_values(["period", "unit_code", "indicator"], kind="stable").reset_index(
        drop=True
    )
    obs["unit_code"] = obs["unit_code"].astype(str)
    pub = pd.concat(
        [
            raw[["unit_code", "period", "egdi", "rank", "source"]]
            .rename(columns={"egdi": "value"})
            .assign(name="egdi"),
            raw[["unit_code", "period", "epi", "source"]]
            .rename(columns={"epi": "value"})
            .assign(name="epi", rank=np.nan),
        ],
        ignore_index=True,
    )
    pub = (
        pub[["unit_code", "period", "name", "value", "rank", "source"]]
        .sort_values(["name", "period", "unit_code"], kind="stable")
        .reset_index(drop=True)
    )
    pub["unit_code"] = pub["unit_code"].astype(str)
    return obs, pub


SOURCE = Source(
    "egdi",
    load_egdi,
    r"(egdi|egov).*\.csv$",
    framework="egdi",
    files="egdi*.csv, EGOV*.csv",
    units_table="un_members.csv",
)
