"""The district brief: a context read once from the run, then one builder per section.

A section builder takes the :class:`DistrictBrief` context and returns the brief fields it fills;
:data:`SECTIONS` lists them in order. Every text comes from :mod:`analysis.narrative` or the
``brief.*`` strings of :mod:`analysis.i18n`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from .. import config
from ..i18n import format_number, t
from ..loaders import Inputs
from ..narrative.brief import (
    district_full_name,
    district_key_message,
    interval_text,
    keywords,
    letter,
    number_text,
    p_text,
    points,
    points_interval,
    province_name,
    rank_span,
    robustness_sentences,
    test_texts,
    typology_label,
    units_noun,
)
from ..narrative.facts import (
    as_float,
    check_gap_columns,
    claims_of,
    gap_pillars,
    rank_rows,
    rows_of_period,
    source_of,
    thin_pillars,
)
from ..narrative.method import run_method
from ..narrative.names import (
    compared_kind,
    count_units,
    equals,
    is_commune_group,
    nfc,
    pillar_names,
    unit_names,
)
from ..results import Results
from .common import assemble, common_meta, data_status, figure_paths, template_labels
from .validate import check_lang


@dataclass
class DistrictBrief:
    """What the sections of the district brief read."""

    res: Results
    inputs: Inputs
    lang: str
    edition: str
    gaps: pd.DataFrame  #: gap rows of the current period
    pillars: pd.DataFrame  #: pillar rows of the current period
    post2025: tuple[Results, Inputs] | None = None
    sensitivity: pd.DataFrame | None = None
    figures: dict[str, str] = field(default_factory=dict)
    highlight: tuple[str, ...] = ()  #: units always listed in a shortened ranking

    @property
    def period(self) -> str:
        return self.res.period

    @property
    def level(self) -> float:
        return float(self.res.params["ci_level"])

    @cached_property
    def status(self) -> str:
        return data_status(self.inputs, *([self.post2025[1]] if self.post2025 else []))

    @cached_property
    def names(self) -> dict[str, str]:
        return pillar_names(self.inputs.framework, self.lang)

    @cached_property
    def kind(self) -> str:
        """The kind of units compared: ``xã`` (a district), ``xã, phường`` (a province's
        communes and wards), ``country``, ``province``..."""
        return compared_kind(self.inputs.units, self.gaps)

    @property
    def is_district(self) -> bool:
        return is_commune_group(self.kind)

    @property
    def labels(self) -> dict[str, str]:
        return template_labels(self.lang, self.level, is_commune=self.is_district, kind=self.kind)

    @cached_property
    def tests(self) -> list[dict]:
        return test_rows(self.res, self.period, self.lang, self.level, self.kind)


def build_district_brief(
    res: Results,
    inputs: Inputs,
    *,
    lang: str = "vi",
    edition: str = "default",
    figures: Mapping[str, str | os.PathLike | None] | None = None,
    post2025: tuple[Results, Inputs] | None = None,
    sensitivity: pd.DataFrame | None = None,
    highlight: str | Iterable[str] = (),
) -> dict:
    """The district brief (schema in :mod:`analysis.briefs`) for the run's current period.

    Args:
        res: the results of the run (gaps, pillars, tests, correlations, rank stats).
        inputs: its inputs (units, framework, data status).
        lang: ``vi`` or ``en``.
        edition: edition name, printed in the footer and used by ``dgap brief``.
        figures: optional ``{"dumbbell": path, "map": path, "post2025": path}``.
        post2025: the results and inputs of the post-2025 communes (:func:`analysis.loaders.
            merge_inputs`); adds the post-2025 section.
        sensitivity: optional sensitivity table (``choice, target, STi, ...``) for the
            robustness note.
        highlight: unit codes (a list or ``"VNM,THA"``) listed in the ranking even when it is
            shortened to its top and bottom (more than :data:`MAX_RANKING_ROWS` units).

    Raises:
        RenderError: unknown language, or the period is missing from the tables.
    """
    check_lang(lang)
    check_gap_columns(res.gaps)
    context = DistrictBrief(
        res=res,
        inputs=inputs,
        lang=lang,
        edition=str(edition),
        gaps=rows_of_period(res.gaps, res.period, "gap"),
        pillars=rows_of_period(res.pillars, res.period, "pillar"),
        post2025=post2025,
        sensitivity=sensitivity,
        figures=figure_paths(figures),
        highlight=highlight_codes(highlight),
    )
    return assemble(context, SECTIONS)


def highlight_codes(highlight: str | Iterable[str] | None) -> tuple[str, ...]:
    """Unit codes from ``"VNM, THA"`` or a list.

    >>> highlight_codes("VNM, THA,"), highlight_codes(["49"]), highlight_codes(None)
    (('VNM', 'THA'), ('49',), ())
    """
    if not highlight:
        return ()
    items = highlight.split(",") if isinstance(highlight, str) else highlight
    return tuple(c for c in (str(x).strip() for x in items) if c)


#: a ranking longer than this is shortened to its top and bottom :data:`N_TOP` (plus the
#: highlighted units) so that the brief keeps its length; the tables hold the full ranking
MAX_RANKING_ROWS = 30
N_TOP = 10


# --------------------------------------------------------------------------- tables of rows
def test_rows(res: Results, period: str, lang: str, level: float, kind: str = "xã") -> list[dict]:
    """The district tests of ``period``: paired Wilcoxon tests (:func:`analysis.gaps.
    test_pillar_gaps`), then Spearman correlations (:func:`analysis.gaps.
    compute_pillar_correlations`)."""
    out = []
    for table in (res.tests, res.correlations):
        if table is None:
            continue
        if "period" in table.columns:
            table = table[equals(table["period"], period)]
        for rec in table.to_dict("records"):
            if "comparison" in rec:
                est, lo, hi = as_float(rec.get("median_diff")), None, None
            else:
                est, lo, hi = (as_float(rec.get(k)) for k in ("rho", "rho_lo", "rho_hi"))
            if not as_float(rec.get("n")) or (as_float(rec.get("p_value")) is None and est is None):
                continue  # no test on these pillars (no economy pillar) or too few units
            text = test_texts(rec, lang, level, kind)
            n, p = as_float(rec.get("n")), as_float(rec.get("p_holm", rec.get("p_value")))
            out.append(
                {
                    "id": text["id"],
                    "label": nfc(text["label"]),
                    "n": None if n is None else int(n),
                    "estimate": est,
                    "lo": lo,
                    "hi": hi,
                    "p_value": p,
                    # a median difference of scores in points (0-100), a correlation as it is
                    "estimate_text": points(est, lang)
                    if "comparison" in rec
                    else number_text(est, lang),
                    "interval_text": interval_text(lo, hi, lang),
                    "detail_text": text["detail"],
                    "p_text": p_text(rec, lang),
                }
            )
    return out


def ranking_rows(
    gaps: pd.DataFrame, pillars: pd.DataFrame | None, rank_stats, units: pd.DataFrame, lang: str
) -> list[dict]:
    """Rows of a ranking table, sorted by nominal rank (rank stats), else by the index, else by
    the mean of the pillars."""
    tab = gaps.assign(unit_code=gaps["unit_code"].astype(str)).set_index("unit_code")
    if pillars is not None and "index" in pillars.columns:
        idx = pillars.assign(unit_code=pillars["unit_code"].astype(str)).set_index("unit_code")
        tab = tab.join(idx[["index"]], how="left")
    if rank_stats is not None and len(rank_stats):
        rs = rank_stats.assign(unit_code=rank_stats["unit_code"].astype(str)).set_index("unit_code")
        tab = tab.join(rs[[c for c in ("nominal", "q05", "q95") if c in rs.columns]], how="left")
    elif "index" in tab.columns:
        tab["nominal"] = tab["index"].rank(ascending=False, method="min")
    else:  # no index: rank on the equal-weight mean of the pillars
        mean = tab[list(config.PILLARS)].astype(float).mean(axis=1)
        tab["nominal"] = mean.rank(ascending=False, method="min")
    tab = tab.sort_values(["nominal"], kind="stable")
    has_economy = "economy" in tab.columns and tab["economy"].notna().any()
    rows = []
    for code, r in tab.iterrows():
        nominal, q05, q95 = (as_float(r.get(k)) for k in ("nominal", "q05", "q95"))
        nominal, q05, q95 = (None if v is None else int(round(v)) for v in (nominal, q05, q95))
        typ = r.get("typology")
        typ = str(typ) if isinstance(typ, str) or (typ is not None and not pd.isna(typ)) else None
        index = as_float(r.get("index"))
        rows.append(
            {
                "unit_code": code,
                "name": unit_names(units, code, lang).name,
                "rank": nominal,
                "q05": q05,
                "q95": q95,
                "index": index,
                "index_text": points(index, lang),
                "rank_text": "" if nominal is None else format_number(int(nominal), lang),
                "interval_text": "" if q05 is None else rank_span(q05, q95, lang),
                "gap_econ": as_float(r["gap_econ"]),
                "gap_soc": as_float(r["gap_soc"]),
                "gap_econ_text": points(as_float(r["gap_econ"]), lang),
                "gap_soc_text": points(as_float(r["gap_soc"]), lang),
                "typology": typology_label(typ, lang, has_economy=has_economy) if typ else "",
            }
        )
    return rows


# --------------------------------------------------------------------------- sections
def _district(units: pd.DataFrame) -> tuple[str, str, str]:
    """(code, name, province) of the units' district: the first unit's ``parent_code`` and
    ``former_district``; ``province_vi`` for post-2025 communes. A table of several districts
    or provinces (a province, the country) has no district: name ``""``."""
    code, name, province = "district", "", ""
    if len(units):
        u0 = units.iloc[0]
        code = str(u0.get("parent_code", "district")) or "district"
        name = nfc(u0.get("former_district", ""))
        if "former_district" in units.columns and units["former_district"].nunique() > 1:
            code, name = "area", ""
    if "province_vi" in units.columns:
        pv = units["province_vi"].dropna().unique()
        province = nfc(pv[0]) if len(pv) == 1 else ("" if len(pv) == 0 else "*")
    return code, name, province


def _area_name(name: str, province: str, lang: str) -> str:
    """What a commune-level brief covers: a (former) district, a province's communes and wards,
    or the country's (``province == "*"``: several provinces)."""
    if name:
        return district_full_name(name, "" if province == "*" else province, lang)
    if province == "*":
        return t("place.country_communes", lang)
    if province:
        return t("place.province_communes", lang, province=province_name(province, lang))
    return district_full_name(name, province, lang)


