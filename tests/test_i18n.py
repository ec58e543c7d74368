"""Tests of analysis.i18n: labels, number formats and parsing of user-typed numbers."""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import i18n
from analysis.errors import AnalysisError, ParameterError


# ------------------------------------------------------------------ labels
@pytest.mark.parametrize(
    ("key", "vi", "en"),
    [
        ("pillar.government", "Chính quyền số", "Digital government"),
        ("pillar.economy", "Kinh tế số", "Digital economy"),
        ("pillar.society", "Xã hội số", "Digital society"),
        (
            "watermark",
            "Dữ liệu minh họa / Illustrative data",
            "Dữ liệu minh họa / Illustrative data",
        ),
        ("typology.government_led", "Chính quyền số đi trước", "Government-led"),
    ],
)
def test_known_labels(key, vi, en):
    assert i18n.t(key, "vi") == unicodedata.normalize("NFC", vi)
    assert i18n.t(key, "en") == en


def test_every_label_has_both_languages_nfc_and_nonempty():
    for key, entry in i18n.LABELS.items():
        assert set(entry) == {"vi", "en"}, key
        for lang, text in entry.items():
            assert text.strip(), (key, lang)
            assert unicodedata.is_normalized("NFC", text), (key, lang)


def test_vietnamese_labels_differ_from_english_for_pillars_and_axes():
    for key in i18n.LABELS:
        if key.split(".")[0] in {"pillar", "axis", "title", "typology"}:
            assert i18n.t(key, "vi") != i18n.t(key, "en"), key


def test_decomposed_input_is_returned_nfc():
    decomposed = unicodedata.normalize("NFD", "Đại Lộc")
    out = i18n.t("no.such.key", "vi", default=decomposed)
    assert out == unicodedata.normalize("NFC", "Đại Lộc") and out != decomposed


def test_unknown_key_and_language_raise_with_a_fix():
    with pytest.raises(ParameterError, match="pillar.nope.*pillar.economy"):
        i18n.t("pillar.nope", "vi")
    with pytest.raises(AnalysisError, match="lang='fr'.*vi, en"):
        i18n.t("pillar.economy", "fr")
    with pytest.raises(ParameterError):
        i18n.format_number(1.0, "de")


def test_placeholders():
    assert i18n.t("title.profile", "vi", name="Đại Sơn") == "Hồ sơ chỉ tiêu: Đại Sơn"


