"""analysis.plots.gaps: the dumbbell and the gap over time."""

from __future__ import annotations

import re

import matplotlib as mpl
import numpy as np
import pytest

from analysis import config, plots
from analysis.errors import ParameterError

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def _by_gid(ax, gid):
    return [a for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _latest(df):
    last = sorted(df["period"].unique(), key=lambda p: (int(p[:4]), p))[-1]
    return df.loc[df["period"] == last]


def test_dumbbell_points_and_ci_text(plot_tables):
    ax = plots.plot_gap_dumbbell(plot_tables["gaps"], units=plot_tables["units"], lang="vi")
    g = _latest(plot_tables["gaps"]).sort_values(["gap_mean", "unit_code"])
    for p in config.PILLARS:
        (coll,) = _by_gid(ax, f"points_{p}")
        off = coll.get_offsets()
        assert len(off) == 18
        np.testing.assert_allclose(off[:, 0], g[p].to_numpy())
        assert mpl.colors.to_hex(coll.get_facecolor()[0]) == plots.PILLAR_COLORS[p].lower()
    # the value column in points of the 0–100 scale: "43  [37–50]", not "0,43  [0,37–0,50]"
    ci = [t.get_text() for t in ax.texts if t.get_gid() == "gap_ci_text"]
    assert len(ci) == 18
    last = g.iloc[-1]
    gap, lo, hi = (
        round(100 * v) for v in (last.gap_mean, last.gap_mean_sel_lo, last.gap_mean_sel_hi)
    )
    assert ci[-1] == f"{gap}  [{lo}–{hi}]" and lo > 0
    assert ax.get_xlabel() == "Điểm (thang 0–100)"
    en = plots.plot_gap_dumbbell(plot_tables["gaps"], units=plot_tables["units"], lang="en")
    en_ci = [t.get_text() for t in en.texts if t.get_gid() == "gap_ci_text"]
    assert not [t for t in ci + en_ci if re.search(r"\d[.,]\d", t)]  # whole points
    assert en.get_xlabel() == "Score (0–100 scale)"
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
    }


def test_gap_trend(plot_tables):
    ax = plots.plot_gap_trend(
        plot_tables["gaps"], units=plot_tables["units"], highlight="20503", lang="en"
    )
    assert len([ln for ln in ax.lines if (ln.get_gid() or "").startswith("commune_")]) == 18
    (med,) = _by_gid(ax, "median_line")
    expected = plot_tables["gaps"].groupby("period")["gap_mean"].median().sort_index()
    np.testing.assert_allclose(med.get_ydata(), expected.to_numpy())
    assert _by_gid(ax, "ci_band_20503") and _by_gid(ax, "zero_line")
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "2022 H1"


def test_dumbbell_many_units_shows_ends_and_highlighted_without_economy(plot_countries):
    g = plot_countries["gaps"]
    last = g[g["period"] == "2024"].sort_values(["gap_mean", "unit_code"])
    mid = last["unit_code"].iloc[96]
    ax = plots.plot_gap_dumbbell(
        g, units=plot_countries["units"], highlight=[mid, "C000"], lang="en"
    )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ends = set(last["unit_code"].iloc[:10]) | set(last["unit_code"].iloc[-10:])
    expected = [c for c in last["unit_code"] if c in ends | {mid, "C000"}]
    assert labels == [f"Nước {c}" for c in expected] and 20 <= len(labels) <= 22
    assert not _by_gid(ax, "points_economy")  # no economy pillar: not drawn, not in the legend
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        "Digital government",
        "Digital society",
    }
    omitted = [t.get_text() for t in ax.texts if t.get_gid() == "omitted_text"]
    n_omit = sum(int(re.search(r"\d+", t).group()) for t in omitted)
    assert n_omit == 193 - len(labels) and all(t.endswith("others") for t in omitted)
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert set(bold) == {f"Nước {mid}", "Nước C000"} and _by_gid(ax, f"highlight_{mid}")
    ci = [t.get_text() for t in ax.texts if t.get_gid() == "gap_ci_text"]
    assert len(ci) == len(labels) and not any("[" in t for t in ci)  # NaN interval: number only
    # top_n forces the selection; 18 communes with the default stay complete
    ax2 = plots.plot_gap_dumbbell(g, top_n=3, lang="en")
    assert len(ax2.get_yticklabels()) == 6
    with pytest.raises(ParameterError, match="top_n"):
        plots.plot_gap_dumbbell(g, top_n=0)
    with pytest.raises(ParameterError, match="highlight"):
        plots.plot_gap_dumbbell(g, highlight="NOPE")


def test_gap_trend_with_many_units_and_a_gap_without_data(plot_countries):
    ax = plots.plot_gap_trend(
        plot_countries["gaps"], units=plot_countries["units"], highlight="C001", lang="en"
    )
    assert len([ln for ln in ax.lines if (ln.get_gid() or "").startswith("commune_")]) == 193
    assert "Nước C001" in [t.get_text() for t in ax.get_legend().get_texts()]
    ax = plots.plot_gap_trend(plot_countries["gaps"], gap="gap_econ", lang="en")
    assert _by_gid(ax, "no_data")
    with pytest.raises(ParameterError, match="highlight='NOPE'"):
        plots.plot_gap_trend(plot_countries["gaps"], highlight="NOPE")
