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
    _boot_blocks,
    _check_level,
    _check_n_boot,
    _cv,
    _gini,
    _pct_interval,
    _rank_biserial,
    _spearman_rows,
    _theil,
    _wilson,
    holm,
    spearman,
)
from ._wide import _periods, _wide_pillars
from .formula import ECON, GOV, PILLARS, SOC

#: Column order of the district tests: counts first.
TEST_COLUMNS = (
    "period", "comparison", "n", "n_nonzero", "n_greater", "share_greater", "share_greater_lo",
    "share_greater_hi", "mean_diff", "median_diff", "statistic", "p_value", "p_exact_min",
    "p_holm", "rank_biserial", "rank_biserial_lo", "rank_biserial_hi", "status",
)  # fmt: skip


def _test_row(period, a, b, d, level, n_boot, rng) -> dict:
    """One period and comparison: counts, Wilcoxon, rank-biserial with its bootstrap interval."""
    n = len(d)
    nz = int((d != 0).sum())
    k = int((d > 0).sum())
    lo, hi = _wilson(k, n, level)
    row = dict(period=period, comparison=f"{a}_vs_{b}", n=n, n_nonzero=nz, n_greater=k,
               share_greater=k / n if n else np.nan, share_greater_lo=float(lo),
               share_greater_hi=float(hi), mean_diff=float(d.mean()) if n else np.nan,
               median_diff=float(np.median(d)) if n else np.nan, statistic=np.nan,
               p_value=np.nan, p_exact_min=np.nan, rank_biserial=np.nan,
               rank_biserial_lo=np.nan, rank_biserial_hi=np.nan, _flat=False)  # fmt: skip
    if nz >= 1:
        # zeros dropped here (Wilcoxon's convention) so that SciPy can use its exact null distribution
        res = stats.wilcoxon(d[d != 0], alternative="two-sided", method="auto")
        row["statistic"], row["p_value"] = float(res.statistic), float(res.pvalue)
        # the smallest two-sided p-value the exact test can give with nz pairs: 2 / 2^nz
        row["p_exact_min"] = float(min(1.0, 2.0 * 0.5**nz))
        row["rank_biserial"] = float(_rank_biserial(d))
        if n >= 3:  # resampling 1 or 2 units gives a degenerate interval: leave it NaN
            boot = _boot_blocks(rng, n, n_boot, lambda idx: _rank_biserial(d, idx))
            blo, bhi = (float(v) for v in _pct_interval(boot, level))
            if bhi - blo > 1e-12:
                row["rank_biserial_lo"], row["rank_biserial_hi"] = blo, bhi
            else:  # e.g. [1, 1] when every commune has the same sign: not certainty
                row["_flat"] = True
    return row


