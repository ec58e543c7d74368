"""Benchmark: Theil-Sen trends at national scale (issue #20).

Builds a seeded synthetic wide gap table (3,321 units x 7 periods, 5 % of the unit-periods and
5 % of the values missing, ties from rounding; labelled synthetic), times
:func:`analysis.gaps.compute_trends` (one vectorised Theil-Sen over every unit and series) and a
baseline measured in the same run: one ``scipy.stats.theilslopes`` call per unit and series
through a per-unit loop (the former implementation's cost), and reports the largest absolute
difference of the slopes and intervals.

    python -m benchmarks.bench_trends
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis import config
from analysis.gaps import GAP_SERIES, PILLARS, compute_trends
from analysis.periods import period_to_time

OUT = Path(__file__).parent / "results" / "trends.json"
N_UNITS = 3321
PERIODS = ("2022H1", "2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1")


def _setup(seed: int = config.DEFAULT_SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [[f"{i:05d}" for i in range(N_UNITS)], PERIODS], names=["unit_code", "period"]
    )
    w = idx.to_frame(index=False)
    t = np.array([period_to_time(p) for p in w["period"]]) - 2022.0
    for k, c in enumerate(PILLARS):
        v = np.round(rng.uniform(0.3, 0.8, N_UNITS).repeat(len(PERIODS)) + 0.02 * k * t, 3)
        v[rng.random(len(v)) < 0.05] = np.nan
        w[c] = v
    w["gap_econ"] = w["government"] - w["economy"]
    w["gap_soc"] = w["government"] - w["society"]
    w["gap_mean"] = (w["gap_econ"] + w["gap_soc"]) / 2
    w["status"] = "synthetic"
    return w.sample(frac=0.95, random_state=seed).reset_index(drop=True)


def _baseline(w: pd.DataFrame, columns) -> np.ndarray:
    """Per unit and series: ``scipy.stats.theilslopes`` (slope, low, high, intercept)."""
    w = w.assign(_t=[period_to_time(p) for p in w["period"]])
    out = []
    for _, g in w.groupby("unit_code", sort=True):
        g = g.sort_values("_t")
        t = g["_t"].to_numpy(float)
        for c in columns:
            y = g[c].to_numpy(float)
            ok = ~np.isnan(y)
            if len(np.unique(t[ok])) < 3:
                out.append((np.nan,) * 4)
                continue
            r = stats.theilslopes(y[ok], t[ok], alpha=0.90)
            out.append((r.slope, r.low_slope, r.high_slope, r.intercept))
    return np.array(out, dtype=float)


def main() -> dict:
    w = _setup()
    cols = [*PILLARS, *GAP_SERIES]
    t0 = time.perf_counter()
    base = _baseline(w, cols)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = compute_trends(w, columns=cols, include_district=False)
    t_fast = time.perf_counter() - t0
    got = out[["slope", "slope_lo", "slope_hi"]].to_numpy(float)
    diff = float(np.nanmax(np.abs(got - base[:, :3])))
    res = {
        "topic": "trends",
        "synthetic": True,
        "n_units": N_UNITS,
        "n_periods": len(PERIODS),
        "n_series": len(cols),
        "n_fits": len(out),
        "baseline": "scipy.stats.theilslopes per unit and series (per-unit loop)",
        "baseline_s": round(t_base, 3),
        "compute_trends_s": round(t_fast, 3),
        "speedup_vs_baseline": round(t_base / t_fast, 2),
        "max_abs_diff": diff,
        "same_nan": bool((np.isnan(got) == np.isnan(base[:, :3])).all()),
        "loadavg_1min": round(os.getloadavg()[0], 2),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    from analysis.outputs import atomic_write

    with atomic_write(OUT) as fh:
        json.dump(res, fh, indent=2)
    print(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
