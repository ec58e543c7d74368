"""Composite-indicator engine (OECD/JRC Handbook; COINr conventions), batched and vectorised.

* :mod:`.arrays`: the numpy core on ``(*batch, units, indicators)`` arrays: normalise,
  aggregate up a :class:`Tree` (any depth), rank; NaN is missing and is skipped, never filled.
* :mod:`.steps`: denominate, impute, screen and treat one wide table; :mod:`.weights`.
* :mod:`.index`: :func:`compute_index`, the whole pipeline on a wide table in the user's step
  order; :mod:`.coinr`: COINr ``iData``/``iMeta`` files and ``dgap index`` (:func:`run_index`).
* :mod:`.pipeline`: :func:`compute_scores` / :func:`pillar_table` on our tidy panels, and presets.
* :mod:`.spec`: the one parser of method strings (order, normalisation, treatment, imputation,
  aggregation, weights), shared with :mod:`analysis.robustness` and the CLI.

The API, the conventions (direction, min-max, goalposts, JRC treatment, weights, aggregation,
ranks, status) and how they were checked against COINr are in ``docs/composite.md``.
"""

from __future__ import annotations

from ._tree import Tree
from .arrays import (
    aggregate_tree,
    effective_weights,
    kurt,
    normalise_array,
    normalise_variants,
    rank_array,
    skew,
)
from .coinr import CoinData, load_coinr, run_index
from .diagnostics import compute_diagnostics
from .index import CompositeResult, compute_index
from .pipeline import (
    Preset,
    compute_scores,
    get_preset,
    list_presets,
    pillar_table,
)
from .spec import DEFAULT_ORDER, STEPS, parse_order
from .steps import denominate, impute, screen_units, treat_outliers
from .weights import compute_weights

__all__ = [
    "DEFAULT_ORDER",
    "STEPS",
    "CoinData",
    "CompositeResult",
    "Preset",
    "Tree",
    "aggregate_tree",
    "compute_diagnostics",
    "compute_index",
    "compute_scores",
    "compute_weights",
    "denominate",
    "effective_weights",
    "get_preset",
    "impute",
    "kurt",
    "list_presets",
    "load_coinr",
    "normalise_array",
    "normalise_variants",
    "parse_order",
    "pillar_table",
    "rank_array",
    "run_index",
    "screen_units",
    "skew",
    "treat_outliers",
]
