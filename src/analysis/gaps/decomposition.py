"""What makes a commune's gap: exact additive contributions of the indicators, the weakest
indicators against the district, the distance to the national targets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import config
from ..composite.arrays import weighted_mean
from ..errors import ParameterError
from ..frameworks import Framework
from ..status import status_codes
from ._cube import _build_cube, _comparison_pillars
from ._stats import _check_columns
from .formula import ECON, GOV, PILLARS, SOC


def compute_gap_contributions(scores: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Each indicator's additive share of the commune's pillar score and gaps.

    With renormalised weights ``w_k`` (the framework weights of the indicators present for that
    commune and period, divided by their sum within the pillar) and normalised values ``x_k``, the
    pillar score is ``P = sum_k w_k x_k``. Per indicator:

    * ``weighted_value = w_k x_k`` (sums to the pillar score);
    * ``deviation = w_k (x_k - P)``: the weighted normalised value minus the pillar's, i.e. how much
      the indicator lifts (+) or drags (-) its own pillar compared with an indicator sitting exactly
      at the pillar score (sums to 0 within a pillar);
    * ``contribution_econ``: ``+w_k x_k`` for government indicators, ``-w_k x_k`` for economy
      indicators, 0 otherwise; sums exactly to ``gap_econ = G - E``. Likewise ``contribution_soc``
      (sums to ``G - S``) and ``contribution_mean`` (economy and society indicators count
      ``-w_k x_k / 2``; sums to ``gap_mean``). Framework without economy (EGDI):
      ``contribution_econ`` is NaN and society indicators count ``-w_k x_k`` in
      ``contribution_mean`` (``gap_mean = G - S``); likewise without society.

    Pillar scores here are the arithmetic recomputation from the indicators (as in the bootstrap).

    Returns:
        ``unit_code, period, indicator, pillar, value, weight, weighted_value, pillar_score,
        deviation, contribution_econ, contribution_soc, contribution_mean, status``; missing
        indicators are omitted.
    """
    cube = _build_cube(scores, framework)
    R, K = cube.x.shape
    ok = ~np.isnan(cube.x)
    wfull = np.where(ok, cube.weight[None, :], 0.0)
    wnorm = np.zeros_like(wfull)
    pscore = np.full((R, K), np.nan)
    for p in PILLARS:
        cols = cube.pillar == p
        tot = wfull[:, cols].sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            wnorm[:, cols] = np.where(tot > 0, wfull[:, cols] / tot, 0.0)
        pscore[:, cols] = weighted_mean(cube.x[:, cols], cube.weight[cols])[:, None]
    wv = wnorm * np.where(ok, cube.x, 0.0)
    is_g = (cube.pillar == GOV)[None, :]
    is_e = (cube.pillar == ECON)[None, :]
    is_s = (cube.pillar == SOC)[None, :]
    cmp = _comparison_pillars(cube)
    in_cmp = np.isin(cube.pillar, cmp)[None, :]
    # a gap against a pillar the framework (or the data) lacks is NaN, so are its contributions
    c_econ = (
        np.where(is_g, wv, np.where(is_e, -wv, 0.0)) if ECON in cmp else np.full((R, K), np.nan)
    )
    c_soc = np.where(is_g, wv, np.where(is_s, -wv, 0.0)) if SOC in cmp else np.full((R, K), np.nan)
    c_mean = (
        np.where(is_g, wv, np.where(in_cmp, -wv / len(cmp), 0.0))
        if cmp
        else np.full((R, K), np.nan)
    )
    df = pd.DataFrame(
        {
            "unit_code": np.repeat(cube.keys["unit_code"].to_numpy(), K),
            "period": np.repeat(cube.keys["period"].to_numpy(), K),
            "indicator": np.tile(np.asarray(cube.ids, dtype=object), R),
            "pillar": np.tile(cube.pillar, R),
            "value": cube.x.ravel(),
            "weight": wnorm.ravel(),
            "weighted_value": wv.ravel(),
            "pillar_score": pscore.ravel(),
            "deviation": (wnorm * (np.where(ok, cube.x, 0.0) - np.nan_to_num(pscore))).ravel(),
            "contribution_econ": c_econ.ravel(),
            "contribution_soc": c_soc.ravel(),
            "contribution_mean": c_mean.ravel(),
            "status": np.repeat([config.STATUSES[c] for c in cube.status], K),
        }
    )
    return df[ok.ravel()].reset_index(drop=True)


