"""Monte Carlo uncertainty analysis: ``draws`` runs, each choice drawn uniformly among its
alternatives (seeded); rank statistics per unit and, with gap pillars, the gaps of every run.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import ParameterError
from ..gaps.formula import GAP_SERIES
from .design import _Design, _prepare
from .evaluate import (
    _IMP,
    _NRM,
    _TRT,
    _WTS,
    _draw_codes,
    _evaluate,
    _gaps,
    _ranks,
    _runs_table,
)
from .replay import read_replay
from .spec import CHOICES, RUN_COLUMNS, apply_base, canonical_replay_values, load_spec


# =========================================================================== results
@dataclass(eq=False)
class UncertaintyResult:
    """Output of :func:`run_uncertainty` / :func:`run_uncertainty_tidy`.

    Attributes:
        rank_stats: ``unit_code, nominal, mean, median, q05, q95, mean_abs_shift, p_top_k,
            p_bottom_k`` (+ ``period, status`` on the tidy path); ranks 1 = best.
        runs: the sampled choices of every run: ``run`` + one column per uncertain choice
            (``imputation, winmax, normalisation, weights_set, aggregation, leave_one_out``).
        scores: index scores, units x runs (index ``unit_code``; columns = run ids).
        ranks: ranks, units x runs.
        nominal: ``unit_code, score, rank`` of the base pipeline.
        gap_stats: per unit (when the tree has government/economy/society pillars):
            ``unit_code, <gap>_nominal, <gap>, <gap>_method_lo, <gap>_method_hi`` for gap_econ,
            gap_soc, gap_mean (median and 5th/95th percentiles over runs: the method
            interval), else None.
        gap_rank_stats: rank statistics of ``gap_mean`` (rank 1 = largest gap), else None.
        weight_sets: the weight sets used (long: ``set, iCode, weight``), else None.
        spec: the resolved spec; seed: the seed; elapsed_s: compute time;
        timings: ``prep_s`` (data variants), ``eval_s`` (all runs), ``stats_s``.
        method: evaluator used (``closed``, ``tree`` or ``mixed``).
    """

    rank_stats: pd.DataFrame | None
    runs: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.DataFrame | None
    nominal: pd.DataFrame
    gap_stats: pd.DataFrame | None
    gap_rank_stats: pd.DataFrame | None
    weight_sets: pd.DataFrame | None
    spec: dict
    seed: int
    elapsed_s: float
    timings: dict = field(default_factory=dict)
    method: str = "auto"
    _gap_parts: list = field(default_factory=list, repr=False)

    @property
    def n_runs(self) -> int:
        return int(len(self.runs))

    @property
    def gap_draws(self) -> pd.DataFrame | None:
        """Tidy per-run gaps: ``unit_code, period?, draw, gap_econ, gap_soc, gap_mean`` (what
        :func:`analysis.robustness.add_method_intervals` summarises), or None without gap pillars."""
        if not self._gap_parts:
            return None
        frames = []
        for period, units, G in self._gap_parts:  # G: (3, R, U)
            R, U = G.shape[1], G.shape[2]
            f = pd.DataFrame(
                {
                    "unit_code": np.tile(np.asarray(units, dtype=object), R),
                    "draw": np.repeat(np.arange(1, R + 1), U),
                    "gap_econ": G[0].ravel(),
                    "gap_soc": G[1].ravel(),
                    "gap_mean": G[2].ravel(),
                }
            )
            if period is not None:
                f.insert(1, "period", period)
            frames.append(f)
        out = pd.concat(frames, ignore_index=True)
        out["unit_code"] = out["unit_code"].astype(str)
        if "period" in out.columns:
            out["period"] = out["period"].astype(str)
        return out


def _nanquantile0(A: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles over axis 0 ignoring NaN (numpy's linear rule, R type 7), vectorised."""
    if not np.isnan(A).any():
        return np.quantile(A, qs, axis=0)
    S = np.sort(A, axis=0)  # NaN last
    n = np.sum(~np.isnan(A), axis=0)
    out = np.full((len(qs), A.shape[1]), np.nan)
    ok = n > 0
    cols = np.flatnonzero(ok)
    for i, q in enumerate(qs):
        h = (n[cols] - 1) * q
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, n[cols] - 1)
        a, b = S[lo, cols], S[hi, cols]
        out[i, cols] = a + (h - lo) * (b - a)
    return out


