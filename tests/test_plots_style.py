"""analysis.plots._style: palette, fonts with full Vietnamese coverage, set_style."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

from analysis import config, i18n, plots

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


def test_set_style_registers_be_vietnam_pro_and_keeps_svg_text():
    family = plots.set_style()
    assert family == "Be Vietnam Pro"
    assert mpl.rcParams["font.family"][:2] == ["Be Vietnam Pro", "DejaVu Sans"]
    assert mpl.rcParams["svg.fonttype"] == "none"
    path = mpl.font_manager.findfont(
        mpl.font_manager.FontProperties(family="Be Vietnam Pro"), fallback_to_default=False
    )
    assert Path(path).name == "BeVietnamPro-Regular.ttf"
    plots.set_style(font_scale=2.0)
    assert mpl.rcParams["font.size"] == 18.0


def test_pillar_palette_is_okabe_ito_and_distinct():
    cols = [plots.PILLAR_COLORS[p] for p in config.PILLARS]
    assert cols == ["#0072B2", "#E69F00", "#009E73"]
    assert set(cols) <= set(plots.OKABE_ITO.values())
    assert set(plots.TYPOLOGY_COLORS) == {
        "government_led",
        "economy_society_led",
        "balanced_high",
        "balanced_low",
    }


def test_missing_glyph_check_can_fail():
    """The guard works: a glyph absent from Be Vietnam Pro (→), without fallback, fails."""
    fig, ax = plt.subplots()
    with mpl.rc_context({"font.family": ["Be Vietnam Pro"]}):
        ax.text(0.5, 0.5, "→")  # font properties are taken from rcParams when the text is created
        with pytest.raises(UserWarning, match="Glyph .* missing"):
            fig.canvas.draw()


def test_every_label_renders_without_missing_glyphs(plot_tables):
    fig, ax = plt.subplots(figsize=(4, 4))
    texts = [v for entry in i18n.LABELS.values() for v in entry.values()] + list(
        plot_tables["units"]["name_vi"]
    )
    for k, s in enumerate(texts):
        ax.text(
            0, k, s, fontweight=("bold", "normal")[k % 2], style=("normal", "italic")[k % 3 == 0]
        )
    fig.canvas.draw()  # raises on any missing glyph
