"""The public API of analysis.plots (plots/__init__): the contract every figure kind keeps, and
the gallery notebook that shows them all. Tests check artists, not pixels."""

from __future__ import annotations

import json
import re
import unicodedata

import matplotlib.pyplot as plt
import matplotlib.text as mtext
import pytest

from analysis import config, i18n, plots
from analysis.errors import DataValidationError, ParameterError

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]

WATERMARK = "Dữ liệu minh họa / Illustrative data"
MARK = "Dữ liệu minh họa\nIllustrative data"  # as tiled over the plot areas


def _texts(fig):
    return [t.get_text() for t in fig.findobj(mtext.Text)]


def _data_axes(fig):
    return [a for a in fig.axes if a.get_visible() and not hasattr(a, "_colorbar")]


def test_public_names_are_reexported():
    for name in plots.__all__:
        assert getattr(plots, name) is not None, name
    public = {n for n in dir(plots) if n.startswith(("plot_", "figure_"))}
    assert public <= set(plots.__all__)
    assert not hasattr(plots, "example_data")  # synthetic data live in analysis.demo


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_draws_with_watermark_and_localised_text(plot_tables, plot_kind, lang):
    name, make = plot_kind
    fig = make(plot_tables, lang)
    fig.canvas.draw()
    texts = _texts(fig)
    marks = [t for t in fig.findobj(mtext.Text) if t.get_gid() == plots.WATERMARK_GID]
    assert marks and all(m.get_text() == MARK and m.get_visible() for m in marks)
    joined = "\n".join(t for t in texts if t != MARK)
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    # the bootstrap interval is an indicator-selection interval, never a confidence interval
    assert not re.search(r"confidence|tin cậy|\bCI\b", joined, re.IGNORECASE), name
    decimal_point = re.compile(r"\d\.\d{1,2}(?!\d)")  # 0.78 (not the thousands group of 2.000)
    decimal_comma = re.compile(r"\d,\d{1,2}(?!\d)")
    if lang == "vi":
        assert not decimal_point.search(joined), "no English decimal point in a vi figure"
        if name in DECIMAL_KINDS:
            assert decimal_comma.search(joined), "Vietnamese decimal comma expected"
    else:
        assert not decimal_comma.search(joined), "no Vietnamese decimal comma in an en figure"


#: kinds that show scores or gaps: every number a reader sees is in points of a 0–100 scale
SCORE_KINDS = {"heatmap", "dumbbell", "scatter", "scatter2", "typology", "trend", "profile",
               "trends", "gap_trend", "map", "distributions"}  # fmt: skip
#: kinds whose scale is not a score (ranks, Sobol indices, % of target): as they were
OTHER_KINDS = {"rank": 0, "sensitivity": 1, "targets": 0}  # kind -> decimals of the ticks
#: kinds that still print decimals (degrees of the map, Sobol indices)
DECIMAL_KINDS = {"map", "sensitivity"}
#: an axis title that says its scale is points: "(0–100 scale)", "(thang 0–100)", ", points"
POINTS_AXIS = re.compile(r"0–100|, (điểm|points)$")


def test_the_kinds_are_sorted_into_score_and_other_figures():
    from conftest import PLOT_KINDS

    assert SCORE_KINDS | set(OTHER_KINDS) == set(PLOT_KINDS)
    assert not SCORE_KINDS & set(OTHER_KINDS)


def _ticks(axis):
    """(position, label) of the visible major ticks of ``axis``, as drawn."""
    lo, hi = sorted(axis.get_view_interval())
    return [(t.get_loc(), t.label1.get_text()) for t in axis.get_major_ticks()
            if lo - 1e-9 <= t.get_loc() <= hi + 1e-9 and t.label1.get_text()]  # fmt: skip


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_score_figures_read_in_points_of_a_0_100_scale(plot_tables, plot_kind, lang):
    """Every axis of a score figure titled with the points scale has ticks that read 100 times
    their 0–1 data position in the language's number format ("50", not "0,5" or "0.5"); no
    number drawn reads on the 0–1 scale; the other figures keep their own scale."""
    name, make = plot_kind
    fig = make(plot_tables, lang)
    fig.canvas.draw()
    axes = [a for a in fig.axes if a.get_visible()]
    scored = [
        ax for a in axes for ax in (a.xaxis, a.yaxis) if POINTS_AXIS.search(ax.get_label_text())
    ]
    if name in OTHER_KINDS:
        assert not scored, name
        for axis in (a.xaxis for a in axes):
            ticks = _ticks(axis)
            assert ticks and all(label == i18n.format_number(float(loc), lang, OTHER_KINDS[name])
                                 for loc, label in ticks), (name, ticks)  # fmt: skip
        return
    assert scored, f"{name}: no axis titled in points"
    for axis in scored:
        ticks = _ticks(axis)
        assert len(ticks) >= 2, (name, ticks)
        digits = max(len(label.partition("," if lang == "vi" else ".")[2]) for _, label in ticks)
        assert [label for _, label in ticks] == [
            i18n.format_number(100 * float(loc), lang, digits) for loc, _ in ticks
        ], (name, axis.get_label_text())
        assert max(abs(100 * float(loc)) for loc, _ in ticks) >= 10  # a tick such as "50"
    fraction = re.compile(r"(?<![\d.,])[−-]?0[.,]\d")  # 0,68 / 0.5 / −0,1: the 0–1 scale
    shown = [t for t in _texts(fig) if t != MARK]
    assert not [t for t in shown if fraction.search(t)], name


