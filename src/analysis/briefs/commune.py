"""The commune brief: a context read once from the run, then one builder per section.

A section builder takes the :class:`CommuneBrief` context and returns the brief fields it fills
(``{"gaps": [...]}``); :data:`SECTIONS` lists them in order. Every text comes from
:mod:`analysis.narrative` or the ``brief.*`` strings of :mod:`analysis.i18n`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from .. import config
from ..i18n import format_number, t
from ..loaders import Inputs
from ..narrative.brief import (
    commune_key_message,
    commune_place,
    gap_label,
    index_of,
    is_established,
    keywords,
    letter,
    points,
    points_interval,
    published_sentences,
    published_texts,
    rank_texts,
    target_texts,
)
from ..narrative.facts import (
    CommuneFacts,
    as_float,
    commune_facts,
    gap_pillars,
    interval,
    recomputation_matches,
    rows_of_unit,
    source_of,
)
from ..narrative.method import run_method
from ..narrative.names import UnitNames, compared_kind, nfc, pillar_names, unit_names
from ..results import Results
from .common import assemble, common_meta, data_status, figure_paths, template_labels
from .validate import check_lang


@dataclass
class CommuneBrief:
    """What the sections of one commune's brief read."""

    res: Results
    inputs: Inputs
    facts: CommuneFacts
    unit: UnitNames
    names: dict[str, str]  #: pillar display names
    lang: str
    edition: str
    status: str
    figures: dict[str, str] = field(default_factory=dict)
    n_weakest: int = 3

    @cached_property
    def group(self) -> str:
        """The kind of the units compared (``xã``, ``xã, phường, đặc khu``...): what the rank
        sentence and the headings ("median of the communes and wards compared") name."""
        if not self.unit.is_commune:
            return self.unit.kind
        return compared_kind(self.inputs.units, self.facts.gaps)

    @property
    def labels(self) -> dict[str, str]:
        return template_labels(
            self.lang, self.facts.level, is_commune=self.unit.is_commune, kind=self.group
        )


def build_commune_brief(
    res: Results,
    inputs: Inputs,
    unit_code: str,
    *,
    lang: str = "vi",
    edition: str = "default",
    figures: Mapping[str, str | os.PathLike | None] | None = None,
    n_weakest: int = 3,
) -> dict:
    """The brief of one commune (schema in :mod:`analysis.briefs`), in its reporting period.

    Args:
        res: the results of the run (gaps, pillars, rank stats, scores, weakest indicators).
        inputs: its inputs (observations, units, framework, data status).
        unit_code: the commune.
        lang: ``vi`` or ``en``.
        edition: edition name, printed in the footer and used by ``dgap brief``.
        figures: optional ``{"trend": path}`` (other names are kept for the record).
        n_weakest: how many weakest indicators to list.

    Raises:
        RenderError: unknown language, or the unit or its period is missing from the tables.
    """
    check_lang(lang)
    facts = commune_facts(res, inputs, unit_code)
    context = CommuneBrief(
        res=res,
        inputs=inputs,
        facts=facts,
        unit=unit_names(inputs.units, facts.unit_code, lang),
        names=pillar_names(inputs.framework, lang),
        lang=lang,
        edition=str(edition),
        status=data_status(inputs),
        figures=figure_paths(figures),
        n_weakest=n_weakest,
    )
    return assemble(context, SECTIONS)


# --------------------------------------------------------------------------- sections
def meta_section(c: CommuneBrief) -> dict:
    f, u, lang = c.facts, c.unit, c.lang
    meta = common_meta("commune", lang, c.edition, f.period, c.status, c.res, [c.inputs])
    source = source_of(c.inputs)
    place = commune_place(u, lang) if u.is_commune else t(f"group.{source or 'other'}", lang)
    meta.update(
        title=f"{c.labels['brief_commune']}: {u.full}",
        subtitle=" · ".join(x for x in (place, meta["period_label"]) if x),
        unit_code=f.unit_code,
        unit_name=u.name,
        unit_full_name=u.full,
        district_name=u.district,
        population=u.population,
        population_text="" if u.population is None else format_number(u.population, lang, 0),
        keywords=keywords([u.name, u.district], f.period, c.status, lang),
    )
    return {"meta": meta}


def labels_section(c: CommuneBrief) -> dict:
    return {"labels": c.labels}


def key_message_section(c: CommuneBrief) -> dict:
    scale = str((run_method(c.res, c.inputs).get("scale") or {}).get("normalise", ""))
    msg = commune_key_message(
        c.facts,
        c.unit,
        c.names,
        c.lang,
        synthetic=c.status == "synthetic",
        scale=scale,
        group=c.group,  # read only for a commune
    )
    return {"key_message": msg}


def pillars_section(c: CommuneBrief) -> dict:
    """The commune's pillars against the district median (bars span the district's min-max)."""
    gp, row, lang = c.facts.gaps, c.facts.row, c.lang
    rows = []
    for pid in config.PILLARS:
        if pid not in gp.columns or gp[pid].isna().all():
            continue  # the framework has no such pillar (e.g. no economy pillar in the EGDI)
        v, col = as_float(row[pid]), gp[pid].astype(float)
        med = as_float(col.median())
        rows.append(
            {
                "id": pid,
                "name": c.names[pid],
                "short": letter(pid, lang),
                "value": v,
                "median": med,
                "lo": as_float(col.min()),
                "hi": as_float(col.max()),
                "value_text": points(v, lang),
                "median_text": points(med, lang),
            }
        )
    return {"pillars": rows}


