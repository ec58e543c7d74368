"""Composite-indicator engine (OECD/JRC Handbook; COINr conventions), batched and vectorised.

Three layers, from low to high:

1. **Batched array core** (``analysis.composite.arrays``): pure numpy, no pandas. Every function
   takes arrays shaped ``(*batch, units, indicators)``; the leading ``batch`` axes (zero, one or
   more: variants, periods, ...) are carried through, statistics are always taken over the
   ``units`` axis (``axis=-2``), NaN means "missing" and is skipped, never filled.
2. **Steps on one wide table** (denominate, impute, screen, treat) and the one-call wide
   pipeline :func:`compute_index` (what ``dgap index`` and the EGDI/DESI presets call).
3. **Tidy path** :func:`compute_scores` / :func:`pillar_table` in the contracts of HELPERS.md.

Public API
==========

Tree (the framework, any depth)
-------------------------------
``Tree.from_imeta(imeta: DataFrame) -> Tree``
    Built from COINr ``iMeta`` rows with ``Type`` in {Indicator, Aggregate} (other rows ignored),
    columns ``Level, iCode, Parent`` (+ optional ``Direction, Weight, Target, Denominator``).
    Any depth; a child may sit more than one level below its parent.
``tree.indicators: tuple[str]``  indicator codes = column order of every ``X`` array.
``tree.nodes: tuple[str]``       all codes: indicators first (iMeta order), then aggregates by
                                 level, alphabetical within a level (COINr's column order).
``tree.index_of(code) -> int``;  ``tree.root -> str`` (the single top node, e.g. ``Index``).
``tree.directions: ndarray[(n_indicators,)]``, ``tree.weights: ndarray[(n_nodes,)]`` (iMeta weights).
``tree.weight_vector(mapping: dict[str, float] | None = None, base="meta"|"equal") -> ndarray[(n_nodes,)]``
``tree.children(code) -> tuple[str]``;  ``tree.leaves_under(code) -> tuple[str]``.

Batched core (import from ``analysis.composite``)
-------------------------------------------------
``normalise_array(X, method="minmax", *, directions=None, lo=0.0, hi=100.0, mean=0.0, sd=1.0,
                  goalposts=None, targets=None, cap=False, scale=1.0, clip=True) -> ndarray``
    ``X``: ``(*batch, U, I)``. ``method`` in ``minmax | zscore | rank | percentile | goalposts |
    dist2target | none``. ``directions`` ``(I,)`` of +1/-1 (default all +1), applied FIRST as
    ``x * direction`` (COINr). ``goalposts``: ``(2, I)`` or ``(I, 2)`` array of raw (lo, hi)
    per indicator (for direction -1 the posts are flipped: score = (hi - x)/(hi - lo)).
    ``targets``: ``(I,)`` raw targets for ``dist2target``. Returns same shape as ``X``.
``normalise_variants(X, specs: Sequence[dict], *, directions=None) -> ndarray[(len(specs), *batch, U, I)]``
    One call of :func:`normalise_array` per spec (a spec is its kwargs, e.g.
    ``{"method": "zscore", "mean": 10, "sd": 1}``), stacked on a new leading axis. A Monte
    Carlo over normalisation choices then indexes it: ``Xn = stack[choice_idx]`` -> ``(V, U, I)``.
``aggregate_tree(Xn, tree, weights=None, method="arithmetic", *, p=None, min_coverage=None,
                 nonpositive="raise", floor=1e-3) -> ndarray[(*batch, U, n_nodes)]``
    Aggregates level by level; returns every node (indicator columns = ``Xn`` copied) in
    ``tree.nodes`` order. ``weights``: ``(n_nodes,)`` or ``(V, n_nodes)`` (or ``(*batch, n_nodes)``;
    broadcast against the batch axes of ``Xn``), relative within each sibling group.
    ``method``: ``arithmetic | geometric | harmonic | genmean`` (``genmean`` needs ``p``), or a
    list with one method per aggregation level (bottom-up). ``p`` may also be an array ``(V,)`` of
    generalised-mean powers, one per variant (1 = arithmetic, 0 = geometric, -1 = harmonic): this
    is how a Monte Carlo mixes aggregation methods in ONE call (variants are grouped by power:
    k distinct powers = k vectorised passes). ``min_coverage``: fraction in [0, 1]; a parent
    whose share of available children is below it is NaN. Memory: the output is
    ``V * U * n_nodes`` floats, so chunk V for very large runs (e.g. 10,000 units x 29 nodes x
    100 variants = 230 MB).
``rank_array(scores, *, axis=-1, higher_is_better=True) -> ndarray[float]``
    1 = best, ties share the lowest rank ("min"), NaN stays NaN. ``scores`` ``(*batch, U)``.
``effective_weights(tree, weights=None) -> ndarray[(..., n_indicators)]``
    Weight of each indicator in the root (product of normalised weights along the path).
``skew(x, axis)``, ``kurt(x, axis)``: bias-corrected sample skewness/kurtosis (e1071 type 2,
    as COINr ``skew()``/``kurt()``), NaN-aware, vectorised.

Typical Monte Carlo (robustness module)::

    tree = Tree.from_imeta(imeta)
    X = wide[list(tree.indicators)].to_numpy(float)            # (U, I), treated/imputed raw data
    stack = normalise_variants(X, [{"method": "minmax", "lo": 0, "hi": 100},
                                   {"method": "zscore", "mean": 10, "sd": 1}],
                               directions=tree.directions)    # (2, U, I)
    Xn = stack[norm_idx]                                       # (V, U, I)
    W = tree.weights * rng.uniform(0.75, 1.25, (V, tree.n_nodes))
    out = aggregate_tree(Xn, tree, W, p=np.where(geo, 0.0, 1.0), nonpositive="clip")  # (V, U, n_nodes)
    ranks = rank_array(out[..., tree.index_of(tree.root)])    # (V, U)

Steps and the wide pipeline
---------------------------
``load_coinr(idata_path, imeta_path) -> CoinData`` (``.idata, .imeta, .tree, .units, .groups,
    .denominators``; ``.data`` = iData indexed by ``uCode``).
``denominate(data, imeta) -> DataFrame``  indicator / its iMeta ``Denominator`` column.
``impute(data, indicators, method="none", *, groups=None, unit_col=None, time_col=None) -> (DataFrame, mask)``
    ``none | mean | median | mean-by:COL | median-by:COL | locf``.
``screen_units(data, indicators, threshold) -> (DataFrame, report DataFrame)``
``treat_outliers(data, indicators, *, winmax=5, skew_thresh=2.0, kurt_thresh=3.5, f2="log_CT") -> (DataFrame, details, points)``
    ``details``: one row per indicator (skew/kurt before and after, nwin, treatment);
    ``points``: one row per changed value (unit, iCode, old, new, how = winhi|winlo|log_CT).
``compute_weights(tree, scheme="meta", *, data=None, mapping=None, points=None) -> ndarray[(n_nodes,)]``
    ``meta | equal | custom | dti | pca``.
``compute_index(data, imeta, *, denominate=False, impute="none", screen=None, treat="none",
                winmax=5, normalise="minmax", normalise_params=None, aggregate="arithmetic", p=None,
                weights="meta", weight_mapping=None, points=None, min_coverage=None,
                nonpositive="raise", floor=1e-3) -> CompositeResult``
    THE simple entry point for any iMeta-like tree + wide data (EGDI/DESI presets call this).
    ``data``: wide DataFrame, one row per unit (index = unit code, or a ``uCode`` column),
    columns = indicator codes (+ denominators/groups). ``imeta``: iMeta-like DataFrame or Tree.
    ``weights``: ``meta | equal | custom | dti | pca``, a mapping node -> weight, or an array.
    Example (EGDI = mean of three already-normalised indices)::

        imeta = pd.DataFrame({"Level": [1, 1, 1, 2], "iCode": ["OSI", "HCI", "TII", "EGDI"],
                              "Parent": ["EGDI"] * 3 + [None],
                              "Type": ["Indicator"] * 3 + ["Aggregate"], "Weight": 1})
        res = compute_index(wide, imeta, normalise="none")   # res.scores["EGDI"]

    ``CompositeResult``: ``.tree, .raw, .treated, .normalised, .scores`` (all nodes, wide),
    ``.ranks`` (root rank), ``.weights`` (node weights used), ``.effective_weights`` (Series),
    ``.report`` (dict: ``imputed`` mask, ``screening``, ``treatment`` + ``treated_points``,
    ``clipped`` (goalposts), ``pca``, ``aggregation`` (n_nonpositive, n_clipped), ``coverage``),
    ``.to_frame()`` -> ``uCode, <indicators normalised>, <aggregates>, Index_rank`` (CLI layout).
``compute_diagnostics(normalised, tree) -> dict[str, DataFrame]``
    ``coverage_unit, coverage_indicator, pearson, spearman, cronbach, pca``.
``run_index(idata, imeta, out, *, denominate=False, impute="none", screen=None, treat="none"|"jrc[:WINMAX]",
           normalise="minmax[:LO,HI]"|"zscore[:MEAN,SD]"|..., aggregate="arithmetic", weights="meta",
           min_coverage=None, nonpositive="raise") -> Path``   (what ``dgap index`` calls)
``get_preset(name) -> Preset``; ``register_preset(name, builder)``; ``list_presets()``.
    ``commune`` is registered here (our framework via ``analysis.frameworks``); ``egdi``,
    ``desi2022``, ``dti_provincial`` and ``dti_pillars`` by ``analysis.realdata``, which
    ``get_preset``/``list_presets`` import on first use (no need to import it first).

Tidy path
---------
``compute_scores(observations, framework=None, units=None, *, normalise="goalposts",
                 aggregate="arithmetic", impute="none", weights="framework", normalise_params=None,
                 p=None, min_coverage=None, nonpositive="clip", floor=1e-3,
                 return_report=False) -> DataFrame | (DataFrame, dict)``
    -> ``unit_code, period, level, name, value, status`` (level in indicator|pillar|index; rows
    with a missing value are left out). Internally the panel is one array ``(periods, units,
    indicators)``: data-driven normalisations are per period, goalposts are fixed. ``weights``:
    ``framework | equal | dti | pca`` (PCA pooled over periods) or a mapping node -> weight.
    ``framework`` may be a Framework, a YAML path or a preset name (``commune``).
``pillar_table(scores) -> DataFrame`` -> ``unit_code, period, <pillars...>, index, status``.

Conventions (COINr / JRC; written down because the Handbook leaves a choice)
============================================================================
* **Direction** is applied first, as ``x * Direction`` (COINr ``Normalise.numeric``); every
  normalisation then works on the direction-adjusted values, so higher is always better.
* **Min-max** ``(x - min)/(max - min) * (u - l) + l`` over available units (NaN skipped); a zero
  range gives NaN (COINr warns and returns NaN). Default ``[0, 100]`` as COINr ``n_minmax``.
* **Z-score** ``(x - mean)/sd * sd_target + mean_target`` with the sample sd (``n - 1``, R ``sd``).
* **Rank** ``rank(x, ties="min")`` (1 = lowest adjusted value, higher is better, NaN kept), as
  ``n_rank``; **percentile** ``(rank_min - 1)/(n_available - 1)`` in [0, 1], as ``n_prank``.
* **Goalposts** ``(x - lo)/(hi - lo)`` and, for direction -1, ``(x - hi)/(lo - hi)``
  (COINr ``n_goalposts``), truncated to [0, 1] (``trunc2posts=TRUE``) and times ``scale``
  (1 for our [0, 1] scale; 100 for COINr's GII-style). Clipped points are reported.
* **Distance to target** (``n_dist2targ``): with the direction-adjusted target ``t = target*dir``,
  ``(x - min)/(t - min)``; capped at 1 when ``cap=True``.
* **Outlier treatment** (COINr ``Treat()`` / ``qTreat`` defaults): skewness and kurtosis are
  e1071 "type 2" (Excel) bias-corrected sample statistics; an indicator passes if
  ``|skew| < 2 OR kurt < 3.5``. If it fails, winsorise: while failing and fewer than ``winmax``
  (default 5) points were winsorised, if ``skew >= 0`` replace every point equal to the max by
  the largest remaining value ("winhi"), else every point equal to the min by the smallest
  remaining value ("winlo"); the count is COINr's (points tied at the current extreme). If it
  still fails, discard the winsorisation and log-transform the ORIGINAL column with
  ``log_CT``: ``log(x - min + 0.01*(max - min))`` (``combine_treat=FALSE``). ``log_CT_plus``
  (reflects for negative skew: ``-log(max + a - x)``) is available as ``f2="log_CT_plus"``.
  Columns with fewer than 4 non-missing values are not treated (COINr cannot compute kurtosis).
  Every changed point is logged (unit, indicator, old, new, how).
* **Imputation**: ``mean``/``median`` of the indicator over units (per period in the tidy path);
  ``*-by:COL`` within groups of COL (COINr ``i_mean_grp``; a group with no data stays NaN);
  ``locf`` carries the last observation forward within a unit's time series. Imputed cells are
  flagged (status ``imputed``). Default ``none``: coverage is reported instead.
* **Denomination** (COINr ``Denominate``): ``x / denominator`` with the unit-level column named
  in iMeta ``Denominator``; the tidy path multiplies by the framework's ``denominator_scale``
  (per 1,000 households = count / households * 1000).
* **Screening** (COINr ``Screen(unit_screen="byNA")``): a unit is kept if its share of
  available indicators is ``>= threshold``; dropped units are reported.
* **Weights** are relative within each sibling group; missing children are dropped and the
  remaining weights re-normalised (COINr ``a_amean`` etc.). With ``min_coverage`` (COINr
  ``dat_thresh``) the parent is NaN when ``available/children < min_coverage``.
  Effective weight of an indicator = product of normalised weights along its path to the root.
  DTI point budgets: the pillar weight is its point budget (400/300/300), indicators equal.
  PCA weights (COINr ``get_PCA``, ``by_groups=TRUE``): loadings of the first principal
  component of the standardised children of each aggregate (``prcomp(center, scale)`` on
  complete rows); since the sign of a component is arbitrary we orient it so the loadings sum
  to a positive number (COINr leaves the sign to ``prcomp``). Loadings can still be negative
  (COINr's caveat); they are used as given, so negative weights are allowed in the core.
* **Aggregation**: weighted arithmetic ``sum(w x)/sum(w)``; geometric
  ``exp(sum(w log x)/sum(w))``; harmonic ``sum(w)/sum(w/x)``; generalised mean
  ``(sum(w x^p)/sum(w))^(1/p)`` (p=0 is the geometric mean). **Values <= 0** for geometric
  (and any p <= 0): ``nonpositive="raise"`` (default, COINr stops), ``"nan"`` (that unit's
  parent is NaN) or ``"clip"`` (values below ``floor`` are raised to ``floor``, reported).
  Harmonic with an exact 0 is handled the same way.
* **Ranks**: ``rank(-score, ties="min", na="keep")``: 1 = best, ties share the lowest rank.
* **Status** (tidy path): a normalised indicator keeps its observation's status (``imputed``
  when filled in); an aggregate takes the worst status of its available children
  (observed < estimated < imputed < synthetic).
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
from .diagnostics import compute_diagnostics
from .pipeline import (
    CoinData,
    CompositeResult,
    Preset,
    compute_index,
    compute_scores,
    get_preset,
    list_presets,
    load_coinr,
    pillar_table,
    register_preset,
    run_index,
)
from .steps import denominate, impute, screen_units, treat_outliers
from .weights import compute_weights

__all__ = [
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
    "pillar_table",
    "rank_array",
    "register_preset",
    "run_index",
    "screen_units",
    "skew",
    "treat_outliers",
]
