"""Tests of analysis.gaps.decomposition: contributions, weakest indicators, distance to targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import gaps as G
from analysis.errors import ParameterError

PILLARS = G.PILLARS


# --------------------------------------------------------------------------- decomposition
def test_contributions_sum_exactly_to_gaps(make_framework, make_panel):
    rng = np.random.default_rng(3)
    fw = make_framework((3, 4, 2), weights={"government_0": 2, "economy_3": 0.5})
    sc = make_panel(
        rng,
        5,
        (3, 4, 2),
        {"government": 0.6, "economy": 0.4, "society": 0.5},
        sd=0.1,
        periods=("2024H1", "2024H2"),
    )
    sc.loc[3, "value"] = np.nan
    c = G.compute_gap_contributions(sc, fw)
    g = G.compute_gaps(sc, fw, n_boot=20).set_index(["unit_code", "period"])
    sums = c.groupby(["unit_code", "period"])[
        ["contribution_econ", "contribution_soc", "contribution_mean"]
    ].sum()
    for src, dst in (
        ("contribution_econ", "gap_econ"),
        ("contribution_soc", "gap_soc"),
        ("contribution_mean", "gap_mean"),
    ):
        np.testing.assert_allclose(sums[src], g.loc[sums.index, dst], atol=1e-12)
    wsum = c.groupby(["unit_code", "period", "pillar"])["weighted_value"].sum()
    np.testing.assert_allclose(
        wsum.to_numpy(),
        c.groupby(["unit_code", "period", "pillar"])["pillar_score"].first().to_numpy(),
    )
    np.testing.assert_allclose(
        c.groupby(["unit_code", "period", "pillar"])["deviation"].sum(), 0.0, atol=1e-12
    )
    np.testing.assert_allclose(c.groupby(["unit_code", "period", "pillar"])["weight"].sum(), 1.0)
    assert len(c) == len(sc) - 1  # the missing indicator is omitted


def test_contribution_hand_values(make_framework, make_scores):
    fw = make_framework((2, 1, 1), weights={"government_0": 3})
    c = G.compute_gap_contributions(
        make_scores(
            {"1": {"government_0": 0.8, "government_1": 0.4, "economy_0": 0.3, "society_0": 0.5}}
        ),
        fw,
    ).set_index("indicator")
    assert c.at["government_0", "weight"] == 0.75 and c.at[
        "government_0", "weighted_value"
    ] == pytest.approx(0.6)
    assert c.at["government_0", "deviation"] == pytest.approx(0.75 * (0.8 - 0.7))
    assert (
        c.at["economy_0", "contribution_econ"] == pytest.approx(-0.3)
        and c.at["economy_0", "contribution_soc"] == 0
    )
    assert c.at["society_0", "contribution_mean"] == pytest.approx(-0.25)


def test_weakest_indicators_relative_to_district_median(make_framework, make_scores):
    fw = make_framework((2, 2, 2))
    base = {f"{p}_{j}": 0.5 for p in PILLARS for j in range(2)}
    vals = {str(u): dict(base) for u in range(5)}
    vals["0"].update(economy_1=0.1, society_0=0.3, government_1=0.45, economy_0=0.6)
    w = G.weakest_indicators(make_scores(vals), fw, n=3)
    w0 = w[w["unit_code"] == "0"]
    assert list(w0["indicator"]) == ["economy_1", "society_0", "government_1"]
    assert list(w0["rank"]) == [1, 2, 3]
    np.testing.assert_allclose(w0["shortfall"], [-0.4, -0.2, -0.05])
    assert (w0["district_value"] == 0.5).all()
    w1 = G.weakest_indicators(make_scores(vals), fw, n=2, pillars=["economy", "society"])
    assert (
        set(w1["pillar"]) <= {"economy", "society"} and (w1.groupby("unit_code").size() == 2).all()
    )
    with pytest.raises(ParameterError):
        G.weakest_indicators(make_scores(vals), fw, reference="mode")


def test_distance_to_targets_direction_aware(make_framework):
    extra = [
        dict(id="up", pillar="society", name_vi="x", name_en="x", unit="%", direction=1, kind="rate", goalposts=[0, 100], weight=1,
             target_2025=80, target_2030=95, target_source="749/QĐ-TTg"),
        dict(id="down", pillar="economy", name_vi="x", name_en="x", unit="days", direction=-1, kind="score", goalposts=[0, 20], weight=1,
             target_2025=5, target_source="test"),
    ]  # fmt: skip
    fw = make_framework((1, 1, 1), extra=extra)
    obs = pd.DataFrame({"unit_code": ["1", "1", "2", "2"], "period": "2024H2", "indicator": ["up", "down", "up", "down"],
                        "value": [70.0, 8.0, 85.0, 4.0], "status": ["observed", "observed", "estimated", "observed"], "source": "x"})  # fmt: skip
    d = G.distance_to_targets(obs, fw)
    assert list(d.columns) == [
        "unit_code",
        "period",
        "indicator",
        "pillar",
        "target_year",
        "target",
        "value",
        "distance",
        "distance_norm",
        "is_met",
        "status",
    ]
    r = d.set_index(["unit_code", "indicator", "target_year"])
    assert r.at[("1", "up", 2025), "distance"] == -10 and not r.at[("1", "up", 2025), "is_met"]
    assert r.at[("1", "up", 2030), "distance"] == -25
    assert (
        r.at[("1", "down", 2025), "distance"] == -3
    )  # 8 days against a ceiling of 5: 3 days short
    assert r.at[("1", "down", 2025), "distance_norm"] == pytest.approx(-3 / 20)
    assert r.at[("2", "down", 2025), "distance"] == 1 and r.at[("2", "down", 2025), "is_met"]
    assert r.at[("2", "up", 2025), "status"] == "estimated"
    assert ("1", "down", 2030) not in r.index  # no 2030 target
    # normalised scale: the same answers on 0..1
    sc = pd.DataFrame({"unit_code": ["1", "1"], "period": "2024H2", "level": "indicator", "name": ["up", "down"],
                       "value": [0.70, 1 - 8 / 20], "status": "synthetic"})  # fmt: skip
    with pytest.raises(ParameterError, match="normalised"):
        G.distance_to_targets(sc, fw)
    dn = G.distance_to_targets(sc, fw, scale="normalised", years=[2025]).set_index("indicator")
    assert dn.at["up", "distance"] == pytest.approx(-0.10) and dn.at[
        "down", "distance"
    ] == pytest.approx(-0.15)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

_unit = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(arrays(float, (3, 9), elements=_unit), arrays(float, 9, elements=st.floats(0.1, 5.0)))
def test_property_contributions_always_sum_to_gaps(make_framework, make_scores, x, w):
    fw = make_framework(
        (3, 3, 3),
        weights={f"{p}_{j}": float(w[3 * i + j]) for i, p in enumerate(PILLARS) for j in range(3)},
    )
    vals = {
        str(u): {
            f"{p}_{j}": float(x[u, 3 * i + j]) for i, p in enumerate(PILLARS) for j in range(3)
        }
        for u in range(3)
    }
    sc = make_scores(vals)
    c = (
        G.compute_gap_contributions(sc, fw)
        .groupby("unit_code")[["contribution_econ", "contribution_mean"]]
        .sum()
    )
    g = G.compute_gaps(sc, fw, n_boot=10).set_index("unit_code")
    np.testing.assert_allclose(c["contribution_econ"], g.loc[c.index, "gap_econ"], atol=1e-12)
    np.testing.assert_allclose(c["contribution_mean"], g.loc[c.index, "gap_mean"], atol=1e-12)
    # an interval is ordered, or NaN where the resampled gaps have no spread (degenerate)
    lo, hi = g["gap_econ_sel_lo"], g["gap_econ_sel_hi"]
    assert ((lo <= hi) | (lo.isna() & hi.isna())).all()
