"""Tests of analysis.gaps.formula: the one gap formula and its NaN rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import gaps as G
from analysis.gaps.formula import add_gap_columns, comparison_mean, comparison_pillars, gap_values


def test_gap_values_known_and_nan_propagates():
    g = gap_values(
        {
            "government": np.array([0.7, 0.7, np.nan]),
            "economy": np.array([0.4, np.nan, 0.4]),
            "society": np.array([0.5, 0.5, 0.5]),
        }
    )
    np.testing.assert_allclose(g["gap_econ"], [0.3, np.nan, np.nan])
    np.testing.assert_allclose(g["gap_soc"], [0.2, 0.2, np.nan])
    # a missing comparison pillar in a row gives a missing gap_mean (no pillar skipped row by row)
    np.testing.assert_allclose(g["gap_mean"], [0.25, np.nan, np.nan])


def test_comparison_pillars_and_mean_without_a_pillar():
    assert comparison_pillars({"economy": True, "society": True}) == ["economy", "society"]
    assert comparison_pillars({"economy": False, "society": True}) == ["society"]
    assert comparison_pillars({}) == []
    p = {"government": np.array([0.6]), "economy": np.array([np.nan]), "society": np.array([0.5])}
    np.testing.assert_allclose(gap_values(p, ["society"])["gap_mean"], [0.1])  # EGDI: G - S
    assert np.isnan(comparison_mean(p, []))
    assert np.isnan(gap_values(p, [])["gap_mean"]).all()


def test_gap_values_broadcast_over_draws():
    rng = np.random.default_rng(0)
    pil = {k: rng.uniform(size=(4, 50)) for k in ("government", "economy", "society")}
    g = gap_values(pil)
    assert g["gap_mean"].shape == (4, 50)
    np.testing.assert_allclose(
        g["gap_mean"], pil["government"] - (pil["economy"] + pil["society"]) / 2, rtol=0, atol=0
    )


def test_add_gap_columns_on_a_table_without_economy():
    t = pd.DataFrame({"unit_code": ["a", "b"], "government": [0.6, 0.8], "society": [0.5, np.nan]})
    out = add_gap_columns(t)
    assert out["economy"].isna().all() and out["gap_econ"].isna().all()
    np.testing.assert_allclose(out["gap_mean"], [0.1, np.nan])
    assert list(t.columns) == ["unit_code", "government", "society"]  # input untouched


def test_compute_gaps_uses_the_formula_bit_for_bit(make_framework, make_panel):
    rng = np.random.default_rng(4)
    mu = {"government": 0.7, "economy": 0.4, "society": 0.5}
    g = G.compute_gaps(make_panel(rng, 9, (3, 4, 5), mu), make_framework((3, 4, 5)), n_boot=50)
    ref = gap_values({p: g[p].to_numpy() for p in G.PILLARS})
    for name in G.GAP_SERIES:
        assert np.array_equal(g[name].to_numpy(), ref[name], equal_nan=True), name


def test_robustness_gaps_use_the_formula():
    from analysis.robustness.evaluate import _gaps

    S = np.random.default_rng(1).uniform(size=(4, 7, 5))
    S[2, 0, 0] = np.nan
    got = _gaps(S)
    ref = gap_values({"government": S[1], "economy": S[2], "society": S[3]})
    for i, name in enumerate(G.GAP_SERIES):
        assert np.array_equal(got[i], ref[name], equal_nan=True)
    assert np.isnan(got[0, 0, 0]) and np.isnan(got[2, 0, 0]) and not np.isnan(got[1, 0, 0])