def meta_section(c: DistrictBrief) -> dict:
    lang = c.lang
    inputs = [c.inputs, *([c.post2025[1]] if c.post2025 else [])]
    meta = common_meta("district", lang, c.edition, c.period, c.status, c.res, inputs)
    if c.is_district:
        code, name, province = _district(c.inputs.units)
        full = _area_name(name, province, lang)
        post = bool(province)
        if not name and province:  # a province or the country, not a district
            code = "area"
    else:  # a group of provinces or countries of a published source
        code, name, post = "group", "", False
        full = t(f"group.{source_of(c.inputs) or 'other'}", lang)
    meta.update(
        title=f"{labels_section(c)['labels']['brief_district']}: {full}",
        subtitle=" · ".join(
            [count_units(len(c.gaps), c.kind, lang, post2025=post), meta["period_label"]]
        ),
        unit_code=code,
        unit_name=name,
        unit_full_name=full,
        district_name=name,
        population=None,
        population_text="",
        keywords=keywords([name or full], c.period, c.status, lang),
    )
    return {"meta": meta}


def _period_rows(table: pd.DataFrame | None, period: str) -> pd.DataFrame | None:
    if table is None or "period" not in table.columns:
        return table
    return table[equals(table["period"], period)]


def labels_section(c: DistrictBrief) -> dict:
    """The template's fixed strings; a brief of a province's or the country's communes is a
    comparative brief, not a district's."""
    labels = c.labels
    if c.is_district:
        _code, name, province = _district(c.inputs.units)
        if not name and province:
            labels = {**labels, "brief_district": labels["brief_area"]}
    return {"labels": labels}


