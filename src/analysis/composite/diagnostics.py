"""Statistical diagnostics of a composite: coverage, correlations, Cronbach's alpha, PCA."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._tree import Tree
from .weights import _pc1


def cronbach_alpha(Z: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``Z`` on complete rows: ``k/(k-1) (1 - sum var_i / var_total)``.

    >>> round(cronbach_alpha(np.array([[1., 2], [2, 3], [3, 4], [4, 6]])), 4)
    0.972
    """
    Z = np.asarray(Z, dtype=float)
    Z = Z[~np.isnan(Z).any(axis=1)]
    k = Z.shape[1]
    if k < 2 or Z.shape[0] < 2:
        return float("nan")
    item_var = Z.var(axis=0, ddof=1).sum()
    total_var = Z.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - item_var / total_var))


def compute_diagnostics(scores: pd.DataFrame, tree: Tree) -> dict[str, pd.DataFrame]:
    """Diagnostics on the normalised indicators and aggregates (wide, rows = units).

    Args:
        scores: wide table with the indicator columns (normalised) and, optionally, the
            aggregate columns (as :attr:`CompositeResult.scores`).
        tree: the tree.

    Returns:
        dict with
        ``coverage_unit`` (unit, n_available, coverage),
        ``coverage_indicator`` (iCode, n_available, coverage),
        ``pearson`` / ``spearman`` (square matrices over every node present, pairwise complete),
        ``correlations`` (long: a, b, group_a, group_b, relation within|across, pearson, spearman)
        for indicator pairs, plus each indicator with its parent,
        ``cronbach`` (group, k, n_complete, alpha) for each aggregate,
        ``pca`` (group, n_complete, pc1_share, pc2_share, cumulative_2) for each aggregate.
    """
    inds = [c for c in tree.indicators if c in scores.columns]
    X = scores[inds].astype(float)
    cov_u = pd.DataFrame(
        {
            "unit": scores.index.astype(str),
            "n_available": X.notna().sum(axis=1).to_numpy(),
            "coverage": X.notna().mean(axis=1).to_numpy(),
        }
    )
    cov_i = pd.DataFrame(
        {
            "iCode": inds,
            "n_available": X.notna().sum().to_numpy(),
            "coverage": X.notna().mean().to_numpy(),
        }
    )
    nodes = [c for c in tree.nodes if c in scores.columns]
    A = scores[nodes].astype(float)
    pear = A.corr(method="pearson")
    spear = A.corr(method="spearman")
    group = {c: tree.parent_of(c) for c in inds}
    rows = []
    for i, a in enumerate(inds):
        for b in inds[i + 1 :]:
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "group_a": group[a],
                    "group_b": group[b],
                    "relation": "within" if group[a] == group[b] else "across",
                    "pearson": pear.loc[a, b],
                    "spearman": spear.loc[a, b],
                }
            )
        par = group[a]
        if par in pear.columns:
            rows.append(
                {
                    "a": a,
                    "b": par,
                    "group_a": par,
                    "group_b": par,
                    "relation": "parent",
                    "pearson": pear.loc[a, par],
                    "spearman": spear.loc[a, par],
                }
            )
    corr_long = pd.DataFrame(
        rows, columns=["a", "b", "group_a", "group_b", "relation", "pearson", "spearman"]
    )
    cron, pca = [], []
    for agg in tree.aggregates:
        kids = [c for c in tree.children(agg) if c in scores.columns]
        if len(kids) < 2:
            continue
        Z = scores[kids].to_numpy(dtype=float)
        n_complete = int((~np.isnan(Z).any(axis=1)).sum())
        cron.append(
            {"group": agg, "k": len(kids), "n_complete": n_complete, "alpha": cronbach_alpha(Z)}
        )
        _, ve, n = _pc1(Z)
        if ve is not None:
            pca.append(
                {
                    "group": agg,
                    "n_complete": n,
                    "pc1_share": ve[0],
                    "pc2_share": ve[1] if len(ve) > 1 else np.nan,
                    "cumulative_2": ve[:2].sum(),
                }
            )
    return {
        "coverage_unit": cov_u,
        "coverage_indicator": cov_i,
        "pearson": pear,
        "spearman": spear,
        "correlations": corr_long,
        "cronbach": pd.DataFrame(cron, columns=["group", "k", "n_complete", "alpha"]),
        "pca": pd.DataFrame(
            pca, columns=["group", "n_complete", "pc1_share", "pc2_share", "cumulative_2"]
        ),
    }
