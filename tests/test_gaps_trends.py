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


# --------------------------------------------------------------------------- issue 20: vectorised Theil-Sen
def _theil_sen_scipy(t, y, level):
    """The per-row reference: scipy theilslopes on the non-missing points (3 distinct times)."""
    from scipy import stats

    ok = ~(np.isnan(t) | np.isnan(y))
    t, y = t[ok], y[ok]
    if len(np.unique(t)) < 3:
        return (np.nan,) * 4
    r = stats.theilslopes(y, t, alpha=level)
    return float(r.slope), float(r.low_slope), float(r.high_slope), float(r.intercept)


@pytest.mark.parametrize("level", [0.90, 0.95, 0.3])
def test_theil_sen_rows_equals_scipy_per_row(level):
    """Random rows with missing values, tied values, constant rows, repeated times and rows with
    fewer than 3 points: every number equals scipy's theilslopes on that row."""
    from analysis.gaps._stats import theil_sen_rows

    rng = np.random.default_rng(20)
    t = np.array([period_to_time(p) for p in PERIODS])
    Y = np.round(rng.normal(size=(600, len(t))), 1)  # rounding makes ties
    Y[rng.random(Y.shape) < 0.3] = np.nan
    Y[:20] = 0.5  # constant
    Y[20:40, 2:] = np.nan  # at most 2 points
    T = np.broadcast_to(t, Y.shape).copy()
    T[40:120, 3] = T[40:120, 2]  # a repeated time
    got = np.column_stack(theil_sen_rows(T, Y, level))
    ref = np.array([_theil_sen_scipy(T[r], Y[r], level) for r in range(len(Y))])
    assert np.isnan(ref[20:40]).all() and not np.isnan(ref[:20]).any()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    # one shared time vector broadcasts
    np.testing.assert_allclose(
        np.column_stack(theil_sen_rows(t, Y[120:], level)), ref[120:], rtol=0, atol=1e-12
    )


def _trends_per_row(data, columns, level=0.90, include_district=True):
    """The former compute_trends (one scipy call per unit and series): the reference."""
    from analysis.gaps._wide import _wide_pillars
    from analysis.gaps.trends import _trend_label
    from analysis.status import worst_status

    w = _wide_pillars(data, list(columns))
    w["_t"] = [period_to_time(p) for p in w["period"]]
    groups = list(w.groupby("unit_code", sort=True))
    if include_district:
        d = w.groupby("_t", as_index=False)[list(columns)].mean()
        d["unit_code"] = "district"
        d["status"] = [worst_status(w.loc[w["_t"] == t, "status"]) for t in d["_t"]]
        groups.append(("district", d))
    rows = []
    for unit, g in groups:
        g = g.sort_values("_t")
        t = g["_t"].to_numpy(dtype=float)
        for c in columns:
            y = g[c].to_numpy(dtype=float)
            ok = ~np.isnan(y)
            slope, lo, hi, icpt = _theil_sen_scipy(t, y, level)
            trend = _trend_label(lo, hi)
            med = float(np.median(y[ok])) if ok.any() else np.nan
            closing = None
            if c in G.GAP_SERIES and trend is not None:
                if trend == "no_clear_trend" or med == 0:
                    closing = "no_clear_trend"
                else:
                    closing = "closing" if (med > 0) == (trend == "decreasing") else "widening"
            t0 = float(t[ok].min()) if ok.any() else np.nan
            t1 = float(t[ok].max()) if ok.any() else np.nan
            rows.append(dict(unit_code=unit, series=c, n_periods=int(ok.sum()), t_start=t0,
                             t_end=t1, median_value=med, slope=slope, slope_lo=lo, slope_hi=hi,
                             fitted_start=icpt + slope * t0, fitted_end=icpt + slope * t1,
                             trend=trend, gap_closing=closing,
                             status=worst_status(g.loc[ok, "status"])))  # fmt: skip
    out = pd.DataFrame(rows)
    for c in ("trend", "gap_closing"):
        out[c] = out[c].astype("string")
    return out


def _messy_gap_table(rng, n=120):
    """Synthetic wide gap table: missing rows and values, ties, mixed and missing statuses, a
    constant series, a unit with two labels of one time (2022 and 2022H1), shuffled rows."""
    rows = []
    for u in range(n):
        for p in PERIODS:
            if rng.random() < 0.15:
                continue
            rows.append(dict(unit_code=f"{u:05d}", period=p,
                             government=round(rng.normal(0.5, 0.1), 2),
                             economy=np.nan if rng.random() < 0.1 else round(rng.normal(0.4, 0.1), 2),
                             society=rng.normal(0.5, 0.1),
                             status=rng.choice(["observed", "imputed", "estimated", None])))  # fmt: skip
    w = pd.DataFrame(rows)
    w.loc[w["unit_code"] == "00003", "economy"] = 0.4
    w = pd.concat([w, w[w["unit_code"] == "00007"].iloc[:1].assign(period="2022")])
    w["gap_econ"] = w["government"] - w["economy"]
    w["gap_soc"] = w["government"] - w["society"]
    w["gap_mean"] = (w["gap_econ"] + w["gap_soc"]) / 2
    return w.sample(frac=1, random_state=3)


@pytest.mark.parametrize("level, include_district", [(0.90, True), (0.95, False)])
def test_compute_trends_equals_per_row_scipy(level, include_district, make_framework, make_panel):
    """The vectorised compute_trends gives the table of the per-unit scipy loop: same rows,
    order, columns, dtypes, values (1e-12), on a messy table and on a planted panel."""
    cols = [*G.PILLARS, *G.GAP_SERIES]
    w = _messy_gap_table(np.random.default_rng(8))
    got = G.compute_trends(w, level=level, include_district=include_district)
    ref = _trends_per_row(w, cols, level, include_district)
    pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=0, atol=1e-12)
    sc = make_panel(np.random.default_rng(21), 18, (6, 7, 7),
                    {"government": 0.7, "economy": 0.3, "society": 0.5}, sd=0.01, periods=PERIODS,
                    slope={"economy": 0.06})  # fmt: skip
    g = G.compute_gaps(sc, make_framework((6, 7, 7)), n_boot=50, seed=1)
    got = G.compute_trends(g, level=level, include_district=include_district)
    ref = _trends_per_row(g, cols, level, include_district)
    pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=0, atol=1e-12)
