"""Batched array core: normalise, aggregate, rank. Pure numpy; shapes ``(*batch, units, indicators)``.

Statistics are always taken over the units axis (``axis=-2``); NaN means missing and is skipped.
The conventions (COINr, JRC) are written down in ``docs/composite.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from ..errors import MethodError
from ._tree import Tree

NORMALISATIONS = (
    "target",
    "minmax",
    "zscore",
    "rank",
    "percentile",
    "goalposts",
    "dist2target",
    "none",
)
#: Scores are rounded to this many decimals before ranking: 0.664 and 0.6640000000000001 tie.
RANK_DECIMALS = 9
#: Aggregation method -> generalised-mean power.
AGG_POWER = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}
NONPOSITIVE = ("raise", "nan", "clip")


def _per_indicator(value, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape[-1] != n:
        raise MethodError(f"{name} has {arr.shape[-1]} entries but there are {n} indicators")
    return arr


# --------------------------------------------------------------------------- statistics
def skew(x, axis: int = -2) -> np.ndarray:
    """Bias-corrected sample skewness (e1071 type 2 / Excel ``SKEW``, as COINr ``skew()``), NaN-aware.

    NaN where fewer than 3 values are available.

    >>> round(float(skew(np.array([1., 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]), axis=0)), 6)
    3.063241
    """
    x = np.asarray(x, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.sum(~np.isnan(x), axis=axis)
        d = x - np.nanmean(x, axis=axis, keepdims=True)
        s2 = np.nansum(d**2, axis=axis)
        s3 = np.nansum(d**3, axis=axis)
        y = np.sqrt(n) * s3 / s2**1.5 * np.sqrt(n * (n - 1.0)) / (n - 2.0)
    return np.where(n >= 3, y, np.nan)


def kurt(x, axis: int = -2) -> np.ndarray:
    """Bias-corrected sample excess kurtosis (e1071 type 2 / Excel ``KURT``, as COINr ``kurt()``).

    NaN where fewer than 4 values are available.

    >>> round(float(kurt(np.array([1., 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]), axis=0)), 6)
    9.741391
    """
    x = np.asarray(x, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.sum(~np.isnan(x), axis=axis)
        d = x - np.nanmean(x, axis=axis, keepdims=True)
        s2 = np.nansum(d**2, axis=axis)
        s4 = np.nansum(d**4, axis=axis)
        r = n * s4 / s2**2
        y = ((n + 1.0) * (r - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return np.where(n >= 4, y, np.nan)


# --------------------------------------------------------------------------- normalisation
def _goalposts_array(goalposts, n: int) -> tuple[np.ndarray, np.ndarray]:
    gp = np.asarray(goalposts, dtype=float)
    if gp.shape == (2, n):
        lo, hi = gp[0], gp[1]
    elif gp.shape == (n, 2):
        lo, hi = gp[:, 0], gp[:, 1]
    else:
        raise MethodError(f"goalposts must have shape (2, {n}) or ({n}, 2), got {gp.shape}")
    if np.any(~(hi > lo)):
        raise MethodError(
            f"goalposts need low < high for every indicator; bad columns {np.flatnonzero(~(hi > lo)).tolist()}"
        )
    return lo, hi


def normalise_array(
    X,
    method: str = "minmax",
    *,
    directions=None,
    lo=0.0,
    hi=100.0,
    mean=0.0,
    sd=1.0,
    goalposts=None,
    targets=None,
    cap: bool = False,
    scale: float = 1.0,
    clip: bool = True,
    return_clipped: bool = False,
):
    """Normalise indicator columns, batched over any leading axes.

    Args:
        X: array ``(*batch, units, indicators)``; NaN = missing.
        method: ``target`` | ``minmax`` | ``zscore`` | ``rank`` | ``percentile`` |
            ``goalposts`` | ``dist2target`` | ``none`` (direction only).
        directions: ``(indicators,)`` of +1/-1, applied first (``x * direction``). Default +1.
        lo, hi: min-max target range (scalars or per indicator).
        mean, sd: z-score target mean and standard deviation.
        goalposts: raw ``(lo, hi)`` per indicator, shape ``(2, I)`` or ``(I, 2)`` (``goalposts``;
            ``target`` for the indicators without a target).
        targets: raw targets ``(I,)`` for ``dist2target`` and ``target`` (NaN = no target).
        cap: ``dist2target``: cap scores at 1 (COINr ``cap_max``, default False).
        scale: ``goalposts``: multiply the [0, 1] score by this (COINr ``gposts[3]``).
        clip: ``goalposts``: truncate to the posts (COINr ``trunc2posts``).
        return_clipped: also return a boolean mask of the points truncated by goalposts.

    Returns:
        Array of the same shape as ``X`` (and the clipped mask if asked).

    >>> normalise_array(np.array([[1.], [2.], [3.]]), "minmax", lo=0, hi=1).ravel().tolist()
    [0.0, 0.5, 1.0]
    >>> normalise_array(np.array([[1.], [2.], [3.]]), "minmax", directions=[-1], lo=0, hi=1).ravel().tolist()
    [1.0, 0.5, 0.0]
    >>> normalise_array(np.array([[-5.], [50.], [120.]]), "goalposts", goalposts=[[0, 100]]).ravel().tolist()
    [0.0, 0.5, 1.0]

    ``target`` is the attainment of a target: ``value / target`` where higher is better and
    ``target / value`` where lower is better (a value of 0 then meets any target), capped to
    [0, 1]; an indicator without a target (NaN) is scaled by its goalposts instead.

    >>> normalise_array(np.array([[40., 5.], [80., 20.], [100., 0.]]), "target", directions=[1, -1],
    ...                 targets=[80, 10]).tolist()
    [[0.5, 1.0], [1.0, 0.5], [1.0, 1.0]]
    """
    X = np.asarray(X, dtype=float)
    if X.ndim < 2:
        raise MethodError(f"X must be at least 2-D (units, indicators); got shape {X.shape}")
    n_ind = X.shape[-1]
    dirs = np.ones(n_ind) if directions is None else _per_indicator(directions, n_ind, "directions")
    if not np.all(np.isin(dirs, (-1.0, 1.0))):
        raise MethodError(f"directions must be +1 or -1, got {sorted(set(dirs.tolist()))}")
    Xd = X * dirs
    clipped = np.zeros(X.shape, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "minmax":
            lo_, hi_ = _per_indicator(lo, n_ind, "lo"), _per_indicator(hi, n_ind, "hi")
            mn = np.nanmin(Xd, axis=-2, keepdims=True)
            mx = np.nanmax(Xd, axis=-2, keepdims=True)
            rng = mx - mn
            rng = np.where(rng == 0, np.nan, rng)
            Y = (Xd - mn) / rng * (hi_ - lo_) + lo_
        elif method == "zscore":
            if np.any(np.asarray(sd) <= 0):
                raise MethodError(f"zscore sd must be > 0, got {sd}")
            m = np.nanmean(Xd, axis=-2, keepdims=True)
            s = np.nanstd(Xd, axis=-2, ddof=1, keepdims=True)
            s = np.where(s == 0, np.nan, s)
            Y = (Xd - m) / s * _per_indicator(sd, n_ind, "sd") + _per_indicator(mean, n_ind, "mean")
        elif method == "rank":
            Y = _rank_min(Xd, axis=-2)
        elif method == "percentile":
            r = _rank_min(Xd, axis=-2)
            n = np.sum(~np.isnan(Xd), axis=-2, keepdims=True)
            Y = (r - 1.0) / np.where(n > 1, n - 1.0, np.nan)
        elif method == "goalposts":
            if goalposts is None:
                raise MethodError("method 'goalposts' needs goalposts=(lo, hi) per indicator")
            glo, ghi = _goalposts_array(goalposts, n_ind)
            lo_d = np.where(dirs > 0, glo, -ghi)
            Y = (Xd - lo_d) / (ghi - glo)
            if clip:
                clipped = (Y < 0) | (Y > 1)
                Y = np.clip(Y, 0.0, 1.0)
            Y = Y * scale
        elif method == "target":
            Y, clipped = _attainment(X, dirs, targets, goalposts, n_ind)
        elif method == "dist2target":
            if targets is None:
                raise MethodError("method 'dist2target' needs targets (one per indicator)")
            t = _per_indicator(targets, n_ind, "targets") * dirs
            if np.any(np.isnan(t)):
                raise MethodError(
                    f"dist2target: target missing for indicator column(s) {np.flatnonzero(np.isnan(t)).tolist()}"
                )
            mn = np.nanmin(Xd, axis=-2, keepdims=True)
            den = t - mn
            Y = (Xd - mn) / np.where(den == 0, np.nan, den)
            if cap:
                Y = np.minimum(Y, 1.0)
        elif method == "none":
            Y = Xd
        else:
            raise MethodError(f"unknown normalisation {method!r}; choose one of {NORMALISATIONS}")
    if return_clipped:
        return Y, clipped
    return Y


def _attainment(X, dirs, targets, goalposts, n_ind) -> tuple[np.ndarray, np.ndarray]:
    """Share of the target reached, capped to [0, 1]; goalposts where there is no target."""
    if targets is None:
        raise MethodError("method 'target' needs targets (one per indicator, NaN = no target)")
    t = _per_indicator(targets, n_ind, "targets")
    has = ~np.isnan(t)
    if np.any(t[has] <= 0):
        raise MethodError(
            f"method 'target': targets must be > 0 (a share of the target is reached); bad "
            f"column(s) {np.flatnonzero(has & ~(t > 0)).tolist()}"
        )
    safe_t = np.where(has, t, 1.0)
    up = X / safe_t
    down = np.where(X > 0, safe_t / np.where(X > 0, X, 1.0), np.inf)
    att = np.where(dirs > 0, up, down)
    att = np.where(np.isnan(X), np.nan, att)
    clipped = has & ((att < 0) | (att > 1))
    Y = np.clip(att, 0.0, 1.0)
    if not has.all():
        if goalposts is None:
            raise MethodError(
                "method 'target': indicator(s) without a target need goalposts=(lo, hi) per indicator"
            )
        gp = np.asarray(goalposts, dtype=float)
        gp = gp if gp.shape == (2, n_ind) else gp.T
        gp = np.where(has[None, :], np.array([[0.0], [1.0]]), gp)  # unused where a target exists
        Yg, cg = normalise_array(X, "goalposts", directions=dirs, goalposts=gp, return_clipped=True)
        Y = np.where(has, Y, Yg)
        clipped = np.where(has, clipped, cg)
    return Y, clipped


def _rank_min(X: np.ndarray, axis: int) -> np.ndarray:
    if X.size == 0:
        return X.copy()
    return rankdata(X, method="min", axis=axis, nan_policy="omit").astype(float)


def normalise_variants(X, specs: Sequence[dict], *, directions=None) -> np.ndarray:
    """Stack several normalisations of ``X`` on a new leading axis: ``(len(specs), *X.shape)``.

    Each spec is the keyword arguments of :func:`normalise_array` (must include ``method``).
    """
    out = []
    for i, spec in enumerate(specs):
        spec = dict(spec)
        if "method" not in spec:
            raise MethodError(f"normalisation spec #{i} {spec!r} has no 'method'")
        spec.setdefault("directions", directions)
        out.append(normalise_array(X, **spec))
    return np.stack(out, axis=0)


# --------------------------------------------------------------------------- ranks
def round_scores(scores) -> np.ndarray:
    """Scores rounded to :data:`RANK_DECIMALS` decimals: what every rank is computed from.

    Two scores that differ only by floating-point noise (0.664 and 0.6640000000000001) are the
    same score and share a rank; the rounding is the one rule for that, used by
    :func:`rank_array` (scores, Monte Carlo runs, gap ranks) and by the rank correlations.

    >>> float(round_scores(0.1 + 0.2)) == 0.3
    True
    """
    return np.round(np.asarray(scores, dtype=float), RANK_DECIMALS)


def _min_ranks_last(key: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, ascending ``key``, ties share the lowest rank, NaN stays NaN
    (one argsort per call: fast on ``(runs, units)`` blocks)."""
    shape = key.shape
    k2 = key.reshape(-1, shape[-1]) if key.ndim else key.reshape(1, 1)
    miss = np.isnan(k2)
    k2 = np.where(miss, np.inf, k2)
    n_rows, n = k2.shape
    if n == 0:
        return np.empty(shape)
    order = np.argsort(k2, axis=1)
    flat = (order + (np.arange(n_rows) * n)[:, None]).ravel()
    sk = k2.ravel()[flat].reshape(n_rows, n)
    tie = sk[:, 1:] == sk[:, :-1]
    pos = np.arange(1, n + 1, dtype=float)
    if tie.any():
        new = np.ones(sk.shape, dtype=bool)
        new[:, 1:] = ~tie
        first = np.maximum.accumulate(np.where(new, pos[None, :], 0.0), axis=1)
    else:
        first = np.broadcast_to(pos, sk.shape)
    out = np.empty(n_rows * n)
    out[flat] = first.ravel()
    out = out.reshape(n_rows, n)
    out[miss] = np.nan
    return out.reshape(shape)


