"""Scores of the target nodes for many runs at once, from the prepared design.

A run's scores come from one of two exact evaluators: where the data variant is complete, a
nested generalised mean with one power at every level equals the power mean of the indicators
with their *effective* weights (:func:`analysis.composite.arrays.power_mean`), so all runs
sharing a data variant are one matrix product; where values are missing (weights of missing
children are re-normalised level by level) the runs go through a shared-data evaluator or, in
chunks, :func:`analysis.composite.aggregate_tree` with ``weights (V, n_nodes)`` and ``p (V,)``.
They give the same numbers (tested).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..composite.arrays import (
    aggregate_tree,
    clip_nonpositive,
    power_mean,
    power_transform,
    rank_array,
    sibling_normalised,
)
from ..errors import MethodError, ParameterError
from ..gaps.formula import ECON, GAP_SERIES, GOV, SOC, gap_values
from .design import _Design
from .spec import CHOICES, RUN_COLUMNS

#: Column of each choice in a run's code row.
_IMP, _TRT, _NRM, _WTS, _AGG, _LOO = range(6)


def _effective_to(tree, wn: np.ndarray, node: int) -> np.ndarray:
    """Effective weight ``(R, I)`` of every indicator in ``node`` (0 outside its subtree), renormalised."""
    n_ind = tree.n_indicators
    E = np.ones((wn.shape[0], n_ind))
    k = np.arange(n_ind)
    under = np.zeros(n_ind, dtype=bool)
    active = np.ones(n_ind, dtype=bool)
    while active.any():
        hit = active & (k == node)
        under |= hit
        active &= ~hit
        active &= k >= 0
        if not active.any():
            break
        E[:, active] *= wn[:, k[active]]
        k = np.where(active, tree.parent[np.where(active, k, 0)], -1)
    E[:, ~under] = 0.0
    s = E.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, E / s, np.nan)


def _eval_shared(
    tree,
    X: np.ndarray,
    W: np.ndarray,
    p: float,
    nonpositive: str,
    floor: float,
    targets: list[int],
    chunk: int,
) -> np.ndarray:
    """Nested weighted power means with missing values, for many weight vectors and ONE data
    variant ``X (U, I)``: same rule as :func:`analysis.composite.aggregate_tree` (weights of
    missing children dropped and the rest re-normalised, level by level), but the indicator
    level is a matrix product with the shared data instead of a ``(runs, U, I)`` broadcast.

    Returns ``(n_targets, R, U)``.
    """
    if nonpositive == "nan":
        raise MethodError("nonpositive='nan' is evaluated by aggregate_tree; use method='tree'")
    U, n_ind = X.shape
    R = W.shape[0]
    f, finv = power_transform(p)
    Xc = clip_nonpositive(X, p, nonpositive, floor)
    avail = ~np.isnan(Xc)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        T = np.where(avail, f(np.where(avail, Xc, 1.0)), 0.0)
    A = avail.astype(float)
    steps = tree.aggregation_steps()
    n_agg = tree.n_nodes - n_ind
    kids = {int(j): np.flatnonzero(tree.parent == j) for _, parents in steps for j in parents}
    out = np.empty((len(targets), R, U))
    for s in range(0, R, chunk):
        Wc = W[s : s + chunk]
        r = Wc.shape[0]
        V = np.empty((r, U, n_agg))
        for _, parents in steps:
            for j in parents:
                k = kids[int(j)]
                ki, ka = k[k < n_ind], k[k >= n_ind]
                num = np.zeros((r, U))
                den = np.zeros((r, U))
                if len(ki):
                    Wi = Wc[:, ki].T  # (ni, r)
                    num += (T[:, ki] @ Wi).T
                    den += (A[:, ki] @ Wi).T
                for a in ka:
                    v = clip_nonpositive(V[:, :, a - n_ind], p, nonpositive, floor)
                    av = ~np.isnan(v)
                    w = Wc[:, a][:, None]
                    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                        num += np.where(av, f(np.where(av, v, 1.0)), 0.0) * w
                    den += av * w
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    V[:, :, j - n_ind] = np.where(
                        den > 0, finv(num / np.where(den > 0, den, 1.0)), np.nan
                    )
        for t_i, t in enumerate(targets):
            out[t_i, s : s + r] = V[:, :, t - n_ind]
    return out


def _evaluate(
    d: _Design,
    codes: np.ndarray,
    *,
    method: str = "auto",
    chunk_size: int | None = None,
    fresh_W: np.ndarray | None = None,
) -> np.ndarray:
    """Scores of the target nodes for every run: ``(n_targets, R, U)``."""
    tree = d.tree
    codes = np.asarray(codes, dtype=np.int64)
    R = codes.shape[0]
    U = len(d.unit_codes)
    if fresh_W is not None:
        W = fresh_W.copy()
    else:
        W = d.weight_alts[codes[:, _WTS]].copy()
    loo = d.loo_alts[codes[:, _LOO]]
    r_loo = np.flatnonzero(loo >= 0)
    W[r_loo, loo[r_loo]] = 0.0
    p = d.p_alts[codes[:, _AGG]]
    M, T, K = d.shape_mtk
    combo = np.ravel_multi_index((codes[:, _IMP], codes[:, _TRT], codes[:, _NRM]), (M, T, K))
    out = np.full((len(d.targets), R, U), np.nan)
    if chunk_size is None:
        chunk_size = max(1, int(1.5e7 // max(1, U * tree.n_nodes)))
    for c in np.unique(combo):
        idx = np.flatnonzero(combo == c)
        X = d.stack[c]
        if method == "closed" or (method == "auto" and d.complete[c]):
            if not d.complete[c]:
                raise MethodError(
                    "method='closed' needs complete data in every variant; use method='auto' or 'tree'"
                )
            for pv in np.unique(p[idx]):
                j = idx[p[idx] == pv]
                for s in range(0, len(j), chunk_size * 8):
                    jj = j[s : s + chunk_size * 8]
                    wn = sibling_normalised(tree, W[jj])
                    E = np.stack([_effective_to(tree, wn, t) for t in d.targets])  # (n_t, r, I)
                    out[:, jj, :] = power_mean(X, E, float(pv), d.nonpositive, d.floor)
        elif method in ("auto", "shared") and d.nonpositive != "nan":
            for pv in np.unique(p[idx]):
                j = idx[p[idx] == pv]
                out[:, j, :] = _eval_shared(
                    tree,
                    X,
                    W[j],
                    float(pv),
                    d.nonpositive,
                    d.floor,
                    d.targets,
                    max(1, chunk_size * 4),
                )
        elif method in ("auto", "tree", "shared"):
            for s in range(0, len(idx), chunk_size):
                jj = idx[s : s + chunk_size]
                Xb = np.broadcast_to(X, (len(jj), *X.shape))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    agg = aggregate_tree(
                        Xb, tree, W[jj], p=p[jj], nonpositive=d.nonpositive, floor=d.floor
                    )
                out[:, jj, :] = np.moveaxis(agg[..., d.targets], -1, 0)
        else:
            raise ParameterError(f"method {method!r} unknown; use auto, closed, shared or tree")
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks along the last axis (1 = best; ties, after rounding to 1e-9, share the lowest rank;
    NaN stays NaN): :func:`analysis.composite.arrays.rank_array`, the one rank rule."""
    return rank_array(scores, axis=-1)


