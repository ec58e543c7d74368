"""Tests of analysis.plots: they check the artists (points, lines, labels, watermark), not pixels.

A missing glyph (matplotlib's "Glyph ... missing from font(s)" UserWarning) fails the test.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text as mtext  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402

from analysis import config, i18n, plots  # noqa: E402
from analysis.errors import DataValidationError, ParameterError  # noqa: E402

pytestmark = pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning")

WATERMARK = "Dữ liệu minh họa / Illustrative data"


@pytest.fixture(autouse=True)
def _style_and_cleanup():
    """Project style inside an rc_context, figures closed, RNG seeded, glyph warnings = errors."""
    np.random.seed(0)
    with mpl.rc_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing", category=UserWarning)
        plots.set_style()
        mpl.rcParams["figure.dpi"] = 60  # small, fast figures in tests
        yield
        plt.close("all")


@pytest.fixture(scope="module")
def data():
    return plots.example_data(seed=7, n_draws=200)


@pytest.fixture(scope="module")
def observed(data):
    """The same tables with the status column set to 'observed' (no watermark expected)."""
    out = {}
    for k, v in data.items():
        if isinstance(v, pd.DataFrame) and "status" in v.columns:
            v = v.assign(status="observed")
        out[k] = v
    return out


def _draw(fig):
    fig.canvas.draw()
    return fig


def _texts(fig):
    return [t.get_text() for t in fig.findobj(mtext.Text)]


def _by_gid(ax, gid):
    return [a for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _latest(df):
    last = sorted(df["period"].unique(), key=lambda p: (int(p[:4]), p))[-1]
    return df.loc[df["period"] == last]


def _names(units):
    return dict(zip(units["unit_code"], units["name_vi"], strict=True))


# every public figure, as (name, callable(tables, lang, status) -> Figure)
FIGURES = {
    "heatmap": lambda d, lang, status=None: plots.plot_pillar_heatmap(d["scores"], gaps=d["gaps"], units=d["units"], lang=lang, status=status).figure,
    "dumbbell": lambda d, lang, status=None: plots.plot_gap_dumbbell(d["gaps"], units=d["units"], lang=lang, status=status).figure,
    "scatter": lambda d, lang, status=None: plots.plot_pillar_scatter(d["gaps"], y="society", units=d["units"], lang=lang, status=status).figure,
    "scatter2": lambda d, lang, status=None: plots.figure_pillar_scatter(d["gaps"], units=d["units"], lang=lang, status=status),
    "profile": lambda d, lang, status=None: plots.plot_commune_profile(d["scores"], "20503", units=d["units"], lang=lang, status=status).figure,
    "rank": lambda d, lang, status=None: plots.plot_rank_uncertainty(d["rank_stats"], units=d["units"], lang=lang, status=status).figure,
    "sensitivity": lambda d, lang, status=None: plots.plot_sensitivity(d["sensitivity"], lang=lang, status=status).figure,
    "trends": lambda d, lang, status=None: plots.figure_trends(d["pillars"], units=d["units"], lang=lang, status=status),
    "gap_trend": lambda d, lang, status=None: plots.plot_gap_trend(d["gaps"], units=d["units"], highlight="20503", lang=lang, status=status).figure,
    "targets": lambda d, lang, status=None: plots.plot_distance_to_targets(d["observations"], "20503", units=d["units"], lang=lang, status=status).figure,
    "map": lambda d, lang, status=None: plots.plot_map(d["gaps"], units=d["units"], lang=lang, status=status).figure,
}  # fmt: skip


# ------------------------------------------------------------------ style, fonts, glyphs
def test_set_style_registers_be_vietnam_pro_and_keeps_svg_text():
    family = plots.set_style()
    assert family == "Be Vietnam Pro"
    assert mpl.rcParams["font.family"][:2] == ["Be Vietnam Pro", "DejaVu Sans"]
    assert mpl.rcParams["svg.fonttype"] == "none"
    path = mpl.font_manager.findfont(
        mpl.font_manager.FontProperties(family="Be Vietnam Pro"), fallback_to_default=False
    )
    assert Path(path).name == "BeVietnamPro-Regular.ttf"


def test_pillar_palette_is_okabe_ito_and_distinct():
    cols = [plots.PILLAR_COLORS[p] for p in config.PILLARS]
    assert cols == ["#0072B2", "#E69F00", "#009E73"]
    assert set(cols) <= set(plots.OKABE_ITO.values())


def test_missing_glyph_check_can_fail():
    """The guard works: a glyph absent from Be Vietnam Pro (→), without fallback, fails."""
    fig, ax = plt.subplots()
    with mpl.rc_context({"font.family": ["Be Vietnam Pro"]}):
        ax.text(0.5, 0.5, "→")  # font properties are taken from rcParams when the text is created
        with pytest.raises(UserWarning, match="Glyph .* missing"):
            fig.canvas.draw()


def test_every_label_renders_without_missing_glyphs(data):
    fig, ax = plt.subplots(figsize=(4, 4))
    texts = [v for entry in i18n.LABELS.values() for v in entry.values()] + list(
        data["units"]["name_vi"]
    )
    for k, s in enumerate(texts):
        ax.text(
            0, k, s, fontweight=("bold", "normal")[k % 2], style=("normal", "italic")[k % 3 == 0]
        )
    _draw(fig)  # raises on any missing glyph


@pytest.mark.parametrize("name", sorted(FIGURES))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_draws_with_watermark_and_localised_text(data, name, lang):
    fig = _draw(FIGURES[name](data, lang))
    texts = _texts(fig)
    marks = [t for t in fig.findobj(mtext.Text) if t.get_gid() == plots.WATERMARK_GID]
    assert marks and all(m.get_text() == WATERMARK and m.get_visible() for m in marks)
    joined = "\n".join(texts)
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    decimal_point = re.compile(r"\d\.\d{1,2}(?!\d)")  # 0.78 (not the thousands group of 2.000)
    decimal_comma = re.compile(r"\d,\d{1,2}(?!\d)")
    if lang == "vi":
        assert not decimal_point.search(joined), "no English decimal point in a vi figure"
        if name not in ("rank",):  # the rank figure has no decimals
            assert decimal_comma.search(joined), "Vietnamese decimal comma expected"
    else:
        assert not decimal_comma.search(joined), "no Vietnamese decimal comma in an en figure"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_no_watermark_on_observed_data(observed, name):
    fig = _draw(FIGURES[name](observed, "vi"))
    assert WATERMARK not in _texts(fig)
    fig2 = FIGURES[name](observed, "vi", status="synthetic")
    assert WATERMARK in _texts(fig2)


# ------------------------------------------------------------------ contract of the API
def test_draws_into_given_ax_and_never_uses_gca(data):
    fig, (a1, a2) = plt.subplots(1, 2)
    plt.sca(a1)
    n_before = len(plt.get_fignums())
    out = plots.plot_gap_dumbbell(data["gaps"], ax=a2, units=data["units"])
    assert out is a2 and len(plt.get_fignums()) == n_before
    assert not a1.collections and not a1.lines  # the current axes were not touched
    out2 = plots.plot_rank_uncertainty(data["rank_stats"])
    assert out2.figure is not fig and len(plt.get_fignums()) == n_before + 1


def test_errors_name_the_problem(data):
    with pytest.raises(DataValidationError, match="gap_mean"):
        plots.plot_gap_dumbbell(data["gaps"].drop(columns="gap_mean"))
    with pytest.raises(ParameterError, match="2099H1.*2022H1"):
        plots.plot_gap_dumbbell(data["gaps"], period="2099H1")
    with pytest.raises(ParameterError, match="lang='fr'"):
        plots.plot_sensitivity(data["sensitivity"], lang="fr")
    with pytest.raises(ParameterError, match="y='index'"):
        plots.plot_pillar_scatter(data["gaps"], y="index")
    with pytest.raises(ParameterError, match="99999"):
        plots.plot_commune_profile(data["scores"], "99999")


# ------------------------------------------------------------------ each figure's artists
def test_heatmap_rows_ordered_by_gap_and_columns_grouped(data):
    ax = plots.plot_pillar_heatmap(
        data["scores"], gaps=data["gaps"], units=data["units"], lang="vi"
    )
    (im,) = _by_gid(ax, "heatmap")
    assert im.get_array().shape == (18, 20)
    g = _latest(data["gaps"]).sort_values("gap_mean", ascending=False)
    names = _names(data["units"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [names[c] for c in g["unit_code"]]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0].startswith("Thủ tục hành chính")  # "Tỷ lệ" dropped, Vietnamese name
    headers = {t.get_text() for t in ax.texts}
    assert {"Chính quyền số", "Kinh tế số", "Xã hội số"} <= headers
    # first matrix row is the commune with the largest gap, and holds its values
    top = data["scores"].query(
        "level == 'indicator' and unit_code == @g.unit_code.iloc[0] and period == '2025H1'"
    )
    assert np.nanmean(im.get_array()[0]) == pytest.approx(top["value"].mean())


def test_dumbbell_points_and_ci_text(data):
    ax = plots.plot_gap_dumbbell(data["gaps"], units=data["units"], lang="vi")
    g = _latest(data["gaps"]).sort_values(["gap_mean", "unit_code"])
    for p in config.PILLARS:
        (coll,) = _by_gid(ax, f"points_{p}")
        off = coll.get_offsets()
        assert len(off) == 18
        np.testing.assert_allclose(off[:, 0], g[p].to_numpy())
        assert mpl.colors.to_hex(coll.get_facecolor()[0]) == plots.PILLAR_COLORS[p].lower()
    ci = [t.get_text() for t in ax.texts if t.get_gid() == "gap_ci_text"]
    assert len(ci) == 18
    last = g.iloc[-1]
    assert (
        ci[-1]
        == f"{i18n.format_number(last.gap_mean, 'vi')}  [{i18n.format_interval(last.gap_mean_lo, last.gap_mean_hi, 'vi')}]"
    )
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
    }


def test_scatter_identity_line_whiskers_labels_without_overlap(data):
    ax = plots.plot_pillar_scatter(data["gaps"], y="economy", units=data["units"], lang="en")
    (line,) = _by_gid(ax, "identity_line")
    x, y = line.get_data()
    np.testing.assert_allclose(x, y)  # the 45° line
    assert ax.get_xlim() == ax.get_ylim()
    (pts,) = _by_gid(ax, "points")
    g = _latest(data["gaps"]).sort_values("unit_code")
    np.testing.assert_allclose(pts.get_offsets(), g[["government", "economy"]].to_numpy())
    (wh,) = _by_gid(ax, "ci_whiskers")
    segs = wh.get_segments()
    assert len(segs) == 18
    lo = g["government"] - g["gap_econ_hi"]
    hi = g["government"] - g["gap_econ_lo"]
    np.testing.assert_allclose([min(s[:, 1]) for s in segs], lo.to_numpy())
    np.testing.assert_allclose([max(s[:, 1]) for s in segs], hi.to_numpy())
    assert len([a for a in ax.patches if (a.get_gid() or "").startswith("quadrant_")]) == 4
    labels = [t for t in ax.texts if t.get_gid() == "label"]
    assert sorted(t.get_text() for t in labels) == sorted(data["units"]["name_vi"])
    fig = _draw(ax.figure)
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
    assert ax.get_ylabel() == "Digital economy (0–1)"


def test_label_repulsion_is_deterministic_and_separates_coincident_points():
    def place():
        fig, ax = plt.subplots(figsize=(4, 4))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        xs = [0.5] * 6 + [0.52] * 4
        ys = [0.5] * 6 + [0.5] * 4
        anns = plots._place_labels(ax, xs, ys, [f"Xã số {k}" for k in range(10)])
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        return [mtext.Text.get_window_extent(a, r) for a in anns], [a.xyann for a in anns]

    boxes, pos1 = place()
    _, pos2 = place()
    assert pos1 == pos2
    assert not any(boxes[i].overlaps(boxes[j]) for i in range(10) for j in range(i + 1, 10))


def test_label_repulsion_stops_at_a_fixed_point(monkeypatch):
    """Eight labels on one point in a tiny axes cannot all be separated: the axes edge undoes
    every push. Repulsion must stop once nothing moves any more instead of running all its
    rounds (400 rounds took 0.4 s of a 0.8 s scatter figure), with the same result."""
    calls = [0]
    overlap = plots._overlap

    def counted(a, b):
        calls[0] += 1
        return overlap(a, b)

    monkeypatch.setattr(plots, "_overlap", counted)

    def place(max_iter):
        fig, ax = plt.subplots(figsize=(1.6, 1.2))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        calls[0] = 0
        anns = plots._place_labels(ax, [0.5] * 8, [0.5] * 8, [f"Xã Đại Hiệp số {k}" for k in range(8)],
                                   max_iter=max_iter)  # fmt: skip
        return [a.xyann for a in anns], calls[0]

    pos, n_calls = place(400)
    # placement tries 8 x 32 candidates (< 4,000 overlap checks); one repulsion round is 92
    assert n_calls < 4_000 + 92 * 50
    assert place(2_000)[0] == pos


def test_profile_points_medians_and_targets(data):
    ax = plots.plot_commune_profile(data["scores"], "20503", units=data["units"], lang="vi")
    fw = data["framework"]
    (pts,) = _by_gid(ax, "commune_points")
    (med,) = _by_gid(ax, "median_points")
    (tgt,) = _by_gid(ax, "target_points")
    assert len(pts.get_offsets()) == 20 and len(med.get_offsets()) == 20
    assert len(tgt.get_offsets()) == int(fw.indicators["target_2025"].notna().sum())
    ind = data["scores"].query("level == 'indicator' and period == '2025H1'")
    expected_med = ind.groupby("name")["value"].median().reindex(fw.indicator_ids).to_numpy()
    np.testing.assert_allclose(med.get_offsets()[:, 0], expected_med)
    # smartphone target 80 on goalposts [0, 100] -> 0.8
    assert 0.8 in np.round(tgt.get_offsets()[:, 0], 6)
    assert "Đại Sơn" in ax.get_title(loc="left")
    assert "Người trưởng thành có điện thoại thông minh" in [
        t.get_text() for t in ax.get_yticklabels()
    ]


def test_rank_uncertainty_intervals(data):
    ax = plots.plot_rank_uncertainty(data["rank_stats"], units=data["units"], lang="vi")
    rs = data["rank_stats"].sort_values(["median", "nominal", "unit_code"], ascending=False)
    (iv,) = _by_gid(ax, "rank_intervals")
    segs = iv.get_segments()
    np.testing.assert_allclose([s[0, 0] for s in segs], rs["q05"])
    np.testing.assert_allclose([s[1, 0] for s in segs], rs["q95"])
    (nom,) = _by_gid(ax, "nominal_ranks")
    np.testing.assert_allclose(nom.get_offsets()[:, 0], rs["nominal"])
    best = data["rank_stats"].sort_values(["median", "nominal"]).iloc[0]
    assert ax.get_yticklabels()[-1].get_text() == _names(data["units"])[best["unit_code"]]
    assert ax.get_xlabel() == "Thứ hạng (1 = cao nhất)"


def test_sensitivity_bars(data):
    ax = plots.plot_sensitivity(data["sensitivity"], lang="vi")
    si = [p for p in ax.patches if p.get_gid() == "si_bar"]
    sti = [p for p in ax.patches if p.get_gid() == "sti_bar"]
    s = data["sensitivity"].sort_values(["STi", "choice"])
    np.testing.assert_allclose([p.get_width() for p in si], s["Si"])
    np.testing.assert_allclose([p.get_width() for p in sti], s["STi"])
    assert ax.get_yticklabels()[-1].get_text() == "Trọng số"
    assert "Dịch chuyển thứ hạng" in ax.get_title(loc="left")


def test_trends_small_multiples(data):
    fig = plots.figure_trends(data["pillars"], units=data["units"], lang="vi")
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 18
    assert all(len(a.lines) == 6 for a in panels)
    assert [a.get_title(loc="left") for a in panels] == [
        _names(data["units"])[c] for c in sorted(data["units"]["unit_code"])
    ]
    first = data["pillars"].query("unit_code == '20500'").sort_values("period")
    (line,) = _by_gid(panels[0], "trend_government")
    np.testing.assert_allclose(line.get_ydata(), first["government"])
    med = data["pillars"].groupby("period")["economy"].median().sort_index()
    (mline,) = _by_gid(panels[3], "median_economy")
    np.testing.assert_allclose(mline.get_ydata(), med.to_numpy())
    assert [t.get_text() for t in fig.legends[0].get_texts()][:3] == [
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
    ]


def test_gap_trend(data):
    ax = plots.plot_gap_trend(data["gaps"], units=data["units"], highlight="20503", lang="en")
    assert len([ln for ln in ax.lines if (ln.get_gid() or "").startswith("commune_")]) == 18
    (med,) = _by_gid(ax, "median_line")
    expected = data["gaps"].groupby("period")["gap_mean"].median().sort_index()
    np.testing.assert_allclose(med.get_ydata(), expected.to_numpy())
    assert _by_gid(ax, "ci_band_20503") and _by_gid(ax, "zero_line")
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "2022 H1"


def test_distance_to_targets_bars(data):
    ax = plots.plot_distance_to_targets(
        data["observations"], "20503", units=data["units"], lang="vi"
    )
    fw = data["framework"].indicators
    with_target = fw.loc[fw["target_2025"].notna() | fw["target_2030"].notna()]
    bars = [p for p in ax.patches if p.get_gid() == "attainment_bar"]
    assert len(bars) == len(with_target) == 10
    obs = (
        data["observations"]
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


def test_map_bubbles_successors_scale_bar(data):
    ax = plots.plot_map(data["gaps"], units=data["units"], lang="vi")
    (b,) = _by_gid(ax, "bubbles")
    assert len(b.get_offsets()) == 18
    sizes = b.get_sizes()
    assert sizes.max() == pytest.approx(plots._BUBBLE_MAX)
    pop = data["units"]["population"].to_numpy(float)
    np.testing.assert_allclose(np.sort(sizes), np.sort(plots._BUBBLE_MAX * pop / pop.max()))
    assert isinstance(b.norm, TwoSlopeNorm) and b.norm.vcenter == 0 and b.norm.vmin == -b.norm.vmax
    succ = [p for p in ax.patches if (p.get_gid() or "").startswith("successor_")]
    assert len(succ) == data["units"]["successor_code"].nunique() == 5
    assert {t.get_text() for t in ax.texts if t.get_gid() == "successor_label"} == set(
        data["units"]["successor_name_vi"]
    )
    assert [t.get_text() for t in ax.texts if t.get_gid() == "scale_bar_label"][0].endswith(" km")
    lat0 = math.radians(data["units"]["lat"].mean())
    assert ax.get_aspect() == pytest.approx(1 / math.cos(lat0), rel=1e-3)
    assert ax.get_xlabel() == "Kinh độ (°Đ)"


def _square(x, y, d=0.02):
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def test_map_choropleth_from_geojson(data, tmp_path):
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
        data["gaps"], units=data["units"], geojson=path, id_property="ma", lang="en"
    )
    patches = [p for p in ax.patches if (p.get_gid() or "").startswith("unit_")]
    assert len(patches) == 4  # 1 + 2 (multipolygon) + 1 without data
    g = _latest(data["gaps"]).set_index("unit_code")["gap_mean"]
    m = float(np.abs(g).max())
    norm = TwoSlopeNorm(0, -m, m)
    (p0,) = [p for p in patches if p.get_gid() == "unit_20500"]
    np.testing.assert_allclose(p0.get_facecolor(), mpl.colormaps[plots._GAP_CMAP](norm(g["20500"])))
    (nodata,) = [p for p in patches if p.get_gid() == "unit_99999"]
    assert nodata.get_hatch() == "///"
    assert not _by_gid(ax, "bubbles")
    _draw(ax.figure)
    with pytest.raises(ParameterError, match="'unit_code'.*\\['ma'\\].*id_property"):
        plots.plot_map(data["gaps"], units=data["units"], geojson=gj, id_property="unit_code")


# ------------------------------------------------------------------ saving
def test_save_figure_png_svg_atomic_deterministic(data, tmp_path):
    mpl.rcParams["figure.dpi"] = 100
    fig = plots.plot_gap_dumbbell(data["gaps"], units=data["units"], lang="vi").figure
    paths = plots.save_figure(fig, tmp_path / "figs" / "20503__gap_dumbbell")
    assert [p.name for p in paths] == ["20503__gap_dumbbell.png", "20503__gap_dumbbell.svg"]
    assert all(p.exists() and p.stat().st_size > 1000 for p in paths)
    assert sorted(os.listdir(tmp_path / "figs")) == [
        "20503__gap_dumbbell.png",
        "20503__gap_dumbbell.svg",
    ]  # no temp files left
    from PIL import Image

    with Image.open(paths[0]) as im:
        assert round(im.info["dpi"][0]) == 300
        assert im.width > 7 * 300 * 0.9  # 7-inch wide figure at 300 dpi
    svg = paths[1].read_text(encoding="utf-8")
    # text stays text: Vietnamese words searchable in the SVG, font named, no date
    for word in ("Chính quyền số", "Ba trụ cột của từng xã", WATERMARK, "Đại Sơn"):
        assert word in svg
    assert "Be Vietnam Pro" in svg and "<dc:date>" not in svg
    first = [p.read_bytes() for p in paths]
    again = plots.save_figure(
        fig, tmp_path / "figs" / "20503__gap_dumbbell.png"
    )  # suffix is dropped
    assert [p.read_bytes() for p in again] == first  # same figure -> same bytes
    assert (
        fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    )  # layout restored
    fresh = plots.plot_gap_dumbbell(data["gaps"], units=data["units"], lang="vi").figure
    other = plots.save_figure(fresh, tmp_path / "other")
    assert [p.read_bytes() for p in other] == first  # same input -> same bytes


def test_save_figure_png_same_pixels_as_matplotlib_one_layout(data, tmp_path, monkeypatch):
    """save_figure writes its own PNG from the Agg buffer (Pillow's filtering was slower than
    drawing): the pixels must be exactly matplotlib's, opaque figures as RGB, transparent
    ones keep their alpha; and each figure is laid out once (no draw), drawn once per format."""
    import io

    from matplotlib.transforms import Bbox
    from PIL import Image

    def reference(fig):  # matplotlib's own PNG of the same frozen layout and box
        buf = io.BytesIO()
        with mpl.rc_context(plots._SAVE_RC):
            bb = fig.get_tightbbox().padded(plots._PAD_INCHES)
            box = Bbox.from_extents(*(round(v, 6) for v in bb.extents))
            fig.savefig(buf, format="png", dpi=300, bbox_inches=box)
        return np.asarray(Image.open(buf))

    fig = plots.plot_gap_dumbbell(data["gaps"], units=data["units"], lang="vi").figure
    draws = []
    real_draw = type(fig).draw
    monkeypatch.setattr(type(fig), "draw", lambda self, r: (draws.append(1), real_draw(self, r))[1])
    png, _svg = plots.save_figure(fig, tmp_path / "opaque")
    assert len(draws) == 2  # PNG, SVG: the layout engine runs without a draw
    monkeypatch.undo()
    # ... and places the axes where a full draw would
    drawn = plots.plot_gap_dumbbell(data["gaps"], units=data["units"], lang="vi").figure
    with mpl.rc_context(plots._SAVE_RC):
        drawn.draw_without_rendering()
    for a, b in zip(fig.axes, drawn.axes, strict=True):
        assert np.allclose(a.get_position().bounds, b.get_position().bounds, atol=1e-8)
    with Image.open(png) as im:
        assert im.mode == "RGB" and round(im.info["dpi"][0]) == 300
        assert im.info["Software"].startswith("analysis ")
        mine = np.asarray(im)
    fig.set_layout_engine(None)  # keep the layout save_figure resolved
    ref = reference(fig)
    assert mine.shape == ref.shape[:2] + (3,) and np.array_equal(mine, ref[..., :3])
    assert (ref[..., 3] == 255).all()

    clear, ax = plt.subplots(figsize=(2, 1))
    clear.patch.set_alpha(0.0)
    ax.patch.set_alpha(0.0)
    ax.plot([0, 1], [0, 1])
    with mpl.rc_context({"savefig.facecolor": "none"}):
        (png2,) = plots.save_figure(clear, tmp_path / "clear", formats=("png",))
        with Image.open(png2) as im:
            assert im.mode == "RGBA" and np.asarray(im)[..., 3].min() == 0
            ref2 = reference(clear)
            assert np.array_equal(np.asarray(im), ref2)


def test_save_figure_failure_keeps_previous_file(data, tmp_path, monkeypatch):
    fig = plots.plot_rank_uncertainty(data["rank_stats"]).figure
    (png,) = plots.save_figure(fig, tmp_path / "rank", formats=("png",))
    before = png.read_bytes()

    def boom(fh, **kwargs):
        fh.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        plots.save_figure(fig, tmp_path / "rank", formats=("png",))
    assert png.read_bytes() == before
    assert os.listdir(tmp_path) == ["rank.png"]
    with pytest.raises(ParameterError, match="'gif'"):
        plots.save_figure(fig, tmp_path / "rank", formats=("gif",))


# ------------------------------------------------------------------ example data
def test_example_data_follows_the_contracts(data):
    gaps = data["gaps"]
    assert list(gaps.columns) == [
        "unit_code", "period", "government", "economy", "society", "gap_econ", "gap_econ_lo", "gap_econ_hi",
        "gap_soc", "gap_soc_lo", "gap_soc_hi", "gap_mean", "gap_mean_lo", "gap_mean_hi", "ratio_econ", "ratio_soc",
        "z_econ", "z_soc", "z_mean", "rank_government", "rank_economy", "rank_society", "rank_gap_mean",
        "typology", "typology_stability", "status",
    ]  # fmt: skip
    assert list(data["pillars"].columns) == [
        "unit_code",
        "period",
        "government",
        "economy",
        "society",
        "index",
        "status",
    ]
    assert list(data["scores"].columns) == [
        "unit_code",
        "period",
        "level",
        "name",
        "value",
        "status",
    ]
    assert list(data["observations"].columns) == [
        "unit_code",
        "period",
        "indicator",
        "value",
        "status",
        "source",
    ]
    assert {
        "unit_code",
        "nominal",
        "mean",
        "median",
        "q05",
        "q95",
        "mean_abs_shift",
        "p_top_k",
        "p_bottom_k",
    } <= set(data["rank_stats"].columns)
    assert {"choice", "target", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi"} <= set(
        data["sensitivity"].columns
    )
    for k in ("gaps", "pillars", "scores", "observations", "rank_stats", "sensitivity"):
        assert (data[k]["status"] == "synthetic").all(), k
        if "unit_code" in data[k]:
            assert all(isinstance(c, str) for c in data[k]["unit_code"]), k
    np.testing.assert_allclose(
        gaps["gap_mean"], gaps["government"] - (gaps["economy"] + gaps["society"]) / 2
    )
    assert (gaps["gap_mean_lo"] <= gaps["gap_mean_hi"]).all()
    assert set(gaps["typology"]) <= {
        "government_led",
        "balanced_high",
        "balanced_low",
        "economy_society_led",
    }
    assert gaps["period"].nunique() == 7 and gaps["unit_code"].nunique() == 18
    again = plots.example_data(seed=7, n_draws=200)
    pd.testing.assert_frame_equal(again["gaps"], gaps)


# ------------------------------------------------------------------ gallery notebook
GALLERY = config.NOTEBOOKS / "90_gallery.ipynb"


def test_gallery_notebook_structure():
    nb = json.loads(GALLERY.read_text(encoding="utf-8"))
    cells = [{**c, "source": "".join(c["source"])} for c in nb["cells"]]
    params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    lines = [ln for ln in params[0]["source"].splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines and all(re.match(r"^\w+: \w+ = .+  # \S", ln) for ln in lines), lines
    for c in cells:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
            assert not re.search(r"^\s*(def|class) ", c["source"], re.M)
    src = "\n".join(c["source"] for c in cells)
    for fn in ("plot_pillar_heatmap", "plot_gap_dumbbell", "figure_pillar_scatter", "plot_commune_profile", "plot_rank_uncertainty",
               "plot_sensitivity", "figure_trends", "plot_gap_trend", "plot_distance_to_targets", "plot_map"):  # fmt: skip
        assert fn in src, fn


@pytest.mark.slow
def test_gallery_notebook_runs(tmp_path):
    pm = pytest.importorskip("papermill")
    out_dir = tmp_path / "figs"
    pm.execute_notebook(str(GALLERY), str(tmp_path / "out.ipynb"), parameters={"lang": "en", "output_dir": str(out_dir)},
                        kernel_name="python3", progress_bar=False, cwd=str(config.NOTEBOOKS))  # fmt: skip
    pngs = sorted(p.name for p in out_dir.glob("*.png"))
    assert len(pngs) >= 10 and len(list(out_dir.glob("*.svg"))) == len(pngs)


def test_svg_keeps_labels_and_watermark_as_text(data, tmp_path):
    fig = plots.figure_pillar_scatter(data["gaps"], units=data["units"], lang="vi")
    (svg,) = plots.save_figure(fig, tmp_path / "scatter", formats=("svg",))
    text = svg.read_text(encoding="utf-8")
    for word in (
        "Đại Sơn",
        "Ái Nghĩa",
        "Chính quyền số đi trước",
        WATERMARK,
        "Đường cân bằng (45°)",
    ):
        assert f">{word}<" in text or word in text, word
    assert text.count(WATERMARK) == 2  # one per panel


def test_indicator_distributions_one_box_per_indicator_per_pillar_with_watermark():
    from analysis.frameworks import load_framework
    from analysis.io import load_observations

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
    assert any(t.get_gid() == plots.WATERMARK_GID for t in fig.texts)
    plt.close(fig)


# ------------------------------------------------------------------ real-data shapes (EGDI-like)
@pytest.fixture(scope="module")
def countries():
    """193 'countries', 3 periods, no economy pillar, no intervals, no coordinates (like the EGDI)."""
    rng = np.random.default_rng(11)
    codes = [f"C{i:03d}" for i in range(193)]
    rows = []
    for k, period in enumerate(("2020", "2022", "2024")):
        gov = np.clip(rng.uniform(0.1, 0.9, 193) + 0.02 * k, 0, 1)
        soc = np.clip(gov + rng.normal(0, 0.12, 193), 0, 1)
        rows.append(pd.DataFrame({"unit_code": codes, "period": period, "government": gov, "economy": np.nan,
                                  "society": soc, "gap_econ": np.nan, "gap_soc": gov - soc, "gap_mean": gov - soc,
                                  "gap_mean_lo": np.nan, "gap_mean_hi": np.nan, "status": "observed"}))  # fmt: skip
    gaps = pd.concat(rows, ignore_index=True)
    units = pd.DataFrame({"unit_code": codes, "name_vi": [f"Nước {c}" for c in codes],
                          "lat": np.nan, "lon": np.nan, "population": np.nan})  # fmt: skip
    last = gaps[gaps["period"] == "2024"]
    rank = last["gap_mean"].rank(ascending=False, method="min").to_numpy()
    rank_stats = pd.DataFrame({"unit_code": codes, "nominal": rank, "median": rank,
                               "q05": np.maximum(rank - 5, 1), "q95": np.minimum(rank + 5, 193)})  # fmt: skip
    return {"gaps": gaps, "units": units, "rank_stats": rank_stats,
            "pillars": gaps[["unit_code", "period", "government", "society", "status"]]}  # fmt: skip


def test_dumbbell_many_units_shows_ends_and_highlighted_without_economy(countries):
    g = countries["gaps"]
    last = g[g["period"] == "2024"].sort_values(["gap_mean", "unit_code"])
    mid = last["unit_code"].iloc[96]
    ax = plots.plot_gap_dumbbell(g, units=countries["units"], highlight=[mid, "C000"], lang="en")
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


def test_scatter_many_units_labels_only_highlighted_and_skips_economy(countries):
    g = countries["gaps"]
    fig = plots.figure_pillar_scatter(
        g, units=countries["units"], highlight=["C005", "C100"], lang="en"
    )
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 1  # society only
    ax = panels[0]
    (pts,) = _by_gid(ax, "points")
    assert len(pts.get_offsets()) == 193
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() == "label")
    assert labels == ["Nước C005", "Nước C100"]
    (hl,) = _by_gid(ax, "highlight_points")
    assert len(hl.get_offsets()) == 2
    empty = plots.plot_pillar_scatter(g, y="economy", lang="vi")
    assert _by_gid(empty, "no_data") and not _by_gid(empty, "points")
    with pytest.raises(DataValidationError, match="no economy or society"):
        plots.figure_pillar_scatter(g.assign(society=np.nan))


def test_trends_rank_gap_trend_and_map_with_many_units_no_economy(countries):
    fig = plots.figure_trends(
        countries["pillars"], units=countries["units"], highlight=["C007"], lang="en"
    )
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 13  # highlighted + 6 largest + 6 smallest latest gaps
    assert panels[0].get_title(loc="left") == "Nước C007"
    assert all(len(a.lines) == 4 for a in panels)  # G and S, commune and median; no economy
    assert [t.get_text() for t in fig.legends[0].get_texts()][:2] == [
        "Digital government",
        "Digital society",
    ]
    last = countries["gaps"].query("period == '2024'").set_index("unit_code")["gap_mean"]
    assert panels[1].get_title(loc="left") == f"Nước {last.idxmax()}"
    ax = plots.plot_rank_uncertainty(
        countries["rank_stats"], units=countries["units"], highlight="C050", lang="en"
    )
    assert 20 <= len(ax.get_yticklabels()) <= 21 and ax.get_xlim()[1] >= 193
    assert "Nước C050" in [t.get_text() for t in ax.get_yticklabels()]
    ax = plots.plot_gap_trend(
        countries["gaps"], units=countries["units"], highlight="C001", lang="en"
    )
    assert len([ln for ln in ax.lines if (ln.get_gid() or "").startswith("commune_")]) == 193
    ax = plots.plot_gap_trend(countries["gaps"], gap="gap_econ", lang="en")
    assert _by_gid(ax, "no_data")
    with pytest.raises(ParameterError, match="no coordinates"):
        plots.plot_map(countries["gaps"], units=countries["units"])
    with pytest.raises(ParameterError, match="no coordinates.*missing"):
        plots.plot_map(countries["gaps"], units=countries["units"].drop(columns=["lat", "lon"]))


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