# ------------------------------------------------------------------ formatting
@pytest.mark.parametrize(
    ("x", "lang", "digits", "expected"),
    [
        (141851, "vi", 2, "141.851"),
        (141851, "en", 2, "141,851"),
        (np.int64(1234567), "vi", 2, "1.234.567"),
        (0.78, "vi", 2, "0,78"),
        (0.78, "en", 2, "0.78"),
        (0.785, "vi", 1, "0,8"),
        (1234.5, "vi", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (-0.25, "vi", 2, "−0,25"),
        (-0.001, "en", 2, "0.00"),  # no "−0.00"
        (float("nan"), "vi", 2, "–"),
        (None, "en", 2, "–"),
        (np.float64(2.0), "en", 0, "2"),
    ],
)
def test_format_number(x, lang, digits, expected):
    assert i18n.format_number(x, lang, digits) == expected


def test_format_interval_and_pct():
    assert i18n.format_interval(0.22, 0.40, "vi", 2) == "0,22–0,40"
    assert i18n.format_interval(0.22, 0.40, "en", 2) == "0.22–0.40"
    assert i18n.format_interval(-0.05, 0.19, "vi", 2) == "−0,05 đến 0,19"
    assert i18n.format_interval(float("nan"), 0.4, "en", 1) == "––0.4"
    assert i18n.format_pct(85.5, "vi") == "85,5%"
    assert i18n.format_pct(0.855, "en", 1, from_fraction=True) == "85.5%"
    assert i18n.format_pct(float("nan"), "vi") == "–"


def test_format_period():
    assert i18n.format_period("2022H2", "vi") == "H2/2022"
    assert i18n.format_period("2022H2", "en") == "2022 H2"
    assert i18n.format_period("2024", "en") == "2024"
    assert i18n.format_period("weird", "en") == "weird"
    assert i18n.format_period("2024H2", "vi", long=True) == "6 tháng cuối năm 2024"
    assert i18n.format_period("2023Q4", "vi", long=True) == "quý IV/2023"
    assert i18n.format_period("2023Q2", "en", long=True) == "Q2 2023"
    assert i18n.format_period("2024", "en", long=True) == "2024"
    assert i18n.format_period("weird", "vi", long=True) == "weird"


def test_missing_values_in_briefs_are_blank():
    assert i18n.format_number(None, "vi", missing="") == ""
    assert i18n.format_interval(0.1, float("nan"), "en", missing="") == ""
    assert i18n.format_interval(0.1, 0.2, "en", missing="") == "0.10–0.20"
    assert i18n.format_p(float("nan"), "vi", missing="") == ""


@pytest.mark.parametrize(
    ("p", "digits", "lang", "expected"),
    [
        (0.0312, 3, "en", "0.031"),
        (0.0004, 3, "vi", "< 0,001"),
        (0.001, 3, "vi", "0,001"),
        (0.0123, 4, "en", "0.0123"),
        (3e-6, 4, "vi", "< 0,0001"),
    ],
)
def test_format_p(p, digits, lang, expected):
    assert i18n.format_p(p, lang, digits) == expected
    relation = i18n.format_p(p, lang, digits, relation=True)
    assert relation == (expected if expected.startswith("<") else "= " + expected)


def test_format_level():
    assert [i18n.format_level(x, "vi") for x in (0.9, 0.95, 0.975)] == ["90", "95", "97,5"]
    assert i18n.format_level(0.975, "en") == "97.5"


def test_labels_of_a_group_and_the_table_file(tmp_path, monkeypatch):
    brief = i18n.labels_of("brief", "en")
    assert brief["key_message"] == "Key message" and "pillars" in brief
    assert all(not k.startswith("brief.") for k in brief)
    assert i18n.labels_of("no_such_group", "vi") == {}
    bad = tmp_path / "strings.toml"
    bad.write_text('[pillar]\ngovernment = "only one language"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "STRINGS_FILE", bad)
    i18n._labels.cache_clear()
    try:
        with pytest.raises(ParameterError, match="'pillar.government' must be a table"):
            i18n.t("pillar.government", "vi")
    finally:
        monkeypatch.undo()
        i18n._labels.cache_clear()
    assert i18n.t("pillar.government", "vi") == "Chính quyền số"


#: entries whose languages use different fields, with the fields each one uses
_DIFFERENT_FIELDS = {
    "place.other_type": ({"type"}, set()),  # English calls an unknown unit type "commune"
    "place.full": ({"Type", "name"}, {"type", "name"}),  # the type leads in Vietnamese
    "period.quarter": ({"roman", "year"}, {"quarter", "year"}),  # quý II/2023, Q2 2023
}


def test_every_placeholder_is_the_same_in_both_languages():
    """A sentence filled with the same fields uses them in both languages."""
    import string

    for key, entry in i18n.LABELS.items():
        fields = tuple(
            {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
            for lang in ("vi", "en")
        )
        if key in _DIFFERENT_FIELDS:
            assert fields == _DIFFERENT_FIELDS[key], key
        else:
            assert fields[0] == fields[1], key


# ------------------------------------------------------------------ parsing
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85,5", 85.5),
        ("1.234,5", 1234.5),
        ("85,5%", 85.5),
        ("85.5", 85.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("−0,25", -0.25),
        ("-3", -3.0),
        ("  12,0 % ", 12.0),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        (",5", 0.5),
        (7, 7.0),
    ],
)
def test_parse_number(text, expected):
    assert i18n.parse_number(text) == pytest.approx(expected)


def test_parse_number_language_hint_resolves_the_ambiguous_dot():
    assert i18n.parse_number("141.851") == pytest.approx(141.851)
    assert i18n.parse_number("141.851", lang="vi") == 141851.0
    assert i18n.parse_number("1,500", lang="en") == 1500.0
    with pytest.raises(i18n.NumberParseError, match="group digits by three"):
        i18n.parse_number("1,5", lang="en")


@pytest.mark.parametrize("text", ["", "–", "NA", "nan", None])
def test_parse_number_missing(text):
    assert math.isnan(i18n.parse_number(text))


@pytest.mark.parametrize("text", ["abc", "1,2,3,4.5.6", "12,5,3.1", "1.2.3,4,5", "--1", "1e"])
def test_parse_number_rejects_garbage(text):
    with pytest.raises(i18n.NumberParseError, match="cannot read"):
        i18n.parse_number(text)


def test_parse_error_is_both_analysis_and_value_error():
    with pytest.raises(ValueError):
        i18n.parse_number("x")
    with pytest.raises(AnalysisError):
        i18n.parse_number("x")


@settings(max_examples=200, deadline=None)
@given(
    x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    lang=st.sampled_from(["vi", "en"]),
    digits=st.integers(min_value=0, max_value=4),
)
def test_format_then_parse_round_trips(x, lang, digits):
    text = i18n.format_number(x, lang, digits)
    assert unicodedata.is_normalized("NFC", text)
    assert i18n.parse_number(text, lang=lang) == pytest.approx(
        round(x, digits), abs=10 ** (-digits)
    )
