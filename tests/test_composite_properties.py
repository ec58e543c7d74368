"""Property tests (hypothesis) for the batched composite core."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.composite import Tree, aggregate_tree, normalise_array, rank_array

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)


def _tree() -> Tree:
    return Tree.from_imeta(
        pd.DataFrame(
            {
                "Level": [1, 1, 1, 1, 1, 2, 2, 3],
                "iCode": ["a", "b", "c", "d", "e", "P1", "P2", "Index"],
                "Parent": ["P1", "P1", "P1", "P2", "P2", "Index", "Index", None],
                "Type": ["Indicator"] * 5 + ["Aggregate"] * 3,
                "Direction": [1, 1, -1, 1, 1, 1, 1, 1],
                "Weight": [1, 2, 1, 1, 3, 1, 1, 1],
            }
        )
    )


TREE = _tree()


def _distinct_column(draw_values):
    return np.asarray(draw_values, dtype=float).reshape(-1, 1)


METHODS = st.sampled_from(["minmax", "zscore", "rank", "percentile"])


@SETTINGS
@given(
    st.lists(st.integers(-(10**6), 10**6), min_size=3, max_size=25, unique=True),
    st.sampled_from([1, -1]),
    METHODS,
)
def test_normalisation_preserves_or_reverses_order_strictly(values, direction, method):
    x = _distinct_column(values)
    y = normalise_array(x, method, directions=[direction]).ravel()
    diffs = np.diff(y[np.argsort(x.ravel())])
    assert np.all(diffs > 0) if direction == 1 else np.all(diffs < 0)


@SETTINGS
@given(st.lists(finite, min_size=3, max_size=25), st.sampled_from([1, -1]), METHODS)
def test_normalisation_order_weakly_for_any_floats(values, direction, method):
    x = _distinct_column(values)
    y = normalise_array(x, method, directions=[direction]).ravel()
    if np.all(np.isnan(y)):  # constant column: range 0 -> NaN by convention
        return
    d = np.diff(y[np.argsort(x.ravel(), kind="stable")])
    assert np.all(d >= 0) if direction == 1 else np.all(d <= 0)


@SETTINGS
@given(
    st.lists(finite, min_size=2, max_size=25, unique=True),
    st.floats(-100, 100),
    st.floats(0.5, 100),
)
def test_minmax_hits_bounds(values, lo, width):
    x = _distinct_column(values)
    y = normalise_array(x, "minmax", lo=lo, hi=lo + width)
    assert np.nanmin(y) == pytest.approx(lo, abs=1e-9 * max(1, abs(lo)))
    assert np.nanmax(y) == pytest.approx(lo + width, abs=1e-9 * max(1, abs(lo) + width))
    r = normalise_array(x, "percentile")
    assert np.nanmin(r) == 0 and np.nanmax(r) == 1
    assert np.nanmin(normalise_array(x, "rank")) == 1


@SETTINGS
@given(st.lists(finite, min_size=2, max_size=25), st.sampled_from([1, -1]))
def test_goalposts_monotone_and_within_bounds(values, direction):
    x = _distinct_column(values)
    y = normalise_array(
        x, "goalposts", directions=[direction], goalposts=[[-1000.0, 1000.0]]
    ).ravel()
    assert np.all((y >= 0) & (y <= 1))
    order = np.argsort(x.ravel(), kind="stable")
    d = np.diff(y[order])
    assert np.all(d >= -1e-15) if direction == 1 else np.all(d <= 1e-15)


@SETTINGS
@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.just(5)), elements=positive),
    st.floats(-4, 4),
)
def test_generalised_mean_between_min_and_max(X, p):
    out = aggregate_tree(X, TREE, method="genmean", p=p)
    for parent in ("P1", "P2"):
        kids = [TREE.index_of(c) for c in TREE.children(parent)]
        v = out[:, TREE.index_of(parent)]
        assert np.all(v >= X[:, kids].min(axis=1) * (1 - 1e-9))
        assert np.all(v <= X[:, kids].max(axis=1) * (1 + 1e-9))


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.just(5)), elements=positive))
def test_harmonic_le_geometric_le_arithmetic(X):
    a = aggregate_tree(X, TREE, method="arithmetic")
    g = aggregate_tree(X, TREE, method="geometric")
    h = aggregate_tree(X, TREE, method="harmonic")
    assert np.all(g <= a * (1 + 1e-9))
    assert np.all(h <= g * (1 + 1e-9))


@SETTINGS
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(3, 10), st.just(5)),
        elements=st.one_of(finite, st.just(np.nan)),
    ),
    st.randoms(use_true_random=False),
    st.sampled_from(["minmax", "zscore", "rank", "percentile"]),
)
def test_permuting_units_permutes_results(X, rnd, method):
    perm = np.arange(X.shape[0])
    rnd.shuffle(perm)
    Xn = normalise_array(X, method, directions=TREE.directions)
    out = aggregate_tree(Xn, TREE)
    out_p = aggregate_tree(normalise_array(X[perm], method, directions=TREE.directions), TREE)
    np.testing.assert_allclose(out_p, out[perm], rtol=1e-12, atol=1e-12)
    idx = TREE.index_of("Index")
    np.testing.assert_array_equal(rank_array(out_p[:, idx]), rank_array(out[:, idx])[perm])


@SETTINGS
@given(
    st.floats(1e-2, 1e3),
    arrays(np.float64, st.just((3, TREE.n_nodes)), elements=st.floats(0.01, 10)),
    st.sampled_from([1.0, 0.0, -1.0, 0.5, 2.0]),
)
def test_equal_inputs_aggregate_to_themselves(c, W, p):
    X = np.full((4, TREE.n_indicators), c)
    out = aggregate_tree(X, TREE, W, p=np.full(3, p))  # three weight variants, batched
    np.testing.assert_allclose(out, c, rtol=1e-12)


@SETTINGS
@given(
    arrays(np.float64, st.tuples(st.integers(2, 6), st.just(5)), elements=positive),
    st.integers(1, 4),
)
def test_batched_weights_equal_single_runs(X, V):
    rng = np.random.default_rng(V)
    W = rng.uniform(0.1, 2, size=(V, TREE.n_nodes))
    out = aggregate_tree(X, TREE, W, "geometric")
    for v in range(V):
        np.testing.assert_allclose(out[v], aggregate_tree(X, TREE, W[v], "geometric"), rtol=1e-12)
