"""The wide pipeline: one table (rows = units, columns = iCodes) and an iMeta-like tree, through
the steps in the user's order, to scores and ranks (:func:`compute_index`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataValidationError, MethodError
from ._tree import Tree
from .arrays import aggregate_tree, effective_weights, normalise_array, rank_array
from .spec import (
    DEFAULT_ORDER,
    DEFAULT_WINMAX,
    parse_aggregation,
    parse_normalisation,
    parse_order,
    parse_treatment,
    parse_weights,
)
from .steps import denominate as _denominate
from .steps import impute as _impute
from .steps import screen_units, treat_outliers
from .weights import compute_weights, pca_weights


@dataclass(eq=False)
class CompositeResult:
    """Everything :func:`compute_index` produced (wide tables, rows = units).

    Attributes:
        tree: the indicator tree.
        raw: the indicators before screening, imputation and treatment (denominated when
            ``denominate`` is the first step).
        treated: the indicators after every data step: the input of the normalisation.
        normalised: the normalised indicators.
        scores: every node (normalised indicators, then aggregates by level, alphabetical).
        ranks: rank of the root (1 = best).
        weights: node weights used; effective_weights: weight of each indicator in the root.
        report: ``imputed`` mask, ``screening``, ``treatment`` + ``treated_points``, ``clipped``
            (goalposts), ``pca``, ``aggregation`` (n_nonpositive, n_clipped), ``coverage``.
        order: the step order that ran.
    """

    tree: Tree
    raw: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.Series
    weights: pd.Series
    effective_weights: pd.Series
    report: dict = field(default_factory=dict)
    order: tuple = DEFAULT_ORDER

    def to_frame(self) -> pd.DataFrame:
        """``uCode``, every normalised indicator, every aggregate (by level, alphabetical), ``Index_rank``."""
        out = self.scores.copy()
        out.insert(0, "uCode", out.index.astype(str))
        out["Index_rank"] = pd.array(self.ranks.to_numpy(), dtype="Int64")
        return out.reset_index(drop=True)


def _normalise_kwargs(method: str, params: Mapping | None, tree: Tree, imeta) -> dict:
    params = dict(params or {})
    kw: dict = {"method": method}
    if method == "minmax":
        kw.update(lo=params.pop("lo", 0.0), hi=params.pop("hi", 100.0))
    elif method == "zscore":
        kw.update(mean=params.pop("mean", 0.0), sd=params.pop("sd", 1.0))
    elif method == "goalposts":
        gp = params.pop("goalposts", None)
        if gp is None:
            if not isinstance(imeta, pd.DataFrame) or not {
                "goalpost_lower",
                "goalpost_upper",
            } <= set(imeta.columns):
                raise MethodError(
                    "normalise='goalposts' needs iMeta columns goalpost_lower and goalpost_upper (COINr names), or normalise_params={'goalposts': ...}"
                )
            m = imeta.set_index(imeta["iCode"].astype(str))
            gp = np.vstack(
                [
                    pd.to_numeric(m.loc[list(tree.indicators), c]).to_numpy(float)
                    for c in ("goalpost_lower", "goalpost_upper")
                ]
            )
        kw.update(goalposts=gp, scale=params.pop("scale", 1.0), clip=params.pop("clip", True))
    elif method == "dist2target":
        kw.update(targets=params.pop("targets", tree.targets), cap=params.pop("cap", False))
    elif method == "target":
        year = int(params.pop("year", 2025))
        if year != 2025 and "targets" not in params:
            raise MethodError(
                f"normalise='target:{year}': iMeta carries the 2025 target (column Target); "
                "pass normalise_params={'targets': ...} for another year"
            )
        gp = None
        if isinstance(imeta, pd.DataFrame) and {"goalpost_lower", "goalpost_upper"} <= set(
            imeta.columns
        ):
            m = imeta.set_index(imeta["iCode"].astype(str))
            gp = np.vstack(
                [
                    pd.to_numeric(m.loc[list(tree.indicators), c]).to_numpy(float)
                    for c in ("goalpost_lower", "goalpost_upper")
                ]
            )
        kw.update(
            targets=params.pop("targets", tree.targets), goalposts=params.pop("goalposts", gp)
        )
    elif method not in ("rank", "percentile", "none"):
        raise MethodError(
            f"unknown normalisation {method!r}; choose target, minmax, zscore, rank, percentile, goalposts, dist2target or none"
        )
    if params:
        raise MethodError(f"normalise_params {sorted(params)} do not apply to {method!r}")
    return kw


def _merge_label_params(label_params: dict, params: Mapping | None, what: str) -> dict:
    """Parameters from a label (``minmax:1,100``) and from the keyword, which may not clash."""
    params = dict(params or {})
    clash = sorted(set(label_params) & set(params))
    if clash:
        raise MethodError(
            f"{what}: {clash} given both in the label and in normalise_params; give them once"
        )
    return {**label_params, **params}


def _as_wide(data: pd.DataFrame, tree: Tree) -> pd.DataFrame:
    """A copy indexed by unit code (str), indicator columns as floats."""
    if "uCode" in data.columns and data.index.name != "uCode":
        data = data.set_index("uCode", drop=False)
    data = data.copy()
    data.index = data.index.astype(str)
    missing = [c for c in tree.indicators if c not in data.columns]
    if missing:
        raise DataValidationError([f"indicator column(s) {missing} from iMeta are not in the data"])
    for c in tree.indicators:
        data[c] = pd.to_numeric(data[c], errors="coerce").astype(float)
    return data


def _treatment(treat, winmax) -> tuple[bool, int | None]:
    """``(treat?, winmax)``: ``jrc`` keeps ``winmax`` (None = no limit); ``jrc:N`` sets it."""
    if treat is None or str(treat).strip().lower() in ("none", "off"):
        return False, None
    if str(treat).strip().lower() == "jrc":
        return True, winmax
    w = parse_treatment(treat)
    return w is not None, w


def _data_steps(
    work: pd.DataFrame,
    tree: Tree,
    steps: Sequence[str],
    *,
    denominate: bool,
    impute: str,
    screen: float | None,
    treat: tuple[bool, int | None],
    report: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Denominate, screen, impute and treat in ``steps`` order; returns ``(work, raw)``."""
    inds = list(tree.indicators)
    raw = None
    for step in steps:
        if step not in ("denominate", "screen", "impute", "treat"):
            continue
        if raw is None and step != "denominate":
            raw = work[inds].copy()
        if step == "denominate" and denominate:
            work = _denominate(work, tree)
        elif step == "screen" and screen is not None:
            work, report["screening"] = screen_units(work, inds, float(screen))
        elif step == "impute":
            work, report["imputed"] = _impute(work, inds, impute)
        elif step == "treat" and treat[0]:
            work, report["treatment"], report["treated_points"] = treat_outliers(
                work, inds, winmax=treat[1]
            )
    return work, (work[inds].copy() if raw is None else raw)


