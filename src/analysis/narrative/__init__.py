"""Every generated sentence, from the numbers of a run: the notebooks' Markdown and the briefs' text.

One owner for the words. The fixed parts of every sentence (vi and en) are entries of the string
table of :mod:`analysis.i18n` (``notebook.*``, ``commune.*``, ``district.*``, ``test.*``,
``robustness.*``, ``method.*``, ``source.*``, ``place.*``); numbers, intervals, p-values, levels
and periods are written by its ``format_*`` functions. No other module words a result: the
briefs (:mod:`analysis.briefs`) lay these texts out, the notebooks display them.

* :mod:`.facts`: the numbers a sentence states, selected from :class:`analysis.results.Results`
  (a commune's gap row, intervals, sign shares and rank; the district claims; the published
  index of a real source);
* :mod:`.names`: how units (communes, provinces, countries), groups and pillars are named;
* :mod:`.method`: the method that ran (``Results.method``, or derived from the parameters) and
  its wording (the brief's method box, the notebooks' method paragraph);
* :mod:`.provenance`: the datasets a run used (``Inputs.provenance``, or derived from the
  inputs) and the brief's source list;
* :mod:`.brief`: the briefs' key messages, rank and test texts, robustness note and places;
* :mod:`.notebook`: the notebooks' ``describe_*`` paragraphs.
"""

from __future__ import annotations

from .brief import (
    commune_key_message,
    district_key_message,
    gap_sentence,
    other_gap_sentence,
    rank_sentence,
    robustness_sentences,
)
from .facts import CommuneFacts, commune_facts
from .method import method_paragraph, method_rows, run_method
from .names import UnitNames, pillar_names, unit_names
from .notebook import (
    describe_commune,
    describe_coverage,
    describe_diagnostics,
    describe_gaps,
    describe_merger,
    describe_method,
    describe_pillars,
    describe_robustness,
    describe_status,
)
from .provenance import provenance_of, source_list

__all__ = [
    "CommuneFacts",
    "UnitNames",
    "commune_facts",
    "commune_key_message",
    "describe_commune",
    "describe_coverage",
    "describe_diagnostics",
    "describe_gaps",
    "describe_merger",
    "describe_method",
    "describe_pillars",
    "describe_robustness",
    "describe_status",
    "district_key_message",
    "gap_sentence",
    "method_paragraph",
    "method_rows",
    "other_gap_sentence",
    "pillar_names",
    "provenance_of",
    "rank_sentence",
    "robustness_sentences",
    "run_method",
    "source_list",
    "unit_names",
]
