"""Over time: Theil-Sen trends per commune and series (is the gap closing?) and sigma- and
beta-convergence of the pillars.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import config
from ..errors import ParameterError
from ..periods import period_to_time
from ..status import status_codes, worst_status
from ._stats import (
    _boot_blocks,
    _check_columns,
    _check_level,
    _iv_slope,
    _pct_interval,
    _row_median,
    theil_sen_rows,
)
from ._wide import _periods, _wide_pillars
from .formula import GAP_SERIES, PILLARS


def _trend_label(lo: float, hi: float) -> str | None:
    if np.isnan(lo) or np.isnan(hi):
        return None
    if lo > 0:
        return "increasing"
    if hi < 0:
        return "decreasing"
    return "no_clear_trend"


def _pad(a: np.ndarray, width: int, fill) -> np.ndarray:
    """``a`` widened to ``width`` columns with ``fill``."""
    if a.shape[1] >= width:
        return a
    return np.concatenate([a, np.full((a.shape[0], width - a.shape[1]), fill, a.dtype)], axis=1)


def _series_trends(T, Y, S, series: str, level: float) -> dict:
    """The trend columns of one series for every row of ``Y`` (times ``T``, status codes ``S``)."""
    ok = ~np.isnan(Y)
    n = ok.sum(axis=1)
    slope, lo, hi, icpt = theil_sen_rows(T, Y, level)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        t0 = np.nanmin(np.where(ok, T, np.nan), axis=1) if T.shape[1] else np.full(len(Y), np.nan)
        t1 = np.nanmax(np.where(ok, T, np.nan), axis=1) if T.shape[1] else np.full(len(Y), np.nan)
    med = _row_median(np.sort(Y, axis=1), n)
    trend = np.array([_trend_label(a, b) for a, b in zip(lo, hi, strict=True)], dtype=object)
    closing = np.full(len(Y), None, dtype=object)
    if series in GAP_SERIES:
        has = trend != None  # noqa: E711 (element-wise)
        flat = has & ((trend == "no_clear_trend") | (med == 0))
        closing[has] = np.where(
            (med[has] > 0) == (trend[has] == "decreasing"), "closing", "widening"
        )
        closing[flat] = "no_clear_trend"
    code = np.where(ok, S, 0).max(axis=1) if S.shape[1] else np.zeros(len(Y), np.int8)
    return dict(n_periods=n.astype(np.int64), t_start=t0, t_end=t1, median_value=med, slope=slope,
                slope_lo=lo, slope_hi=hi, fitted_start=icpt + slope * t0, fitted_end=icpt + slope * t1,
                trend=trend, gap_closing=closing,
                status=np.array(config.STATUSES, dtype=object)[code])  # fmt: skip


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
    columns = list(columns)
    w = _wide_pillars(data, columns)
    w["_t"] = [period_to_time(p) for p in w["period"]]
    d = w.groupby("_t", as_index=False)[columns].mean()  # the district series, in data order
    w = w.sort_values(["unit_code", "_t"], kind="stable")
    codes = status_codes(w["status"])
    units, row = np.unique(w["unit_code"].to_numpy(str), return_inverse=True)
    units = units.astype(object).tolist()
    col = w.groupby("unit_code", sort=False).cumcount().to_numpy()
    width = int(col.max()) + 1 if len(w) else 0
    # one matrix (units, rows of the unit) per series, NaN-padded; the district row appended
    T, S = np.full((len(units), width), np.nan), np.zeros((len(units), width), np.int8)
    T[row, col], S[row, col] = w["_t"].to_numpy(float), codes
    Y = {c: np.full((len(units), width), np.nan) for c in columns}
    for c in columns:
        Y[c][row, col] = w[c].to_numpy(float)
    if include_district:
        dcode = pd.Series(codes).groupby(w["_t"].to_numpy()).max().reindex(d["_t"]).to_numpy()
        k = max(width, len(d))
        T, S = _pad(T, k, np.nan), _pad(S, k, 0)
        T = np.vstack([T, _pad(d["_t"].to_numpy(float)[None, :], k, np.nan)])
        S = np.vstack([S, _pad(np.asarray(dcode, np.int8)[None, :], k, 0)])
        for c in columns:
            Y[c] = np.vstack(
                [_pad(Y[c], k, np.nan), _pad(d[c].to_numpy(float)[None, :], k, np.nan)]
            )
        units.append("district")
    parts = [_series_trends(T, Y[c], S, c, level) for c in columns]
    n = len(units)
    out = pd.DataFrame({"unit_code": np.repeat(np.array(units, dtype=object), len(columns)),
                        "series": np.tile(np.array(columns, dtype=object), n)})  # fmt: skip
    for name in parts[0] if parts else ():
        out[name] = np.stack([p[name] for p in parts], axis=1).reshape(-1) if n else []
    for c in ("trend", "gap_closing"):
        out[c] = out[c].astype("string")
    return out


#: Share of values at a cap from which a convergence estimate is not claimed (caveat ``ceiling``).
CAP_SHARE_LIMIT = 0.25
#: First-stage F below which the instrument is weak (caveat ``weak_instrument``).
WEAK_F = 10.0
_TOL = 1e-9
CONVERGENCE_COLUMNS = (
    "pillar", "kind", "n", "t_start", "t_end", "estimate", "estimate_lo", "estimate_hi",
    "p_value", "cap_share", "first_stage_f", "instrument_period", "converging", "caveat", "status",
)  # fmt: skip


def _at_cap(v: np.ndarray, bounded: bool) -> np.ndarray:
    """``(units, columns)`` True where a value sits at a cap: at the bound of a bounded [0, 1]
    scale, or piled up at its column's highest (lowest) value with at least one other unit (a
    measurement ceiling, e.g. many communes at 99.5 %)."""
    ok = ~np.isnan(v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mx, mn = np.nanmax(v, axis=0), np.nanmin(v, axis=0)
    at_mx, at_mn = ok & (v >= mx - _TOL), ok & (v <= mn + _TOL)
    pile = (at_mx & (at_mx.sum(axis=0) >= 2)) | (at_mn & (at_mn.sum(axis=0) >= 2))
    if bounded:
        pile |= ok & ((v >= 1 - _TOL) | (v <= _TOL))
    return pile & ok


def _cap_shares(w, columns, periods, indicator_scores, pillar_of, bounded) -> dict:
    """Per pillar: the largest share, over the periods, of its values sitting at a cap."""
    out = {}
    for c in columns:
        shares = []
        for per in periods:
            if indicator_scores is not None and c in set(pillar_of.values()):
                s = indicator_scores[
                    (indicator_scores["period"] == per)
                    & indicator_scores["name"].map(pillar_of).eq(c)
                ]
                v = s.pivot_table(index="unit_code", columns="name", values="value").to_numpy(float)
            else:
                v = w.loc[w["period"] == per, [c]].to_numpy(float)
            if v.size and (~np.isnan(v)).any():
                shares.append(_at_cap(v, bounded).sum() / (~np.isnan(v)).sum())
        out[c] = float(max(shares)) if shares else np.nan
    return out


def _sigma_row(w, c, periods, times, level, rng, n_boot) -> dict:
    """Slope of the cross-commune SD over time; interval from resampling communes (with their
    whole trajectories)."""
    wide = w.pivot(index="unit_code", columns="period", values=c).reindex(columns=periods)
    Y = wide.to_numpy(float)  # (units, periods)
    tc = times - times.mean()

    def slope(sd):  # OLS slope of SD on time, along the last axis
        return (sd * tc).sum(axis=-1) / (tc**2).sum()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        est = float(slope(np.nanstd(Y, axis=0, ddof=1)))
        lo = hi = p = np.nan
        n = Y.shape[0]
        if n_boot and n >= 3:
            # in blocks of resamples: Y[idx] of all of them is 1.1 GiB at 10,035 units x 7 periods
            b = _boot_blocks(
                rng, n, n_boot, lambda idx: slope(np.nanstd(Y[idx], axis=1, ddof=1)),
                width=Y.shape[1],
            )  # fmt: skip
            b = b[~np.isnan(b)]
            if len(b):
                lo, hi = (float(v) for v in _pct_interval(b, level))
                p = float(min(1.0, max(2 * min((b <= 0).mean(), (b >= 0).mean()), 1 / len(b))))
    return dict(kind="sigma", n=len(periods), estimate=est, estimate_lo=lo, estimate_hi=hi,
                p_value=p, first_stage_f=np.nan, instrument_period=None)  # fmt: skip


def _beta_row(w, c, periods, level) -> dict:
    """Growth from the second to the last period on the level at the second, instrumented by
    the level at the first (its measurement error is independent of the start's)."""
    row = dict(kind="beta_iv", n=0, estimate=np.nan, estimate_lo=np.nan, estimate_hi=np.nan,
               p_value=np.nan, first_stage_f=np.nan, instrument_period=None)  # fmt: skip
    if len(periods) < 3:
        row["caveat"] = "too_few_periods"
        return row
    inst, start, end = periods[0], periods[1], periods[-1]
    wide = w.pivot(index="unit_code", columns="period", values=c)
    j = wide[[inst, start, end]].dropna()
    dt = period_to_time(end) - period_to_time(start)
    fit = _iv_slope(
        (j[end] - j[start]).to_numpy(float) / dt,
        j[start].to_numpy(float),
        j[inst].to_numpy(float),
        level,
    )
    row.update(n=int(fit["n"]), estimate=fit["slope"], estimate_lo=fit["slope_lo"],
               estimate_hi=fit["slope_hi"], p_value=fit["slope_p"],
               first_stage_f=fit["first_stage_f"], instrument_period=inst)  # fmt: skip
    if fit["n"] < 10:
        row["caveat"] = "too_few_units"
    elif not (fit["first_stage_f"] >= WEAK_F):
        row["caveat"] = "weak_instrument"
    return row


def compute_convergence(
    data: pd.DataFrame,
    *,
    columns: Sequence[str] = PILLARS,
    level: float = config.DEFAULT_CI_LEVEL,
    start: str | None = None,
    end: str | None = None,
    indicator_scores: pd.DataFrame | None = None,
    framework=None,
    bounded: bool = True,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    seed: int = config.DEFAULT_SEED,
) -> pd.DataFrame:
    """Do the communes converge? Sigma-convergence first, then beta with an instrumented start.

    * **sigma** (``kind = "sigma"``): the standard deviation of the pillar across communes in
      every period of ``start..end``; ``estimate`` is its least-squares slope over time (SD
      points per year) and the interval resamples the communes with their whole trajectories
      (percentile, ``n_boot``); ``p_value`` is the bootstrap two-sided p-value. Negative =
      communes are becoming more alike.
    * **beta** (``kind = "beta_iv"``): each commune's change per year from the second period to
      the last, regressed on its level at the second period, **instrumented by its level at the
      first period** (``instrument_period``). Plain OLS of growth on the start level is biased
      towards "catching up" by measurement noise alone (the noise of the start level enters the
      growth with the opposite sign: regression to the mean); the earlier level is correlated
      with the true start but not with that noise. ``first_stage_f`` below 10 means a weak
      instrument.
    * ``cap_share``: the largest share, over the periods, of the pillar's indicator values (or
      pillar values without ``indicator_scores``) that sit at a cap: the ceiling or floor of a
      bounded scale (``bounded``), or piled at the highest/lowest value with other communes. A
      ceiling stops the leaders and shrinks the spread by itself.

    ``converging`` is True only when the interval lies below 0 (the converging direction) and no
    caveat applies, False when it lies above 0 without caveat, NA otherwise. ``caveat`` (a text
    id): ``ceiling`` (``cap_share >= 0.25``), ``weak_instrument``, ``too_few_units`` (< 10),
    ``too_few_periods`` (beta needs 3), or empty.

    Args:
        data: gap or pillar table (wide) or tidy scores with pillar rows.
        columns: pillars to analyse.
        level: level of the intervals.
        start, end: the window (default: first and last period).
        indicator_scores: tidy scores with the indicator rows, for ``cap_share``, and
        framework: the framework saying which pillar each indicator belongs to.
        bounded: the scale is bounded to [0, 1] (``target``, ``goalposts``): its bounds are caps.
        n_boot, seed: the commune bootstrap of sigma.

    Returns:
        :data:`CONVERGENCE_COLUMNS` (``n`` = periods for sigma, communes for beta).
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
    window = _periods(w)
    times = np.array([period_to_time(p) for p in window])
    pillar_of = (
        dict(zip(framework.indicators["id"], framework.indicators["pillar"], strict=True))
        if framework is not None
        else {}
    )
    ind = None
    if indicator_scores is not None and pillar_of:
        ind = indicator_scores[indicator_scores["level"] == "indicator"].assign(
            unit_code=lambda d: d["unit_code"].astype(str), period=lambda d: d["period"].astype(str)
        )
    caps = _cap_shares(w, columns, window, ind, pillar_of, bounded)
    rng = np.random.default_rng(seed)
    rows = []
    for c in columns:
        status = worst_status(w.loc[w[c].notna(), "status"])
        for r in (
            _sigma_row(w, c, window, times, level, rng, n_boot),
            _beta_row(w, c, window, level),
        ):
            caveat = r.pop("caveat", None)
            if caveat in (None, "weak_instrument") and caps[c] >= CAP_SHARE_LIMIT:
                caveat = "ceiling"
            rows.append(dict(pillar=c, t_start=t0, t_end=t1, cap_share=caps[c], caveat=caveat,
                             status=status, **r))  # fmt: skip
    out = pd.DataFrame(rows)
    conv = pd.Series(pd.NA, index=out.index, dtype="boolean")
    clean = out["caveat"].isna()
    conv[clean & (out["estimate_hi"] < 0)] = True
    conv[clean & (out["estimate_lo"] > 0)] = False
    out["converging"] = conv
    out["caveat"] = out["caveat"].astype("string")
    return out.reindex(columns=list(CONVERGENCE_COLUMNS))
