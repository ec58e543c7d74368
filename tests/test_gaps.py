"""Tests of analysis.gaps on constructed data where the answer is known."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis import gaps as G
from analysis.errors import AnalysisError, DataValidationError, FrameworkError, ParameterError
from analysis.frameworks import framework_from_dict
from analysis.periods import period_to_time
from analysis.units import haversine_km

PILLARS = G.PILLARS
PERIODS = ("2022H1", "2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1")


# --------------------------------------------------------------------------- builders
def make_framework(k=(3, 3, 3), weights=None, extra=None):
    """Framework with k[p] indicators per pillar named '<pillar>_<j>' (goalposts 0..100)."""
    inds = []
    for p, kp in zip(PILLARS, k, strict=True):
        for j in range(kp):
            w = 1 if weights is None else weights.get(f"{p}_{j}", 1)
            inds.append(
                dict(
                    id=f"{p}_{j}",
                    pillar=p,
                    name_vi="x",
                    name_en="x",
                    unit="%",
                    direction=1,
                    kind="rate",
                    goalposts=[0, 100],
                    weight=w,
                )
            )
    inds += extra or []
    return framework_from_dict(
        {"id": "toy", "pillars": [{"id": p} for p in PILLARS], "indicators": inds}
    )


def make_scores(values, status="synthetic", period="2024H1"):
    """values: {unit_code: {indicator: value}} -> tidy scores (indicator rows only)."""
    rows = [
        dict(unit_code=str(u), period=period, level="indicator", name=i, value=v, status=status)
        for u, d in values.items()
        for i, v in d.items()
    ]
    return pd.DataFrame(rows)


def make_panel(rng, n_units, k, mu, sd=0.05, periods=("2024H1",), slope=None, status="synthetic"):
    """Random panel: indicator j of pillar p in unit u = mu[p] (+ unit effect array) + slope*t + noise."""
    units = [str(20000 + i) for i in range(n_units)]
    rows = []
    for period in periods:
        t = period_to_time(period) - period_to_time(periods[0])
        for p, kp in zip(PILLARS, k, strict=True):
            base = np.broadcast_to(np.asarray(mu[p], dtype=float), (n_units,))
            trend = 0.0 if slope is None else slope.get(p, 0.0) * t
            x = base[:, None] + trend + rng.normal(0, sd, size=(n_units, kp))
            for j in range(kp):
                rows.append(
                    pd.DataFrame(
                        dict(
                            unit_code=units,
                            period=period,
                            level="indicator",
                            name=f"{p}_{j}",
                            value=x[:, j],
                            status=status,
                        )
                    )
                )
    return pd.concat(rows, ignore_index=True)


def wide_pillars(gov, econ, soc, period="2024H1", status="synthetic"):
    n = len(gov)
    return pd.DataFrame(
        dict(
            unit_code=[str(20000 + i) for i in range(n)],
            period=period,
            government=gov,
            economy=econ,
            society=soc,
            status=status,
        )
    )


# --------------------------------------------------------------------------- helpers
def test_period_to_time():
    assert period_to_time("2022H1") == 2022.0
    assert period_to_time("2022H2") == 2022.5
    assert period_to_time("2023") == 2023.0
    assert period_to_time("2023Q4") == 2023.75
    with pytest.raises(ParameterError, match="2023H3"):
        period_to_time("2023H3")
    with pytest.raises(ParameterError):
        period_to_time("23H1")


def test_weighted_mean_drops_nan_and_renormalises():
    x = np.array([[0.2, np.nan, 0.8], [np.nan, np.nan, np.nan]])
    out = G._weighted_mean(x, np.array([1.0, 5.0, 3.0]))
    assert out[0] == pytest.approx((0.2 * 1 + 0.8 * 3) / 4)
    assert np.isnan(out[1])


def test_wilson_matches_published_values():
    # Newcombe (1998), Stat Med 17:857, Table I, method 3 (Wilson score, 95%)
    for k, n, lo, hi in [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ]:
        got = G._wilson(k, n, 0.95)
        assert float(got[0]) == pytest.approx(lo, abs=6e-5)
        assert float(got[1]) == pytest.approx(hi, abs=6e-5)
    # hand-computed 90% case: k=18, n=18 -> p=1, lo = n / (n + z^2)
    z = 1.6448536269514722
    lo, hi = G._wilson(18, 18, 0.90)
    assert float(lo) == pytest.approx(18 / (18 + z**2), abs=1e-12)
    assert float(hi) == 1.0


def test_gini_theil_cv_hand_computed():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert float(G._gini(x)) == pytest.approx(0.25)  # sum|xi-xj| = 20, 2 n^2 mean = 80
    theil = (
        0.4 * math.log(0.4) + 0.8 * math.log(0.8) + 1.2 * math.log(1.2) + 1.6 * math.log(1.6)
    ) / 4
    assert float(G._theil(x)) == pytest.approx(theil)
    assert float(G._theil(x)) == pytest.approx(0.106440, abs=1e-6)
    assert float(G._cv(x)) == pytest.approx(math.sqrt(1.25) / 2.5)
    y = np.array([0.0, 0.0, 0.0, 1.0])
    assert float(G._gini(y)) == pytest.approx(0.75)
    assert float(G._theil(y)) == pytest.approx(math.log(4))
    eq = np.full(5, 0.3)
    assert float(G._gini(eq)) == pytest.approx(0.0, abs=1e-12) and float(
        G._theil(eq)
    ) == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(G._theil(np.array([-1.0, 2.0])))
    # vectorised rows agree with row-by-row
    rows = np.vstack([x, y])
    np.testing.assert_allclose(G._gini(rows), [0.25, 0.75])


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
    fit = G._ols_hc3(np.array(xs, float), np.array(ys, float), level=0.90)
    assert fit["slope"] == pytest.approx(1.4)
    assert fit["intercept"] == pytest.approx(-0.1)
    assert fit["slope_se"] == pytest.approx(math.sqrt(2529 / 1225), rel=1e-12)
    t = 2.919985580355516  # t_{0.95, 2}
    assert fit["slope_lo"] == pytest.approx(1.4 - t * math.sqrt(2529 / 1225), rel=1e-9)
    assert fit["n"] == 4


def test_hc3_degenerate_inputs_give_nan():
    assert np.isnan(G._ols_hc3(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))["slope"])
    assert np.isnan(G._ols_hc3(np.array([1.0, 2.0]), np.array([1.0, 2.0]))["slope"])


def test_rank_biserial_hand_and_scipy_consistent():
    d = np.array([1.0, 2.0, -3.0, 4.0, 0.0])  # zero dropped: ranks 1,2,3,4 -> T+=7, T-=3
    assert float(G._rank_biserial(d)) == pytest.approx((7 - 3) / 10)
    assert float(G._rank_biserial(np.array([0.5, 0.2, 0.1]))) == 1.0
    # with ties: |d| = 1,1,2 -> ranks 1.5,1.5,3
    assert float(G._rank_biserial(np.array([1.0, -1.0, 2.0]))) == pytest.approx((4.5 - 1.5) / 6)
    boot = G._rank_biserial(np.array([[1.0, 2.0, -3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]))
    np.testing.assert_allclose(boot, [0.4, -1.0])


def test_haversine_reference_distance():
    # Ái Nghĩa (20500) to Đại Sơn (20503): computed independently with the spherical law of cosines
    lat1, lon1, lat2, lon2 = 15.886972, 108.113221, 15.811651, 107.870235
    p1, p2, dl = map(math.radians, (lat1, lat2, lon2 - lon1))
    slc = (
        math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
        * 6371.0088
    )
    assert float(haversine_km(lat1, lon1, lat2, lon2)) == pytest.approx(slc, rel=1e-9)
    assert 25 < slc < 28


# --------------------------------------------------------------------------- compute_gaps
def test_gap_table_contract_and_known_values():
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
    assert full["gap_econ_lo"] <= full["gap_econ"] <= full["gap_econ_hi"]
    assert full["gap_mean_lo"] <= full["gap_mean"] <= full["gap_mean_hi"]
    # 20503 has one economy indicator left: no interval for the gaps involving economy, point gap only
    part = a.loc["20503"]
    assert np.isnan(part["gap_econ_lo"]) and np.isnan(part["gap_econ_hi"])
    assert np.isnan(part["gap_mean_lo"]) and np.isnan(part["typology_stability"])
    assert part["gap_soc_lo"] <= part["gap_soc"] <= part["gap_soc_hi"]
    assert part["gap_econ"] == pytest.approx(0.0) and part["gap_mean"] == pytest.approx(0.1)
    assert part["typology"] == "government_led"  # still classified from the point gap
    assert "1 row" in g.attrs["ci_note"]["gap_econ"] and "gap_soc" not in g.attrs["ci_note"]
    assert set(g["status"]) == {"synthetic"}
    assert g.attrs["n_boot"] == 500 and g.attrs["level"] == 0.90


def test_reported_pillar_rows_are_used_and_intervals_recentred():
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
    assert rep.at[0, "gap_soc_lo"] == pytest.approx(plain.at[0, "gap_soc_lo"] - 0.05)
    assert rep.at[0, "gap_soc_hi"] == pytest.approx(plain.at[0, "gap_soc_hi"] - 0.05)


def test_exact_no_gap_intervals_cover_zero():
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
        assert (g[f"{c}_lo"] < 0).all() and (g[f"{c}_hi"] > 0).all()
    assert set(g["typology"]) <= {"balanced_high", "balanced_low"}


def test_no_gap_district_not_significant_and_intervals_cover_zero():
    rng = np.random.default_rng(2024)
    mu = {p: rng.uniform(0.3, 0.7, 18) for p in ("government",)}
    unit_level = mu["government"]
    sc = make_panel(rng, 18, (7, 7, 7), {p: unit_level for p in PILLARS}, sd=0.08)
    g = G.compute_gaps(sc, make_framework((7, 7, 7)), seed=7)
    cover = ((g["gap_econ_lo"] <= 0) & (g["gap_econ_hi"] >= 0)).mean()
    assert cover >= 0.8
    t = G.test_pillar_gaps(g, seed=7)
    assert list(t["comparison"]) == ["government_vs_economy", "government_vs_society"]
    assert (t["p_value"] > 0.10).all()
    assert ((t["rank_biserial_lo"] < 0) & (t["rank_biserial_hi"] > 0)).all()
    assert ((t["share_greater_lo"] < 0.5) & (t["share_greater_hi"] > 0.5)).all()


def test_planted_gap_found_with_right_sign_and_size():
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
    assert (g["gap_econ_lo"] > 0.15).all() and (g["gap_soc_lo"] > 0.05).all()
    assert ((g["gap_econ_lo"] <= 0.30) & (g["gap_econ_hi"] >= 0.30)).mean() >= 0.8
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
    assert (g2["gap_mean_hi"] < 0).all() and (g2["typology"] == "economy_society_led").all()
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
def test_typology_thresholds_at_their_edges(gov, econ, soc, expected):
    fw = make_framework((1, 1, 1))
    sc = make_scores({"1": {"government_0": gov, "economy_0": econ, "society_0": soc}})
    delta = 0.1 if expected == "government_led" and gov == 0.7 else 0.125
    g = G.compute_gaps(sc, fw, n_boot=50, delta=delta, high=0.5)
    assert g.at[0, "typology"] == expected
    # one indicator per pillar: nothing to resample, so no interval and no stability (point only)
    assert np.isnan(g.at[0, "typology_stability"]) and np.isnan(g.at[0, "gap_mean_lo"])
    g2 = G.compute_gaps(
        make_scores({"1": {f"{p}_{j}": v for p, v in zip(PILLARS, (gov, econ, soc), strict=True) for j in (0, 1)}}),
        make_framework((2, 2, 2)), n_boot=50, delta=delta, high=0.5,
    )  # fmt: skip
    assert g2.at[0, "typology"] == expected
    assert g2.at[0, "typology_stability"] == 1.0  # identical indicators: every resample agrees


def test_typology_stability_reflects_uncertainty():
    fw = make_framework((4, 4, 4))
    # government indicators straddle the threshold: some resamples are government-led, some not
    sc = make_scores({"1": {"government_0": 0.9, "government_1": 0.4, "government_2": 0.45, "government_3": 0.75,
                            "economy_0": 0.5, "economy_1": 0.5, "economy_2": 0.5, "economy_3": 0.5,
                            "society_0": 0.5, "society_1": 0.5, "society_2": 0.5, "society_3": 0.5}})  # fmt: skip
    g = G.compute_gaps(sc, fw, n_boot=2000, seed=3, delta=0.10)
    assert g.at[0, "gap_mean"] == pytest.approx(0.125) and g.at[0, "typology"] == "government_led"
    assert 0.3 < g.at[0, "typology_stability"] < 0.9


def test_status_is_worst_of_inputs_and_unknown_status_rejected():
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


def test_robustness_draws_add_mc_columns():
    fw = make_framework((1, 1, 1))
    sc = make_scores(
        {
            "1": {"government_0": 0.6, "economy_0": 0.5, "society_0": 0.5},
            "2": {"government_0": 0.4, "economy_0": 0.5, "society_0": 0.5},
        }
    )
    draws = pd.DataFrame({"unit_code": ["1"] * 101 + ["2"] * 101, "draw": list(range(101)) * 2,
                          "gap_econ": list(np.linspace(0, 1, 101)) * 2, "gap_soc": 0.0, "gap_mean": list(np.linspace(-1, 0, 101)) * 2})  # fmt: skip
    g = G.compute_gaps(sc, fw, n_boot=20, robustness=draws)
    assert list(g.columns[: len(G.GAP_COLUMNS)]) == list(G.GAP_COLUMNS)
    assert list(g.columns[len(G.GAP_COLUMNS) :]) == [
        "gap_econ_mc_lo",
        "gap_econ_mc_hi",
        "gap_soc_mc_lo",
        "gap_soc_mc_hi",
        "gap_mean_mc_lo",
        "gap_mean_mc_hi",
    ]
    np.testing.assert_allclose(g["gap_econ_mc_lo"], 0.05)
    np.testing.assert_allclose(g["gap_econ_mc_hi"], 0.95)
    np.testing.assert_allclose(g["gap_mean_mc_hi"], -0.05)
    # pillar draws with a period column work too
    pdraws = pd.DataFrame(
        {
            "unit_code": "1",
            "period": "2024H1",
            "government": [0.6, 0.7],
            "economy": [0.5, 0.5],
            "society": [0.5, 0.5],
        }
    )
    g2 = G.compute_gaps(sc, fw, n_boot=20, robustness=pdraws).set_index("unit_code")
    assert g2.at["1", "gap_econ_mc_hi"] == pytest.approx(0.195)
    assert np.isnan(g2.at["2", "gap_econ_mc_hi"])
    with pytest.raises(DataValidationError, match="robustness"):
        G.compute_gaps(sc, fw, n_boot=20, robustness=pd.DataFrame({"unit_code": ["1"], "x": [1]}))


def test_bad_inputs_raise_analysis_errors():
    fw = make_framework((1, 1, 1))
    sc = make_scores({"1": {"government_0": 0.6, "economy_0": 0.5, "society_0": 0.5}})
    with pytest.raises(ParameterError, match="level"):
        G.compute_gaps(sc, fw, level=90)
    with pytest.raises(ParameterError, match="n_boot"):
        G.compute_gaps(sc, fw, n_boot=0)
    with pytest.raises(ParameterError, match="ci_method"):
        G.compute_gaps(sc, fw, ci_method="bca")
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


def test_bootstrap_is_seeded_and_fast_for_the_district_panel():
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
    assert not np.allclose(a["gap_econ_lo"], c["gap_econ_lo"])
    assert elapsed < 2.0, f"18 communes x 7 periods x B=2000 took {elapsed:.2f}s"


@pytest.mark.parametrize(("k", "method"), [(7, "expanded"), (30, "percentile"), (30, "expanded")])
def test_bootstrap_ci_monte_carlo_coverage_near_nominal(k, method):
    # 2000 independent planted communes in one vectorised call; true gaps are known exactly
    rng = np.random.default_rng(1234 + k)
    mu = {"government": 0.6, "economy": 0.45, "society": 0.5}
    sc = make_panel(rng, 2000, (k, k, k), mu, sd=0.1)
    g = G.compute_gaps(sc, make_framework((k, k, k)), n_boot=2000, seed=k, ci_method=method)
    truth = {"gap_econ": 0.15, "gap_soc": 0.10, "gap_mean": 0.125}
    for c, v in truth.items():
        cover = ((g[f"{c}_lo"] <= v) & (v <= g[f"{c}_hi"])).mean()
        assert abs(cover - 0.90) < 0.035, f"{c}: coverage {cover:.3f} with K={k}, {method}"


def test_plain_percentile_undercovers_with_few_indicators():
    # documents why 'expanded' is the default: with K=5 the plain percentile interval is too narrow
    rng = np.random.default_rng(5)
    sc = make_panel(
        rng, 2000, (5, 5, 5), {"government": 0.6, "economy": 0.45, "society": 0.5}, sd=0.1
    )
    fw = make_framework((5, 5, 5))
    plain = G.compute_gaps(sc, fw, n_boot=1000, seed=1, ci_method="percentile")
    expd = G.compute_gaps(sc, fw, n_boot=1000, seed=1, ci_method="expanded")
    cp = ((plain["gap_econ_lo"] <= 0.15) & (0.15 <= plain["gap_econ_hi"])).mean()
    ce = ((expd["gap_econ_lo"] <= 0.15) & (0.15 <= expd["gap_econ_hi"])).mean()
    assert cp < 0.87 and abs(ce - 0.90) < 0.035


# --------------------------------------------------------------------------- decomposition
def test_contributions_sum_exactly_to_gaps():
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


def test_contribution_hand_values():
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


def test_weakest_indicators_relative_to_district_median():
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


def test_distance_to_targets_direction_aware():
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


# --------------------------------------------------------------------------- district statistics
def test_pillar_correlations_known_structure():
    rng = np.random.default_rng(8)
    gov = rng.uniform(0.3, 0.9, 18)
    econ = 0.5 * gov + 0.1  # perfectly monotone
    soc = rng.uniform(0.3, 0.9, 18)  # independent
    r = G.compute_pillar_correlations(wide_pillars(gov, econ, soc), seed=2).set_index(
        ["pillar_x", "pillar_y"]
    )
    assert r.at[("government", "economy"), "rho"] == pytest.approx(1.0)
    assert r.at[("government", "economy"), "rho_lo"] == pytest.approx(1.0)
    row = r.loc[("government", "society")]
    assert row["rho_lo"] < row["rho"] < row["rho_hi"] and row["rho_lo"] < 0 < row["rho_hi"]
    assert row["n"] == 18 and row["status"] == "synthetic"


def test_inequality_matches_hand_values_and_orders_pillars():
    gov = np.array([1.0, 2.0, 3.0, 4.0])
    econ = np.array([0.0, 0.0, 0.0, 1.0])
    soc = np.full(4, 0.5)
    q = G.compute_inequality(wide_pillars(gov, econ, soc), n_boot=500, seed=1).set_index("pillar")
    assert q.at["government", "gini"] == pytest.approx(0.25)
    assert q.at["economy", "gini"] == pytest.approx(0.75) and q.at[
        "economy", "theil"
    ] == pytest.approx(math.log(4))
    assert q.at["society", "gini"] == pytest.approx(0.0, abs=1e-12) and q.at[
        "society", "cv"
    ] == pytest.approx(0.0)
    assert q.at["government", "sd"] == pytest.approx(np.std(gov, ddof=1))
    assert q.at["government", "gini_lo"] <= 0.25 <= q.at["government", "gini_hi"]
    q0 = G.compute_inequality(wide_pillars(gov, econ, soc), n_boot=0)
    assert q0["gini_lo"].isna().all() and q0["gini"].notna().all()


def test_covariate_associations_recover_planted_slope_and_report_n():
    units = pd.read_csv(config.UNITS_CSV, dtype={"unit_code": str})
    cov = G.compute_unit_covariates(units, centre="20500").set_index("unit_code")
    assert cov.at["20500", "distance_km"] == 0.0
    assert cov["density_per_km2"].isna().sum() == 5
    assert cov.at["20500", "density_per_km2"] == pytest.approx(17493 / 12.30)
    rng = np.random.default_rng(4)
    gap = 0.05 + 0.01 * cov["distance_km"].to_numpy() + rng.normal(0, 0.005, len(cov))
    gaps = pd.DataFrame(
        {"unit_code": cov.index, "period": "2024H1", "gap_mean": gap, "status": "synthetic"}
    )
    a = G.compute_covariate_associations(gaps, units, outcomes=["gap_mean"]).set_index("covariate")
    d = a.loc["distance_km"]
    assert d["n"] == 18 and d["slope_per"] == "1 km"
    assert d["slope_lo"] < 0.01 < d["slope_hi"] and d["slope"] == pytest.approx(0.01, abs=0.001)
    assert d["rho"] > 0.9 and d["rho_lo"] > 0.7 and d["slope_p"] < 1e-6
    assert (
        a.at["density_per_km2", "n"] == 13
    )  # 5 communes without an area are left out, and said so
    # a centre that is not one of the units: distance is skipped (documented), the rest is kept
    b = G.compute_covariate_associations(gaps, units, centre="99999", outcomes=["gap_mean"])
    assert list(b["covariate"]) == ["density_per_km2", "population_2019"]
    assert "99999" in b.attrs["skipped"]["distance_km"]
    assert b.set_index("covariate").loc["population_2019", "rho"] == pytest.approx(
        a.loc["population_2019", "rho"]
    )
    dup = pd.concat([units, units.iloc[:1]])
    with pytest.raises(ParameterError, match="centre='20500'.*2 times"):
        G.compute_covariate_associations(gaps, dup, outcomes=["gap_mean"])


def test_covariates_skipped_gracefully_for_units_without_coordinates_or_population():
    """Countries (EGDI/DESI): no lat/lon/population/area, default centre absent -> empty, right columns."""
    gaps = wide_pillars([0.6, 0.7, 0.5, 0.8, 0.4], [np.nan] * 5, [0.5, 0.5, 0.6, 0.6, 0.5])
    gaps["gap_mean"] = gaps["government"] - gaps["society"]
    gaps["gap_econ"] = np.nan
    bare = pd.DataFrame({"unit_code": gaps["unit_code"], "name_vi": list("ABCDE")})
    cov = G.compute_unit_covariates(bare)
    assert cov[["distance_km", "density_per_km2", "population_2019"]].isna().all().all()
    assert set(cov.attrs["skipped"]) == {"distance_km", "density_per_km2", "population_2019"}
    a = G.compute_covariate_associations(gaps, bare, outcomes=["gap_mean"])
    assert a.empty and list(a.columns)[:4] == ["period", "outcome", "covariate", "n"]
    assert list(a.columns)[-2:] == ["slope_per", "status"]
    # coordinates but no district seat among them (provinces): distance skipped, population used
    prov = bare.assign(lat=[10.0, 11, 12, 13, 14], lon=106.0, population=[1e6, 2e6, 3e6, 4e6, 5e6])
    b = G.compute_covariate_associations(gaps, prov, outcomes=["gap_mean", "gap_econ"])
    assert (
        set(b["covariate"]) == {"population_2019"} and "20500" in b.attrs["skipped"]["distance_km"]
    )
    pm = b.set_index("outcome").loc["gap_mean"]
    assert pm["n"] == 5 and pm["slope_per"] == "1,000 persons"
    assert b.set_index("outcome").loc["gap_econ", "n"] == 0  # no economy pillar: nothing to fit
    # with the centre among them, distance is back (0 for the centre itself)
    c = G.compute_unit_covariates(prov, centre=prov["unit_code"].iloc[0])
    assert c.at[0, "distance_km"] == 0.0 and c.at[1, "distance_km"] == pytest.approx(
        haversine_km(10.0, 106.0, 11.0, 106.0)
    )


# --------------------------------------------------------------------------- over time
def test_planted_trend_recovered_and_gap_closing():
    rng = np.random.default_rng(21)
    # government flat at 0.7; economy rises 0.06 per year from 0.3 -> gap_econ closes at 0.06 / year
    sc = make_panel(rng, 18, (6, 7, 7), {"government": 0.7, "economy": 0.3, "society": 0.5}, sd=0.01, periods=PERIODS,
                    slope={"economy": 0.06})  # fmt: skip
    g = G.compute_gaps(sc, make_framework((6, 7, 7)), n_boot=200, seed=1)
    tr = G.compute_trends(g)
    assert set(tr["series"]) == {
        "government",
        "economy",
        "society",
        "gap_econ",
        "gap_soc",
        "gap_mean",
    }
    e = tr[tr["series"] == "economy"]
    assert ((e["slope_lo"] <= 0.06) & (e["slope_hi"] >= 0.06)).mean() >= 0.8
    assert e["slope"].median() == pytest.approx(0.06, abs=0.005)
    assert (e["trend"] == "increasing").all()
    ge = tr[tr["series"] == "gap_econ"]
    assert (ge["gap_closing"] == "closing").all()
    assert (tr.loc[tr["series"] == "gap_soc", "gap_closing"] == "no_clear_trend").mean() >= 0.7
    assert tr.loc[tr["series"] == "government", "gap_closing"].isna().all()
    dist = tr[(tr["unit_code"] == "district") & (tr["series"] == "gap_econ")].iloc[0]
    assert dist["slope"] == pytest.approx(-0.06, abs=0.003) and dist["n_periods"] == 7
    assert dist["t_start"] == 2022.0 and dist["t_end"] == 2025.0 and dist["status"] == "synthetic"


def test_trend_widening_negative_gap():
    t = np.array([period_to_time(p) for p in PERIODS])
    rows = [
        dict(
            unit_code="1",
            period=p,
            government=0.5,
            economy=0.5 + 0.05 * (ti - 2022),
            society=0.5,
            status="observed",
        )
        for p, ti in zip(PERIODS, t, strict=True)
    ]
    w = pd.DataFrame(rows)
    w["gap_econ"] = w["government"] - w["economy"]
    tr = G.compute_trends(w, columns=["gap_econ"], include_district=False).iloc[0]
    assert (
        tr["slope"] == pytest.approx(-0.05)
        and tr["gap_closing"] == "widening"
        and tr["status"] == "observed"
    )


def test_convergence_sigma_and_beta_planted():
    rng = np.random.default_rng(5)
    y0 = rng.uniform(0.2, 0.8, 18)
    rows = []
    for p in PERIODS:
        t = period_to_time(p) - 2022.0
        share = 1 - 0.8 ** (2 * t)  # each half-year closes 20% of the distance to 0.8
        val = y0 + (0.8 - y0) * share
        rows.append(wide_pillars(val, y0, y0 + rng.normal(0, 0.001, 18), period=p))
    w = pd.concat(rows, ignore_index=True)
    c = G.compute_convergence(w).set_index(["pillar", "kind"])
    assert (
        c.at[("government", "sigma"), "estimate"] < 0
        and c.at[("government", "sigma"), "converging"]
    )
    assert (
        c.at[("government", "beta"), "estimate_hi"] < 0
        and c.at[("government", "beta"), "converging"]
    )
    # beta slope: growth = (0.8 - y0) * (1 - 0.8^6) / 3  -> slope = -(1 - 0.8^6) / 3
    assert c.at[("government", "beta"), "estimate"] == pytest.approx(-(1 - 0.8**6) / 3, rel=1e-6)
    assert c.at[("government", "beta"), "n"] == 18
    assert c.at[("economy", "sigma"), "estimate"] == pytest.approx(0.0, abs=1e-12)
    assert pd.isna(c.at[("economy", "sigma"), "converging"])
    assert pd.isna(c.at[("society", "beta"), "converging"])
    with pytest.raises(ParameterError, match="start"):
        G.compute_convergence(w, start="2021H1")


def test_functions_accept_tidy_scores_with_pillar_rows():
    rng = np.random.default_rng(1)
    rows = []
    for p in PERIODS[:3]:
        for u in range(6):
            for pil, v in zip(PILLARS, (0.7, 0.4, 0.5), strict=True):
                rows.append(
                    dict(
                        unit_code=str(u),
                        period=p,
                        level="pillar",
                        name=pil,
                        value=v + rng.normal(0, 0.05),
                        status="estimated",
                    )
                )
    sc = pd.DataFrame(rows)
    t = G.test_pillar_gaps(sc, n_boot=100)
    assert len(t) == 6 and (t["status"] == "estimated").all()
    tr = G.compute_trends(sc, include_district=False)
    assert set(tr["series"]) == {
        "government",
        "economy",
        "society",
        "gap_econ",
        "gap_soc",
        "gap_mean",
    }
    assert len(G.compute_inequality(sc, n_boot=10)) == 9


def test_pillar_gaps_is_not_collected_as_a_pytest_test():
    assert G.test_pillar_gaps.__test__ is False


# --------------------------------------------------------------------------- properties
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

_unit = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(arrays(float, (3, 9), elements=_unit), arrays(float, 9, elements=st.floats(0.1, 5.0)))
def test_property_contributions_always_sum_to_gaps(x, w):
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
    assert (g["gap_econ_lo"] <= g["gap_econ_hi"]).all()


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.integers(2, 30), elements=st.floats(0.01, 1.0)), st.floats(0.1, 10.0))
def test_property_inequality_scale_invariant_and_bounded(x, k):
    n = len(x)
    assert -1e-12 <= float(G._gini(x)) <= (n - 1) / n + 1e-12
    assert 0 <= float(G._theil(x)) <= math.log(n) + 1e-9
    assert float(G._gini(k * x)) == pytest.approx(float(G._gini(x)), abs=1e-9)
    assert float(G._theil(k * x)) == pytest.approx(float(G._theil(x)), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.integers(1, 25), elements=st.floats(-1.0, 1.0, allow_nan=False)))
def test_property_rank_biserial_antisymmetric_and_bounded(d):
    r = float(G._rank_biserial(d))
    if np.all(d == 0):
        assert np.isnan(r)
    else:
        assert -1 <= r <= 1
        assert float(G._rank_biserial(-d)) == pytest.approx(-r)


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
    for c in ("economy", "gap_econ", "gap_econ_lo", "gap_econ_hi", "ratio_econ", "z_econ"):
        assert g[c].isna().all(), c
    assert g["rank_economy"].isna().all()
    np.testing.assert_allclose(g["gap_mean"], g["government"] - g["society"], atol=1e-15)
    np.testing.assert_allclose(g["gap_mean_lo"], g["gap_soc_lo"], atol=1e-12)
    assert (g["gap_mean_lo"] <= g["gap_mean"]).all() and (g["gap_mean"] <= g["gap_mean_hi"]).all()
    assert g["typology"].notna().all() and g["typology_stability"].between(0, 1).all()
    lvl = (g["government"] + g["society"]) / 2  # mean level over the pillars there are
    exp = np.where(g["gap_mean"] >= 0.1 - 1e-9, "government_led",
                   np.where(g["gap_mean"] <= -0.1 + 1e-9, "economy_society_led",
                            np.where(lvl >= 0.5 - 1e-9, "balanced_high", "balanced_low")))  # fmt: skip
    assert list(g["typology"]) == list(exp)
    assert (
        g.attrs["comparison_pillars"] == ["society"] and "economy" in g.attrs["ci_note"]["gap_econ"]
    )
    assert "gap_soc" not in g.attrs["ci_note"]  # 2 indicators per pillar: intervals exist
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
        assert conv.loc[("economy", "beta"), "n"] == 0 and conv.loc[("society", "beta"), "n"] == 8
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


def test_single_indicator_pillars_give_point_gaps_without_intervals():
    """DESI-like (government 1, economy 1, society 2) and DTI-like (1, 1, 1): NaN intervals, noted."""
    rng = np.random.default_rng(5)
    desi = G.compute_gaps(make_panel(rng, 6, (1, 1, 2), {"government": 0.7, "economy": 0.4, "society": 0.5}),
                          make_framework((1, 1, 2)), n_boot=200)  # fmt: skip
    for gap in G.GAP_SERIES:
        assert desi[f"{gap}_lo"].isna().all() and desi[f"{gap}_hi"].isna().all(), gap
        assert "< 2 indicators" in desi.attrs["ci_note"][gap]
    assert (
        "government (1)" in desi.attrs["ci_note"]["gap_soc"]
        and "society" not in desi.attrs["ci_note"]["gap_soc"]
    )
    assert desi["typology_stability"].isna().all() and (desi["typology"] == "government_led").all()
    np.testing.assert_allclose(desi["gap_econ"], desi["government"] - desi["economy"])
    # with 2+ indicators everywhere the rule does not fire
    full = G.compute_gaps(make_panel(rng, 6, (2, 2, 2), {"government": 0.7, "economy": 0.4, "society": 0.5}),
                          make_framework((2, 2, 2)), n_boot=200)  # fmt: skip
    assert full[["gap_econ_lo", "gap_mean_hi", "typology_stability"]].notna().all().all()
    assert full.attrs["ci_note"] == {}


def test_robustness_pillar_draws_without_economy_use_the_same_gap_mean():
    fw = _two_pillar_framework()
    sc = _two_pillar_scores(np.random.default_rng(3), n_units=3, periods=("2024",))
    draws = pd.DataFrame(
        [dict(unit_code=f"C{u:02d}", draw=d, government=0.6 + 0.01 * d, society=0.5) for u in range(3) for d in range(21)]
    )  # fmt: skip
    g = G.compute_gaps(sc, fw, n_boot=100, robustness=draws)
    assert g["gap_mean_mc_lo"].to_numpy() == pytest.approx(np.full(3, 0.1 + 0.01), abs=1e-9)
    assert g["gap_mean_mc_hi"].to_numpy() == pytest.approx(np.full(3, 0.1 + 0.19), abs=1e-9)
    assert g["gap_econ_mc_lo"].isna().all()


def test_pillar_tests_with_one_or_two_units_give_no_effect_interval():
    w = wide_pillars([0.6, 0.7], [0.5, 0.6], [np.nan, 0.8])
    t = G.test_pillar_gaps(w, n_boot=200).set_index("comparison")
    e, s = t.loc["government_vs_economy"], t.loc["government_vs_society"]
    assert e["n"] == 2 and e["rank_biserial"] == 1.0 and np.isnan(e["rank_biserial_lo"])
    assert s["n"] == 1 and s["share_greater"] == 0.0 and np.isnan(s["rank_biserial_hi"])
