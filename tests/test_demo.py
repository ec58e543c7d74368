"""analysis.demo: the synthetic example tables of the figures (``example_plot_data``).

The demo panel itself (``generate_demo``/``write_demo``, byte-identical ``data/demo``) is
tested in test_foundation.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import demo


@pytest.fixture(scope="module")
def data():
    return demo.example_plot_data(seed=7, n_draws=200)


def test_example_plot_data_follows_the_contracts(data):
    gaps = data["gaps"]
    assert list(gaps.columns) == [
        "unit_code", "period", "government", "economy", "society", "gap_econ", "gap_econ_lo", "gap_econ_hi",
        "gap_soc", "gap_soc_lo", "gap_soc_hi", "gap_mean", "gap_mean_lo", "gap_mean_hi", "ratio_econ", "ratio_soc",
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
    assert (gaps["gap_mean_lo"] <= gaps["gap_mean_hi"]).all()
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
