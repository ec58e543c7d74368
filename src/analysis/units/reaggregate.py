"""Re-aggregation of observations from the old units to the post-2025 communes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError, ParameterError
from ..frameworks import load_framework
from ..io import normalise_code
from ..schema import OBS_COLUMNS
from .crosswalk import UnitsWarning
from .weights import _base_weights


def _indicator_table(framework) -> pd.DataFrame:
    if framework is None:
        framework = load_framework()
    ind = framework.indicators if hasattr(framework, "indicators") else framework
    if not isinstance(ind, pd.DataFrame) or not {"id", "kind"} <= set(ind.columns):
        raise ParameterError(
            "framework: expected an analysis.frameworks.Framework or its indicators table with "
            f"columns id, kind, reaggregate_by; got {type(framework).__name__}"
        )
    return ind


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

    Measurement standard errors: when ``observations`` has an ``se`` column, the output has one
    too, under the assumption that the constituents' errors are independent (and the weights
    exact): for a weighted mean ``se = sqrt(sum((w_i / W)^2 * se_i^2))`` with the same weights
    ``w_i`` as the value, over the constituents with a value; for a sum ``se = sqrt(sum((share_i
    * se_i)^2))``. If a constituent used (one with a value) has no ``se``, the result's ``se`` is
    NaN (unknown), never a too-small number. Without an ``se`` column the output has none.

    Composite scores (pillars, index) are NOT averaged: recompute them from the re-aggregated
    indicators with the composite engine.

    Args:
        observations: observations contract, ``unit_code`` = OLD codes.
        crosswalk: from :func:`load_crosswalk`, covering every old code in ``observations``.
        units: old units with ``population`` and ``households`` (e.g. :func:`load_units`).
        framework: :class:`analysis.frameworks.Framework` or its indicators table (default:
            the commune framework).

    Returns:
        Observations on NEW codes: ``unit_code, period, indicator, value, status, source``,
        ``se`` (only if the input has it), then
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
    obs = _prepare_observations(observations, crosswalk, ind)
    obs_units = set(obs["unit_code"].unique().tolist())
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
    im = _modes(ind, sorted(set(obs["indicator"].unique().tolist())), base)
    # all (new unit, constituent) x (period, indicator) combinations present in the data
    keys = obs[["period", "indicator"]].drop_duplicates().merge(im, on="indicator")
    grid = base.merge(keys, how="cross")
    has_se = "se" in obs.columns
    x = grid.merge(
        obs[["unit_code", "period", "indicator", "value", "status", "source"] + ["se"] * has_se]
        .assign(_in=True)
        .rename(columns={"unit_code": "old_code"}),
        on=["old_code", "period", "indicator"],
        how="left",
    )
    agg = _combine(x)
    agg = _status_and_source(agg, x[x["_in"].notna()].copy(), crosswalk)
    fd = (
        cw.groupby("new_code")["former_district"].agg(
            lambda s: " | ".join(sorted({v for v in s.dropna()}))
        )
        if "former_district" in cw.columns
        else pd.Series(dtype="str")
    )
    agg["former_district"] = agg["new_code"].map(fd)
    out = agg.rename(columns={"new_code": "unit_code"})
    cols = (
        OBS_COLUMNS
        + ["se"] * has_se
        + [
            "n_constituents",
            "n_covered",
            "coverage_share",
            "is_partial",
            "former_district",
        ]
    )
    out = out[cols]
    out["n_covered"] = out["n_covered"].astype(int)
    return out.sort_values(["unit_code", "period", "indicator"], kind="stable").reset_index(
        drop=True
    )


_KEYS = ["new_code", "period", "indicator"]


def _prepare_observations(
    observations: pd.DataFrame, crosswalk: pd.DataFrame, ind: pd.DataFrame
) -> pd.DataFrame:
    """Observations with string codes and numeric values, checked against crosswalk and framework."""
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
    if "se" in obs.columns:
        obs["se"] = pd.to_numeric(obs["se"], errors="coerce").astype(float)
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
    return obs


def _modes(ind: pd.DataFrame, indicators: list[str], base: pd.DataFrame) -> pd.DataFrame:
    """How each indicator re-aggregates: ``indicator, _mode`` (sum or mean), ``_by`` (weight)."""
    im = ind.set_index("id").loc[indicators]
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
    return pd.DataFrame(
        {
            "indicator": im.index,
            "_mode": np.where(kind.eq("count") & ~is_dens, "sum", "mean"),
            "_by": by.to_numpy(),
        }
    )


def _combine(x: pd.DataFrame) -> pd.DataFrame:
    """Values, coverage and partial flags per (new unit, period, indicator) reached by the data.

    ``x`` (constituent rows) gets the helper columns ``_has`` and ``_split_used`` in place. With
    an ``se`` column, ``se`` is propagated under independent errors (NaN if a constituent used
    lacks one).
    """
    has = x["value"].notna()
    w = np.where(x["_by"].eq("households"), x["households"], x["population"])
    x["_w"] = np.where(has, w, 0.0)
    x["_wv"] = np.where(has, w * x["value"].fillna(0.0), 0.0)
    x["_sv"] = np.where(has, x["share"] * x["value"].fillna(0.0), 0.0)
    x["_pop_cov"] = np.where(has, x["population"], 0.0)
    x["_has"] = has
    x["_split_used"] = has & x["is_split"].astype(bool)
    has_se = "se" in x.columns
    se_aggs = {}
    if has_se:
        se = x["se"].to_numpy(float)
        x["_wse2"] = np.where(has, (w * np.nan_to_num(se)) ** 2, 0.0)
        x["_sse2"] = np.where(has, (x["share"] * np.nan_to_num(se)) ** 2, 0.0)
        x["_se_unknown"] = has & np.isnan(se)
        se_aggs = {
            "_wse2": ("_wse2", "sum"),
            "_sse2": ("_sse2", "sum"),
            "_se_unknown": ("_se_unknown", "any"),
        }
    g = x.groupby(_KEYS, sort=True)
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
        **se_aggs,
    ).reset_index()
    # keep only (new, period, indicator) that at least one observation row reaches
    present = x[x["_in"].notna()][_KEYS].drop_duplicates()
    agg = agg.merge(present, on=_KEYS, how="inner")
    mean = np.where(agg["_w"] > 0, agg["_wv"] / agg["_w"].where(agg["_w"] > 0, 1.0), np.nan)
    total = np.where(agg["n_covered"] > 0, agg["_sv"], np.nan)
    agg["value"] = np.where(agg["_mode"].eq("sum"), total, mean)
    if has_se:
        w_tot = agg["_w"].where(agg["_w"] > 0, 1.0)
        se_mean = np.where(agg["_w"] > 0, np.sqrt(agg["_wse2"]) / w_tot, np.nan)
        se_sum = np.where(agg["n_covered"] > 0, np.sqrt(agg["_sse2"]), np.nan)
        se_out = np.where(agg["_mode"].eq("sum"), se_sum, se_mean)
        agg["se"] = np.where(agg["_se_unknown"], np.nan, se_out)
    agg["coverage_share"] = agg["_pop_cov"] / agg["_pop"]
    agg["is_partial"] = agg["n_covered"] < agg["n_constituents"]
    return agg


def _status_and_source(
    agg: pd.DataFrame, xs: pd.DataFrame, crosswalk: pd.DataFrame
) -> pd.DataFrame:
    """Worst status of the constituents used (at least ``estimated`` when a split unit is) and
    the sources joined, plus the crosswalk that re-aggregated them."""
    order = {s: i for i, s in enumerate(config.STATUSES)}
    xs["_rank"] = xs["status"].map(order)
    # worst status over constituents with a value; if none has one, over the rows present
    xs["_rank_v"] = xs["_rank"].where(xs["_has"])
    st = xs.groupby(_KEYS).agg(_rv=("_rank_v", "max"), _ra=("_rank", "max")).reset_index()
    st["_r"] = st["_rv"].fillna(st["_ra"])
    # sources: distinct non-empty texts per group, joined (python only for multi-source groups)
    srcs = xs.loc[xs["source"].notna(), _KEYS + ["source"]].astype({"source": "str"})
    srcs = srcs[srcs["source"] != ""].drop_duplicates().sort_values(_KEYS + ["source"])
    n_src = srcs.groupby(_KEYS)["source"].transform("size")
    multi = srcs[n_src > 1].groupby(_KEYS)["source"].agg("; ".join).reset_index()
    src = pd.concat([srcs[n_src == 1], multi], ignore_index=True)
    agg = agg.merge(st[_KEYS + ["_r"]], on=_KEYS, how="left").merge(src, on=_KEYS, how="left")
    est = order["estimated"]
    r = agg["_r"].where(~(agg["_split_used"] & (agg["_r"] < est)), est)
    if agg["_r"].isna().any():  # unknown status text: keep the worst known
        r = r.fillna(len(config.STATUSES) - 1)
    agg["status"] = np.asarray(config.STATUSES, dtype=object)[r.astype(int).to_numpy()]
    label = crosswalk["source"].iloc[0] if len(crosswalk) else "crosswalk"
    agg["source"] = agg["source"].fillna("") + f" | re-aggregated to 2025 communes ({label})"
    agg["source"] = agg["source"].str.lstrip(" |")
    return agg
