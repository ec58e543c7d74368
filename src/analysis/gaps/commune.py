"""Per commune and period: the gaps with their indicator-selection intervals, ratios, z-scores,
ranks and the typology (:func:`compute_gaps`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import config
from ..composite.arrays import rank_array
from ..errors import ParameterError
from ..frameworks import Framework
from ._cube import _build_cube, _comparison_pillars, _n_available, _pillar_point
from ._selection import iter_blocks, make_plan
from ._stats import _check_level, _check_n_boot, _pct_interval
from .formula import ECON, GAP_SERIES, GOV, PILLARS, SOC, comparison_mean

#: Column order of the gap table (``<gap>_meas_lo/_hi`` follow ``<gap>_sel_hi`` when the
#: observations carry a measurement standard error).
GAP_COLUMNS = (
    "unit_code", "period", "government", "economy", "society",
    "gap_econ", "gap_econ_sel_lo", "gap_econ_sel_hi", "gap_soc", "gap_soc_sel_lo", "gap_soc_sel_hi",
    "gap_mean", "gap_mean_sel_lo", "gap_mean_sel_hi", "ratio_econ", "ratio_soc",
    "z_econ", "z_soc", "z_mean",
    "rank_government", "rank_economy", "rank_society", "rank_gap_mean",
    "typology", "typology_stability", "status",
)  # fmt: skip
#: Typology classes, in the order of the decision rule (see :func:`compute_gaps`).
TYPOLOGY_CLASSES = ("government_led", "balanced_high", "balanced_low", "economy_society_led")
#: Default typology thresholds (0..1 score scale): a gap of at least 0.10 (10 points) is a lead;
#: a mean level of at least 0.50 is "high".
DEFAULT_DELTA = 0.10
DEFAULT_HIGH = 0.50
#: Tolerance on the typology thresholds so that decimal rounding (0.7 - 0.6 = 0.0999...) does not flip a class.
_EDGE_TOL = 1e-9
#: An interval narrower than this has no spread: it is reported as NaN (a degenerate interval).
_FLAT = 1e-12
#: The indicator-selection interval methods.
SEL_METHODS = ("expanded", "percentile")


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


def _check_args(level, n_boot, sel_method, delta, high) -> tuple[float, int]:
    level = _check_level(level)
    n_boot = _check_n_boot(n_boot)
    if sel_method not in SEL_METHODS:
        raise ParameterError(
            f"sel_method={sel_method!r}: use 'expanded' (default, small-sample corrected) or 'percentile' (plain)"
        )
    if not (delta >= 0 and math.isfinite(delta)):
        raise ParameterError(
            f"delta={delta!r}: the typology threshold must be a finite number >= 0 (default {DEFAULT_DELTA})"
        )
    if not math.isfinite(high):
        raise ParameterError(
            f"high={high!r}: the typology level threshold must be finite (default {DEFAULT_HIGH})"
        )
    return level, n_boot


def _point(cube) -> dict:
    """Pillar scores: the reported ones (level = pillar rows) where given, else recomputed."""
    recomputed = _pillar_point(cube)
    point = {}
    for p in PILLARS:
        rep = (
            cube.reported[p].to_numpy(dtype=float)
            if cube.reported is not None
            else np.full(len(cube.keys), np.nan)
        )
        point[p] = np.where(np.isnan(rep), recomputed[p], rep)
    return point


def _interval(draws: np.ndarray, level: float, bad: np.ndarray) -> tuple:
    """Percentile interval of ``(r, B)`` draws; NaN where ``bad`` or without spread."""
    lo, hi = _pct_interval(draws, level)
    flat = ~(hi - lo > _FLAT)
    nan = bad | flat
    return np.where(nan, np.nan, lo), np.where(nan, np.nan, hi), flat & ~bad


def _with_measurement(draws, est, lo, hi, meas_var) -> tuple:
    """The selection interval widened by independent measurement error: each side's distance
    from the estimate times ``sqrt(1 + var_meas / var_sel)`` (the ratio of the SDs of the gap
    with and without the error). Deterministic, so it always contains the selection interval
    (drawing the error instead added quantile noise that could make it narrower).

    >>> import numpy as np
    >>> d = np.array([[0.0, 1.0, 2.0, 3.0]])
    >>> lo, hi = _with_measurement(d, np.array([1.5]), np.array([0.5]), np.array([2.5]), np.array([3.75]))
    >>> float(lo[0]), float(hi[0])  # variance 1.25 + 3.75: twice the SD
    (-0.5, 3.5)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.sqrt(1.0 + meas_var / np.nanvar(draws, axis=1))
    return est - (est - lo) * f, est + (hi - est) * f


