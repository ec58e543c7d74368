"""analysis.plots.trends: small multiples of the pillars over time."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import plots

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def _by_gid(ax, gid):
    return [a for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _names(units):
    return dict(zip(units["unit_code"], units["name_vi"], strict=True))


def test_trends_small_multiples(plot_tables):
    fig = plots.figure_trends(plot_tables["pillars"], units=plot_tables["units"], lang="vi")
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 18
    assert all(len(a.lines) == 6 for a in panels)
    assert [a.get_title(loc="left") for a in panels] == [
        _names(plot_tables["units"])[c] for c in sorted(plot_tables["units"]["unit_code"])
    ]
    first = plot_tables["pillars"].query("unit_code == '20500'").sort_values("period")
    (line,) = _by_gid(panels[0], "trend_government")
    np.testing.assert_allclose(line.get_ydata(), first["government"])
    med = plot_tables["pillars"].groupby("period")["economy"].median().sort_index()
    (mline,) = _by_gid(panels[3], "median_economy")
    np.testing.assert_allclose(mline.get_ydata(), med.to_numpy())
    assert [t.get_text() for t in fig.legends[0].get_texts()][:3] == [
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
    ]


def test_trends_with_many_units_shows_highlighted_and_extreme_panels_without_economy(
    plot_countries,
):
    fig = plots.figure_trends(
        plot_countries["pillars"], units=plot_countries["units"], highlight=["C007"], lang="en"
    )
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 13  # highlighted + 6 largest + 6 smallest latest gaps
    assert panels[0].get_title(loc="left") == "Nước C007"
    assert panels[0].title.get_fontweight() == "bold"
    assert all(len(a.lines) == 4 for a in panels)  # G and S, commune and median; no economy
    assert [t.get_text() for t in fig.legends[0].get_texts()][:2] == [
        "Digital government",
        "Digital society",
    ]
    last = plot_countries["gaps"].query("period == '2024'").set_index("unit_code")["gap_mean"]
    assert panels[1].get_title(loc="left") == f"Nước {last.idxmax()}"
    assert panels[12].get_title(loc="left") == f"Nước {last.idxmin()}"  # smallest last
    one = plots.figure_trends(plot_countries["pillars"], unit_codes=["C003"], ncols=6, lang="en")
    assert [a.get_title(loc="left") for a in one.axes if a.get_visible()] == ["C003"]


def test_one_communes_trend_with_quarters_labels_years_and_ticks_every_quarter(plot_tables):
    pillars = plot_tables["pillars"].query("period == '2025H1'")
    quarters = [f"{y}Q{q}" for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
    rows = [
        pillars.assign(period=p, government=pillars["government"] - 0.01 * k)
        for k, p in enumerate(quarters)
    ]
    table = __import__("pandas").concat(rows, ignore_index=True)
    ax = plots.plot_pillar_trend(table, "20503", units=plot_tables["units"], lang="vi")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024", "2025"]
    assert len(ax.get_xticks(minor=True)) == 12
    (line,) = _by_gid(ax, "trend_government")
    assert len(line.get_xdata()) == 12 and np.all(np.diff(line.get_xdata()) == 0.25)  # even spacing
    assert ax.get_title(loc="left") == "Diễn biến ba trụ cột: Đại Sơn"
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in ax.get_xticklabels()]
    assert all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))
    small = plots.figure_trends(
        table, units=plot_tables["units"], unit_codes=["20503", "20500"], lang="en"
    )
    assert [t.get_text() for t in small.axes[0].get_xticklabels()] == ["2023", "2024", "2025"]
