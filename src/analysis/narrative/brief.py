"""The words of the briefs: key messages, rank and test texts, robustness notes, method box,
sources, titles. Strings come from :mod:`analysis.i18n` (``commune.*``, ``district.*``, ...);
numbers are written by its formatters, a missing number as ``""``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..i18n import format_interval, format_level, format_number, format_p, has_label, t
from .facts import CommuneFacts, UnitNames, as_float

if TYPE_CHECKING:
    import pandas as pd

    from ..frameworks import Framework

_DASH = "\u2013"


def number_text(x: float | int | None, lang: str, digits: int = 2) -> str:
    """A number of a brief: ``0,78`` / ``0.78``; ``""`` when missing."""
    return format_number(x, lang, digits, missing="")


def interval_text(lo: float | None, hi: float | None, lang: str, digits: int = 2) -> str:
    """An interval of a brief: ``0,22–0,40``, ``−0,05 đến 0,19``; ``""`` without both bounds."""
    return format_interval(lo, hi, lang, digits, missing="")


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def is_established(lo: float | None, hi: float | None) -> bool:
    """An interval that excludes zero."""
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def letter(pillar: str, lang: str) -> str:
    """Pillar abbreviation of the briefs: ``CQS`` / ``G``."""
    return t(f"pillar_letter.{pillar}", lang, default=pillar)


def pair_label(a: str, b: str, lang: str) -> str:
    """``CQS − KTS`` / ``G − E``."""
    return f"{letter(a, lang)} − {letter(b, lang)}"


def gap_label(gap_id: str, lang: str) -> str:
    """Label of a gap row: ``CQS − KTS``, ``G − mean(E, S)``."""
    other = {"gap_econ": "economy", "gap_soc": "society"}.get(gap_id)
    if other:
        return pair_label("government", other, lang)
    return f"{letter('government', lang)} − {t('commune.gap_mean_other', lang)}"


# --------------------------------------------------------------------------- commune
def rank_span(q05: int | None, q95: int | None) -> str:
    """``2–7``, or ``6`` when both ends agree, or ``""`` without an interval.

    >>> rank_span(2, 7), rank_span(6, 6), rank_span(None, 3)
    ('2–7', '6', '')
    """
    if q05 is None or q95 is None:
        return ""
    return str(q05) if q05 == q95 else f"{q05}{_DASH}{q95}"


def rank_texts(rank: Mapping, lang: str) -> dict[str, str]:
    """``{"text": "Thứ 3/18", "interval_text": "thứ 2–5"}`` of a rank (:func:`unit_rank`)."""
    span = rank_span(rank["q05"], rank["q95"])
    return {
        "text": t("commune.rank_text", lang, rank=rank["nominal"], n=rank["n"]),
        "interval_text": t("commune.rank_span", lang, span=span) if span else "",
    }


def _ci_clause(lo: float | None, hi: float | None, level: float, lang: str) -> str:
    ci = interval_text(lo, hi, lang)
    return " " + t("commune.ci", lang, level=format_level(level, lang), ci=ci) if ci else ""


def gap_sentence(
    lang: str,
    subject: str,
    g_name: str,
    other_name: str,
    g: float | None,
    gap: float,
    lo: float | None,
    hi: float | None,
    level: float,
) -> str:
    """First key-message sentence: G of the unit and its gap to one other pillar."""
    other = lower_first(other_name)
    if round(abs(gap), 2) == 0:
        relation = t("commune.gap_level", lang, other=other)
    else:
        key = "commune.gap_above" if gap > 0 else "commune.gap_below"
        relation = t(key, lang, other=other, gap=number_text(abs(gap), lang))
    s = t(
        "commune.gap_lead",
        lang,
        g_name=g_name,
        subject=subject,
        g=number_text(g, lang),
        relation=relation,
    )
    clause = _ci_clause(lo, hi, level, lang)
    if clause and not is_established(lo, hi):
        clause += t("commune.gap_not_established", lang)
    return s + clause + "."


def society_sentence(
    lang: str,
    g_name: str,
    s_name: str,
    s: float | None,
    gap: float | None,
    lo: float | None,
    hi: float | None,
    level: float,
) -> str:
    """Second key-message sentence: the society pillar and its gap to G."""
    out = t(
        "commune.soc",
        lang,
        s_name=s_name,
        s=number_text(s, lang),
        g_lower=lower_first(g_name),
        s_lower=lower_first(s_name),
        gap=number_text(gap, lang),
    )
    clause = _ci_clause(lo, hi, level, lang)
    if clause and not is_established(lo, hi):
        clause += t("commune.soc_not_established", lang)
    return out + clause + "."


def rank_sentence(lang: str, subject: str, rank: Mapping, *, within_district: bool = True) -> str:
    """Rank on the overall index with its uncertainty interval."""
    within = t("commune.within_district" if within_district else "commune.within_group", lang)
    s = t("commune.rank", lang, subject=subject, rank=rank["nominal"], n=rank["n"], within=within)
    span = rank_span(rank["q05"], rank["q95"])
    if span:
        s += " " + t("commune.rank_interval", lang, span=span)
    return s + "."


def commune_key_message(
    facts: CommuneFacts, unit: UnitNames, names: Mapping[str, str], lang: str
) -> list[str]:
    """Two or three sentences: G against the first pillar with data (economy, else society),
    then society, then the rank."""
    row, level = facts.row, facts.level
    lead = "economy" if as_float(row.get("gap_econ")) is not None else "society"
    lead_gap = "gap_econ" if lead == "economy" else "gap_soc"
    msg = [
        gap_sentence(
            lang,
            unit.subject,
            names["government"],
            names[lead],
            as_float(row["government"]),
            as_float(row[lead_gap]),
            as_float(row.get(f"{lead_gap}_lo")),
            as_float(row.get(f"{lead_gap}_hi")),
            level,
        )
    ]
    if lead == "economy" and as_float(row.get("gap_soc")) is not None:
        msg.append(
            society_sentence(
                lang,
                names["government"],
                names["society"],
                as_float(row["society"]),
                as_float(row["gap_soc"]),
                as_float(row.get("gap_soc_lo")),
                as_float(row.get("gap_soc_hi")),
                level,
            )
        )
    if facts.rank is not None:
        msg.append(rank_sentence(lang, unit.subject, facts.rank, within_district=unit.is_commune))
    return [unicodedata.normalize("NFC", s) for s in msg]


def indicator_unit_texts(unit: str, lang: str) -> tuple[str, str]:
    """(suffix after a value, unit of a difference): ``("%", "điểm phần trăm")``."""
    if unit == "%":
        return "%", t("indicator_unit.pct_points", lang)
    unit = t(f"indicator_unit.{unit}", lang, default=unit) if unit else ""
    return (f" {unit}" if unit else ""), unit


def target_texts(
    value: float | None, target: float | None, distance: float | None, unit: str, lang: str
) -> dict:
    """Texts of one indicator against its 2025 target; ``distance`` is ``direction * (value -
    target)``, negative = short of the target."""
    suffix, diff_unit = indicator_unit_texts(unit, lang)
    is_met = None
    if target is None:
        dist = t("weakest.no_target", lang)
    elif distance is None:
        dist = ""
    elif distance >= 0:
        is_met, dist = True, t("weakest.met", lang)
    else:
        is_met = False
        d = number_text(-distance, lang, 1)
        dist = t("weakest.short", lang, distance=d, unit=diff_unit)
    return {
        "value_text": (number_text(value, lang, 1) + suffix) if value is not None else "",
        "target_text": (number_text(target, lang, 0 if float(target).is_integer() else 1) + suffix)
        if target is not None
        else "—",
        "distance_text": dist.strip(),
        "is_met": is_met,
    }


# --------------------------------------------------------------------------- district
def district_key_message(
    gaps: pd.DataFrame, names: Mapping[str, str], level: float, tests: list[dict], lang: str
) -> list[str]:
    """Up to three sentences: how many communes have G above E and S, how many gap intervals
    exclude zero, and the first test with a p-value (``tests``: rows with ``label, p_value``)."""
    ge, gs = gaps["gap_econ"].astype(float), gaps["gap_soc"].astype(float)
    n = len(gaps)
    msg = [
        t(
            "district.lead",
            lang,
            g_name=names["government"],
            e_lower=lower_first(names["economy"]),
            s_lower=lower_first(names["society"]),
            n=n,
            n_e=int((ge > 0).sum()),
            n_s=int((gs > 0).sum()),
            median_e=number_text(float(ge.median()), lang),
            median_s=number_text(float(gs.median()), lang),
        )
    ]
    if {"gap_econ_lo", "gap_econ_hi"} <= set(gaps.columns):
        lo, hi = gaps["gap_econ_lo"].astype(float), gaps["gap_econ_hi"].astype(float)
        k = int(((lo > 0) | (hi < 0)).sum())
        msg.append(
            t(
                "district.ci_excludes_zero",
                lang,
                level=format_level(level, lang),
                e_lower=lower_first(names["economy"]),
                k=k,
                n=n,
            )
        )
    with_p = [r for r in tests if r["p_value"] is not None]
    if with_p:
        r = with_p[0]
        msg.append(f"{r['label']}: p {format_p(r['p_value'], lang, 3, relation=True)}.")
    return msg[:3]


def test_texts(record: Mapping, lang: str, level: float) -> dict:
    """Id, label and detail of one district test: a row of :func:`analysis.gaps.test_pillar_gaps`
    (``comparison``) or of :func:`analysis.gaps.compute_pillar_correlations` (``pillar_x``)."""
    ci = t("test.ci", lang, level=format_level(level, lang))
    if "comparison" in record:
        a, _, b = str(record["comparison"]).partition("_vs_")
        parts = [t("test.median_diff", lang)]
        rb = as_float(record.get("rank_biserial"))
        if rb is not None:
            r = t("test.rank_biserial", lang, r=number_text(rb, lang))
            lo, hi = (
                as_float(record.get("rank_biserial_lo")),
                as_float(record.get("rank_biserial_hi")),
            )
            if lo is not None and hi is not None:
                r += f" ({ci}: {interval_text(lo, hi, lang)})"
            parts.append(r)
        n, k = as_float(record.get("n")), as_float(record.get("n_greater"))
        if k is not None and n:
            parts.append(
                t("test.greater_in", lang, a=letter(a, lang), b=letter(b, lang), k=int(k), n=int(n))
            )
        return {
            "id": f"wilcoxon_{record['comparison']}",
            "label": t("test.wilcoxon", lang, pair=pair_label(a, b, lang)),
            "detail": "; ".join(parts),
        }
    a, b = str(record["pillar_x"]), str(record["pillar_y"])
    lo, hi = as_float(record.get("rho_lo")), as_float(record.get("rho_hi"))
    detail = t("test.rho", lang)
    if lo is not None and hi is not None:
        detail += f"; {ci}: {interval_text(lo, hi, lang)}"
    return {
        "id": f"spearman_{a}_{b}",
        "label": t("test.spearman", lang, pair=pair_label(a, b, lang)),
        "detail": detail,
    }


def robustness_sentences(
    rank_stats: pd.DataFrame | None, sensitivity: pd.DataFrame | None, lang: str
) -> list[str]:
    """Width of the rank intervals, the mean rank shift and the most influential method choice."""
    out = []
    if rank_stats is not None and len(rank_stats) and {"q05", "q95"} <= set(rank_stats.columns):
        width = rank_stats["q95"].astype(float) - rank_stats["q05"].astype(float)
        med = float(width.median())
        out.append(
            t(
                "robustness.rank_width",
                lang,
                width=number_text(med, lang, 0 if med.is_integer() else 1),
                narrow=int((width <= 3).sum()),
                n=len(rank_stats),
            )
        )
        if "mean_abs_shift" in rank_stats.columns:
            shift = float(rank_stats["mean_abs_shift"].astype(float).mean())
            out.append(t("robustness.rank_shift", lang, shift=number_text(shift, lang, 1)))
    if sensitivity is not None and len(sensitivity) and "STi" in sensitivity.columns:
        top = sensitivity.sort_values("STi", ascending=False, kind="stable").iloc[0]
        choice = str(top["choice"])
        label = t(f"choice.{choice}", lang, default=choice.replace("_", " "))
        sti = number_text(float(top["STi"]), lang, 2)
        out.append(t("robustness.top_choice", lang, choice=lower_first(label), sti=sti))
    return out


# --------------------------------------------------------------------------- method, sources, places
def method_box(framework: Framework | None, level: float, data_status: str, lang: str) -> dict:
    """The method box: framework, normalisation, weights, aggregation, intervals, data."""
    fw = ""
    if framework is not None:
        fw = t(
            "method.framework",
            lang,
            name=unicodedata.normalize("NFC", getattr(framework, f"name_{lang}")),
            version=framework.version,
            n_pillars=len(framework.pillars),
            n_indicators=len(framework.indicators),
        )
    return {
        "framework": fw,
        "normalisation": t("method.normalisation", lang),
        "weights": t("method.weights", lang),
        "aggregation": t("method.aggregation", lang),
        "interval": t("method.interval", lang, level=format_level(level, lang)),
        "data": t(f"method.data_{data_status}", lang),
    }


def sources(framework: Framework | None, lang: str, *, post2025: bool = False) -> list[str]:
    """Citations: the DTI decision and those the framework's targets cite, the census, and the
    2025 merger resolution for a brief with post-2025 communes."""
    cited = []
    if framework is not None:
        for s in framework.indicators["target_source"].dropna():
            cited += re.findall(r"(\d+/QĐ-(?:TTg|BTTTT))", str(s))
    out: list[str] = []
    for key in ["922/QĐ-BTTTT", *sorted(set(cited), key=cited.index)]:
        if has_label(f"source.{key}") and (text := t(f"source.{key}", lang)) not in out:
            out.append(text)
    out.append(t("source.census", lang))
    if post2025:
        out.append(t("source.resolution_1659", lang))
    return out


def keywords(names: list[str], period: str, data_status: str, lang: str) -> list[str]:
    """PDF keywords: the unit's names, the four topics, the period, and the synthetic flag."""
    kw = [n for n in names if n]
    kw += [t(f"keyword.{k}", lang) for k in ("transformation", "government", "economy", "society")]
    kw.append(period)
    if data_status == "synthetic":
        kw.append(t("keyword.synthetic", lang))
    return kw