def _selection_columns(cube, plan, point, too_few, delta, high) -> tuple[dict, dict]:
    """Interval columns (``<gap>_sel_lo/_hi``, ``<gap>_meas_lo/_hi``) and typology stability,
    block by block; plus per gap the number of rows whose interval had no spread."""
    R = len(cube.keys)
    cols = {f"{g}_{k}": np.full(R, np.nan) for g in GAP_SERIES for k in ("sel_lo", "sel_hi")}
    if cube.se is not None:
        cols.update(
            {f"{g}_{k}": np.full(R, np.nan) for g in GAP_SERIES for k in ("meas_lo", "meas_hi")}
        )
    cols["typology_stability"] = np.full(R, np.nan)
    flat = dict.fromkeys(GAP_SERIES, 0)
    k = len(plan.cmp)
    for b in iter_blocks(cube, plan, point):
        r = b.rows
        for g in GAP_SERIES:
            lo, hi, fl = _interval(b.draws[g], plan.level, too_few[g][r])
            cols[f"{g}_sel_lo"][r], cols[f"{g}_sel_hi"][r] = lo, hi
            flat[g] += int(fl.sum())
            if b.meas_var is not None:
                lo, hi = _with_measurement(b.draws[g], b.est[g], lo, hi, b.meas_var[g])
                cols[f"{g}_meas_lo"][r], cols[f"{g}_meas_hi"][r] = lo, hi
        level_pt = (b.point[GOV] + comparison_mean(b.point, plan.cmp) * k) / (1 + k)
        code = _classify(b.est["gap_mean"], level_pt, delta, high)
        boot_level = (b.boot[GOV] + comparison_mean(b.boot, plan.cmp) * k) / (1 + k)
        bcode = _classify(_raw_mean(b, plan), boot_level, delta, high)
        valid = bcode >= 0
        with np.errstate(invalid="ignore", divide="ignore"):
            stab = ((bcode == code[:, None]) & valid).sum(axis=1) / valid.sum(axis=1)
        cols["typology_stability"][r] = np.where(
            (code >= 0) & ~too_few["gap_mean"][r], stab, np.nan
        )
    return cols, flat


def _raw_mean(b, plan) -> np.ndarray:
    """The resampled gap_mean without the t expansion (what the typology is classified on)."""
    return b.boot[GOV] - comparison_mean(b.boot, plan.cmp)


def _ratios_z_ranks(out: pd.DataFrame, G, E, S) -> None:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # tiny E, S: inf
        out["ratio_econ"] = np.where(E != 0, G / np.where(E != 0, E, 1.0), np.nan)
        out["ratio_soc"] = np.where(S != 0, G / np.where(S != 0, S, 1.0), np.nan)
    by_period = out.groupby("period")
    for src, dst in (("gap_econ", "z_econ"), ("gap_soc", "z_soc"), ("gap_mean", "z_mean")):
        mu = by_period[src].transform("mean")
        sd = by_period[src].transform("std")
        out[dst] = ((out[src] - mu) / sd.where(sd > 0)).astype(float)
    for src in (GOV, ECON, SOC, "gap_mean"):
        ranks = by_period[src].transform(lambda v: rank_array(v.to_numpy(float)))
        out[f"rank_{src}"] = ranks.round().astype("Int64")


def _typology_codes(out, point, cmp, delta, high) -> None:
    """``typology`` from gap_mean and the mean level of G and the compared pillars."""
    k = len(cmp)
    mean_level = (point[GOV] + comparison_mean(point, cmp) * k) / (1 + k)
    code = _classify(out["gap_mean"].to_numpy(), mean_level, delta, high)
    out["typology"] = pd.Series(
        [TYPOLOGY_CLASSES[c] if c >= 0 else None for c in code], index=out.index, dtype="string"
    )


