"""Tests of analysis.gaps on the shapes of real frameworks: EGDI (no economy), DESI/DTI (one
indicator per pillar)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import gaps as G
from analysis.errors import FrameworkError
from analysis.frameworks import framework_from_dict


# --------------------------------------------------------------------------- real-data shapes
def _two_pillar_framework(pillars=("government", "society"), k=2):
    inds = [
        dict(id=f"{p}_{j}", pillar=p, name_vi="x", name_en="x", unit="%", direction=1,
             kind="rate", goalposts=[0, 100], weight=1)
        for p in pillars for j in range(k)
    ]  # fmt: skip
    return framework_from_dict(
        {"id": "two", "pillars": [{"id": p} for p in pillars], "indicators": inds}
    )


def _two_pillar_scores(
    rng, pillars=("government", "society"), n_units=8, periods=("2022", "2023", "2024")
):
    rows = []
    for t, period in enumerate(periods):
        for u in range(n_units):
            for p in pillars:
                for j in range(2):
                    base = 0.3 + 0.05 * u + (0.04 * t if p == "government" else 0.0)
                    rows.append(dict(unit_code=f"C{u:02d}", period=period, level="indicator", name=f"{p}_{j}",
                                     value=base + rng.normal(0, 0.03), status="observed"))  # fmt: skip
    return pd.DataFrame(rows)


def test_framework_without_economy_egdi_shape():
    """EGDI-like: government and society only -> economy NaN, gap_mean = G - S, typology from it."""
    fw = _two_pillar_framework()
    sc = _two_pillar_scores(np.random.default_rng(8))
    g = G.compute_gaps(sc, fw, n_boot=300, seed=2)
    assert tuple(g.columns) == G.GAP_COLUMNS and len(g) == 24
    for c in ("economy", "gap_econ", "gap_econ_sel_lo", "gap_econ_sel_hi", "ratio_econ", "z_econ"):
        assert g[c].isna().all(), c
    assert g["rank_economy"].isna().all()
    np.testing.assert_allclose(g["gap_mean"], g["government"] - g["society"], atol=1e-15)
    np.testing.assert_allclose(g["gap_mean_sel_lo"], g["gap_soc_sel_lo"], atol=1e-12)
    assert (g["gap_mean_sel_lo"] <= g["gap_mean"]).all() and (
        g["gap_mean"] <= g["gap_mean_sel_hi"]
    ).all()
    assert g["typology"].notna().all() and g["typology_stability"].between(0, 1).all()
    lvl = (g["government"] + g["society"]) / 2  # mean level over the pillars there are
    exp = np.where(g["gap_mean"] >= 0.1 - 1e-9, "government_led",
                   np.where(g["gap_mean"] <= -0.1 + 1e-9, "economy_society_led",
                            np.where(lvl >= 0.5 - 1e-9, "balanced_high", "balanced_low")))  # fmt: skip
    assert list(g["typology"]) == list(exp)
    assert (
        g.attrs["comparison_pillars"] == ["society"]
        and "economy" in g.attrs["interval_notes"]["gap_econ"]
    )
    assert "gap_soc" not in g.attrs["interval_notes"]  # 2 indicators per pillar: intervals exist
    # contributions: econ NaN, mean sums to G - S
    c = G.compute_gap_contributions(sc, fw)
    assert c["contribution_econ"].isna().all()
    s = c.groupby(["unit_code", "period"])[["contribution_mean", "contribution_soc"]].sum()
    gi = g.set_index(["unit_code", "period"])
    np.testing.assert_allclose(s["contribution_mean"], gi.loc[s.index, "gap_mean"], atol=1e-12)
    np.testing.assert_allclose(s["contribution_soc"], gi.loc[s.index, "gap_soc"], atol=1e-12)
    # district functions: on the gap table and on tidy scores with pillar rows (no economy rows)
    pil = g.melt(id_vars=["unit_code", "period", "status"], value_vars=["government", "society"],
                 var_name="name", value_name="value").assign(level="pillar")  # fmt: skip
    tidy = pd.concat([sc, pil[list(sc.columns)]], ignore_index=True)
    for data in (
        g,
        tidy,
        g.drop(columns=["economy"])[["unit_code", "period", "government", "society", "status"]],
    ):
        t = G.test_pillar_gaps(data, n_boot=200).set_index(["period", "comparison"])
        assert (t.xs("government_vs_economy", level=1)["n"] == 0).all()
        assert t.xs("government_vs_economy", level=1)["p_value"].isna().all()
        assert (t.xs("government_vs_society", level=1)["n"] == 8).all()
        r = G.compute_pillar_correlations(data, n_boot=200).set_index(
            ["period", "pillar_x", "pillar_y"]
        )
        assert r.loc[("2024", "government", "society"), "rho"] > 0.8
        assert np.isnan(r.loc[("2024", "government", "economy"), "rho"])
        ineq = G.compute_inequality(data, n_boot=100).set_index(["period", "pillar"])
        assert ineq.loc[("2024", "economy"), "n"] == 0 and ineq.loc[("2024", "society"), "gini"] > 0
        conv = G.compute_convergence(data).set_index(["pillar", "kind"])
        assert (
            conv.loc[("economy", "beta_iv"), "n"] == 0
            and conv.loc[("society", "beta_iv"), "n"] == 8
        )
    tr = G.compute_trends(tidy).set_index(["unit_code", "series"])
    assert tr.loc[("district", "gap_mean"), "slope"] == pytest.approx(
        0.04, abs=0.01
    )  # planted G trend
    assert tr.loc[("district", "gap_mean"), "gap_closing"] == "widening"
    assert tr.loc[("C00", "economy"), "n_periods"] == 0 and pd.isna(
        tr.loc[("C00", "economy"), "trend"]
    )
    w = G.weakest_indicators(sc, fw, n=2)
    assert (
        set(w["pillar"]) <= {"government", "society"}
        and (w.groupby(["unit_code", "period"]).size() == 2).all()
    )


def test_framework_without_society_and_without_government():
    fw = _two_pillar_framework(("government", "economy"))
    sc = _two_pillar_scores(
        np.random.default_rng(9), ("government", "economy"), n_units=4, periods=("2024",)
    )
    g = G.compute_gaps(sc, fw, n_boot=100)
    np.testing.assert_allclose(g["gap_mean"], g["gap_econ"], atol=1e-15)
    assert g["society"].isna().all() and g["gap_soc"].isna().all()
    assert g.attrs["comparison_pillars"] == ["economy"]
    with pytest.raises(FrameworkError, match="'government' and at least one of"):
        G.compute_gaps(
            sc[sc["name"].str.startswith("economy")], _two_pillar_framework(("economy", "society"))
        )
    with pytest.raises(FrameworkError, match="at least one of 'economy', 'society'"):
        G.compute_gaps(sc[sc["name"].str.startswith("gov")], _two_pillar_framework(("government",)))


def test_single_indicator_pillars_give_point_gaps_without_intervals(make_framework, make_panel):
    """DESI-like (government 1, economy 1, society 2) and DTI-like (1, 1, 1): NaN intervals, noted."""
    rng = np.random.default_rng(5)
    desi = G.compute_gaps(make_panel(rng, 6, (1, 1, 2), {"government": 0.7, "economy": 0.4, "society": 0.5}),
                          make_framework((1, 1, 2)), n_boot=200)  # fmt: skip
    for gap in G.GAP_SERIES:
        assert desi[f"{gap}_sel_lo"].isna().all() and desi[f"{gap}_sel_hi"].isna().all(), gap
        assert "< 2 indicators" in desi.attrs["interval_notes"][gap]
    assert (
        "government (1)" in desi.attrs["interval_notes"]["gap_soc"]
        and "society" not in desi.attrs["interval_notes"]["gap_soc"]
    )
    assert desi["typology_stability"].isna().all() and (desi["typology"] == "government_led").all()
    np.testing.assert_allclose(desi["gap_econ"], desi["government"] - desi["economy"])
    # with 2+ indicators everywhere the rule does not fire
    full = G.compute_gaps(make_panel(rng, 6, (2, 2, 2), {"government": 0.7, "economy": 0.4, "society": 0.5}),
                          make_framework((2, 2, 2)), n_boot=200)  # fmt: skip
    assert full[["gap_econ_sel_lo", "gap_mean_sel_hi", "typology_stability"]].notna().all().all()
    assert full.attrs["interval_notes"] == {}
