"""Tests of analysis.robustness.gap_intervals: method intervals added to a gap table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis import gaps as G
from analysis import robustness as rb
from analysis.errors import DataValidationError
from analysis.frameworks import framework_from_dict, load_framework

DEMO = config.DEMO_OBSERVATIONS


def test_gap_draws_add_method_columns_and_keep_the_gap_table(make_framework, make_scores):
    fw = make_framework((1, 1, 1))
    sc = make_scores(
        {
            "1": {"government_0": 0.6, "economy_0": 0.5, "society_0": 0.5},
            "2": {"government_0": 0.4, "economy_0": 0.5, "society_0": 0.5},
        }
    )
    draws = pd.DataFrame({"unit_code": ["1"] * 101 + ["2"] * 101, "draw": list(range(101)) * 2,
                          "gap_econ": list(np.linspace(0, 1, 101)) * 2, "gap_soc": 0.0, "gap_mean": list(np.linspace(-1, 0, 101)) * 2})  # fmt: skip
    gaps = G.compute_gaps(sc, fw, n_boot=20)
    g = rb.add_method_intervals(gaps, draws)
    assert list(g.columns[: len(G.GAP_COLUMNS)]) == list(G.GAP_COLUMNS)
    assert list(g.columns[len(G.GAP_COLUMNS) :]) == [
        f"{gap}_{k}"
        for gap in G.GAP_SERIES
        for k in ("method_lo", "method_hi", "share_positive", "sign_robust")
    ]
    pd.testing.assert_frame_equal(g[list(G.GAP_COLUMNS)], gaps)
    # gap_soc is 0 in every draw: no spread, so no method interval, and a note says so
    assert g["gap_soc_method_lo"].isna().all() and "gap_soc" in g.attrs["interval_notes"]
    assert {k: v for k, v in g.attrs.items() if k != "interval_notes"} == {
        k: v for k, v in gaps.attrs.items() if k != "interval_notes"
    }
    # sign share: gap_econ = 0, 0.01, ..., 1 -> 100 of 101 draws > 0; gap_mean <= 0 everywhere
    np.testing.assert_allclose(g["gap_econ_share_positive"], 100 / 101)
    assert g["gap_econ_sign_robust"].all() and g["gap_mean_sign_robust"].all()
    np.testing.assert_allclose(g["gap_mean_share_positive"], 0.0)
    assert not g["gap_soc_sign_robust"].any()  # exactly 0: neither positive nor negative
    assert list(gaps.columns) == list(G.GAP_COLUMNS)  # the input is not modified
    np.testing.assert_allclose(g["gap_econ_method_lo"], 0.05)
    np.testing.assert_allclose(g["gap_econ_method_hi"], 0.95)
    np.testing.assert_allclose(g["gap_mean_method_hi"], -0.05)
    # pillar draws with a period column work too
    pdraws = pd.DataFrame(
        {
            "unit_code": "1",
            "period": "2024H1",
            "government": [0.6, 0.7],
            "economy": [0.5, 0.5],
            "society": [0.5, 0.5],
        }
    )
    g2 = rb.add_method_intervals(gaps, pdraws).set_index("unit_code")
    assert g2.at["1", "gap_econ_method_hi"] == pytest.approx(0.195)
    assert np.isnan(g2.at["2", "gap_econ_method_hi"])
    with pytest.raises(DataValidationError, match="draws"):
        rb.add_method_intervals(gaps, pd.DataFrame({"unit_code": ["1"], "x": [1]}))
    with pytest.raises(DataValidationError, match="UncertaintyResult"):
        rb.add_method_intervals(gaps, [1, 2])


def test_pillar_draws_without_economy_use_the_same_gap_mean():
    fw = framework_from_dict(
        {
            "id": "two",
            "pillars": [{"id": "government"}, {"id": "society"}],
            "indicators": [
                dict(
                    id=f"{p}_{j}",
                    pillar=p,
                    name_vi="x",
                    name_en="x",
                    unit="%",
                    direction=1,
                    kind="rate",
                    goalposts=[0, 100],
                    weight=1,
                )
                for p in ("government", "society")
                for j in range(2)
            ],  # fmt: skip
        }
    )
    rng = np.random.default_rng(3)
    sc = pd.DataFrame(
        [dict(unit_code=f"C{u:02d}", period="2024", level="indicator", name=f"{p}_{j}",
              value=0.4 + rng.normal(0, 0.03), status="observed")
         for u in range(3) for p in ("government", "society") for j in range(2)]
    )  # fmt: skip
    draws = pd.DataFrame(
        [dict(unit_code=f"C{u:02d}", draw=d, government=0.6 + 0.01 * d, society=0.5) for u in range(3) for d in range(21)]
    )  # fmt: skip
    g = rb.add_method_intervals(G.compute_gaps(sc, fw, n_boot=100), draws)
    assert g["gap_mean_method_lo"].to_numpy() == pytest.approx(np.full(3, 0.1 + 0.01), abs=1e-9)
    assert g["gap_mean_method_hi"].to_numpy() == pytest.approx(np.full(3, 0.1 + 0.19), abs=1e-9)
    assert g["gap_econ_method_lo"].isna().all()


@pytest.mark.skipif(not DEMO.exists(), reason="demo panel not built")
def test_uncertainty_result_feeds_the_gap_table_one_way():
    """scores -> gaps -> robustness: the Monte Carlo's own draws give the method interval, and
    the nominal gap sits inside it for most communes."""
    from analysis.composite import compute_scores

    obs = pd.read_csv(DEMO, dtype={"unit_code": str, "period": str})
    obs = obs[obs["period"] == "2024H2"]
    gaps = G.compute_gaps(compute_scores(obs), load_framework(), n_boot=50)
    unc = rb.run_uncertainty_tidy(obs, period="2024H2", draws=100, seed=2)
    g = rb.add_method_intervals(gaps, unc, level=0.9)
    ref = rb.method_intervals(unc.gap_draws, level=0.9)
    pd.testing.assert_frame_equal(
        g[ref.columns].sort_values("unit_code").reset_index(drop=True),
        ref.sort_values("unit_code").reset_index(drop=True),
    )
    inside = (g["gap_mean_method_lo"] <= g["gap_mean"] + 1e-12) & (
        g["gap_mean"] <= g["gap_mean_method_hi"] + 1e-12
    )
    assert inside.mean() >= 0.8


def test_a_tree_without_gap_pillars_leaves_the_table_unchanged(
    random_case, make_framework, make_scores
):
    df, imeta = random_case
    unc = rb.run_uncertainty(df, imeta, {"uncertain": {"aggregation": ["geometric"]}}, draws=5)
    assert unc.gap_draws is None
    gaps = G.compute_gaps(
        make_scores({"1": {"government_0": 0.6, "economy_0": 0.5, "society_0": 0.5}}),
        make_framework((1, 1, 1)),
        n_boot=10,
    )
    pd.testing.assert_frame_equal(rb.add_method_intervals(gaps, unc), gaps)


@pytest.mark.skipif(not DEMO.exists(), reason="demo panel not built")
def test_results_one_per_period_give_the_table_of_one_result_over_the_periods():
    """The workflow runs the Monte Carlo a period at a time (memory): the same draws in every
    period, so an iterator of per-period results gives the gap table of one call."""
    from analysis.composite import compute_scores

    obs = pd.read_csv(DEMO, dtype={"unit_code": str, "period": str})
    gaps = G.compute_gaps(compute_scores(obs), load_framework(), n_boot=20)
    periods = sorted(obs["period"].unique())[-2:]
    one = rb.run_uncertainty_tidy(obs, period=periods, draws=40, seed=2)
    each = (rb.run_uncertainty_tidy(obs, period=[p], draws=40, seed=2) for p in periods)
    want = rb.add_method_intervals(gaps, one, level=0.9)
    got = rb.add_method_intervals(gaps, each, level=0.9)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs
    assert got["gap_mean_method_lo"].notna().any()
    pd.testing.assert_frame_equal(
        rb.method_intervals([one], level=0.9), rb.method_intervals(one, level=0.9)
    )