def rank_array(
    scores, *, axis: int = -1, higher_is_better: bool = True, method: str = "min"
) -> np.ndarray:
    """Ranks along ``axis`` of scores rounded to 1e-9 (:func:`round_scores`); NaN stays NaN.

    ``method="min"`` (default): 1 = best, ties share the lowest rank (competition ranking).
    ``method="average"``: ties share their average rank (the ranks of Spearman's rho).

    >>> rank_array(np.array([10., 30., 30., np.nan, 5.])).tolist()
    [3.0, 1.0, 1.0, nan, 4.0]
    >>> rank_array(np.array([0.664, 0.6640000000000001, 0.5])).tolist()
    [1.0, 1.0, 3.0]
    """
    s = round_scores(scores)
    key = -s if higher_is_better else s
    if method == "min":
        return np.moveaxis(_min_ranks_last(np.moveaxis(key, axis, -1)), -1, axis)
    if method == "average":
        if key.size == 0:
            return key.copy()
        return rankdata(key, method="average", axis=axis, nan_policy="omit").astype(float)
    raise MethodError(f"rank method {method!r}: use min or average")


# --------------------------------------------------------------------------- aggregation
def _level_methods(method, n_steps: int) -> list:
    if isinstance(method, str) or method is None:
        return [method or "arithmetic"] * n_steps
    methods = list(method)
    if len(methods) != n_steps:
        raise MethodError(
            f"method list has {len(methods)} entries but the tree has {n_steps} aggregation levels; give one per level (bottom-up) or a single string"
        )
    return methods


