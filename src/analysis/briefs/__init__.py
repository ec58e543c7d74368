"""PDF briefs in Vietnamese and English: the content (a structured brief, JSON) and its rendering.

A *brief* is a plain, JSON-serialisable dict. Two halves:

* content: :func:`build_commune_brief` (:mod:`.commune`) and :func:`build_district_brief`
  (:mod:`.district`) make one from the :class:`~analysis.results.Results` and
  :class:`~analysis.loaders.Inputs` of a run, section by section; the words come from
  :mod:`analysis.narrative` and :mod:`analysis.i18n`; :mod:`.common` holds what both share.
* render (:mod:`.render`, light: no pandas): :func:`render_brief` turns a brief into a PDF with
  the Typst templates in ``reports/templates/`` and saves the brief next to the PDF
  (``<unit>_<lang>.json``) so that :func:`render_saved_brief` (``dgap brief``) can re-render it
  later without recomputing anything; :func:`validate_brief` (:mod:`.validate`) checks a brief
  against the schema below.

The content builders are imported on first use, so ``from analysis.briefs import
render_saved_brief`` stays fast.

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
                  scale          "target" | "goalposts" | "minmax" | "zscore" | "rank" | ...
                  method         [{id, label, text}]  the method box, generated from the method
                                 that ran (:func:`analysis.narrative.method_rows`): framework,
                                 scale, weights, aggregation, imputation, interval, uncertainty,
                                 joint (rows with nothing to say are left out), data
                  sources        [str]  from the provenance of the inputs
                                 (:func:`analysis.narrative.provenance_of`)
                  keywords       [str]
    labels        {key: str}  every fixed string of the template, in the brief's language
    key_message   [str]  sentences generated from the numbers; the first starts with
                  "Dữ liệu minh họa:" / "Illustrative data:" when the data are synthetic
    pillars       [{id, name, short, value, median, lo, hi, value_text, median_text}]
                  (values 0-1, texts in points 0-100; commune: lo/hi = district min/max;
                  district: value = median)
    index         {value, median, value_text, median_text} | null  (null for a published
                  index the recomputation does not reproduce)
    gaps          [{id ("gap_econ"|"gap_soc"|"gap_mean"), label, value, lo, hi, meas_lo,
                    meas_hi, method_lo, method_hi, level, value_text, interval_text,
                    meas_interval_text, method_interval_text, is_established}]   (commune
                  brief; only gaps whose pillars both exist; lo/hi: indicator-selection
                  interval, meas_*: the same with measurement error (observations with ``se``),
                  method_*: method interval)
    gap_note      str  the scale and the bars, or why there is no selection interval
    rank          {nominal, q05, q95, n, text, interval_text} | null   (commune brief)
    published     {name, value, value_text, rank, of, rank_text, source, check_text,
                   pillars: [{id, short, value_text, rank_text}]} | null
                  the published index of a real source (DTI, EGDI, DESI), shown first, with
                  the published pillar values and ranks where the source has them (DTI)
    weakest       [{id, name, unit, value, value_text, score, score_text, target_2025,
                    target_text, distance, distance_text, is_met}]   (commune brief;
                  distance = direction * (value - target), negative = short of the target)
    figures       {name: path}  optional PNG/SVG ("trend" for a commune; "dumbbell", "map",
                  "post2025" for the district); relative paths are relative to the PDF folder
    ranking       [{unit_code, name, rank, q05, q95, index, index_text, rank_text,
                    interval_text, gap_econ_text, gap_soc_text, typology, is_highlight}]
                  (district; more than 30 units: the top and bottom 10 and the highlighted)
    ranking_n     int  the number of units ranked
    ranking_note  str  what a shortened ranking lists and where the full one is, or ""
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

import importlib

from .render import brief_path, load_brief, render_brief, render_saved_brief
from .validate import DATA_STATUSES, KINDS, LANGS, SCHEMA, validate_brief

#: content builders, imported on first use (they need pandas and the results of a run)
_LAZY = {"build_commune_brief": ".commune", "build_district_brief": ".district"}

__all__ = [
    "DATA_STATUSES",
    "KINDS",
    "LANGS",
    "SCHEMA",
    "brief_path",
    "build_commune_brief",
    "build_district_brief",
    "load_brief",
    "render_brief",
    "render_saved_brief",
    "validate_brief",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
