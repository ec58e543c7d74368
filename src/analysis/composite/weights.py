"""Weight schemes: framework (iMeta), equal, custom mapping, DTI point budgets, PCA per group."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import MethodError
from ._tree import Tree
from .spec import parse_weights


def compute_weights(
    tree: Tree,
    scheme: str = "framework",
    *,
    data=None,
    mapping: Mapping[str, float] | None = None,
    points: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Node weights ``(n_nodes,)`` for one scheme.

    Args:
        tree: the tree.
        scheme: ``framework`` (the framework's / iMeta ``Weight``), ``equal`` (all 1), ``custom``
            (``mapping`` over the framework weights), ``dti`` (``points``: node -> point budget, every other node equal;
            e.g. ``{"government": 400, "economy": 300, "society": 300}``), ``pca`` (PC1 loadings
            of each group of indicators, computed on ``data``; aggregates keep iMeta weights).
        data: ``(units, n_indicators)`` normalised indicators (array or DataFrame), for ``pca``.
        mapping: node -> weight, for ``custom``.
        points: node -> points, for ``dti``.

    >>> from analysis.composite import Tree
    >>> import pandas as pd
    >>> t = Tree.from_imeta(pd.DataFrame({"Level": [1, 1, 2], "iCode": ["a", "b", "I"], "Parent": ["I", "I", None],
    ...                                   "Type": ["Indicator", "Indicator", "Aggregate"], "Weight": [2, 1, 1]}))
    >>> compute_weights(t, "equal").tolist(), compute_weights(t, "custom", mapping={"b": 3}).tolist()
    ([1.0, 1.0, 1.0], [2.0, 3.0, 1.0])
    """
    scheme = parse_weights(scheme)
    if scheme == "framework":
        return tree.weights.astype(float).copy()
    if scheme == "equal":
        return np.ones(tree.n_nodes)
    if scheme == "custom":
        if not mapping:
            raise MethodError("weights 'custom' needs mapping={node: weight}")
        return tree.weight_vector(mapping, base="framework")
    if scheme == "dti":
        if not points:
            raise MethodError(
                "weights 'dti' needs points={node: point budget}, e.g. {'government': 400, 'economy': 300, 'society': 300}"
            )
        return tree.weight_vector(points, base="equal")
    if data is None:  # pca, the last scheme parse_weights accepts
        raise MethodError("weights 'pca' needs data (normalised indicators, units x indicators)")
    w, _ = pca_weights(tree, data)
    return w


def pca_weights(tree: Tree, data) -> tuple[np.ndarray, dict]:
    """PC1 loadings per group of indicators (COINr ``get_PCA(Level=1, by_groups=TRUE)``).

    Each aggregate whose children are all indicators gets a PCA of its standardised children on
    complete rows; the children's weights are the PC1 loadings, oriented so they sum > 0.

    Returns:
        ``(weights (n_nodes,), info)`` where ``info[group] = {"variance_explained": ndarray,
        "n_rows": int, "loadings": ndarray}``.
    """
    X = np.asarray(data, dtype=float)
    if X.shape[-1] != tree.n_indicators:
        raise MethodError(
            f"pca weights: data must have {tree.n_indicators} indicator columns, got {X.shape}"
        )
    w = tree.weights.astype(float).copy()
    info = {}
    for j in range(tree.n_indicators, tree.n_nodes):
        kids = np.flatnonzero(tree.parent == j)
        if len(kids) == 0 or np.any(kids >= tree.n_indicators):
            continue
        if len(kids) == 1:
            w[kids] = 1.0
            continue
        load, ve, n = _pc1(X[:, kids])
        if load is None:
            raise MethodError(
                f"pca weights: group {tree.nodes[j]!r} has {n} complete rows; need at least 3 (impute first)"
            )
        w[kids] = load
        info[tree.nodes[j]] = {"variance_explained": ve, "n_rows": n, "loadings": load}
    return w, info


def _pc1(Z: np.ndarray):
    rows = ~np.isnan(Z).any(axis=1)
    Z = Z[rows]
    n = Z.shape[0]
    if n < 3:
        return None, None, n
    sd = Z.std(axis=0, ddof=1)
    sd = np.where(sd == 0, 1.0, sd)
    S = (Z - Z.mean(axis=0)) / sd
    _, s, vt = np.linalg.svd(S, full_matrices=False)
    load = vt[0]
    if load.sum() < 0:
        load = -load
    var = s**2
    return load, var / var.sum(), n


def describe_weights(tree: Tree, weights, scheme: str = "framework") -> dict:
    """The ``weights`` entry of ``Results.method``: the weights actually applied, per level.

    Returns ``{"scheme", "pillars": {pillar: weight}, "within": "equal" | "framework"}`` with the
    weights as applied (relative within each sibling group; a pillar of weight 2 next to pillars
    of weight 1 counts twice, as in the EGDI/DESI presets), plus ``within_weights`` (``{pillar:
    {indicator: weight}}``) when the indicators of a pillar are not weighted equally.

    >>> t = Tree.from_imeta(__import__("pandas").DataFrame({"Level": [1, 1, 1, 2, 2, 3],
    ...     "iCode": ["a", "b", "c", "P", "Q", "I"], "Parent": ["P", "P", "Q", "I", "I", None],
    ...     "Type": ["Indicator"] * 3 + ["Aggregate"] * 3, "Weight": [1, 1, 1, 1, 2, 1]}))
    >>> describe_weights(t, t.weights)
    {'scheme': 'framework', 'pillars': {'P': 1.0, 'Q': 2.0}, 'within': 'equal'}
    """
    W = np.asarray(weights, dtype=float)
    root = tree.index_of(tree.root)
    pillars = [j for j in range(tree.n_indicators, tree.n_nodes) if tree.parent[j] == root]
    out: dict = {
        "scheme": str(scheme) if isinstance(scheme, str) else "custom",
        "pillars": {tree.nodes[j]: float(W[j]) for j in pillars},
    }
    within = {}
    equal = True
    for j in pillars:
        kids = np.flatnonzero(tree.parent == j)
        w = {tree.nodes[k]: float(W[k]) for k in kids}
        within[tree.nodes[j]] = w
        if len(set(w.values())) > 1:
            equal = False
    out["within"] = "equal" if equal else "framework"
    if not equal:
        out["within_weights"] = within
    return out
