"""Figures of a province or the country (issue #20): thousands of units stay readable — the map
names only the extremes, the scatter drops the whiskers, the gap trend draws a band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import plots

pytestmark = pytest.mark.usefixtures("plot_style")

N = 600


@pytest.fixture(scope="module")
def many():
    rng = np.random.default_rng(3)
    codes = [f"{i:05d}" for i in range(N)]
    units = pd.DataFrame(
        {
            "unit_code": codes,
            "name_vi": [f"Xã {i}" for i in range(N)],
            "lat": rng.uniform(9, 23, N),
            "lon": rng.uniform(103, 109, N),
        }
    )
    rows = []
    for p in ("2024H1", "2024H2", "2025H1"):
        g = rng.uniform(0.6, 0.95, N)
        e, s = rng.uniform(0.2, 0.8, N), rng.uniform(0.3, 0.8, N)
        gm = g - (e + s) / 2
        rows.append(
            pd.DataFrame(
                {
                    "unit_code": codes,
                    "period": p,
                    "government": g,
                    "economy": e,
                    "society": s,
                    "gap_econ": g - e,
                    "gap_soc": g - s,
                    "gap_mean": gm,
                    "gap_mean_sel_lo": gm - 0.05,
                    "gap_mean_sel_hi": gm + 0.05,
                    "status": "synthetic",
                }
            )
        )
    return pd.concat(rows, ignore_index=True), units


def test_a_map_of_many_units_names_only_the_extremes(many):
    gaps, units = many
    ax = plots.plot_map(gaps, units=units, lang="en", status="synthetic")
    names = {t.get_text() for t in ax.texts if t.get_text().startswith("Xã")}
    cur = gaps[gaps["period"] == "2025H1"].sort_values("gap_mean")
    ends = {f"Xã {int(c)}" for c in pd.concat([cur.head(5), cur.tail(5)])["unit_code"]}
    assert names == ends


def test_a_scatter_of_many_units_draws_points_without_whiskers(many):
    gaps, units = many
    fig = plots.figure_pillar_scatter(gaps, units=units, lang="en", status="synthetic")
    gids = {c.get_gid() for ax in fig.axes for c in ax.collections}
    assert "points" in gids and "ci_whiskers" not in gids


def test_a_gap_trend_of_many_units_draws_the_band_not_every_line(many):
    gaps, units = many
    ax = plots.plot_gap_trend(gaps, units=units, lang="en", status="synthetic")
    assert not [ln for ln in ax.lines if (ln.get_gid() or "").startswith("commune_")]
    labels = ax.get_legend().get_texts() if ax.get_legend() else []
    assert any("10–90% of the 600 units" in t.get_text() for t in labels) or any(
        "10–90%" in t.get_text() for a in ax.figure.legends for t in a.get_texts()
    )


def test_a_heatmap_of_many_units_shows_the_ends_and_counts_the_others(many):
    gaps, units = many
    cur = gaps[gaps["period"] == "2025H1"]
    rows = [
        pd.DataFrame(
            {
                "unit_code": cur["unit_code"],
                "period": "2025H1",
                "level": "indicator",
                "name": ind,
                "value": cur[p].to_numpy(),
            }
        )
        for ind, p in (("g1", "government"), ("e1", "economy"), ("s1", "society"))
    ]
    scores = pd.concat(rows, ignore_index=True)
    labels = {"g1": "G", "e1": "E", "s1": "S"}
    ax = plots.plot_pillar_heatmap(
        scores, gaps=gaps, units=units, indicator_labels=labels, lang="en", status="synthetic"
    )
    assert len(ax.get_yticklabels()) == 20
    assert [t.get_text() for t in ax.texts if t.get_gid() == "omitted_text"] == ["… 580 others"]
