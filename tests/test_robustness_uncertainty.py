"""Tests of analysis.robustness.uncertainty and .tidy: known answers of the Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis import robustness as rb
from analysis.composite import Tree, compute_index, compute_scores, pillar_table
from analysis.errors import DataValidationError

DEMO = config.DEMO_OBSERVATIONS


def test_no_uncertainty_collapses_to_nominal(random_case):
    df, imeta = random_case
    spec = {
        "base": {"aggregation": "geometric"},
        "uncertain": {"aggregation": ["geometric"], "weights": {"perturb": 0.0, "sets": 3}},
    }
    res = rb.run_uncertainty(df, imeta, spec, draws=40, seed=9)
    rs = res.rank_stats
    for col in ("mean", "median", "q05", "q95"):
        np.testing.assert_array_equal(rs[col].to_numpy(), rs["nominal"].to_numpy())
    assert (rs["mean_abs_shift"] == 0).all()
    assert rs["p_top_k"].isin([0.0, 1.0]).all() and rs["p_top_k"].sum() == 4  # k = 10 % of 40
    assert list(rs.columns) == [
        "unit_code",
        "nominal",
        "mean",
        "median",
        "q05",
        "q95",
        "mean_abs_shift",
        "p_top_k",
        "p_bottom_k",
    ]


def test_same_seed_same_output_and_chunking_does_not_matter(random_case):
    df, imeta = random_case
    df = df.copy()
    df.iloc[::5, 2] = np.nan  # forces the level-by-level evaluator for imputation "none"
    spec = {
        "base": {"normalisation": "minmax:1,100"},
        "uncertain": {
            "weights": {"perturb": 0.25, "sets": None},
            "aggregation": ["arithmetic", "geometric"],
            "imputation": ["none", "mean"],
            "winmax": ["off", 1, 3],
        },
    }
    a = rb.run_uncertainty(df, imeta, spec, draws=80, seed=123)
    b = rb.run_uncertainty(df, imeta, spec, draws=80, seed=123, chunk_size=1)
    c = rb.run_uncertainty(df, imeta, spec, draws=80, seed=124)
    a2 = rb.run_uncertainty(df, imeta, spec, draws=80, seed=123)
    pd.testing.assert_frame_equal(a.runs, a2.runs)
    np.testing.assert_array_equal(a.scores.to_numpy(), a2.scores.to_numpy())
    pd.testing.assert_frame_equal(a.rank_stats, a2.rank_stats)
    pd.testing.assert_frame_equal(a.runs, b.runs)
    # the chunk size (memory knob) changes nothing but BLAS rounding
    np.testing.assert_allclose(a.scores.to_numpy(), b.scores.to_numpy(), rtol=1e-13)
    pd.testing.assert_frame_equal(a.rank_stats, b.rank_stats)
    assert not a.runs.equals(c.runs)
    assert a.method == "mixed"
    assert a.weight_sets["set"].nunique() == 80  # a fresh set per draw


def test_replay_reproduces_runs_exactly(random_case, tmp_path):
    df, imeta = random_case
    spec = {
        "base": {"normalisation": "minmax:1,100"},
        "uncertain": {
            "weights": {"perturb": 0.25, "sets": 10},
            "aggregation": ["arithmetic", "geometric"],
            "normalisation": ["minmax:1,100", "zscore:10,2"],
            "winmax": [1, 2],
        },
    }
    a = rb.run_uncertainty(df, imeta, spec, draws=30, seed=8)
    a.runs.to_csv(tmp_path / "runs.csv", index=False)
    a.weight_sets.to_csv(tmp_path / "sets.csv", index=False)
    b = rb.run_uncertainty(
        df, imeta, spec, replay=tmp_path / "runs.csv", weight_sets=tmp_path / "sets.csv"
    )
    np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())
    pd.testing.assert_frame_equal(a.rank_stats, b.rank_stats)
    # unquoted "zscore:10,2" as in the issue text is read too
    (tmp_path / "r2.csv").write_text(
        "run,winmax,normalisation,weights_set,aggregation\n7,2,zscore:10,2,3,geometric\n",
        encoding="utf-8",
    )
    c = rb.run_uncertainty(
        df, imeta, spec, replay=tmp_path / "r2.csv", weight_sets=tmp_path / "sets.csv"
    )
    hit = np.flatnonzero(
        (
            a.runs[["winmax", "normalisation", "weights_set", "aggregation"]]
            == ["2", "zscore:10,2", "3", "geometric"]
        ).all(axis=1)
    )
    assert list(c.runs["run"]) == ["7"]
    if len(hit):
        np.testing.assert_array_equal(
            c.scores.iloc[:, 0].to_numpy(), a.scores.iloc[:, hit[0]].to_numpy()
        )
    with pytest.raises(DataValidationError, match="weights_set"):
        (tmp_path / "r3.csv").write_text("run,weights_set\n1,999\n", encoding="utf-8")
        rb.run_uncertainty(
            df, imeta, spec, replay=tmp_path / "r3.csv", weight_sets=tmp_path / "sets.csv"
        )


# --------------------------------------------------------------------------- tidy path
@pytest.mark.skipif(not DEMO.exists(), reason="demo panel not built")
def test_tidy_nominal_gaps_equal_the_engine_and_draws_are_tidy():
    obs = pd.read_csv(DEMO, dtype={"unit_code": str, "period": str})
    res = rb.run_uncertainty_tidy(obs, period="2024H2", draws=200, seed=5)
    ref = pillar_table(compute_scores(obs[obs["period"] == "2024H2"]))
    ref = ref.set_index("unit_code")
    gs = res.gap_stats.set_index("unit_code")
    np.testing.assert_allclose(
        gs["gap_econ_nominal"], (ref["government"] - ref["economy"]).loc[gs.index], rtol=1e-9
    )
    np.testing.assert_allclose(
        gs["gap_mean_nominal"],
        (ref["government"] - (ref["economy"] + ref["society"]) / 2).loc[gs.index],
        rtol=1e-9,
    )
    assert (gs["gap_mean_method_lo"] <= gs["gap_mean"]).all() and (
        gs["gap_mean"] <= gs["gap_mean_method_hi"]
    ).all()
    draws = res.gap_draws
    assert list(draws.columns) == ["unit_code", "period", "draw", "gap_econ", "gap_soc", "gap_mean"]
    assert len(draws) == 18 * 200 and draws["unit_code"].map(type).eq(str).all()
    assert (res.rank_stats["status"] == "synthetic").all()
    assert {"unit_code", "period", "nominal", "q05", "q95", "status"} <= set(
        res.gap_rank_stats.columns
    )
    rs = res.rank_stats
    assert ((rs["nominal"] >= rs["q05"]) & (rs["nominal"] <= rs["q95"])).mean() >= 0.8


# --------------------------------------------------------------------------- ASEM preset + CLI
@pytest.mark.parametrize(
    "order",
    [
        None,  # the vignette's own: impute, then screen (COINr's build_example_coin)
        "denominate,screen,impute,treat,normalise,aggregate",
        "impute,denominate,screen,treat,normalise,aggregate",
        "denominate,impute,treat,screen,normalise,aggregate",
        "denominate,treat,screen,impute,normalise,aggregate",
    ],
)
def test_asem_nominal_equals_compute_index_in_every_order(asem, order):
    """The robustness base and the composite run the same ordered pipeline."""
    res = rb.run_uncertainty(
        asem.data, asem.imeta, "coinr-vignette", draws=20, seed=1, base={"order": order}
    )
    ref = compute_index(
        asem.data,
        asem.imeta,
        denominate=True,
        impute="mean-by:EurAsia_group",
        screen=0.9,
        treat="jrc",
        winmax=5,
        normalise="minmax",
        order=order or res.spec["base"]["order"],
    )
    nom = res.nominal.set_index("unit_code")
    assert list(nom.index) == list(ref.scores.index)
    np.testing.assert_allclose(nom["score"], ref.scores["Index"].loc[nom.index], rtol=1e-10)
    np.testing.assert_array_equal(nom["rank"], ref.ranks.loc[nom.index])


def test_asem_coinr_vignette_preset(asem):
    res = rb.run_uncertainty(asem.data, asem.imeta, "coinr-vignette", draws=500, seed=42)
    rs = res.rank_stats
    assert len(rs) == 51 and res.method == "closed"
    inside = (rs["nominal"] >= rs["q05"]) & (rs["nominal"] <= rs["q95"])
    assert inside.mean() >= 0.9
    assert (rs["q95"] - rs["q05"]).median() > 0
    assert list(res.runs.columns) == [
        "run",
        "winmax",
        "normalisation",
        "weights_set",
        "aggregation",
    ]
    assert set(res.runs["winmax"]) == {"1", "2", "3", "4", "5"}
    assert set(res.runs["normalisation"]) == {"minmax:1,100", "zscore:10,2"}
    assert res.runs["weights_set"].astype(int).between(1, 100).all()
    s = rb.run_sensitivity(asem.data, asem.imeta, "coinr-vignette", n=128, seed=42)
    assert list(s["choice"]) == ["winmax", "normalisation", "weights", "aggregation"]
    assert (s["STi"] > -0.05).all() and s["STi"].sum() > 0.5


def test_tree_is_accepted_instead_of_imeta(random_case):
    df, imeta = random_case
    a = rb.run_uncertainty(
        df,
        Tree.from_imeta(imeta),
        {"uncertain": {"aggregation": ["arithmetic", "geometric"]}},
        draws=10,
        seed=1,
    )
    b = rb.run_uncertainty(
        df, imeta, {"uncertain": {"aggregation": ["arithmetic", "geometric"]}}, draws=10, seed=1
    )
    np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())


@pytest.mark.skipif(not DEMO.exists(), reason="demo panel not built")
def test_tidy_without_runs_keeps_the_statistics():
    obs = pd.read_csv(DEMO, dtype={"unit_code": str, "period": str})
    kw = dict(period=["2024H1", "2024H2"], draws=30, seed=5)
    full = rb.run_uncertainty_tidy(obs, **kw)
    lean = rb.run_uncertainty_tidy(obs, keep_runs=False, **kw)
    assert lean.scores is None and lean.ranks is None and full.scores is not None
    for name in ("rank_stats", "gap_stats", "gap_rank_stats"):
        pd.testing.assert_frame_equal(getattr(lean, name), getattr(full, name))
    pd.testing.assert_frame_equal(lean.gap_draws, full.gap_draws)
