"""Gap analysis: does digital government run ahead of the digital economy and society?

Pure functions over the tidy score table (``unit_code, period, level, name, value, status``) and
the tables derived from it. Every result is a tidy :class:`pandas.DataFrame` whose intervals are
explicit ``*_lo`` / ``*_hi`` columns and whose ``status`` column is the worst data status of the
inputs (``synthetic`` > ``imputed`` > ``estimated`` > ``observed``): anything computed from
synthetic values stays synthetic. The gap formula has one owner, :mod:`analysis.gaps.formula`.

The full method text, written to be cited, is ``docs/methods.md`` (section "Gap analysis"). In
short, with pillar scores G (government), E (economy) and S (society) on the 0..1 scale:

Per commune and period (:func:`compute_gaps`)
    ``gap_econ = G - E``, ``gap_soc = G - S``, ``gap_mean = G - (E + S) / 2``;
    ``ratio_econ = G / E``, ``ratio_soc = G / S``; ``z_*`` = the gap standardised across the
    communes of the same period (mean 0, sample SD 1); ranks 1 = highest within the period.
    Indicator-selection interval (``*_sel_lo`` / ``*_sel_hi``): bootstrap over the indicators
    within each pillar (the same resample of indicators for every commune; B >= 2000; seeded),
    percentile interval with a small-sample expansion by default (``sel_method="expanded"``;
    ``"percentile"`` for the plain one); with a measurement standard error (``se``) also
    ``*_meas_lo`` / ``*_meas_hi``. The method interval (``*_method_lo`` / ``*_method_hi``) and
    the sign share (``*_share_positive``, ``*_sign_robust``) are added downstream by
    :func:`analysis.robustness.add_method_intervals`: robustness consumes gaps, never the reverse.
    Typology from ``gap_mean`` and the mean level ``(G + E + S) / 3`` with thresholds ``delta``
    (default 0.10) and ``high`` (default 0.50); stability = share of bootstrap resamples that give
    the same class.

Missing pillars (real frameworks such as the UN EGDI, which has government and society only)
    The framework needs ``government`` and at least one of ``economy`` / ``society``. A pillar the
    framework does not have (or that has no data at all) gives NaN pillar columns, NaN gaps against
    it (``gap_econ`` for the EGDI), NaN ranks and z-scores, and no test or correlation (district
    functions keep the row with ``n = 0`` and NaN). ``gap_mean`` is then G minus the mean of the
    non-government pillars that are available: ``G - S`` without economy, ``G - E`` without
    society (``df.attrs["comparison_pillars"]`` lists them); the typology is computed from that
    ``gap_mean`` and the mean level of G and the available pillars. A unit-period missing a pillar
    that the framework has still gets NaN gaps (the definition does not change from unit to unit).

Pillars with fewer than 2 indicators (the DTI published pillars; DESI digital public services)
    Resampling one indicator always returns the same indicator, so a bootstrap-over-indicators
    interval would be a zero-width artefact. Rule: **NaN interval = a pillar of the gap has fewer
    than 2 (non-missing) indicators for that unit and period; point gap only**, and
    ``typology_stability`` is NaN for such rows. A degenerate interval (no spread) is NaN too.
    ``df.attrs["interval_notes"]`` (``{gap: text}``) says why a gap has no interval.

Modules: ``formula`` (the gap formula), ``commune`` (per commune), ``_selection`` (the
selection bootstrap, block by block), ``claims`` (district claims stated jointly),
``decomposition``, ``district`` (tests, correlations, inequality), ``covariates``, ``trends``.

Decomposition
    :func:`compute_gap_contributions` (exact additive shares of the gaps),
    :func:`weakest_indicators` (largest shortfalls against the district median),
    :func:`distance_to_targets` (direction-aware distance to the 2025 / 2030 national targets).

Across communes (one row per period)
    :func:`compute_district_claims` (simultaneous max-t bounds, the sign count with a Wilson
    interval, sign-robust counts, the relative-scale count),
    :func:`test_pillar_gaps` (counts first; paired Wilcoxon signed-rank with Holm-adjusted
    p-values, matched-pairs rank-biserial effect size with a bootstrap interval, share of
    communes with G above E / S with a Wilson interval),
    :func:`compute_pillar_correlations` (Spearman with a bootstrap interval),
    :func:`compute_inequality` (Gini and SD, Theil T, coefficient of variation, with bootstrap
    intervals), :func:`compute_inequality_differences` (paired bootstrap of the differences),
    :func:`compute_covariate_associations` (distance to the district seat, log2 density, log2
    population: Spearman and OLS slope with HC3 standard errors, Cook's distance, Holm).

Over time
    :func:`compute_trends` (Theil-Sen slope per commune and series, and "is the gap closing?"),
    :func:`compute_convergence` (sigma-convergence, then beta with the start instrumented by an
    earlier period; caveats for caps, weak instruments, few units).

Example:
    >>> import pandas as pd
    >>> from analysis.frameworks import framework_from_dict
    >>> fw = framework_from_dict({"id": "toy", "pillars": [{"id": p} for p in ("government", "economy", "society")],
    ...     "indicators": [dict(id=f"{p}_{k}", pillar=p, name_vi="x", name_en="x", unit="%", direction=1,
    ...                    kind="rate", goalposts=[0, 100], weight=1) for p in ("government", "economy", "society") for k in (1, 2)]})
    >>> vals = {"government_1": 0.8, "government_2": 0.6, "economy_1": 0.3, "economy_2": 0.5, "society_1": 0.4, "society_2": 0.6}
    >>> scores = pd.DataFrame([dict(unit_code="1", period="2024", level="indicator", name=k, value=v, status="synthetic")
    ...                        for k, v in vals.items()])
    >>> g = compute_gaps(scores, fw, n_boot=200)
    >>> g[["government", "economy", "society", "gap_econ", "gap_mean", "typology", "status"]].round(2).to_dict("records")
    [{'government': 0.7, 'economy': 0.4, 'society': 0.5, 'gap_econ': 0.3, 'gap_mean': 0.25, 'typology': 'government_led', 'status': 'synthetic'}]
"""

from __future__ import annotations

from ._stats import holm
from .claims import CLAIM_COLUMNS, compute_district_claims
from .commune import DEFAULT_DELTA, DEFAULT_HIGH, GAP_COLUMNS, TYPOLOGY_CLASSES, compute_gaps
from .covariates import COVARIATES, compute_covariate_associations, compute_unit_covariates
from .decomposition import compute_gap_contributions, distance_to_targets, weakest_indicators
from .district import (
    compute_inequality,
    compute_inequality_differences,
    compute_pillar_correlations,
    test_pillar_gaps,
)
from .formula import GAP_SERIES, PILLARS, add_gap_columns, comparison_mean, gap_values
from .trends import compute_convergence, compute_trends

__all__ = [
    "CLAIM_COLUMNS",
    "COVARIATES",
    "DEFAULT_DELTA",
    "DEFAULT_HIGH",
    "GAP_COLUMNS",
    "GAP_SERIES",
    "PILLARS",
    "TYPOLOGY_CLASSES",
    "add_gap_columns",
    "comparison_mean",
    "compute_convergence",
    "compute_covariate_associations",
    "compute_district_claims",
    "compute_gap_contributions",
    "compute_gaps",
    "compute_inequality",
    "compute_inequality_differences",
    "compute_pillar_correlations",
    "compute_trends",
    "compute_unit_covariates",
    "distance_to_targets",
    "gap_values",
    "holm",
    "test_pillar_gaps",
    "weakest_indicators",
]