def test_no_watermark_on_observed_data(plot_tables_observed, plot_kind):
    _name, make = plot_kind
    fig = make(plot_tables_observed, "vi")
    fig.canvas.draw()
    assert MARK not in _texts(fig)
    fig2 = make(plot_tables_observed, "vi", status="synthetic")
    assert MARK in _texts(fig2)


def test_the_watermark_tiles_every_plot_area_lightly_under_the_data(plot_tables, plot_kind):
    """No crop loses it: every data axes carries at least 2 x 2 marks, one in each quarter of
    the axes, clipped to it, light and drawn under the data marks."""
    name, make = plot_kind
    fig = make(plot_tables, "en")
    fig.canvas.draw()
    for ax in _data_axes(fig):
        marks = [t for t in ax.texts if t.get_gid() == plots.WATERMARK_GID]
        assert len(marks) >= 4, (name, len(marks))
        pos = [
            ax.transAxes.inverted().transform(m.get_transform().transform(m.get_position()))
            for m in marks
        ]
        quarters = {(x >= 0.5, y >= 0.5) for x, y in pos}
        assert quarters == {(a, b) for a in (False, True) for b in (False, True)}, (name, pos)
        for m in marks:
            assert m.get_clip_on() and m.get_alpha() <= 0.25 and not m.get_in_layout()
            assert m.get_rotation() > 0
        data_marks = [a for a in (*ax.collections, *ax.lines) if a.get_gid() and a.get_visible()]
        if data_marks:
            assert max(m.get_zorder() for m in marks) < min(a.get_zorder() for a in data_marks), (
                name
            )


def _overlaps(a, b, tol=0.5):
    return a.x0 < b.x1 - tol and b.x0 < a.x1 - tol and a.y0 < b.y1 - tol and b.y0 < a.y1 - tol


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_legends_never_overlap_the_plot_area_or_any_text(plot_tables, plot_kind, lang):
    """Every legend sits outside every axes (colour bars included) and clear of every other
    text: titles, headers, tick and axis labels, column texts, other legends."""
    name, make = plot_kind
    fig = make(plot_tables, lang)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [lg for lg in (*fig.legends, *(a.get_legend() for a in fig.axes)) if lg is not None]
    texts = [t for t in fig.findobj(mtext.Text) if t.get_visible() and t.get_text().strip()
             and t.get_gid() != plots.WATERMARK_GID]  # fmt: skip
    for lg in legends:
        box = lg.get_window_extent(renderer)
        own = set(map(id, lg.get_texts())) | {id(lg.get_title())}
        for ax in fig.axes:
            if ax.get_visible():
                assert not _overlaps(box, ax.get_window_extent(renderer)), (name, "axes")
        for t in texts:
            if id(t) not in own:
                assert not _overlaps(box, t.get_window_extent(renderer)), (name, t.get_text()[:40])
        for other in legends:
            if other is not lg:
                assert not _overlaps(box, other.get_window_extent(renderer)), name


def test_draws_into_given_ax_and_never_uses_gca(plot_tables):
    fig, (a1, a2) = plt.subplots(1, 2)
    plt.sca(a1)
    n_before = len(plt.get_fignums())
    out = plots.plot_gap_dumbbell(plot_tables["gaps"], ax=a2, units=plot_tables["units"])
    assert out is a2 and len(plt.get_fignums()) == n_before
    assert not a1.collections and not a1.lines  # the current axes were not touched
    out2 = plots.plot_rank_uncertainty(plot_tables["rank_stats"])
    assert out2.figure is not fig and len(plt.get_fignums()) == n_before + 1
    with pytest.raises(ParameterError, match="ax must be a matplotlib Axes"):
        plots.plot_sensitivity(plot_tables["sensitivity"], ax=fig)


def test_errors_name_the_problem(plot_tables):
    data = plot_tables
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
    assert "demo.example_plot_data(" in src
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
