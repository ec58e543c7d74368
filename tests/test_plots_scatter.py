"""analysis.plots.scatter: government against the other pillars; the typology's regions are
the typology's own rule, so every commune lies in the region named like its row."""

from __future__ import annotations

import matplotlib.text as mtext
import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path

from analysis import plots
from analysis.errors import DataValidationError, ParameterError
from analysis.gaps import compute_gaps

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]

CLASSES = ("government_led", "economy_society_led", "balanced_high", "balanced_low")


def _by_gid(ax, gid):
    return [a for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _latest(df):
    last = sorted(df["period"].unique(), key=lambda p: (int(p[:4]), p))[-1]
    return df.loc[df["period"] == last]


@pytest.fixture(scope="module")
def mixed_gaps(make_panel, make_framework):
    """A gap table from the real typology rule whose 60 units fall in every class."""
    rng = np.random.default_rng(3)
    n = 60
    mu = {"government": rng.uniform(0.15, 0.9, n), "economy": rng.uniform(0.1, 0.9, n),
          "society": rng.uniform(0.1, 0.9, n)}  # fmt: skip
    scores = make_panel(rng, n, (4, 4, 4), mu, sd=0.04)
    return compute_gaps(scores, make_framework(k=(4, 4, 4)), n_boot=200, delta=0.12, high=0.45)


def _inside(poly, point, tol=1e-9):
    """``point`` in the polygon or on its boundary (within ``tol``)."""
    if Path(poly).contains_point(point):
        return True
    a, b = poly, np.roll(poly, -1, axis=0)
    d = b - a
    t = np.clip(((point - a) * d).sum(1) / (d * d).sum(1), 0, 1)
    return bool(np.min(np.hypot(*(a + t[:, None] * d - point).T)) <= tol)


def test_every_commune_lies_in_the_region_of_its_own_class(mixed_gaps):
    g = mixed_gaps
    assert set(g["typology"]) == set(CLASSES)  # the test covers every class
    ax = plots.plot_pillar_scatter(g, lang="en")
    regions = {cls: _by_gid(ax, f"region_{cls}") for cls in CLASSES}
    assert all(len(r) == 1 for r in regions.values())
    polys = {cls: r[0].get_xy() for cls, r in regions.items()}
    (pts,) = _by_gid(ax, "points")
    data = g.sort_values("unit_code")
    xy = np.column_stack([data["government"], data[["economy", "society"]].mean(axis=1)])
    np.testing.assert_allclose(pts.get_offsets(), xy)
    for (x, y), cls in zip(xy, data["typology"], strict=True):
        assert _inside(polys[cls], np.array([x, y])), (cls, x, y)
        assert not [c for c in CLASSES if c != cls and Path(polys[c]).contains_point((x, y))]
    # the legend states the thresholds that classified the table, the labels name the regions
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Balanced: |gap| < 12; high: mean score ≥ 45" in legend  # thresholds in points
    names = {t.get_gid(): t.get_text() for t in ax.texts}
    assert names["region_label_government_led"] == "Government-led"
    assert ax.get_ylabel() == "Mean of digital economy and society (0–100 scale)"


def test_the_regions_follow_the_thresholds_of_the_table_not_the_medians(mixed_gaps):
    wide = mixed_gaps.copy()
    wide.attrs = {**mixed_gaps.attrs, "delta": 0.3}
    ax1 = plots.plot_pillar_scatter(mixed_gaps)
    ax2 = plots.plot_pillar_scatter(wide)
    band1 = Path(_by_gid(ax1, "region_balanced_high")[0].get_xy())
    band2 = Path(_by_gid(ax2, "region_balanced_high")[0].get_xy())
    # a point 0.2 below the 45° line at a high level: government-led with delta 0.12, balanced with 0.3
    assert not band1.contains_point((0.8, 0.6)) and band2.contains_point((0.8, 0.6))
    no_attrs = mixed_gaps.copy()
    no_attrs.attrs = {}
    ax3 = plots.plot_pillar_scatter(no_attrs)  # a table read from a file: the package defaults
    legend = " ".join(t.get_text() for t in ax3.get_legend().get_texts())
    assert "< 10;" in legend and "≥ 50" in legend and "0,10" not in legend


def test_typology_regions_tile_the_box():
    regions = plots.typology_regions(0.1, 0.5, 2, (0.0, 1.0))
    area = sum(0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], -1)) - np.dot(p[:, 1], np.roll(p[:, 0], -1)))
               for p in regions.values())  # fmt: skip
    assert area == pytest.approx(1.0)
    # only the government-led class exists far below the diagonal
    assert set(plots.typology_regions(0.1, 0.5, 2, (0.0, 0.05))) >= {"balanced_low"}
    one = plots.typology_regions(0.1, 0.5, 1, (0.0, 1.0))  # EGDI: the level is (G + S) / 2
    assert Path(one["balanced_high"]).contains_point((0.52, 0.5))
    assert Path(one["balanced_low"]).contains_point((0.48, 0.5))


