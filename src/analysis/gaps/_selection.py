"""The indicator-selection bootstrap, block by block: one resample of indicators shared by every
unit and period, evaluated on blocks of rows of one period at a time so that memory stays
``O(block x B)`` whatever the number of units (3,321 communes x 7 periods x 2,000 resamples
would otherwise hold gigabytes per array).

Used by :func:`analysis.gaps.compute_gaps` (intervals, typology stability) and by
:func:`analysis.gaps.compute_district_claims` (simultaneous bounds over the units of a period).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..composite.arrays import weighted_mean
from ._cube import _Cube, _pillar_point
from .formula import ECON, GOV, PILLARS, SOC, gap_values

#: Rows per block: about 2e6 values per (rows x resamples) array.
_BLOCK_VALUES = 2_000_000


@dataclass(frozen=True)
class SelectionPlan:
    """What every block shares: the resampled indicator counts and the gap coefficients."""

    counts: dict  # pillar -> (B, K_p) multinomial counts (indicators drawn with replacement)
    n_ind: dict  # pillar -> K_p
    coef: dict  # gap -> {pillar: coefficient}
    cmp: list  # comparison pillars of gap_mean
    method: str  # "expanded" | "percentile"
    level: float
    n_boot: int
    seed: int


@dataclass
class Block:
    """The bootstrap of one block of rows (all of one period)."""

    period: str
    rows: np.ndarray  # row indices into the cube
    point: dict  # pillar -> (r,) reported (or recomputed) scores
    boot: dict  # pillar -> (r, B) resampled pillar scores (centred on ``point``)
    est: dict  # gap -> (r,)
    draws: dict  # gap -> (r, B) resampled gaps (expanded with ``method="expanded"``)
    meas_var: dict | None  # gap -> (r,) measurement-error variance, when the cube has se


def make_plan(cube: _Cube, cmp: list, *, n_boot: int, seed: int, method: str, level: float):
    """Draw the indicator resamples once (the same for every unit and period)."""
    rng = np.random.default_rng(seed)
    counts, n_ind = {}, {}
    for p in PILLARS:
        k = int((cube.pillar == p).sum())
        n_ind[p] = k
        if k:
            counts[p] = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot)  # (B, K)
    coef = {
        "gap_econ": {GOV: 1.0, ECON: 1.0},
        "gap_soc": {GOV: 1.0, SOC: 1.0},
        "gap_mean": {GOV: 1.0, **{p: 1.0 / len(cmp) for p in cmp}},
    }
    return SelectionPlan(counts, n_ind, coef, list(cmp), method, level, n_boot, seed)


def _t_expansion(boot: dict, coef: dict, n_ind: dict, level: float) -> np.ndarray:
    """Per-row factor t_nu / z that widens a bootstrap gap distribution to Student-t tails.

    ``nu`` is the Welch-Satterthwaite degrees of freedom of the gap ``sum_p a_p P_p`` from the
    bootstrap variances ``v_p = a_p^2 Var*(P_p)`` and the indicator counts ``K_p``:
    ``nu = (sum v_p)^2 / sum(v_p^2 / (K_p - 1))``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        v = {
            p: a**2
            * (
                np.var(boot[p], axis=1)
                if not np.isnan(boot[p]).any()
                else np.nanvar(boot[p], axis=1)
            )
            for p, a in coef.items()
        }
    num = sum(v.values()) ** 2
    den = sum(v[p] ** 2 / (n_ind[p] - 1) for p in coef if n_ind[p] >= 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        nu = np.where(den > 0, num / den, np.inf)
    z = stats.norm.ppf(0.5 + level / 2)
    factor = stats.t.ppf(0.5 + level / 2, np.maximum(nu, 1.0)) / z
    return np.where(np.isfinite(factor), factor, 1.0)


def _boot_pillars(cube: _Cube, rows: np.ndarray, plan: SelectionPlan, recomputed, point):
    boot = {}
    for p in PILLARS:
        cols = np.flatnonzero(cube.pillar == p)
        if not len(cols):
            boot[p] = np.full((len(rows), plan.n_boot), np.nan)
            continue
        w = np.ascontiguousarray((plan.counts[p] * cube.weight[cols]).T)  # (K, B)
        b = weighted_mean(cube.x[np.ix_(rows, cols)], w)
        k = plan.n_ind[p]
        if plan.method == "expanded" and k >= 2:  # undo the bootstrap's (K-1)/K shrinkage
            b = recomputed[p][:, None] + math.sqrt(k / (k - 1)) * (b - recomputed[p][:, None])
        boot[p] = b + np.nan_to_num(point[p] - recomputed[p])[:, None]
    return boot


def _meas_sd(cube: _Cube, rows: np.ndarray, plan: SelectionPlan) -> dict:
    """``(r, B)`` SD of each gap from measurement error, per resample of indicators.

    A pillar score ``sum_k c_k w_k x_k / sum_k c_k w_k`` (``c_k``: times indicator k was drawn)
    has measurement variance ``sum_k (c_k w_k se_k)^2 / (sum_k c_k w_k)^2`` when the errors are
    independent; a gap adds its pillars' variances times the squared coefficients.
    """
    var = {}
    for p in PILLARS:
        cols = np.flatnonzero(cube.pillar == p)
        if not len(cols):
            var[p] = np.zeros((len(rows), plan.n_boot))
            continue
        x = cube.x[np.ix_(rows, cols)]
        se = cube.se[np.ix_(rows, cols)]
        ok = ~np.isnan(x)
        cw = (plan.counts[p] * cube.weight[cols]).T  # (K, B)
        num = np.einsum("rk,kb->rb", np.where(ok, np.nan_to_num(se) ** 2, 0.0), cw**2)
        den = np.einsum("rk,kb->rb", ok.astype(float), cw)
        with np.errstate(invalid="ignore", divide="ignore"):
            var[p] = np.where(den > 0, num / den**2, np.nan)
    return {g: np.sqrt(sum(a**2 * var[p] for p, a in c.items())) for g, c in plan.coef.items()}


def iter_blocks(cube: _Cube, plan: SelectionPlan, point: dict) -> Iterator[Block]:
    """The bootstrap of the cube, one block of rows of one period at a time.

    ``point``: the pillar scores every gap is centred on (reported where given, else the
    arithmetic recomputation). With ``plan.method == "expanded"`` each pillar's resampled
    deviations are scaled by ``sqrt(K/(K-1))`` and each gap's by ``t_nu / z``.
    """
    recomputed = _pillar_point(cube)
    block = max(1, _BLOCK_VALUES // max(1, plan.n_boot))
    periods = cube.keys["period"].to_numpy()
    for period in dict.fromkeys(periods):
        idx = np.flatnonzero(periods == period)
        for s in range(0, len(idx), block):
            rows = idx[s : s + block]
            pt = {p: point[p][rows] for p in PILLARS}
            rc = {p: recomputed[p][rows] for p in PILLARS}
            boot = _boot_pillars(cube, rows, plan, rc, pt)
            est, raw = gap_values(pt, plan.cmp), gap_values(boot, plan.cmp)
            draws = {}
            for g, d in raw.items():
                if plan.method == "expanded":
                    f = _t_expansion(boot, plan.coef[g], plan.n_ind, plan.level)[:, None]
                    d = est[g][:, None] + f * (d - est[g][:, None])
                draws[g] = d
            meas_var = None
            if cube.se is not None:  # averaged over the resamples of indicators
                sd = _meas_sd(cube, rows, plan)
                with np.errstate(invalid="ignore"):
                    meas_var = {g: np.nanmean(sd[g] ** 2, axis=1) for g in draws}
            yield Block(str(period), rows, pt, boot, est, draws, meas_var)