# =========================================================================== per commune
def compute_gaps(
    scores: pd.DataFrame,
    framework: Framework,
    *,
    level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
    delta: float = DEFAULT_DELTA,
    high: float = DEFAULT_HIGH,
    sel_method: str = "expanded",
) -> pd.DataFrame:
    """Gap of digital government over digital economy and society, per commune and period.

    Pillar scores are taken from the ``level == "pillar"`` rows when present (the composite engine's
    numbers), otherwise recomputed from the normalised indicators as the weighted arithmetic mean
    within the pillar (framework weights, missing indicators dropped and the weights renormalised).
    The gaps are :func:`analysis.gaps.formula.gap_values` of the pillar scores.

    **Indicator-selection interval** (``<gap>_sel_lo``, ``<gap>_sel_hi``): how much the gap
    depends on which indicators measure each pillar. In each of ``n_boot`` resamples the
    indicators of every pillar are drawn with replacement (as many as the pillar has; the same
    draw for all communes and periods), the pillar scores are recomputed, and the gaps with them;
    the interval is the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the resampled gaps.
    It is not a confidence interval for a sampled population: the framework fixes the
    indicators, and the interval treats them as one draw of the indicators that could measure
    the pillar. When the reported pillar scores differ from the arithmetic recomputation (e.g.
    geometric aggregation upstream), the resampled gaps are shifted by (reported - recomputed).
    The method interval (``<gap>_method_lo``/``_hi``) and the sign share are added by
    :func:`analysis.robustness.add_method_intervals`.

    With few indicators per pillar (the commune framework has 6-7) the plain percentile interval is
    too narrow (measured coverage of a nominal 90% interval: 85% with 7 indicators per pillar). The
    default ``sel_method="expanded"`` therefore (i) rescales each pillar's resampled deviations by
    ``sqrt(K/(K-1))`` (the bootstrap's variance shrinkage) and (ii) stretches the gap's resampled
    deviations by ``t_nu / z`` with Welch-Satterthwaite degrees of freedom ``nu`` (Hesterberg's
    expanded percentile interval, adapted); measured coverage 90-92% for K = 5..30, and under
    offsets shared by all communes (the demo's model; tests). ``sel_method="percentile"`` gives
    the plain percentile interval.

    **Measurement** (``<gap>_meas_lo``, ``<gap>_meas_hi``, only when the scores carry ``se``, the
    normalised measurement standard error of each indicator value): the selection draws plus a
    normal error with the gap's measurement variance in that resample (independent errors:
    ``sum_k (c_k w_k se_k)^2 / (sum_k c_k w_k)^2`` per pillar).

    NaN intervals, with the reason in ``df.attrs["interval_notes"]`` (``{gap: text}``): a pillar
    of the gap has fewer than 2 non-missing indicators for the unit and period (resampling one
    indicator carries no information: point gap only, and ``typology_stability`` is NaN), or
    the resampled gaps have no spread (a degenerate interval is not certainty).

    Missing pillar (the UN EGDI has no economy): see the package docstring ("Missing pillars").

    Typology (``typology``), from ``gap_mean`` and the mean level ``m = (G + E + S) / 3``:
    ``government_led`` if gap_mean >= delta; ``economy_society_led`` if gap_mean <= -delta;
    otherwise ``balanced_high`` if m >= high, else ``balanced_low`` (edges inclusive, tolerance
    1e-9). ``typology_stability`` = share of bootstrap resamples classified in the same class.

    Args:
        scores: tidy scores ``unit_code, period, level, name, value, status`` (+ ``se``);
            level=indicator rows hold normalised (higher is better) indicator values.
        framework: the framework the scores were computed with (pillar government and at least one
            of economy / society).
        level: level of the intervals (default 0.90).
        n_boot: bootstrap resamples (default 2000; >= 2000 recommended for published intervals).
        seed: seed of the random generator (results are reproducible).
        delta: typology threshold on gap_mean (score points on the 0..1 scale; default 0.10).
        high: typology threshold on the mean level separating balanced-high from balanced-low (0.50).
        sel_method: ``expanded`` (default; small-sample corrected percentile) or ``percentile``.

    Returns:
        One row per unit and period, columns :data:`GAP_COLUMNS` (plus ``<gap>_meas_lo/_hi``
        with ``se``). ``df.attrs`` records level, n_boot, seed, delta, high, sel_method,
        n_indicators (per pillar), comparison_pillars and interval_notes. ``z_*`` are
        standardised across the units of the same period (sample SD); ranks are within the
        period, 1 = highest, ties (after rounding to 1e-9) share the best rank. ``ratio_*`` is
        NaN when the denominator is 0.

    Raises:
        DataValidationError: scores break the contract (missing column, duplicates, unknown indicator).
        FrameworkError: the framework has no government pillar, or neither economy nor society.
        ParameterError: level, n_boot, delta or high out of range.
    """
    level, n_boot = _check_args(level, n_boot, sel_method, delta, high)
    cube = _build_cube(scores, framework)
    cmp = _comparison_pillars(cube)  # economy and/or society: the pillars gap_mean compares with
    plan = make_plan(cube, cmp, n_boot=n_boot, seed=seed, method=sel_method, level=level)
    point = _point(cube)
    out = cube.keys.copy()
    out[GOV], out[ECON], out[SOC] = point[GOV], point[ECON], point[SOC]
    out["gap_econ"] = point[GOV] - point[ECON]
    out["gap_soc"] = point[GOV] - point[SOC]
    out["gap_mean"] = point[GOV] - comparison_mean(point, cmp)
    # rule: no interval (NaN bounds) where a pillar of the gap has < 2 indicators in that row
    n_row = _n_available(cube)
    too_few = {g: np.logical_or.reduce([n_row[p] < 2 for p in c]) for g, c in plan.coef.items()}
    cols, flat = _selection_columns(cube, plan, point, too_few, delta, high)
    for name, v in cols.items():
        out[name] = v
    _ratios_z_ranks(out, point[GOV], point[ECON], point[SOC])
    _typology_codes(out, point, cmp, delta, high)
    out["status"] = [config.STATUSES[c] for c in cube.status]
    out = out.loc[:, _column_order(cube.se is not None)]
    out.attrs.update(
        level=level,
        n_boot=n_boot,
        seed=seed,
        delta=delta,
        high=high,
        sel_method=sel_method,
        n_indicators=plan.n_ind,
        comparison_pillars=cmp,
        has_measurement=cube.se is not None,
        interval_notes=_interval_notes(framework, plan, too_few, flat),
    )
    return out


