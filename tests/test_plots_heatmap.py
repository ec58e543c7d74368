"""analysis.plots.heatmap: communes × indicators grouped by pillar."""

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


def _latest(df):
    last = sorted(df["period"].unique(), key=lambda p: (int(p[:4]), p))[-1]
    return df.loc[df["period"] == last]


def _names(units):
    return dict(zip(units["unit_code"], units["name_vi"], strict=True))


def test_heatmap_rows_ordered_by_gap_and_columns_grouped(plot_tables):
    ax = plots.plot_pillar_heatmap(
        plot_tables["scores"], gaps=plot_tables["gaps"], units=plot_tables["units"], lang="vi"
    )
    (im,) = _by_gid(ax, "heatmap")
    assert im.get_array().shape == (18, 20)
    g = _latest(plot_tables["gaps"]).sort_values("gap_mean", ascending=False)
    names = _names(plot_tables["units"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [names[c] for c in g["unit_code"]]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0].startswith("Thủ tục hành chính")  # "Tỷ lệ" dropped, Vietnamese name
    headers = {t.get_text() for t in ax.texts}
    assert {"Chính quyền số", "Kinh tế số", "Xã hội số"} <= headers
    # first matrix row is the commune with the largest gap, and holds its values
    top = plot_tables["scores"].query(
        "level == 'indicator' and unit_code == @g.unit_code.iloc[0] and period == '2025H1'"
    )
    assert np.nanmean(im.get_array()[0]) == pytest.approx(top["value"].mean())
