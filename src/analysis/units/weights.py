"""Constituent weights of the post-2025 communes, and the frozen Đại Lộc crosswalk built with them.

``weight = population (or households) of the old unit x its allocation share / sum over the new
commune's constituents``; the allocation share is 1 for a whole unit and the population share
(else the area share) for a split unit.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError, ParameterError
from ..io import nfc, normalise_code, read_table
from .crosswalk import MissingSharesError, UnitsWarning, _finish, shares_template
from .registry import load_units


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

    >>> from analysis.units import load_crosswalk
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
