"""PDF briefs in Vietnamese and English, rendered with Typst from a structured brief (JSON).

A *brief* is a plain, JSON-serialisable dict. :func:`build_commune_brief` and
:func:`build_district_brief` make one from the toolkit's tables (gap table, rank stats, pillar
table, framework, units, indicator values); :func:`render_brief` turns it into a PDF with the
Typst templates in ``reports/templates/`` and saves the brief next to the PDF
(``<unit>_<lang>.json``) so that :func:`render_saved_brief` (``dgap brief``) can re-render it
later without recomputing anything.

Safety: the brief reaches Typst **only** as a JSON string in ``sys.inputs`` (decoded in the
template with ``json(bytes(...))``); nothing is pasted into markup, so a commune name such as
``#read("/etc/passwd")`` or ``*bold* $x$`` is printed literally. The Typst root is a private
staging folder holding only the template files and the brief's figures (copied under
content-hash names), so a template cannot read anything else either. Fonts: Be Vietnam Pro from
the ``fontpkg-be-vietnam-pro`` package, embedded (system fonts are ignored). The PDF creation
date is the last day of the data period, so the same brief gives the same PDF bytes.

Brief schema (``schema == "dgap.brief/1"``; numbers are floats or null, ``*_text`` fields are
the same numbers already formatted for the brief's language)::

    schema        "dgap.brief/1"
    meta          kind           "commune" | "district"
                  lang           "vi" | "en"
                  edition        run / edition name, e.g. "default"
                  period         "2025H1" | "2024" | "2024Q3"
                  period_label   "6 tháng đầu năm 2025" / "first half of 2025"
                  date           ISO date, last day of the period (PDF creation date)
                  title, subtitle
                  unit_code      str (commune code; district code for the district brief)
                  unit_name      "Đại Thạnh";  unit_full_name  "Xã Đại Thạnh" / "Đại Thạnh commune"
                  district_name  "Đại Lộc" (may be "")
                  population, population_text   2019 census (null/"" if unknown)
                  data_status    "synthetic" | "observed" | "mixed"
                  framework      framework display name
                  ci_level       0.9
                  method         {framework, normalisation, weights, aggregation, interval, data}
                                 (display strings)
                  sources        [str]
                  keywords       [str]
    labels        {key: str}  every fixed string of the template, in the brief's language
    key_message   [str]  two or three sentences generated from the numbers
    pillars       [{id, name, short, value, median, lo, hi, value_text, median_text}]
                  (commune: lo/hi = district min/max; district: value = median)
    index         {value, median, value_text, median_text} | null
    gaps          [{id ("gap_econ"|"gap_soc"|"gap_mean"), label, value, lo, hi, level,
                    value_text, interval_text, is_established}]   (commune brief)
    rank          {nominal, q05, q95, n, text, interval_text} | null   (commune brief)
    weakest       [{id, name, unit, value, value_text, score, score_text, target_2025,
                    target_text, distance, distance_text, is_met}]   (commune brief;
                  distance = direction * (value - target), negative = short of the target)
    figures       {name: path}  optional PNG/SVG ("trend" for a commune; "dumbbell", "map",
                  "post2025" for the district); relative paths are relative to the PDF folder
    ranking       [{unit_code, name, rank, q05, q95, index, index_text, rank_text,
                    interval_text, gap_econ_text, gap_soc_text, typology}]   (district)
    tests         [{id, label, n, estimate, lo, hi, p_value, estimate_text, interval_text,
                    detail_text, p_text}]   (district)
    typology      [{id, label, count}]   (district)
    robustness    [str]   (district)
    post2025      {ranking: [...], note: str} | null   (district, optional)

Data status: a brief computed from any synthetic value is ``synthetic`` and every page of its
PDF carries the banner "DỮ LIỆU MINH HỌA — không phải số liệu chính thức" / "ILLUSTRATIVE DATA
— not official statistics"; ``mixed`` (estimated or imputed inputs) gets a smaller note.
"""

from __future__ import annotations

import atexit
import datetime as _dt
import hashlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import config
from .errors import RenderError
from .outputs import write_bytes
from .periods import is_period, parse_period, period_end
from .status import summary_status

log = logging.getLogger(__name__)

SCHEMA = "dgap.brief/1"
KINDS = ("commune", "district")
LANGS = ("vi", "en")
DATA_STATUSES = ("synthetic", "observed", "mixed")
FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
_MINUS = "\u2212"
_DASH = "\u2013"

# --------------------------------------------------------------------------- strings
#: Fixed strings of the briefs, per language. Passed to the template as ``labels``.
_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "banner_synthetic": "DỮ LIỆU MINH HỌA — không phải số liệu chính thức",
        "banner_mixed": "Một phần số liệu là ước tính hoặc được bổ khuyết",
        "brief_commune": "Bản tin chuyển đổi số cấp xã",
        "brief_district": "Bản tin chuyển đổi số cấp huyện",
        "key_message": "Thông điệp chính",
        "pillars": "Ba trụ cột so với trung vị huyện",
        "pillars_district": "Ba trụ cột: trung vị và khoảng giá trị của các xã",
        "pillar": "Trụ cột",
        "score": "Điểm",
        "median": "Trung vị huyện",
        "median_short": "Trung vị",
        "range": "Thấp nhất – cao nhất",
        "index": "Chỉ số chung",
        "gaps": "Khoảng cách số: chính quyền số trừ trụ cột khác",
        "gap": "Chênh lệch",
        "estimate": "Ước lượng",
        "interval": "Khoảng tin cậy {level}%",
        "gap_note": "Điểm trên thang 0–1. Chênh lệch dương: chính quyền số đi trước. Thanh ngang: khoảng tin cậy; vạch dọc: 0.",
        "rank": "Xếp hạng chỉ số chung",
        "rank_note": "Chấm: thứ hạng danh nghĩa; thanh: khoảng bất định 90% (phân vị 5%–95%) qua các lựa chọn phương pháp.",
        "weakest": "Ba chỉ số yếu nhất và khoảng cách đến mục tiêu 2025",
        "indicator": "Chỉ số",
        "value": "Giá trị",
        "normalised": "Điểm chuẩn hóa",
        "target_2025": "Mục tiêu 2025",
        "distance": "Khoảng cách đến mục tiêu",
        "weakest_note": "Mục tiêu là mục tiêu quốc gia (không phải chỉ tiêu giao cho xã).",
        "trend": "Diễn biến theo thời gian",
        "figure_missing": "Chưa có hình.",
        "method": "Phương pháp",
        "m_framework": "Khung chỉ số",
        "m_normalisation": "Chuẩn hóa",
        "m_weights": "Trọng số",
        "m_aggregation": "Tổng hợp",
        "m_interval": "Khoảng tin cậy",
        "m_data": "Dữ liệu",
        "sources": "Nguồn",
        "page": "Trang",
        "edition": "Ấn bản",
        "population": "Dân số (2019)",
        "ranking": "Bảng xếp hạng với khoảng bất định",
        "col_rank": "Hạng",
        "col_unit": "Xã / thị trấn",
        "col_index": "Chỉ số chung",
        "col_interval": "Khoảng hạng 90%",
        "col_gap_econ": "CQS − KTS",
        "col_gap_soc": "CQS − XHS",
        "col_typology": "Nhóm",
        "dumbbell": "Chính quyền số so với kinh tế số và xã hội số theo xã",
        "map": "Bản đồ khoảng cách số",
        "tests": "Kiểm định cấp huyện",
        "col_test": "Kiểm định",
        "col_n": "n",
        "col_p": "p",
        "no_tests": "Chưa có kết quả kiểm định.",
        "typology": "Phân nhóm xã",
        "col_count": "Số xã",
        "robustness": "Độ vững của kết quả",
        "post2025": "Các xã mới từ ngày 1/7/2025",
        "post2025_figure": "Các xã mới: chính quyền số so với hai trụ cột còn lại",
    },
    "en": {
        "banner_synthetic": "ILLUSTRATIVE DATA — not official statistics",
        "banner_mixed": "Some values are estimated or imputed",
        "brief_commune": "Commune digital-transformation brief",
        "brief_district": "District digital-transformation brief",
        "key_message": "Key message",
        "pillars": "Three pillars against the district median",
        "pillars_district": "Three pillars: median and range across communes",
        "pillar": "Pillar",
        "score": "Score",
        "median": "District median",
        "median_short": "Median",
        "range": "Lowest – highest",
        "index": "Overall index",
        "gaps": "Digital gaps: digital government minus the other pillars",
        "gap": "Gap",
        "estimate": "Estimate",
        "interval": "{level}% confidence interval",
        "gap_note": "Scores on a 0–1 scale. A positive gap means digital government is ahead. Bar: confidence interval; vertical line: 0.",
        "rank": "Rank on the overall index",
        "rank_note": "Dot: nominal rank; bar: 90% uncertainty interval (5th–95th percentile) over method choices.",
        "weakest": "Three weakest indicators and distance to the 2025 targets",
        "indicator": "Indicator",
        "value": "Value",
        "normalised": "Normalised score",
        "target_2025": "2025 target",
        "distance": "Distance to target",
        "weakest_note": "Targets are national targets (not official commune quotas).",
        "trend": "Trend over time",
        "figure_missing": "Figure not available.",
        "method": "Method",
        "m_framework": "Framework",
        "m_normalisation": "Normalisation",
        "m_weights": "Weights",
        "m_aggregation": "Aggregation",
        "m_interval": "Intervals",
        "m_data": "Data",
        "sources": "Sources",
        "page": "Page",
        "edition": "Edition",
        "population": "Population (2019)",
        "ranking": "Ranking with uncertainty intervals",
        "col_rank": "Rank",
        "col_unit": "Commune",
        "col_index": "Index",
        "col_interval": "90% rank interval",
        "col_gap_econ": "G − E",
        "col_gap_soc": "G − S",
        "col_typology": "Type",
        "dumbbell": "Digital government against the digital economy and society by commune",
        "map": "Map of the digital gap",
        "tests": "District-level tests",
        "col_test": "Test",
        "col_n": "n",
        "col_p": "p",
        "no_tests": "No test results supplied.",
        "typology": "Typology of communes",
        "col_count": "Communes",
        "robustness": "Robustness",
        "post2025": "New communes from 1 July 2025",
        "post2025_figure": "New communes: digital government against the other pillars",
    },
}