def _node_weights(weights, tree: Tree, Xn: np.ndarray, weight_mapping, points, report: dict):
    if isinstance(weights, str):
        if parse_weights(weights) == "pca":
            W, report["pca"] = pca_weights(tree, Xn)
            return W
        return compute_weights(tree, weights, mapping=weight_mapping, points=points)
    if isinstance(weights, Mapping):
        return tree.weight_vector(weights, base="framework")
    return np.asarray(weights, dtype=float)


def _aggregation(aggregate, p):
    """A label (``genmean:0.5``, ``a_gmean``) as the method and power of :func:`aggregate_tree`."""
    if not isinstance(aggregate, str):
        return aggregate, p  # one method per level
    method, power = parse_aggregation(aggregate)
    if method == "genmean" and power is not None:
        if p is not None and float(p) != power:
            raise MethodError(f"aggregate {aggregate!r} and p={p} disagree; give the power once")
        return method, power
    return method, p


def compute_index(
    data: pd.DataFrame,
    imeta,
    *,
    denominate: bool = False,
    impute: str = "none",
    screen: float | None = None,
    treat: str = "none",
    winmax: int | None = DEFAULT_WINMAX,
    normalise: str = "minmax",
    normalise_params: Mapping | None = None,
    aggregate="arithmetic",
    p=None,
    weights="framework",
    weight_mapping: Mapping[str, float] | None = None,
    points: Mapping[str, float] | None = None,
    min_coverage: float | None = None,
    nonpositive: str = "raise",
    floor: float = 1e-3,
    order=None,
) -> CompositeResult:
    """Run the whole composite on one wide table, the steps in ``order``.

    Args:
        data: one row per unit (index = unit codes, or a ``uCode`` column); indicator columns
            named by iCode, plus denominator / group columns when used.
        imeta: iMeta-like DataFrame (``Level, iCode, Parent, Type, Direction, Weight`` ...) or a Tree.
        denominate: divide indicators by their iMeta ``Denominator`` column.
        impute: ``none | mean | median | mean-by:COL | median-by:COL``.
        screen: drop units with data availability below this fraction (None = keep all).
        treat: ``none``, ``jrc`` (COINr default treatment with ``winmax``) or ``jrc:WINMAX``.
        winmax: maximum winsorised points for ``treat="jrc"`` (None = no limit).
        normalise: ``minmax | zscore | rank | percentile | goalposts | dist2target | none``, or a
            label with parameters (``minmax:1,100``, ``zscore:10,2``, ``goalposts:100``).
        normalise_params: e.g. ``{"lo": 0, "hi": 100}``, ``{"mean": 10, "sd": 2}``,
            ``{"goalposts": arr, "scale": 1}``, ``{"targets": arr, "cap": True}``.
        aggregate: ``arithmetic | geometric | harmonic | genmean[:P]`` or one method per level.
        p: generalised-mean power (with ``genmean``).
        weights: ``framework | equal | custom | dti | pca``, or an array ``(n_nodes,)``, or a
            mapping node -> weight (over the framework weights).
        weight_mapping, points: for ``custom`` / ``dti``.
        min_coverage: parent NaN below this share of available children (COINr ``dat_thresh``).
        nonpositive, floor: handling of values <= 0 in geometric/harmonic means.
        order: the step order (default denominate, screen, impute, treat, normalise, aggregate;
            COINr's example screens after imputing: ``denominate,impute,screen,...``).

    Returns:
        :class:`CompositeResult`.
    """
    steps = parse_order(order)
    tree = Tree.from_imeta(imeta)
    report: dict = {}
    work, raw = _data_steps(
        _as_wide(data, tree),
        tree,
        steps,
        denominate=denominate,
        impute=impute,
        screen=screen,
        treat=_treatment(treat, winmax),
        report=report,
    )
    treated = work[list(tree.indicators)].copy()
    X = treated.to_numpy(dtype=float)
    method, label_params = parse_normalisation(normalise)
    params = _merge_label_params(label_params, normalise_params, f"normalise {normalise!r}")
    kw = _normalise_kwargs(method, params, tree, imeta)
    Xn, clipped = normalise_array(X, directions=tree.directions, return_clipped=True, **kw)
    if clipped.any():
        r, c = np.nonzero(clipped)
        report["clipped"] = pd.DataFrame(
            {
                "unit": treated.index[r].astype(str),
                "iCode": [tree.indicators[j] for j in c],
                "value": X[r, c],
                "normalised": Xn[r, c],
            }
        )
    W = _node_weights(weights, tree, Xn, weight_mapping, points, report)
    agg_method, p = _aggregation(aggregate, p)
    out, report["aggregation"] = aggregate_tree(
        Xn,
        tree,
        W,
        agg_method,
        p=p,
        min_coverage=min_coverage,
        nonpositive=nonpositive,
        floor=floor,
        return_report=True,
    )
    scores = pd.DataFrame(out, index=treated.index, columns=list(tree.nodes))
    scores.index.name = "uCode"
    ranks = pd.Series(
        rank_array(out[:, tree.index_of(tree.root)]), index=treated.index, name="Index_rank"
    )
    report["coverage"] = treated.notna().mean(axis=0)
    return CompositeResult(
        tree=tree,
        raw=raw,
        treated=treated,
        normalised=scores[list(tree.indicators)].copy(),
        scores=scores,
        ranks=ranks,
        weights=pd.Series(W, index=list(tree.nodes), name="weight"),
        effective_weights=pd.Series(
            effective_weights(tree, W), index=list(tree.indicators), name="effective_weight"
        ),
        report=report,
        order=steps,
    )
