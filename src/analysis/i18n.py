"""Labels in Vietnamese and English, and number formats for figures, tables and briefs.

Two languages: ``vi`` (default) and ``en``. Every label is stored NFC-normalised.

* :func:`t` looks a label up by key (``"pillar.government"``, ``"axis.gap_mean"``...).
* :func:`format_number`, :func:`format_interval`, :func:`format_pct` write numbers the way
  readers of each language expect: Vietnamese uses a decimal comma and a thousands dot
  (``141.851`` people, ``0,78``), English the reverse (``141,851``, ``0.78``).
* :func:`parse_number` reads numbers typed by users, Vietnamese decimal commas included.

Missing values are shown as an en dash ``–``; negative numbers use the true minus sign ``−``
(U+2212), like matplotlib's tick labels.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Mapping

from .errors import ParameterError
from .periods import is_period, parse_period

__all__ = [
    "LANGS",
    "LABELS",
    "MISSING",
    "NumberParseError",
    "t",
    "has_label",
    "format_number",
    "format_interval",
    "format_pct",
    "format_period",
    "parse_number",
    "translate_mapping",
]

#: Supported languages, default first.
LANGS: tuple[str, ...] = ("vi", "en")

#: What a missing value (NaN, None) is written as.
MISSING = "–"

_MINUS = "−"  # U+2212


class NumberParseError(ParameterError, ValueError):
    """A user-typed number could not be read."""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# key -> (vi, en). Keys are dotted: <group>.<id>.
_RAW_LABELS: dict[str, tuple[str, str]] = {
    # pillars and the index
    "pillar.government": ("Chính quyền số", "Digital government"),
    "pillar.economy": ("Kinh tế số", "Digital economy"),
    "pillar.society": ("Xã hội số", "Digital society"),
    "pillar.index": ("Chỉ số chung", "Overall index"),
    "pillar_short.government": ("CQS", "GOV"),
    "pillar_short.economy": ("KTS", "ECO"),
    "pillar_short.society": ("XHS", "SOC"),
    # gaps
    "gap.gap_econ": ("Khoảng cách CQS − KTS", "Gap government − economy"),
    "gap.gap_soc": ("Khoảng cách CQS − XHS", "Gap government − society"),
    "gap.gap_mean": (
        "Khoảng cách CQS − trung bình (KTS, XHS)",
        "Gap government − mean(economy, society)",
    ),
    "gap_short.gap_econ": ("CQS − KTS", "GOV − ECO"),
    "gap_short.gap_soc": ("CQS − XHS", "GOV − SOC"),
    "gap_short.gap_mean": ("Khoảng cách", "Gap"),
    # axis titles
    "axis.score": ("Điểm (0–1)", "Score (0–1)"),
    "axis.normalised": ("Giá trị chuẩn hóa (0–1)", "Normalised value (0–1)"),
    "axis.commune": ("Xã, thị trấn", "Commune"),
    "axis.indicator": ("Chỉ tiêu", "Indicator"),
    "axis.period": ("Kỳ", "Period"),
    "axis.rank": ("Thứ hạng (1 = cao nhất)", "Rank (1 = highest)"),
    "axis.sensitivity_index": ("Chỉ số độ nhạy", "Sensitivity index"),
    "axis.choice": ("Lựa chọn phương pháp", "Method choice"),
    "axis.lon": ("Kinh độ (°Đ)", "Longitude (°E)"),
    "axis.lat": ("Vĩ độ (°B)", "Latitude (°N)"),
    "axis.pct_of_target": ("Mức đạt so với mục tiêu 2025 (%)", "Attainment of the 2025 target (%)"),
    "axis.gap_ci": ("Khoảng cách (KTC 90%)", "Gap (90% CI)"),
    # titles
    "title.heatmap": (
        "Chỉ tiêu chuẩn hóa theo xã và trụ cột",
        "Normalised indicators by commune and pillar",
    ),
    "title.dumbbell": (
        "Ba trụ cột của từng xã, xếp theo khoảng cách",
        "The three pillars per commune, sorted by gap",
    ),
    "title.scatter": ("{y} so với chính quyền số", "{y} against digital government"),
    "title.profile": ("Hồ sơ chỉ tiêu: {name}", "Indicator profile: {name}"),
    "title.rank_uncertainty": ("Độ bất định của thứ hạng", "Rank uncertainty"),
    "title.sensitivity": ("Độ nhạy theo lựa chọn phương pháp", "Sensitivity to method choices"),
    "title.trends": ("Diễn biến ba trụ cột theo thời gian", "The three pillars over time"),
    "title.gap_trend": ("Diễn biến khoảng cách theo thời gian", "The gap over time"),
    "title.distance_to_targets": (
        "Khoảng cách tới mục tiêu: {name}",
        "Distance to targets: {name}",
    ),
    "title.map": ("Bản đồ khoảng cách", "Map of the gap"),
    "title.target": ("Mục tiêu: {target}", "Target: {target}"),
    # legend entries
    "legend.district_median": ("Trung vị huyện", "District median"),
    "legend.target_2025": ("Mục tiêu 2025", "2025 target"),
    "legend.target_2030": ("Mục tiêu 2030", "2030 target"),
    "legend.commune_value": ("Giá trị của xã", "Commune value"),
    "legend.median_rank": ("Thứ hạng trung vị", "Median rank"),
    "legend.rank_interval": ("Khoảng 5–95%", "5–95% interval"),
    "legend.nominal_rank": ("Thứ hạng danh nghĩa", "Nominal rank"),
    "legend.si": ("Bậc nhất (Si)", "First order (Si)"),
    "legend.sti": ("Toàn phần (STi)", "Total (STi)"),
    "legend.parity": ("Đường cân bằng (45°)", "Parity line (45°)"),
    "legend.gap_ci": ("KTC 90% của khoảng cách", "90% CI of the gap"),
    "legend.population": ("Dân số 2019", "Population 2019"),
    "legend.successor": ("Xã mới (từ 01/7/2025)", "New commune (from 1 July 2025)"),
    "legend.no_data": ("Không có dữ liệu", "No data"),
    "legend.all_communes": ("Các xã", "All communes"),
    # typology classes
    "typology.government_led": ("Chính quyền số đi trước", "Government-led"),
    "typology.balanced_high": ("Cân bằng, mức cao", "Balanced, high"),
    "typology.balanced_low": ("Cân bằng, mức thấp", "Balanced, low"),
    "typology.economy_society_led": ("Kinh tế, xã hội số đi trước", "Economy/society-led"),
    "typology.economy_led": ("Kinh tế số đi trước", "Economy-led"),
    "typology.society_led": ("Xã hội số đi trước", "Society-led"),
    "typology.gov_led": ("Chính quyền số đi trước", "Government-led"),
    "typology.balanced": ("Cân bằng", "Balanced"),
    "typology.lagging": ("Tụt hậu", "Lagging"),
    "typology.leading": ("Dẫn đầu", "Leading"),
    # method choices (sensitivity analysis)
    "choice.weights": ("Trọng số", "Weights"),
    "choice.normalisation": ("Chuẩn hóa", "Normalisation"),
    "choice.aggregation": ("Tổng hợp", "Aggregation"),
    "choice.imputation": ("Xử lý thiếu dữ liệu", "Imputation"),
    "choice.outliers": ("Xử lý ngoại lai", "Outlier treatment"),
    "choice.winmax": ("Số giá trị winsor hóa tối đa", "Maximum winsorised values"),
    "choice.leave_one_out": ("Bỏ bớt một chỉ tiêu", "Leave one indicator out"),
    "target.mean_abs_shift": (
        "Dịch chuyển thứ hạng tuyệt đối trung bình",
        "Mean absolute rank shift",
    ),
    # units and misc
    "unit.km": ("km", "km"),
    "misc.district": ("Huyện Đại Lộc", "Đại Lộc district"),
    "misc.status_synthetic": ("Dữ liệu minh họa", "Illustrative data"),
    "misc.ci90": ("KTC 90%", "90% CI"),
    "misc.reading_scatter": (
        "Vạch dọc: KTC 90% của khoảng cách; cắt đường 45° = không khác biệt",
        "Vertical bar: 90% CI of the gap; crossing the 45° line = no difference",
    ),
    # watermark: always bilingual (the mark must be understood whatever the figure language)
    "watermark": ("Dữ liệu minh họa / Illustrative data", "Dữ liệu minh họa / Illustrative data"),
}

#: ``{key: {"vi": ..., "en": ...}}``, NFC-normalised.
LABELS: dict[str, dict[str, str]] = {
    key: {"vi": _nfc(vi), "en": _nfc(en)} for key, (vi, en) in _RAW_LABELS.items()
}


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ParameterError(
            f"parameter lang={lang!r} is not supported; use one of {', '.join(LANGS)}"
        )
    return lang


def has_label(key: str) -> bool:
    """Whether ``key`` has a label.

    >>> has_label("pillar.economy"), has_label("pillar.nope")
    (True, False)
    """
    return key in LABELS


def t(key: str, lang: str = "vi", default: str | None = None, **fields: object) -> str:
    """Label of ``key`` in ``lang``; ``{placeholders}`` are filled from ``fields``.

    Args:
        key: dotted key, e.g. ``"pillar.government"``, ``"typology.balanced_high"``.
        lang: ``"vi"`` or ``"en"``.
        default: returned (NFC) when ``key`` is unknown; without it an unknown key is an error.
        **fields: values for ``{name}`` placeholders in the label.

    Returns:
        The NFC label.

    Raises:
        ParameterError: unknown language, or unknown key and no ``default``.

    >>> t("pillar.government", "vi")
    'Chính quyền số'
    >>> t("pillar.society", "en")
    'Digital society'
    >>> t("title.profile", "en", name="Ái Nghĩa")
    'Indicator profile: Ái Nghĩa'
    >>> t("typology.new_class", "en", default="new class")
    'new class'
    """
    _check_lang(lang)
    entry = LABELS.get(key)
    if entry is None:
        if default is None:
            close = sorted(k for k in LABELS if k.split(".")[0] == key.split(".")[0])
            hint = f" (known in this group: {', '.join(close)})" if close else ""
            raise ParameterError(
                f"no label for key {key!r}{hint}; add it to analysis.i18n._RAW_LABELS"
            )
        return _nfc(default)
    text = entry[lang]
    if fields:
        text = text.format(**fields)
    return _nfc(text)


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _separators(lang: str) -> tuple[str, str]:
    """(decimal, thousands) separators of ``lang``."""
    return (",", ".") if _check_lang(lang) == "vi" else (".", ",")


def format_number(x: float | int | None, lang: str = "vi", digits: int = 2) -> str:
    """Write a number for readers of ``lang``.

    Integers (Python or NumPy integer types) are written without decimals; floats with
    ``digits`` decimals. Thousands are grouped. Missing values give ``–``.

    Args:
        x: the number (``None`` and NaN are missing).
        lang: ``"vi"`` (decimal comma, thousands dot) or ``"en"``.
        digits: decimals for non-integers.

    >>> format_number(141851, "vi"), format_number(141851, "en")
    ('141.851', '141,851')
    >>> format_number(0.7812, "vi"), format_number(0.7812, "en")
    ('0,78', '0.78')
    >>> format_number(1234.5, "vi", digits=1)
    '1.234,5'
    >>> format_number(-0.5, "en", digits=1)
    '−0.5'
    >>> format_number(float("nan"), "vi")
    '–'
    """
    dec, thou = _separators(lang)
    if _is_missing(x):
        return MISSING
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        body = f"{abs(int(x)):,d}"
        negative = int(x) < 0
    else:
        value = float(x)  # type: ignore[arg-type]
        if math.isinf(value):
            return "∞" if value > 0 else _MINUS + "∞"
        body = f"{abs(value):,.{int(digits)}f}"
        negative = value < 0 and float(body.replace(",", "")) != 0.0
    body = body.replace(",", "\x00").replace(".", dec).replace("\x00", thou)
    return (_MINUS if negative else "") + body


def format_interval(lo: float | None, hi: float | None, lang: str = "vi", digits: int = 2) -> str:
    """Write an interval ``lo–hi``; with a negative bound ``lo đến hi`` / ``lo to hi``
    (a dash next to a minus sign misreads).

    >>> format_interval(0.22, 0.40, "vi")
    '0,22–0,40'
    >>> format_interval(0.22, 0.40, "en")
    '0.22–0.40'
    >>> format_interval(-0.1, 0.2, "en", digits=1), format_interval(-0.1, 0.2, "vi", digits=1)
    ('−0.1 to 0.2', '−0,1 đến 0,2')
    """
    a = format_number(lo, lang, digits)
    b = format_number(hi, lang, digits)
    if a.startswith(_MINUS) or b.startswith(_MINUS):
        return f"{a} {'đến' if lang == 'vi' else 'to'} {b}"
    return f"{a}–{b}"


def format_pct(
    x: float | None, lang: str = "vi", digits: int = 1, *, from_fraction: bool = False
) -> str:
    """Write a percentage (``85,5%`` in Vietnamese, ``85.5%`` in English).

    Args:
        x: the value, in percent (``85.5``), or a fraction (``0.855``) with ``from_fraction``.
        lang: ``"vi"`` or ``"en"``.
        digits: decimals.
        from_fraction: multiply ``x`` by 100 first.

    >>> format_pct(85.5, "vi"), format_pct(0.855, "en", from_fraction=True)
    ('85,5%', '85.5%')
    >>> format_pct(None, "en")
    '–'
    """
    if _is_missing(x):
        return MISSING
    value = float(x) * (100.0 if from_fraction else 1.0)  # type: ignore[arg-type]
    return format_number(value, lang, digits) + "%"


def format_period(period: str, lang: str = "vi") -> str:
    """Write a period code (``"2024H1"``, ``"2023Q2"``, ``"2023"``) for display.

    >>> format_period("2024H1", "vi"), format_period("2024H1", "en"), format_period("2023", "vi")
    ('H1/2024', '2024 H1', '2023')
    >>> format_period("2023Q2", "vi"), format_period("2023Q2", "en")
    ('Q2/2023', '2023 Q2')
    """
    _check_lang(lang)
    if not is_period(period):
        return _nfc(str(period))
    year, kind, part = parse_period(period)
    if not kind:
        return str(year)
    return f"{kind}{part}/{year}" if lang == "vi" else f"{year} {kind}{part}"


_MISSING_TEXT = {"", "–", "—", "-", "na", "n/a", "nan", "none", "null"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+)?(\.\d+)?$")


def parse_number(text: str | float | int | None, *, lang: str | None = None) -> float:
    """Read a number typed by a user, Vietnamese decimal commas included.

    Rules, in order: whitespace (also non-breaking and thin spaces) and a trailing ``%`` are
    dropped; ``−`` and ``-`` are minus signs; empty text, ``–`` or ``NA`` give NaN. With
    ``lang="vi"`` a comma is the decimal mark and dots group thousands; with ``lang="en"`` the
    reverse. Without ``lang`` (the default) the mark that comes last is the decimal mark when both
    appear; a lone comma is a decimal comma (``"85,5"``); a mark that appears twice or more
    groups thousands (``"1.234.567"``, ``"1,234,567"``); a lone dot is a decimal point.

    Args:
        text: the typed value (numbers pass through as floats).
        lang: force the Vietnamese (``"vi"``) or English (``"en"``) convention.

    Returns:
        The value as a float (percentages are returned in percent: ``"85,5%"`` -> 85.5).

    Raises:
        NumberParseError: the text is not a number in any accepted form.

    >>> parse_number("85,5"), parse_number("1.234,5"), parse_number("85,5%")
    (85.5, 1234.5, 85.5)
    >>> parse_number("1,234.5"), parse_number("141.851", lang="vi"), parse_number("−0,25")
    (1234.5, 141851.0, -0.25)
    >>> parse_number(" 1 234,5 ")
    1234.5
    """
    if text is None:
        return math.nan
    if isinstance(text, numbers.Number) and not isinstance(text, bool):
        return float(text)  # type: ignore[arg-type]
    if not isinstance(text, str):
        raise NumberParseError(
            f"cannot read a number from {text!r} (type {type(text).__name__}); give a str or number"
        )
    if lang is not None:
        _check_lang(lang)
    raw = text
    s = _nfc(text).strip()
    for space in (" ", "\u00a0", "\u202f", "\u2009", "'"):
        s = s.replace(space, "")
    s = s.removesuffix("%")
    if s.lower() in _MISSING_TEXT:
        return math.nan
    s = s.replace(_MINUS, "-")
    if lang == "vi":
        dec, thou = ",", "."
    elif lang == "en":
        dec, thou = ".", ","
    elif "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
    elif s.count(",") >= 2:
        dec, thou = ".", ","
    elif s.count(".") >= 2:
        dec, thou = ",", "."
    elif "," in s:
        dec, thou = ",", "."
    else:
        dec, thou = ".", ","
    if s.count(dec) > 1:
        raise NumberParseError(
            f"cannot read {raw!r} as a number: decimal mark {dec!r} appears more than once; "
            "write e.g. 1.234,5 (Vietnamese) or 1,234.5 (English)"
        )
    int_part = s.split(dec)[0].lstrip("+-")
    if thou in int_part:
        groups = int_part.split(thou)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise NumberParseError(
                f"cannot read {raw!r} as a number: thousands separator {thou!r} must group digits by three "
                "(e.g. 1.234.567,5 in Vietnamese or 1,234,567.5 in English)"
            )
    normalised = s.replace(thou, "").replace(dec, ".")
    if not _NUMBER_RE.match(normalised) or normalised in {"", "+", "-", ".", "+.", "-."}:
        raise NumberParseError(
            f"cannot read {raw!r} as a number; expected e.g. 85,5 or 1.234,5 (Vietnamese), "
            "85.5 or 1,234.5 (English), optionally with a trailing %"
        )
    return float(normalised)


def translate_mapping(mapping: Mapping[str, str], lang: str) -> dict[str, str]:
    """Translate the values of ``mapping`` (label keys) into ``lang``.

    >>> translate_mapping({"g": "pillar.government"}, "en")
    {'g': 'Digital government'}
    """
    return {k: t(v, lang) for k, v in mapping.items()}
