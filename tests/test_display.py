"""analysis.display: what a notebook shows (figures inline and saved, tables in the reader's
language, paths relative to the edition folder)."""

from __future__ import annotations

import base64
import io
import re
import unicodedata

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis import display, i18n
from analysis.errors import ParameterError


@pytest.fixture
def shown(monkeypatch):
    """What the display helpers hand to IPython's ``display``, in order."""
    import IPython.display

    items: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: items.extend(objs))
    return items


@pytest.fixture(scope="module")
def demo_run():
    from analysis import workflow

    inputs = workflow.load_inputs()
    return workflow.compute_results(inputs, n_boot=50, draws=20), inputs


def _cells(styler) -> list[list[str]]:
    return styler.data.values.tolist()


# ------------------------------------------------------------------ paths
def test_shown_path_is_relative_to_the_edition_folder_and_never_absolute(tmp_path):
    root = tmp_path / "reports" / "dai_loc"
    assert display.shown_path(root / "post2025" / "tables" / "gaps.csv", root) == "post2025/tables/gaps.csv"  # fmt: skip
    outside = display.shown_path(tmp_path / "elsewhere" / "x.csv", root)
    assert outside == "x.csv" and str(tmp_path) not in outside
    assert display.shown_path(root / "a.pdf") == "a.pdf"


def test_show_files_names_written_files_relative_to_root(tmp_path, shown):
    display.show_files([tmp_path / "briefs" / "district_vi.pdf"], lang="en", root=tmp_path)
    (md,) = shown
    assert md.data == "Written: `briefs/district_vi.pdf`"
    display.show_files([], root=tmp_path)
    assert len(shown) == 1  # nothing written, nothing shown


# ------------------------------------------------------------------ figures
def _figure(title="Hồ sơ chỉ tiêu: Đại Thạnh"):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_title(title)
    return fig


def test_figure_title_reads_the_suptitle_or_the_first_axes_title():
    fig = _figure("A\ntitle")
    assert display.figure_title(fig) == "A title"
    fig.suptitle("Ba trụ cột")
    assert display.figure_title(fig) == "Ba trụ cột"
    plt.close(fig)
    empty = plt.figure()
    assert display.figure_title(empty) == ""
    plt.close(empty)


def test_inline_png_halves_the_saved_file_to_256_colours(tmp_path, plot_style):
    from analysis import plots

    fig = _figure()
    png = next(p for p in plots.save_figure(fig, tmp_path / "f") if p.suffix == ".png")
    plt.close(fig)
    data, width = display.inline_png(png)
    with Image.open(png) as big, Image.open(io.BytesIO(data)) as small:
        assert small.format == "PNG" and small.mode == "P"
        assert abs(small.width - big.width / 2) <= 1 and abs(small.height - big.height / 2) <= 1
        # shown at 100 CSS pixels per inch: the saved width (300 dpi) / 3
        assert width == pytest.approx(big.width / 3, abs=1)
        # the same picture: mean colours agree (no redraw, block averages)
        a = np.asarray(big.convert("RGB").reduce(2), float)
        b = np.asarray(small.convert("RGB"), float)
        assert np.abs(a - b).mean() < 3
    assert len(data) < png.stat().st_size / 2


def test_show_figure_saves_shows_with_alt_text_and_closes(tmp_path, plot_style, shown):
    fig = _figure()
    assert display.show_figure(fig, tmp_path / "figures" / "x__profile_vi", lang="vi", root=tmp_path,
                               formats=("png", "svg")) is None  # fmt: skip
    assert not plt.fignum_exists(fig.number)  # the inline backend will not show it again
    assert (tmp_path / "figures" / "x__profile_vi.png").exists()
    assert (tmp_path / "figures" / "x__profile_vi.svg").exists()
    image, caption = shown
    data, meta = image._repr_png_()
    assert Image.open(io.BytesIO(base64.b64decode(data))).format == "PNG"
    assert meta["alt"] == "Hồ sơ chỉ tiêu: Đại Thạnh" and meta["width"] > 0
    assert meta["needs_background"] == "light"
    assert caption.data == ("Đã lưu: `figures/x__profile_vi.png`, `figures/x__profile_vi.svg`")
    assert str(tmp_path) not in caption.data