def test_whiskers_are_cut_at_the_scale_and_the_cut_is_marked(plot_tables):
    g = _latest(plot_tables["gaps"]).copy()
    g.loc[g.index[0], ["gap_econ_sel_lo", "gap_econ_sel_hi"]] = (-1.5, 1.5)  # runs past 0 and 1
    ax = plots.plot_pillar_scatter(g, y="economy", lang="en")
    (wh,) = _by_gid(ax, "ci_whiskers")
    ends = np.concatenate([s[:, 1] for s in wh.get_segments()])
    assert ends.min() >= 0 and ends.max() <= 1  # nothing drawn off the 0–1 scale
    cut = _by_gid(ax, "ci_clipped")
    assert sorted(len(c.get_offsets()) for c in cut) == [1, 1]  # one arrowhead at each end
    assert {tuple(np.round(c.get_offsets()[0], 6)) for c in cut} == {
        (round(g["government"].iloc[0], 6), 0.0),
        (round(g["government"].iloc[0], 6), 1.0),
    }
    lo, hi = ax.get_ylim()
    assert -0.031 <= lo and hi <= 1.031
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Interval runs beyond the 0–100 scale (cut at the edge)" in legend
    fine = plots.plot_pillar_scatter(_latest(plot_tables["gaps"]), y="society", lang="en")
    assert not _by_gid(fine, "ci_clipped")


def test_pillar_panel_identity_line_whiskers_and_labels_without_overlap(plot_tables):
    ax = plots.plot_pillar_scatter(
        plot_tables["gaps"], y="economy", units=plot_tables["units"], lang="en"
    )
    (line,) = _by_gid(ax, "identity_line")
    x, y = line.get_data()
    np.testing.assert_allclose(x, y)  # the 45° line
    assert ax.get_xlim() == ax.get_ylim()
    (pts,) = _by_gid(ax, "points")
    g = _latest(plot_tables["gaps"]).sort_values("unit_code")
    np.testing.assert_allclose(pts.get_offsets(), g[["government", "economy"]].to_numpy())
    (wh,) = _by_gid(ax, "ci_whiskers")
    segs = wh.get_segments()
    assert len(segs) == 18
    lo_col, hi_col = "gap_econ_sel_lo", "gap_econ_sel_hi"
    lo = np.clip(g["government"] - g[hi_col], 0, 1)
    hi = np.clip(g["government"] - g[lo_col], 0, 1)
    np.testing.assert_allclose([min(s[:, 1]) for s in segs], lo.to_numpy())
    np.testing.assert_allclose([max(s[:, 1]) for s in segs], hi.to_numpy())
    assert not [
        a for a in ax.patches if (a.get_gid() or "").startswith("region_")
    ]  # a class needs both pillars
    labels = [t for t in ax.texts if t.get_gid() == "label"]
    assert sorted(t.get_text() for t in labels) == sorted(plot_tables["units"]["name_vi"])
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [mtext.Text.get_window_extent(t, renderer) for t in labels]
    overlaps = [
        (labels[i].get_text(), labels[j].get_text())
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]
    assert overlaps == []
    axbox = ax.get_window_extent(renderer)
    assert all(
        axbox.x0 - 1 <= b.x0
        and b.x1 <= axbox.x1 + 1
        and axbox.y0 - 1 <= b.y0
        and b.y1 <= axbox.y1 + 1
        for b in boxes
    )
    assert ax.get_ylabel() == "Digital economy (0–100 scale)"
    with pytest.raises(ParameterError, match="y='index'"):
        plots.plot_pillar_scatter(plot_tables["gaps"], y="index")


def test_figure_has_the_typology_panel_and_one_panel_per_compared_pillar(plot_tables):
    fig = plots.figure_pillar_scatter(plot_tables["gaps"], units=plot_tables["units"], lang="vi")
    main, econ, soc = fig.axes
    assert _by_gid(main, "region_government_led") and not _by_gid(econ, "region_government_led")
    assert main.get_title(loc="left").startswith("Phân loại")
    assert econ.get_ylabel().startswith("Kinh tế số") and soc.get_ylabel().startswith("Xã hội số")
    assert len([t for t in main.texts if t.get_gid() == "label"]) == 18
    assert not [t for t in econ.texts if t.get_gid() == "label"]  # small panels: only highlighted


def test_scatter_many_units_labels_only_highlighted_and_skips_economy(plot_countries):
    g = plot_countries["gaps"]
    fig = plots.figure_pillar_scatter(
        g, units=plot_countries["units"], highlight=["C005", "C100"], lang="en"
    )
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 1  # government against society, the one compared pillar
    ax = panels[0]
    (pts,) = _by_gid(ax, "points")
    assert len(pts.get_offsets()) == 193
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() == "label")
    assert labels == ["Nước C005", "Nước C100"]
    (hl,) = _by_gid(ax, "highlight_points")
    assert len(hl.get_offsets()) == 2
    assert ax.get_ylabel() == "Digital society (0–100 scale)"
    assert _by_gid(ax, "region_government_led")  # the typology with G − S
    empty = plots.plot_pillar_scatter(g, y="economy", lang="vi")
    assert _by_gid(empty, "no_data") and not _by_gid(empty, "points")
    with pytest.raises(DataValidationError, match="no economy or society"):
        plots.figure_pillar_scatter(g.assign(society=np.nan))
    assert isinstance(g, pd.DataFrame)