def _powers(methods: list, p) -> list:
    out = []
    for m in methods:
        if m in AGG_POWER:
            out.append(AGG_POWER[m])
        elif m == "genmean":
            if p is None:
                raise MethodError("method 'genmean' needs the power p (e.g. p=0.5)")
            out.append(float(p))
        else:
            raise MethodError(
                f"unknown aggregation {m!r}; choose arithmetic, geometric, harmonic or genmean"
            )
    return out


def aggregate_tree(
    Xn,
    tree: Tree,
    weights=None,
    method="arithmetic",
    *,
    p=None,
    min_coverage: float | None = None,
    nonpositive: str = "raise",
    floor: float = 1e-3,
    return_report: bool = False,
):
    """Aggregate normalised indicators up the tree, batched over leading axes.

    Args:
        Xn: ``(*batch, units, n_indicators)`` normalised indicators (columns = ``tree.indicators``).
        tree: the :class:`Tree`.
        weights: ``(n_nodes,)`` or ``(*wbatch, n_nodes)`` node weights (default ``tree.weights``);
            relative within each sibling group; broadcast against the batch axes of ``Xn``.
        method: ``arithmetic | geometric | harmonic | genmean`` or one per level (bottom-up).
        p: generalised-mean power: a scalar (used when ``method == "genmean"``) or an array
            ``(*pbatch,)`` of powers, one per variant, which then overrides ``method`` for every
            level (1 arithmetic, 0 geometric, -1 harmonic). Variants are grouped by their power,
            so a handful of distinct powers costs a handful of vectorised passes.
        min_coverage: a parent is NaN when (available children / children) < this.
        nonpositive: geometric / p <= 0 with values <= 0 (and p != 1 with values < 0):
            ``raise`` | ``nan`` | ``clip`` (raise to ``floor``).
        floor: the value used by ``nonpositive="clip"``.
        return_report: also return ``{"n_clipped": int, "n_nonpositive": int}``.

    Returns:
        ``(*batch, units, n_nodes)``: every node in ``tree.nodes`` order.
    """
    Xn = np.asarray(Xn, dtype=float)
    if Xn.ndim < 2 or Xn.shape[-1] != tree.n_indicators:
        raise MethodError(
            f"Xn must be (..., units, {tree.n_indicators}) in tree.indicators order; got {Xn.shape}"
        )
    if nonpositive not in NONPOSITIVE:
        raise MethodError(f"nonpositive must be one of {NONPOSITIVE}, got {nonpositive!r}")
    W = tree.weights if weights is None else np.asarray(weights, dtype=float)
    if W.shape[-1] != tree.n_nodes:
        raise MethodError(
            f"weights must have {tree.n_nodes} entries on the last axis (tree.nodes order), got shape {W.shape}"
        )
    report = {"n_clipped": 0, "n_nonpositive": 0}
    n_steps = len(tree.aggregation_steps())
    if p is not None and np.ndim(p) > 0:
        P = np.asarray(p, dtype=float)
        batch = np.broadcast_shapes(Xn.shape[:-2], W.shape[:-1], P.shape)
        U = Xn.shape[-2]
        x_b = (
            None
            if Xn.ndim == 2
            else np.broadcast_to(Xn, (*batch, U, tree.n_indicators)).reshape(
                -1, U, tree.n_indicators
            )
        )
        w_b = np.broadcast_to(W, (*batch, tree.n_nodes)).reshape(-1, tree.n_nodes)
        p_b = np.broadcast_to(P, batch).reshape(-1)
        out = np.empty((p_b.size, U, tree.n_nodes))
        for power in np.unique(p_b):
            idx = np.flatnonzero(p_b == power)
            xs = Xn if x_b is None else x_b[idx]
            out[idx] = _aggregate(
                xs,
                tree,
                w_b[idx],
                [float(power)] * n_steps,
                min_coverage,
                nonpositive,
                floor,
                report,
            )
        out = out.reshape(*batch, U, tree.n_nodes)
    else:
        out = _aggregate(
            Xn,
            tree,
            W,
            _powers(_level_methods(method, n_steps), p),
            min_coverage,
            nonpositive,
            floor,
            report,
        )
    if return_report:
        return out, report
    return out


