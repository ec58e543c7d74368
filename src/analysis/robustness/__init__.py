"""Robustness of ranks and gaps: Monte Carlo uncertainty analysis and variance-based (Sobol)
sensitivity analysis over method choices, evaluated as array operations on the batched
composite engine (:mod:`analysis.composite`).

Method (OECD/JRC Handbook, ch. 7; Saisana, Saltelli & Tarantola 2005; COINr ``get_sensitivity``):

* A **spec** names the uncertain choices and their alternatives (see :func:`load_spec`):
  ``imputation``, ``winmax`` (outlier treatment, ``off`` = none), ``normalisation``,
  ``weights`` (each level's weights perturbed by +/- x % uniform, or one of K weight sets),
  ``aggregation`` and ``leave_one_out`` (an indicator gets weight 0). Choices the spec does not
  list stay at the **base** pipeline, which also gives the *nominal* scores and ranks; its
  ``order`` is the step order of :func:`analysis.composite.compute_index`. Method labels are
  read by the one parser, :mod:`analysis.composite.spec`.
* Every discrete data variant is computed ONCE: imputation x treatment x normalisation gives
  a stack ``(M, T, K, units, indicators)``; a run only picks its slice. Weights and the
  aggregation power are per-run arrays ``(R, n_nodes)`` and ``(R,)``.
* A run's scores come from one of two exact evaluators: where the data variant is complete,
  a nested generalised mean with one power at every level equals the power mean of the
  indicators with their *effective* weights (product of the sibling-normalised weights on the
  path), so all runs sharing a data variant are one matrix product; where values are missing
  (weights of missing children are re-normalised level by level) the runs go, in chunks,
  through :func:`analysis.composite.aggregate_tree` with ``weights (V, n_nodes)`` and
  ``p (V,)``. Both give the same numbers (tested).
* **Uncertainty**: ``draws`` runs, each choice drawn uniformly among its alternatives with a
  seeded generator. Rank statistics per unit: nominal rank, mean, median, 5th and 95th
  percentile, mean absolute shift from the nominal rank, probability of being in the top or
  bottom ``k``. Gaps (when the tree has pillars ``government``, ``economy``, ``society``):
  ``gap_econ = G - E``, ``gap_soc = G - S``, ``gap_mean = G - (E + S) / 2`` per run, by the gap
  formula of :mod:`analysis.gaps.formula`; :func:`add_method_intervals` adds their 5-95 %
  interval (the *method interval*), the share of draws in which each gap is positive and
  whether its sign is robust to a gap table (robustness consumes gaps, never the reverse).
  :func:`gap_spec` makes the nominal run the analysis that ran and draws the scale among the
  absolute scales (targets 2025 / 2030, goalposts, percentages on [0, 100]);
  :func:`describe_monte_carlo` records what was drawn.
* **Sensitivity**: a Saltelli/Sobol design from SALib (``SALib.sample.sobol.sample``, ``N (d + 2)``
  runs), each uniform coordinate mapped to one of the choice's alternatives by equal-width bins
  (``floor(u * n)``), and ``SALib.analyze.sobol.analyze`` (first-order and total indices,
  bootstrap confidence intervals). Targets: the mean absolute rank shift of a run (COINr's
  target) and, when pillars exist, every unit's gaps.

Everything is seeded: the same seed gives identical outputs (bit for bit). The computation is
single-process numpy (no workers); the chunk size (a memory knob) changes nothing but BLAS
rounding (~1e-15 relative).

Modules: ``spec`` (the spec), ``design`` (data variants), ``evaluate`` (scores of many runs),
``uncertainty``, ``replay``, ``sensitivity``, ``tidy`` (our commune panel), ``gap_spec`` (the
spec and description of one analysis's Monte Carlo), ``gap_intervals``, ``run``
(``dgap robustness``).
"""

from __future__ import annotations

from .gap_intervals import (
    SIGN_ROBUST,
    add_method_intervals,
    method_intervals,
    no_method_intervals,
)
from .gap_spec import describe_monte_carlo, gap_spec
from .run import run_robustness
from .sensitivity import run_sensitivity
from .spec import CHOICES, RUN_COLUMNS, list_specs, load_spec
from .tidy import run_uncertainty_tidy, tidy_to_wide
from .uncertainty import UncertaintyResult, run_uncertainty

__all__ = [
    "CHOICES",
    "RUN_COLUMNS",
    "SIGN_ROBUST",
    "UncertaintyResult",
    "add_method_intervals",
    "describe_monte_carlo",
    "gap_spec",
    "list_specs",
    "load_spec",
    "method_intervals",
    "no_method_intervals",
    "run_robustness",
    "run_sensitivity",
    "run_uncertainty",
    "run_uncertainty_tidy",
    "tidy_to_wide",
]
