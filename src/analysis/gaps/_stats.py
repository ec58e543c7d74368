"""Small statistics of the gap analysis: checks, quantile intervals, Wilson, inequality indices,
robust regression, rank-based effect sizes. Pure numpy/scipy, vectorised.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataValidationError, ParameterError


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
                f"{what}: missing column(s) {missing}; present: {list(df.columns)}; add them (the tables of analysis.gaps are described in docs/methods.md)"
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


def _theil_sen(t: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float, float]:
    ok = ~(np.isnan(t) | np.isnan(y))
    t, y = t[ok], y[ok]
    if len(np.unique(t)) < 3:
        return (np.nan,) * 4
    res = stats.theilslopes(y, t, alpha=level)
    return float(res.slope), float(res.low_slope), float(res.high_slope), float(res.intercept)
