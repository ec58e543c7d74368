"""Benchmark: national-scale re-aggregation to the 2025 communes.

Builds a seeded synthetic panel on all 10,040 pre-2025 units of ``vietnamadminunits`` (synthetic
populations; split units get equal shares), re-aggregates it with
:func:`analysis.units.reaggregate_observations`, and compares with a baseline measured in the same
run: a plain per-(new commune, period, indicator) ``groupby().apply`` weighted mean. Reports the
speed-up ratio and the largest absolute difference of the results.

    python -m benchmarks.bench_units
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.units import (
    UnitsWarning,
    apply_split_shares,
    load_crosswalk,
    reaggregate_observations,
)

OUT = Path(__file__).parent / "results" / "units.json"
N_IND, PERIODS = 5, ("2023H1", "2023H2", "2024H1", "2024H2")


def _setup(seed: int = config.DEFAULT_SEED):
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnitsWarning)
        cw = load_crosswalk("vietnamadminunits")
    split = cw[cw["is_split"]]
    shares = split[["old_code", "new_code"]].assign(
        share=1.0 / split.groupby("old_code")["new_code"].transform("size")
    )
    cw = apply_split_shares(cw, shares)
    old = np.sort(cw["old_code"].unique())
    units = pd.DataFrame(
        {"unit_code": old, "population": rng.integers(2_000, 30_000, len(old)).astype(float)}
    )
    units["households"] = (units["population"] / rng.uniform(3, 4.5, len(old))).round()
    fw = pd.DataFrame(
        {"id": [f"r{i}" for i in range(N_IND)], "kind": "rate", "reaggregate_by": "population"}
    )
    idx = pd.MultiIndex.from_product(
        [old, PERIODS, fw["id"]], names=["unit_code", "period", "indicator"]
    )
    obs = idx.to_frame(index=False)
    obs["value"] = rng.uniform(0, 100, len(obs))
    obs["status"] = "synthetic"
    obs["source"] = "bench"
    obs = obs.sample(frac=0.97, random_state=seed).reset_index(
        drop=True
    )  # some missing constituents
    return obs, cw, units, fw


def _baseline(obs, cw, units):
    pop = units.set_index("unit_code")["population"]
    m = obs.merge(
        cw[["old_code", "new_code", "share_population"]], left_on="unit_code", right_on="old_code"
    )
    m["w"] = m["unit_code"].map(pop) * m["share_population"]
    return m.groupby(["new_code", "period", "indicator"]).apply(
        lambda g: np.average(g["value"], weights=g["w"]), include_groups=False
    )


def main() -> dict:
    obs, cw, units, fw = _setup()
    t0 = time.perf_counter()
    base = _baseline(obs, cw, units)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = reaggregate_observations(obs, cw, units, fw)
    t_fast = time.perf_counter() - t0
    got = out.set_index(["unit_code", "period", "indicator"])["value"]
    diff = float((got.sort_index() - base.rename_axis(got.index.names).sort_index()).abs().max())
    res = {
        "topic": "units",
        "n_old_units": int(cw["old_code"].nunique()),
        "n_new_units": int(cw["new_code"].nunique()),
        "n_observations": len(obs),
        "n_output_rows": len(out),
        "n_partial": int(out["is_partial"].sum()),
        "baseline": "groupby.apply weighted mean (no coverage/status)",
        "baseline_s": round(t_base, 3),
        "reaggregate_s": round(t_fast, 3),
        "speedup_vs_baseline": round(t_base / t_fast, 2),
        "max_abs_diff": diff,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    from analysis.outputs import atomic_write

    with atomic_write(OUT) as fh:
        json.dump(res, fh, indent=2)
    print(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
