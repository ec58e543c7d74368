"""analysis.demo: the seeded synthetic panel (byte-identical to the committed file) and the
synthetic example tables of the figures (``example_plot_data``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config, demo
from analysis.demo import generate_demo, write_demo
from analysis.loaders import load_observations


def test_demo_is_deterministic_and_byte_identical_to_committed(tmp_path):
    [p] = write_demo(out_dir=tmp_path)
    assert p.read_bytes() == config.DEMO_OBSERVATIONS.read_bytes()
    other = generate_demo(seed=1)
    assert not other.equals(generate_demo())


def test_demo_is_synthetic_valid_and_has_the_documented_shape(commune_framework):
    obs = load_observations()
    assert (obs["status"] == "synthetic").all()
    assert obs["period"].nunique() >= 6 and obs["unit_code"].nunique() == 18
    fw = commune_framework
    pillar = obs["indicator"].map(fw.pillar_of())
    lo = obs["indicator"].map(fw.indicators.set_index("id")["goalpost_lo"])
    hi = obs["indicator"].map(fw.indicators.set_index("id")["goalpost_hi"])
    rates = fw.indicators.set_index("id")["kind"].reindex(obs["indicator"]).values == "rate"
    norm = ((obs["value"] - lo) / (hi - lo))[rates]
    means = norm.groupby([pillar[rates], obs["period"][rates]]).mean().unstack()
    # government high and rising faster than economy and society
    assert (means.loc["government"] > means.loc["economy"] + 0.2).all()
    g_rise = means.loc["government"].iloc[-1] - means.loc["government"].iloc[0]
    e_rise = means.loc["economy"].iloc[-1] - means.loc["economy"].iloc[0]
    assert g_rise > e_rise
    coverage = len(obs) / (18 * 20 * 7)
    assert 0.9 < coverage < 0.99


@pytest.fixture(scope="module")
def data():
    return demo.example_plot_data(seed=7, n_draws=200)


def test_example_plot_data_follows_the_contracts(data):
    gaps = data["gaps"]
    assert list(gaps.columns) == [
        "unit_code", "period", "government", "economy", "society", "gap_econ", "gap_econ_sel_lo", "gap_econ_sel_hi",
        "gap_soc", "gap_soc_sel_lo", "gap_soc_sel_hi", "gap_mean", "gap_mean_sel_lo", "gap_mean_sel_hi", "ratio_econ", "ratio_soc",
        "z_econ", "z_soc", "z_mean", "rank_government", "rank_economy", "rank_society", "rank_gap_mean",
        "typology", "typology_stability", "status",
    ]  # fmt: skip
    assert list(data["pillars"].columns) == [
        "unit_code",
        "period",
        "government",
        "economy",
        "society",
        "index",
        "status",
    ]
    assert list(data["scores"].columns) == [
        "unit_code",
        "period",
        "level",
        "name",
        "value",
        "status",
    ]
    assert list(data["observations"].columns) == [
        "unit_code",
        "period",
        "indicator",
        "value",
        "status",
        "source",
    ]
    assert {
        "unit_code",
        "nominal",
        "mean",
        "median",
        "q05",
        "q95",
        "mean_abs_shift",
        "p_top_k",
        "p_bottom_k",
    } <= set(data["rank_stats"].columns)
    assert {"choice", "target", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi"} <= set(
        data["sensitivity"].columns
    )
    for k in ("gaps", "pillars", "scores", "observations", "rank_stats", "sensitivity"):
        assert (data[k]["status"] == "synthetic").all(), k
        if "unit_code" in data[k]:
            assert all(isinstance(c, str) for c in data[k]["unit_code"]), k
    np.testing.assert_allclose(
        gaps["gap_mean"], gaps["government"] - (gaps["economy"] + gaps["society"]) / 2
    )
    assert (gaps["gap_mean_sel_lo"] <= gaps["gap_mean_sel_hi"]).all()
    assert set(gaps["typology"]) <= {
        "government_led",
        "balanced_high",
        "balanced_low",
        "economy_society_led",
    }
    assert gaps["period"].nunique() == 7 and gaps["unit_code"].nunique() == 18
    again = demo.example_plot_data(seed=7, n_draws=200)
    pd.testing.assert_frame_equal(again["gaps"], gaps)


def test_example_plot_data_is_seeded():
    a = demo.example_plot_data(seed=1, n_periods=3, n_draws=50)
    b = demo.example_plot_data(seed=2, n_periods=3, n_draws=50)
    assert sorted(a["gaps"]["period"].unique()) == ["2022H1", "2022H2", "2023H1"]
    assert not a["gaps"]["gap_mean"].equals(b["gaps"]["gap_mean"])
    assert len(a["rank_stats"]) == 18 and (a["rank_stats"]["q05"] <= a["rank_stats"]["q95"]).all()
    assert set(a["observations"]["source"]) == {"analysis.demo.example_plot_data (synthetic)"}
