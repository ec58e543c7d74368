"""analysis.plots._save: PNG (own encoder) and SVG written atomically and deterministically."""

from __future__ import annotations

import os

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis import plots
from analysis.errors import ParameterError
from analysis.plots import _save

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def test_save_figure_png_svg_atomic_deterministic(plot_tables, tmp_path):
    mpl.rcParams["figure.dpi"] = 100
    fig = plots.plot_gap_dumbbell(plot_tables["gaps"], units=plot_tables["units"], lang="vi").figure
    assert [p.suffix for p in plots.save_figure(fig, tmp_path / "png_only")] == [".png"]  # default
    paths = plots.save_figure(
        fig, tmp_path / "figs" / "20503__gap_dumbbell", formats=("png", "svg")
    )
    assert [p.name for p in paths] == ["20503__gap_dumbbell.png", "20503__gap_dumbbell.svg"]
    assert all(p.exists() and p.stat().st_size > 1000 for p in paths)
    assert sorted(os.listdir(tmp_path / "figs")) == [  # no temp files left
        "20503__gap_dumbbell.png",
        "20503__gap_dumbbell.svg",
    ]  # no temp files left
    from PIL import Image

    with Image.open(paths[0]) as im:
        assert round(im.info["dpi"][0]) == 300
        assert im.width > 7 * 300 * 0.9  # 7-inch wide figure at 300 dpi
    svg = paths[1].read_text(encoding="utf-8")
    # text stays text: Vietnamese words searchable in the SVG, font named, no date
    for word in (
        "Chính quyền số",
        "Ba trụ cột của từng xã",
        "Dữ liệu minh họa",
        "Illustrative data",
        "Đại Sơn",
    ):
        assert word in svg
    assert "Be Vietnam Pro" in svg and "<dc:date>" not in svg
    first = [p.read_bytes() for p in paths]
    again = plots.save_figure(
        fig, tmp_path / "figs" / "20503__gap_dumbbell.png", formats=("png", "svg")
    )  # suffix is dropped
    assert [p.read_bytes() for p in again] == first  # same figure -> same bytes
    assert (
        fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    )  # layout restored
    fresh = plots.plot_gap_dumbbell(
        plot_tables["gaps"], units=plot_tables["units"], lang="vi"
    ).figure
    other = plots.save_figure(fresh, tmp_path / "other", formats=("png", "svg"))
    assert [p.read_bytes() for p in other] == first  # same input -> same bytes


def test_save_figure_png_same_pixels_as_matplotlib_one_layout(plot_tables, tmp_path, monkeypatch):
    """save_figure writes its own PNG from the Agg buffer (Pillow's filtering was slower than
    drawing): the pixels must be exactly matplotlib's, opaque figures as RGB, transparent
    ones keep their alpha; and each figure is laid out once (no draw), drawn once per format."""
    import io

    from matplotlib.transforms import Bbox
    from PIL import Image

    def reference(fig):  # matplotlib's own PNG of the same frozen layout and box
        buf = io.BytesIO()
        with mpl.rc_context(_save._SAVE_RC):
            bb = fig.get_tightbbox().padded(_save._PAD_INCHES)
            box = Bbox.from_extents(*(round(v, 6) for v in bb.extents))
            fig.savefig(buf, format="png", dpi=300, bbox_inches=box)
        return np.asarray(Image.open(buf))

    fig = plots.plot_gap_dumbbell(plot_tables["gaps"], units=plot_tables["units"], lang="vi").figure
    draws = []
    real_draw = type(fig).draw
    monkeypatch.setattr(type(fig), "draw", lambda self, r: (draws.append(1), real_draw(self, r))[1])
    png, _svg = plots.save_figure(fig, tmp_path / "opaque", formats=("png", "svg"))
    assert len(draws) == 2  # PNG, SVG: the layout engine runs without a draw
    monkeypatch.undo()
    # ... and places the axes where a full draw would
    drawn = plots.plot_gap_dumbbell(
        plot_tables["gaps"], units=plot_tables["units"], lang="vi"
    ).figure
    with mpl.rc_context(_save._SAVE_RC):
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


def test_save_figure_failure_keeps_previous_file(plot_tables, tmp_path, monkeypatch):
    fig = plots.plot_rank_uncertainty(plot_tables["rank_stats"]).figure
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


def test_svg_keeps_labels_and_watermark_as_text(plot_tables, tmp_path):
    fig = plots.figure_pillar_scatter(plot_tables["gaps"], units=plot_tables["units"], lang="vi")
    (svg,) = plots.save_figure(fig, tmp_path / "scatter", formats=("svg",))
    text = svg.read_text(encoding="utf-8")
    for word in (
        "Đại Sơn",
        "Ái Nghĩa",
        "Chính quyền số đi trước",
        "Dữ liệu minh họa",
        "Illustrative data",
        "Đường cân bằng (45°)",
    ):
        assert f">{word}<" in text or word in text, word
    assert text.count("Dữ liệu minh họa") >= 3 * 4  # tiled: at least 4 marks on each of 3 panels