_PILLAR_SHORT = {
    "vi": {"government": "CQS", "economy": "KTS", "society": "XHS"},
    "en": {"government": "G", "economy": "E", "society": "S"},
}
#: labels for units that are not communes (provinces, countries of a published series)
_GROUP_LABELS = {
    "vi": {
        "brief_commune": "Bản tin chuyển đổi số",
        "pillars": "Ba trụ cột so với trung vị nhóm so sánh",
        "median": "Trung vị nhóm",
    },
    "en": {
        "brief_commune": "Digital-transformation brief",
        "pillars": "Three pillars against the median of the units compared",
        "median": "Group median",
    },
}
_UNIT_TYPE_EN = {
    "xã": "commune",
    "thị trấn": "town",
    "phường": "ward",
    "huyện": "district",
    "thị xã": "town",
}

_METHOD_DEFAULTS = {
    "vi": {
        "normalisation": "Min–max với ngưỡng cố định, thang 0–1; chỉ số có giá trị thấp là tốt được đảo chiều.",
        "weights": "Bằng nhau trong mỗi trụ cột và giữa các trụ cột.",
        "aggregation": "Trung bình cộng các chỉ số trong trụ cột; chỉ số chung là trung bình cộng của các trụ cột.",
        "interval": "Khoảng tin cậy {level}% của chênh lệch: bootstrap trên các chỉ số. Khoảng xếp hạng: phân vị 5%–95% của thứ hạng qua mô phỏng Monte Carlo các lựa chọn phương pháp (chuẩn hóa, trọng số, tổng hợp).",
        "synthetic": "Bộ số liệu minh họa, sinh ngẫu nhiên với seed cố định và hiệu chỉnh theo số liệu công bố cấp huyện; không phải số liệu chính thức.",
        "observed": "Số liệu quan sát do địa phương cung cấp.",
        "mixed": "Số liệu quan sát; một phần được ước tính hoặc bổ khuyết.",
        "framework": "{name} (phiên bản {version}): {n_pillars} trụ cột, {n_indicators} chỉ số.",
    },
    "en": {
        "normalisation": "Min–max with fixed goalposts on a 0–1 scale; indicators where lower is better are reversed.",
        "weights": "Equal within and across pillars.",
        "aggregation": "Arithmetic mean of the indicators within a pillar; the overall index is the arithmetic mean of the pillars.",
        "interval": "{level}% confidence interval of a gap: bootstrap over indicators. Rank interval: 5th–95th percentile of the rank over Monte Carlo draws of method choices (normalisation, weights, aggregation).",
        "synthetic": "Illustrative panel generated with a fixed seed and calibrated to published district figures; not official statistics.",
        "observed": "Observed data supplied by the communes.",
        "mixed": "Observed data; some values are estimated or imputed.",
        "framework": "{name} (version {version}): {n_pillars} pillars, {n_indicators} indicators.",
    },
}

#: Full citations of the decisions that frameworks cite by number.
_CITATIONS = {
    "749/QĐ-TTg": {
        "vi": "Quyết định 749/QĐ-TTg ngày 03/6/2020 phê duyệt Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030.",
        "en": "Decision 749/QĐ-TTg of 3 June 2020 approving the National Digital Transformation Programme to 2025, with orientation to 2030.",
    },
    "411/QĐ-TTg": {
        "vi": "Quyết định 411/QĐ-TTg ngày 31/3/2022 phê duyệt Chiến lược quốc gia phát triển kinh tế số và xã hội số đến năm 2025, định hướng đến năm 2030.",
        "en": "Decision 411/QĐ-TTg of 31 March 2022 approving the National Strategy for the Digital Economy and Digital Society to 2025, with orientation to 2030.",
    },
    "922/QĐ-BTTTT": {
        "vi": "Quyết định 922/QĐ-BTTTT ngày 20/5/2022 về Bộ chỉ số đánh giá chuyển đổi số (DTI).",
        "en": "Decision 922/QĐ-BTTTT of 20 May 2022 on the Digital Transformation Index (DTI).",
    },
}
_CENSUS = {
    "vi": "Tổng cục Thống kê, Tổng điều tra dân số và nhà ở 01/4/2019 (dân số, số hộ).",
    "en": "General Statistics Office, Population and Housing Census of 1 April 2019 (population, households).",
}
_RESOLUTION_1659 = {
    "vi": "Nghị quyết 1659/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã của thành phố Đà Nẵng năm 2025.",
    "en": "Resolution 1659/NQ-UBTVQH15 on the 2025 rearrangement of commune-level units of Đà Nẵng city.",
}
_POST2025_NOTE = {
    "vi": "Điểm của các xã mới được tổng hợp lại từ các xã cũ cấu thành (Nghị quyết 1659/NQ-UBTVQH15).",
    "en": "Scores of the new communes are re-aggregated from their constituent former communes (Resolution 1659/NQ-UBTVQH15).",
}
#: Fallback typology labels (``analysis.i18n`` labels ``typology.<id>`` take precedence).
_TYPOLOGY = {
    "vi": {
        "economy_society_led": "Kinh tế, xã hội số đi trước",
        "gov_led": "Chính quyền số đi trước",
        "government_led": "Chính quyền số đi trước",
        "balanced_high": "Cân bằng, mức cao",
        "balanced_low": "Cân bằng, mức thấp",
        "balanced": "Cân bằng",
        "economy_led": "Kinh tế số đi trước",
        "society_led": "Xã hội số đi trước",
        "lagging": "Tụt hậu",
        "leading": "Dẫn đầu",
    },
    "en": {
        "economy_society_led": "Economy/society-led",
        "gov_led": "Government-led",
        "government_led": "Government-led",
        "balanced_high": "Balanced, high",
        "balanced_low": "Balanced, low",
        "balanced": "Balanced",
        "economy_led": "Economy-led",
        "society_led": "Society-led",
        "lagging": "Lagging",
        "leading": "Leading",
    },
}


