"""Association of the gaps with the units' covariates: distance to the district seat, density,
population (:func:`compute_covariate_associations`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .. import config
from ..errors import ParameterError
from ..status import worst_status
from ..units import haversine_km
from ._stats import _check_columns, _check_level, _ols_hc3, holm, spearman
from ._wide import _periods, _wide_pillars
from .formula import GAP_SERIES

#: Covariates of :func:`compute_covariate_associations`: id -> (unit of the covariate, slope
#: reported per, scale). Population and density enter as base-2 logarithms: a town ten times
#: the size of a village is one point, not a lever that decides the slope alone, and the slope
#: reads "per doubling".
COVARIATES = {
    "distance_km": ("km", "1 km", 1.0),
    "log2_density": ("log2(persons/km²)", "doubling of the density", 1.0),
    "log2_population": ("log2(persons)", "doubling of the population", 1.0),
}
#: Below this many units no association is fitted (NaN and ``note = "too_few_units"``).
MIN_UNITS = 10


def compute_unit_covariates(units: pd.DataFrame, *, centre: str | None = "20500") -> pd.DataFrame:
    """Covariates of each unit: distance to the district centre, population density, 2019 population.

    ``distance_km``: great-circle (haversine) distance from the unit's coordinates to those of the
    ``centre`` unit (default 20500, Ái Nghĩa town, the district seat; 0 for the centre itself).
    ``density_per_km2 = population / area_km2`` (NaN where the area is unknown).
    ``population_2019``: the 2019 census population. ``log2_density``, ``log2_population``:
    their base-2 logarithms (NaN for a value <= 0).

    What cannot be computed is NaN, not an error (real datasets such as the EGDI countries have no
    coordinates or populations): a missing ``lat``/``lon``/``population``/``area_km2`` column
    gives NaN for the covariates that need it, and distance is NaN for every unit when ``centre``
    is None, is not a ``unit_code`` of ``units``, or has no coordinates. ``df.attrs["skipped"]``
    says which covariate was skipped and why.

    Returns:
        ``unit_code, distance_km, density_per_km2, population_2019, log2_density,
        log2_population``.

    Raises:
        ParameterError: ``centre`` appears more than once in ``units``.
    """
    _check_columns(units, ("unit_code",), "units")
    u = units.copy()
    u["unit_code"] = u["unit_code"].astype(str)
    n = len(u)

    def num(col: str) -> np.ndarray:
        if col not in u.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(u[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    lat, lon, pop, area = num("lat"), num("lon"), num("population"), num("area_km2")
    skipped = {}
    distance = np.full(n, np.nan)
    c = u.index[u["unit_code"] == str(centre)] if centre is not None else u.index[:0]
    if len(c) > 1:
        raise ParameterError(
            f"centre={centre!r}: unit_code appears {len(c)} times in the units table; make unit codes unique"
        )
    if centre is None:
        skipped["distance_km"] = "centre=None"
    elif len(c) == 0:
        skipped["distance_km"] = f"centre {str(centre)!r} is not a unit_code of the units table"
    else:
        k = u.index.get_loc(c[0])
        if np.isnan(lat[k]) or np.isnan(lon[k]):
            skipped["distance_km"] = f"centre {str(centre)!r} has no coordinates (lat/lon)"
        else:
            distance = haversine_km(lat[k], lon[k], lat, lon)
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(area > 0, pop / np.where(area > 0, area, 1.0), np.nan)
    out = pd.DataFrame(
        {
            "unit_code": u["unit_code"],
            "distance_km": np.asarray(distance, dtype=float),
            "density_per_km2": density,
            "population_2019": pop,
        }
    ).reset_index(drop=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["log2_density"] = np.where(
            density > 0, np.log2(np.where(density > 0, density, 1)), np.nan
        )
        out["log2_population"] = np.where(pop > 0, np.log2(np.where(pop > 0, pop, 1)), np.nan)
    for name in ("density_per_km2", "population_2019", "log2_density", "log2_population"):
        if out[name].isna().all():
            skipped[name] = "no population (and area) values in the units table"
    if "distance_km" not in skipped and out["distance_km"].isna().all():
        skipped["distance_km"] = "no unit has coordinates (lat/lon)"
    out.attrs["skipped"] = skipped
    return out


def _association_row(x, y, level: float, z: float) -> dict:
    """Spearman and the OLS line of one outcome on one covariate (NaN below MIN_UNITS)."""
    n = len(x)
    keys = ("rho", "rho_lo", "rho_hi", "rho_p", "slope", "slope_se", "slope_lo", "slope_hi",
            "slope_p", "intercept", "r2", "cooks_d_max", "n_high_leverage")  # fmt: skip
    row = {"n": n, **dict.fromkeys(keys, np.nan), "note": None}
    if n < MIN_UNITS:
        row["note"] = "too_few_units"
        return row
    if np.ptp(x) > 0 and np.ptp(y) > 0:
        rho, row["rho_p"] = spearman(x, y)
        row["rho"] = rho
        se = math.sqrt((1 + rho**2 / 2) / (n - 3))
        zr = math.atanh(max(min(rho, 1 - 1e-12), -1 + 1e-12))
        row["rho_lo"], row["rho_hi"] = math.tanh(zr - z * se), math.tanh(zr + z * se)
    fit = _ols_hc3(x, y, level)
    row.update({k: fit[k] for k in keys[4:]})
    return row


def compute_covariate_associations(
    gaps: pd.DataFrame,
    units: pd.DataFrame,
    *,
    centre: str | None = "20500",
    outcomes: Sequence[str] = GAP_SERIES,
    level: float = config.DEFAULT_CI_LEVEL,
) -> pd.DataFrame:
    """Association of the gaps with distance to the district seat, log density and log population.

    For every period, outcome (``gap_mean``, ``gap_econ``, ``gap_soc``, or any column of ``gaps``)
    and covariate (:data:`COVARIATES`, see :func:`compute_unit_covariates`), over the communes
    where both are known (``n`` says how many: density is unknown where the area is missing):

    * Spearman's rho, its p-value, and a Fisher-z interval with the Bonett-Wright variance
      ``(1 + rho^2 / 2) / (n - 3)``;
    * the OLS line ``outcome = a + b * covariate`` with HC3 heteroskedasticity-robust standard
      error of ``b``, a t-interval (n - 2 df) and p-value; ``slope_per`` says the unit of ``b``
      (per 1 km; per doubling of density or population: they enter as base-2 logarithms);
    * influence: ``cooks_d_max`` (the largest Cook's distance; above ~1, or well above 4/n, one
      commune moves the line) and ``n_high_leverage`` (leverage above 4/n);
    * ``p_holm`` and ``rho_p_holm``: ``slope_p`` and ``rho_p`` Holm-adjusted across every period,
      outcome and covariate of the table (one family).

    With fewer than :data:`MIN_UNITS` (10) communes nothing is fitted: the row keeps ``n``, its
    numbers are NaN and ``note`` is ``too_few_units`` (a line through 5 points says nothing a
    reader can use). Covariates that cannot be computed are skipped, not an error (see
    :func:`compute_unit_covariates`); ``df.attrs["skipped"]`` says which and why.

    Returns:
        ``period, outcome, covariate, n, rho, rho_lo, rho_hi, rho_p, rho_p_holm, slope,
        slope_se, slope_lo, slope_hi, slope_p, p_holm, intercept, r2, cooks_d_max,
        n_high_leverage, slope_per, note, status``.
    """
    level = _check_level(level)
    outcomes = list(outcomes)
    w = _wide_pillars(gaps, outcomes)
    cov = compute_unit_covariates(units, centre=centre)
    skipped = {k: v for k, v in cov.attrs.get("skipped", {}).items() if k in COVARIATES}
    usable = {k: v for k, v in COVARIATES.items() if k not in skipped}
    df = w.merge(cov, on="unit_code", how="left")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for period in _periods(df):
        sub = df[df["period"] == period]
        for outcome in outcomes:
            for name, (_, per, scale) in usable.items():
                ok = sub[outcome].notna() & sub[name].notna()
                x = sub.loc[ok, name].to_numpy(dtype=float) / scale
                y = sub.loc[ok, outcome].to_numpy(dtype=float)
                row = dict(period=period, outcome=outcome, covariate=name)
                row.update(_association_row(x, y, level, z))
                row["slope_per"] = per
                row["status"] = worst_status(sub.loc[ok, "status"])
                rows.append(row)
    out = pd.DataFrame(rows, columns=[c for c in _COVARIATE_ASSOCIATION_COLUMNS if "holm" not in c])
    out["p_holm"] = holm(out["slope_p"].to_numpy(float)) if len(out) else []
    out["rho_p_holm"] = holm(out["rho_p"].to_numpy(float)) if len(out) else []
    out = out.reindex(columns=list(_COVARIATE_ASSOCIATION_COLUMNS))
    out["note"] = out["note"].astype("string")
    out.attrs["skipped"] = skipped
    out.attrs["multiplicity"] = (
        "p_holm, rho_p_holm: Holm (1979) across periods, outcomes and covariates"
    )
    out.attrs["notes"] = (
        {"too_few_units": f"no fit below {MIN_UNITS} units"}
        if (out["note"] == "too_few_units").any()
        else {}
    )
    return out


_COVARIATE_ASSOCIATION_COLUMNS = (
    "period", "outcome", "covariate", "n", "rho", "rho_lo", "rho_hi", "rho_p", "rho_p_holm",
    "slope", "slope_se", "slope_lo", "slope_hi", "slope_p", "p_holm", "intercept", "r2",
    "cooks_d_max", "n_high_leverage", "slope_per", "note", "status",
)  # fmt: skip
