"""Gap analysis: does digital government run ahead of the digital economy and society?

Pure functions over the tidy score table (``unit_code, period, level, name, value, status``) and
the tables derived from it. Every result is a tidy :class:`pandas.DataFrame` whose intervals are
explicit ``*_lo`` / ``*_hi`` columns and whose ``status`` column is the worst data status of the
inputs (``synthetic`` > ``imputed`` > ``estimated`` > ``observed``): anything computed from
synthetic values stays synthetic.

The full method text, written to be cited, is ``docs/methods.md`` (section "Gap analysis"). In
short, with pillar scores G (government), E (economy) and S (society) on the 0..1 scale:

Per commune and period (:func:`compute_gaps`)
    ``gap_econ = G - E``, ``gap_soc = G - S``, ``gap_mean = G - (E + S) / 2``;
    ``ratio_econ = G / E``, ``ratio_soc = G / S``; ``z_*`` = the gap standardised across the
    communes of the same period (mean 0, sample SD 1); ranks 1 = highest within the period.
    Intervals: bootstrap over the indicators within each pillar (the same resample of indicators
    for every commune; B >= 2000; seeded), percentile interval with a small-sample expansion by
    default (``ci_method="expanded"``; ``"percentile"`` for the plain one), and optionally the
    interval across method choices from :mod:`analysis.robustness` (``*_mc_lo`` / ``*_mc_hi``).
    Typology from ``gap_mean`` and the mean level ``(G + E + S) / 3`` with thresholds ``delta``
    (default 0.10) and ``high`` (default 0.50); stability = share of bootstrap resamples that give
    the same class.

Missing pillars (real frameworks such as the UN EGDI, which has government and society only)
    The framework needs ``government`` and at least one of ``economy`` / ``society``. A pillar the
    framework does not have (or that has no data at all) gives NaN pillar columns, NaN gaps against
    it (``gap_econ`` for the EGDI), NaN ranks and z-scores, and no test or correlation (district
    functions keep the row with ``n = 0`` and NaN). ``gap_mean`` is then G minus the mean of the
    non-government pillars that are available: ``G - S`` without economy, ``G - E`` without
    society (``df.attrs["comparison_pillars"]`` lists them); the typology is computed from that
    ``gap_mean`` and the mean level of G and the available pillars. A unit-period missing a pillar
    that the framework has still gets NaN gaps (the definition does not change from unit to unit).

Pillars with fewer than 2 indicators (the DTI published pillars; DESI digital public services)
    Resampling one indicator always returns the same indicator, so a bootstrap-over-indicators
    interval would be a zero-width artefact. Rule: **NaN interval = a pillar of the gap has fewer
    than 2 (non-missing) indicators for that unit and period; point gap only**, and
    ``typology_stability`` is NaN for such rows. ``df.attrs["ci_note"]`` (``{gap: text}``) says
    why a gap has no interval.

Decomposition
    :func:`compute_gap_contributions` (exact additive shares of the gaps),
    :func:`weakest_indicators` (largest shortfalls against the district median),
    :func:`distance_to_targets` (direction-aware distance to the 2025 / 2030 national targets).

Across communes (one row per period)
    :func:`test_pillar_gaps` (paired Wilcoxon signed-rank, matched-pairs rank-biserial effect size
    with bootstrap CI, share of communes with G above E / S with a Wilson interval),
    :func:`compute_pillar_correlations` (Spearman with bootstrap CI),
    :func:`compute_inequality` (Gini, Theil T, coefficient of variation, with bootstrap CIs),
    :func:`compute_covariate_associations` (distance to the district seat, population density,
    2019 population: Spearman and OLS slope with HC3 standard errors).

Over time
    :func:`compute_trends` (Theil-Sen slope per commune and series, and "is the gap closing?"),
    :func:`compute_convergence` (sigma- and beta-convergence per pillar).

Example:
    >>> import pandas as pd
    >>> from analysis.frameworks import framework_from_dict
    >>> fw = framework_from_dict({"id": "toy", "pillars": [{"id": p} for p in ("government", "economy", "society")],
    ...     "indicators": [dict(id=f"{p}_{k}", pillar=p, name_vi="x", name_en="x", unit="%", direction=1,
    ...                    kind="rate", goalposts=[0, 100], weight=1) for p in ("government", "economy", "society") for k in (1, 2)]})
    >>> vals = {"government_1": 0.8, "government_2": 0.6, "economy_1": 0.3, "economy_2": 0.5, "society_1": 0.4, "society_2": 0.6}
    >>> scores = pd.DataFrame([dict(unit_code="1", period="2024", level="indicator", name=k, value=v, status="synthetic")
    ...                        for k, v in vals.items()])
    >>> g = compute_gaps(scores, fw, n_boot=200)
    >>> g[["government", "economy", "society", "gap_econ", "gap_mean", "typology", "status"]].round(2).to_dict("records")
    [{'government': 0.7, 'economy': 0.4, 'society': 0.5, 'gap_econ': 0.3, 'gap_mean': 0.25, 'typology': 'government_led', 'status': 'synthetic'}]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import config
from .errors import DataValidationError, FrameworkError, ParameterError
from .frameworks import Framework
from .periods import period_to_time
from .status import status_codes, worst_status
from .units import haversine_km

GOV, ECON, SOC = config.GOV, config.ECON, config.SOC
PILLARS = (GOV, ECON, SOC)

#: Column order of the gap table (HELPERS.md contract).
GAP_COLUMNS = (
    "unit_code", "period", "government", "economy", "society",
    "gap_econ", "gap_econ_lo", "gap_econ_hi", "gap_soc", "gap_soc_lo", "gap_soc_hi",
    "gap_mean", "gap_mean_lo", "gap_mean_hi", "ratio_econ", "ratio_soc",
    "z_econ", "z_soc", "z_mean",
    "rank_government", "rank_economy", "rank_society", "rank_gap_mean",
    "typology", "typology_stability", "status",
)  # fmt: skip
GAP_SERIES = ("gap_econ", "gap_soc", "gap_mean")

#: Typology classes, in the order of the decision rule (see :func:`compute_gaps`).
TYPOLOGY_CLASSES = ("government_led", "balanced_high", "balanced_low", "economy_society_led")
#: Default typology thresholds (0..1 score scale): a gap of at least 0.10 (10 points) is a lead;
#: a mean level of at least 0.50 is "high".
DEFAULT_DELTA = 0.10
DEFAULT_HIGH = 0.50
#: Tolerance on the typology thresholds so that decimal rounding (0.7 - 0.6 = 0.0999...) does not flip a class.
_EDGE_TOL = 1e-9

_SCORE_COLUMNS = ("unit_code", "period", "level", "name", "value", "status")

#: Covariates of :func:`compute_covariate_associations`: id -> (unit of the covariate, slope reported per, scale).
COVARIATES = {
    "distance_km": ("km", "1 km", 1.0),
    "density_per_km2": ("persons/km²", "100 persons/km²", 100.0),
    "population_2019": ("persons", "1,000 persons", 1000.0),
}


# =========================================================================== small helpers
def _check_level(level: float) -> float:
    if not (isinstance(level, int | float) and 0.0 < float(level) < 1.0):
        raise ParameterError(
            f"level={level!r}: the confidence level must be a number strictly between 0 and 1, e.g. 0.90"
        )
    return float(level)


def _check_n_boot(n_boot: int, *, minimum: int = 1, name: str = "n_boot") -> int:
    if not isinstance(n_boot, int | np.integer) or isinstance(n_boot, bool) or n_boot < minimum:
        raise ParameterError(
            f"{name}={n_boot!r}: expected an integer >= {minimum} (2000 or more for published intervals)"
        )
    return int(n_boot)


def _check_columns(df: pd.DataFrame, required: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataValidationError(
            [f"{what}: expected a pandas DataFrame, got {type(df).__name__}"], source=what
        )
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataValidationError(
            [
                f"{what}: missing column(s) {missing}; present: {list(df.columns)}; add them (see the contracts in HELPERS.md)"
            ],
            source=what,
        )


def _nanquantile(a: np.ndarray, q, axis: int = -1) -> np.ndarray:
    """``np.nanquantile`` without the all-NaN RuntimeWarning (an all-NaN slice gives NaN)."""
    if not np.isnan(a).any():  # the fast, fully vectorised path
        return np.quantile(a, q, axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(a, q, axis=axis)


def _pct_interval(draws: np.ndarray, level: float, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1.0 - level
    lo, hi = _nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=axis)
    return lo, hi


def _weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean of the rows of ``x`` (R x K) dropping NaN and renormalising the weights.

    ``w`` is ``(K,)`` (one weight per column) or ``(K, B)`` (B weight vectors at once, as in the
    bootstrap); the result is ``(R,)`` or ``(R, B)``. A row with no non-missing value (or zero total
    weight on its non-missing values) gives NaN.

    >>> import numpy as np
    >>> _weighted_mean(np.array([[0.2, np.nan, 0.8], [0.5, 0.5, 0.5]]), np.array([1.0, 5.0, 3.0]))
    array([0.65, 0.5 ])
    """
    ok = ~np.isnan(x)
    sub = "rk,k->r" if w.ndim == 1 else "rk,kb->rb"
    # einsum, not BLAS: K is small, and BLAS threads only add overhead (and contention) here
    num = np.einsum(sub, np.where(ok, x, 0.0), w)
    den = np.einsum(sub, ok.astype(float), w)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return np.where(den > 0, out, np.nan)


