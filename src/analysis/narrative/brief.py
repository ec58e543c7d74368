"""The words of the briefs: key messages, rank and test texts, robustness notes, titles and places.

Strings come from :mod:`analysis.i18n` (``commune.*``, ``district.*``, ...); numbers are written
by its formatters, a missing number as ``""``. Scores and gaps are written on a 0-100 scale
("47 points on a 0-100 scale"); intervals are named for what they are: the *indicator-selection
interval* (bootstrap over a pillar's indicators) and the *method interval* (Monte Carlo over the
method choices). When the data are synthetic, every key message starts with "Dữ liệu minh họa:"
/ "Illustrative data:".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..i18n import (
    format_interval,
    format_level,
    format_number,
    format_p,
    format_points,
    format_points_interval,
    t,
)
from .facts import (
    GAP_OTHER,
    CommuneFacts,
    as_float,
    gap_pillars,
    interval,
    recomputation_matches,
    sign_share,
)
from .names import UnitNames

if TYPE_CHECKING:
    import pandas as pd

_DASH = "\u2013"
#: scales without a common zero: a gap compares positions among the units, not levels
RELATIVE_SCALES = ("minmax", "zscore", "rank", "percentile")


def number_text(x: float | int | None, lang: str, digits: int = 2) -> str:
    """A number of a brief: ``0,78`` / ``0.78``; ``""`` when missing."""
    return format_number(x, lang, digits, missing="")


def points(x: float | None, lang: str) -> str:
    """A score or gap in points of the 0-100 scale (``""`` when missing): :func:`i18n.format_points`."""
    return format_points(x, lang, missing="")


def points_interval(lo: float | None, hi: float | None, lang: str) -> str:
    """An interval in points (``""`` without both bounds): :func:`i18n.format_points_interval`."""
    return format_points_interval(lo, hi, lang, missing="")


def interval_text(lo: float | None, hi: float | None, lang: str, digits: int = 2) -> str:
    """An interval of a brief: ``0,22–0,40``, ``−0,05 đến 0,19``; ``""`` without both bounds."""
    return format_interval(lo, hi, lang, digits, missing="")


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def is_established(lo: float | None, hi: float | None) -> bool:
    """An interval that excludes zero."""
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def illustrative(sentences: list[str], synthetic: bool, lang: str) -> list[str]:
    """The key message, its first sentence prefixed "Dữ liệu minh họa: " when synthetic."""
    out = [unicodedata.normalize("NFC", s) for s in sentences if s]
    if synthetic and out:
        out[0] = t("brief.illustrative_prefix", lang) + " " + out[0]
    return out


def letter(pillar: str, lang: str) -> str:
    """Pillar abbreviation of the briefs: ``CQS`` / ``G``."""
    return t(f"pillar_letter.{pillar}", lang, default=pillar)


def pair_label(a: str, b: str, lang: str) -> str:
    """``CQS − KTS`` / ``G − E``."""
    return f"{letter(a, lang)} − {letter(b, lang)}"


def gap_label(gap_id: str, lang: str) -> str:
    """Label of a gap row: ``CQS − KTS``, ``G − mean(E, S)``."""
    other = GAP_OTHER.get(gap_id)
    if other:
        return pair_label("government", other, lang)
    return f"{letter('government', lang)} − {t('commune.gap_mean_other', lang)}"


def typology_label(typology: str, lang: str, *, has_economy: bool = True) -> str:
    """The label of a typology class; without an economy pillar (EGDI) "economy/society-led"
    is society-led."""
    if not has_economy and typology == "economy_society_led":
        typology = "society_led"
    return t(f"typology.{typology}", lang, default=typology.replace("_", " "))


def units_noun(kind: str, lang: str) -> str:
    """The plural noun of a kind of unit: ``xã`` / ``communes``, ``quốc gia`` / ``countries``."""
    return t(f"units_noun.{kind}", lang, default=t("units_noun.other", lang))


# --------------------------------------------------------------------------- commune
def rank_span(q05: int | None, q95: int | None, lang: str = "") -> str:
    """``2–7``, or ``6`` when both ends agree, or ``""`` without an interval; with ``lang``,
    thousands grouped as the rank itself is (``2.429–2.862``, ``2,429–2,862``).

    >>> rank_span(2, 7), rank_span(6, 6), rank_span(None, 3), rank_span(2429, 2862, "vi")
    ('2–7', '6', '', '2.429–2.862')
    """
    if q05 is None or q95 is None:
        return ""
    lo, hi = (_count(q, lang) if lang else str(q) for q in (q05, q95))
    return lo if q05 == q95 else f"{lo}{_DASH}{hi}"


def _count(x, lang: str) -> str:
    """A count or rank with thousands grouped in the reader's way (``3.321``, ``3,321``)."""
    try:
        return format_number(int(x), lang)
    except (TypeError, ValueError):
        return str(x)