# ------------------------------------------------------------------ tables
def test_every_view_header_and_note_has_a_label_in_both_languages():
    for name, view in display.VIEWS.items():
        for col in view.columns:
            assert i18n.has_label(col.header), (name, col.header)
            assert col.kind in display._FORMATS, (name, col.kind)
        if view.note:
            assert i18n.has_label(view.note), name


def test_gaps_table_in_vietnamese_and_english(demo_run, tmp_path):
    res, inputs = demo_run
    kw = dict(units=inputs.units, framework=inputs.framework, period=res.period)
    saved = tmp_path / "tables" / "gaps.csv"
    vi = display.style_table(res.gaps, "gaps", lang="vi", saved=saved, root=tmp_path, **kw)
    en = display.style_table(res.gaps, "gaps", lang="en", **kw)
    assert list(vi.data.columns)[:5] == ["Mã", "Đơn vị", "Chính quyền số", "Kinh tế số", "Xã hội số"]  # fmt: skip
    assert "Digital government" in en.data.columns and "Type" in en.data.columns
    for styler in (vi, en):  # no snake_case header, one row per unit of the period
        assert not [c for c in styler.data.columns if "_" in c]
        assert len(styler.data) == (res.gaps["period"] == res.period).sum() == 18
    # numbers in each language's format, gap with its interval, sorted by the mean gap
    now = res.gaps[res.gaps["period"] == res.period].sort_values("gap_mean", ascending=False)
    top = now.iloc[0]
    row = dict(zip(vi.data.columns, _cells(vi)[0], strict=True))
    assert row["Mã"] == top["unit_code"]
    # scores and gaps in points of the 0-100 scale, as the text and the briefs write them
    assert row["Chính quyền số"] == i18n.format_number(100 * top["government"], "vi", 0)
    gap = i18n.format_number(100 * top["gap_mean"], "vi", 0)
    lo_hi = i18n.format_interval(
        100 * top["gap_mean_sel_lo"], 100 * top["gap_mean_sel_hi"], "vi", 0
    )
    assert row["CQS − TB(KTS, XHS)"] == f"{gap} ({lo_hi})"
    assert row["Loại hình"] == i18n.t(f"typology.{top['typology']}", "vi")
    names = dict(zip(inputs.units["unit_code"], inputs.units["name_vi"], strict=True))
    assert row["Đơn vị"] == unicodedata.normalize("NFC", names[top["unit_code"]])
    # HTML: no index, no truncation, caption with status, period, note and the relative path
    html = vi.to_html()
    assert "row_heading" not in html and "rows ×" not in html and "…" not in html
    assert html.count("<tr") == 1 + 18
    # styles inline (JupyterLab keeps them in a notebook it does not trust; it drops <style>)
    assert "<style" not in html and "text-align: right" in html and "nowrap" in html
    caption = re.search(r"<caption[^>]*>(.*)</caption>", html).group(1)
    assert caption.startswith("Dữ liệu minh họa · Kỳ H1/2025 · Điểm trên thang 0–100 ·")
    assert "khoảng lựa chọn chỉ số 90%" in caption
    assert "<code>tables/gaps.csv</code>" in caption and str(tmp_path) not in html


