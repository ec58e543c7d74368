"""analysis.plots.distributions: every indicator's distribution on its goalposts' scale."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from analysis import plots

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def test_indicator_distributions_one_box_per_indicator_per_pillar_with_watermark():
    from analysis.frameworks import load_framework
    from analysis.loaders import load_observations

    plots.set_style()
    fw = load_framework()
    fig = plots.figure_indicator_distributions(load_observations(), framework=fw, lang="vi")
    boxes = [a for ax in fig.axes for a in ax.patches if str(a.get_gid() or "").startswith("box:")]
    assert len(boxes) == len(fw.indicator_ids)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
    ]
    for ax in fig.axes:  # the mark is tiled over each panel
        assert sum(t.get_gid() == plots.WATERMARK_GID for t in ax.texts) >= 4
        lo, hi = ax.get_xlim()  # values beyond a goalpost stay on the axis, nothing is cut
        assert lo <= 0 and hi >= 1
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert all("…" not in s for s in labels) and any("\n" in s for s in labels)
    plt.close(fig)