def _wilson(k, n, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion k/n (vectorised; n = 0 gives NaN).

    >>> lo, hi = _wilson(81, 263, 0.95)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.2553, 0.3662)
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


def _gini(x: np.ndarray) -> np.ndarray:
    """Gini coefficient along the last axis: ``sum_ij |x_i - x_j| / (2 n^2 mean)`` (population form).

    >>> float(_gini(np.array([1.0, 2.0, 3.0, 4.0])))
    0.25
    """
    x = np.sort(np.asarray(x, dtype=float), axis=-1)
    n = x.shape[-1]
    i = np.arange(1, n + 1)
    total = x.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 2.0 * (x * i).sum(axis=-1) / (n * total) - (n + 1.0) / n
    return np.where(total > 0, np.maximum(g, 0.0) if (x >= 0).all() else g, np.nan)


def _theil(x: np.ndarray) -> np.ndarray:
    """Theil T index along the last axis: ``mean((x/mu) ln(x/mu))`` with ``0 ln 0 = 0``; NaN if any x < 0.

    >>> round(float(_theil(np.array([0.0, 0.0, 0.0, 1.0]))), 6)
    1.386294
    """
    x = np.asarray(x, dtype=float)
    mu = x.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = x / mu
        t = np.where(s > 0, s * np.log(np.where(s > 0, s, 1.0)), 0.0).mean(axis=-1)
    bad = (x < 0).any(axis=-1) | (mu[..., 0] <= 0)
    return np.where(bad, np.nan, np.maximum(t, 0.0))  # >= 0 in exact arithmetic


def _cv(x: np.ndarray) -> np.ndarray:
    """Coefficient of variation along the last axis: population SD / mean."""
    x = np.asarray(x, dtype=float)
    mu = x.mean(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mu > 0, x.std(axis=-1) / mu, np.nan)