def key_message_section(c: DistrictBrief) -> dict:
    scale = str((run_method(c.res, c.inputs).get("scale") or {}).get("normalise", ""))
    msg = district_key_message(
        c.gaps,
        c.names,
        c.level,
        c.lang,
        claims=claims_of(c.res, c.period),
        kind=c.kind,
        synthetic=c.status == "synthetic",
        thin=thin_pillars(c.inputs.framework),
        scale=scale,
    )
    return {"key_message": msg}


def pillars_section(c: DistrictBrief) -> dict:
    """Median of each pillar over the units, with their range, on the 0-100 scale."""
    rows = []
    for pid in config.PILLARS:
        if pid not in c.gaps.columns or c.gaps[pid].isna().all():
            continue  # the framework has no such pillar (no economy pillar in the EGDI)
        col = c.gaps[pid].astype(float)
        med, lo, hi = as_float(col.median()), as_float(col.min()), as_float(col.max())
        rows.append(
            {
                "id": pid,
                "name": c.names[pid],
                "short": letter(pid, c.lang),
                "value": med,
                "median": med,
                "lo": lo,
                "hi": hi,
                "value_text": points(med, c.lang),
                "median_text": points(med, c.lang),
                "range_text": points_interval(lo, hi, c.lang),
            }
        )
    return {"pillars": rows}


