"""analysis.plots.maps: bubble map with the post-2025 communes, choropleth from GeoJSON."""

from __future__ import annotations

import json
import math

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.colors import TwoSlopeNorm

from analysis import plots
from analysis.errors import ParameterError, RenderError
from analysis.plots import maps

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def _by_gid(ax, gid):
    return [a for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _latest(df):
    last = sorted(df["period"].unique(), key=lambda p: (int(p[:4]), p))[-1]
    return df.loc[df["period"] == last]


def test_map_bubbles_successors_scale_bar(plot_tables):
    ax = plots.plot_map(plot_tables["gaps"], units=plot_tables["units"], lang="vi")
    (b,) = _by_gid(ax, "bubbles")
    assert len(b.get_offsets()) == 18
    sizes = b.get_sizes()
    assert sizes.max() == pytest.approx(maps._BUBBLE_MAX)
    pop = plot_tables["units"]["population"].to_numpy(float)
    np.testing.assert_allclose(np.sort(sizes), np.sort(maps._BUBBLE_MAX * pop / pop.max()))
    assert isinstance(b.norm, TwoSlopeNorm) and b.norm.vcenter == 0 and b.norm.vmin == -b.norm.vmax
    succ = [p for p in ax.patches if (p.get_gid() or "").startswith("successor_")]
    assert len(succ) == plot_tables["units"]["successor_code"].nunique() == 5
    assert {t.get_text() for t in ax.texts if t.get_gid() == "successor_label"} == set(
        plot_tables["units"]["successor_name_vi"]
    )
    assert [t.get_text() for t in ax.texts if t.get_gid() == "scale_bar_label"][0].endswith(" km")
    lat0 = math.radians(plot_tables["units"]["lat"].mean())
    assert ax.get_aspect() == pytest.approx(1 / math.cos(lat0), rel=1e-3)
    assert ax.get_xlabel() == "Kinh độ (°Đ)"


def _square(x, y, d=0.02):
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def test_map_choropleth_from_geojson(plot_tables, tmp_path):
    gj = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ma": "20500"}, "geometry": {"type": "Polygon", "coordinates": _square(108.0, 15.8)}},
            {"type": "Feature", "properties": {"ma": "20503"}, "geometry": {"type": "MultiPolygon", "coordinates": [_square(108.02, 15.8), _square(108.05, 15.8)]}},
            {"type": "Feature", "properties": {"ma": "99999"}, "geometry": {"type": "Polygon", "coordinates": _square(108.0, 15.82)}},
        ],
    }  # fmt: skip
    path = tmp_path / "communes.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    ax = plots.plot_map(
        plot_tables["gaps"], units=plot_tables["units"], geojson=path, id_property="ma", lang="en"
    )
    patches = [p for p in ax.patches if (p.get_gid() or "").startswith("unit_")]
    assert len(patches) == 4  # 1 + 2 (multipolygon) + 1 without data
    g = _latest(plot_tables["gaps"]).set_index("unit_code")["gap_mean"]
    m = float(np.abs(g).max())
    norm = TwoSlopeNorm(0, -m, m)
    (p0,) = [p for p in patches if p.get_gid() == "unit_20500"]
    np.testing.assert_allclose(p0.get_facecolor(), mpl.colormaps[maps._GAP_CMAP](norm(g["20500"])))
    (nodata,) = [p for p in patches if p.get_gid() == "unit_99999"]
    assert nodata.get_hatch() == "///"
    assert not _by_gid(ax, "bubbles")
    ax.figure.canvas.draw()
    with pytest.raises(ParameterError, match="'unit_code'.*\\['ma'\\].*id_property"):
        plots.plot_map(
            plot_tables["gaps"], units=plot_tables["units"], geojson=gj, id_property="unit_code"
        )


def test_map_without_coordinates_says_to_pass_geojson(plot_countries):
    with pytest.raises(ParameterError, match="no coordinates.*geojson"):
        plots.plot_map(plot_countries["gaps"], units=plot_countries["units"])
    with pytest.raises(ParameterError, match="no coordinates.*missing"):
        plots.plot_map(
            plot_countries["gaps"], units=plot_countries["units"].drop(columns=["lat", "lon"])
        )


def test_map_geojson_errors_name_the_file_and_the_geometry(plot_tables, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RenderError, match=r"bad\.geojson: not valid JSON at line 1"):
        plots.plot_map(plot_tables["gaps"], units=plot_tables["units"], geojson=bad)
    with pytest.raises(ParameterError, match="does not exist"):
        plots.plot_map(plot_tables["gaps"], units=plot_tables["units"], geojson=tmp_path / "no")
    point = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"unit_code": "20500"},
             "geometry": {"type": "Point", "coordinates": [108.0, 15.8]}}]}  # fmt: skip
    with pytest.raises(RenderError, match="geometry type 'Point' is not supported"):
        plots.plot_map(plot_tables["gaps"], units=plot_tables["units"], geojson=point)
