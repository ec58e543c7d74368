"""analysis.plots.profile: one commune's indicator profile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import plots
from analysis.errors import ParameterError

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def _by_gid(ax, gid):
    return [a for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def test_profile_points_medians_and_targets(plot_tables):
    ax = plots.plot_commune_profile(
        plot_tables["scores"], "20503", units=plot_tables["units"], lang="vi"
    )
    fw = plot_tables["framework"]
    (pts,) = _by_gid(ax, "commune_points")
    (med,) = _by_gid(ax, "median_points")
    (tgt,) = _by_gid(ax, "target_points")
    assert len(pts.get_offsets()) == 20 and len(med.get_offsets()) == 20
    assert len(tgt.get_offsets()) == int(fw.indicators["target_2025"].notna().sum())
    ind = plot_tables["scores"].query("level == 'indicator' and period == '2025H1'")
    expected_med = ind.groupby("name")["value"].median().reindex(fw.indicator_ids).to_numpy()
    np.testing.assert_allclose(med.get_offsets()[:, 0], expected_med)
    # smartphone target 80 on goalposts [0, 100] -> 0.8
    assert 0.8 in np.round(tgt.get_offsets()[:, 0], 6)
    assert "Đại Sơn" in ax.get_title(loc="left")
    assert "Người trưởng thành có điện thoại thông minh" in [
        t.get_text() for t in ax.get_yticklabels()
    ]


def test_profile_rows_are_shared_a_missing_value_leaves_its_row_empty(plot_tables):
    scores = plot_tables["scores"].copy()
    hole = (
        (scores["unit_code"] == "20503")
        & (scores["name"] == "econ_einvoice_pct")
        & (scores["period"] == "2025H1")
    )
    scores.loc[hole, "value"] = float("nan")
    ax = plots.plot_commune_profile(scores, "20503", units=plot_tables["units"], lang="en")
    (pts,) = _by_gid(ax, "commune_points")
    assert len(pts.get_offsets()) == 20  # the row stays, without a point
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 20 and not any("…" in s for s in labels)
    assert "Businesses and household\nbusinesses issuing e-invoices" in labels  # balanced lines
    other = plots.plot_commune_profile(scores, "20500", units=plot_tables["units"], lang="en")
    assert [t.get_text() for t in other.get_yticklabels()] == labels  # same rows for every commune
    assert other.get_xlim() == ax.get_xlim() == (-0.03, 1.03)


def test_profile_and_targets_with_a_framework_without_economy_or_targets():
    from analysis.frameworks import framework_from_dict

    fw = framework_from_dict({"id": "egdi_like", "pillars": [{"id": "government"}, {"id": "society"}],
        "indicators": [dict(id=i, pillar=p, name_vi=i.upper(), name_en=i.upper(), unit="index 0-1", direction=1,
                            kind="score", goalposts=[0, 1], weight=1)
                       for i, p in (("osi", "government"), ("hci", "society"), ("tii", "society"))]})  # fmt: skip
    obs = pd.DataFrame([dict(unit_code=u, period="2024", indicator=i, value=v, status="observed")
                        for u, vals in {"VNM": (0.7, 0.73, 0.88), "THA": (0.8, 0.75, 0.9), "LAO": (0.3, 0.5, 0.4)}.items()
                        for i, v in zip(("osi", "hci", "tii"), vals, strict=True)])  # fmt: skip
    scores = obs.rename(columns={"indicator": "name"}).assign(level="indicator")
    ax = plots.plot_commune_profile(scores, "VNM", framework=fw, lang="en")
    (pts,) = _by_gid(ax, "commune_points")
    np.testing.assert_allclose(pts.get_offsets()[:, 0], [0.7, 0.73, 0.88])
    assert len(_by_gid(ax, "target_points")[0].get_offsets()) == 0  # no targets
    with pytest.raises(ParameterError, match="no 2025 or 2030 target.*skip"):
        plots.plot_distance_to_targets(obs, "VNM", framework=fw)