def index_section(c: DistrictBrief) -> dict:
    if "index" not in c.pillars.columns:
        return {"index": None}
    med = as_float(c.pillars["index"].astype(float).median())
    text = points(med, c.lang)
    return {"index": {"value": med, "median": med, "value_text": text, "median_text": text}}


def ranking_section(c: DistrictBrief) -> dict:
    """The ranking; with more than :data:`MAX_RANKING_ROWS` units only the top and the bottom
    :data:`N_TOP` and the highlighted units, with a note that says so and where the full ranking
    is (the run's tables)."""
    ranks = rank_rows(c.res.rank_stats, c.period)
    rows = ranking_rows(c.gaps, c.pillars, ranks, c.inputs.units, c.lang)
    for r in rows:
        r["is_highlight"] = r["unit_code"] in c.highlight
    n = len(rows)
    if n <= MAX_RANKING_ROWS:
        return {"ranking": rows, "ranking_n": n, "ranking_note": ""}
    middle = [r for r in rows[N_TOP : n - N_TOP] if r["is_highlight"]]
    tables = ["tables/gaps.csv"]
    if ranks is not None and len(ranks):
        tables.append("tables/rank_stats.csv")
    note = t(
        "district.ranking_short" if middle else "district.ranking_short_plain",
        c.lang,
        top=N_TOP,
        k=len(middle),
        n=n,
        units=units_noun(c.kind, c.lang),
        tables=f" {t('format.and', c.lang)} ".join(tables),
    )
    return {
        "ranking": rows[:N_TOP] + middle + rows[n - N_TOP :],
        "ranking_n": n,
        "ranking_note": note,
    }


def tests_section(c: DistrictBrief) -> dict:
    return {"tests": c.tests}


def typology_section(c: DistrictBrief) -> dict:
    """How many communes fall in each typology class, largest first."""
    if "typology" not in c.gaps.columns:
        return {"typology": []}
    counts = c.gaps["typology"].dropna().astype(str).value_counts()
    return {
        "typology": [
            {
                "id": tid,
                "label": typology_label(tid, c.lang, has_economy="gap_econ" in gap_pillars(c.gaps)),
                "count": int(counts[tid]),
            }
            for tid in sorted(counts.index, key=lambda k: (-counts[k], k))
        ]
    }


def robustness_section(c: DistrictBrief) -> dict:
    ranks = rank_rows(c.res.rank_stats, c.period)
    return {"robustness": robustness_sentences(ranks, c.sensitivity, c.lang, c.kind)}


def post2025_section(c: DistrictBrief) -> dict:
    """The post-2025 communes ranked (their scores re-aggregated from the former communes)."""
    if c.post2025 is None:
        return {"post2025": None}
    res, inputs = c.post2025
    gaps = rows_of_period(res.gaps, c.period, "post-2025 gap")
    pillars = rows_of_period(res.pillars, c.period, "post-2025 pillar")
    ranks = rank_rows(res.rank_stats, c.period)
    return {
        "post2025": {
            "ranking": ranking_rows(gaps, pillars, ranks, inputs.units, c.lang),
            "note": t("district.post2025_note", c.lang),
        }
    }


def figures_section(c: DistrictBrief) -> dict:
    return {"figures": c.figures}


#: The district brief, section by section (reports/templates/district.typ lays them out).
SECTIONS: tuple[Callable[[DistrictBrief], dict], ...] = (
    meta_section,
    labels_section,
    key_message_section,
    pillars_section,
    index_section,
    ranking_section,
    tests_section,
    typology_section,
    robustness_section,
    post2025_section,
    figures_section,
)
