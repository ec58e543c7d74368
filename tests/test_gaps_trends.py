"""Tests of analysis.gaps.trends: planted trends, convergence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis import gaps as G
from analysis.errors import ParameterError
from analysis.gaps.trends import CONVERGENCE_COLUMNS
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


# --------------------------------------------------------------------------- issue 15: convergence noise cannot produce
def _equal_growth_panel(rng, n=30, growth=0.05, noise=0.03, start=(0.3, 0.6), cap=None):
    """Every commune grows at the same rate (no convergence); observed = latent + noise."""
    lat = rng.uniform(*start, n)
    rows = []
    for p in PERIODS:
        t = period_to_time(p) - 2022.0
        y = lat + growth * t + rng.normal(0, noise, n)
        if cap is not None:
            y = np.minimum(y, cap)
        rows.append(
            pd.DataFrame(
                {"unit_code": [f"u{i:02d}" for i in range(n)], "period": p, "government": y,
                 "economy": 0.4 + rng.normal(0, 0.05, n), "society": 0.5 + rng.normal(0, 0.05, n),
                 "status": "synthetic"}
            )
        )  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_iv_beta_is_not_fooled_by_noise_that_fools_ols():
    """Equal growth + measurement noise: plain OLS of growth on the start finds 'catching up'
    (regression to the mean); the start instrumented by the first period does not."""
    from analysis.gaps._stats import _ols_hc3

    w = _equal_growth_panel(np.random.default_rng(21), noise=0.04)
    a = w[w["period"] == PERIODS[0]].set_index("unit_code")["government"]
    b = w[w["period"] == PERIODS[-1]].set_index("unit_code")["government"]
    ols = _ols_hc3(a.to_numpy(), (b - a).loc[a.index].to_numpy() / 3.0)
    assert ols["slope_hi"] < 0  # the trap
    c = G.compute_convergence(w, bounded=False).set_index(["pillar", "kind"])
    iv = c.loc[("government", "beta_iv")]
    assert iv["estimate_lo"] < 0 < iv["estimate_hi"] and pd.isna(iv["converging"])
    assert iv["first_stage_f"] > 10 and iv["instrument_period"] == PERIODS[0]
    assert list(c.reset_index().columns) == list(CONVERGENCE_COLUMNS)


def test_ceiling_blocks_the_convergence_claim():
    """Equal growth into a ceiling: the leaders stop, the spread shrinks by itself; the caveat
    says so and nothing is claimed."""
    w = _equal_growth_panel(np.random.default_rng(5), growth=0.12, start=(0.5, 0.9), cap=0.995)
    c = G.compute_convergence(w).set_index(["pillar", "kind"])
    for kind in ("sigma", "beta_iv"):
        row = c.loc[("government", kind)]
        assert row["cap_share"] >= 0.25 and row["caveat"] == "ceiling", kind
        assert pd.isna(row["converging"]), kind
    assert c.loc[("government", "sigma"), "estimate_hi"] < 0  # what a naive reading would claim


def test_true_convergence_is_detected_by_iv_beta_and_sigma():
    rng = np.random.default_rng(8)
    n, lat = 30, rng.uniform(0.2, 0.7, 30)
    rows = []
    for p in PERIODS:
        t = period_to_time(p) - 2022.0
        y = lat + (0.8 - lat) * (1 - np.exp(-0.4 * t)) + rng.normal(0, 0.01, n)
        rows.append(pd.DataFrame({"unit_code": [f"u{i}" for i in range(n)], "period": p, "government": y,
                                  "economy": y, "society": y, "status": "observed"}))  # fmt: skip
    c = G.compute_convergence(pd.concat(rows), bounded=False).set_index(["pillar", "kind"])
    assert (
        c.loc[("government", "beta_iv"), "converging"]
        and c.loc[("government", "sigma"), "converging"]
    )
    assert pd.isna(c.loc[("government", "beta_iv"), "caveat"])


@pytest.mark.skipif(not config.DEMO_OBSERVATIONS.exists(), reason="demo panel not built")
def test_demo_panel_does_not_claim_convergence_for_government():
    """The demo gives every commune the same growth: 'converging' must not be True."""
    from analysis.composite import compute_scores, pillar_table
    from analysis.frameworks import load_framework
    from analysis.loaders import load_observations

    fw = load_framework()
    obs = load_observations(config.DEMO_OBSERVATIONS, validate=False)
    for scale in ("target", "goalposts"):
        sc = compute_scores(obs, fw, normalise=scale)
        c = G.compute_convergence(pillar_table(sc), indicator_scores=sc, framework=fw, n_boot=300)
        gov = c[c["pillar"] == "government"]
        assert not gov["converging"].fillna(False).any(), scale
        assert (gov["caveat"] == "ceiling").all(), scale