def rank_texts(rank: Mapping, lang: str) -> dict[str, str]:
    """``{"text": "Thứ 3/18", "interval_text": "thứ 2–5"}`` of a rank (:func:`unit_rank`)."""
    span = rank_span(rank["q05"], rank["q95"], lang)
    return {
        "text": t(
            "commune.rank_text", lang, rank=_count(rank["nominal"], lang), n=_count(rank["n"], lang)
        ),
        "interval_text": t("commune.rank_span", lang, span=span) if span else "",
    }


def gap_clauses(row: Mapping, gap_id: str, gap: float, level: float, lang: str) -> str:
    """The intervals of a gap and its sign share over method choices, as a clause: `` (khoảng lựa
    chọn chỉ số 90%: 22–40; kể cả sai số đo: 21–41; khoảng phương pháp: 25–38); dương trong 97%
    lựa chọn phương pháp`` (the measurement interval only when the observations carry ``se``)."""
    shown = []
    parts = []
    for kind, key in (
        ("sel", "commune.sel"),
        ("meas", "commune.meas"),
        ("method", "commune.method"),
    ):
        iv = interval(row, gap_id, kind)
        if iv[0] is not None:
            ci = points_interval(*iv, lang)
            parts.append(t(key, lang, level=format_level(level, lang), ci=ci))
            shown.append(iv)
    out = f" ({'; '.join(parts)})" if parts else ""
    if shown and not all(is_established(*iv) for iv in shown):
        out += t("commune.not_established", lang)
    share = sign_share(row, gap_id)
    if share is not None:
        same = share if gap >= 0 else 1 - share
        key = "commune.sign_positive" if gap >= 0 else "commune.sign_negative"
        out += t(key, lang, share=format_number(100 * same, lang, 0))
    return out


def gap_sentence(
    lang: str,
    subject: str,
    g_name: str,
    other_name: str,
    g: float | None,
    gap: float,
    clauses: str = "",
) -> str:
    """First key-message sentence: G of the unit and its gap to one other pillar."""
    other = lower_first(other_name)
    if round(100 * abs(gap)) == 0:
        relation = t("commune.gap_level", lang, other=other)
    else:
        key = "commune.gap_above" if gap > 0 else "commune.gap_below"
        relation = t(key, lang, other=other, gap=points(abs(gap), lang))
    s = t("commune.gap_lead", lang, g_name=g_name, subject=subject, g=points(g, lang))
    return f"{s}, {relation}{clauses}."


def other_gap_sentence(
    lang: str, g_name: str, s_name: str, s: float | None, gap: float, clauses: str = ""
) -> str:
    """Second key-message sentence: the other pillar and its gap to G."""
    out = t(
        "commune.other",
        lang,
        s_name=s_name,
        s=points(s, lang),
        g_lower=lower_first(g_name),
        s_lower=lower_first(s_name),
        gap=points(gap, lang),
    )
    return out + clauses + "."


def rank_sentence(lang: str, subject: str, rank: Mapping, *, within: str) -> str:
    """Rank on the overall index with its interval over method choices."""
    s = t("commune.rank", lang, subject=subject, rank=_count(rank["nominal"], lang),
          n=_count(rank["n"], lang), within=within)  # fmt: skip
    span = rank_span(rank["q05"], rank["q95"], lang)
    if span:
        s += " " + t("commune.rank_interval", lang, span=span)
    return s + "."


def _published_rank(rank: int | None, of: int | None, lang: str) -> str:
    return "" if rank is None else t("published.rank", lang, rank=rank, of=of)


def published_texts(published: Mapping, period: str, lang: str) -> dict:
    """``{"name": "DTI 2022", "value_text": "0,5808", "rank_text": "31/63", "source": ...,
    "pillars": [{"id": "government", "short": "CQS", "value_text": "0,6674", "rank_text":
    "30/63"}, ...]}`` (the published pillars, when the source publishes them)."""
    source, digits = published["source"], published["digits"]
    return {
        "name": t(f"published.{source}", lang, year=period),
        "value_text": number_text(published["value"], lang, digits),
        "rank_text": _published_rank(published["rank"], published["of"], lang),
        "source": t(f"published.by_{source}", lang),
        "pillars": [
            {
                "id": p["pillar"],
                "short": letter(p["pillar"], lang),
                "value_text": number_text(p["value"], lang, digits),
                "rank_text": _published_rank(p["rank"], p["of"], lang),
            }
            for p in published.get("pillars", ())
        ],
    }


