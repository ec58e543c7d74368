"""District claims stated jointly: one row per period and gap (:func:`compute_district_claims`).

"The interval excludes zero in 18 of 18 communes" counts 18 marginal intervals whose bootstrap
draws are almost the same event (one resample of indicators is shared by every commune, so the
draws correlate ~0.9 across communes): it is one confirmation, not 18. The claims here are
stated so that they hold together:

* **simultaneous bounds** (Romano & Wolf 2005, max-t): from the indicator-selection draws of
  every unit of the period, ``t_ub = (draw_ub - gap_u) / sd_u``; the critical value ``c`` is
  the ``joint_level`` quantile over resamples of ``max_u |t_ub|``, and ``gap_u +/- c sd_u`` holds
  for all units at once with probability ``joint_level`` (as far as the selection bootstrap
  describes the uncertainty). ``n_joint_positive`` counts the units whose lower bound is > 0;
* the **sign count** ``n_positive`` of ``n_units`` (gap > 0) with a Wilson interval on the share
  (Wilson 1927; Newcombe 1998), the communes being read as draws from the communes that could
  have been observed;
* the **sign-robust counts** from the Monte Carlo over method choices (``<gap>_share_positive``
  of the gap table, :func:`analysis.robustness.add_method_intervals`): units whose gap is > 0
  in >= 95 % of the draws (``n_sign_robust_positive``) or < 0 in >= 95 % (``_negative``);
* ``relative_scale_n_positive``: units with a positive gap on a relative scale (z-scores of the
  indicators), for transparency only: a relative scale has no common zero (its zero is the
  district's average), so it is not a test of "government runs ahead".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import config
from ..frameworks import Framework
from ..periods import period_to_time
from ..status import worst_status
from ._cube import _build_cube, _comparison_pillars, _n_available
from ._selection import iter_blocks, make_plan
from ._stats import _check_level, _check_n_boot, _wilson
from .commune import SEL_METHODS, _point
from .formula import GAP_SERIES, GOV, add_gap_columns

#: Column order of the claims table.
CLAIM_COLUMNS = (
    "period", "gap", "n_units", "n_positive", "share_positive", "share_positive_lo",
    "share_positive_hi", "median_gap", "joint_level", "maxt_crit", "n_joint_positive",
    "n_joint_negative", "n_sign_robust_positive", "n_sign_robust_negative",
    "relative_scale_n_positive", "status",
)  # fmt: skip


def _maxt(cube, plan, point, too_few) -> dict:
    """Per period and gap: the units' gaps, their bootstrap SDs and the max-t critical value."""
    acc: dict = {}
    for b in iter_blocks(cube, plan, point):
        for g in GAP_SERIES:
            d = b.draws[g]
            sd = np.std(d, axis=1, ddof=1) if d.shape[1] > 1 else np.full(len(d), np.nan)
            usable = ~too_few[g][b.rows] & (sd > 1e-12) & ~np.isnan(b.est[g])
            a = acc.setdefault((b.period, g), {"rows": [], "sd": [], "max": None})
            a["rows"].append(b.rows)
            a["sd"].append(np.where(usable, sd, np.nan))
            if usable.any():
                t = np.abs(d[usable] - b.est[g][usable, None]) / sd[usable, None]
                m = np.nanmax(t, axis=0)
                a["max"] = m if a["max"] is None else np.fmax(a["max"], m)
    return acc


def _sign_robust(gaps: pd.DataFrame | None, period: str, g: str, units) -> tuple:
    """Units whose sign is robust to the method choices: positive / negative."""
    col, rob = f"{g}_share_positive", f"{g}_sign_robust"
    if gaps is None or col not in gaps.columns or rob not in gaps.columns:
        return np.nan, np.nan
    sub = gaps[(gaps["period"].astype(str) == period) & gaps["unit_code"].astype(str).isin(units)]
    share = pd.to_numeric(sub[col], errors="coerce")
    if share.isna().all():
        return np.nan, np.nan
    robust = sub[rob].astype("boolean").fillna(False).to_numpy(bool)
    # sign_robust: >= 95% of the draws positive, or >= 95% negative (share_positive <= 5% then)
    return int((robust & (share >= 0.5)).sum()), int((robust & (share < 0.5)).sum())


def _relative_counts(relative: pd.DataFrame | None) -> dict:
    """``{(period, gap): units with a positive gap}`` on the relative scale's pillar table."""
    if relative is None:
        return {}
    t = add_gap_columns(relative.assign(unit_code=relative["unit_code"].astype(str)))
    t["period"] = t["period"].astype(str)
    out = {}
    for (period), sub in t.groupby("period"):
        for g in GAP_SERIES:
            v = sub[g].dropna()
            out[(period, g)] = int((v > 0).sum()) if len(v) else np.nan
    return out


