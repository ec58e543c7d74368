"""analysis.plots._common: the helpers every figure family shares."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.errors import DataValidationError, ParameterError
from analysis.frameworks import load_framework
from analysis.plots import _common

FRAMEWORKS = config.FRAMEWORKS


def test_require_names_the_missing_column_and_the_table():
    with pytest.raises(DataValidationError, match="'gap_mean' is missing"):
        _common._require(pd.DataFrame({"unit_code": ["1"]}), ["unit_code", "gap_mean"], "gap table")
    with pytest.raises(DataValidationError, match="expected a pandas DataFrame, got list"):
        _common._require([1, 2], ["unit_code"], "gap table")


def test_select_period_defaults_to_the_latest_and_lists_the_periods():
    df = pd.DataFrame({"period": ["2024Q4", "2025Q1", "2024Q3"], "v": [1, 2, 3]})
    rows, chosen = _common._select_period(df, None, "gap table")
    assert chosen == "2025Q1" and rows["v"].tolist() == [2]
    with pytest.raises(ParameterError, match="period='2030'.*2024Q3, 2024Q4, 2025Q1"):
        _common._select_period(df, "2030", "gap table")
    no_period = pd.DataFrame({"v": [1]})
    assert _common._select_period(no_period, None, "t")[0] is no_period


def test_select_rows_keeps_both_ends_and_the_highlighted_units():
    data = pd.DataFrame({"unit_code": [f"U{i:02d}" for i in range(50)], "gap": np.arange(50.0)})
    rows, pos = _common._select_rows(data, "gap", top_n=None, highlight=["U25"], max_units=40)
    assert pos.tolist() == [*range(10), 25, *range(40, 50)]
    assert rows["unit_code"].tolist()[10] == "U25"
    all_rows, all_pos = _common._select_rows(
        data.head(30), "gap", top_n=None, highlight=[], max_units=40
    )
    assert len(all_rows) == 30 and all_pos.tolist() == list(range(30))
    with pytest.raises(ParameterError, match="top_n=0"):
        _common._select_rows(data, "gap", top_n=0, highlight=[], max_units=40)
    with pytest.raises(ParameterError, match="top_n=True"):
        _common._select_rows(data, "gap", top_n=True, highlight=[], max_units=40)


def test_highlight_codes_unknown_is_an_error_missing_in_the_period_is_skipped():
    known = ["A", "B", "C"]
    assert _common._highlight_codes("B", known, "gap table") == ["B"]
    assert _common._highlight_codes(["A", "C"], known, "gap table", present=["A"]) == ["A"]
    assert _common._highlight_codes(None, known, "gap table") == []
    with pytest.raises(ParameterError, match=r"highlight=\['Z'\].*gap table"):
        _common._highlight_codes(["Z"], known, "gap table")
    assert _common._highlight_codes(["Z", "A"], known, "t", strict=False) == ["A"]


def test_unit_names_are_nfc_and_names_fall_back_to_codes():
    decomposed = unicodedata.normalize("NFD", "Ái Nghĩa")
    units = pd.DataFrame({"unit_code": [20500, "20503"], "name_vi": [decomposed, "Đại Sơn"]})
    names = _common._unit_names(units)
    assert names == {"20500": "Ái Nghĩa", "20503": "Đại Sơn"}
    assert _common._name("99999", names) == "99999"
    assert _common._unit_names(units.drop(columns="name_vi")) == {}


def test_indicator_label_drops_the_rate_prefix_and_wraps_the_full_name():
    fw = load_framework()
    first = fw.indicator_ids[0]
    label = _common._indicator_label(first, fw, "vi", 40, None)
    full = fw.name(first, "vi").removeprefix("Tỷ lệ ")
    assert label.replace("\n", " ") == full[:1].upper() + full[1:]  # whole name, on two lines
    assert label.count("\n") == 1 and "…" not in label
    assert all(len(line) <= 40 for line in label.splitlines())
    assert _common._indicator_label(first, fw, "vi", 34, {first: "Dịch vụ $4$"}) == r"Dịch vụ \$4\$"
    assert _common._indicator_label("not_in_fw", fw, "en", 34, None) == "not_in_fw"
    assert _common._indicator_label("x_" * 40, None, "en", 20, None).count("\n") <= 1
    assert _common._indicator_label("word " * 100, None, "en", 20, None).endswith(
        "…"
    )  # a pasted paragraph


@pytest.mark.parametrize(
    "path", sorted(p for p in FRAMEWORKS.glob("*.yaml") if p.stem != "presets")
)
@pytest.mark.parametrize("width", [40, 46, 50])  # heatmap, targets, profile and distributions
def test_every_shipped_indicator_name_is_shown_in_full(path, width):
    fw = load_framework(path)
    for lang in ("vi", "en"):
        for ind in fw.indicator_ids:
            label = _common._indicator_label(ind, fw, lang, width, None)
            assert "…" not in label and label.count("\n") <= 1, (path.name, ind, label)
            assert label.replace("\n", " ").lower() in fw.name(ind, lang).lower()


def test_the_interval_drawn_is_the_indicator_selection_interval():
    new = pd.DataFrame({"gap_mean": [0.2], "gap_mean_sel_lo": [0.1], "gap_mean_sel_hi": [0.3],
                        "gap_mean_method_lo": [0.0], "gap_mean_method_hi": [0.4]})  # fmt: skip
    lo, hi = _common._interval(new, "gap_mean")
    assert (lo[0], hi[0]) == (0.1, 0.3)  # not the method interval
    assert _common._interval(new, "gap_econ") is None
    # the former names (g_lo/g_hi, g_mc_lo/g_mc_hi) are no interval any more
    old = new.rename(columns=lambda c: c.replace("_sel", "").replace("_method", "_mc"))
    assert _common._interval(old, "gap_mean") is None
    assert _common._interval_level(new.assign()) == 0.9
    new.attrs["level"] = 0.95
    assert _common._interval_level(new) == 0.95


def test_period_axis_labels_periods_then_years_for_quarters(plot_style):
    import matplotlib.pyplot as plt

    from analysis.periods import period_to_time

    _, ax = plt.subplots()
    halves = ["2024H1", "2024H2", "2025H1"]
    _common._period_axis(ax, halves, "vi")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["H1/2024", "H2/2024", "H1/2025"]
    quarters = [f"{y}Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    _common._period_axis(ax, quarters, "en")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2022", "2023", "2024"]
    # a year's label is centred under its four quarters; each quarter has a minor tick
    np.testing.assert_allclose(ax.get_xticks(), [2022.375, 2023.375, 2024.375])
    np.testing.assert_allclose(ax.get_xticks(minor=True), [period_to_time(q) for q in quarters])
    assert not any(line.get_visible() for line in ax.get_xgridlines())
    years = [str(y) for y in range(2001, 2025)]
    _common._period_axis(ax, years, "en", max_years=6)
    assert len(ax.get_xticks()) <= 6 and ax.get_xticklabels()[0].get_text() == "2001"


def test_pillar_of_uses_the_framework_then_the_prefix():
    fw = load_framework()
    assert _common._pillar_of("soc_smartphone_adults_pct", fw) == "society"
    assert _common._pillar_of("econ_anything", None) == "economy"
    assert _common._pillar_of("other_thing", None) == "other"


def test_number_formatter_follows_the_language():
    assert _common._number_formatter("vi", 1)(0.75) == "0,8"
    assert _common._number_formatter("en", 2)(12.5) == "12.50"
    assert _common._number_formatter("vi", 1)(1234.5) == "1.234,5"


@pytest.mark.parametrize(
    ("locs", "lang", "expected"),
    [
        ([0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0], "vi", ["0", "20", "40", "60", "80", "100"]),
        ([-0.1, 0.0, 0.1, 0.30000000000000004], "en", ["−10", "0", "10", "30"]),
        ([0.3, 0.325, 0.35], "vi", ["30,0", "32,5", "35,0"]),  # one decimal for every tick
        ([0.3, 0.325, 0.35], "en", ["30.0", "32.5", "35.0"]),
    ],
)
def test_score_ticks_read_in_points_of_a_0_100_scale(locs, lang, expected):
    assert _common._PointsFormatter(lang).format_ticks(locs) == expected


def test_score_text_in_points():
    assert _common._points_text(0.434, "vi") == "43" and _common._points_text(-0.052, "en") == "−5"
    assert _common._points_text(float("nan"), "vi") == "–"
    assert (
        _common._points_text(0.1, "vi", None) == "10"
        and _common._points_text(0.125, "en", None) == "12.5"
    )
    assert _common._points_interval(0.37, 0.5, "vi") == "37–50"
    assert _common._points_interval(-0.05, 0.19, "en") == "−5 to 19"
