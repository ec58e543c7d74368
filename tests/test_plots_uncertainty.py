"""analysis.plots.uncertainty: rank intervals and sensitivity indices."""

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


def test_rank_uncertainty_intervals(plot_tables):
    ax = plots.plot_rank_uncertainty(
        plot_tables["rank_stats"], units=plot_tables["units"], lang="vi"
    )
    rs = plot_tables["rank_stats"].sort_values(["median", "nominal", "unit_code"], ascending=False)
    (iv,) = _by_gid(ax, "rank_intervals")
    segs = iv.get_segments()
    np.testing.assert_allclose([s[0, 0] for s in segs], rs["q05"])
    np.testing.assert_allclose([s[1, 0] for s in segs], rs["q95"])
    (nom,) = _by_gid(ax, "nominal_ranks")
    np.testing.assert_allclose(nom.get_offsets()[:, 0], rs["nominal"])
    best = plot_tables["rank_stats"].sort_values(["median", "nominal"]).iloc[0]
    assert ax.get_yticklabels()[-1].get_text() == _names(plot_tables["units"])[best["unit_code"]]
    assert ax.get_xlabel() == "Thứ hạng (1 = cao nhất)"


def test_sensitivity_bars(plot_tables):
    ax = plots.plot_sensitivity(plot_tables["sensitivity"], lang="vi")
    si = [p for p in ax.patches if p.get_gid() == "si_bar"]
    sti = [p for p in ax.patches if p.get_gid() == "sti_bar"]
    s = plot_tables["sensitivity"].sort_values(["STi", "choice"])
    np.testing.assert_allclose([p.get_width() for p in si], s["Si"])
    np.testing.assert_allclose([p.get_width() for p in sti], s["STi"])
    assert ax.get_yticklabels()[-1].get_text() == "Trọng số"
    assert "Dịch chuyển thứ hạng" in ax.get_title(loc="left")


def test_rank_uncertainty_with_many_units_shows_ends_and_highlighted(plot_countries):
    ax = plots.plot_rank_uncertainty(
        plot_countries["rank_stats"], units=plot_countries["units"], highlight="C050", lang="en"
    )
    assert 20 <= len(ax.get_yticklabels()) <= 21 and ax.get_xlim()[1] >= 193
    assert "Nước C050" in [t.get_text() for t in ax.get_yticklabels()]
    assert _by_gid(ax, "omitted_text")