def _aggregate(Xn, tree, W, powers, min_coverage, nonpositive, floor, report):
    """One pass with one power per level; weights are folded into the membership matrices."""
    batch = np.broadcast_shapes(Xn.shape[:-2], W.shape[:-1])
    U = Xn.shape[-2]
    n_ind = tree.n_indicators
    out = np.empty((*batch, U, tree.n_nodes))
    out[..., :n_ind] = Xn
    for (_, parents), power in zip(tree.aggregation_steps(), powers, strict=True):
        child_idx = np.flatnonzero(np.isin(tree.parent, parents))
        M = (tree.parent[child_idx][:, None] == parents[None, :]).astype(float)  # (n_child, n_par)
        C = Xn[..., child_idx] if child_idx.max() < n_ind else out[..., child_idx]
        WM = W[..., child_idx, None] * M  # (*wbatch, n_child, n_par)
        avail = ~np.isnan(C)
        C, bad_parent = _fix_nonpositive(
            C, avail, power, M, nonpositive, floor, report, tree, child_idx
        )
        res = _genmean(C, avail, WM, M, power)
        if bad_parent is not None:
            res = np.where(bad_parent, np.nan, res)
        if min_coverage is not None:
            cov = (avail.astype(float) @ M) / M.sum(axis=0)
            res = np.where(cov < min_coverage - 1e-12, np.nan, res)
        out[..., parents] = res
    return out


