"""Known-answer tests for analysis.composite (COINr reference, hand-computed panels)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import config
from analysis.composite import (
    Tree,
    aggregate_tree,
    compute_diagnostics,
    compute_index,
    compute_scores,
    compute_weights,
    denominate,
    effective_weights,
    get_preset,
    impute,
    kurt,
    load_coinr,
    normalise_array,
    normalise_variants,
    pillar_table,
    rank_array,
    screen_units,
    skew,
    treat_outliers,
)
from analysis.composite.pipeline import framework_imeta, parse_normalise_spec, parse_treat_spec
from analysis.errors import AnalysisError, FrameworkError, MethodError

ASEM = config.SHARED_DATASETS / "asem"
needs_asem = pytest.mark.skipif(
    not (ASEM / "ASEM_iData.csv").exists(), reason="shared ASEM dataset not available"
)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def asem():
    if not (ASEM / "ASEM_iData.csv").exists():
        pytest.skip("shared ASEM dataset not available")
    return load_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")


@pytest.fixture(scope="module")
def reference():
    path = ASEM / "reference" / "P2_minmax_amean.csv"
    if not path.exists():
        pytest.skip("ASEM reference output not available")
    return pd.read_csv(path, dtype={"uCode": str}).set_index("uCode")


def small_imeta() -> pd.DataFrame:
    """Index <- {P1 <- a, b ; P2 <- c} ; plus d directly under Index (skips a level)."""
    return pd.DataFrame(
        {
            "Level": [1, 1, 1, 1, 2, 2, 3],
            "iCode": ["a", "b", "c", "d", "P1", "P2", "Index"],
            "Parent": ["P1", "P1", "P2", "Index", "Index", "Index", None],
            "Type": ["Indicator"] * 4 + ["Aggregate"] * 3,
            "Direction": [1, -1, 1, 1, 1, 1, 1],
            "Weight": [2, 1, 1, 1, 1, 2, 1],
        }
    )


# --------------------------------------------------------------------------- COINr reference
def test_reference_json_describes_the_calls_we_reproduce():
    meta_path = ASEM / "reference" / "P2_minmax_amean.json"
    if not meta_path.exists():
        pytest.skip("reference json not available")
    meta = json.loads(meta_path.read_text())
    calls = " ".join(meta["calls"])
    assert "n_minmax" in calls and "c(0, 100)" in calls and "a_amean" in calls


def test_asem_minmax_amean_matches_coinr_to_1e9(asem, reference):
    res = compute_index(
        asem.data,
        asem.imeta,
        normalise="minmax",
        normalise_params={"lo": 0, "hi": 100},
        aggregate="arithmetic",
        weights="meta",
    )
    out = res.to_frame().set_index("uCode")
    assert list(out.columns) == list(reference.columns)
    out = out.loc[reference.index]
    got = out.to_numpy(dtype=float)
    ref = reference.to_numpy(dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    assert np.isnan(ref).sum() == 63
    np.testing.assert_allclose(got[~np.isnan(ref)], ref[~np.isnan(ref)], rtol=0, atol=1e-9)


def test_asem_cli_writes_the_reference_table(asem, reference, tmp_path):
    from analysis.cli import main

    out = tmp_path / "scores.csv"
    rc = main(
        [
            "index",
            "--idata",
            str(ASEM / "ASEM_iData.csv"),
            "--imeta",
            str(ASEM / "ASEM_iMeta.csv"),
            "--normalise",
            "minmax:0,100",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    got = pd.read_csv(out, dtype={"uCode": str}).set_index("uCode").loc[reference.index]
    assert list(got.columns) == list(reference.columns)
    assert (got["Index_rank"] == reference["Index_rank"]).all()
    np.testing.assert_allclose(got.to_numpy(float), reference.to_numpy(float), atol=1e-9)


def test_cli_geometric_on_zero_values_fails_with_a_fix(asem, tmp_path, capsys):
    from analysis.cli import main

    args = [
        "index",
        "--idata",
        str(ASEM / "ASEM_iData.csv"),
        "--imeta",
        str(ASEM / "ASEM_iMeta.csv"),
        "--aggregate",
        "geometric",
    ]
    rc = main([*args, "--out", str(tmp_path / "x.csv")])
    assert rc == 2
    assert "minmax:1,100" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    rc = main(
        [
            *args,
            "--normalise",
            "minmax:1,100",
            "--treat",
            "jrc:5",
            "--impute",
            "mean-by:GDP_group",
            "--out",
            str(tmp_path / "g.csv"),
        ]
    )
    assert rc == 0
    g = pd.read_csv(tmp_path / "g.csv")
    assert g["Index_rank"].min() == 1 and g["Index"].between(1, 100).all()


def test_load_coinr_structure(asem):
    t = asem.tree
    assert t.n_indicators == 49 and t.root == "Index"
    assert t.aggregates[:8] == (
        "ConEcFin",
        "Environ",
        "Instit",
        "P2P",
        "Physical",
        "Political",
        "Social",
        "SusEcFin",
    )
    assert t.children("Sust") == ("Environ", "Social", "SusEcFin")
    assert asem.groups == ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    assert asem.denominators == ["Area", "Energy", "GDP", "Population"]
    assert asem.data.index[0] == "AUT" and isinstance(asem.data.index[0], str)
    assert t.directions[t.indicators.index("CostImpEx")] == -1


def test_denominate_asem(asem):
    d = denominate(asem.data, asem.imeta)
    np.testing.assert_allclose(d["Flights"], asem.data["Flights"] / asem.data["Population"])
    np.testing.assert_allclose(d["LPI"], asem.data["LPI"])  # no denominator


def test_load_coinr_errors(tmp_path):
    (tmp_path / "d.csv").write_text("uName,x\nA,1\n")
    (tmp_path / "m.csv").write_text("Level,iCode,Parent,Type\n1,x,I,Indicator\n2,I,,Aggregate\n")
    with pytest.raises(AnalysisError, match="uCode"):
        load_coinr(tmp_path / "d.csv", tmp_path / "m.csv")
    (tmp_path / "d.csv").write_text("uCode,x\nA,abc\n")
    with pytest.raises(AnalysisError, match="not a number"):
        load_coinr(tmp_path / "d.csv", tmp_path / "m.csv")


# --------------------------------------------------------------------------- tree
def test_tree_any_depth_and_order():
    t = Tree.from_imeta(small_imeta())
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
def test_tree_errors_name_the_fix(change, match):
    m = small_imeta()
    for k, v in change.items():
        m[k] = v
    with pytest.raises(FrameworkError, match=match):
        Tree.from_imeta(m)


def test_effective_weights_known():
    t = Tree.from_imeta(small_imeta())
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


def test_jrc_winsorises_the_extreme_point_coinr_vignette():
    x = np.array([*range(1, 11), 30, 100.0])
    df = pd.DataFrame({"x": x}, index=[f"u{i}" for i in range(12)])
    out, det, pts = treat_outliers(df, ["x"], winmax=5)
    # 100 fails (skew 3.06, kurt 9.74); winsorised to the next value 30, then it passes
    assert out["x"].tolist() == [*range(1, 11), 30.0, 30.0]
    assert (
        det.loc[0, "treatment"] == "winsorised"
        and det.loc[0, "nwin"] == 1
        and bool(det.loc[0, "pass1"])
    )
    assert pts.to_dict("records") == [
        {"unit": "u11", "iCode": "x", "old": 100.0, "new": 30.0, "how": "winhi"}
    ]


def test_jrc_low_side_and_log_fallback():
    # negative skew -> winsorise low end
    x = -np.array([*range(1, 11), 30, 100.0])
    out, det, pts = treat_outliers(pd.DataFrame({"x": x}), ["x"])
    assert out["x"].min() == -30 and pts["how"].tolist() == ["winlo"]
    # winmax=1 cannot fix a heavy tail -> log_CT of the ORIGINAL column
    y = np.round(np.exp(np.random.default_rng(0).normal(0, 2, size=30)), 3)  # skew 2.40, kurt 5.39
    out, det, pts = treat_outliers(pd.DataFrame({"y": y}), ["y"], winmax=1)
    assert (
        det.loc[0, "treatment"] == "log_CT" and det.loc[0, "nwin"] == 1 and not det.loc[0, "pass1"]
    )
    np.testing.assert_allclose(out["y"], np.log(y - y.min() + 0.01 * (y.max() - y.min())))
    assert len(pts) == 30 and set(pts["how"]) == {"log_CT"}
    assert det.loc[0, "skew2"] == pytest.approx(float(skew(out["y"].to_numpy(), axis=0)))
    # passing column untouched, short column skipped
    z = pd.DataFrame({"z": [1.0, 2, 3, 4, 5], "s": [1.0, 100, np.nan, np.nan, np.nan]})
    out, det, _ = treat_outliers(z, ["z", "s"])
    assert out.equals(z) and det["treatment"].tolist() == ["none", "skipped (fewer than 4 values)"]


def test_winsorise_ties_count_as_coinr():
    # two tied maxima are winsorised together and count as 2 points
    x = np.array([*range(1, 15), 500.0, 500.0])
    out, det, pts = treat_outliers(pd.DataFrame({"x": x}), ["x"], winmax=5)
    assert det.loc[0, "nwin"] == 2 and out["x"].max() == 14 and len(pts) == 2


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
def test_aggregate_known_values_and_missing_children():
    t = Tree.from_imeta(small_imeta())
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


def test_aggregate_geometric_harmonic_genmean_known():
    t = Tree.from_imeta(small_imeta())
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


def test_aggregate_nonpositive_handling():
    t = Tree.from_imeta(small_imeta())
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


def test_batched_variants_equal_loop():
    rng = np.random.default_rng(3)
    t = Tree.from_imeta(small_imeta())
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


# --------------------------------------------------------------------------- steps
def test_impute_methods():
    df = pd.DataFrame(
        {
            "g": ["A", "A", "B", "B"],
            "x": [1.0, np.nan, 10.0, 30.0],
            "y": [np.nan, 2.0, 4.0, np.nan],
        },
        index=["u1", "u2", "u3", "u4"],
    )
    out, mask = impute(df, ["x", "y"], "mean")
    assert out.loc["u2", "x"] == pytest.approx(41 / 3) and out.loc["u1", "y"] == 3.0
    assert mask.to_numpy().sum() == 3
    out, _ = impute(df, ["x", "y"], "median")
    assert out.loc["u2", "x"] == 10.0
    out, mask = impute(df, ["x", "y"], "mean-by:g")
    assert out.loc["u2", "x"] == 1.0 and out.loc["u4", "y"] == 4.0 and out.loc["u1", "y"] == 2.0
    panel = pd.DataFrame(
        {
            "unit": ["a", "a", "a", "b"],
            "period": ["2022H2", "2022H1", "2023H1", "2022H1"],
            "x": [np.nan, 5.0, np.nan, np.nan],
        }
    )
    out, mask = impute(panel, ["x"], "locf", unit_col="unit", time_col="period")
    assert out["x"].tolist()[:3] == [5.0, 5.0, 5.0] and np.isnan(out["x"].iloc[3])
    assert mask["x"].tolist() == [True, False, True, False]
    with pytest.raises(MethodError, match="unknown imputation"):
        impute(df, ["x"], "knn")


def test_screen_units_report():
    df = pd.DataFrame(
        {"a": [1, np.nan, 1], "b": [1, np.nan, np.nan], "c": [1, 1, 1]},
        index=["u1", "u2", "u3"],
        dtype=float,
    )
    kept, rep = screen_units(df, ["a", "b", "c"], 0.6)
    assert kept.index.tolist() == ["u1", "u3"]
    assert rep["is_kept"].tolist() == [True, False, True]
    np.testing.assert_allclose(rep["availability"], [1, 1 / 3, 2 / 3])


def test_weights_schemes_and_pca():
    t = Tree.from_imeta(small_imeta())
    assert compute_weights(t, "dti", points={"P1": 400, "P2": 300}).tolist() == [
        1,
        1,
        1,
        1,
        400,
        300,
        1,
    ]
    with pytest.raises(MethodError, match="unknown weight"):
        compute_weights(t, "magic")
    rng = np.random.default_rng(4)
    f = rng.normal(size=50)
    X = np.column_stack(
        [
            f + 0.1 * rng.normal(size=50),
            f + 0.5 * rng.normal(size=50),
            rng.normal(size=50),
            rng.normal(size=50),
        ]
    )
    w = compute_weights(t, "pca", data=X)
    Z = (X[:, :2] - X[:, :2].mean(0)) / X[:, :2].std(0, ddof=1)
    evals, evecs = np.linalg.eigh(np.corrcoef(Z.T))
    pc1 = evecs[:, -1] * np.sign(evecs[:, -1].sum())
    np.testing.assert_allclose(w[:2], pc1, atol=1e-10)
    assert w[2] == 1.0  # single child


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


def test_spec_parsers():
    assert parse_normalise_spec("minmax") == ("minmax", {})
    assert parse_normalise_spec("zscore:10,2") == ("zscore", {"mean": 10.0, "sd": 2.0})
    assert parse_treat_spec("jrc") == ("jrc", 5) and parse_treat_spec("none") == ("none", 5)
    with pytest.raises(MethodError):
        parse_normalise_spec("rank:1,2")


# --------------------------------------------------------------------------- tidy commune path
GOV = [
    "gov_level4_services_pct",
    "gov_online_dossier_pct",
    "gov_ontime_dossier_pct",
    "gov_edocument_pct",
    "gov_digital_signature_pct",
    "gov_staff_digital_skills_pct",
]
ECON = {
    "econ_cashless_merchants_pct": 80.0,  # /100 -> 0.8
    "econ_ecommerce_retail_pct": 20.0,  # goalposts [0, 40] -> 0.5
    "econ_ocop_online_pct": 0.0,  # 0
    "econ_einvoice_pct": 100.0,  # 1
    "econ_sme_platform_pct": 50.0,  # 0.5
    "econ_digital_workforce_pct": 12.0,  # goalposts [0, 10] -> clipped to 1
}
SOC = [
    "soc_smartphone_adults_pct",
    "soc_payment_account_pct",
    "soc_fibre_households_pct",
    "soc_vneid_activated_pct",
    "soc_digital_skills_pct",
    "soc_ehealth_record_pct",
    "soc_cdt_team_villages_pct",
]
UNITS = pd.DataFrame(
    {
        "unit_code": ["20500", "20503"],
        "population": [17493, 3247],
        "households": [4963, 1019],
        "former_district": ["X", "X"],
    }
)


def _tiny_panel() -> pd.DataFrame:
    rows = []

    def add(u, per, ind, v, status="observed"):
        rows.append(
            {
                "unit_code": u,
                "period": per,
                "indicator": ind,
                "value": v,
                "status": status,
                "source": "test",
            }
        )

    for per in ("2024H1", "2024H2"):
        # unit 20500: government 10..60 -> 0.35 ; economy 0.6 ; society 0.7 ; index 0.55
        for k, ind in enumerate(GOV):
            add("20500", per, ind, 10.0 * (k + 1), "estimated" if k == 0 else "observed")
        for ind, v in ECON.items():
            add("20500", per, ind, v)
        add(
            "20500", per, "econ_online_shops_per_1000hh", 4963 * 20 / 1000
        )  # 20 per 1,000 households -> 0.4
        for ind in SOC:
            add("20500", per, ind, 70.0)
        # unit 20503: government 1.0 ; economy without OCOP 4.2/6 = 0.7 ; society 0.4 (H1) ; index 0.7
        for ind in GOV:
            add("20503", per, ind, 100.0 if per == "2024H1" else 0.0)
        for ind, v in ECON.items():
            if ind != "econ_ocop_online_pct":
                add("20503", per, ind, v)
        add("20503", per, "econ_online_shops_per_1000hh", 1019 * 20 / 1000)
        for ind in SOC:
            add(
                "20503",
                per,
                ind,
                40.0 if per == "2024H1" else 5.0,
                "synthetic" if ind == SOC[0] else "observed",
            )
    return pd.DataFrame(rows)


def test_commune_tidy_known_answers():
    scores, report = compute_scores(_tiny_panel(), units=UNITS, return_report=True)
    assert list(scores.columns) == ["unit_code", "period", "level", "name", "value", "status"]
    assert set(scores["level"]) == {"indicator", "pillar", "index"}
    wide = pillar_table(scores).set_index(["unit_code", "period"])
    assert list(wide.columns) == ["government", "economy", "society", "index", "status"]
    np.testing.assert_allclose(
        wide.loc[("20500", "2024H1"), ["government", "economy", "society", "index"]].to_numpy(
            float
        ),
        [0.35, 0.6, 0.7, 0.55],
    )
    np.testing.assert_allclose(
        wide.loc[("20503", "2024H1"), ["government", "economy", "society", "index"]].to_numpy(
            float
        ),
        [1.0, 0.7, 0.4, 0.7],
    )
    # fixed goalposts: 20500 is unchanged between periods although 20503 moved a lot
    np.testing.assert_allclose(
        wide.loc[("20500", "2024H2")].iloc[:4].to_numpy(float), [0.35, 0.6, 0.7, 0.55]
    )
    # statuses: worst input status
    assert wide.loc[("20500", "2024H1"), "status"] == "estimated"
    assert wide.loc[("20503", "2024H1"), "status"] == "synthetic"
    ind = scores.set_index(["unit_code", "period", "name"])
    assert ind.loc[("20500", "2024H1", "government"), "status"] == "estimated"
    assert ind.loc[("20500", "2024H1", "economy"), "status"] == "observed"
    assert ind.loc[("20500", "2024H1", "econ_online_shops_per_1000hh"), "value"] == pytest.approx(
        0.4
    )
    assert ("20503", "2024H1", "econ_ocop_online_pct") not in ind.index
    clipped = report["clipped"]
    assert set(clipped["indicator"]) == {"econ_digital_workforce_pct"} and len(clipped) == 4


def test_commune_tidy_imputation_and_weights():
    scores = compute_scores(_tiny_panel(), units=UNITS, impute="mean")
    ind = scores.set_index(["unit_code", "period", "name"])
    assert ind.loc[("20503", "2024H1", "econ_ocop_online_pct"), "status"] == "imputed"
    assert ind.loc[("20503", "2024H1", "economy"), "value"] == pytest.approx(0.6)
    assert ind.loc[("20503", "2024H1", "economy"), "status"] == "imputed"
    dti = pillar_table(compute_scores(_tiny_panel(), units=UNITS, weights="dti")).set_index(
        ["unit_code", "period"]
    )
    assert dti.loc[("20500", "2024H1"), "index"] == pytest.approx(
        0.4 * 0.35 + 0.3 * 0.6 + 0.3 * 0.7
    )
    # locf: drop one H2 value of 20500 -> carried from H1, marked imputed
    panel = _tiny_panel()
    panel = panel[
        ~(
            (panel["unit_code"] == "20500")
            & (panel["period"] == "2024H2")
            & (panel["indicator"] == GOV[1])
        )
    ]
    locf = compute_scores(panel, units=UNITS, impute="locf").set_index(
        ["unit_code", "period", "name"]
    )
    assert locf.loc[("20500", "2024H2", GOV[1]), "value"] == pytest.approx(0.2)
    assert locf.loc[("20500", "2024H2", GOV[1]), "status"] == "imputed"
    by = compute_scores(_tiny_panel(), units=UNITS, impute="mean-by:former_district").set_index(
        ["unit_code", "period", "name"]
    )
    assert by.loc[("20503", "2024H1", "econ_ocop_online_pct"), "value"] == 0.0


def test_commune_tidy_minmax_per_period_and_geometric():
    s = pillar_table(compute_scores(_tiny_panel(), units=UNITS, normalise="minmax")).set_index(
        ["unit_code", "period"]
    )
    # two units: every indicator present for both is 0 or 1; government 20503 > 20500 in H1 only
    assert (
        s.loc[("20503", "2024H1"), "government"] == 1.0
        and s.loc[("20503", "2024H2"), "government"] == 0.0
    )
    g = pillar_table(compute_scores(_tiny_panel(), units=UNITS, aggregate="geometric")).set_index(
        ["unit_code", "period"]
    )
    a = pillar_table(compute_scores(_tiny_panel(), units=UNITS)).set_index(["unit_code", "period"])
    assert (g["index"] <= a["index"] + 1e-12).all()


def test_commune_preset_on_wide_data():
    preset = get_preset("commune")
    imeta = preset.imeta
    assert {"goalpost_lower", "goalpost_upper"} <= set(imeta.columns)
    inds = imeta.loc[imeta["Type"] == "Indicator", "iCode"].tolist()
    wide = pd.DataFrame({i: [50.0, 100.0] for i in inds}, index=["20500", "20503"])
    res = preset.run(wide)
    assert (
        res.scores.loc["20503", "government"] == 1.0
        and res.scores.loc["20500", "government"] == 0.5
    )
    assert res.ranks.tolist() == [2.0, 1.0]
    with pytest.raises(MethodError, match="unknown preset"):
        get_preset("nope")


def test_framework_imeta_has_goalposts_for_every_indicator():
    from analysis.frameworks import load_framework

    m = framework_imeta(load_framework())
    ind = m[m["Type"] == "Indicator"]
    assert ind["goalpost_upper"].gt(ind["goalpost_lower"]).all() and len(ind) == 20


def test_demo_panel_runs_and_stays_synthetic():
    path = config.DEMO_OBSERVATIONS
    if not path.exists():
        pytest.skip("demo panel not built")
    from analysis.io import load_observations

    obs = load_observations(path, validate=False)
    scores = compute_scores(obs)
    assert set(scores["status"]) == {"synthetic"}
    tab = pillar_table(scores)
    assert tab[["government", "economy", "society", "index"]].stack().between(0, 1).all()