def weakest_indicators(
    scores: pd.DataFrame,
    framework: Framework,
    *,
    n: int = 3,
    reference: str = "median",
    pillars: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The ``n`` indicators on which each commune lags the district most.

    Shortfall = the commune's normalised value minus the district reference for the same indicator
    and period (``median`` across communes by default, or ``mean``); the ``n`` most negative
    shortfalls are listed (ties: framework order). Normalised values are already oriented so that
    higher is better, so a negative shortfall always means "worse than the district".

    Args:
        scores: tidy scores (level=indicator rows are used).
        framework: the framework of the scores.
        n: how many indicators per commune and period (default 3).
        reference: ``median`` (default) or ``mean`` across the communes of the period.
        pillars: restrict to these pillars (e.g. ``["economy", "society"]``); default all three.

    Returns:
        ``unit_code, period, rank, indicator, pillar, value, district_value, shortfall, status``
        (rank 1 = weakest).
    """
    if reference not in ("median", "mean"):
        raise ParameterError(f"reference={reference!r}: use 'median' or 'mean'")
    if not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError(f"n={n!r}: expected a positive integer (default 3)")
    pillars = list(PILLARS if pillars is None else pillars)
    bad = [p for p in pillars if p not in PILLARS]
    if bad:
        raise ParameterError(f"pillars={bad!r}: unknown; use some of {list(PILLARS)}")
    c = compute_gap_contributions(scores, framework)[
        ["unit_code", "period", "indicator", "pillar", "value", "status"]
    ]
    c["district_value"] = c.groupby(["period", "indicator"])["value"].transform(reference)
    c["shortfall"] = c["value"] - c["district_value"]
    order = {k: i for i, k in enumerate(framework.indicator_ids)}
    c = c[c["pillar"].isin(pillars)].assign(_o=c["indicator"].map(order))
    c = c.sort_values(["period", "unit_code", "shortfall", "_o"], kind="mergesort")
    c["rank"] = c.groupby(["period", "unit_code"]).cumcount() + 1
    c = c[c["rank"] <= n]
    cols = [
        "unit_code",
        "period",
        "rank",
        "indicator",
        "pillar",
        "value",
        "district_value",
        "shortfall",
        "status",
    ]
    return c[cols].reset_index(drop=True)


def distance_to_targets(
    values: pd.DataFrame,
    framework: Framework,
    *,
    scale: str = "raw",
    years: Sequence[int] = (2025, 2030),
) -> pd.DataFrame:
    """Direction-aware distance of each indicator value to its 2025 / 2030 national target.

    ``distance = direction * (value - target)``: positive or zero means the target is met (by that
    margin), negative is the shortfall, in the indicator's own unit (``scale="raw"``).
    ``distance_norm = distance / (goalpost_hi - goalpost_lo)`` puts all indicators on the 0..1 score
    scale (-0.2 = 20 points of the goalpost range short). Only indicators with a target are listed.

    Args:
        values: raw observations ``unit_code, period, indicator, value, status`` (``scale="raw"``),
            or tidy scores (``name`` instead of ``indicator``; rows with ``level != "indicator"`` are
            dropped) with ``scale="normalised"``: the targets are then normalised with the
            framework goalposts (min-max, direction-aware, clipped to 0..1) and ``distance`` equals
            ``distance_norm``.
        framework: gives direction, goalposts and targets.
        scale: ``raw`` (default) or ``normalised``.
        years: target years to report (2025 and/or 2030).

    Returns:
        ``unit_code, period, indicator, pillar, target_year, target, value, distance, distance_norm,
        is_met, status``.
    """
    if scale not in ("raw", "normalised"):
        raise ParameterError(
            f"scale={scale!r}: use 'raw' (observations in indicator units) or 'normalised' (0..1 scores)"
        )
    bad_years = [y for y in years if y not in (2025, 2030)]
    if bad_years:
        raise ParameterError(
            f"years={bad_years!r}: the framework has targets for 2025 and 2030 only"
        )
    v = values.copy()
    if scale == "raw" and "level" in v.columns:
        raise ParameterError(
            "values: this looks like the tidy score table (it has a 'level' column), whose indicator values are "
            "normalised; pass the raw observations, or scale='normalised' to compare scores with normalised targets"
        )
    if "indicator" not in v.columns and "name" in v.columns:
        if "level" in v.columns:
            v = v[v["level"] == "indicator"]
        v = v.rename(columns={"name": "indicator"})
    _check_columns(v, ("unit_code", "period", "indicator", "value", "status"), "values")
    status_codes(v["status"])
    v["unit_code"] = v["unit_code"].astype(str)
    v["period"] = v["period"].astype(str)
    v["value"] = pd.to_numeric(v["value"], errors="coerce")
    meta = framework.indicators
    parts = []
    for y in years:
        t = meta[["id", "pillar", "direction", "goalpost_lo", "goalpost_hi", f"target_{y}"]].rename(
            columns={"id": "indicator", f"target_{y}": "target"}
        )
        t = t[t["target"].notna()].assign(target_year=y)
        parts.append(t)
    t = pd.concat(parts, ignore_index=True)
    t["target"] = t["target"].astype(float)
    span = t["goalpost_hi"] - t["goalpost_lo"]
    if scale == "normalised":
        tn = np.where(
            t["direction"] > 0,
            (t["target"] - t["goalpost_lo"]) / span,
            (t["goalpost_hi"] - t["target"]) / span,
        )
        t["target"] = np.clip(tn, 0.0, 1.0)
        t["direction"] = 1
        t["_span"] = 1.0
    else:
        t["_span"] = span
    out = v[["unit_code", "period", "indicator", "value", "status"]].merge(
        t, on="indicator", how="inner"
    )
    out["distance"] = out["direction"] * (out["value"] - out["target"])
    out["distance_norm"] = out["distance"] / out["_span"]
    out["is_met"] = (out["distance"] >= -1e-12).where(out["value"].notna()).astype("boolean")
    cols = [
        "unit_code",
        "period",
        "indicator",
        "pillar",
        "target_year",
        "target",
        "value",
        "distance",
        "distance_norm",
        "is_met",
        "status",
    ]
    return (
        out.sort_values(["period", "unit_code", "target_year", "indicator"])
        .loc[:, cols]
        .reset_index(drop=True)
    )