def _fix_nonpositive(C, avail, pw, M, nonpositive, floor, report, tree, child_idx):
    if pw == 1:
        return C, None
    with np.errstate(invalid="ignore"):
        bad = avail & (C <= 0) if pw <= 0 else avail & (C < 0)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return C, None
    report["n_nonpositive"] += n_bad
    if nonpositive == "raise":
        codes = sorted(
            {
                tree.nodes[child_idx[j]]
                for j in np.flatnonzero(bad.reshape(-1, bad.shape[-1]).any(axis=0))
            }
        )
        shown = ", ".join(codes[:8]) + (f" and {len(codes) - 8} more" if len(codes) > 8 else "")
        raise MethodError(
            f"{n_bad} value(s) <= 0 (in {shown}) cannot enter a geometric/harmonic/generalised mean (p <= 0 needs x > 0); "
            "normalise to a positive range (e.g. minmax 1..100, CLI --normalise minmax:1,100) or pass nonpositive='clip' or 'nan' (CLI --nonpositive)"
        )
    if nonpositive == "clip":
        report["n_clipped"] += n_bad
        return np.where(bad, floor, C), None
    return C, (bad.astype(float) @ M) > 0


def _genmean(C, avail, WM, M, pw):
    """Weighted generalised mean of the available children of each parent (weights in ``WM``).

    For p not in {1, 0, -1} it is computed around the weighted geometric mean ``g``:
    ``g * exp(log1p(mean(expm1(p log(x/g)))) / p)``. By Jensen the mean inside ``log1p`` is
    >= 0, so nothing cancels, and p -> 0 tends smoothly to the geometric mean. Parents with a
    child equal to 0 (allowed for p > 0) use the direct formula ``mean(x**p)**(1/p)``.
    """
    all_avail = bool(avail.all())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if all_avail:
            den = np.broadcast_to(WM.sum(axis=-2, keepdims=True), (*WM.shape[:-2], 1, WM.shape[-1]))
            Cz = C1 = C
        else:
            den = avail.astype(float) @ WM
            Cz = np.where(avail, C, 0.0)
            C1 = np.where(avail, C, 1.0)
        den = np.where(den != 0, den, np.nan)
        if pw == 1:
            return (Cz @ WM) / den
        if pw == 0:
            return np.exp((np.log(C1) @ WM) / den)
        if pw == -1:
            inv = 1.0 / C1 if all_avail else np.where(avail, 1.0 / C1, 0.0)
            return den / (inv @ WM)
        pos = C1 > 0
        L = np.log(np.where(pos, C1, 1.0))
        lg = (L @ WM) / den  # log of the weighted geometric mean, per parent
        # a parent with no available child has lg = NaN; NaN * 0 in the product would spread it
        # to every child of every parent, so broadcast a finite stand-in (its result stays NaN)
        D = L - np.where(np.isfinite(lg), lg, 0.0) @ M.T
        E = np.expm1(pw * D)
        if not all_avail:
            E = np.where(avail, E, 0.0)
        res = np.exp(lg) * np.exp(np.log1p((E @ WM) / den) / pw)
        has_zero = ((avail & ~pos).astype(float) @ M) > 0
        if np.any(has_zero):
            Pw = np.power(C1, pw) if all_avail else np.where(avail, np.power(C1, pw), 0.0)
            res = np.where(has_zero, np.power((Pw @ WM) / den, 1.0 / pw), res)
        return res