def compute_district_claims(
    scores: pd.DataFrame,
    framework: Framework,
    *,
    gaps: pd.DataFrame | None = None,
    relative: pd.DataFrame | None = None,
    level: float = config.DEFAULT_CI_LEVEL,
    joint_level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    sel_method: str = "expanded",
    return_bounds: bool = False,
):
    """The district's claims about each gap, stated jointly, one row per period and gap.

    Args:
        scores: tidy scores (as for :func:`analysis.gaps.compute_gaps`, with the same
            ``n_boot``, ``seed`` and ``sel_method`` the resamples are the same).
        framework: the framework of the scores.
        gaps: the gap table with the Monte Carlo columns (``<gap>_share_positive``); without
            them the sign-robust counts are NaN.
        relative: a pillar table (``unit_code, period, government, economy, society``) on a
            relative scale (z-scores) for ``relative_scale_n_positive``; None leaves it NaN.
        level: level of the Wilson interval of the sign count.
        joint_level: simultaneous level of the max-t bounds.
        n_boot, seed, sel_method: the indicator-selection bootstrap.
        return_bounds: also return the per-unit simultaneous bounds (``unit_code, period, gap,
            gap_value, joint_lo, joint_hi``).

    Returns:
        :data:`CLAIM_COLUMNS` (and the bounds with ``return_bounds``). ``attrs["notes"]``
        (``{"<period>/<gap>": text}``) says where no simultaneous bound could be given (fewer
        than 2 indicators in a pillar, or no spread in the resampled gaps: a degenerate
        bootstrap distribution is not certainty).
    """
    level, joint_level = _check_level(level), _check_level(joint_level)
    n_boot = _check_n_boot(n_boot)
    if sel_method not in SEL_METHODS:
        raise ValueError(f"sel_method={sel_method!r}: use one of {SEL_METHODS}")
    cube = _build_cube(scores, framework)
    cmp = _comparison_pillars(cube)
    plan = make_plan(cube, cmp, n_boot=n_boot, seed=seed, method=sel_method, level=level)
    point = _point(cube)
    est = {
        "gap_econ": point[GOV] - point["economy"],
        "gap_soc": point[GOV] - point["society"],
        "gap_mean": point[GOV] - sum(point[p] for p in cmp) / max(len(cmp), 1),
    }
    n_row = _n_available(cube)
    too_few = {g: np.logical_or.reduce([n_row[p] < 2 for p in c]) for g, c in plan.coef.items()}
    acc = _maxt(cube, plan, point, too_few)
    rel = _relative_counts(relative)
    units = cube.keys["unit_code"].to_numpy()
    rows, notes, bounds = [], {}, []
    for (period, g), a in acc.items():
        r = np.concatenate(a["rows"])
        sd = np.concatenate(a["sd"])
        e = est[g][r]
        ok = ~np.isnan(e)
        n, k = int(ok.sum()), int((e[ok] > 0).sum())
        lo_w, hi_w = _wilson(k, n, level)
        crit = float(np.quantile(a["max"], joint_level)) if a["max"] is not None else np.nan
        jlo, jhi = e - crit * sd, e + crit * sd
        if np.isnan(crit):
            notes[f"{period}/{g}"] = (
                "no simultaneous bounds: every unit has a pillar with < 2 indicators or no spread "
                "in its resampled gaps (a degenerate bootstrap distribution is not certainty)"
            )
        elif np.isnan(sd[ok]).any():
            notes[f"{period}/{g}"] = (
                f"no simultaneous bound for {int(np.isnan(sd[ok]).sum())} unit(s): a pillar with "
                "< 2 indicators or no spread in the resampled gaps"
            )
        pos, neg = _sign_robust(gaps, period, g, units[r])
        rows.append(
            dict(period=period, gap=g, n_units=n, n_positive=k,
                 share_positive=k / n if n else np.nan, share_positive_lo=float(lo_w),
                 share_positive_hi=float(hi_w), median_gap=float(np.median(e[ok])) if n else np.nan,
                 joint_level=joint_level, maxt_crit=crit,
                 n_joint_positive=int((jlo[ok] > 0).sum()) if not np.isnan(crit) else np.nan,
                 n_joint_negative=int((jhi[ok] < 0).sum()) if not np.isnan(crit) else np.nan,
                 n_sign_robust_positive=pos, n_sign_robust_negative=neg,
                 relative_scale_n_positive=rel.get((period, g), np.nan),
                 status=worst_status([config.STATUSES[c] for c in cube.status[r]])))  # fmt: skip
        if return_bounds:
            bounds.append(
                pd.DataFrame(
                    {"unit_code": units[r].astype(str), "period": period, "gap": g,
                     "gap_value": e, "joint_lo": jlo, "joint_hi": jhi}
                )
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
    order = sorted(range(len(out)), key=lambda i: (period_to_time(out.at[i, "period"]), i))
    out = out.iloc[order].reset_index(drop=True)
    out.attrs.update(notes=notes, joint_level=joint_level, level=level, n_boot=n_boot, seed=seed)
    if return_bounds:
        return out, pd.concat(bounds, ignore_index=True) if bounds else pd.DataFrame()
    return out
