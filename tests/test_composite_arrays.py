"""Tests of analysis.composite._tree and .arrays: the tree, normalisation, aggregation, ranks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.composite import (
    Tree,
    aggregate_tree,
    effective_weights,
    kurt,
    normalise_array,
    normalise_variants,
    rank_array,
    skew,
)
from analysis.errors import FrameworkError, MethodError


# --------------------------------------------------------------------------- tree
def test_tree_any_depth_and_order(small_imeta):
    t = Tree.from_imeta(small_imeta)
    assert t.indicators == ("a", "b", "c", "d")
    assert t.nodes == ("a", "b", "c", "d", "P1", "P2", "Index")
    assert t.children("Index") == ("d", "P1", "P2")
    assert t.leaves_under("P1") == ("a", "b")
    assert t.ancestor_at("a", 2) == "P1" and t.ancestor_at("d", 2) is None


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"Parent": ["P1", "P1", "P2", "Nope", "Index", "Index", None]}, "Nope"),
        ({"Parent": ["P1", "P1", "P2", "Index", "Index", None, None]}, "exactly one"),
        ({"Direction": [1, 2, 1, 1, 1, 1, 1]}, "Direction"),
        ({"Level": [1, 1, 1, 1, 2, 3, 2]}, "higher Level"),
    ],
)
def test_tree_errors_name_the_fix(change, match, small_imeta):
    m = small_imeta
    for k, v in change.items():
        m[k] = v
    with pytest.raises(FrameworkError, match=match):
        Tree.from_imeta(m)


def test_effective_weights_known(small_imeta):
    t = Tree.from_imeta(small_imeta)
    # Index children d(1), P1(1), P2(2) -> 1/4, 1/4, 1/2 ; P1: a 2/3, b 1/3 ; P2: c 1
    np.testing.assert_allclose(effective_weights(t), [1 / 4 * 2 / 3, 1 / 4 * 1 / 3, 1 / 2, 1 / 4])
    W = np.vstack([t.weights, np.ones(t.n_nodes)])
    np.testing.assert_allclose(effective_weights(t, W)[1], [1 / 6, 1 / 6, 1 / 3, 1 / 3])


# --------------------------------------------------------------------------- statistics, treatment
def test_skew_kurt_match_bias_corrected_formulas():
    rng = np.random.default_rng(1)
    X = rng.lognormal(size=(40, 3))
    X[3, 1] = np.nan
    for j in range(3):
        col = X[:, j][~np.isnan(X[:, j])]
        assert skew(X, axis=0)[j] == pytest.approx(stats.skew(col, bias=False), rel=1e-12)
        assert kurt(X, axis=0)[j] == pytest.approx(stats.kurtosis(col, bias=False), rel=1e-12)
    # COINr vignette vector c(1:10, 30, 100)
    x = np.array([*range(1, 11), 30, 100.0])
    assert float(skew(x, axis=0)) == pytest.approx(3.0632410, abs=1e-6)
    assert float(kurt(x, axis=0)) == pytest.approx(9.7413908, abs=1e-6)


# --------------------------------------------------------------------------- normalisation
def test_normalise_known_values():
    x = np.array([[1.0], [2.0], [2.0], [5.0], [np.nan]])
    mm = normalise_array(x, "minmax", lo=0, hi=100).ravel()
    np.testing.assert_allclose(mm[:4], [0, 25, 25, 100])
    assert np.isnan(mm[4])
    z = normalise_array(x, "zscore", mean=10, sd=2).ravel()
    np.testing.assert_allclose(z[:4], 10 + 2 * (x[:4, 0] - 2.5) / np.std([1, 2, 2, 5], ddof=1))
    np.testing.assert_array_equal(normalise_array(x, "rank").ravel()[:4], [1, 2, 2, 4])
    np.testing.assert_allclose(normalise_array(x, "percentile").ravel()[:4], [0, 1 / 3, 1 / 3, 1])
    np.testing.assert_allclose(
        normalise_array(x, "rank", directions=[-1]).ravel()[:4], [4, 2, 2, 1]
    )
    d = normalise_array(x, "dist2target", targets=[4.0]).ravel()
    np.testing.assert_allclose(d[:4], [0, 1 / 3, 1 / 3, 4 / 3])
    np.testing.assert_allclose(
        normalise_array(x, "dist2target", targets=[4.0], cap=True).ravel()[:4], [0, 1 / 3, 1 / 3, 1]
    )
    # direction -1 target: t = -target; (x*-1 - min)/(t - min)
    np.testing.assert_allclose(
        normalise_array(x, "dist2target", targets=[2.0], directions=[-1]).ravel()[:4],
        [4 / 3, 1, 1, 0],
    )


def test_goalposts_direction_and_clipping():
    x = np.array([[-10.0, 10.0], [50.0, 40.0], [150.0, 80.0]])
    y, clipped = normalise_array(
        x, "goalposts", directions=[1, -1], goalposts=[[0, 20], [100, 60]], return_clipped=True
    )
    np.testing.assert_allclose(y, [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    assert clipped.tolist() == [
        [True, True],
        [False, False],
        [True, True],
    ]  # 10 -> 1.25 and 80 -> -0.5 for [20, 60], dir -1
    np.testing.assert_allclose(
        normalise_array(x, "goalposts", goalposts=[[0, 20], [100, 60]], scale=100)[1], [50, 50]
    )


def test_normalise_constant_column_is_nan_and_unknown_method_raises():
    assert np.isnan(normalise_array(np.ones((4, 1)), "minmax")).all()
    with pytest.raises(MethodError, match="unknown normalisation"):
        normalise_array(np.ones((4, 1)), "softmax")


def test_normalise_batched_equals_per_slice():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 7, 4))
    X[1, 2, 3] = np.nan
    for method in ("minmax", "zscore", "rank", "percentile"):
        Y = normalise_array(X, method, directions=[1, -1, 1, -1])
        for k in range(3):
            np.testing.assert_allclose(
                Y[k], normalise_array(X[k], method, directions=[1, -1, 1, -1])
            )
    stack = normalise_variants(X[0], [{"method": "minmax", "lo": 1, "hi": 2}, {"method": "rank"}])
    assert stack.shape == (2, 7, 4) and np.nanmin(stack[0]) == 1


# --------------------------------------------------------------------------- aggregation
def test_aggregate_known_values_and_missing_children(small_imeta):
    t = Tree.from_imeta(small_imeta)
    Xn = np.array([[10.0, 40.0, 30.0, 20.0], [np.nan, 40.0, np.nan, 20.0]])
    out = aggregate_tree(Xn, t)
    # unit 0: P1 = (2*10 + 1*40)/3 = 20 ; P2 = 30 ; Index = (1*20 + 1*20 + 2*30)/4 = 25
    np.testing.assert_allclose(out[0], [10, 40, 30, 20, 20, 30, 25])
    # unit 1: P1 = 40 (a missing, weights renormalised) ; P2 NaN ; Index = (20 + 40)/2
    np.testing.assert_allclose(out[1, 4], 40)
    assert np.isnan(out[1, 5])
    np.testing.assert_allclose(out[1, 6], 30)
    cov = aggregate_tree(Xn, t, min_coverage=0.75)
    assert np.isnan(cov[1, 4]) and np.isnan(cov[1, 6]) and cov[0, 6] == 25


def test_aggregate_geometric_harmonic_genmean_known(small_imeta):
    t = Tree.from_imeta(small_imeta)
    Xn = np.array([[1.0, 8.0, 4.0, 2.0]])
    w = t.weight_vector(base="equal")
    g = aggregate_tree(Xn, t, w, "geometric")[0]
    assert g[4] == pytest.approx(np.sqrt(8.0))
    assert g[6] == pytest.approx((2.0 * np.sqrt(8.0) * 4.0) ** (1 / 3))
    h = aggregate_tree(Xn, t, w, "harmonic")[0]
    assert h[4] == pytest.approx(2 / (1 + 1 / 8))
    q = aggregate_tree(Xn, t, w, "genmean", p=2.0)[0]
    assert q[4] == pytest.approx(np.sqrt((1 + 64) / 2))
    mixed = aggregate_tree(Xn, t, w, ["geometric", "arithmetic"])[0]
    assert mixed[6] == pytest.approx((2.0 + np.sqrt(8.0) + 4.0) / 3)


def test_aggregate_nonpositive_handling(small_imeta):
    t = Tree.from_imeta(small_imeta)
    Xn = np.array([[0.0, 8.0, 4.0, 2.0], [1.0, 8.0, 4.0, 2.0]])
    with pytest.raises(MethodError, match="<= 0"):
        aggregate_tree(Xn, t, method="geometric")
    nan = aggregate_tree(Xn, t, method="geometric", nonpositive="nan")
    assert np.isnan(nan[0, 4]) and not np.isnan(nan[1, 4])
    clip, rep = aggregate_tree(
        Xn, t, method="geometric", nonpositive="clip", floor=0.5, return_report=True
    )
    assert (
        clip[0, 4] == pytest.approx(np.exp((2 * np.log(0.5) + np.log(8)) / 3))
        and rep["n_clipped"] == 1
    )
    # arithmetic never complains
    assert aggregate_tree(Xn, t)[0, 4] == pytest.approx(8 / 3)


def test_batched_variants_equal_loop(small_imeta):
    rng = np.random.default_rng(3)
    t = Tree.from_imeta(small_imeta)
    X = rng.uniform(1, 100, size=(9, 4))
    X[2, 0] = np.nan
    V = 6
    W = t.weights * rng.uniform(0.5, 1.5, size=(V, t.n_nodes))
    p = np.array([1.0, 0.0, -1.0, 1.0, 0.0, 0.5])
    Xn = normalise_variants(
        X,
        [{"method": "minmax", "lo": 1, "hi": 100}, {"method": "zscore", "mean": 10, "sd": 1}],
        directions=t.directions,
    )
    idx = np.array([0, 1, 0, 1, 0, 1])
    out = aggregate_tree(Xn[idx], t, W, p=p)
    assert out.shape == (V, 9, t.n_nodes)
    names = {1.0: "arithmetic", 0.0: "geometric", -1.0: "harmonic"}
    for v in range(V):
        if p[v] in names:
            single = aggregate_tree(Xn[idx[v]], t, W[v], names[p[v]])
        else:
            single = aggregate_tree(Xn[idx[v]], t, W[v], "genmean", p=p[v])
        np.testing.assert_allclose(out[v], single, rtol=1e-12)
    ranks = rank_array(out[..., t.index_of("Index")])
    assert ranks.shape == (V, 9) and (np.nanmin(ranks, axis=1) == 1).all()


def test_rank_ties_min_and_nan():
    np.testing.assert_array_equal(
        rank_array(np.array([[3.0, 1.0, 3.0, np.nan]])), [[1.0, 3.0, 1.0, np.nan]]
    )


# --------------------------------------------------------------------------- flat power means
def test_weighted_mean_drops_nan_and_renormalises():
    from analysis.composite.arrays import weighted_mean

    x = np.array([[0.2, np.nan, 0.8], [np.nan, np.nan, np.nan]])
    out = weighted_mean(x, np.array([1.0, 5.0, 3.0]))
    assert out[0] == pytest.approx((0.2 * 1 + 0.8 * 3) / 4)
    assert np.isnan(out[1])
    boot = weighted_mean(x, np.array([[1.0, 0.0], [5.0, 1.0], [3.0, 1.0]]))
    assert boot.shape == (2, 2) and boot[0, 1] == pytest.approx(0.8)


@pytest.mark.parametrize("p", [1.0, 0.0, -1.0, 0.5])
def test_power_mean_with_effective_weights_equals_the_nested_mean(small_imeta, p):
    """One power at every level: the nested mean of complete data is the flat power mean of the
    indicators with their effective weights (what the Monte Carlo evaluates)."""
    from analysis.composite.arrays import power_mean, sibling_normalised

    tree = Tree.from_imeta(small_imeta)
    rng = np.random.default_rng(2)
    X = rng.uniform(1, 10, (6, tree.n_indicators))
    W = rng.uniform(0.5, 2.0, (4, tree.n_nodes))
    E = effective_weights(tree, W)  # (4, I)
    got = power_mean(X, E, p, "raise", 1e-3)  # (4, U)
    ref = aggregate_tree(np.broadcast_to(X, (4, *X.shape)), tree, W, p=np.full(4, p))
    np.testing.assert_allclose(got, ref[..., tree.index_of("Index")], rtol=1e-12)
    wn = sibling_normalised(tree, W)
    for j in range(tree.n_indicators, tree.n_nodes):
        kids = tree.parent == j
        np.testing.assert_allclose(wn[:, kids].sum(axis=1), 1.0)
