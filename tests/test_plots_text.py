"""analysis.plots._text: text from data reaches a figure literally and with a bounded size.

The matplotlib sink of issue 19: a unit name (or an indicator label, a method choice, a
successor name) with ``$...$``, backslashes, braces or markup is drawn as typed, never as
mathtext (which crashed 15 of 24 tasks), and a 4,500-character name cannot make a figure
132,027 pixels wide.
"""

from __future__ import annotations

import html

import matplotlib.text as mtext
import numpy as np
import pytest
from matplotlib import cbook
from PIL import Image

from analysis import plots
from analysis.plots import _text

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]

#: unit_code -> hostile name (20503 is the commune of the profile, targets and gap trend)
HOSTILE = {
    "20500": "$x^2$",
    "20506": r"$\alpha$ xã",
    "20509": r"$\notacommand{$ and $",  # not even valid mathtext
    "20503": r"Đại $Sơn$ {} {name} {0} \$ \\",
    "20512": "<script>alert(1)</script>",
    "20515": "a\\b $ c_{d}^{e} %s",
}


def _with_names(tables, names):
    units = tables["units"].copy()
    units["name_vi"] = [
        names.get(c, n) for c, n in zip(units["unit_code"], units["name_vi"], strict=True)
    ]
    units["successor_name_vi"] = units["successor_name_vi"].map(lambda s: f"${s}$")
    sens = tables["sensitivity"].assign(choice=lambda d: d["choice"].where(d.index > 0, r"$\beta$"))
    return {**tables, "units": units, "sensitivity": sens}


def _drawn_strings(fig):
    """What each visible Text artist puts on the page (matplotlib's own reading of it)."""
    out = []
    for t in fig.findobj(mtext.Text):
        s = t.get_text()
        if not s or not t.get_visible():
            continue
        assert not (t.get_parse_math() and cbook.is_math_text(s)), f"read as mathtext: {s!r}"
        out.append(s.replace(r"\$", "$"))  # how matplotlib draws text that is not math
    return out


def test_literal_and_fit_text():
    for name in HOSTILE.values():
        assert not cbook.is_math_text(_text.literal(name))
        assert _text.literal(name).replace(r"\$", "$") == name  # drawn exactly as typed
    assert _text.fit_text("Ái Nghĩa") == "Ái Nghĩa"  # short names are left alone
    long = _text.fit_text("Xã " * 1500)
    assert long.count("\n") == _text.LABEL_LINES - 1 and long.endswith("…")
    assert all(len(line) <= _text.LABEL_WIDTH for line in long.splitlines())
    assert _text.fit_text("\n" * 4500 + "x").count("\n") <= _text.LABEL_LINES - 1
    assert _text.data_text("y" * 4500, max_lines=1) == "y" * (_text.LABEL_WIDTH - 1) + "…"


def test_every_figure_draws_hostile_names_literally(plot_tables, plot_kind, tmp_path):
    name, make = plot_kind
    tables = _with_names(plot_tables, HOSTILE)
    fig = make(tables, "en")
    (svg,) = plots.save_figure(fig, tmp_path / name, formats=("svg",))  # draws: no crash
    drawn = _drawn_strings(fig)
    shown = [n for n in (*HOSTILE.values(), r"$\beta$") if any(n in s for s in drawn)]
    expected_min = {"dumbbell": 6, "heatmap": 6, "rank": 6, "scatter": 6, "scatter2": 6, "map": 6,
                    "trends": 6, "profile": 1, "targets": 1, "gap_trend": 1, "sensitivity": 1}  # fmt: skip
    assert len(shown) >= expected_min.get(name, 0), (name, drawn)
    text = svg.read_text(encoding="utf-8")
    for n in shown:  # SVG keeps text as text: the name is there as typed (XML-escaped)
        assert html.escape(n, quote=False) in text, n
    if name == "map":
        assert any(s.startswith("$") and s.endswith("$") for s in drawn)  # successor names


def test_hostile_names_in_tick_labels_and_legend_are_escaped(plot_tables):
    tables = _with_names(plot_tables, HOSTILE)
    ax = plots.plot_gap_dumbbell(tables["gaps"], units=tables["units"], lang="vi")
    ticks = {t.get_text() for t in ax.get_yticklabels()}
    assert {_text.literal(n) for n in HOSTILE.values()} <= ticks
    ax = plots.plot_gap_trend(tables["gaps"], units=tables["units"], highlight="20509", lang="vi")
    assert _text.literal(HOSTILE["20509"]) in [t.get_text() for t in ax.get_legend().get_texts()]
    ax.figure.canvas.draw()
    ax = plots.plot_pillar_heatmap(
        tables["scores"], units=tables["units"], indicator_labels={"gov_edocument_pct": "$E$-doc"}
    )
    assert r"\$E\$-doc" in [t.get_text() for t in ax.get_xticklabels()]
    ax.figure.canvas.draw()


@pytest.mark.parametrize("shape", ["words", "one_word", "lines"])
def test_a_very_long_name_keeps_every_figure_a_sane_size(plot_tables, plot_kind, shape, tmp_path):
    name, make = plot_kind
    long = {"words": "Xã Đại " * 643, "one_word": "Đ" * 4500, "lines": "Đại\n" * 1125}[shape]
    tables = _with_names(plot_tables, {"20503": long, "20500": long[:4000]})
    fig = make(tables, "en")
    dpi = 100
    (png,) = plots.save_figure(fig, tmp_path / name, formats=("png",), dpi=dpi)
    with Image.open(png) as im:
        width, height = im.size
    # the figures are designed at most ~12 x 10 inches; a bounded label adds a few inches
    assert width <= 16 * dpi and height <= 16 * dpi, (name, width, height)
    for t in fig.findobj(mtext.Text):
        lines = t.get_text().splitlines()
        assert len(lines) <= _text.LABEL_LINES or t.get_text() in ("",), (name, t.get_text()[:80])
        assert all(len(line) <= 2 * _text.LABEL_WIDTH for line in lines), (name, lines[0][:80])


def test_fit_text_leaves_the_default_names_unchanged(plot_tables):
    names = [*plot_tables["units"]["name_vi"], *plot_tables["units"]["successor_name_vi"]]
    assert [_text.data_text(n) for n in names] == names
    assert np.all([len(n) <= _text.LABEL_WIDTH for n in names])
