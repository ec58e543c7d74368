"""Tests of analysis.composite.steps and .weights: JRC treatment, imputation, screening, weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.composite import (
    Tree,
    compute_weights,
    impute,
    screen_units,
    skew,
    treat_outliers,
)
from analysis.errors import MethodError


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


def test_weights_schemes_and_pca(small_imeta):
    t = Tree.from_imeta(small_imeta)
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