def province_name(province_vi: str, lang: str) -> str:
    """A province's name in ``lang``: ``Thành phố Đà Nẵng`` -> ``Đà Nẵng city``."""
    for kind in ("city", "province"):
        prefix = t(f"place.{kind}", "vi", name="")
        if province_vi.startswith(prefix):
            return t(f"place.{kind}", lang, name=province_vi[len(prefix) :])
    return province_vi


def commune_place(unit: UnitNames, lang: str) -> str:
    """Where a commune is: ``Huyện Đại Lộc``; after 2025 ``Thành phố Đà Nẵng (trước đây huyện
    Đại Lộc)``; ``""`` if unknown."""
    if unit.province:  # a post-2025 commune: the district level no longer exists
        province = province_name(unit.province, lang)
        if unit.district:
            return t("place.formerly", lang, province=province, district=unit.district)
        return province
    return t("place.district", lang, name=unit.district) if unit.district else ""


def district_full_name(district: str, province: str, lang: str) -> str:
    """``Huyện Đại Lộc``; for post-2025 communes ``Các xã thuộc huyện Đại Lộc cũ (...)``."""
    if province:  # post-2025 communes: the district is gone, the grouping stays selectable
        return t(
            "place.former_district_communes",
            lang,
            name=district,
            province=province_name(province, lang),
        )
    return t("place.district", lang, name=district)


def count_communes(n: int, *, post2025: bool, lang: str) -> str:
    """``18 xã/thị trấn`` (before 2025), ``5 xã`` (after) / ``18 communes``."""
    return t("place.n_communes_new" if post2025 else "place.n_communes", lang, n=n)
