"""Tests of analysis.gaps.commune (compute_gaps) on constructed data where the answer is known."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from analysis import gaps as G
from analysis.errors import AnalysisError, DataValidationError, FrameworkError, ParameterError
from analysis.frameworks import framework_from_dict

PILLARS = G.PILLARS
PERIODS = ("2022H1", "2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1")


# --------------------------------------------------------------------------- compute_gaps
def test_gap_table_contract_and_known_values(make_framework, make_scores):
    fw = make_framework((2, 2, 2), weights={"government_0": 3})
    vals = {
        "20500": {
            "government_0": 0.8,
            "government_1": 0.4,
            "economy_0": 0.3,
            "economy_1": 0.5,
            "society_0": 0.6,
            "society_1": 0.4,
        },
        "20503": {
            "government_0": 0.5,
            "government_1": 0.5,
            "economy_0": 0.5,
            "economy_1": np.nan,
            "society_0": 0.2,
            "society_1": 0.4,
        },
    }
    g = G.compute_gaps(make_scores(vals), fw, n_boot=500, seed=1)
    assert tuple(g.columns) == G.GAP_COLUMNS
    assert g["unit_code"].map(type).eq(str).all()
    a = g.set_index("unit_code")
    assert a.at["20500", "government"] == pytest.approx((3 * 0.8 + 0.4) / 4)  # weighted: 0.7
    assert a.at["20500", "economy"] == pytest.approx(0.4)
    assert a.at["20503", "economy"] == pytest.approx(
        0.5
    )  # missing indicator dropped, weights renormalised
    assert a.at["20500", "gap_econ"] == pytest.approx(0.3)
    assert a.at["20500", "gap_soc"] == pytest.approx(0.2)
    assert a.at["20500", "gap_mean"] == pytest.approx(0.25)
    assert a.at["20500", "ratio_econ"] == pytest.approx(0.7 / 0.4)
    assert a.at["20500", "rank_government"] == 1 and a.at["20503", "rank_government"] == 2
    assert a.at["20503", "rank_society"] == 2
    # z across two units: +-1/sqrt(2)
    assert a.at["20500", "z_econ"] == pytest.approx(1 / math.sqrt(2))
    full = a.loc["20500"]
    assert full["gap_econ_sel_lo"] <= full["gap_econ"] <= full["gap_econ_sel_hi"]
    assert full["gap_mean_sel_lo"] <= full["gap_mean"] <= full["gap_mean_sel_hi"]
    # 20503 has one economy indicator left: no interval for the gaps involving economy, point gap only
    part = a.loc["20503"]
    assert np.isnan(part["gap_econ_sel_lo"]) and np.isnan(part["gap_econ_sel_hi"])
    assert np.isnan(part["gap_mean_sel_lo"]) and np.isnan(part["typology_stability"])
    assert part["gap_soc_sel_lo"] <= part["gap_soc"] <= part["gap_soc_sel_hi"]
    assert part["gap_econ"] == pytest.approx(0.0) and part["gap_mean"] == pytest.approx(0.1)
    assert part["typology"] == "government_led"  # still classified from the point gap
    assert (
        "1 row" in g.attrs["interval_notes"]["gap_econ"]
        and "gap_soc" not in g.attrs["interval_notes"]
    )
    assert set(g["status"]) == {"synthetic"}
    assert g.attrs["n_boot"] == 500 and g.attrs["level"] == 0.90


def test_reported_pillar_rows_are_used_and_intervals_recentred(make_framework, make_scores):
    fw = make_framework((2, 2, 2))
    vals = {
        "1": {
            "government_0": 0.8,
            "government_1": 0.6,
            "economy_0": 0.3,
            "economy_1": 0.5,
            "society_0": 0.4,
            "society_1": 0.6,
        }
    }
    sc = make_scores(vals)
    plain = G.compute_gaps(sc, fw, n_boot=300, seed=3)
    pil = pd.DataFrame(
        [
            dict(
                unit_code="1", period="2024H1", level="pillar", name=p, value=v, status="synthetic"
            )
            for p, v in zip(PILLARS, (0.65, 0.35, 0.5), strict=True)
        ]
    )
    rep = G.compute_gaps(pd.concat([sc, pil]), fw, n_boot=300, seed=3)
    assert rep.at[0, "government"] == 0.65 and rep.at[0, "gap_econ"] == pytest.approx(0.30)
    # reported G-E = 0.30 vs recomputed 0.30; G-S = 0.15 vs 0.20 -> interval shifted by -0.05
    assert rep.at[0, "gap_soc_sel_lo"] == pytest.approx(plain.at[0, "gap_soc_sel_lo"] - 0.05)
    assert rep.at[0, "gap_soc_sel_hi"] == pytest.approx(plain.at[0, "gap_soc_sel_hi"] - 0.05)


def test_exact_no_gap_intervals_cover_zero(make_framework, make_scores):
    # every commune's government, economy and society indicators are permutations of the same values
    rng = np.random.default_rng(11)
    fw = make_framework((5, 5, 5))
    vals = {}
    for u in range(18):
        base = rng.uniform(0.2, 0.8, 5)
        vals[str(20500 + u)] = {
            f"{p}_{j}": v for p in PILLARS for j, v in enumerate(rng.permutation(base))
        }
    g = G.compute_gaps(make_scores(vals), fw, n_boot=2000, seed=5)
    for c in G.GAP_SERIES:
        np.testing.assert_allclose(g[c], 0.0, atol=1e-12)
        assert (g[f"{c}_sel_lo"] < 0).all() and (g[f"{c}_sel_hi"] > 0).all()
    assert set(g["typology"]) <= {"balanced_high", "balanced_low"}


def test_no_gap_district_not_significant_and_intervals_cover_zero(make_framework, make_panel):
    rng = np.random.default_rng(2024)
    mu = {p: rng.uniform(0.3, 0.7, 18) for p in ("government",)}
    unit_level = mu["government"]
    sc = make_panel(rng, 18, (7, 7, 7), {p: unit_level for p in PILLARS}, sd=0.08)
    g = G.compute_gaps(sc, make_framework((7, 7, 7)), seed=7)
    cover = ((g["gap_econ_sel_lo"] <= 0) & (g["gap_econ_sel_hi"] >= 0)).mean()
    assert cover >= 0.8
    t = G.test_pillar_gaps(g, seed=7)
    assert list(t["comparison"]) == ["government_vs_economy", "government_vs_society"]
    assert (t["p_value"] > 0.10).all()
    assert ((t["rank_biserial_lo"] < 0) & (t["rank_biserial_hi"] > 0)).all()
    assert ((t["share_greater_lo"] < 0.5) & (t["share_greater_hi"] > 0.5)).all()


def test_planted_gap_found_with_right_sign_and_size(make_framework, make_panel):
    rng = np.random.default_rng(99)
    level = rng.uniform(0.3, 0.5, 18)
    sc = make_panel(
        rng,
        18,
        (7, 7, 7),
        {"government": level + 0.30, "economy": level, "society": level + 0.10},
        sd=0.05,
    )
    g = G.compute_gaps(sc, make_framework((7, 7, 7)), seed=1)
    assert g["gap_econ"].mean() == pytest.approx(0.30, abs=0.02)
    assert g["gap_soc"].mean() == pytest.approx(0.20, abs=0.02)
    assert g["gap_mean"].mean() == pytest.approx(0.25, abs=0.02)
    assert (g["gap_econ_sel_lo"] > 0.15).all() and (g["gap_soc_sel_lo"] > 0.05).all()
    assert ((g["gap_econ_sel_lo"] <= 0.30) & (g["gap_econ_sel_hi"] >= 0.30)).mean() >= 0.8
    assert (g["typology"] == "government_led").all()
    assert (g["typology_stability"] > 0.95).all()
    t = G.test_pillar_gaps(g, seed=1).set_index("comparison")
    r = t.loc["government_vs_economy"]
    assert r["p_value"] < 1e-4 and r["n"] == 18 and r["statistic"] == 0.0
    assert r["rank_biserial"] == 1.0 and r["share_greater"] == 1.0
    assert r["share_greater_lo"] == pytest.approx(18 / (18 + 1.6448536269514722**2))
    assert r["mean_diff"] == pytest.approx(0.30, abs=0.02)
    # the opposite sign is found too
    sc2 = make_panel(
        rng,
        18,
        (7, 7, 7),
        {"government": level, "economy": level + 0.2, "society": level + 0.2},
        sd=0.05,
    )
    g2 = G.compute_gaps(sc2, make_framework((7, 7, 7)), seed=1)
    assert (g2["gap_mean_sel_hi"] < 0).all() and (g2["typology"] == "economy_society_led").all()
    t2 = G.test_pillar_gaps(g2, seed=1)
    assert (t2["rank_biserial"] == -1.0).all() and (t2["share_greater"] == 0).all()


@pytest.mark.parametrize(
    ("gov", "econ", "soc", "expected"),
    [
        (0.625, 0.5, 0.5, "government_led"),  # gap_mean == +delta exactly -> government-led
        (0.6249, 0.5, 0.5, "balanced_high"),  # just below the edge, level 0.54 >= 0.5
        (0.5, 0.625, 0.625, "economy_society_led"),  # gap_mean == -delta exactly
        (0.5, 0.6249, 0.6249, "balanced_high"),
        (0.5, 0.5, 0.5, "balanced_high"),  # mean level == high exactly -> balanced-high
        (0.4375, 0.4375, 0.4375, "balanced_low"),
        (0.499, 0.499, 0.499, "balanced_low"),
        (
            0.7,
            0.6,
            0.6,
            "government_led",
        ),  # 0.7 - 0.6 = 0.0999...: the 1e-9 tolerance keeps it on the edge
    ],
)
def test_typology_thresholds_at_their_edges(gov, econ, soc, expected, make_framework, make_scores):
    fw = make_framework((1, 1, 1))
    sc = make_scores({"1": {"government_0": gov, "economy_0": econ, "society_0": soc}})
    delta = 0.1 if expected == "government_led" and gov == 0.7 else 0.125
    g = G.compute_gaps(sc, fw, n_boot=50, delta=delta, high=0.5)
    assert g.at[0, "typology"] == expected
    # one indicator per pillar: nothing to resample, so no interval and no stability (point only)
    assert np.isnan(g.at[0, "typology_stability"]) and np.isnan(g.at[0, "gap_mean_sel_lo"])
    g2 = G.compute_gaps(
        make_scores({"1": {f"{p}_{j}": v for p, v in zip(PILLARS, (gov, econ, soc), strict=True) for j in (0, 1)}}),
        make_framework((2, 2, 2)), n_boot=50, delta=delta, high=0.5,
    )  # fmt: skip
    assert g2.at[0, "typology"] == expected
    assert g2.at[0, "typology_stability"] == 1.0  # identical indicators: every resample agrees


def test_typology_stability_reflects_uncertainty(make_framework, make_scores):
    fw = make_framework((4, 4, 4))
    # government indicators straddle the threshold: some resamples are government-led, some not
    sc = make_scores({"1": {"government_0": 0.9, "government_1": 0.4, "government_2": 0.45, "government_3": 0.75,
                            "economy_0": 0.5, "economy_1": 0.5, "economy_2": 0.5, "economy_3": 0.5,
                            "society_0": 0.5, "society_1": 0.5, "society_2": 0.5, "society_3": 0.5}})  # fmt: skip
    g = G.compute_gaps(sc, fw, n_boot=2000, seed=3, delta=0.10)
    assert g.at[0, "gap_mean"] == pytest.approx(0.125) and g.at[0, "typology"] == "government_led"
    assert 0.3 < g.at[0, "typology_stability"] < 0.9


def test_status_is_worst_of_inputs_and_unknown_status_rejected(make_framework, make_scores):
    fw = make_framework((1, 1, 1))
    sc = make_scores(
        {
            "1": {"government_0": 0.6, "economy_0": 0.5, "society_0": 0.5},
            "2": {"government_0": 0.6, "economy_0": 0.5, "society_0": 0.5},
        },
        status="observed",
    )
    sc.loc[(sc["unit_code"] == "2") & (sc["name"] == "economy_0"), "status"] = "imputed"
    g = G.compute_gaps(sc, fw, n_boot=20).set_index("unit_code")
    assert g.at["1", "status"] == "observed" and g.at["2", "status"] == "imputed"
    assert G.test_pillar_gaps(g.reset_index(), n_boot=20)["status"].eq("imputed").all()
    sc.loc[0, "status"] = "guessed"
    with pytest.raises(DataValidationError, match="guessed"):
        G.compute_gaps(sc, fw, n_boot=20)


def test_bad_inputs_raise_analysis_errors(make_framework, make_scores):
    fw = make_framework((1, 1, 1))
    sc = make_scores({"1": {"government_0": 0.6, "economy_0": 0.5, "society_0": 0.5}})
    with pytest.raises(ParameterError, match="level"):
        G.compute_gaps(sc, fw, level=90)
    with pytest.raises(ParameterError, match="n_boot"):
        G.compute_gaps(sc, fw, n_boot=0)
    with pytest.raises(ParameterError, match="sel_method"):
        G.compute_gaps(sc, fw, sel_method="bca")
    with pytest.raises(DataValidationError, match="status"):
        G.compute_gaps(sc.drop(columns="status"), fw)
    with pytest.raises(DataValidationError, match="not in framework"):
        G.compute_gaps(make_scores({"1": {"nope": 0.1}}), fw)
    with pytest.raises(DataValidationError, match="duplicate"):
        G.compute_gaps(pd.concat([sc, sc.iloc[:1]]), fw)
    other = framework_from_dict(
        {
            "id": "x",
            "pillars": [{"id": "a"}],
            "indicators": [
                dict(
                    id="a1",
                    pillar="a",
                    name_vi="x",
                    name_en="x",
                    unit="%",
                    direction=1,
                    kind="rate",
                    goalposts=[0, 1],
                    weight=1,
                )
            ],
        }
    )
    with pytest.raises(FrameworkError, match="government"):
        G.compute_gaps(sc, other)
    assert issubclass(DataValidationError, AnalysisError)


def test_bootstrap_is_seeded_and_fast_for_the_district_panel(make_framework, make_panel):
    rng = np.random.default_rng(0)
    sc = make_panel(
        rng, 18, (6, 7, 7), {"government": 0.6, "economy": 0.4, "society": 0.45}, periods=PERIODS
    )
    fw = make_framework((6, 7, 7))
    t0 = time.perf_counter()
    a = G.compute_gaps(sc, fw, n_boot=2000, seed=42)
    elapsed = time.perf_counter() - t0
    b = G.compute_gaps(sc, fw, n_boot=2000, seed=42)
    c = G.compute_gaps(sc, fw, n_boot=2000, seed=43)
    assert len(a) == 18 * 7
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["gap_econ_sel_lo"], c["gap_econ_sel_lo"])
    assert elapsed < 2.0, f"18 communes x 7 periods x B=2000 took {elapsed:.2f}s"


@pytest.mark.parametrize(("k", "method"), [(7, "expanded"), (30, "percentile"), (30, "expanded")])
def test_bootstrap_ci_monte_carlo_coverage_near_nominal(k, method, make_framework, make_panel):
    # 2000 independent planted communes in one vectorised call; true gaps are known exactly
    rng = np.random.default_rng(1234 + k)
    mu = {"government": 0.6, "economy": 0.45, "society": 0.5}
    sc = make_panel(rng, 2000, (k, k, k), mu, sd=0.1)
    g = G.compute_gaps(sc, make_framework((k, k, k)), n_boot=2000, seed=k, sel_method=method)
    truth = {"gap_econ": 0.15, "gap_soc": 0.10, "gap_mean": 0.125}
    for c, v in truth.items():
        cover = ((g[f"{c}_sel_lo"] <= v) & (v <= g[f"{c}_sel_hi"])).mean()
        assert abs(cover - 0.90) < 0.035, f"{c}: coverage {cover:.3f} with K={k}, {method}"


def test_plain_percentile_undercovers_with_few_indicators(make_framework, make_panel):
    # documents why 'expanded' is the default: with K=5 the plain percentile interval is too narrow
    rng = np.random.default_rng(5)
    sc = make_panel(
        rng, 2000, (5, 5, 5), {"government": 0.6, "economy": 0.45, "society": 0.5}, sd=0.1
    )
    fw = make_framework((5, 5, 5))
    plain = G.compute_gaps(sc, fw, n_boot=1000, seed=1, sel_method="percentile")
    expd = G.compute_gaps(sc, fw, n_boot=1000, seed=1, sel_method="expanded")
    cp = ((plain["gap_econ_sel_lo"] <= 0.15) & (0.15 <= plain["gap_econ_sel_hi"])).mean()
    ce = ((expd["gap_econ_sel_lo"] <= 0.15) & (0.15 <= expd["gap_econ_sel_hi"])).mean()
    assert cp < 0.87 and abs(ce - 0.90) < 0.035
