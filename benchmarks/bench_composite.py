"""Benchmark: the composite engine vs a straightforward pandas implementation, same run.

Cases
-----
* ``asem``: the COINr ASEM example (51 units x 49 indicators, 4 levels), full pipeline:
  denominate, impute (mean by GDP group), JRC treatment (winmax 5), min-max [0, 100],
  arithmetic means with iMeta weights, ranks.
* ``synthetic_10k``: a seeded national-scale set, 10,000 units x 20 indicators (4 pillars of 5,
  one index), 3 % missing, a few heavy-tailed indicators; same pipeline without denomination.
* ``variants_*``: the batched path: V weight/aggregation variants in ONE ``aggregate_tree`` call
  vs a Python loop of single calls (what a Monte Carlo would otherwise do).

The baseline is what one writes without the engine: imputation with a ``groupby`` per column,
the treatment with pandas ``Series.skew()/kurt()`` in a loop, normalisation column by column,
and aggregation row by row (``iterrows``) per aggregate, as COINr's ``apply(x, 1, f)`` does. Both
results are compared (max abs difference reported) so the speed-up is for the same answer.

    python -m benchmarks.bench_composite
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.composite import Tree, aggregate_tree, compute_index, load_coinr, normalise_array

OUT = Path(__file__).parent / "results" / "composite.json"


# --------------------------------------------------------------------------- baseline (pandas, loops)
def _baseline_treat(s: pd.Series, winmax: int = 5) -> pd.Series:
    def passes(v):
        return abs(v.skew()) < 2 or v.kurt() < 3.5

    if s.notna().sum() < 4 or passes(s):
        return s
    w = s.copy()
    nwin, imax, imin = 0, [], []
    while not passes(w) and nwin < winmax:
        if w.skew() >= 0:
            imax = list(w.index[w == w.max()])
            w[imax] = w.drop(imax).max()
        else:
            imin = list(w.index[w == w.min()])
            w[imin] = w.drop(imin).min()
        nwin = len(imax) + len(imin)
    if passes(w):
        return w
    return np.log(s - s.min() + 0.01 * (s.max() - s.min()))


def baseline_pipeline(
    data: pd.DataFrame, imeta: pd.DataFrame, *, denominate: bool, group: str | None
) -> pd.DataFrame:
    """Straightforward pandas composite: column loops, then row loops per aggregate."""
    meta = imeta[imeta["Type"].isin(["Indicator", "Aggregate"])]
    inds = meta.loc[meta["Type"] == "Indicator", "iCode"].tolist()
    df = data[inds].astype(float).copy()
    if denominate:
        for _, r in meta[meta["Type"] == "Indicator"].iterrows():
            if isinstance(r["Denominator"], str):
                df[r["iCode"]] = df[r["iCode"]] / data[r["Denominator"]]
    for c in inds:  # impute: group mean per column
        if group is not None:
            df[c] = df[c].fillna(df.groupby(data[group])[c].transform("mean"))
        else:
            df[c] = df[c].fillna(df[c].mean())
    for c in inds:  # JRC treatment
        df[c] = _baseline_treat(df[c])
    norm = pd.DataFrame(index=df.index)
    for _, r in meta[meta["Type"] == "Indicator"].iterrows():  # min-max 0..100 after direction
        x = df[r["iCode"]] * r["Direction"]
        norm[r["iCode"]] = (x - x.min()) / (x.max() - x.min()) * 100
    scores = norm.copy()
    for level in sorted(meta.loc[meta["Type"] == "Aggregate", "Level"].unique()):
        for code in sorted(
            meta.loc[(meta["Type"] == "Aggregate") & (meta["Level"] == level), "iCode"]
        ):
            kids = meta[meta["Parent"] == code]
            w = kids.set_index("iCode")["Weight"].astype(float)
            vals = []
            for _, row in scores[w.index.tolist()].iterrows():
                ok = row.notna()
                vals.append((row[ok] * w[ok]).sum() / w[ok].sum() if ok.any() else np.nan)
            scores[code] = vals
    scores["Index_rank"] = scores[meta.loc[meta["Parent"].isna(), "iCode"].iloc[0]].rank(
        ascending=False, method="min"
    )
    return scores


# --------------------------------------------------------------------------- data
def synthetic(
    n_units: int = 10_000, seed: int = config.DEFAULT_SEED
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    pillars = [f"P{k}" for k in range(1, 5)]
    rows = []
    for k, p in enumerate(pillars):
        for j in range(5):
            rows.append(
                {
                    "Level": 1,
                    "iCode": f"i{k}{j}",
                    "Parent": p,
                    "Type": "Indicator",
                    "Direction": -1 if j == 4 else 1,
                    "Weight": 1.0 + j % 2,
                    "Denominator": None,
                }
            )
    rows += [
        {
            "Level": 2,
            "iCode": p,
            "Parent": "Index",
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
        }
        for p in pillars
    ]
    rows.append(
        {
            "Level": 3,
            "iCode": "Index",
            "Parent": None,
            "Type": "Aggregate",
            "Direction": 1,
            "Weight": 1.0,
        }
    )
    imeta = pd.DataFrame(rows)
    factor = rng.normal(size=n_units)
    data = {}
    for r in rows[:20]:
        x = 50 + 10 * factor + 10 * rng.normal(size=n_units)
        if r["iCode"].endswith("3"):  # heavy-tailed indicators exercise the JRC treatment
            x = np.exp(rng.normal(0, 1.2, size=n_units))
        x[rng.random(n_units) < 0.03] = np.nan
        data[r["iCode"]] = x
    df = pd.DataFrame(data, index=[f"U{i:05d}" for i in range(n_units)])
    df["region_group"] = rng.integers(0, 60, n_units).astype(str)
    return df, imeta


# --------------------------------------------------------------------------- timing
def _time(fn, repeat: int):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _case(name, data, imeta, *, denominate, group, repeat_engine, repeat_base):
    n_units, n_ind = len(data), int((imeta["Type"] == "Indicator").sum())
    impute = f"mean-by:{group}" if group else "mean"

    def engine():
        return (
            compute_index(
                data,
                imeta,
                denominate=denominate,
                impute=impute,
                treat="jrc",
                winmax=5,
                normalise="minmax",
            )
            .to_frame()
            .set_index("uCode")
        )

    t_eng, res = _time(engine, repeat_engine)
    t_base, base = _time(
        lambda: baseline_pipeline(data, imeta, denominate=denominate, group=group), repeat_base
    )
    cols = [c for c in base.columns]
    diff = float(
        np.nanmax(np.abs(res.loc[base.index, cols].to_numpy(float) - base[cols].to_numpy(float)))
    )
    cells = n_units * n_ind
    return {
        "case": name,
        "units": n_units,
        "indicators": n_ind,
        "engine_s": t_eng,
        "baseline_s": t_base,
        "engine_ns_per_unit_indicator": t_eng / cells * 1e9,
        "baseline_ns_per_unit_indicator": t_base / cells * 1e9,
        "speedup": t_base / t_eng,
        "max_abs_diff": diff,
    }


def _variants_case(name, data, imeta, n_variants, seed=1):
    tree = Tree.from_imeta(imeta)
    X = data[list(tree.indicators)].to_numpy(float)
    Xn = normalise_array(X, "minmax", directions=tree.directions, lo=1, hi=100)
    rng = np.random.default_rng(seed)
    W = tree.weights * rng.uniform(0.5, 1.5, size=(n_variants, tree.n_nodes))
    p = rng.choice([1.0, 0.0], size=n_variants)

    def batched():
        return aggregate_tree(Xn, tree, W, p=p)[..., tree.index_of(tree.root)]

    def loop():
        return np.stack(
            [
                aggregate_tree(Xn, tree, W[v], "geometric" if p[v] == 0 else "arithmetic")[
                    :, tree.index_of(tree.root)
                ]
                for v in range(n_variants)
            ]
        )

    t_b, rb = _time(batched, 3)
    t_l, rl = _time(loop, 1)
    cells = len(data) * tree.n_indicators * n_variants
    return {
        "case": name,
        "units": len(data),
        "indicators": tree.n_indicators,
        "variants": n_variants,
        "batched_s": t_b,
        "loop_s": t_l,
        "batched_ns_per_unit_indicator_variant": t_b / cells * 1e9,
        "speedup": t_l / t_b,
        "max_abs_diff": float(np.nanmax(np.abs(rb - rl))),
    }


def main() -> dict:
    results = []
    asem_dir = config.SHARED_DATASETS / "asem"
    if (asem_dir / "ASEM_iData.csv").exists():
        coin = load_coinr(asem_dir / "ASEM_iData.csv", asem_dir / "ASEM_iMeta.csv")
        results.append(
            _case(
                "asem",
                coin.data,
                coin.imeta,
                denominate=True,
                group="GDP_group",
                repeat_engine=5,
                repeat_base=3,
            )
        )
        results.append(_variants_case("variants_asem_1000", coin.data, coin.imeta, 1000))
    data, imeta = synthetic()
    results.append(
        _case(
            "synthetic_10k",
            data,
            imeta,
            denominate=False,
            group="region_group",
            repeat_engine=3,
            repeat_base=1,
        )
    )
    results.append(_variants_case("variants_10k_100", data, imeta, 100))
    doc = {
        "benchmark": "composite",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "note": "engine = analysis.composite (vectorised); baseline = straightforward pandas loops measured in the same run; times are best of N",
        "results": results,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    from analysis.outputs import atomic_write

    with atomic_write(OUT) as fh:
        json.dump(doc, fh, indent=2)
    for r in results:
        print(json.dumps(r))
    return doc


if __name__ == "__main__":
    main()