def _rank_stats(
    units: list[str], ranks: np.ndarray, nominal: np.ndarray, top_k: int, bottom_k: int
) -> pd.DataFrame:
    """``ranks (R, U)``, ``nominal (U,)`` -> the rank-stats contract table."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n_valid = np.sum(~np.isnan(ranks), axis=1, keepdims=True)
        valid = ~np.isnan(ranks)
        q = _nanquantile0(ranks, [0.5, 0.05, 0.95])
        top = np.where(valid, ranks <= top_k, np.nan)
        bottom = np.where(valid, ranks > n_valid - bottom_k, np.nan)
        df = pd.DataFrame(
            {
                "unit_code": pd.array(units, dtype="str"),
                "nominal": nominal,
                "mean": np.nanmean(ranks, axis=0),
                "median": q[0],
                "q05": q[1],
                "q95": q[2],
                "mean_abs_shift": np.nanmean(np.abs(ranks - nominal[None, :]), axis=0),
                "p_top_k": np.nanmean(top, axis=0),
                "p_bottom_k": np.nanmean(bottom, axis=0),
            }
        )
    return df


def _gap_stats(units, G: np.ndarray, G_nom: np.ndarray) -> pd.DataFrame:
    out = {"unit_code": pd.array(units, dtype="str")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for i, name in enumerate(GAP_SERIES):
            q = _nanquantile0(G[i], [0.5, 0.05, 0.95])
            out[f"{name}_nominal"] = G_nom[i]
            out[name] = q[0]
            out[f"{name}_method_lo"] = q[1]
            out[f"{name}_method_hi"] = q[2]
    return pd.DataFrame(out)


def _default_k(U: int, spec: dict, top_k: int | None) -> int:
    if top_k is not None:
        return int(top_k)
    if spec.get("top_k") is not None:
        return int(spec["top_k"])
    return max(1, round(U / 10))


def _uncertainty_core(
    d: _Design,
    codes: np.ndarray,
    *,
    runs: pd.DataFrame,
    seed: int,
    top_k,
    bottom_k,
    method: str,
    chunk_size,
    fresh_W,
    t_start: float,
    period=None,
    with_ranks: bool = True,
):
    te = time.perf_counter()
    S = _evaluate(d, codes, method=method, chunk_size=chunk_size, fresh_W=fresh_W)
    nom_codes = np.asarray(d.base_idx, dtype=np.int64)[None, :]
    S_nom = _evaluate(d, nom_codes, method=method, chunk_size=chunk_size)
    eval_s = time.perf_counter() - te
    ts = time.perf_counter()
    rk_nom = _ranks(S_nom[0])[0]
    U = len(d.unit_codes)
    k_top = _default_k(U, d.spec, top_k)
    k_bot = k_top if bottom_k is None else int(bottom_k)
    rk = _ranks(S[0]) if with_ranks else None
    stats = _rank_stats(d.unit_codes, rk, rk_nom, k_top, k_bot) if with_ranks else None
    gap_stats = gap_rank = None
    parts = []
    if d.has_gaps:
        G = _gaps(S, d.gap_slots)
        G_nom = _gaps(S_nom, d.gap_slots)[:, 0, :]
        gap_stats = _gap_stats(d.unit_codes, G, G_nom)
        if with_ranks:
            gap_rank = _rank_stats(
                d.unit_codes, _ranks(G[2]), _ranks(G_nom[2][None, :])[0], k_top, k_bot
            )
        parts.append((period, list(d.unit_codes), G))
    cols = list(runs["run"])
    idx = pd.Index(pd.array(d.unit_codes, dtype="str"), name="unit_code")
    scores = pd.DataFrame(S[0].T, index=idx, columns=cols)
    ranks = pd.DataFrame(rk.T, index=idx, columns=cols) if with_ranks else None
    nominal = pd.DataFrame(
        {"unit_code": pd.array(d.unit_codes, dtype="str"), "score": S_nom[0, 0], "rank": rk_nom}
    )
    stats_s = time.perf_counter() - ts
    used = {
        bool(d.complete[c])
        for c in np.unique(
            np.ravel_multi_index((codes[:, _IMP], codes[:, _TRT], codes[:, _NRM]), d.shape_mtk)
        )
    }
    meth = (
        method
        if method != "auto"
        else ("closed" if used == {True} else "tree" if used == {False} else "mixed")
    )
    wsets = None
    if d.weight_alts.shape[0] > 1 or fresh_W is not None:
        Wv = fresh_W if fresh_W is not None else d.weight_alts[:-1]
        ids = [str(i + 1) for i in range(len(Wv))] if fresh_W is not None else d.weight_set_ids[:-1]
        wsets = pd.DataFrame(
            {
                "set": np.repeat(np.asarray(ids, dtype=object), d.tree.n_nodes).astype(str),
                "iCode": np.tile(np.asarray(d.tree.nodes, dtype=object), len(Wv)).astype(str),
                "weight": Wv.ravel(),
            }
        )
    res = UncertaintyResult(
        rank_stats=stats,
        runs=runs,
        scores=scores,
        ranks=ranks,
        nominal=nominal,
        gap_stats=gap_stats,
        gap_rank_stats=gap_rank,
        weight_sets=wsets,
        spec=d.spec,
        seed=seed,
        elapsed_s=time.perf_counter() - t_start,
        timings={"prep_s": d.prep_s, "eval_s": eval_s, "stats_s": stats_s},
        method=meth,
        _gap_parts=parts,
    )
    return res


def run_uncertainty(
    data,
    imeta_or_tree,
    spec: str | Path | Mapping | None = None,
    *,
    draws: int = 1000,
    seed: int | None = None,
    top_k: int | None = None,
    bottom_k: int | None = None,
    base: Mapping | None = None,
    replay: str | Path | pd.DataFrame | None = None,
    weight_sets: str | Path | pd.DataFrame | None = None,
    goalposts: np.ndarray | None = None,
    method: str = "auto",
    chunk_size: int | None = None,
    with_ranks: bool = True,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of ranks (and gaps) over the spec's method choices.

    Args:
        data: wide table, one row per unit (index = unit code, or a ``uCode`` column), with the
            indicator columns (iCodes) plus denominator / group columns the spec uses; or a
            :class:`analysis.composite.CoinData`.
        imeta_or_tree: COINr iMeta table or :class:`analysis.composite.Tree` (None with CoinData).
        spec: preset name (``coinr-vignette``, ``commune``), YAML path or dict (:func:`load_spec`).
        draws: number of Monte Carlo runs (ignored with ``replay``).
        seed: random seed (default :data:`analysis.config.DEFAULT_SEED`).
        top_k, bottom_k: k for ``p_top_k`` / ``p_bottom_k`` (default: 10 % of units, >= 1).
        base: overrides of the spec's base pipeline (keys as in the spec's ``base``).
        replay: a runs table (CSV path or DataFrame; ``run`` + one column per choice, values as
            in ``runs.csv``) to evaluate exactly those variants instead of drawing.
        weight_sets: long ``set, iCode, weight`` table (path or DataFrame) for ``weights_set``.
        goalposts: the framework's scales (:class:`analysis.composite.scales.ScaleMeta`: goalposts,
            targets and percentage indicators, for ``target`` and ``goalposts`` labels), or a
            ``(2, I)`` array of raw goalposts (``goalposts`` labels only).
        method: ``auto`` (closed form where the data variant is complete, else
            ``aggregate_tree``), ``closed`` or ``tree``.
        chunk_size: runs per ``aggregate_tree`` call (memory knob; results do not depend on it).
        with_ranks: compute the rank statistics over the runs (False: ``rank_stats``,
            ``gap_rank_stats`` and ``ranks`` are None; the gaps and scores are still there).

    Returns:
        :class:`UncertaintyResult`.
    """
    t0 = time.perf_counter()
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    sp = apply_base(load_spec(spec), base)
    if replay is not None:
        table = read_replay(replay)
        values = {
            c: list(table[RUN_COLUMNS[c]]) for c in CHOICES if RUN_COLUMNS[c] in table.columns
        }
        values = {c: list(dict.fromkeys(v)) for c, v in canonical_replay_values(values).items()}
        d = _prepare(
            data,
            imeta_or_tree,
            sp,
            goalposts=goalposts,
            weight_sets=weight_sets,
            seed=seed,
            replay_values=values,
        )
        codes = np.tile(np.asarray(d.base_idx, dtype=np.int64), (len(table), 1))
        for j, name in enumerate(CHOICES):
            col = RUN_COLUMNS[name]
            if col in table.columns:
                canon = canonical_replay_values({name: list(table[col])})[name]
                pos = {v: i for i, v in enumerate(d.labels[j])}
                codes[:, j] = [pos[v] for v in canon]
        runs = table.copy()
        for j, name in enumerate(CHOICES):
            col = RUN_COLUMNS[name]
            if col in runs.columns:
                runs[col] = np.asarray(d.labels[j], dtype=object)[codes[:, j]].astype(str)
        return _uncertainty_core(
            d,
            codes,
            runs=runs,
            seed=seed,
            top_k=top_k,
            bottom_k=bottom_k,
            method=method,
            chunk_size=chunk_size,
            fresh_W=None,
            t_start=t0,
            with_ranks=with_ranks,
        )
    if draws < 1:
        raise ParameterError(f"draws must be >= 1, got {draws}")
    d = _prepare(
        data,
        imeta_or_tree,
        sp,
        goalposts=goalposts,
        weight_sets=weight_sets,
        seed=seed,
        n_fresh=int(draws),
    )
    rng = np.random.default_rng([seed, 2])
    codes = _draw_codes(d, int(draws), rng)
    fresh_W = None
    if d.fresh_weights is not None:
        fresh_W = d.weight_alts[: int(draws)]
        codes[:, _WTS] = np.arange(int(draws))
    runs = _runs_table(d, codes, fresh=fresh_W is not None)
    return _uncertainty_core(
        d,
        codes,
        runs=runs,
        seed=seed,
        top_k=top_k,
        bottom_k=bottom_k,
        method=method,
        chunk_size=chunk_size,
        fresh_W=fresh_W,
        t_start=t0,
        with_ranks=with_ranks,
    )
