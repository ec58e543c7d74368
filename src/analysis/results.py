"""The results of one analysis: what the methods computed, in the contracts of DESIGN.md.

:class:`Results` is what :func:`analysis.workflow.compute_results` returns and what figures,
tables, narrative and briefs read; every table in it carries a ``status`` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .periods import period_to_time


@dataclass
class Results:
    """Everything the notebooks show, in the contracts of DESIGN.md (each table has ``status``)."""

    params: dict
    scores: pd.DataFrame
    pillars: pd.DataFrame
    gaps: pd.DataFrame
    period: str
    rank_stats: pd.DataFrame
    gap_rank_stats: pd.DataFrame | None
    gap_stats: pd.DataFrame | None
    tests: pd.DataFrame
    correlations: pd.DataFrame
    inequality: pd.DataFrame
    covariates: pd.DataFrame
    trends: pd.DataFrame
    convergence: pd.DataFrame
    contributions: pd.DataFrame
    weakest: pd.DataFrame
    targets: pd.DataFrame
    extra: dict = field(default_factory=dict)


def unit_period(res: Results, unit_code: str) -> str:
    """The period reported for one unit: the current period, or the unit's latest one if it has
    no score then (published series where units are observed in different years)."""
    have = res.pillars.loc[res.pillars["unit_code"] == str(unit_code), "period"]
    if have.empty or res.period in set(have):
        return res.period
    return max(have, key=period_to_time)
