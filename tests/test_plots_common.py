"""analysis.plots._common: the helpers every figure family shares."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataValidationError, ParameterError
from analysis.frameworks import load_framework
from analysis.plots import _common


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


def test_indicator_label_drops_the_rate_prefix_and_is_bounded():
    fw = load_framework()
    first = fw.indicator_ids[0]
    label = _common._indicator_label(first, fw, "vi", 34, None)
    assert label.startswith("Thủ tục hành chính") and len(label) <= 34 and label.endswith("…")
    assert _common._indicator_label(first, fw, "vi", 34, {first: "Dịch vụ $4$"}) == r"Dịch vụ \$4\$"
    assert _common._indicator_label("not_in_fw", fw, "en", 34, None) == "not_in_fw"
    assert _common._indicator_label("x_" * 40, None, "en", 20, None).count("\n") <= 1


def test_pillar_of_uses_the_framework_then_the_prefix():
    fw = load_framework()
    assert _common._pillar_of("soc_smartphone_adults_pct", fw) == "society"
    assert _common._pillar_of("econ_anything", None) == "economy"
    assert _common._pillar_of("other_thing", None) == "other"


def test_number_formatter_follows_the_language():
    assert _common._number_formatter("vi", 1)(0.75) == "0,8"
    assert _common._number_formatter("en", 2, "%")(12.5) == "12.50%"
    assert _common._number_formatter("vi")(3.0) == "3"
    assert _common._number_formatter("vi")(1234.5) == "1.234,5"