def published_sentences(
    published: Mapping, index: float | None, subject: str, period: str, lang: str
) -> list[str]:
    """The published value and rank first (with year and source), then the recomputation here
    as a check."""
    p = published_texts(published, period, lang)
    key = "commune.published_rank" if p["rank_text"] else "commune.published"
    lead = t(key, lang, subject=subject, index=p["name"], value=p["value_text"], **p)
    match = recomputation_matches(published, index)
    if match is None:
        return [lead]
    check = t(
        "commune.check_match" if match else "commune.check_differs",
        lang,
        index=p["name"],
        value=points(index, lang),
    )
    return [lead, check]


def commune_key_message(
    facts: CommuneFacts,
    unit: UnitNames,
    names: Mapping[str, str],
    lang: str,
    *,
    synthetic: bool = False,
    scale: str = "",
    group: str = "xã",
) -> list[str]:
    """The key message of a unit: its published index first (DTI, EGDI, DESI: value and rank
    with year and source), then G against the pillars it has data for (economy, society), then
    its rank on the recomputed index (not for a published index: the brief shows that only as
    a check) among the units compared (``group``: their :func:`~analysis.narrative.names.
    group_kind`), then a note when the scale is relative; prefixed when ``synthetic``."""
    row, level = facts.row, facts.level
    gaps = [
        g for g in gap_pillars(facts.gaps) if g != "gap_mean" and as_float(row.get(g)) is not None
    ]
    msg: list[str] = []
    index = index_of(facts)
    if facts.published is not None:
        msg += published_sentences(facts.published, index, unit.subject, facts.period, lang)[:1]
    for k, gid in enumerate(gaps):
        other, gap = GAP_OTHER[gid], float(as_float(row[gid]))
        clauses = gap_clauses(row, gid, gap, level, lang)
        if k == 0:
            g = as_float(row["government"])
            sentence = gap_sentence(
                lang, unit.subject, names["government"], names[other], g, gap, clauses
            )
        else:
            value = as_float(row[other])
            sentence = other_gap_sentence(
                lang, names["government"], names[other], value, gap, clauses
            )
        msg.append(sentence)
    if facts.published is None and facts.rank is not None:
        within = (
            t("commune.within_district", lang, units=units_noun(group, lang))
            if unit.is_commune
            else t("commune.within_group", lang)
        )
        msg.append(rank_sentence(lang, unit.subject, facts.rank, within=within))
    if scale in RELATIVE_SCALES:
        msg.append(t("commune.relative_scale", lang))
    return illustrative(msg, synthetic, lang)


def index_of(facts: CommuneFacts) -> float | None:
    """The unit's overall index recomputed in this run (None without an index)."""
    pp = facts.pillars
    if "index" not in pp.columns:
        return None
    mine = pp[pp["unit_code"] == facts.unit_code]
    return as_float(mine.iloc[0]["index"]) if len(mine) else None


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
def _count_sentence(
    gap_id: str, gaps: pd.DataFrame, claim: Mapping | None, names: Mapping, kind: str, level, lang
) -> str:
    other = lower_first(names[GAP_OTHER[gap_id]])
    col = gaps[gap_id].astype(float)
    n = int(claim["n_units"]) if claim else int(col.notna().sum())
    k = int(claim["n_positive"]) if claim else int((col > 0).sum())
    median = as_float(claim.get("median_gap")) if claim else as_float(col.median())
    lo, hi = (as_float((claim or {}).get(c)) for c in ("share_positive_lo", "share_positive_hi"))
    wilson = ""
    if lo is not None and hi is not None:
        ci = format_interval(100 * lo, 100 * hi, lang, 0)
        wilson = " " + t("district.wilson", lang, level=format_level(level, lang), ci=ci)
    return t(
        "district.count",
        lang,
        g_name=names["government"],
        other=other,
        k=format_number(k, lang),
        n=format_number(n, lang),
        units=units_noun(kind, lang),
        wilson=wilson,
        median=points(median, lang),
    )