def index_section(c: CommuneBrief) -> dict:
    """The recomputed overall index against the median; left out for a published index it does
    not reproduce (the published value leads, the recomputation is only the check's)."""
    pp, lang = c.facts.pillars, c.lang
    mine = pp[pp["unit_code"] == c.facts.unit_code] if "index" in pp.columns else pp.iloc[:0]
    if mine.empty:
        return {"index": None}
    pub = c.facts.published
    if pub is not None and not recomputation_matches(pub, index_of(c.facts)):
        return {"index": None}
    value, median = as_float(mine.iloc[0]["index"]), as_float(pp["index"].astype(float).median())
    return {
        "index": {
            "value": value,
            "median": median,
            "value_text": points(value, lang),
            "median_text": points(median, lang),
        }
    }


def gaps_section(c: CommuneBrief) -> dict:
    """G minus each other pillar it has data for, with its indicator-selection interval, the
    same with measurement error (observations with ``se``) and its method interval (each left
    out when absent or degenerate), on the 0-100 scale."""
    row, lang = c.facts.row, c.lang
    rows = []
    for gid in gap_pillars(c.facts.gaps):
        v = as_float(row[gid])
        lo, hi = interval(row, gid, "sel")
        elo, ehi = interval(row, gid, "meas")
        mlo, mhi = interval(row, gid, "method")
        rows.append(
            {
                "id": gid,
                "label": gap_label(gid, lang),
                "value": v,
                "lo": lo,
                "hi": hi,
                "meas_lo": elo,
                "meas_hi": ehi,
                "method_lo": mlo,
                "method_hi": mhi,
                "level": c.facts.level,
                "value_text": points(v, lang),
                "interval_text": points_interval(lo, hi, lang),
                "meas_interval_text": points_interval(elo, ehi, lang),
                "method_interval_text": points_interval(mlo, mhi, lang),
                "is_established": is_established(lo, hi),
            }
        )
    return {"gaps": rows, "gap_note": gap_note(c)}


def gap_note(c: CommuneBrief) -> str:
    """The note under the gap table: the scale and what the bars are, or why there is no
    selection interval (a pillar with fewer than 2 indicators)."""
    if c.facts.thin:
        names = ", ".join(c.names.get(p, p).lower() for p in c.facts.thin)
        return t("brief.gap_note_none", c.lang, pillars=names)
    return t("brief.gap_note", c.lang)


def rank_section(c: CommuneBrief) -> dict:
    rank = c.facts.rank
    return {"rank": None if rank is None else dict(rank, **rank_texts(rank, c.lang))}


def published_section(c: CommuneBrief) -> dict:
    """The published index of a real source (DTI, EGDI, DESI): value and rank with year and
    source; the recomputation of this brief only as a check."""
    pub = c.facts.published
    if pub is None:
        return {"published": None}
    sentences = published_sentences(pub, index_of(c.facts), c.unit.subject, c.facts.period, c.lang)
    return {
        "published": dict(
            published_texts(pub, c.facts.period, c.lang),
            value=pub["value"],
            rank=pub["rank"],
            of=pub["of"],
            check_text=sentences[1] if len(sentences) > 1 else "",
        )
    }


def weakest_section(c: CommuneBrief) -> dict:
    """The weakest indicators (:func:`analysis.gaps.weakest_indicators`: largest shortfall against
    the district, ``rank`` 1 = weakest) and their distance to the 2025 target, ``direction *
    (value - target)`` in the indicator's unit (negative = short of the target)."""
    f, lang = c.facts, c.lang

    def mine(df: pd.DataFrame) -> pd.DataFrame:
        return rows_of_unit(df, f.unit_code, f.period)

    if c.inputs.framework.targets().empty:
        return {"weakest": []}  # no national target to measure a distance to (EGDI, DESI, DTI)
    order = mine(c.res.weakest).sort_values("rank", kind="stable")["indicator"].astype(str)
    values = mine(c.inputs.observations).set_index("indicator")["value"]
    scores = mine(c.res.scores)
    scores = scores[scores["level"] == "indicator"].set_index("name")["value"]
    meta = c.inputs.framework.indicators.set_index("id").to_dict("index")
    rows = []
    for ind in order.tolist()[: c.n_weakest]:
        info = meta.get(ind)
        value = as_float(values.get(ind))
        target = as_float(info["target_2025"]) if info is not None else None
        direction = int(info["direction"]) if info is not None else 1
        distance = None if target is None or value is None else direction * (value - target)
        unit = str(info["unit"]) if info is not None else ""
        score = as_float(scores.get(ind))
        rows.append(
            {
                "id": ind,
                "name": nfc(info[f"name_{lang}"]) if info is not None else ind,
                "unit": unit,
                "value": value,
                "score": score,
                "score_text": points(score, lang),
                "target_2025": target,
                "distance": distance,
                **target_texts(value, target, distance, unit, lang),
            }
        )
    return {"weakest": rows}


def figures_section(c: CommuneBrief) -> dict:
    return {"figures": c.figures}


#: The commune brief, section by section (reports/templates/commune.typ lays them out).
SECTIONS: tuple[Callable[[CommuneBrief], dict], ...] = (
    meta_section,
    labels_section,
    key_message_section,
    pillars_section,
    index_section,
    gaps_section,
    rank_section,
    published_section,
    weakest_section,
    figures_section,
)
