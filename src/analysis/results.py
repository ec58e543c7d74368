"""The results of one analysis: what the methods computed, in the contracts of DESIGN.md.

:class:`Results` is what :func:`analysis.workflow.compute_results` returns and what figures,
tables, narrative and briefs read; every table in it carries a ``status`` column.
``Results.method`` is the structured description of the method that ran (:func:`method_record`):
every method sentence of a brief or notebook is written from it, nothing else.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from .periods import period_to_time

#: The joint statements of the district claims.
JOINT_METHOD = "max-t (Romano & Wolf 2005)"
#: The multiplicity correction of the district tests and covariate associations.
MULTIPLICITY = "Holm (1979) across covariates and periods"


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"status": pd.Series(dtype=str)})


@dataclass
class Results:
    """Everything the notebooks show, in the contracts of DESIGN.md (each table has ``status``).

    Besides the tables: ``claims`` (district claims stated jointly, one row per period and gap:
    :func:`analysis.gaps.compute_district_claims`), ``inequality_differences`` (paired
    bootstrap of the pillars' Gini and SD differences) and ``method`` (what ran, JSON-able:
    :func:`method_record`).
    """

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
    claims: pd.DataFrame = field(default_factory=_empty)
    inequality_differences: pd.DataFrame = field(default_factory=_empty)
    method: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def _clean(obj):
    """A JSON-able copy: numpy scalars as Python numbers, NaN as None, tuples as lists."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def method_record(
    *,
    scale: dict,
    weights: dict,
    aggregation: str,
    imputation: str,
    selection_interval: dict,
    monte_carlo: dict | None = None,
    measurement_interval: dict | None = None,
    joint_level: float | None = None,
    convergence: dict | None = None,
    relative_check: str | None = None,
) -> dict:
    """``Results.method``: the structured description of the method that ran.

    Built by the methods layer from the spec that ran (never from defaults): ``scale``
    (:func:`analysis.composite.scales.describe_scale`), ``weights``
    (:func:`analysis.composite.weights.describe_weights`), ``aggregation`` (within and across
    pillars), ``imputation``, ``selection_interval`` (level, resamples, method),
    ``measurement_interval`` (only when observations carry ``se``), ``monte_carlo``
    (:func:`analysis.robustness.describe_monte_carlo`; absent when it did not run), ``joint``
    (level and method of the simultaneous bounds), ``multiplicity``, ``convergence`` and
    ``relative_check`` (the relative scale reported for transparency).

    Raises:
        TypeError: a value that cannot be written as JSON.
    """
    out: dict = {
        "scale": scale,
        "weights": weights,
        "aggregation": {"within_pillars": aggregation, "across_pillars": aggregation},
        "imputation": imputation,
        "selection_interval": selection_interval,
    }
    if measurement_interval is not None:
        out["measurement_interval"] = measurement_interval
    if monte_carlo is not None:
        out["monte_carlo"] = monte_carlo
    if joint_level is not None:
        out["joint"] = {"level": joint_level, "method": JOINT_METHOD}
    out["multiplicity"] = MULTIPLICITY
    if convergence is not None:
        out["convergence"] = convergence
    if relative_check is not None:
        out["relative_check"] = relative_check
    out = _clean(out)
    json.dumps(out)  # JSON-able, or a TypeError naming the value
    return out


def unit_period(res: Results, unit_code: str) -> str:
    """The period reported for one unit: the current period, or the unit's latest one if it has
    no score then (published series where units are observed in different years)."""
    have = res.pillars.loc[res.pillars["unit_code"] == str(unit_code), "period"]
    if have.empty or res.period in set(have):
        return res.period
    return max(have, key=period_to_time)