def _joint_sentence(gap_id: str, claim: Mapping | None, names: Mapping, kind: str, lang) -> str:
    """Jointly: at least k of n units with a positive gap (simultaneous bounds), the number whose
    sign holds over >= 95% of the method choices, and the count on a relative scale; each only
    when the claim has it."""
    if not claim:
        return ""
    other = lower_first(names[GAP_OTHER[gap_id]])
    units = units_noun(kind, lang)
    parts = []
    n = format_number(int(claim["n_units"]), lang)  # 3.321 / 3,321
    if as_float(claim.get("n_joint_positive")) is not None:
        level = format_level(float(claim.get("joint_level", 0.9)), lang)
        k = format_number(int(claim["n_joint_positive"]), lang)
        parts.append(t("district.joint", lang, level=level, other=other, k=k, n=n, units=units))
    if as_float(claim.get("n_sign_robust_positive")) is not None:
        robust = format_number(int(claim["n_sign_robust_positive"]), lang)
        parts.append(t("district.sign_robust", lang, k=robust, n=n, units=units, other=other))
    if as_float(claim.get("relative_scale_n_positive")) is not None:
        k = format_number(int(claim["relative_scale_n_positive"]), lang)
        parts.append(t("district.relative_check", lang, k=k, n=n))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def district_key_message(
    gaps: pd.DataFrame,
    names: Mapping[str, str],
    level: float,
    lang: str,
    *,
    claims: pd.DataFrame | None = None,
    kind: str = "xã",
    synthetic: bool = False,
    thin: list[str] | None = None,
    scale: str = "",
) -> list[str]:
    """The district's answer from the claims of the run (``Results.claims``): per gap with both
    pillars, how many units have G above the other pillar (with the Wilson interval of that count
    and the median gap on the 0-100 scale), then the joint statement (at least k of n,
    simultaneous bounds) and the sign share over method choices. A gap without a claim row is
    stated by its count alone. Without intervals (a pillar with one indicator) it says why; on a
    relative scale it says that the gaps compare positions."""
    msg = []
    for gid in (g for g in gap_pillars(gaps) if g != "gap_mean"):
        claim = None
        if claims is not None and gid in claims.index:
            claim = claims.loc[gid].to_dict()
        msg.append(_count_sentence(gid, gaps, claim, names, kind, level, lang))
        msg.append(_joint_sentence(gid, claim, names, kind, lang))
    if thin:
        listed = ", ".join(lower_first(names.get(p, p)) for p in thin)
        msg.append(t("district.no_interval", lang, pillars=listed))
    if scale in RELATIVE_SCALES:
        msg.append(t("commune.relative_scale", lang))
    return illustrative(msg, synthetic, lang)


def test_texts(record: Mapping, lang: str, level: float, kind: str = "xã") -> dict:
    """Id, label and detail of one district test: a row of :func:`analysis.gaps.test_pillar_gaps`
    (``comparison``) or of :func:`analysis.gaps.compute_pillar_correlations` (``pillar_x``).
    Bootstrap intervals over the units are called so; a degenerate one (zero spread) is not
    printed, the detail says why."""
    boot = t("test.boot", lang, level=format_level(level, lang))
    if "comparison" in record:
        a, _, b = str(record["comparison"]).partition("_vs_")
        parts = [t("test.median_diff", lang)]
        rb = as_float(record.get("rank_biserial"))
        n, k = as_float(record.get("n")), as_float(record.get("n_greater"))
        if rb is not None:
            r = t("test.rank_biserial", lang, r=number_text(rb, lang))
            lo, hi = (as_float(record.get(f"rank_biserial_{x}")) for x in ("lo", "hi"))
            if lo is not None and hi is not None and hi - lo > 1e-12:
                r += f" ({boot}: {interval_text(lo, hi, lang)})"
            elif n and k is not None and k in (0, n):  # all of one sign: [1, 1] or none
                r += " " + t("test.degenerate", lang)
            parts.append(r)
        if k is not None and n:
            units = units_noun(kind, lang)
            parts.append(
                t(
                    "test.greater_in",
                    lang,
                    a=letter(a, lang),
                    b=letter(b, lang),
                    k=int(k),
                    n=int(n),
                    units=units,
                )
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
        detail += f"; {boot}: {interval_text(lo, hi, lang)}"
    return {
        "id": f"spearman_{a}_{b}",
        "label": t("test.spearman", lang, pair=pair_label(a, b, lang)),
        "detail": detail,
    }


def p_text(record: Mapping, lang: str) -> str:
    """The p-value of a test row, Holm-adjusted when the row has ``p_holm``."""
    p = as_float(record.get("p_holm", record.get("p_value")))
    return format_p(p, lang, 3, missing="")


def robustness_sentences(
    rank_stats: pd.DataFrame | None, sensitivity: pd.DataFrame | None, lang: str, kind: str = "xã"
) -> list[str]:
    """Width of the rank intervals, the mean rank shift and the most influential method choice."""
    out = []
    units = units_noun(kind, lang)
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
                units=units,
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


# --------------------------------------------------------------------------- keywords, places
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