def _draw_codes(d: _Design, draws: int, rng: np.random.Generator) -> np.ndarray:
    codes = np.tile(np.asarray(d.base_idx, dtype=np.int64), (draws, 1))
    for j in range(6):
        n = d.n_sampled[j]
        if n > 0:
            codes[:, j] = rng.integers(0, n, size=draws)
    return codes


def _runs_table(d: _Design, codes: np.ndarray, run_ids=None, fresh: bool = False) -> pd.DataFrame:
    R = codes.shape[0]
    out = {"run": np.arange(1, R + 1) if run_ids is None else list(run_ids)}
    for j, name in enumerate(CHOICES):
        if d.n_sampled[j] == 0 and not (fresh and j == _WTS):
            continue
        if fresh and j == _WTS:
            out[RUN_COLUMNS[name]] = [str(i + 1) for i in range(R)]
        else:
            out[RUN_COLUMNS[name]] = np.asarray(d.labels[j], dtype=object)[codes[:, j]]
    df = pd.DataFrame(out)
    for c in df.columns[1:]:
        df[c] = df[c].astype(str)
    return df


def _gaps(S: np.ndarray, slots: dict | None = None) -> np.ndarray:
    """``S (n_targets, R, U)`` (root, then the gap pillars) -> ``(3, R, U)`` gap_econ, gap_soc,
    gap_mean, by the one gap formula (:func:`analysis.gaps.formula.gap_values`; a pillar the
    tree lacks is NaN, and gap_mean compares with the pillars there are)."""
    slots = slots or {GOV: 1, ECON: 2, SOC: 3}
    nan = np.full(S.shape[1:], np.nan)
    pil = {p: S[slots[p]] if p in slots else nan for p in (GOV, ECON, SOC)}
    g = gap_values(pil, [p for p in (ECON, SOC) if p in slots])
    return np.stack([g[k] for k in GAP_SERIES])
