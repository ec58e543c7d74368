"""Every generated sentence, from the numbers of a run: the notebooks' Markdown and the briefs' text.

One owner for the words. The fixed parts of every sentence (vi and en) are entries of the string
table of :mod:`analysis.i18n` (``notebook.*``, ``commune.*``, ``district.*``, ``test.*``,
``robustness.*``, ``method.*``, ``source.*``, ``place.*``); numbers, intervals, p-values, levels
and periods are written by its ``format_*`` functions. No other module words a result: the
briefs (:mod:`analysis.briefs`) lay these texts out, the notebooks display them.

* :mod:`.facts`: the numbers a sentence states, selected from :class:`analysis.results.Results`
  (a commune's gap row and rank, how a unit and a pillar are named);
* :mod:`.brief`: the briefs' key messages, rank and test texts, robustness note, method box,
  sources and place names;
* :mod:`.notebook`: the notebooks' ``describe_*`` paragraphs.
"""

from __future__ import annotations

from .brief import (
    commune_key_message,
    district_key_message,
    gap_sentence,
    method_box,
    rank_sentence,
    robustness_sentences,
    society_sentence,
    sources,
)
from .facts import CommuneFacts, UnitNames, commune_facts, pillar_names, unit_names
from .notebook import (
    describe_commune,
    describe_coverage,
    describe_diagnostics,
    describe_gaps,
    describe_merger,
    describe_pillars,
    describe_robustness,
    describe_status,
)

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
    "describe_pillars",
    "describe_robustness",
    "describe_status",
    "district_key_message",
    "gap_sentence",
    "method_box",
    "pillar_names",
    "rank_sentence",
    "robustness_sentences",
    "society_sentence",
    "sources",
    "unit_names",
]
