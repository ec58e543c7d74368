"""Over time: Theil-Sen trends per commune and series (is the gap closing?) and sigma- and
beta-convergence of the pillars.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .. import config
from ..errors import ParameterError
from ..periods import period_to_time
from ..status import worst_status
from ._stats import _check_columns, _check_level, _ols_hc3, _theil_sen
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
