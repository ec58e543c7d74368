"""Tests of analysis.gaps.district: paired tests, correlations, inequality."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import gaps as G

PILLARS = G.PILLARS
PERIODS = ("2022H1", "2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1")


# --------------------------------------------------------------------------- district statistics
def test_pillar_correlations_known_structure(wide_pillars):
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


def test_inequality_matches_hand_values_and_orders_pillars(wide_pillars):
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


def test_pillar_tests_with_one_or_two_units_give_no_effect_interval(wide_pillars):
    w = wide_pillars([0.6, 0.7], [0.5, 0.6], [np.nan, 0.8])
    t = G.test_pillar_gaps(w, n_boot=200).set_index("comparison")
    e, s = t.loc["government_vs_economy"], t.loc["government_vs_society"]
    assert e["n"] == 2 and e["rank_biserial"] == 1.0 and np.isnan(e["rank_biserial_lo"])
    assert s["n"] == 1 and s["share_greater"] == 0.0 and np.isnan(s["rank_biserial_hi"])
