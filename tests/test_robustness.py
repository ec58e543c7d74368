"""Tests of analysis.robustness: known answers for the uncertainty and Sobol analyses."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis import robustness as rb
from analysis.composite import (
    Tree,
    compute_index,
    compute_scores,
    load_coinr,
    pillar_table,
    rank_array,
    treat_outliers,
)
from analysis.errors import DataValidationError, MethodError, ParameterError

ASEM = config.SHARED_DATASETS / "asem"
DEMO = config.DEMO_OBSERVATIONS


# --------------------------------------------------------------------------- fixtures
def _imeta(pillars: dict[str, list[str]], root: str = "Index") -> pd.DataFrame:
    rows = []
    for pil, inds in pillars.items():
        rows += [
            {
                "Level": 1,
                "iCode": i,
                "Direction": 1,
                "Weight": 1.0,
                "Parent": pil,
                "Type": "Indicator",
            }
            for i in inds
        ]
    rows += [
        {
            "Level": 2,
            "iCode": pil,
            "Direction": 1,
            "Weight": 1.0,
            "Parent": root,
            "Type": "Aggregate",
        }
        for pil in pillars
    ]
    rows.append(
        {
            "Level": 3,
            "iCode": root,
            "Direction": 1,
            "Weight": 1.0,
            "Parent": None,
            "Type": "Aggregate",
        }
    )
    return pd.DataFrame(rows)


@pytest.fixture
def random_case():
    rng = np.random.default_rng(11)
    pillars = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"], "C": ["c1", "c2", "c3", "c4"]}
    imeta = _imeta(pillars)
    inds = [i for v in pillars.values() for i in v]
    X = rng.lognormal(0.0, 0.8, (40, len(inds)))
    df = pd.DataFrame(X, columns=inds, index=[f"u{k:02d}" for k in range(40)])
    return df, imeta


@pytest.fixture
def gap_case():
    """Indicators equal (up to a positive affine map) within each pillar: aggregation cannot matter for the pillars."""
    rng = np.random.default_rng(5)
    pillars = {
        "government": ["g1", "g2", "g3"],
        "economy": ["e1", "e2"],
        "society": ["s1", "s2", "s3"],
    }
    imeta = _imeta(pillars, root="index")
    base = {p: rng.uniform(1, 10, 30) for p in pillars}
    cols = {}
    for p, inds in pillars.items():
        for k, i in enumerate(inds):
            cols[i] = 3.0 * k + (1.0 + k) * base[p]
    df = pd.DataFrame(cols, index=[f"c{k:02d}" for k in range(30)])
    return df, imeta


@pytest.fixture(scope="module")
def asem():
    if not (ASEM / "ASEM_iData.csv").exists():
        pytest.skip("shared ASEM dataset not available")
    return load_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")


# --------------------------------------------------------------------------- spec
def test_coinr_vignette_preset_matches_the_vignette():
    sp = rb.load_spec("coinr-vignette")
    assert sp["base"] == {
        "denominate": True,
        "impute": "mean-by:EurAsia_group",
        "screen": 0.9,
        "screen_after_impute": True,
        "winmax": "5",
        "normalisation": "minmax:0,100",
        "aggregation": "arithmetic",
        "weights": "meta",
        "nonpositive": "clip",
        "floor": 1e-3,
    }
    assert sp["uncertain"] == {
        "winmax": ["1", "2", "3", "4", "5"],
        "normalisation": ["minmax:1,100", "zscore:10,2"],
        "weights": {"perturb": {2: 0.25, 3: 0.25}, "sets": 100},
        "aggregation": ["arithmetic", "geometric"],
    }
    assert {"coinr-vignette", "commune", "commune-full"} <= set(rb.list_specs())


@pytest.mark.parametrize(
    "bad, word",
    [
        ({"uncertain": {"normalization": ["rank"]}}, "normalization"),
        ({"uncertain": {"normalisation": ["minmax:1"]}}, "minmax:1"),
        ({"uncertain": {"aggregation": ["median"]}}, "median"),
        ({"uncertain": {"winmax": ["two"]}}, "two"),
        ({"uncertain": {"weights": {"perturb": 1.5}}}, "[0, 1)"),
        ({"base": {"treat": "jrc"}}, "treat"),
    ],
)
def test_bad_spec_names_the_problem(bad, word):
    with pytest.raises(ParameterError, match=None) as exc:
        rb.load_spec(bad)
    assert word in str(exc.value)


def test_unknown_preset_lists_presets():
    with pytest.raises(ParameterError, match="coinr-vignette"):
        rb.load_spec("no-such-preset")


# --------------------------------------------------------------------------- building blocks
def test_treatment_variants_equal_engine_treat_outliers():
    rng = np.random.default_rng(3)
    X = np.column_stack(
        [
            rng.lognormal(0, 1.5, 60),  # strong positive skew
            -rng.lognormal(0, 1.5, 60),  # negative skew
            rng.normal(size=60),  # passes
            np.r_[rng.normal(size=57), 40.0, 40.0, 60.0],  # tied outliers
            np.r_[rng.lognormal(0, 2, 57), np.nan, np.nan, np.nan],
            np.r_[1.0, 2.0, 3.0, np.full(57, np.nan)],  # < 4 values: untreated
        ]
    )
    df = pd.DataFrame(X, columns=list("abcdef"))
    got = rb._treat_variants(X, [1, 2, 3, 5, 8])
    for w in (1, 2, 3, 5, 8):
        ref = treat_outliers(df, list(df.columns), winmax=w)[0][list(df.columns)].to_numpy(float)
        np.testing.assert_array_equal(got[w], ref)


def test_goalposts_refuse_log_treated_columns():
    rng = np.random.default_rng(2)
    imeta = _imeta({"A": ["a1", "a2"], "B": ["b1", "b2"]})
    df = pd.DataFrame(
        {
            "a1": rng.lognormal(0, 2.5, 50),
            "a2": rng.uniform(0, 1, 50),
            "b1": rng.uniform(0, 1, 50),
            "b2": rng.uniform(0, 1, 50),
        }
    )
    gp = np.array([[0, 0, 0, 0], [100, 1, 1, 1]], dtype=float)
    spec = {"base": {"normalisation": "goalposts"}, "uncertain": {"winmax": [1]}}
    with pytest.raises(MethodError, match="a1"):
        rb.run_uncertainty(df, imeta, spec, draws=5, goalposts=gp)
    ok = rb.run_uncertainty(
        df,
        imeta,
        {
            "base": {"normalisation": "goalposts"},
            "uncertain": {"aggregation": ["arithmetic", "geometric"]},
        },
        draws=5,
        goalposts=gp,
    )
    assert np.isfinite(ok.scores.to_numpy()).all()


def test_ranks_equal_engine_rank_array():
    rng = np.random.default_rng(0)
    for _ in range(30):
        S = rng.integers(0, 5, (6, 15)).astype(float)
        S[rng.random(S.shape) < 0.2] = np.nan
        np.testing.assert_array_equal(rb._ranks(S), rank_array(S))


def test_nanquantile_matches_numpy():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(101, 7))
    A[rng.random(A.shape) < 0.3] = np.nan
    A[:, 3] = np.nan
    got = rb._nanquantile0(A, [0.05, 0.5, 0.95])
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        ref = np.nanquantile(A, [0.05, 0.5, 0.95], axis=0)
    np.testing.assert_allclose(got, ref, equal_nan=True)


@pytest.mark.parametrize("missing", [False, True])
def test_three_evaluators_agree(random_case, missing):
    df, imeta = random_case
    if missing:
        df = df.copy()
        df.iloc[::7, 1] = np.nan
        df.iloc[3, 3:5] = np.nan  # a whole pillar (B) missing for one unit
    spec = {
        "base": {"normalisation": "minmax:1,100"},
        "uncertain": {
            "weights": {"perturb": 0.4, "sets": 20},
            # genmean with a pillar that has no data for a unit: see the xfail test below
            "aggregation": ["arithmetic", "geometric", "harmonic"]
            + ([] if missing else ["genmean:0.5"]),
            "normalisation": ["minmax:1,100", "zscore:10,2"],
            "leave_one_out": ["none", "b1", "a2"],
        },
    }
    outs = {}
    for m in ("shared", "tree") + (() if missing else ("closed",)):
        outs[m] = rb.run_uncertainty(df, imeta, spec, draws=60, seed=4, method=m).scores.to_numpy()
    for m, v in outs.items():
        np.testing.assert_allclose(v, outs["tree"], rtol=1e-10, atol=1e-10, err_msg=m)
    assert np.isfinite(outs["tree"]).all()


def test_engine_genmean_with_an_empty_pillar():
    tree = Tree.from_imeta(_imeta({"A": ["a1", "a2"], "B": ["b1"], "C": ["c1", "c2"]}))
    from analysis.composite import aggregate_tree

    X = np.array([[1.0, 2.0, np.nan, 3.0, 4.0]])
    got = aggregate_tree(X, tree, p=np.array([0.5]))[0, 0]
    ours = rb._eval_shared(
        tree, X, tree.weights[None, :], 0.5, "clip", 1e-3, [tree.index_of("Index")], 10
    )[0, 0]
    np.testing.assert_allclose(got[tree.index_of("Index")], ours[0], rtol=1e-12)


def test_leave_one_out_is_zero_weight(random_case):
    df, imeta = random_case
    res = rb.run_uncertainty(df, imeta, {"uncertain": {"leave_one_out": ["a1"]}}, draws=3, seed=1)
    ref = compute_index(df, imeta, weights={"a1": 0.0})
    np.testing.assert_allclose(
        res.scores.iloc[:, 0].to_numpy(), ref.scores["Index"].to_numpy(), rtol=1e-12
    )
    nominal = compute_index(df, imeta)
    np.testing.assert_allclose(
        res.nominal["score"].to_numpy(), nominal.scores["Index"].to_numpy(), rtol=1e-12
    )
    np.testing.assert_array_equal(res.nominal["rank"].to_numpy(), nominal.ranks.to_numpy())


def test_weight_sets_perturb_only_the_named_levels(random_case):
    df, imeta = random_case
    spec = {"uncertain": {"weights": {"perturb": {2: 0.25}, "sets": 50}}}
    res = rb.run_uncertainty(df, imeta, spec, draws=10, seed=2)
    ws = res.weight_sets.pivot(index="set", columns="iCode", values="weight")
    assert ws.shape == (50, 13)
    for c in ("A", "B", "C"):
        assert ws[c].between(0.75, 1.25).all() and ws[c].std() > 0.05
    assert (ws[["a1", "b2", "c4", "Index"]] == 1.0).all().all()
    assert set(res.runs["weights_set"]) <= set(ws.index)


# --------------------------------------------------------------------------- uncertainty
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


# --------------------------------------------------------------------------- sensitivity
def test_sobol_choice_without_effect_is_zero_and_sole_choice_is_one(gap_case):
    df, imeta = gap_case
    spec = {
        "base": {"normalisation": "minmax:1,10"},
        "uncertain": {
            "aggregation": ["arithmetic", "geometric"],
            "normalisation": ["minmax:1,10", "minmax:1,100"],
        },
    }
    s = rb.run_sensitivity(df, imeta, spec, n=512, seed=3, targets="gaps")
    assert s.attrs["n_runs"] == 512 * 4
    agg = s[s["choice"] == "aggregation"]
    norm = s[s["choice"] == "normalisation"]
    assert len(agg) == 30 * 3
    assert agg[["Si", "STi"]].abs().max().max() < 1e-8
    assert (norm["STi"] - 1).abs().max() < 0.02
    assert (norm["Si"] - 1).abs().max() < 0.15


def test_sobol_null_imputation_on_complete_data_rank_target(random_case):
    df, imeta = random_case
    spec = {
        "base": {"normalisation": "minmax:1,100"},
        "uncertain": {"imputation": ["none", "mean"], "aggregation": ["arithmetic", "geometric"]},
    }
    s = rb.run_sensitivity(df, imeta, spec, n=256, seed=1).set_index("choice")
    assert list(s.columns) == ["target", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi"]
    assert abs(s.loc["imputation", "Si"]) < 1e-12 and abs(s.loc["imputation", "STi"]) < 1e-12
    assert abs(s.loc["aggregation", "STi"] - 1) < 0.02
    assert (
        s.loc["aggregation", "STi_lo"]
        <= s.loc["aggregation", "STi"]
        <= s.loc["aggregation", "STi_hi"]
    )
    again = rb.run_sensitivity(df, imeta, spec, n=256, seed=1).set_index("choice")
    pd.testing.assert_frame_equal(s, again)


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
    assert (gs["gap_mean_lo"] <= gs["gap_mean"]).all() and (
        gs["gap_mean"] <= gs["gap_mean_hi"]
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
def test_asem_nominal_equals_compute_index(asem):
    res = rb.run_uncertainty(
        asem.data,
        asem.imeta,
        "coinr-vignette",
        draws=20,
        seed=1,
        base={"screen_after_impute": False},
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
    )
    nom = res.nominal.set_index("unit_code")
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


def test_cli_robustness_writes_every_output(asem, tmp_path):
    from analysis.cli import main

    out = tmp_path / "rob"
    rc = main(
        [
            "robustness",
            "--idata",
            str(ASEM / "ASEM_iData.csv"),
            "--imeta",
            str(ASEM / "ASEM_iMeta.csv"),
            "--draws",
            "50",
            "--sobol",
            "--sobol-n",
            "32",
            "--seed",
            "3",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    rs = pd.read_csv(out / "rank_stats.csv", dtype={"uCode": str})
    assert list(rs.columns[:6]) == ["uCode", "nominal", "mean", "median", "q05", "q95"]
    sc = pd.read_csv(out / "scores.csv", dtype={"uCode": str})
    assert sc.shape == (51, 51) and list(sc.columns[:3]) == ["uCode", "1", "2"]
    runs = pd.read_csv(out / "runs.csv", dtype=str)
    assert len(runs) == 50
    sens = pd.read_csv(out / "sensitivity.csv")
    assert {"choice", "Si", "STi", "Si_lo", "Si_hi", "STi_lo", "STi_hi"} <= set(sens.columns)
    meta = json.loads((out / "run.json").read_text())
    assert (
        meta["seed"] == 3
        and meta["n_uncertainty_runs"] == 50
        and meta["n_sensitivity_runs"] == 32 * 6
    )
    assert meta["spec"]["name"] == "coinr-vignette" and 0 < meta["elapsed_s"] < 30
    assert not list(out.glob(".*.tmp"))
    # replay of the written runs gives the same scores
    out2 = tmp_path / "replay"
    rc = main(
        [
            "robustness",
            "--idata",
            str(ASEM / "ASEM_iData.csv"),
            "--imeta",
            str(ASEM / "ASEM_iMeta.csv"),
            "--replay",
            str(out / "runs.csv"),
            "--weight-sets",
            str(out / "weight_sets.csv"),
            "--out",
            str(out2),
        ]
    )
    assert rc == 0
    sc2 = pd.read_csv(out2 / "scores.csv", dtype={"uCode": str})
    np.testing.assert_allclose(sc2.iloc[:, 1:].to_numpy(), sc.iloc[:, 1:].to_numpy(), rtol=1e-12)
    # a bad spec is a clean error (exit 2)
    assert (
        main(
            [
                "robustness",
                "--idata",
                str(ASEM / "ASEM_iData.csv"),
                "--imeta",
                str(ASEM / "ASEM_iMeta.csv"),
                "--spec",
                "nope",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 2
    )


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
