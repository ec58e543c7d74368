"""Tests of analysis.robustness.design and .evaluate: data variants and the three evaluators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import robustness as rb
from analysis.composite import Tree, compute_index, rank_array, treat_outliers
from analysis.errors import MethodError
from analysis.robustness.design import _treat_variants
from analysis.robustness.evaluate import _eval_shared, _ranks
from analysis.robustness.uncertainty import _nanquantile0


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
    got = _treat_variants(X, [1, 2, 3, 5, 8])
    for w in (1, 2, 3, 5, 8):
        ref = treat_outliers(df, list(df.columns), winmax=w)[0][list(df.columns)].to_numpy(float)
        np.testing.assert_array_equal(got[w], ref)


def test_goalposts_refuse_log_treated_columns(make_imeta):
    rng = np.random.default_rng(2)
    imeta = make_imeta({"A": ["a1", "a2"], "B": ["b1", "b2"]})
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
        np.testing.assert_array_equal(_ranks(S), rank_array(S))


def test_nanquantile_matches_numpy():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(101, 7))
    A[rng.random(A.shape) < 0.3] = np.nan
    A[:, 3] = np.nan
    got = _nanquantile0(A, [0.05, 0.5, 0.95])
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


def test_engine_genmean_with_an_empty_pillar(make_imeta):
    tree = Tree.from_imeta(make_imeta({"A": ["a1", "a2"], "B": ["b1"], "C": ["c1", "c2"]}))
    from analysis.composite import aggregate_tree

    X = np.array([[1.0, 2.0, np.nan, 3.0, 4.0]])
    got = aggregate_tree(X, tree, p=np.array([0.5]))[0, 0]
    ours = _eval_shared(
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
