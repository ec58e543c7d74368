"""Across the communes of a period: paired tests of government against economy and society,
pillar correlations, inequality.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .. import config
from ..status import worst_status
from ._stats import (
    _check_level,
    _check_n_boot,
    _cv,
    _gini,
    _pct_interval,
    _rank_biserial,
    _spearman_rows,
    _theil,
    _wilson,
)
from ._wide import _periods, _wide_pillars
from .formula import ECON, GOV, PILLARS, SOC


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