def test_interval_columns_are_read_and_missing_columns_left_out():
    gaps = pd.DataFrame(
        {
            "unit_code": ["1", "2"],
            "period": ["2024", "2024"],
            "government": [0.8, 0.7],
            "gap_mean": [0.3, 0.1],
            "gap_mean_sel_lo": [0.2, -0.05],
            "gap_mean_sel_hi": [0.4, 0.2],
            "status": "observed",
        }
    )
    st = display.style_table(gaps, "gaps", lang="en")
    assert list(st.data.columns) == ["Code", "Unit", "Digital government", "GOV − mean(ECO, SOC)"]
    assert _cells(st)[1][-1] == "10 (−5 to 20)"
    assert "Illustrative" not in (st.caption or "")
    alone = display.style_table(gaps.drop(columns=["gap_mean_sel_lo"]), "gaps", lang="en")
    assert _cells(alone)[1][-1] == "10"  # no interval without both bounds


def test_values_from_data_are_html_escaped():
    units = pd.DataFrame({"unit_code": ["1"], "name_vi": ["<script>alert(1)</script>"]})
    pillars = pd.DataFrame({"unit_code": ["1"], "period": ["2024"], "government": [0.5]})
    html = display.style_table(pillars, "pillar_scores", units=units).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_commune_tables_name_indicators_and_pillars(demo_run):
    from analysis import workflow

    res, inputs = demo_run
    profile = workflow.commune_tables(res, inputs, "20527")
    weakest = display.style_table(profile["weakest"], "weakest", lang="en", framework=inputs.framework)  # fmt: skip
    first = profile["weakest"].iloc[0]
    row = dict(zip(weakest.data.columns, _cells(weakest)[0], strict=True))
    assert row["Indicator"] == inputs.framework.name(first["indicator"], "en")
    assert row["Pillar"] == "Digital economy" or row["Pillar"] in set(inputs.framework.pillars["name_en"])  # fmt: skip
    targets = display.style_table(profile["targets"], "targets", lang="vi", framework=inputs.framework)  # fmt: skip
    assert set(targets.data["Đã đạt"]) <= {"Có", "Chưa"}
    years = targets.data["Năm mục tiêu"].tolist()
    assert years == sorted(years)


def test_rank_stats_and_tests_views(demo_run):
    res, inputs = demo_run
    ranks = display.style_table(res.rank_stats, "rank_stats", lang="vi", units=inputs.units)
    assert ranks.data["Thứ hạng danh nghĩa"].tolist() == [str(i) for i in range(1, 19)]
    assert all(re.fullmatch(r"\d+–\d+", s) for s in ranks.data["Khoảng 5–95%"])
    tests = display.style_table(res.tests, "tests", lang="en", period=res.period)
    assert tests.data["Comparison"].tolist() == ["GOV − ECO", "GOV − SOC"]
    assert all(p.startswith("<") or re.fullmatch(r"\d\.\d{3}", p) for p in tests.data["p-value (Wilcoxon)"])  # fmt: skip


def test_unknown_view_names_the_known_ones():
    with pytest.raises(ParameterError, match="unknown table view 'nope'.*gaps"):
        display.style_table(pd.DataFrame(), "nope")


def test_show_table_displays_the_styler_and_skips_a_missing_table(shown):
    df = pd.DataFrame({"period": ["2024H1"], "n_expected": [10], "n_present": [9], "coverage_pct": [90.0]})  # fmt: skip
    display.show_table(df, "coverage_by_period", lang="vi")
    display.show_table(None, "gaps")
    (styler,) = shown
    assert _cells(styler) == [["H1/2024", "10", "9", "90,0%"]]


def test_a_table_of_thousands_of_units_shows_both_ends_and_counts_the_rest():
    import pandas as pd

    from analysis import display

    n = 3321
    df = pd.DataFrame(
        {
            "period": "2025H1",
            "n_expected": range(n),
            "n_present": range(n),
            "coverage_pct": [50.0] * n,
        }
    )
    styler = display.style_table(df, "coverage_by_period", lang="en")
    k = display.MAX_ROWS // 2
    assert len(styler.data) == 2 * k + 1
    assert styler.data.iloc[k, 0] == f"… {n - 2 * k:,} more rows (in the full table's file)"
    assert styler.data.iloc[-1, 1] == f"{n - 1:,}"