# --------------------------------------------------------------------------- effective weights
def sibling_normalised(tree: Tree, weights) -> np.ndarray:
    """Weights divided by the sum of their sibling group (the root gets 1; a zero group gives 0).

    Args:
        tree: the tree.
        weights: ``(*batch, n_nodes)``.

    Returns:
        ``(*batch, n_nodes)``.
    """
    W = np.asarray(weights, dtype=float)
    n = tree.n_nodes
    par = tree.parent
    P = np.zeros((n, n))
    nonroot = np.flatnonzero(par >= 0)
    P[nonroot, par[nonroot]] = 1.0
    sums = W @ P  # (*batch, n): sum of children weights for each parent
    sib = np.ones(W.shape)
    sib[..., nonroot] = sums[..., par[nonroot]]
    with np.errstate(divide="ignore", invalid="ignore"):
        wn = np.where(sib > 0, W / sib, 0.0)
    wn[..., par < 0] = 1.0
    return wn


def effective_weights(tree: Tree, weights=None) -> np.ndarray:
    """Weight of each indicator in the root: product of sibling-normalised weights on its path.

    Args:
        tree: the tree.
        weights: ``(n_nodes,)`` or ``(*batch, n_nodes)``; default ``tree.weights``.

    Returns:
        ``(*batch, n_indicators)``; sums to 1 when every weight is positive.
    """
    W = tree.weights if weights is None else np.asarray(weights, dtype=float)
    par = tree.parent
    wn = sibling_normalised(tree, W)
    root = np.flatnonzero(par < 0)
    eff = np.ones((*W.shape[:-1], tree.n_indicators))
    k = np.arange(tree.n_indicators)
    while True:
        live = k >= 0
        if not live.any():
            break
        kk = np.where(live, k, root[0])
        eff = eff * np.where(live, wn[..., kk], 1.0)
        k = np.where(live, par[kk], -1)
    return eff


