"""Tests of analysis.composite.index: the wide pipeline, its step order, diagnostics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.composite import (
    Tree,
    aggregate_tree,
    compute_diagnostics,
    compute_index,
    denominate,
    impute,
    normalise_array,
    rank_array,
    screen_units,
    treat_outliers,
)
from analysis.errors import MethodError


def test_compute_index_options_run(asem):
    res = compute_index(
        asem.data,
        asem.imeta,
        denominate=True,
        screen=0.9,
        impute="median",
        treat="jrc",
        normalise="zscore",
        normalise_params={"mean": 10, "sd": 1},
    )
    assert len(res.scores) == int(res.report["screening"]["is_kept"].sum()) < 51
    assert res.report["imputed"].to_numpy().sum() > 0
    assert (res.report["treatment"]["treatment"] != "none").any()
    np.testing.assert_allclose(np.nanmean(res.normalised.to_numpy(), axis=0), 10, atol=1e-9)
    assert res.effective_weights.sum() == pytest.approx(1.0)
    assert res.ranks.min() == 1


def test_diagnostics(asem):
    res = compute_index(asem.data, asem.imeta)
    d = compute_diagnostics(res.scores, res.tree)
    assert set(d) >= {
        "coverage_unit",
        "coverage_indicator",
        "pearson",
        "spearman",
        "correlations",
        "cronbach",
        "pca",
    }
    assert (
        len(d["coverage_indicator"]) == 49
        and d["coverage_indicator"]["coverage"].between(0, 1).all()
    )
    assert set(d["correlations"]["relation"]) == {"within", "across", "parent"}
    soc = res.scores[list(res.tree.children("Social"))].dropna().to_numpy()
    k = soc.shape[1]
    alpha = k / (k - 1) * (1 - soc.var(0, ddof=1).sum() / soc.sum(1).var(ddof=1))
    assert d["cronbach"].set_index("group").loc["Social", "alpha"] == pytest.approx(alpha)
    assert d["pca"]["pc1_share"].between(0, 1).all()


# --------------------------------------------------------------------------- step order
COINR_ORDER = "denominate,impute,screen,treat,normalise,aggregate"
_EXAMPLE = dict(
    denominate=True, impute="mean-by:EurAsia_group", screen=0.9, treat="jrc", winmax=5,
    normalise="minmax", normalise_params={"lo": 0, "hi": 100}, aggregate="arithmetic",
)  # fmt: skip


def test_screen_after_impute_reproduces_coinr_example(asem):
    """COINr's build_example_coin: Denominate -> Impute(i_mean_grp, EurAsia_group) ->
    Screen(Imputed, dat_thresh 0.9, byNA) -> Treat(winmax 5) -> Normalise(minmax 0-100) ->
    Aggregate(a_amean). After group-mean imputation no unit is below the threshold, so the
    example keeps all 51 units; screening first (our default) drops the 5 sparse ones."""
    coinr = compute_index(asem.data, asem.imeta, order=COINR_ORDER, **_EXAMPLE)
    assert len(coinr.scores) == 51 and coinr.report["screening"]["is_kept"].all()
    assert coinr.order == tuple(COINR_ORDER.split(","))
    default = compute_index(asem.data, asem.imeta, **_EXAMPLE)
    dropped = default.report["screening"].loc[~default.report["screening"]["is_kept"], "unit"]
    assert sorted(dropped) == ["BGD", "BRN", "KHM", "LAO", "MMR"] and len(default.scores) == 46
    # the same steps composed by hand, in COINr's order
    inds = list(asem.tree.indicators)
    x = denominate(asem.data, asem.imeta)
    x, mask = impute(x, inds, "mean-by:EurAsia_group")
    x, _ = screen_units(x, inds, 0.9)
    x, _, _ = treat_outliers(x, inds, winmax=5)
    Xn = normalise_array(x[inds].to_numpy(float), "minmax", directions=asem.tree.directions)
    out = aggregate_tree(Xn, asem.tree)
    np.testing.assert_allclose(coinr.scores.to_numpy(), out, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(coinr.ranks.to_numpy(), rank_array(out[:, -1]))
    # imputation used every unit of the group (also those the default order screens out)
    assert mask.to_numpy().sum() == coinr.report["imputed"].to_numpy().sum() > 0


def test_order_moves_a_step_and_only_that(asem):
    """Treating before screening computes the JRC statistics on every unit."""
    before = compute_index(
        asem.data,
        asem.imeta,
        order="denominate,treat,screen,impute,normalise,aggregate",
        **_EXAMPLE,
    )
    after = compute_index(asem.data, asem.imeta, **_EXAMPLE)
    assert list(before.scores.index) == list(after.scores.index)  # the same units kept
    assert not np.allclose(before.treated.to_numpy(), after.treated.to_numpy(), equal_nan=True)


def test_invalid_order_is_refused_before_any_work(asem):
    with pytest.raises(
        MethodError, match="denominate, impute, screen, treat, normalise, aggregate"
    ):
        compute_index(asem.data, asem.imeta, order="impute,screen")


def test_meta_weights_are_refused_with_the_new_name(small_imeta):
    df = pd.DataFrame(np.arange(12.0).reshape(3, 4) + 1, columns=list("abcd"))
    with pytest.raises(MethodError, match="'framework'"):
        compute_index(df, small_imeta, weights="meta")
    a = compute_index(df, small_imeta, weights="framework")
    np.testing.assert_allclose(a.weights.to_numpy(), Tree.from_imeta(small_imeta).weights)


def test_labels_carry_parameters(small_imeta):
    df = pd.DataFrame(np.arange(12.0).reshape(3, 4) + 1, columns=list("abcd"))
    a = compute_index(df, small_imeta, normalise="minmax:1,100", aggregate="genmean:0.5")
    b = compute_index(
        df, small_imeta, normalise="minmax", normalise_params={"lo": 1, "hi": 100},
        aggregate="genmean", p=0.5,
    )  # fmt: skip
    np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())
    with pytest.raises(MethodError, match="once"):
        compute_index(df, small_imeta, normalise="minmax:1,100", normalise_params={"lo": 0})