# --------------------------------------------------------------------------- numbers
def _fmt_number(x: float | int | None, lang: str, digits: int = 2) -> str:
    """Format a number for ``lang``: ``vi`` uses a decimal comma and thousands dot.

    Uses ``analysis.i18n.format_number`` when the i18n module provides it.

    >>> _fmt_number(1234.5678, "vi", 2), _fmt_number(1234.5678, "en", 2)
    ('1.234,57', '1,234.57')
    >>> _fmt_number(-0.05, "vi"), _fmt_number(-0.0001, "en"), _fmt_number(None, "vi")
    ('−0,05', '0.00', '')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    shared = _shared_formatter()
    if shared is not None:
        return shared(x, lang, digits)
    v = round(float(x), digits)
    text = f"{abs(v):,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return _MINUS + text if v < 0 else text


def _label(
    kind: str, key: str, lang: str, fallback: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """Display label of ``kind.key`` (``typology.government_led``, ``choice.weights``): from
    ``analysis.i18n`` when it has it, else the fallback dict, else the key made readable."""
    default = (fallback or {}).get(lang, {}).get(key, str(key).replace("_", " "))
    try:
        from . import i18n
    except ImportError:
        return default
    if hasattr(i18n, "t"):
        return i18n.t(f"{kind}.{key}", lang, default=default)
    return default


def _shared_formatter():
    """``analysis.i18n.format_number`` if the i18n module exists and has it, else None."""
    try:
        from . import i18n
    except ImportError:
        return None
    return getattr(i18n, "format_number", None)


def _fmt_range(lo: float | None, hi: float | None, lang: str, digits: int = 2) -> str:
    """``0,22–0,40``; with a negative bound ``−0,05 đến 0,19`` (a dash next to a minus misreads).

    >>> _fmt_range(0.22, 0.4, "vi"), _fmt_range(-0.05, 0.19, "en")
    ('0,22–0,40', '−0.05 to 0.19')
    """
    if lo is None or hi is None:
        return ""
    a, b = _fmt_number(lo, lang, digits), _fmt_number(hi, lang, digits)
    if a.startswith(_MINUS) or b.startswith(_MINUS):
        return f"{a} {'đến' if lang == 'vi' else 'to'} {b}"
    return f"{a}{_DASH}{b}"


def _fmt_p(p: float | None, lang: str) -> str:
    """p-value: ``0,003`` / ``< 0,001``.

    >>> _fmt_p(0.0004, "vi"), _fmt_p(0.0312, "en")
    ('< 0,001', '0.031')
    """
    if p is None or _isnan(p):
        return ""
    if p < 0.001:
        return "< " + _fmt_number(0.001, lang, 3)
    return _fmt_number(p, lang, 3)


def _eq(column, value) -> Any:
    """Boolean mask ``column == value`` comparing as text (codes and periods are str by contract;
    the cast is skipped when the column already holds strings)."""
    import pandas as pd

    if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
        column = column.astype(str)
    return column == str(value)


def _isnan(x) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _num(x) -> float | None:
    """Float or None (NaN, NA and None become None; JSON has no NaN)."""
    return None if _isnan(x) else float(x)


def _nfc(s) -> str:
    return unicodedata.normalize("NFC", str(s)) if s is not None else ""


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def _level_pct(level: float) -> str:
    return f"{level * 100:g}"


# --------------------------------------------------------------------------- periods


def _period_label(period: str, lang: str) -> str:
    """Readable period.

    >>> _period_label("2025H1", "vi"), _period_label("2024H2", "en"), _period_label("2023Q2", "vi")
    ('6 tháng đầu năm 2025', 'second half of 2024', 'quý II/2023')
    """
    if not is_period(period):
        return str(period)
    year, kind, part = (str(v) for v in parse_period(period))
    if not kind:
        return f"năm {year}" if lang == "vi" else year
    if kind == "H":
        if lang == "vi":
            return f"6 tháng {'đầu' if part == '1' else 'cuối'} năm {year}"
        return f"{'first' if part == '1' else 'second'} half of {year}"
    roman = ("I", "II", "III", "IV")[int(part) - 1]
    return f"quý {roman}/{year}" if lang == "vi" else f"Q{part} {year}"


# --------------------------------------------------------------------------- builders
def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise RenderError(f"lang={lang!r}: expected one of {LANGS}")


def _select_period(df, period: str | None, what: str):
    if "period" not in df.columns:
        return df, period
    periods = sorted(df["period"].dropna().astype(str).unique())
    if not periods:
        raise RenderError(f"{what} table is empty")
    if period is None:
        period = periods[-1]
    sub = df[_eq(df["period"], str(period))]
    if sub.empty:
        raise RenderError(
            f"{what} table has no rows for period {period!r}; periods present: {periods}"
        )
    return sub, str(period)


def _ascii_city(province_vi: str) -> str:
    """English form of a province name: ``Thành phố Đà Nẵng`` -> ``Đà Nẵng city``."""
    for prefix, suffix in (("Thành phố ", " city"), ("Tỉnh ", " province")):
        if province_vi.startswith(prefix):
            return province_vi[len(prefix) :] + suffix
    return province_vi


def _unit_info(units, unit_code: str, lang: str) -> dict[str, Any]:
    """Name, full name, unit type, district and population of a unit from the units table."""
    info = {
        "name": unit_code,
        "full": unit_code,
        "type_vi": "xã",
        "district": "",
        "population": None,
    }
    if units is None:
        return info
    hit = units[_eq(units["unit_code"], str(unit_code))]
    if hit.empty:
        raise RenderError(
            f"unit_code {unit_code!r} is not in the units table; check the code or the units file"
        )
    row = hit.iloc[0]
    name = _nfc(row.get("name_vi", unit_code))
    utype = row.get("unit_type", "xã")
    utype = _nfc(utype if isinstance(utype, str) and utype else "xã").lower()
    district = row.get("former_district", "")
    info.update(
        name=name, type_vi=utype, district=_nfc(district) if isinstance(district, str) else ""
    )
    province = row.get("province_vi")
    info["province"] = _nfc(province) if isinstance(province, str) and province else ""
    pop = row.get("population", row.get("population_2019_constituents"))
    info["population"] = None if _isnan(pop) else int(pop)
    if lang == "vi":
        full = row.get("full_name_vi")
        info["full"] = (
            _nfc(full) if isinstance(full, str) and full else f"{utype.capitalize()} {name}"
        )
    else:
        info["full"] = f"{name} {_UNIT_TYPE_EN.get(utype, 'commune')}"
    return info


def _pillar_names(framework, lang: str) -> dict[str, str]:
    names = {"government": "Chính quyền số", "economy": "Kinh tế số", "society": "Xã hội số"}
    if lang == "en":
        names = {
            "government": "Digital government",
            "economy": "Digital economy",
            "society": "Digital society",
        }
    if framework is not None:
        for _, p in framework.pillars.iterrows():
            names[p["id"]] = _nfc(p[f"name_{lang}"])
    return names


def _method(
    framework, lang: str, level: float, data_status: str, overrides: Mapping | None
) -> dict[str, str]:
    d = _METHOD_DEFAULTS[lang]
    if framework is not None:
        fw = d["framework"].format(
            name=_nfc(getattr(framework, f"name_{lang}")),
            version=framework.version,
            n_pillars=len(framework.pillars),
            n_indicators=len(framework.indicators),
        )
    else:
        fw = ""
    out = {
        "framework": fw,
        "normalisation": d["normalisation"],
        "weights": d["weights"],
        "aggregation": d["aggregation"],
        "interval": d["interval"].format(
            level=_level_pct(level).replace(".", "," if lang == "vi" else ".")
        ),
        "data": d[data_status],
    }
    for k, v in (overrides or {}).items():
        if k not in out:
            raise RenderError(f"method override {k!r} is unknown; expected one of {sorted(out)}")
        out[k] = _nfc(v)
    return out


def _sources(framework, lang: str, extra, *, post2025: bool = False) -> list[str]:
    """Citations: the decisions the framework cites, the census, then caller-supplied sources."""
    out: list[str] = []
    cited = []
    if framework is not None:
        for s in framework.indicators["target_source"].dropna():
            cited += re.findall(r"(\d+/QĐ-(?:TTg|BTTTT))", str(s))
    for key in ["922/QĐ-BTTTT", *sorted(set(cited), key=cited.index)]:
        text = _CITATIONS.get(key, {}).get(lang) if key in _CITATIONS else None
        if text and text not in out:
            out.append(text)
    out.append(_CENSUS[lang])
    if post2025:
        out.append(_RESOLUTION_1659[lang])
    for s in extra or ():
        s = _nfc(s)
        if s and s not in out:
            out.append(s)
    return out


def _keywords(lang: str, names: list[str], period: str, status: str) -> list[str]:
    base = (
        ["chuyển đổi số", "chính quyền số", "kinh tế số", "xã hội số"]
        if lang == "vi"
        else ["digital transformation", "digital government", "digital economy", "digital society"]
    )
    kw = [n for n in names if n] + base + [period]
    if status == "synthetic":
        kw.append("dữ liệu minh họa" if lang == "vi" else "illustrative data")
    return kw


def _gap_sentence(
    lang: str,
    subject: str,
    g_name: str,
    other_name: str,
    g: float,
    gap: float,
    lo: float | None,
    hi: float | None,
    level: float,
) -> str:
    """First key-message sentence: G of the unit and its gap to one other pillar."""
    lvl = _level_pct(level)
    ci = _fmt_range(lo, hi, lang)
    rounded = float(_fmt_number(abs(gap), "en", 2))
    established = lo is not None and hi is not None and (lo > 0 or hi < 0)
    if lang == "vi":
        if rounded == 0:
            rel = f"ngang bằng {_lower_first(other_name)}"
        else:
            rel = f"{'cao hơn' if gap > 0 else 'thấp hơn'} {_lower_first(other_name)} {_fmt_number(abs(gap), lang)} điểm"
        s = f"{g_name} của {subject} đạt {_fmt_number(g, lang)}, {rel}"
        if ci:
            s += f" (khoảng tin cậy {lvl}%: {ci})"
        if ci and not established:
            s += "; khoảng tin cậy chứa 0 nên chưa khẳng định được chênh lệch"
        return s + "."
    if rounded == 0:
        rel = f"level with the {_lower_first(other_name)}"
    else:
        rel = f"{_fmt_number(abs(gap), lang)} points {'above' if gap > 0 else 'below'} the {_lower_first(other_name)}"
    s = f"{g_name} in {subject} scores {_fmt_number(g, lang)}, {rel}"
    if ci:
        s += f" ({lvl}% confidence interval: {ci})"
    if ci and not established:
        s += "; the interval includes zero, so the gap is not established"
    return s + "."


def _soc_sentence(
    lang: str,
    g_name: str,
    s_name: str,
    s: float,
    gap: float,
    lo: float | None,
    hi: float | None,
    level: float,
) -> str:
    lvl = _level_pct(level)
    ci = _fmt_range(lo, hi, lang)
    established = lo is not None and hi is not None and (lo > 0 or hi < 0)
    if lang == "vi":
        out = (
            f"{s_name} đạt {_fmt_number(s, lang)}; chênh lệch giữa {_lower_first(g_name)} và "
            f"{_lower_first(s_name)} là {_fmt_number(gap, lang)} điểm"
        )
        if ci:
            out += f" (khoảng tin cậy {lvl}%: {ci})"
        if ci and not established:
            out += ", chưa khẳng định được chênh lệch"
        return out + "."
    out = (
        f"{s_name} scores {_fmt_number(s, lang)}; the gap between {_lower_first(g_name)} and "
        f"{_lower_first(s_name)} is {_fmt_number(gap, lang)} points"
    )
    if ci:
        out += f" ({lvl}% confidence interval: {ci})"
    if ci and not established:
        out += ", not established"
    return out + "."


def _rank_sentence(lang: str, subject: str, rank: dict, *, within_district: bool = True) -> str:
    r, n = rank["nominal"], rank["n"]
    span = _rank_span(rank["q05"], rank["q95"])
    if lang == "vi":
        s = f"Về chỉ số chung, {subject} xếp thứ {r}/{n} " + (
            "trong huyện" if within_district else "trong nhóm so sánh"
        )
        if span:
            s += f" (khoảng bất định 90%: thứ {span})"
        return s + "."
    s = f"On the overall index, {subject} ranks {r} of {n} " + (
        "in the district" if within_district else "among the units compared"
    )
    if span:
        s += f" (90% uncertainty interval: {span})"
    return s + "."


def _rank_span(q05: int | None, q95: int | None) -> str:
    """``2–7``, or ``6`` when both ends agree, or ``""`` without an interval."""
    if q05 is None or q95 is None:
        return ""
    return str(q05) if q05 == q95 else f"{q05}{_DASH}{q95}"


def _rank_period(rank_stats, period: str):
    """Rank stats of one period (tables from ``run_uncertainty_tidy`` carry ``period``)."""
    if rank_stats is None or "period" not in rank_stats.columns:
        return rank_stats
    sub = rank_stats[_eq(rank_stats["period"], str(period))]
    if sub.empty:
        raise RenderError(
            f"rank stats have no rows for period {period!r}; periods present: {sorted(rank_stats['period'].astype(str).unique())}"
        )
    return sub


def _rank_of(rank_stats, gaps_period, pillars_period, unit_code: str) -> dict | None:
    """Nominal rank with its 5%-95% interval, from the rank stats (or the index when absent)."""
    if rank_stats is not None and len(rank_stats):
        rs = rank_stats.assign(unit_code=rank_stats["unit_code"].astype(str))
        hit = rs[rs["unit_code"] == str(unit_code)]
        if hit.empty:
            raise RenderError(f"rank stats have no row for unit_code {unit_code!r}")
        row = hit.iloc[0]
        q05 = None if _isnan(row.get("q05")) else int(round(float(row["q05"])))
        q95 = None if _isnan(row.get("q95")) else int(round(float(row["q95"])))
        return {
            "nominal": int(round(float(row["nominal"]))),
            "q05": q05,
            "q95": q95,
            "n": int(len(rs)),
        }
    src = (
        pillars_period if pillars_period is not None and "index" in pillars_period.columns else None
    )
    if src is None:
        return None
    ranks = (
        src.assign(unit_code=src["unit_code"].astype(str))
        .set_index("unit_code")["index"]
        .rank(ascending=False, method="min")
    )
    if str(unit_code) not in ranks.index:
        return None
    return {
        "nominal": int(ranks[str(unit_code)]),
        "q05": None,
        "q95": None,
        "n": int(ranks.notna().sum()),
    }


def _weakest(
    indicators, scores, weakest, framework, unit_code: str, period: str, lang: str, n: int
) -> list[dict]:
    """The ``n`` weakest indicators of a unit and their distance to the 2025 target.

    Which indicators: the ``weakest`` table (:func:`analysis.gaps.weakest_indicators`: largest
    shortfall against the district, ``rank`` 1 = weakest) when given, else the ``n`` lowest
    normalised scores. Distance follows :func:`analysis.gaps.distance_to_targets`:
    ``direction * (value - target)``, negative = short of the target, in the indicator's unit.
    """
    import pandas as pd

    if indicators is None and scores is None and weakest is None:
        return []

    def _mine(df):
        sub = df[_eq(df["unit_code"], str(unit_code))]
        if "period" in sub.columns:
            sub = sub[_eq(sub["period"], str(period))]
        return sub

    frames = []
    if indicators is not None:
        sub = _mine(indicators)
        keep = [
            c
            for c in ("indicator", "value", "score", "target_2025", "distance_2025")
            if c in sub.columns
        ]
        frames.append(sub[keep].set_index("indicator"))
    if scores is not None:
        sc = _mine(scores)
        sc = sc[sc["level"] == "indicator"].rename(columns={"name": "indicator", "value": "score"})
        if frames and "score" in frames[0].columns:
            frames[0] = frames[0].drop(columns="score")
        frames.append(sc.set_index("indicator")[["score"]])
    order = None
    if weakest is not None:
        w = _mine(weakest).sort_values("rank", kind="stable")
        order = w["indicator"].astype(str).tolist()[:n]
        if not any("score" in f.columns for f in frames):
            frames.append(w.set_index("indicator")[["value"]].rename(columns={"value": "score"}))
    tab = pd.concat(frames, axis=1) if len(frames) > 1 else frames[0].copy()
    meta = framework.indicators.set_index("id").to_dict("index") if framework is not None else {}
    rows = []
    for ind, r in tab.to_dict("index").items():
        info = meta.get(ind)
        value = _num(r.get("value"))
        score = _num(r.get("score"))
        direction = int(info["direction"]) if info is not None else 1
        if score is None and value is not None and info is not None:
            lo_, hi_ = float(info["goalpost_lo"]), float(info["goalpost_hi"])
            score = min(1.0, max(0.0, (value - lo_) / (hi_ - lo_)))
            score = score if direction == 1 else 1.0 - score
        target = _num(r.get("target_2025")) if "target_2025" in r else None
        if target is None and info is not None:
            target = _num(info["target_2025"])
        distance = _num(r.get("distance_2025")) if "distance_2025" in r else None
        if distance is None and target is not None and value is not None:
            distance = direction * (value - target)
        rows.append(
            {
                "id": str(ind),
                "info": info,
                "value": value,
                "score": score,
                "target": target,
                "distance": distance,
            }
        )
    if order is not None:
        by_id = {r["id"]: r for r in rows}
        rows = [
            by_id.get(
                k,
                {
                    "id": k,
                    "info": meta.get(k),
                    "value": None,
                    "score": None,
                    "target": None,
                    "distance": None,
                },
            )
            for k in order
        ]
    else:
        rows = sorted(
            (r for r in rows if r["score"] is not None), key=lambda r: (r["score"], r["id"])
        )[:n]
    out = []
    for r in rows:
        info = r["info"]
        unit = str(info["unit"]) if info is not None else ""
        name = _nfc(info[f"name_{lang}"]) if info is not None else r["id"]
        out.append(_weak_row(r, name, unit, lang))
    return out


def _unit_text(unit: str, lang: str) -> tuple[str, str]:
    """(suffix after a value, unit of a difference)."""
    if unit == "%":
        return "%", ("điểm phần trăm" if lang == "vi" else "percentage points")
    if lang == "vi" and unit == "per 1,000 households":
        unit = "trên 1.000 hộ"
    return f" {unit}" if unit else "", unit


def _weak_row(r: dict, name: str, unit: str, lang: str) -> dict:
    suffix, diff_unit = _unit_text(unit, lang)
    value, target, distance = r["value"], r["target"], r["distance"]
    is_met = None
    if target is None:
        dist_text = "không có mục tiêu quốc gia" if lang == "vi" else "no national target"
    elif distance is None:
        dist_text = ""
    elif distance >= 0:
        is_met = True
        dist_text = "đã đạt mục tiêu" if lang == "vi" else "target met"
    else:
        is_met = False
        d = _fmt_number(-distance, lang, 1)
        dist_text = f"còn thiếu {d} {diff_unit}" if lang == "vi" else f"{d} {diff_unit} short"
    return {
        "id": r["id"],
        "name": name,
        "unit": unit,
        "value": value,
        "value_text": (_fmt_number(value, lang, 1) + suffix) if value is not None else "",
        "score": r["score"],
        "score_text": _fmt_number(r["score"], lang, 2),
        "target_2025": target,
        "target_text": (_fmt_number(target, lang, 0 if float(target).is_integer() else 1) + suffix)
        if target is not None
        else "—",
        "distance": distance,
        "distance_text": dist_text.strip(),
        "is_met": is_met,
    }


def _figures(figures: Mapping | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (figures or {}).items() if v is not None}


def build_commune_brief(
    gaps,
    unit_code: str,
    *,
    lang: str = "vi",
    period: str | None = None,
    edition: str = "default",
    pillars=None,
    rank_stats=None,
    framework=None,
    units=None,
    indicators=None,
    scores=None,
    weakest=None,
    figures: Mapping[str, str | os.PathLike] | None = None,
    ci_level: float = config.DEFAULT_CI_LEVEL,
    method: Mapping[str, str] | None = None,
    sources: list[str] | None = None,
    data_status: str | None = None,
    n_weakest: int = 3,
) -> dict:
    """Build the brief of one commune from the run's tables.

    Args:
        gaps: gap table (``analysis.gaps.compute_gaps`` contract), all units of the district;
            the district median and min/max come from it.
        unit_code: the commune (str).
        lang: ``vi`` or ``en``.
        period: period to report (default: the latest in ``gaps``).
        edition: edition name, printed in the footer and used by ``dgap brief``.
        pillars: optional pillar table (wide) for the overall index and its rank.
        rank_stats: optional rank stats (``analysis.robustness``) for the rank interval.
        framework: :class:`analysis.frameworks.Framework` (names, targets, method box).
        units: units table (names with diacritics, unit type, district, population).
        indicators: optional raw indicator values, tidy (``unit_code, period, indicator,
            value``: the observations); optional columns ``score`` (normalised 0-1),
            ``target_2025``, ``distance_2025`` override what is derived from the framework.
        scores: optional scores table; its ``level == "indicator"`` rows give the normalised
            scores (used to pick the weakest indicators when ``weakest`` is not given).
        weakest: optional :func:`analysis.gaps.weakest_indicators` table; its ``rank`` decides
            which indicators are listed (else: the lowest normalised scores).
        figures: optional ``{"trend": path}``.
        ci_level: level of the gap intervals (for the labels).
        method: optional overrides of the method box (keys ``framework, normalisation,
            weights, aggregation, interval, data``).
        sources: extra source lines, after the framework's citations and the census.
        data_status: override of the status derived from the tables' ``status`` columns.
        n_weakest: how many weakest indicators to list.

    Returns:
        The brief dict (schema in the module docstring).

    Raises:
        RenderError: the unit, period or a required column is missing.
    """
    _check_lang(lang)
    unit_code = str(unit_code)
    need = ["unit_code", "government", "economy", "society", "gap_econ", "gap_soc"]
    missing = [c for c in need if c not in gaps.columns]
    if missing:
        raise RenderError(
            f"gap table lacks column(s) {missing}; expected the analysis.gaps.compute_gaps output"
        )
    gp, period = _select_period(gaps, period, "gap")
    gp = gp.assign(unit_code=gp["unit_code"].astype(str))
    hit = gp[gp["unit_code"] == unit_code]
    if hit.empty:
        raise RenderError(f"gap table has no row for unit_code {unit_code!r} in period {period!r}")
    row = hit.iloc[0]
    pp = None
    if pillars is not None:
        pp, _ = _select_period(pillars, period, "pillar")
        pp = pp.assign(unit_code=pp["unit_code"].astype(str))
    statuses = [row.get("status")]
    if pp is not None and "status" in pp.columns:
        statuses += pp.loc[pp["unit_code"] == unit_code, "status"].tolist()
    if indicators is not None and "status" in indicators.columns:
        statuses += indicators.loc[_eq(indicators["unit_code"], unit_code), "status"].tolist()
    status = data_status or summary_status(statuses)
    if status not in DATA_STATUSES:
        raise RenderError(f"data_status={status!r}: expected one of {DATA_STATUSES}")

    info = _unit_info(units, unit_code, lang)
    names = _pillar_names(framework, lang)
    L = _LABELS[lang]
    pillar_rows = []
    for pid in config.PILLARS:
        if pid not in gp.columns or gp[pid].isna().all():
            continue  # the framework has no such pillar (e.g. no economy pillar in the EGDI)
        v, col = _num(row[pid]), gp[pid].astype(float)
        med = _num(col.median())
        pillar_rows.append(
            {
                "id": pid,
                "name": names[pid],
                "short": _PILLAR_SHORT[lang][pid],
                "value": v,
                "median": med,
                "lo": _num(col.min()),
                "hi": _num(col.max()),
                "value_text": _fmt_number(v, lang),
                "median_text": _fmt_number(med, lang),
            }
        )
    index = None
    if pp is not None and "index" in pp.columns:
        ih = pp[pp["unit_code"] == unit_code]
        if not ih.empty:
            iv, imed = _num(ih.iloc[0]["index"]), _num(pp["index"].astype(float).median())
            index = {
                "value": iv,
                "median": imed,
                "value_text": _fmt_number(iv, lang),
                "median_text": _fmt_number(imed, lang),
            }

    gap_rows = []
    for gid, other in (("gap_econ", "economy"), ("gap_soc", "society"), ("gap_mean", None)):
        if gid not in gp.columns:
            continue
        v, lo, hi = _num(row[gid]), _num(row.get(f"{gid}_lo")), _num(row.get(f"{gid}_hi"))
        if v is None and other is not None and gp[other].isna().all():
            continue  # no such pillar
        if other:
            label = f"{_PILLAR_SHORT[lang]['government']} − {_PILLAR_SHORT[lang][other]}"
        else:
            label = f"{_PILLAR_SHORT[lang]['government']} − " + (
                "TB(KTS, XHS)" if lang == "vi" else "mean(E, S)"
            )
        gap_rows.append(
            {
                "id": gid,
                "label": label,
                "value": v,
                "lo": lo,
                "hi": hi,
                "level": ci_level,
                "value_text": _fmt_number(v, lang),
                "interval_text": _fmt_range(lo, hi, lang),
                "is_established": bool(lo is not None and hi is not None and (lo > 0 or hi < 0)),
            }
        )

    rank = _rank_of(_rank_period(rank_stats, period), gp, pp, unit_code)
    if rank is not None:
        span = _rank_span(rank["q05"], rank["q95"])
        if lang == "vi":
            rank["text"] = f"Thứ {rank['nominal']}/{rank['n']}"
            rank["interval_text"] = f"thứ {span}" if span else ""
        else:
            rank["text"] = f"{rank['nominal']} of {rank['n']}"
            rank["interval_text"] = span

    is_commune = info["type_vi"] in _UNIT_TYPE_EN
    if is_commune:
        subject = f"{info['type_vi']} {info['name']}" if lang == "vi" else info["full"]
    else:  # a province or country of a published series: no commune wording
        subject = info["name"]
    # first sentence: G against the first pillar with data (economy, else society); then society
    lead = "economy" if _num(row.get("gap_econ")) is not None else "society"
    lead_gap = "gap_econ" if lead == "economy" else "gap_soc"
    msg = [
        _gap_sentence(
            lang,
            subject,
            names["government"],
            names[lead],
            _num(row["government"]),
            _num(row[lead_gap]),
            _num(row.get(f"{lead_gap}_lo")),
            _num(row.get(f"{lead_gap}_hi")),
            ci_level,
        )
    ]
    if lead == "economy" and _num(row.get("gap_soc")) is not None:
        msg.append(
            _soc_sentence(
                lang,
                names["government"],
                names["society"],
                _num(row["society"]),
                _num(row["gap_soc"]),
                _num(row.get("gap_soc_lo")),
                _num(row.get("gap_soc_hi")),
                ci_level,
            )
        )
    if rank is not None:
        msg.append(_rank_sentence(lang, subject, rank, within_district=is_commune))

    plabel = _period_label(period, lang)
    district, province = info["district"], info.get("province", "")
    if province:  # a post-2025 commune: the district level no longer exists
        where = (
            (
                f"{province} (trước đây huyện {district})"
                if lang == "vi"
                else f"{_ascii_city(province)} (formerly {district} district)"
            )
            if district
            else (province if lang == "vi" else _ascii_city(province))
        )
    else:
        where = (
            (f"Huyện {district}" if lang == "vi" else f"{district} district") if district else ""
        )
    subtitle = " · ".join(x for x in (where, plabel) if x)
    labels = dict(L, interval=L["interval"].format(level=_level_pct(ci_level)))
    if not is_commune:
        labels.update(_GROUP_LABELS[lang])
    brief = {
        "schema": SCHEMA,
        "meta": {
            "kind": "commune",
            "lang": lang,
            "edition": str(edition),
            "period": period,
            "period_label": plabel,
            "date": period_end(period).isoformat(),
            "title": f"{labels['brief_commune']}: {info['full']}",
            "subtitle": subtitle,
            "unit_code": unit_code,
            "unit_name": info["name"],
            "unit_full_name": info["full"],
            "district_name": district,
            "population": info["population"],
            "population_text": _fmt_number(info["population"], lang, 0)
            if info["population"] is not None
            else "",
            "data_status": status,
            "framework": _nfc(getattr(framework, f"name_{lang}")) if framework is not None else "",
            "ci_level": ci_level,
            "method": _method(framework, lang, ci_level, status, method),
            "sources": _sources(framework, lang, sources),
            "keywords": _keywords(lang, [info["name"], district], period, status),
        },
        "labels": labels,
        "key_message": msg,
        "pillars": pillar_rows,
        "index": index,
        "gaps": gap_rows,
        "rank": rank,
        "weakest": _weakest(
            indicators, scores, weakest, framework, unit_code, period, lang, n_weakest
        ),
        "figures": _figures(figures),
    }
    return _to_plain(brief)


def _ranking_rows(gp, pp, rank_stats, units, lang: str) -> list[dict]:
    """Rows of a ranking table, sorted by nominal rank (rank stats) or by index/gap."""
    import pandas as pd

    tab = gp.assign(unit_code=gp["unit_code"].astype(str)).set_index("unit_code")
    if pp is not None and "index" in pp.columns:
        tab = tab.join(
            pp.assign(unit_code=pp["unit_code"].astype(str)).set_index("unit_code")[["index"]],
            how="left",
        )
    if rank_stats is not None and len(rank_stats):
        rs = rank_stats.assign(unit_code=rank_stats["unit_code"].astype(str)).set_index("unit_code")
        tab = tab.join(rs[[c for c in ("nominal", "q05", "q95") if c in rs.columns]], how="left")
    elif "index" in tab.columns:
        tab["nominal"] = tab["index"].rank(ascending=False, method="min")
    else:  # no index supplied: rank on the equal-weight mean of the pillars
        tab["nominal"] = (
            tab[list(config.PILLARS)].astype(float).mean(axis=1).rank(ascending=False, method="min")
        )
    tab = tab.sort_values(["nominal"], kind="stable")
    rows = []
    for code, r in tab.iterrows():
        info = _unit_info(units, code, lang) if units is not None else {"name": code}
        q05, q95 = _num(r.get("q05")), _num(r.get("q95"))
        nominal = int(round(float(r["nominal"]))) if not _isnan(r.get("nominal")) else None
        typ = r.get("typology")
        typ = None if typ is None or (not isinstance(typ, str) and pd.isna(typ)) else str(typ)
        rows.append(
            {
                "unit_code": code,
                "name": info["name"],
                "rank": nominal,
                "q05": None if q05 is None else int(round(q05)),
                "q95": None if q95 is None else int(round(q95)),
                "index": _num(r.get("index")),
                "index_text": _fmt_number(_num(r.get("index")), lang),
                "rank_text": "" if nominal is None else str(nominal),
                "interval_text": ""
                if q05 is None
                else _rank_span(int(round(q05)), int(round(q95))),
                "gap_econ": _num(r["gap_econ"]),
                "gap_soc": _num(r["gap_soc"]),
                "gap_econ_text": _fmt_number(_num(r["gap_econ"]), lang),
                "gap_soc_text": _fmt_number(_num(r["gap_soc"]), lang),
                "typology": _label("typology", typ, lang, _TYPOLOGY) if typ else "",
            }
        )
    return rows


def _pair_label(a: str, b: str, lang: str) -> str:
    short = _PILLAR_SHORT[lang]
    return f"{short.get(a, a)} − {short.get(b, b)}"


def _test_rows(tests, correlations, period: str, lang: str, level: float) -> list[dict]:
    """District tests -> rows for the brief.

    ``tests``: :func:`analysis.gaps.test_pillar_gaps` output (``comparison`` such as
    ``government_vs_economy``, ``n, median_diff, p_value, rank_biserial[_lo|_hi], n_greater``), or a
    generic table with ``test`` (id), optional ``label``/``label_<lang>``, ``n``, ``estimate``,
    ``estimate_lo``, ``estimate_hi``, ``p_value``. ``correlations``:
    :func:`analysis.gaps.compute_pillar_correlations` output (``pillar_x, pillar_y, n, rho,
    rho_lo, rho_hi, p_value``). Rows of other periods are dropped.
    """
    ci = (
        ("KTC " if lang == "vi" else "") + f"{_level_pct(level)}%" + ("" if lang == "vi" else " CI")
    )
    out = []
    for table in (tests, correlations):
        if table is None:
            continue
        if "period" in table.columns:
            table = table[_eq(table["period"], str(period))]
        for t in table.to_dict("records"):
            n = None if _isnan(t.get("n")) else int(t["n"])
            p = _num(t.get("p_value"))
            detail = ""
            if "comparison" in t:
                a, _, b = str(t["comparison"]).partition("_vs_")
                tid = f"wilcoxon_{t['comparison']}"
                label = (
                    "Wilcoxon dấu-hạng theo cặp" if lang == "vi" else "Paired Wilcoxon signed-rank"
                ) + f" ({_pair_label(a, b, lang)})"
                est, lo, hi = _num(t.get("median_diff")), None, None
                rb, rlo, rhi = (
                    _num(t.get("rank_biserial")),
                    _num(t.get("rank_biserial_lo")),
                    _num(t.get("rank_biserial_hi")),
                )
                parts = [
                    "ước lượng: chênh lệch trung vị"
                    if lang == "vi"
                    else "estimate: median difference"
                ]
                if rb is not None:
                    r = (
                        f"r (rank-biserial) = {_fmt_number(rb, lang)}"
                        if lang == "vi"
                        else f"rank-biserial r = {_fmt_number(rb, lang)}"
                    )
                    if rlo is not None and rhi is not None:
                        r += f" ({ci}: {_fmt_range(rlo, rhi, lang)})"
                    parts.append(r)
                if not _isnan(t.get("n_greater")) and n:
                    k = int(t["n_greater"])
                    short = _PILLAR_SHORT[lang]
                    parts.append(
                        f"{short.get(a, a)} > {short.get(b, b)} "
                        + (f"ở {k}/{n} xã" if lang == "vi" else f"in {k} of {n} communes")
                    )
                detail = "; ".join(parts)
            elif "pillar_x" in t:
                a, b = str(t["pillar_x"]), str(t["pillar_y"])
                tid = f"spearman_{a}_{b}"
                label = (
                    "Tương quan hạng Spearman" if lang == "vi" else "Spearman rank correlation"
                ) + f" ({_pair_label(a, b, lang)})"
                est, lo, hi = _num(t.get("rho")), _num(t.get("rho_lo")), _num(t.get("rho_hi"))
                detail = ("ước lượng: rho" if lang == "vi" else "estimate: rho") + (
                    f"; {ci}: {_fmt_range(lo, hi, lang)}"
                    if lo is not None and hi is not None
                    else ""
                )
            else:
                tid = str(t.get("test", t.get("id", "")))
                label = t.get(f"label_{lang}") or t.get("label") or tid.replace("_", " ")
                est = _num(t.get("estimate"))
                lo, hi = (
                    _num(t.get("estimate_lo", t.get("lo"))),
                    _num(t.get("estimate_hi", t.get("hi"))),
                )
                if lo is not None and hi is not None:
                    detail = f"{ci}: {_fmt_range(lo, hi, lang)}"
            out.append(
                {
                    "id": tid,
                    "label": _nfc(label),
                    "n": n,
                    "estimate": est,
                    "lo": lo,
                    "hi": hi,
                    "p_value": p,
                    "estimate_text": _fmt_number(est, lang),
                    "interval_text": _fmt_range(lo, hi, lang),
                    "detail_text": detail,
                    "p_text": _fmt_p(p, lang),
                }
            )
    return out


def _robustness(rank_stats, sensitivity, lang: str) -> list[str]:
    out = []
    if rank_stats is not None and len(rank_stats) and {"q05", "q95"} <= set(rank_stats.columns):
        width = rank_stats["q95"].astype(float) - rank_stats["q05"].astype(float)
        n = len(rank_stats)
        narrow = int((width <= 3).sum())
        med = float(width.median())
        if lang == "vi":
            out.append(
                f"Khoảng xếp hạng 90% có độ rộng trung vị {_fmt_number(med, lang, 0 if med.is_integer() else 1)} bậc; "
                f"{narrow}/{n} xã có khoảng hẹp (không quá 3 bậc)."
            )
        else:
            out.append(
                f"The 90% rank intervals have a median width of {_fmt_number(med, lang, 0 if med.is_integer() else 1)} places; "
                f"{narrow} of {n} communes have a narrow interval (3 places or fewer)."
            )
        if "mean_abs_shift" in rank_stats.columns:
            shift = float(rank_stats["mean_abs_shift"].astype(float).mean())
            if lang == "vi":
                out.append(
                    f"Khi thay đổi lựa chọn phương pháp, thứ hạng dịch chuyển trung bình {_fmt_number(shift, lang, 1)} bậc."
                )
            else:
                out.append(
                    f"Across method choices a commune's rank moves by {_fmt_number(shift, lang, 1)} places on average."
                )
    if sensitivity is not None and len(sensitivity) and "STi" in sensitivity.columns:
        top = sensitivity.sort_values("STi", ascending=False, kind="stable").iloc[0]
        sti = _fmt_number(float(top["STi"]), lang, 2)
        choice = _lower_first(_label("choice", str(top["choice"]), lang))
        if lang == "vi":
            out.append(
                f"Lựa chọn phương pháp ảnh hưởng nhiều nhất: {choice} (chỉ số Sobol toàn phần {sti})."
            )
        else:
            out.append(
                f"The method choice with the largest influence is {choice} (total Sobol index {sti})."
            )
    return out


def build_district_brief(
    gaps,
    *,
    lang: str = "vi",
    period: str | None = None,
    edition: str = "default",
    pillars=None,
    rank_stats=None,
    framework=None,
    units=None,
    tests=None,
    correlations=None,
    sensitivity=None,
    district_code: str | None = None,
    district_name: str | None = None,
    figures: Mapping[str, str | os.PathLike] | None = None,
    post2025_gaps=None,
    post2025_pillars=None,
    post2025_rank_stats=None,
    post2025_units=None,
    robustness: list[str] | None = None,
    ci_level: float = config.DEFAULT_CI_LEVEL,
    method: Mapping[str, str] | None = None,
    sources: list[str] | None = None,
    data_status: str | None = None,
) -> dict:
    """Build the district brief from the run's tables.

    Args:
        gaps: gap table of all communes (compute_gaps contract).
        lang, period, edition, pillars, rank_stats, framework, units, ci_level, method, sources,
            data_status: as in :func:`build_commune_brief`.
        tests: district-level tests, :func:`analysis.gaps.test_pillar_gaps` output (or a generic
            table: ``test`` id, optional ``label``/``label_<lang>``, ``n``, ``estimate``,
            ``estimate_lo``, ``estimate_hi``, ``p_value``); rows of other periods are dropped.
        correlations: optional :func:`analysis.gaps.compute_pillar_correlations` output.
        sensitivity: optional sensitivity table (``choice, target, STi, ...``) for the robustness note.
        district_code, district_name: default: the units' ``parent_code`` and ``former_district``.
        figures: optional ``{"dumbbell": path, "map": path, "post2025": path}``.
        post2025_gaps, post2025_pillars, post2025_rank_stats, post2025_units: optional tables of
            the post-2025 communes; adds the post-2025 section.
        robustness: sentences replacing the generated robustness note.

    Returns:
        The brief dict (schema in the module docstring).
    """
    _check_lang(lang)
    missing = [
        c
        for c in ("unit_code", "government", "economy", "society", "gap_econ", "gap_soc")
        if c not in gaps.columns
    ]
    if missing:
        raise RenderError(
            f"gap table lacks column(s) {missing}; expected the analysis.gaps.compute_gaps output"
        )
    gp, period = _select_period(gaps, period, "gap")
    pp = _select_period(pillars, period, "pillar")[0] if pillars is not None else None
    statuses = gp["status"].tolist() if "status" in gp.columns else []
    if pp is not None and "status" in pp.columns:
        statuses += pp["status"].tolist()
    p25 = None
    if post2025_gaps is not None:
        p25 = _select_period(post2025_gaps, period, "post-2025 gap")[0]
        if "status" in p25.columns:
            statuses += p25["status"].tolist()
    status = data_status or summary_status(statuses)
    if status not in DATA_STATUSES:
        raise RenderError(f"data_status={status!r}: expected one of {DATA_STATUSES}")

    if units is not None and len(units):
        u0 = units.iloc[0]
        district_code = district_code or str(u0.get("parent_code", "district"))
        district_name = district_name or _nfc(u0.get("former_district", ""))
    district_code = str(district_code or "district")
    district_name = _nfc(district_name or "")
    L = _LABELS[lang]
    names = _pillar_names(framework, lang)
    short = _PILLAR_SHORT[lang]
    n = len(gp)

    pillar_rows = []
    for pid in config.PILLARS:
        col = gp[pid].astype(float)
        med = _num(col.median())
        pillar_rows.append(
            {
                "id": pid,
                "name": names[pid],
                "short": short[pid],
                "value": med,
                "median": med,
                "lo": _num(col.min()),
                "hi": _num(col.max()),
                "value_text": _fmt_number(med, lang),
                "median_text": _fmt_number(med, lang),
                "range_text": _fmt_range(_num(col.min()), _num(col.max()), lang),
            }
        )
    index = None
    if pp is not None and "index" in pp.columns:
        imed = _num(pp["index"].astype(float).median())
        index = {
            "value": imed,
            "median": imed,
            "value_text": _fmt_number(imed, lang),
            "median_text": _fmt_number(imed, lang),
        }

    ge, gs = gp["gap_econ"].astype(float), gp["gap_soc"].astype(float)
    n_e, n_s = int((ge > 0).sum()), int((gs > 0).sum())
    med_e, med_s = float(ge.median()), float(gs.median())
    if lang == "vi":
        msg = [
            f"{names['government']} cao hơn {_lower_first(names['economy'])} ở {n_e}/{n} xã "
            f"(chênh lệch trung vị {_fmt_number(med_e, lang)} điểm) và cao hơn {_lower_first(names['society'])} "
            f"ở {n_s}/{n} xã (trung vị {_fmt_number(med_s, lang)} điểm)."
        ]
    else:
        msg = [
            f"{names['government']} scores above the {_lower_first(names['economy'])} in {n_e} of {n} communes "
            f"(median gap {_fmt_number(med_e, lang)} points) and above the {_lower_first(names['society'])} "
            f"in {n_s} of {n} (median gap {_fmt_number(med_s, lang)} points)."
        ]
    if {"gap_econ_lo", "gap_econ_hi"} <= set(gp.columns):
        lo, hi = gp["gap_econ_lo"].astype(float), gp["gap_econ_hi"].astype(float)
        k = int(((lo > 0) | (hi < 0)).sum())
        lvl = _level_pct(ci_level)
        if lang == "vi":
            msg.append(
                f"Khoảng tin cậy {lvl}% của chênh lệch với {_lower_first(names['economy'])} không chứa 0 ở {k}/{n} xã."
            )
        else:
            msg.append(
                f"The {lvl}% confidence interval of the gap to the {_lower_first(names['economy'])} excludes zero in {k} of {n} communes."
            )
    test_rows = _test_rows(tests, correlations, period, lang, ci_level)
    with_p = [t for t in test_rows if t["p_value"] is not None]
    if with_p:
        t = with_p[0]
        msg.append(f"{t['label']}: p {'' if t['p_text'].startswith('<') else '= '}{t['p_text']}.")

    typ_rows = []
    if "typology" in gp.columns:
        counts = gp["typology"].dropna().astype(str).value_counts()
        for tid in sorted(counts.index, key=lambda k: (-counts[k], k)):
            typ_rows.append(
                {
                    "id": tid,
                    "label": _label("typology", tid, lang, _TYPOLOGY),
                    "count": int(counts[tid]),
                }
            )

    post = None
    if p25 is not None:
        pp25 = (
            _select_period(post2025_pillars, period, "post-2025 pillar")[0]
            if post2025_pillars is not None
            else None
        )
        post = {
            "ranking": _ranking_rows(
                p25, pp25, _rank_period(post2025_rank_stats, period), post2025_units, lang
            ),
            "note": _POST2025_NOTE[lang],
        }

    plabel = _period_label(period, lang)
    province = ""
    if units is not None and "province_vi" in units.columns:
        pv = units["province_vi"].dropna()
        province = _nfc(pv.iloc[0]) if len(pv) else ""
    if province:  # post-2025 communes: the district is gone, the grouping stays selectable
        full = (
            f"Các xã thuộc huyện {district_name} cũ ({province})"
            if lang == "vi"
            else f"Communes of former {district_name} district ({_ascii_city(province)})"
        )
    else:
        full = f"Huyện {district_name}" if lang == "vi" else f"{district_name} district"
    brief = {
        "schema": SCHEMA,
        "meta": {
            "kind": "district",
            "lang": lang,
            "edition": str(edition),
            "period": period,
            "period_label": plabel,
            "date": period_end(period).isoformat(),
            "title": f"{L['brief_district']}: {full}",
            "subtitle": " · ".join(
                [
                    f"{n} {('xã' if province else 'xã/thị trấn') if lang == 'vi' else 'communes'}",
                    plabel,
                ]
            ),
            "unit_code": district_code,
            "unit_name": district_name,
            "unit_full_name": full,
            "district_name": district_name,
            "population": None,
            "population_text": "",
            "data_status": status,
            "framework": _nfc(getattr(framework, f"name_{lang}")) if framework is not None else "",
            "ci_level": ci_level,
            "method": _method(framework, lang, ci_level, status, method),
            "sources": _sources(framework, lang, sources, post2025=post is not None),
            "keywords": _keywords(lang, [district_name], period, status),
        },
        "labels": dict(L, interval=L["interval"].format(level=_level_pct(ci_level))),
        "key_message": msg[:3],
        "pillars": pillar_rows,
        "index": index,
        "ranking": _ranking_rows(gp, pp, _rank_period(rank_stats, period), units, lang),
        "tests": test_rows,
        "typology": typ_rows,
        "robustness": [_nfc(s) for s in robustness]
        if robustness is not None
        else _robustness(_rank_period(rank_stats, period), sensitivity, lang),
        "post2025": post,
        "figures": _figures(figures),
    }
    return _to_plain(brief)


def _to_plain(obj):
    """Recursively NFC strings, NaN -> None, numpy scalars -> Python (JSON-safe)."""
    if isinstance(obj, Mapping):
        return {str(k): _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_to_plain(v) for v in obj]
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return int(obj)
    if hasattr(obj, "item") and not isinstance(obj, float):  # numpy scalar
        return _to_plain(obj.item())
    if isinstance(obj, float):
        return None if math.isnan(obj) else float(obj)
    return obj


# --------------------------------------------------------------------------- validation
def validate_brief(brief: Mapping) -> None:
    """Check the parts of a brief that the templates rely on.

    Raises:
        RenderError: naming the field, the bad value and what is expected.
    """
    if not isinstance(brief, Mapping):
        raise RenderError(f"a brief must be a dict, got {type(brief).__name__}")
    if brief.get("schema") != SCHEMA:
        raise RenderError(f"brief.schema={brief.get('schema')!r}: expected {SCHEMA!r}")
    meta = brief.get("meta")
    if not isinstance(meta, Mapping):
        raise RenderError(
            "brief.meta is missing; build the brief with build_commune_brief/build_district_brief"
        )
    for key in (
        "kind",
        "lang",
        "period",
        "date",
        "title",
        "unit_code",
        "data_status",
        "keywords",
        "edition",
    ):
        if key not in meta:
            raise RenderError(f"brief.meta.{key} is missing")
    if meta["kind"] not in KINDS:
        raise RenderError(f"brief.meta.kind={meta['kind']!r}: expected one of {KINDS}")
    if meta["lang"] not in LANGS:
        raise RenderError(f"brief.meta.lang={meta['lang']!r}: expected one of {LANGS}")
    if meta["data_status"] not in DATA_STATUSES:
        raise RenderError(
            f"brief.meta.data_status={meta['data_status']!r}: expected one of {DATA_STATUSES}"
        )
    try:
        _dt.date.fromisoformat(str(meta["date"]))
    except ValueError as exc:
        raise RenderError(
            f"brief.meta.date={meta['date']!r}: expected an ISO date YYYY-MM-DD"
        ) from exc
    if not isinstance(brief.get("labels"), Mapping):
        raise RenderError("brief.labels is missing")
    if not isinstance(brief.get("key_message"), list):
        raise RenderError("brief.key_message must be a list of sentences")
    figs = brief.get("figures", {})
    if not isinstance(figs, Mapping):
        raise RenderError(f"brief.figures must be a dict name -> path, got {type(figs).__name__}")


# --------------------------------------------------------------------------- rendering
def _font_dir() -> Path:
    """Folder of the Be Vietnam Pro TTF files shipped by ``fontpkg-be-vietnam-pro``."""
    try:
        import fontpkg_be_vietnam_pro as pkg
    except ImportError as exc:
        raise RenderError("font package missing: pip install fontpkg-be-vietnam-pro") from exc
    folder = Path(pkg.ROOT) / "files"
    if not any(folder.glob("BeVietnamPro-*.ttf")):
        raise RenderError(
            f"{folder}: no BeVietnamPro-*.ttf files; reinstall fontpkg-be-vietnam-pro"
        )
    return folder


class _Renderer:
    """A warm Typst compiler over a private staging root (template files + staged figures).

    Fonts are loaded once; each brief is one ``compile`` with new ``sys_inputs``. Figures are
    copied into ``<root>/fig/<sha>.<ext>`` so the root holds nothing else and names never go stale.
    """

    def __init__(self, template: Path):
        import typst

        self.template = template
        self.pid = os.getpid()
        self.signature = _template_signature(template.parent)
        _sweep_stale_staging()
        self.root = Path(tempfile.mkdtemp(prefix=f"dgap-typst-{self.pid}-"))
        for f in template.parent.iterdir():
            if f.is_file() and f.suffix.lower() in (".typ", ".png", ".svg", ".jpg", ".jpeg"):
                shutil.copy2(f, self.root / f.name)
        (self.root / "fig").mkdir()
        self.compiler = typst.Compiler(
            str(self.root / template.name),
            root=str(self.root),
            font_paths=[str(_font_dir())],
            ignore_system_fonts=True,
        )
        self.lock = threading.Lock()
        atexit.register(self._cleanup_at_exit)

    def _cleanup_at_exit(self) -> None:
        if os.getpid() == self.pid:
            shutil.rmtree(self.root, ignore_errors=True)

    def stage_figure(self, path: Path) -> str:
        data = path.read_bytes()
        name = hashlib.sha256(data).hexdigest()[:20] + path.suffix.lower()
        target = self.root / "fig" / name
        if not target.exists():
            target.write_bytes(data)
        return f"/fig/{name}"

    def compile(self, brief_json: str, figures_json: str, timestamp: _dt.datetime) -> bytes:
        import typst

        global _TYPST_PID
        if _TYPST_PID is not None and _TYPST_PID != os.getpid():
            raise RenderError(
                f"this process (pid {os.getpid()}) was forked from pid {_TYPST_PID} after that one rendered a "
                "brief; Typst's thread pool does not survive fork and the compile would hang. Start workers "
                "with multiprocessing 'spawn' or 'forkserver', or fork before rendering any brief"
            )
        with self.lock:
            _TYPST_PID = os.getpid()  # from here on Typst's thread pool runs in this process
            try:
                pdf = self.compiler.compile(
                    format="pdf",
                    sys_inputs={"brief": brief_json, "figures": figures_json},
                    timestamp=timestamp,
                )
            except typst.TypstError as exc:
                hints = "; ".join(getattr(exc, "hints", []) or [])
                raise RenderError(
                    f"Typst could not render {self.template.name}: {getattr(exc, 'message', exc)}"
                    f"{' (' + hints + ')' if hints else ''}; check the template and the brief fields"
                ) from exc
        return pdf

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _sweep_stale_staging() -> None:
    """Remove staging folders left by processes that ended without running ``atexit``
    (pool workers leave through ``os._exit``). Folders of live processes are kept."""
    for d in Path(tempfile.gettempdir()).glob("dgap-typst-*-*"):
        pid = d.name.split("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except PermissionError:  # alive, another user's
            continue


#: pid of the process in which Typst has compiled (its Rust thread pool is running). A process
#: forked from it inherits a dead pool and would hang on its first compile, so it fails fast instead.
_TYPST_PID: int | None = None

_RENDERERS: dict[Path, _Renderer] = {}
_RENDERERS_LOCK = threading.Lock()


def _template_signature(folder: Path) -> tuple:
    return tuple(
        sorted(
            (f.name, f.stat().st_mtime_ns, f.stat().st_size)
            for f in folder.iterdir()
            if f.is_file()
        )
    )


def _renderer(template: Path) -> _Renderer:
    template = template.resolve()
    with _RENDERERS_LOCK:
        r = _RENDERERS.get(template)
        if r is not None and r.pid != os.getpid():
            r = None  # inherited through fork: never share a compiler (or its folder) with the parent
        elif r is not None and (
            r.signature != _template_signature(template.parent) or not (r.root / "fig").is_dir()
        ):  # templates edited, or the staging folder removed (tmp cleaner): start afresh
            r.close()
            r = None
        if r is None:
            r = _RENDERERS[template] = _Renderer(template)
        return r


def _brief_json(brief: Mapping) -> str:
    try:
        return json.dumps(brief, ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise RenderError(
            f"brief is not JSON-serialisable ({exc}); build it with build_*_brief"
        ) from exc


def render_brief(
    brief: Mapping,
    out_pdf: str | os.PathLike,
    *,
    template: str | os.PathLike | None = None,
    save_json: bool = True,
) -> Path:
    """Render a brief to PDF (atomic write) and save the brief as JSON next to it.

    Args:
        brief: the brief dict (see the module docstring).
        out_pdf: output path, conventionally ``reports/<edition>/briefs/<unit>_<lang>.pdf``.
        template: a ``.typ`` file (default ``reports/templates/<kind>.typ``); its folder's
            ``.typ``/image files are available to it, nothing else.
        save_json: also write ``out_pdf`` with suffix ``.json`` (figure paths made relative to
            the PDF folder) so that :func:`render_saved_brief` can re-render it.

    Returns:
        The PDF path.

    Raises:
        RenderError: invalid brief, missing template, or a Typst error.
    """
    validate_brief(brief)
    out_pdf = Path(out_pdf)
    meta = brief["meta"]
    template = Path(template) if template is not None else config.TEMPLATES / f"{meta['kind']}.typ"
    if not template.is_file():
        raise RenderError(
            f"template {template} not found; expected a .typ file in {config.TEMPLATES}"
        )
    r = _renderer(template)
    base = out_pdf.resolve().parent
    staged, saved = {}, {}
    for name, p in brief.get("figures", {}).items():
        path = Path(p) if Path(p).is_absolute() else base / p
        if path.suffix.lower() not in FIGURE_SUFFIXES:
            raise RenderError(f"brief.figures.{name}={p!r}: expected one of {FIGURE_SUFFIXES}")
        if not path.is_file():
            log.warning(
                "brief %s_%s: figure %s not found at %s; rendered without it",
                meta["unit_code"],
                meta["lang"],
                name,
                path,
            )
            saved[name] = str(p)
            continue
        staged[name] = r.stage_figure(path)
        saved[name] = os.path.relpath(path.resolve(), base)
    d = _dt.date.fromisoformat(meta["date"])
    stamp = _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.UTC)
    pdf = r.compile(_brief_json(brief), json.dumps(staged, sort_keys=True), stamp)
    write_bytes(out_pdf, pdf)
    if save_json:
        doc = dict(brief, figures=saved)
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, sort_keys=True, indent=1) + "\n"
        write_bytes(out_pdf.with_suffix(".json"), text.encode("utf-8"))
    return out_pdf


def brief_path(
    edition: str, unit_code: str, lang: str, *, reports_dir: str | os.PathLike | None = None
) -> Path:
    """``reports/<edition>/briefs/<unit>_<lang>.pdf``."""
    base = Path(reports_dir) if reports_dir is not None else config.REPORTS
    return base / edition / "briefs" / f"{unit_code}_{lang}.pdf"


def load_brief(path: str | os.PathLike) -> dict:
    """Read a saved brief JSON and validate it.

    Raises:
        RenderError: the file is missing or not a valid brief.
    """
    path = Path(path)
    if not path.is_file():
        raise RenderError(
            f"{path}: saved brief not found; run the edition first (make report) or check --unit/--lang/--edition"
        )
    try:
        brief = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RenderError(f"{path}: not valid JSON ({exc})") from exc
    try:
        validate_brief(brief)
    except RenderError as exc:
        raise RenderError(f"{path}: {exc}") from exc
    return brief


def render_saved_brief(
    unit_code: str,
    lang: str,
    *,
    edition: str,
    reports_dir: str | os.PathLike | None = None,
    out_pdf: str | os.PathLike | None = None,
    template: str | os.PathLike | None = None,
) -> Path:
    """Re-render one brief of a finished run from ``reports/<edition>/briefs/<unit>_<lang>.json``.

    This is what ``dgap brief --unit CODE --lang vi|en --edition NAME`` calls.
    """
    _check_lang(lang)
    pdf = brief_path(edition, str(unit_code), lang, reports_dir=reports_dir)
    brief = load_brief(pdf.with_suffix(".json"))
    if out_pdf is not None:
        # Figure paths in the JSON are relative to its folder: make them absolute for a new place.
        base = pdf.resolve().parent
        brief = dict(
            brief,
            figures={
                k: str(base / v) if not Path(v).is_absolute() else v
                for k, v in brief.get("figures", {}).items()
            },
        )
        return render_brief(brief, out_pdf, template=template, save_json=False)
    return render_brief(brief, pdf, template=template)
