"""Tests of analysis.gaps.trends: planted trends, convergence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import gaps as G
from analysis.errors import ParameterError
from analysis.periods import period_to_time

PERIODS = ("2022H1", "2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1")


def test_period_to_time():
    assert period_to_time("2022H1") == 2022.0
    assert period_to_time("2022H2") == 2022.5
    assert period_to_time("2023") == 2023.0
    assert period_to_time("2023Q4") == 2023.75
    with pytest.raises(ParameterError, match="2023H3"):
        period_to_time("2023H3")
    with pytest.raises(ParameterError):
        period_to_time("23H1")


# --------------------------------------------------------------------------- over time
def test_planted_trend_recovered_and_gap_closing(make_framework, make_panel):
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


def test_convergence_sigma_and_beta_planted(wide_pillars):
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
        c.at[("government", "beta_iv"), "estimate_hi"] < 0
        and c.at[("government", "beta_iv"), "converging"]
        and c.at[("government", "beta_iv"), "instrument_period"] == PERIODS[0]
    )
    # beta from the second period (y1 = 0.8 y0 + 0.16) to the last, instrumented by y0:
    # growth = (0.8 - y0)(0.8 - 0.8^6) / 2.5 -> slope in y1 = -(1 - 0.8^5) / 2.5
    assert c.at[("government", "beta_iv"), "estimate"] == pytest.approx(
        -(1 - 0.8**5) / 2.5, rel=1e-6
    )
    assert c.at[("government", "beta_iv"), "n"] == 18
    assert c.at[("economy", "sigma"), "estimate"] == pytest.approx(0.0, abs=1e-12)
    assert pd.isna(c.at[("economy", "sigma"), "converging"])
    assert pd.isna(c.at[("society", "beta_iv"), "converging"])
    with pytest.raises(ParameterError, match="start"):
        G.compute_convergence(w, start="2021H1")
