"""Measurement standard errors through the merger re-aggregation (independent errors).

Hand-made (synthetic) units and crosswalk whose answers are known by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.loaders import load_inputs, merge_inputs
from analysis.schema import OBS_COLUMNS
from analysis.units import reaggregate_observations

#: synthetic: two old units A (population 100) and B (300) merge into N; B also gives half of
#: itself to M (a split, shares 0.5 / 0.5).
UNITS = pd.DataFrame(
    {"unit_code": ["001", "002"], "population": [100.0, 300.0], "households": [25.0, 75.0]}
)
FRAMEWORK = pd.DataFrame(
    {
        "id": ["rate", "n"],
        "kind": ["rate", "count"],
        "reaggregate_by": ["population", "population"],
        "denominator": [None, None],
    }
)


def _crosswalk(split: bool) -> pd.DataFrame:
    rows = [("001", "900", 1.0, False), ("002", "900", 0.5 if split else 1.0, split)]
    if split:
        rows.append(("002", "901", 0.5, True))
    cw = pd.DataFrame(rows, columns=["old_code", "new_code", "share_population", "is_split"])
    return cw.assign(share_area=np.nan, source="synthetic test crosswalk")


def _obs(indicator: str, se) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": ["001", "002"],
            "period": "2024",
            "indicator": indicator,
            "value": [10.0, 30.0],
            "status": "observed",
            "source": "synthetic",
            "se": se,
        }
    )


def _one(out: pd.DataFrame, code: str = "900") -> pd.Series:
    return out.set_index("unit_code").loc[code]


def test_rate_se_is_the_weighted_combination():
    out = reaggregate_observations(_obs("rate", [2.0, 4.0]), _crosswalk(False), UNITS, FRAMEWORK)
    assert list(out.columns[:7]) == OBS_COLUMNS + ["se"]
    row = _one(out)
    assert row["value"] == pytest.approx(0.25 * 10 + 0.75 * 30)
    assert row["se"] == pytest.approx(np.sqrt((0.25 * 2) ** 2 + (0.75 * 4) ** 2))


def test_count_se_is_the_share_weighted_sum():
    out = reaggregate_observations(_obs("n", [3.0, 4.0]), _crosswalk(True), UNITS, FRAMEWORK)
    row = _one(out)
    assert row["value"] == pytest.approx(10 + 0.5 * 30)
    assert row["se"] == pytest.approx(np.sqrt((1 * 3.0) ** 2 + (0.5 * 4.0) ** 2))
    assert _one(out, "901")["se"] == pytest.approx(0.5 * 4.0)


def test_missing_se_of_a_used_constituent_gives_nan_not_a_smaller_se():
    for ind in ("rate", "n"):
        out = reaggregate_observations(
            _obs(ind, [2.0, np.nan]), _crosswalk(False), UNITS, FRAMEWORK
        )
        assert np.isnan(_one(out)["se"]), ind


def test_constituent_without_value_does_not_count_for_the_se():
    obs = _obs("rate", [2.0, np.nan])
    obs.loc[1, "value"] = np.nan  # B unused: its missing se does not matter
    row = _one(reaggregate_observations(obs, _crosswalk(False), UNITS, FRAMEWORK))
    assert row["value"] == pytest.approx(10.0) and row["se"] == pytest.approx(2.0)


def test_without_se_column_the_output_has_none():
    obs = _obs("rate", [2.0, 4.0]).drop(columns="se")
    out = reaggregate_observations(obs, _crosswalk(False), UNITS, FRAMEWORK)
    assert "se" not in out.columns and list(out.columns[:6]) == OBS_COLUMNS


def test_merge_inputs_carries_se_to_the_new_communes():
    inputs = load_inputs()
    assert "se" not in merge_inputs(inputs).observations.columns
    inputs.observations["se"] = 1.0
    merged = merge_inputs(inputs).observations
    assert list(merged.columns) == OBS_COLUMNS + ["se"]
    has = merged["value"].notna()
    assert merged.loc[has, "se"].gt(0).all()


def test_merged_se_reaches_the_post_2025_scores():
    from analysis.composite.pipeline import compute_scores

    inputs = load_inputs()
    inputs.observations["se"] = 1.0
    merged = merge_inputs(inputs)
    scores = compute_scores(merged.observations, merged.framework, merged.units)
    ind = scores[scores["level"] == "indicator"]
    assert set(ind["unit_code"]) == set(merged.units["unit_code"])
    assert ind.loc[ind["value"].notna(), "se"].notna().any()