# --------------------------------------------------------------------------- flat power means
def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean of the rows of ``x`` (R x K), dropping NaN and renormalising the weights.

    ``w`` is ``(K,)`` (one weight per column) or ``(K, B)`` (B weight vectors at once, as in a
    bootstrap); the result is ``(R,)`` or ``(R, B)``. A row with no non-missing value (or zero
    total weight on its non-missing values) gives NaN. This is one level of
    :func:`aggregate_tree` with the arithmetic mean.

    >>> weighted_mean(np.array([[0.2, np.nan, 0.8], [0.5, 0.5, 0.5]]), np.array([1.0, 5.0, 3.0]))
    array([0.65, 0.5 ])
    """
    ok = ~np.isnan(x)
    sub = "rk,k->r" if w.ndim == 1 else "rk,kb->rb"
    # einsum, not BLAS: K is small, and BLAS threads only add overhead (and contention) here
    num = np.einsum(sub, np.where(ok, x, 0.0), w)
    den = np.einsum(sub, ok.astype(float), w)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return np.where(den > 0, out, np.nan)


_NONPOSITIVE_FIX = (
    "values <= 0 cannot enter a geometric/harmonic/generalised mean; normalise to a positive "
    "range (e.g. minmax:1,100) or set base.nonpositive to clip"
)


def power_transform(p: float):
    """``(f, f_inverse)`` of the generalised mean with power ``p``: identity, log/exp, x^p."""
    if p == 1.0:
        return (lambda x: x), (lambda y: y)
    if p == 0.0:
        return np.log, np.exp
    return (lambda x: np.power(x, p)), (lambda y: np.power(y, 1.0 / p))


def clip_nonpositive(X: np.ndarray, p: float, nonpositive: str, floor: float) -> np.ndarray:
    """Values a power mean with power ``p`` cannot take: ``raise``, or replace by ``floor`` / NaN."""
    if p == 1.0:
        return X
    with np.errstate(invalid="ignore"):
        bad = (X <= 0) if p <= 0 else (X < 0)
    if not bad.any():
        return X
    if nonpositive == "raise":
        raise MethodError(_NONPOSITIVE_FIX)
    return np.where(bad, floor if nonpositive == "clip" else np.nan, X)


def power_mean(
    X: np.ndarray, E: np.ndarray, p: float, nonpositive: str, floor: float
) -> np.ndarray:
    """Weighted power mean of complete data ``X (U, I)`` with many weight vectors ``E (..., R, I)``.

    With one power at every level, a nested generalised mean of complete data equals the flat
    power mean of the indicators with their effective weights (:func:`effective_weights`), so
    all R weight vectors are one matrix product. Returns ``(..., R, U)``.
    """
    if p != 1.0:
        bad = (X <= 0) if p <= 0 else (X < 0)
        if bad.any():
            if nonpositive == "raise":
                raise MethodError(_NONPOSITIVE_FIX)
            if nonpositive == "clip":
                X = np.where(bad, floor, X)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 1.0:
            return E @ X.T
        if p == 0.0:
            return np.exp(E @ np.log(X).T)
        out = np.power(E @ np.power(X, p).T, 1.0 / p)
    if nonpositive == "nan" and p != 1.0:
        badu = ((X <= 0) if p <= 0 else (X < 0)).astype(float)
        hit = (E > 0).astype(float) @ badu.T > 0
        out = np.where(hit, np.nan, out)
    return out