def _ols_hc3(x: np.ndarray, y: np.ndarray, level: float = 0.90) -> dict:
    """Simple linear regression ``y = a + b x`` by OLS with HC3 heteroskedasticity-robust SEs.

    HC3 (MacKinnon & White 1985): ``V = (X'X)^-1 X' diag(e_i^2 / (1 - h_ii)^2) X (X'X)^-1`` with
    ``h_ii`` the leverages. The slope CI and p-value use Student's t with ``n - 2`` df.

    Returns a dict with ``n, intercept, slope, intercept_se, slope_se, slope_lo, slope_hi, slope_p, r2``
    (NaN when fewer than 3 complete pairs, no spread in x, or a leverage of 1).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    n = len(x)
    out = dict.fromkeys(
        ("intercept", "slope", "intercept_se", "slope_se", "slope_lo", "slope_hi", "slope_p", "r2"),
        np.nan,
    )
    out["n"] = n
    if n < 3 or np.ptp(x) == 0:
        return out
    X = np.column_stack([np.ones(n), x])
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ X.T @ y
    resid = y - X @ beta
    h = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
    out["intercept"], out["slope"] = float(beta[0]), float(beta[1])
    sst = float(((y - y.mean()) ** 2).sum())
    out["r2"] = 1.0 - float((resid**2).sum()) / sst if sst > 0 else np.nan
    if np.any(h >= 1 - 1e-12):
        return out
    omega = resid**2 / (1.0 - h) ** 2
    cov = xtx_inv @ (X.T * omega) @ X @ xtx_inv
    se = np.sqrt(np.diag(cov))
    out["intercept_se"], out["slope_se"] = float(se[0]), float(se[1])
    tcrit = stats.t.ppf(0.5 + level / 2, n - 2)
    out["slope_lo"] = out["slope"] - tcrit * out["slope_se"]
    out["slope_hi"] = out["slope"] + tcrit * out["slope_se"]
    if out["slope_se"] > 0:
        out["slope_p"] = float(2 * stats.t.sf(abs(out["slope"] / out["slope_se"]), n - 2))
    return out


def _rank_biserial(d: np.ndarray) -> np.ndarray:
    """Matched-pairs rank-biserial correlation of paired differences along the last axis.

    ``r = (T+ - T-) / (T+ + T-)`` where T+ (T-) is the sum of the ranks of ``|d|`` over positive
    (negative) differences; zero differences are dropped before ranking (Wilcoxon's convention),
    ties get average ranks. ``d`` is ``(n,)`` or ``(B, n)``.

    >>> float(_rank_biserial(np.array([1.0, 2.0, -3.0, 4.0])))
    0.4
    """
    d = np.atleast_2d(np.asarray(d, dtype=float))
    zero = d == 0
    a = np.where(zero, -1.0, np.abs(d))  # zeros rank below every non-zero |d| ...
    ranks = stats.rankdata(a, axis=-1) - zero.sum(axis=-1, keepdims=True)  # ... then are removed
    tp = np.where(d > 0, ranks, 0.0).sum(axis=-1)
    tm = np.where(d < 0, ranks, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (tp - tm) / (tp + tm)
    r = np.where(tp + tm > 0, r, np.nan)
    return r if r.shape[0] > 1 else r[0]


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation for each row of two ``(B, n)`` arrays (average ranks for ties)."""
    rx = stats.rankdata(x, axis=-1)
    ry = stats.rankdata(y, axis=-1)
    rx = rx - rx.mean(axis=-1, keepdims=True)
    ry = ry - ry.mean(axis=-1, keepdims=True)
    den = np.sqrt((rx**2).sum(axis=-1) * (ry**2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=-1) / den, np.nan)


# =========================================================================== scores -> arrays
@dataclass(frozen=True)
class _Cube:
    """Indicator values of every (unit, period) as arrays, aligned with the framework."""

    keys: pd.DataFrame  # unit_code, period (R rows)
    x: np.ndarray  # (R, K) normalised indicator values, NaN = missing
    weight: np.ndarray  # (K,)
    pillar: np.ndarray  # (K,) pillar id of each column
    ids: list  # (K,) indicator ids
    status: np.ndarray  # (R,) worst status code of every row of that unit-period
    reported: pd.DataFrame | None  # (R, 3) pillar scores from the level=pillar rows, if any


def _check_framework(framework: Framework) -> pd.DataFrame:
    """Indicators of the gap pillars; needs government and at least one of economy / society.

    A framework without economy (the UN EGDI) or without society is accepted: that pillar's
    columns and gaps are NaN (see "Missing pillars" in the module docstring).
    """
    if not isinstance(framework, Framework):
        raise FrameworkError(
            f"framework: expected analysis.frameworks.Framework, got {type(framework).__name__}; use load_framework()"
        )
    if GOV not in framework.pillar_ids or not any(p in framework.pillar_ids for p in (ECON, SOC)):
        raise FrameworkError(
            f"framework {framework.id!r} has pillars {list(framework.pillar_ids)}; the gap analysis needs "
            f"{GOV!r} and at least one of {ECON!r}, {SOC!r} (pillar ids of the framework YAML)"
        )
    return framework.indicators[framework.indicators["pillar"].isin(PILLARS)]


def _comparison_pillars(cube: _Cube) -> list[str]:
    """Non-government pillars with data: at least one indicator column or one reported pillar value."""
    out = []
    for p in (ECON, SOC):
        has_ind = bool((cube.pillar == p).any())
        has_rep = cube.reported is not None and bool(cube.reported[p].notna().any())
        if has_ind or has_rep:
            out.append(p)
    return out


def _n_available(cube: _Cube) -> dict[str, np.ndarray]:
    """``(R,)`` number of non-missing indicators of each pillar in each unit-period row."""
    ok = ~np.isnan(cube.x)
    return {p: ok[:, cube.pillar == p].sum(axis=1) for p in PILLARS}


def _tidy_scores(scores: pd.DataFrame) -> pd.DataFrame:
    _check_columns(scores, _SCORE_COLUMNS, "scores")
    s = scores.loc[:, list(_SCORE_COLUMNS)].copy()
    s["unit_code"] = s["unit_code"].astype(str)
    s["period"] = s["period"].astype(str)
    s["name"] = s["name"].astype(str)
    s["value"] = pd.to_numeric(s["value"], errors="coerce")
    bad = ~s["level"].isin(("indicator", "pillar", "index"))
    if bad.any():
        i = s.index[bad][0]
        raise DataValidationError(
            [
                f"scores row {i}: column 'level' value {s.at[i, 'level']!r} is not indicator, pillar or index"
            ],
            source="scores",
        )
    dup = s.duplicated(["unit_code", "period", "level", "name"])
    if dup.any():
        i = s.index[dup][0]
        raise DataValidationError(
            [
                f"scores row {i}: duplicate ({s.at[i, 'unit_code']}, {s.at[i, 'period']}, {s.at[i, 'level']}, {s.at[i, 'name']}); keep one row per unit, period, level and name"
            ],
            source="scores",
        )
    return s


def _build_cube(scores: pd.DataFrame, framework: Framework) -> _Cube:
    meta = _check_framework(framework)
    s = _tidy_scores(scores)
    ind = s[s["level"] == "indicator"]
    if ind.empty:
        raise DataValidationError(
            [
                "scores: no level='indicator' rows; the bootstrap over indicators needs the normalised indicators"
            ],
            source="scores",
        )
    known = set(framework.indicator_ids)
    unknown = sorted(set(ind["name"]) - known)
    if unknown:
        raise DataValidationError(
            [
                f"scores: indicator(s) {unknown[:5]} are not in framework {framework.id!r}; pass the framework the scores were computed with"
            ],
            source="scores",
        )
    ind = ind[ind["name"].isin(set(meta["id"]))]
    rel = s[
        (s["level"] == "indicator") & s["name"].isin(set(meta["id"]))
        | (s["level"] == "pillar") & s["name"].isin(PILLARS)
    ]
    keys = (
        rel[["unit_code", "period"]]
        .drop_duplicates()
        .sort_values(["period", "unit_code"])
        .reset_index(drop=True)
    )
    idx = pd.MultiIndex.from_frame(keys)
    wide = ind.pivot(index=["unit_code", "period"], columns="name", values="value")
    present = [i for i in meta["id"] if i in wide.columns and wide[i].notna().any()]
    m = meta.set_index("id").loc[present]
    x = wide.reindex(index=idx, columns=present).to_numpy(dtype=float)
    codes = pd.Series(status_codes(rel["status"]), index=rel.index)
    st = codes.groupby([rel["unit_code"], rel["period"]]).max().reindex(idx).to_numpy()
    pil = s[(s["level"] == "pillar") & s["name"].isin(PILLARS)]
    reported = None
    if not pil.empty:
        reported = pil.pivot(index=["unit_code", "period"], columns="name", values="value").reindex(
            index=idx, columns=list(PILLARS)
        )
    return _Cube(
        keys=keys,
        x=x,
        weight=m["weight"].to_numpy(dtype=float),
        pillar=m["pillar"].to_numpy(dtype=object),
        ids=present,
        status=st,
        reported=reported,
    )


def _pillar_point(cube: _Cube) -> dict[str, np.ndarray]:
    """Pillar scores recomputed from the indicators (weighted arithmetic mean)."""
    out = {}
    for p in PILLARS:
        cols = cube.pillar == p
        out[p] = (
            _weighted_mean(cube.x[:, cols], cube.weight[cols])
            if cols.any()
            else np.full(len(cube.keys), np.nan)
        )
    return out


def _pillar_bootstrap(cube: _Cube, n_boot: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``(R, B)`` bootstrap pillar scores: indicators resampled with replacement within each pillar.

    One resample of indicators is shared by all units and periods (the uncertainty is "which
    indicators measure the pillar", common to all communes). Drawing K indicators with replacement
    is the same as multinomial counts, so each pillar is one matrix product.
    """
    out = {}
    for p in PILLARS:
        cols = np.flatnonzero(cube.pillar == p)
        k = len(cols)
        if k == 0:
            out[p] = np.full((len(cube.keys), n_boot), np.nan)
            continue
        counts = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot)  # (B, K)
        out[p] = _weighted_mean(
            cube.x[:, cols], np.ascontiguousarray((counts * cube.weight[cols]).T)
        )
    return out


def _t_expansion(boot: dict, coef: dict, n_ind: dict, level: float) -> np.ndarray:
    """Per-row factor t_nu / z that widens a bootstrap gap distribution to Student-t tails.

    ``nu`` is the Welch-Satterthwaite degrees of freedom of the gap ``sum_p a_p P_p`` from the
    bootstrap variances ``v_p = a_p^2 Var*(P_p)`` and the indicator counts ``K_p``:
    ``nu = (sum v_p)^2 / sum(v_p^2 / (K_p - 1))``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        v = {p: a**2 * np.nanvar(boot[p], axis=1) for p, a in coef.items()}
    num = sum(v.values()) ** 2
    den = sum(v[p] ** 2 / (n_ind[p] - 1) for p in coef if n_ind[p] >= 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        nu = np.where(den > 0, num / den, np.inf)
    z = stats.norm.ppf(0.5 + level / 2)
    factor = stats.t.ppf(0.5 + level / 2, np.maximum(nu, 1.0)) / z
    return np.where(np.isfinite(factor), factor, 1.0)


def _classify(gap_mean, level, delta: float, high: float) -> np.ndarray:
    """Typology codes (index into TYPOLOGY_CLASSES; -1 = not classifiable) from gap_mean and mean level."""
    gap_mean = np.asarray(gap_mean, dtype=float)
    level = np.asarray(level, dtype=float)
    code = np.where(
        gap_mean >= delta - _EDGE_TOL,
        0,
        np.where(gap_mean <= -delta + _EDGE_TOL, 3, np.where(level >= high - _EDGE_TOL, 1, 2)),
    )
    return np.where(np.isnan(gap_mean) | np.isnan(level), -1, code)


def _robustness_intervals(robustness: pd.DataFrame, level: float) -> pd.DataFrame:
    _check_columns(robustness, ("unit_code",), "robustness")
    r = robustness.copy()
    r["unit_code"] = r["unit_code"].astype(str)
    if not any(c in r.columns for c in GAP_SERIES):
        if GOV in r.columns and any(p in r.columns for p in (ECON, SOC)):
            r = _add_missing_pillars(r)
            r["gap_econ"] = r[GOV] - r[ECON]
            r["gap_soc"] = r[GOV] - r[SOC]
            cmp = [p for p in (ECON, SOC) if r[p].notna().any()]  # as in compute_gaps
            r["gap_mean"] = r[GOV] - r[cmp].mean(axis=1, skipna=False) if cmp else np.nan
        else:
            raise DataValidationError(
                [
                    f"robustness: need gap draws ({list(GAP_SERIES)}) or pillar draws ({list(PILLARS)}) per unit; got {list(r.columns)}"
                ],
                source="robustness",
            )
    by = ["unit_code"] + (["period"] if "period" in r.columns else [])
    if "period" in r.columns:
        r["period"] = r["period"].astype(str)
    alpha = 1.0 - level
    cols = [c for c in GAP_SERIES if c in r.columns]
    g = r.groupby(by)[cols]
    lo = g.quantile(alpha / 2).add_suffix("_mc_lo")
    hi = g.quantile(1 - alpha / 2).add_suffix("_mc_hi")
    out = pd.concat([lo, hi], axis=1)
    order = [f"{c}_mc_{s}" for c in cols for s in ("lo", "hi")]
    return out[order].reset_index()


# =========================================================================== per commune
def compute_gaps(
    scores: pd.DataFrame,
    framework: Framework,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    robustness: pd.DataFrame | None = None,
    delta: float = DEFAULT_DELTA,
    high: float = DEFAULT_HIGH,
    ci_method: str = "expanded",
) -> pd.DataFrame:
    """Gap of digital government over digital economy and society, per commune and period.

    Pillar scores are taken from the ``level == "pillar"`` rows when present (the composite engine's
    numbers), otherwise recomputed from the normalised indicators as the weighted arithmetic mean
    within the pillar (framework weights, missing indicators dropped and the weights renormalised).

    Intervals (``*_lo``, ``*_hi``): percentile bootstrap over indicators. In each of ``n_boot``
    resamples the indicators of every pillar are drawn with replacement (as many as the pillar has;
    the same draw for all communes and periods), the pillar scores are recomputed, and the gaps with
    them; the interval is the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the resampled
    gaps. When the reported pillar scores differ from the arithmetic recomputation (e.g. geometric
    aggregation upstream), the resampled gaps are shifted by (reported - recomputed) so that the
    interval is centred on the reported gap.

    With few indicators per pillar (the commune framework has 6-7) the plain percentile interval is
    too narrow (measured coverage of a nominal 90% interval: 85% with 7 indicators per pillar). The
    default ``ci_method="expanded"`` therefore (i) rescales each pillar's resampled deviations by
    ``sqrt(K/(K-1))`` (the bootstrap's variance shrinkage) and (ii) stretches the gap's resampled
    deviations by ``t_nu / z`` with Welch-Satterthwaite degrees of freedom ``nu`` (in the spirit of
    Hesterberg's expanded percentile interval); measured coverage 90-92% for K = 5..30.
    ``ci_method="percentile"`` gives the plain percentile interval.

    Rule: where a pillar of the gap has fewer than 2 non-missing indicators for the unit and
    period (one published value per pillar, one DESI dimension), the bounds are NaN: resampling one
    indicator carries no information, so only the point gap is reported, and
    ``typology_stability`` is NaN. ``df.attrs["ci_note"]`` says which gaps lack an interval and why.

    Missing pillar: with a framework that has no economy pillar (the UN EGDI) or no society pillar,
    that pillar's score, rank and gap are NaN and ``gap_mean = G - mean(available of E, S)``
    (``G - S`` for the EGDI); the typology uses that gap_mean and the mean level of G and the
    available pillars (``df.attrs["comparison_pillars"]``).

    Typology (``typology``), from ``gap_mean`` and the mean level ``m = (G + E + S) / 3``:
    ``government_led`` if gap_mean >= delta; ``economy_society_led`` if gap_mean <= -delta;
    otherwise ``balanced_high`` if m >= high, else ``balanced_low`` (edges inclusive, tolerance
    1e-9). ``typology_stability`` = share of bootstrap resamples classified in the same class.

    Args:
        scores: tidy scores ``unit_code, period, level, name, value, status``; level=indicator rows
            hold normalised (0..1, higher is better) indicator values.
        framework: the framework the scores were computed with (pillar government and at least one
            of economy / society).
        level: confidence level of the intervals (default 0.90).
        n_boot: bootstrap resamples (default 2000; >= 2000 recommended for published intervals).
        seed: seed of the random generator (results are reproducible).
        robustness: optional draws across method choices (from :mod:`analysis.robustness`): one row
            per unit (and ``period``, if present) and draw, with columns ``gap_econ, gap_soc,
            gap_mean`` or ``government, economy, society``. Adds ``gap_*_mc_lo/_mc_hi`` (quantiles of
            the draws at the same ``level``). Without a ``period`` column they apply to every period.
        delta: typology threshold on gap_mean (score points on the 0..1 scale; default 0.10).
        high: typology threshold on the mean level separating balanced-high from balanced-low (0.50).
        ci_method: ``expanded`` (default; small-sample corrected percentile) or ``percentile``.

    Returns:
        One row per unit and period, columns :data:`GAP_COLUMNS` (+ ``gap_*_mc_lo/_mc_hi`` at the
        end when ``robustness`` is given). ``df.attrs`` records level, n_boot, seed, delta, high,
        ci_method, n_indicators (per pillar), comparison_pillars and ci_note.
        ``z_*`` are standardised across the units of the same period (sample SD); ranks are within
        the period, 1 = highest, ties share the best rank. ``ratio_*`` is NaN when the denominator is 0.

    Raises:
        DataValidationError: scores break the contract (missing column, duplicates, unknown indicator).
        FrameworkError: the framework has no government pillar, or neither economy nor society.
        ParameterError: level, n_boot, delta or high out of range.
    """
    level = _check_level(level)
    n_boot = _check_n_boot(n_boot)
    if ci_method not in ("percentile", "expanded"):
        raise ParameterError(
            f"ci_method={ci_method!r}: use 'expanded' (default, small-sample corrected) or 'percentile' (plain)"
        )
    if not (delta >= 0 and math.isfinite(delta)):
        raise ParameterError(
            f"delta={delta!r}: the typology threshold must be a finite number >= 0 (default {DEFAULT_DELTA})"
        )
    if not math.isfinite(high):
        raise ParameterError(
            f"high={high!r}: the typology level threshold must be finite (default {DEFAULT_HIGH})"
        )
    cube = _build_cube(scores, framework)
    rng = np.random.default_rng(seed)

    recomputed = _pillar_point(cube)
    point = {}
    for p in PILLARS:
        rep = (
            cube.reported[p].to_numpy(dtype=float)
            if cube.reported is not None
            else np.full(len(cube.keys), np.nan)
        )
        point[p] = np.where(np.isnan(rep), recomputed[p], rep)
    shift = {p: point[p] - recomputed[p] for p in PILLARS}
    boot = _pillar_bootstrap(cube, n_boot, rng)
    n_ind = {p: int((cube.pillar == p).sum()) for p in PILLARS}
    if ci_method == "expanded":
        # undo the bootstrap's (K-1)/K variance shrinkage within each pillar
        for p in PILLARS:
            if n_ind[p] >= 2:
                boot[p] = recomputed[p][:, None] + math.sqrt(n_ind[p] / (n_ind[p] - 1)) * (
                    boot[p] - recomputed[p][:, None]
                )
    boot = {p: boot[p] + np.nan_to_num(shift[p])[:, None] for p in PILLARS}

    G, E, S = point[GOV], point[ECON], point[SOC]
    cmp = _comparison_pillars(cube)  # economy and/or society: the pillars gap_mean compares with
    out = cube.keys.copy()
    out[GOV], out[ECON], out[SOC] = G, E, S
    nan_rows = np.full(len(cube.keys), np.nan)
    cmp_point = sum(point[p] for p in cmp) / len(cmp) if cmp else nan_rows
    cmp_boot = (
        sum(boot[p] for p in cmp) / len(cmp) if cmp else np.full((len(cube.keys), n_boot), np.nan)
    )
    gaps = {"gap_econ": (G - E, boot[GOV] - boot[ECON]), "gap_soc": (G - S, boot[GOV] - boot[SOC]),
            "gap_mean": (G - cmp_point, boot[GOV] - cmp_boot)}  # fmt: skip
    coef = {
        "gap_econ": {GOV: 1.0, ECON: 1.0},
        "gap_soc": {GOV: 1.0, SOC: 1.0},
        "gap_mean": {GOV: 1.0, **{p: 1.0 / len(cmp) for p in cmp}},
    }
    # rule: no interval (NaN bounds) where a pillar of the gap has < 2 indicators in that row
    n_row = _n_available(cube)
    too_few = {name: np.logical_or.reduce([n_row[p] < 2 for p in c]) for name, c in coef.items()}
    for name, (est, draws) in gaps.items():
        if ci_method == "expanded":
            draws = est[:, None] + _t_expansion(boot, coef[name], n_ind, level)[:, None] * (
                draws - est[:, None]
            )
        lo, hi = _pct_interval(draws, level)
        lo, hi = np.where(too_few[name], np.nan, lo), np.where(too_few[name], np.nan, hi)
        out[name], out[f"{name}_lo"], out[f"{name}_hi"] = est, lo, hi
    with np.errstate(invalid="ignore", divide="ignore"):
        out["ratio_econ"] = np.where(E != 0, G / np.where(E != 0, E, 1.0), np.nan)
        out["ratio_soc"] = np.where(S != 0, G / np.where(S != 0, S, 1.0), np.nan)
    by_period = out.groupby("period")
    for src, dst in (("gap_econ", "z_econ"), ("gap_soc", "z_soc"), ("gap_mean", "z_mean")):
        mu = by_period[src].transform("mean")
        sd = by_period[src].transform("std")
        out[dst] = ((out[src] - mu) / sd.where(sd > 0)).astype(float)
    for src in (GOV, ECON, SOC, "gap_mean"):
        out[f"rank_{src}"] = by_period[src].rank(ascending=False, method="min").astype("Int64")

    mean_level = (G + cmp_point * len(cmp)) / (1 + len(cmp))  # mean of G and the compared pillars
    code = _classify(out["gap_mean"].to_numpy(), mean_level, delta, high)
    boot_level = (boot[GOV] + cmp_boot * len(cmp)) / (1 + len(cmp))
    bcode = _classify(gaps["gap_mean"][1], boot_level, delta, high)
    valid = bcode >= 0
    same = (bcode == code[:, None]) & valid
    with np.errstate(invalid="ignore", divide="ignore"):
        stability = same.sum(axis=1) / valid.sum(axis=1)
    out["typology"] = pd.Series(
        [TYPOLOGY_CLASSES[c] if c >= 0 else None for c in code], index=out.index, dtype="string"
    )
    out["typology_stability"] = np.where((code >= 0) & ~too_few["gap_mean"], stability, np.nan)
    out["status"] = [config.STATUSES[c] for c in cube.status]
    out = out.loc[:, list(GAP_COLUMNS)]
    if robustness is not None:
        mc = _robustness_intervals(robustness, level)
        on = [c for c in ("unit_code", "period") if c in mc.columns]
        out = out.merge(mc, on=on, how="left")
    out.attrs.update(
        level=level,
        n_boot=n_boot,
        seed=seed,
        delta=delta,
        high=high,
        ci_method=ci_method,
        n_indicators=n_ind,
        comparison_pillars=cmp,
        ci_note=_ci_note(framework, n_ind, cmp, coef, too_few),
    )
    return out


def _ci_note(framework: Framework, n_ind: dict, cmp: list, coef: dict, too_few: dict) -> dict:
    """Why a gap has no interval (``{gap: text}``; empty when every row has one)."""
    notes = {}
    absent = [p for p in (ECON, SOC) if p not in cmp]
    for name, c in coef.items():
        missing = [p for p in absent if p in c]
        few = [f"{p} ({n_ind[p]})" for p in c if p not in absent and n_ind[p] < 2]
        if missing:
            notes[name] = (
                f"no {', '.join(missing)} pillar in framework {framework.id!r} (or no data): gap is NaN"
            )
        elif few:
            notes[name] = (
                f"NaN interval = pillar with < 2 indicators ({', '.join(few)}); point gap only"
            )
        elif too_few[name].any():
            notes[name] = (
                f"NaN interval in {int(too_few[name].sum())} row(s): a pillar has < 2 non-missing indicators there; point gap only"
            )
    return notes


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
        pscore[:, cols] = _weighted_mean(cube.x[:, cols], cube.weight[cols])[:, None]
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


# =========================================================================== across communes
def _wide_pillars(data: pd.DataFrame, columns: Sequence[str] = PILLARS) -> pd.DataFrame:
    """Wide ``unit_code, period, <columns>, status`` from a gap/pillar table or tidy scores."""
    if isinstance(data, pd.DataFrame) and "level" in data.columns and "name" in data.columns:
        s = _tidy_scores(data)
        p = s[(s["level"] == "pillar") & s["name"].isin(PILLARS)]
        if p.empty:
            raise DataValidationError(
                [
                    "scores: no level='pillar' rows; pass the gap table (compute_gaps) or the pillar table instead"
                ],
                source="scores",
            )
        wide = p.pivot(index=["unit_code", "period"], columns="name", values="value").reset_index()
        codes = pd.Series(status_codes(p["status"]), index=p.index)
        st = codes.groupby([p["unit_code"], p["period"]]).max()
        wide["status"] = [
            config.STATUSES[c]
            for c in st.reindex(pd.MultiIndex.from_frame(wide[["unit_code", "period"]])).to_numpy()
        ]
        data = wide
        if any(c in columns for c in GAP_SERIES):
            data = _add_missing_pillars(data)
            data["gap_econ"] = data[GOV] - data[ECON]
            data["gap_soc"] = data[GOV] - data[SOC]
            cmp = [p for p in (ECON, SOC) if data[p].notna().any()]
            data["gap_mean"] = (
                data[GOV] - data[cmp].sum(axis=1, min_count=len(cmp)) / len(cmp) if cmp else np.nan
            )
    if isinstance(data, pd.DataFrame) and GOV in data.columns:
        # a framework without economy (EGDI) or society: its column is absent -> NaN
        data = _add_missing_pillars(data, [c for c in columns if c in PILLARS])
    _check_columns(data, ["unit_code", "period", *columns, "status"], "data")
    out = data[["unit_code", "period", *columns, "status"]].copy()
    out["unit_code"] = out["unit_code"].astype(str)
    out["period"] = out["period"].astype(str)
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    status_codes(out["status"])
    return out


def _add_missing_pillars(data: pd.DataFrame, pillars: Sequence[str] = PILLARS) -> pd.DataFrame:
    missing = [p for p in pillars if p not in data.columns]
    return data.assign(**{p: np.nan for p in missing}) if missing else data


def _periods(df: pd.DataFrame) -> list[str]:
    return sorted(df["period"].unique(), key=lambda p: (period_to_time(p), p))


def test_pillar_gaps(
    data: pd.DataFrame,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    comparisons: Sequence[tuple[str, str]] = ((GOV, ECON), (GOV, SOC)),
) -> pd.DataFrame:
    """Paired district-level tests of government against economy and society, per period.

    For each period and comparison (G vs E, G vs S) over the communes with both scores:
    the two-sided Wilcoxon signed-rank test on ``d = G - E`` (zero differences dropped; exact
    p-value for up to 50 communes without tied differences, otherwise SciPy's permutation or
    normal approximation); the matched-pairs
    rank-biserial correlation ``r = (T+ - T-) / (T+ + T-)`` (+1: G above in every commune, 0: no
    tendency) with a percentile bootstrap interval over communes; the share of communes with
    ``G > E`` (ties count as "not greater") with a Wilson score interval. A comparison with a
    pillar the framework lacks (economy for the EGDI) keeps its row with ``n = 0`` and NaN; with
    fewer than 3 units the rank-biserial interval is NaN (a bootstrap over 1-2 units is degenerate).

    Args:
        data: gap table (:func:`compute_gaps`), wide pillar table, or tidy scores with pillar rows.
        level: confidence level of the intervals (default 0.90).
        n_boot: bootstrap resamples of communes for the effect-size interval.
        seed: random seed.
        comparisons: pairs ``(a, b)`` of pillar ids; the difference is ``a - b``.

    Returns:
        ``period, comparison, n, n_nonzero, mean_diff, median_diff, statistic, p_value,
        rank_biserial, rank_biserial_lo, rank_biserial_hi, n_greater, share_greater,
        share_greater_lo, share_greater_hi, status``; ``comparison`` reads ``government_vs_economy``.
    """
    level = _check_level(level)
    n_boot = _check_n_boot(n_boot)
    cols = sorted(
        {c for pair in comparisons for c in pair},
        key=lambda c: PILLARS.index(c) if c in PILLARS else 99,
    )
    w = _wide_pillars(data, cols)
    rng = np.random.default_rng(seed)
    rows = []
    for period in _periods(w):
        sub = w[w["period"] == period]
        for a, b in comparisons:
            ok = sub[a].notna() & sub[b].notna()
            d = (sub.loc[ok, a] - sub.loc[ok, b]).to_numpy()
            n = len(d)
            nz = int((d != 0).sum())
            row = dict(period=period, comparison=f"{a}_vs_{b}", n=n, n_nonzero=nz,
                       mean_diff=float(d.mean()) if n else np.nan, median_diff=float(np.median(d)) if n else np.nan,
                       statistic=np.nan, p_value=np.nan, rank_biserial=np.nan, rank_biserial_lo=np.nan, rank_biserial_hi=np.nan)  # fmt: skip
            if nz >= 1:
                # zeros dropped here (Wilcoxon's convention) so that SciPy can use its exact null distribution
                res = stats.wilcoxon(d[d != 0], alternative="two-sided", method="auto")
                row["statistic"], row["p_value"] = float(res.statistic), float(res.pvalue)
                row["rank_biserial"] = float(_rank_biserial(d))
                if n >= 3:  # resampling 1 or 2 units gives a degenerate interval: leave it NaN
                    boot = _rank_biserial(d[rng.integers(0, n, size=(n_boot, n))])
                    row["rank_biserial_lo"], row["rank_biserial_hi"] = (
                        float(v) for v in _pct_interval(boot, level)
                    )
            k = int((d > 0).sum())
            lo, hi = _wilson(k, n, level)
            row.update(
                n_greater=k,
                share_greater=k / n if n else np.nan,
                share_greater_lo=float(lo),
                share_greater_hi=float(hi),
            )
            row["status"] = worst_status(sub.loc[ok, "status"])
            rows.append(row)
    return pd.DataFrame(rows)


test_pillar_gaps.__test__ = False  # a statistical test, not a pytest test


def compute_pillar_correlations(
    data: pd.DataFrame,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    pairs: Sequence[tuple[str, str]] = ((GOV, ECON), (GOV, SOC), (ECON, SOC)),
) -> pd.DataFrame:
    """Spearman rank correlation between pillars across communes, per period, with bootstrap CI.

    The interval is the percentile interval of Spearman's rho over ``n_boot`` resamples of
    communes (with replacement; resamples in which one pillar has no spread are skipped). The
    p-value is scipy's (t approximation) for H0: rho = 0.

    Returns:
        ``period, pillar_x, pillar_y, n, rho, rho_lo, rho_hi, p_value, status``.
    """
    level = _check_level(level)
    n_boot = _check_n_boot(n_boot)
    cols = sorted(
        {c for pair in pairs for c in pair}, key=lambda c: PILLARS.index(c) if c in PILLARS else 99
    )
    w = _wide_pillars(data, cols)
    rng = np.random.default_rng(seed)
    rows = []
    for period in _periods(w):
        sub = w[w["period"] == period]
        for a, b in pairs:
            ok = sub[a].notna() & sub[b].notna()
            x, y = sub.loc[ok, a].to_numpy(), sub.loc[ok, b].to_numpy()
            n = len(x)
            row = dict(
                period=period,
                pillar_x=a,
                pillar_y=b,
                n=n,
                rho=np.nan,
                rho_lo=np.nan,
                rho_hi=np.nan,
                p_value=np.nan,
            )
            if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                res = stats.spearmanr(x, y)
                row["rho"], row["p_value"] = float(res.statistic), float(res.pvalue)
                idx = rng.integers(0, n, size=(n_boot, n))
                row["rho_lo"], row["rho_hi"] = (
                    float(v) for v in _pct_interval(_spearman_rows(x[idx], y[idx]), level)
                )
            row["status"] = worst_status(sub.loc[ok, "status"])
            rows.append(row)
    return pd.DataFrame(rows)


def compute_inequality(
    data: pd.DataFrame,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    columns: Sequence[str] = PILLARS,
) -> pd.DataFrame:
    """Inequality of each pillar across the communes of a period: Gini, Theil T, CV.

    * Gini = ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)`` (0 = all equal; population form, so the
      maximum with n communes is (n - 1)/n);
    * Theil T = ``(1/n) sum_i (x_i/mean) ln(x_i/mean)`` (0 = all equal; ln n = one commune has
      everything; undefined, NaN, if a value is negative);
    * CV = population standard deviation / mean; ``sd`` (sample SD, n - 1) is reported too as the
      sigma of sigma-convergence.

    Intervals: percentile bootstrap over communes (``n_boot = 0`` skips them, leaving NaN).

    Returns:
        ``period, pillar, n, mean, sd, gini, gini_lo, gini_hi, theil, theil_lo, theil_hi, cv, cv_lo,
        cv_hi, status``.
    """
    level = _check_level(level)
    n_boot = _check_n_boot(n_boot, minimum=0)
    w = _wide_pillars(data, list(columns))
    rng = np.random.default_rng(seed)
    rows = []
    for period in _periods(w):
        sub = w[w["period"] == period]
        for c in columns:
            ok = sub[c].notna()
            x = sub.loc[ok, c].to_numpy()
            n = len(x)
            row = dict(
                period=period,
                pillar=c,
                n=n,
                mean=float(x.mean()) if n else np.nan,
                sd=float(x.std(ddof=1)) if n > 1 else np.nan,
            )
            for name, f in (("gini", _gini), ("theil", _theil), ("cv", _cv)):
                row[name] = float(f(x)) if n else np.nan
                row[f"{name}_lo"] = row[f"{name}_hi"] = np.nan
            if n_boot and n >= 2:
                xb = x[rng.integers(0, n, size=(n_boot, n))]
                for name, f in (("gini", _gini), ("theil", _theil), ("cv", _cv)):
                    row[f"{name}_lo"], row[f"{name}_hi"] = (
                        float(v) for v in _pct_interval(f(xb), level)
                    )
            row["status"] = worst_status(sub.loc[ok, "status"])
            rows.append(row)
    cols = (
        ["period", "pillar", "n", "mean", "sd"]
        + [f"{m}{s}" for m in ("gini", "theil", "cv") for s in ("", "_lo", "_hi")]
        + ["status"]
    )
    return pd.DataFrame(rows, columns=cols)


def compute_unit_covariates(units: pd.DataFrame, *, centre: str | None = "20500") -> pd.DataFrame:
    """Covariates of each unit: distance to the district centre, population density, 2019 population.

    ``distance_km``: great-circle (haversine) distance from the unit's coordinates to those of the
    ``centre`` unit (default 20500, Ái Nghĩa town, the district seat; 0 for the centre itself).
    ``density_per_km2 = population / area_km2`` (NaN where the area is unknown).
    ``population_2019``: the 2019 census population.

    What cannot be computed is NaN, not an error (real datasets such as the EGDI countries have no
    coordinates or populations): a missing ``lat``/``lon``/``population``/``area_km2`` column
    gives NaN for the covariates that need it, and distance is NaN for every unit when ``centre``
    is None, is not a ``unit_code`` of ``units``, or has no coordinates. ``df.attrs["skipped"]``
    says which covariate was skipped and why.

    Returns:
        ``unit_code, distance_km, density_per_km2, population_2019``.

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
    for name in ("density_per_km2", "population_2019"):
        if out[name].isna().all():
            skipped[name] = "no population (and area) values in the units table"
    if "distance_km" not in skipped and out["distance_km"].isna().all():
        skipped["distance_km"] = "no unit has coordinates (lat/lon)"
    out.attrs["skipped"] = skipped
    return out


def compute_covariate_associations(
    gaps: pd.DataFrame,
    units: pd.DataFrame,
    *,
    centre: str | None = "20500",
    outcomes: Sequence[str] = GAP_SERIES,
    level: float = config.DEFAULT_CI_LEVEL,
) -> pd.DataFrame:
    """Association of the gaps with distance to the district seat, density and population, per period.

    For every period, outcome (``gap_mean``, ``gap_econ``, ``gap_soc``, or any column of ``gaps``)
    and covariate (see :func:`compute_unit_covariates`), over the communes where both are known
    (``n`` says how many: density is unknown where the area is missing):

    * Spearman's rho, its p-value, and a Fisher-z interval with the Bonett-Wright variance
      ``(1 + rho^2 / 2) / (n - 3)``;
    * the OLS line ``outcome = a + b * covariate / scale`` with HC3 heteroskedasticity-robust
      standard error of ``b``, a t-interval (n - 2 df) and p-value; ``slope_per`` says the unit of
      ``b`` (per 1 km, per 100 persons/km², per 1,000 persons).

    Covariates that cannot be computed are skipped, not an error (see
    :func:`compute_unit_covariates`): units without coordinates (or a ``centre`` that is not one of
    the units, e.g. countries with the default ``"20500"``) give no ``distance_km`` rows; units
    without populations give no density/population rows. The result may therefore be empty (with
    the columns below); ``df.attrs["skipped"]`` says which covariate was skipped and why.

    Returns:
        ``period, outcome, covariate, n, rho, rho_lo, rho_hi, rho_p, slope, slope_se, slope_lo,
        slope_hi, slope_p, intercept, r2, slope_per, status``.
    """
    level = _check_level(level)
    outcomes = list(outcomes)
    w = _wide_pillars(gaps, outcomes)
    cov = compute_unit_covariates(units, centre=centre)
    skipped = dict(cov.attrs.get("skipped", {}))
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
                n = len(x)
                row = dict(
                    period=period,
                    outcome=outcome,
                    covariate=name,
                    n=n,
                    rho=np.nan,
                    rho_lo=np.nan,
                    rho_hi=np.nan,
                    rho_p=np.nan,
                )
                if n >= 4 and np.ptp(x) > 0 and np.ptp(y) > 0:
                    res = stats.spearmanr(x, y)
                    rho = float(res.statistic)
                    row["rho"], row["rho_p"] = rho, float(res.pvalue)
                    se = math.sqrt((1 + rho**2 / 2) / (n - 3))
                    zr = math.atanh(max(min(rho, 1 - 1e-12), -1 + 1e-12))
                    row["rho_lo"], row["rho_hi"] = math.tanh(zr - z * se), math.tanh(zr + z * se)
                fit = _ols_hc3(x, y, level)
                row.update(
                    {
                        k: fit[k]
                        for k in (
                            "slope",
                            "slope_se",
                            "slope_lo",
                            "slope_hi",
                            "slope_p",
                            "intercept",
                            "r2",
                        )
                    }
                )
                row["slope_per"] = per
                row["status"] = worst_status(sub.loc[ok, "status"])
                rows.append(row)
    out = pd.DataFrame(rows, columns=list(_COVARIATE_ASSOCIATION_COLUMNS))
    out.attrs["skipped"] = skipped
    return out


_COVARIATE_ASSOCIATION_COLUMNS = (
    "period", "outcome", "covariate", "n", "rho", "rho_lo", "rho_hi", "rho_p", "slope", "slope_se",
    "slope_lo", "slope_hi", "slope_p", "intercept", "r2", "slope_per", "status",
)  # fmt: skip


# =========================================================================== over time
def _theil_sen(t: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float, float]:
    ok = ~(np.isnan(t) | np.isnan(y))
    t, y = t[ok], y[ok]
    if len(np.unique(t)) < 3:
        return (np.nan,) * 4
    res = stats.theilslopes(y, t, alpha=level)
    return float(res.slope), float(res.low_slope), float(res.high_slope), float(res.intercept)


def _trend_label(lo: float, hi: float) -> str | None:
    if np.isnan(lo) or np.isnan(hi):
        return None
    if lo > 0:
        return "increasing"
    if hi < 0:
        return "decreasing"
    return "no_clear_trend"


def compute_trends(
    data: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    level: float = config.DEFAULT_CI_LEVEL,
    include_district: bool = True,
) -> pd.DataFrame:
    """Theil-Sen trend per commune and series (pillars and gaps), and whether the gap is closing.

    Time is in years (``2022H1`` = 2022.0, ``2022H2`` = 2022.5), so slopes are score points per
    year. The Theil-Sen slope is the median of the slopes between all pairs of periods; its interval
    (scipy ``theilslopes``, Sen 1968) comes from the distribution of Kendall's statistic. At least
    3 distinct periods are needed. ``trend`` is ``increasing`` / ``decreasing`` when the whole
    interval is above / below 0, else ``no_clear_trend``. For gap series, ``gap_closing`` is
    ``closing`` when the gap moves toward 0 (a positive median gap with a decreasing trend, or a
    negative one with an increasing trend), ``widening`` for the opposite, ``no_clear_trend``
    otherwise. With ``include_district``, the same is computed for the mean across communes per
    period (``unit_code = "district"``).

    Args:
        data: gap table (default series: pillars and the three gaps) or a wide pillar table.
        columns: series to analyse (default: those of government, economy, society, gap_econ,
            gap_soc, gap_mean that ``data`` has).
        level: confidence level of the slope interval (default 0.90).
        include_district: add the district-mean series.

    Returns:
        ``unit_code, series, n_periods, t_start, t_end, median_value, slope, slope_lo, slope_hi,
        fitted_start, fitted_end, trend, gap_closing, status`` (``fitted_*``: the Theil-Sen line
        at the first and last period; slopes in score points per year).
    """
    level = _check_level(level)
    if columns is None:
        _check_columns(data, ("unit_code", "period"), "data")
        if (
            "level" in data.columns
        ):  # tidy scores: pillars and gaps are derived from the pillar rows
            columns = [*PILLARS, *GAP_SERIES]
        else:
            columns = [c for c in (*PILLARS, *GAP_SERIES) if c in data.columns] or list(PILLARS)
    w = _wide_pillars(data, list(columns))
    w["_t"] = [period_to_time(p) for p in w["period"]]
    groups = [(u, g) for u, g in w.groupby("unit_code", sort=True)]
    if include_district:
        d = w.groupby("_t", as_index=False)[list(columns)].mean()
        d["unit_code"] = "district"
        d["status"] = [worst_status(w.loc[w["_t"] == t, "status"]) for t in d["_t"]]
        groups.append(("district", d))
    rows = []
    for unit, g in groups:
        g = g.sort_values("_t")
        t = g["_t"].to_numpy(dtype=float)
        for c in columns:
            y = g[c].to_numpy(dtype=float)
            ok = ~np.isnan(y)
            slope, lo, hi, icpt = _theil_sen(t, y, level)
            trend = _trend_label(lo, hi)
            med = float(np.median(y[ok])) if ok.any() else np.nan
            closing = None
            if c in GAP_SERIES and trend is not None:
                if trend == "no_clear_trend" or med == 0:
                    closing = "no_clear_trend"
                else:
                    closing = "closing" if (med > 0) == (trend == "decreasing") else "widening"
            rows.append(dict(unit_code=unit, series=c, n_periods=int(ok.sum()),
                             t_start=float(t[ok].min()) if ok.any() else np.nan, t_end=float(t[ok].max()) if ok.any() else np.nan,
                             median_value=med, slope=slope, slope_lo=lo, slope_hi=hi,
                             fitted_start=icpt + slope * t[ok].min() if ok.any() else np.nan,
                             fitted_end=icpt + slope * t[ok].max() if ok.any() else np.nan, trend=trend,
                             gap_closing=closing, status=worst_status(g.loc[ok, "status"])))  # fmt: skip
    out = pd.DataFrame(rows)
    for c in ("trend", "gap_closing"):
        out[c] = out[c].astype("string")
    return out


def compute_convergence(
    data: pd.DataFrame,
    *,
    columns: Sequence[str] = PILLARS,
    level: float = config.DEFAULT_CI_LEVEL,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Sigma- and beta-convergence of each pillar across communes.

    * **sigma**: the standard deviation across communes (sample SD) in every period; ``estimate`` is
      its Theil-Sen trend (SD points per year) with interval; the p-value is Kendall's tau test of
      SD against time. Negative = communes are becoming more alike (sigma-convergence).
    * **beta**: for each commune the average change per year between the ``start`` and ``end``
      periods (default first and last), ``(y_end - y_start) / (t_end - t_start)``, regressed on the
      starting level ``y_start`` by OLS; ``estimate`` is the slope with HC3 standard error,
      t-interval and p-value. Negative = communes that started lower grew faster (catching up).
      Caution: measurement noise in ``y_start`` biases this slope downwards (regression to the
      mean), so read beta-convergence together with sigma.

    ``converging`` is True when the whole interval is below 0, False when it is above 0, and NA
    when it covers 0.

    Returns:
        ``pillar, kind, n, t_start, t_end, estimate, estimate_lo, estimate_hi, p_value, converging,
        status`` (kind = ``sigma`` or ``beta``; ``n`` = periods for sigma, communes for beta).
    """
    level = _check_level(level)
    columns = list(columns)
    w = _wide_pillars(data, columns)
    periods = _periods(w)
    start = periods[0] if start is None else str(start)
    end = periods[-1] if end is None else str(end)
    for name, p in (("start", start), ("end", end)):
        if p not in periods:
            raise ParameterError(f"{name}={p!r}: not a period of the data; use one of {periods}")
    t0, t1 = period_to_time(start), period_to_time(end)
    if t1 <= t0:
        raise ParameterError(f"start={start!r}, end={end!r}: end must come after start")
    w = w[[(t0 <= period_to_time(p) <= t1) for p in w["period"]]]
    times = np.array([period_to_time(p) for p in _periods(w)])
    rows = []
    for c in columns:
        sd = w.groupby("period")[c].std().reindex(_periods(w)).to_numpy(dtype=float)
        slope, lo, hi, _ = _theil_sen(times, sd, level)
        ok = ~np.isnan(sd)
        p = float(stats.kendalltau(times[ok], sd[ok]).pvalue) if ok.sum() >= 3 else np.nan
        rows.append(dict(pillar=c, kind="sigma", n=int(ok.sum()), t_start=t0, t_end=t1, estimate=slope, estimate_lo=lo,
                         estimate_hi=hi, p_value=p, status=worst_status(w.loc[w[c].notna(), "status"])))  # fmt: skip
        a = w.loc[w["period"] == start, ["unit_code", c, "status"]]
        b = w.loc[w["period"] == end, ["unit_code", c, "status"]]
        j = a.merge(b, on="unit_code", suffixes=("_0", "_1"), how="inner").dropna(
            subset=[f"{c}_0", f"{c}_1"]
        )
        growth = (j[f"{c}_1"] - j[f"{c}_0"]).to_numpy(dtype=float) / (t1 - t0)
        fit = _ols_hc3(j[f"{c}_0"].to_numpy(dtype=float), growth, level)
        rows.append(dict(pillar=c, kind="beta", n=int(fit["n"]), t_start=t0, t_end=t1, estimate=fit["slope"], estimate_lo=fit["slope_lo"],
                         estimate_hi=fit["slope_hi"], p_value=fit["slope_p"],
                         status=worst_status(pd.concat([j["status_0"], j["status_1"]]))))  # fmt: skip
    out = pd.DataFrame(rows)
    conv = pd.Series(pd.NA, index=out.index, dtype="boolean")
    conv[out["estimate_hi"] < 0] = True
    conv[out["estimate_lo"] > 0] = False
    out["converging"] = conv
    cols = [
        "pillar",
        "kind",
        "n",
        "t_start",
        "t_end",
        "estimate",
        "estimate_lo",
        "estimate_hi",
        "p_value",
        "converging",
        "status",
    ]
    return out[cols]


__all__ = [
    "GAP_COLUMNS",
    "TYPOLOGY_CLASSES",
    "compute_gaps",
    "compute_gap_contributions",
    "weakest_indicators",
    "distance_to_targets",
    "test_pillar_gaps",
    "compute_pillar_correlations",
    "compute_inequality",
    "compute_unit_covariates",
    "compute_covariate_associations",
    "compute_trends",
    "compute_convergence",
]