def _column_order(has_measurement: bool) -> list[str]:
    """:data:`GAP_COLUMNS`, with ``<gap>_meas_lo/_hi`` after ``<gap>_sel_hi`` when measured."""
    order = list(GAP_COLUMNS)
    for g in GAP_SERIES[::-1] if has_measurement else ():
        at = order.index(f"{g}_sel_hi") + 1
        order[at:at] = [f"{g}_meas_lo", f"{g}_meas_hi"]
    return order


def _interval_notes(framework: Framework, plan, too_few: dict, flat: dict) -> dict:
    """Why a gap has no interval (``{gap: text}``; empty when every row has one)."""
    notes = {}
    absent = [p for p in (ECON, SOC) if p not in plan.cmp]
    for name, c in plan.coef.items():
        missing = [p for p in absent if p in c]
        few = [f"{p} ({plan.n_ind[p]})" for p in c if p not in absent and plan.n_ind[p] < 2]
        parts = []
        if missing:
            parts.append(
                f"no {', '.join(missing)} pillar in framework {framework.id!r} (or no data): gap is NaN"
            )
        elif few:
            parts.append(
                f"NaN interval = pillar with < 2 indicators ({', '.join(few)}); point gap only"
            )
        elif too_few[name].any():
            parts.append(
                f"NaN interval in {int(too_few[name].sum())} row(s): a pillar has < 2 non-missing indicators there; point gap only"
            )
        if flat.get(name):
            parts.append(
                f"NaN selection interval in {flat[name]} row(s): the resampled gaps have no spread (degenerate interval)"
            )
        if parts:
            notes[name] = "; ".join(parts)
    return notes
