"""Tests of analysis.gaps._stats: small statistics against published or hand-computed values."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from analysis.gaps import _stats as S


def test_wilson_matches_published_values():
    # Newcombe (1998), Stat Med 17:857, Table I, method 3 (Wilson score, 95%)
    for k, n, lo, hi in [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ]:
        got = S._wilson(k, n, 0.95)
        assert float(got[0]) == pytest.approx(lo, abs=6e-5)
        assert float(got[1]) == pytest.approx(hi, abs=6e-5)
    # hand-computed 90% case: k=18, n=18 -> p=1, lo = n / (n + z^2)
    z = 1.6448536269514722
    lo, hi = S._wilson(18, 18, 0.90)
    assert float(lo) == pytest.approx(18 / (18 + z**2), abs=1e-12)
    assert float(hi) == 1.0


def test_gini_theil_cv_hand_computed():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert float(S._gini(x)) == pytest.approx(0.25)  # sum|xi-xj| = 20, 2 n^2 mean = 80
    theil = (
        0.4 * math.log(0.4) + 0.8 * math.log(0.8) + 1.2 * math.log(1.2) + 1.6 * math.log(1.6)
    ) / 4
    assert float(S._theil(x)) == pytest.approx(theil)
    assert float(S._theil(x)) == pytest.approx(0.106440, abs=1e-6)
    assert float(S._cv(x)) == pytest.approx(math.sqrt(1.25) / 2.5)
    y = np.array([0.0, 0.0, 0.0, 1.0])
    assert float(S._gini(y)) == pytest.approx(0.75)
    assert float(S._theil(y)) == pytest.approx(math.log(4))
    eq = np.full(5, 0.3)
    assert float(S._gini(eq)) == pytest.approx(0.0, abs=1e-12) and float(
        S._theil(eq)
    ) == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(S._theil(np.array([-1.0, 2.0])))
    # vectorised rows agree with row-by-row
    rows = np.vstack([x, y])
    np.testing.assert_allclose(S._gini(rows), [0.25, 0.75])


def test_hc3_hand_computed_small_case():
    # y = a + b x on 4 points; everything below done with exact fractions from the textbook formulas
    xs, ys = [0, 1, 2, 3], [1, 0, 2, 5]
    n = 4
    F = Fraction
    xbar, ybar = F(sum(xs), n), F(sum(ys), n)
    sxx = sum((F(x) - xbar) ** 2 for x in xs)  # 5
    b = sum((F(x) - xbar) * (F(y) - ybar) for x, y in zip(xs, ys, strict=True)) / sxx  # 7/5
    a = ybar - b * xbar  # 2 - 21/10 = -1/10
    e = [F(y) - a - b * x for x, y in zip(xs, ys, strict=True)]
    h = [F(1, n) + (F(x) - xbar) ** 2 / sxx for x in xs]
    var_b = (
        sum((F(x) - xbar) ** 2 * ei**2 / (1 - hi) ** 2 for x, ei, hi in zip(xs, e, h, strict=True))
        / sxx**2
    )
    assert b == F(7, 5) and a == F(-1, 10)
    # by hand: residuals 11/10, -13/10, -7/10, 9/10; leverages 7/10, 3/10, 3/10, 7/10;
    # sum (x - xbar)^2 e^2 / (1 - h)^2 = 121/4 + 169/196 + 1/4 + 81/4 = 2529/49; / Sxx^2 = 25
    assert e == [F(11, 10), F(-13, 10), F(-7, 10), F(9, 10)]
    assert var_b == F(2529, 1225)
    fit = S._ols_hc3(np.array(xs, float), np.array(ys, float), level=0.90)
    assert fit["slope"] == pytest.approx(1.4)
    assert fit["intercept"] == pytest.approx(-0.1)
    assert fit["slope_se"] == pytest.approx(math.sqrt(2529 / 1225), rel=1e-12)
    t = 2.919985580355516  # t_{0.95, 2}
    assert fit["slope_lo"] == pytest.approx(1.4 - t * math.sqrt(2529 / 1225), rel=1e-9)
    assert fit["n"] == 4


def test_hc3_degenerate_inputs_give_nan():
    assert np.isnan(S._ols_hc3(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))["slope"])
    assert np.isnan(S._ols_hc3(np.array([1.0, 2.0]), np.array([1.0, 2.0]))["slope"])


def test_rank_biserial_hand_and_scipy_consistent():
    d = np.array([1.0, 2.0, -3.0, 4.0, 0.0])  # zero dropped: ranks 1,2,3,4 -> T+=7, T-=3
    assert float(S._rank_biserial(d)) == pytest.approx((7 - 3) / 10)
    assert float(S._rank_biserial(np.array([0.5, 0.2, 0.1]))) == 1.0
    # with ties: |d| = 1,1,2 -> ranks 1.5,1.5,3
    assert float(S._rank_biserial(np.array([1.0, -1.0, 2.0]))) == pytest.approx((4.5 - 1.5) / 6)
    boot = S._rank_biserial(np.array([[1.0, 2.0, -3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]))
    np.testing.assert_allclose(boot, [0.4, -1.0])


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.integers(2, 30), elements=st.floats(0.01, 1.0)), st.floats(0.1, 10.0))
def test_property_inequality_scale_invariant_and_bounded(x, k):
    n = len(x)
    assert -1e-12 <= float(S._gini(x)) <= (n - 1) / n + 1e-12
    assert 0 <= float(S._theil(x)) <= math.log(n) + 1e-9
    assert float(S._gini(k * x)) == pytest.approx(float(S._gini(x)), abs=1e-9)
    assert float(S._theil(k * x)) == pytest.approx(float(S._theil(x)), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.integers(1, 25), elements=st.floats(-1.0, 1.0, allow_nan=False)))
def test_property_rank_biserial_antisymmetric_and_bounded(d):
    r = float(S._rank_biserial(d))
    if np.all(d == 0):
        assert np.isnan(r)
    else:
        assert -1 <= r <= 1
        assert float(S._rank_biserial(-d)) == pytest.approx(-r)


@pytest.mark.parametrize("n", [3, 5, 18, 200])
@pytest.mark.parametrize("ties", [False, True])
def test_resampled_ranks_equal_ranking_each_resample(n, ties):
    # the national bootstrap ranks resamples from counts per value (no sort per resample):
    # the statistics must be exactly those of ranking every resample
    from analysis.gaps._stats import _rank_biserial, _spearman_rows

    rng = np.random.default_rng(n + ties)
    x, y = rng.normal(size=n), rng.normal(size=n)
    d = x.copy()
    if ties:  # repeated values, float noise that must tie, zero differences
        x, y = np.round(x, 1), np.round(y, 0)
        x[: min(2, n)] = 0.664
        x[2 % n] = 0.6640000000000001
        d = x - np.round(y, 1)
        d[0] = 0.0
    idx = rng.integers(0, n, size=(300, n))
    assert np.array_equal(_spearman_rows(x[idx], y[idx]), _spearman_rows(x, y, idx), equal_nan=True)
    assert np.array_equal(_rank_biserial(d[idx]), _rank_biserial(d, idx), equal_nan=True)


@pytest.mark.parametrize("values", [1, 37, 50, 10_000])
def test_boot_blocks_are_one_draw_of_every_resample(monkeypatch, values):
    # blocks of resamples (down to one per block) hold the numbers of one (n_boot, n) draw, in
    # order, and leave the generator where that draw leaves it: the intervals do not move
    monkeypatch.setattr(S, "_BOOT_VALUES", values)
    x = np.random.default_rng(1).normal(size=23)
    ref = np.random.default_rng(7)
    want = x[ref.integers(0, 23, size=(101, 23))]
    rng = np.random.default_rng(7)
    got = S._boot_blocks(rng, 23, 101, lambda idx: (x[idx], x[idx].sum(axis=1)))
    np.testing.assert_array_equal(got[0], want)
    np.testing.assert_array_equal(got[1], want.sum(axis=1))
    assert rng.bit_generator.state == ref.bit_generator.state
    one = S._boot_blocks(np.random.default_rng(7), 23, 101, lambda idx: S._rank_biserial(x, idx))
    np.testing.assert_array_equal(
        one, S._rank_biserial(x, np.random.default_rng(7).integers(0, 23, size=(101, 23)))
    )
