"""analysis.plots.targets: one commune's distance to the national targets, on a scale shared by
every commune of the period."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import i18n, plots

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def _by_gid(ax, gid):
    return [a for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def test_distance_to_targets_bars(plot_tables):
    ax = plots.plot_distance_to_targets(
        plot_tables["observations"], "20503", units=plot_tables["units"], lang="vi"
    )
    fw = plot_tables["framework"].indicators
    with_target = fw.loc[fw["target_2025"].notna() | fw["target_2030"].notna()]
    bars = [p for p in ax.patches if p.get_gid() == "attainment_bar"]
    assert len(bars) == len(with_target) == 10
    obs = (
        plot_tables["observations"]
        .query("unit_code == '20503' and period == '2025H1'")
        .set_index("indicator")["value"]
    )
    expected = (
        obs.reindex(with_target["id"]).to_numpy() / with_target["target_2025"].to_numpy() * 100
    )
    np.testing.assert_allclose(
        [b.get_width() for b in bars], expected
    )  # ordered as in the framework
    (m30,) = _by_gid(ax, "target_2030_points")
    assert len(m30.get_offsets()) == int(
        (with_target["target_2025"].notna() & with_target["target_2030"].notna()).sum()
    )
    assert _by_gid(ax, "target_2025_line")
    values = [t.get_text() for t in ax.texts if t.get_gid() == "value_text"]
    assert values[0].startswith(i18n.format_pct(obs["gov_level4_services_pct"], "vi", 1))


def test_one_scale_for_every_commune_and_bars_beyond_it_cut_and_marked(plot_tables):
    obs = plot_tables["observations"].copy()
    big = (
        (obs["unit_code"] == "20506")
        & (obs["indicator"] == "soc_fibre_households_pct")
        & (obs["period"] == "2025H1")
    )
    obs.loc[big, "value"] = 400.0  # 500% of its 80% target: beyond the 250% cap
    axes = {
        c: plots.plot_distance_to_targets(obs, c, units=plot_tables["units"], lang="en")
        for c in ("20500", "20506")
    }
    assert axes["20500"].get_xlim() == axes["20506"].get_xlim()  # one scale for the period
    xmax = axes["20506"].get_xlim()[1]
    assert xmax == pytest.approx(250.0)
    bars = [p for p in axes["20506"].patches if p.get_gid() == "attainment_bar"]
    assert max(b.get_width() for b in bars) == pytest.approx(xmax)  # cut at the edge
    (beyond,) = _by_gid(axes["20506"], "beyond_scale")
    plain = plots.plot_distance_to_targets(plot_tables["observations"], "20506", lang="en")
    before = len(_by_gid(plain, "beyond_scale")[0].get_offsets())
    assert len(beyond.get_offsets()) == before + 1  # the fibre bar, cut and marked
    assert np.all(beyond.get_offsets()[:, 0] < xmax)  # the arrowhead sits inside the axes
    legend = [t.get_text() for t in axes["20500"].get_legend().get_texts()]
    assert "Beyond 250% (value in the right column)" in legend  # the scale is the period's
    values = [t.get_text() for t in axes["20506"].texts if t.get_gid() == "value_text"]
    assert any(v.startswith(i18n.format_pct(400.0, "en", 1)) for v in values)
    assert np.isfinite(xmax)