def test_pillar_gaps(
    data: pd.DataFrame,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    comparisons: Sequence[tuple[str, str]] = ((GOV, ECON), (GOV, SOC)),
) -> pd.DataFrame:
    """Paired district-level tests of government against economy and society, per period.

    Counts first: for each period and comparison (G vs E, G vs S) over the communes with both
    scores, the number ``n_greater`` of communes with ``G > E`` (ties count as "not greater") and
    its share with a Wilson score interval. Then the two-sided Wilcoxon signed-rank test on
    ``d = G - E`` (zero differences dropped; exact p-value for up to 50 communes without tied
    differences, otherwise SciPy's permutation or normal approximation), ``p_exact_min`` (the
    smallest p-value the exact test can give with that many non-zero pairs, ``2 / 2^n``: a
    p-value equal to it says no more than "every commune has the same sign"), and ``p_holm``
    (Holm-adjusted across every period and comparison of the table). The matched-pairs
    rank-biserial correlation ``r = (T+ - T-) / (T+ + T-)`` (+1: G above in every commune, 0: no
    tendency) with a percentile bootstrap interval over communes; when the bootstrap
    distribution is degenerate (every commune has the same sign: [1, 1]) the interval is NaN
    and ``attrs["interval_notes"]["rank_biserial"]`` says why. A comparison with a pillar the
    framework lacks (economy for the EGDI) keeps its row with ``n = 0`` and NaN; with fewer than
    3 units the rank-biserial interval is NaN.

    Args:
        data: gap table (:func:`compute_gaps`), wide pillar table, or tidy scores with pillar rows.
        level: level of the intervals (default 0.90).
        n_boot: bootstrap resamples of communes for the effect-size interval.
        seed: random seed.
        comparisons: pairs ``(a, b)`` of pillar ids; the difference is ``a - b``.

    Returns:
        :data:`TEST_COLUMNS`; ``comparison`` reads ``government_vs_economy``.
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
            row = _test_row(period, a, b, d, level, n_boot, rng)
            row["status"] = worst_status(sub.loc[ok, "status"])
            rows.append(row)
    out = pd.DataFrame(rows)
    flat = int(out["_flat"].sum()) if len(out) else 0
    out["p_holm"] = holm(out["p_value"].to_numpy(float)) if len(out) else []
    out = out.reindex(columns=list(TEST_COLUMNS))
    out.attrs["interval_notes"] = (
        {
            "rank_biserial": f"no interval in {flat} row(s): the bootstrap distribution of the "
            "rank-biserial correlation is degenerate (every commune has the same sign); the "
            "count n_greater of n says it"
        }
        if flat
        else {}
    )
    out.attrs["multiplicity"] = "p_holm: Holm (1979) across periods and comparisons"
    return out


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
                row["rho"], row["p_value"] = spearman(x, y)
                boot = _boot_blocks(rng, n, n_boot, lambda idx, x=x, y=y: _spearman_rows(x, y, idx))
                row["rho_lo"], row["rho_hi"] = (float(v) for v in _pct_interval(boot, level))
            row["status"] = worst_status(sub.loc[ok, "status"])
            rows.append(row)
    return pd.DataFrame(rows)


def _sd(x: np.ndarray) -> np.ndarray:
    """Sample standard deviation (n - 1) along the last axis."""
    return np.std(x, axis=-1, ddof=1) if x.shape[-1] > 1 else np.full(x.shape[:-1], np.nan)


#: Inequality measures: name -> function along the last axis.
_MEASURES = (("gini", _gini), ("sd", _sd), ("theil", _theil), ("cv", _cv))


def compute_inequality(
    data: pd.DataFrame,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    columns: Sequence[str] = PILLARS,
) -> pd.DataFrame:
    """Inequality of each pillar across the communes of a period: Gini and SD, Theil T, CV.

    * Gini = ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)`` (0 = all equal; population form, so the
      maximum with n communes is (n - 1)/n); relative to the mean, so a pillar with a low mean
      looks unequal even when its spread is small: read it next to
    * SD, the sample standard deviation (n - 1) in score points (the sigma of sigma-convergence);
    * Theil T = ``(1/n) sum_i (x_i/mean) ln(x_i/mean)`` (0 = all equal; ln n = one commune has
      everything; undefined, NaN, if a value is negative);
    * CV = population standard deviation / mean.

    Intervals: percentile bootstrap over communes (``n_boot = 0`` skips them, leaving NaN). To
    compare two pillars use :func:`compute_inequality_differences` (paired), not the overlap of
    these marginal intervals.

    Returns:
        ``period, pillar, n, mean, gini, gini_lo, gini_hi, sd, sd_lo, sd_hi, theil, theil_lo,
        theil_hi, cv, cv_lo, cv_hi, status``.
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
            row = dict(period=period, pillar=c, n=n, mean=float(x.mean()) if n else np.nan)
            for name, f in _MEASURES:
                row[name] = float(f(x)) if n else np.nan
                row[f"{name}_lo"] = row[f"{name}_hi"] = np.nan
            if n_boot and n >= 2:
                boot = _boot_blocks(
                    rng, n, n_boot, lambda idx, x=x: tuple(f(x[idx]) for _, f in _MEASURES)
                )
                for (name, _), b in zip(_MEASURES, boot, strict=True):
                    row[f"{name}_lo"], row[f"{name}_hi"] = (
                        float(v) for v in _pct_interval(b, level)
                    )
            row["status"] = worst_status(sub.loc[ok, "status"])
            rows.append(row)
    cols = (
        ["period", "pillar", "n", "mean"]
        + [f"{m}{s}" for m, _ in _MEASURES for s in ("", "_lo", "_hi")]
        + ["status"]
    )
    return pd.DataFrame(rows, columns=cols)


def compute_inequality_differences(
    data: pd.DataFrame,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    pairs: Sequence[tuple[str, str]] = ((GOV, ECON), (GOV, SOC), (ECON, SOC)),
) -> pd.DataFrame:
    """Is one pillar more evenly spread than another? Paired bootstrap of the differences.

    The pillars are measured on the same communes, so their inequality measures are correlated;
    comparing the overlap of marginal intervals ignores that. Here the communes are resampled
    once per draw for both pillars of a pair (the communes with both scores) and the difference
    ``measure(a) - measure(b)`` is recomputed: a percentile interval below 0 says pillar ``a``
    is more even than ``b`` (as far as resampling the communes describes the uncertainty).

    Returns:
        ``period, pillar_x, pillar_y, n, gini_diff, gini_diff_lo, gini_diff_hi, sd_diff,
        sd_diff_lo, sd_diff_hi, status`` (differences x minus y).
    """
    level = _check_level(level)
    n_boot = _check_n_boot(n_boot, minimum=0)
    cols = sorted(
        {c for pr in pairs for c in pr}, key=lambda c: PILLARS.index(c) if c in PILLARS else 99
    )
    w = _wide_pillars(data, cols)
    rng = np.random.default_rng(seed)
    rows = []
    for period in _periods(w):
        sub = w[w["period"] == period]
        for a, b in pairs:
            ok = sub[a].notna() & sub[b].notna()
            x, y = sub.loc[ok, a].to_numpy(float), sub.loc[ok, b].to_numpy(float)
            n = len(x)
            row = dict(period=period, pillar_x=a, pillar_y=b, n=n)
            measures = (("gini", _gini), ("sd", _sd))
            boot = (
                _boot_blocks(
                    rng,
                    n,
                    n_boot,
                    lambda idx, x=x, y=y, m=measures: tuple(f(x[idx]) - f(y[idx]) for _, f in m),
                )
                if n_boot and n >= 2
                else None
            )
            for i, (name, f) in enumerate(measures):
                row[f"{name}_diff"] = float(f(x) - f(y)) if n >= 2 else np.nan
                lo = hi = np.nan
                if boot is not None:
                    lo, hi = (float(v) for v in _pct_interval(boot[i], level))
                row[f"{name}_diff_lo"], row[f"{name}_diff_hi"] = lo, hi
            row["status"] = worst_status(sub.loc[ok, "status"])
            rows.append(row)
    cols_out = (
        ["period", "pillar_x", "pillar_y", "n"]
        + [f"{m}_diff{s}" for m in ("gini", "sd") for s in ("", "_lo", "_hi")]
        + ["status"]
    )
    return pd.DataFrame(rows, columns=cols_out)
