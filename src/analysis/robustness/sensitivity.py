"""Variance-based (Sobol) sensitivity of ranks and gaps to each uncertain choice (SALib).

A Saltelli/Sobol design (``SALib.sample.sobol.sample``, ``N (d + 2)`` runs), each uniform
coordinate mapped to one of the choice's alternatives by equal-width bins (``floor(u * n)``),
and ``SALib.analyze.sobol.analyze`` (first-order and total indices, bootstrap intervals).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import ParameterError
from ..gaps.formula import GAP_SERIES
from .design import _Design, _prepare
from .evaluate import _evaluate, _gaps, _ranks, _runs_table
from .spec import CHOICES, apply_base, load_spec

#: Columns of the sensitivity table.
SENSITIVITY_COLUMNS = (
    "choice", "alternatives", "target", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi",
)  # fmt: skip


def _alternatives_text(d: _Design, name: str) -> str:
    """The alternatives a choice was drawn among, as ``a|b|c`` (weights: the perturbation)."""
    j = CHOICES.index(name)
    if name == "weights":
        ws = d.spec["uncertain"].get("weights") or {}
        if "perturb" in ws:
            per = ", ".join(f"level {k}: +/-{f:g}" for k, f in sorted(ws["perturb"].items()))
            return f"perturbed ({per}; {d.n_sampled[j]} sets)"
        return f"{d.n_sampled[j]} weight sets"
    return "|".join(str(x) for x in d.labels[j][: d.n_sampled[j]])


def _sobol_design(d: _Design, n: int, seed: int, second_order: bool):
    from SALib.sample import sobol as sobol_sample

    names = d.choice_names
    if not names:
        raise ParameterError(
            "the spec lists no uncertain choice; a sensitivity analysis needs at least one"
        )
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib/scipy warn when n is not a power of 2
        X = sobol_sample.sample(
            problem, int(n), calc_second_order=second_order, scramble=True, seed=int(seed)
        )
    codes = np.tile(np.asarray(d.base_idx, dtype=np.int64), (X.shape[0], 1))
    for col, name in enumerate(names):
        j = CHOICES.index(name)
        k = d.n_sampled[j]
        codes[:, j] = np.minimum(np.floor(X[:, col] * k).astype(np.int64), k - 1)
    return problem, X, codes


def _sobol_indices(
    problem, Y: np.ndarray, *, second_order: bool, num_resamples: int, conf_level: float, seed: int
) -> dict:
    from SALib.analyze import sobol as sobol_analyze

    D = problem["num_vars"]
    Y = np.asarray(Y, dtype=float)
    if np.all(np.isnan(Y)) or np.nanvar(Y) <= 1e-24 * max(1.0, float(np.nanmean(Y) ** 2)):
        z = np.zeros(D)
        return {"S1": z, "S1_conf": z, "ST": z, "ST_conf": z}
    if np.isnan(Y).any():
        Y = np.where(np.isnan(Y), np.nanmean(Y), Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return sobol_analyze.analyze(
            problem,
            Y,
            calc_second_order=second_order,
            num_resamples=int(num_resamples),
            conf_level=conf_level,
            print_to_console=False,
            seed=int(seed),
        )


def _sensitivity_core(
    d: _Design,
    *,
    n: int,
    seed: int,
    second_order: bool,
    num_resamples: int,
    conf_level: float,
    method: str,
    chunk_size,
    targets: str,
):
    problem, X, codes = _sobol_design(d, n, seed, second_order)
    S = _evaluate(d, codes, method=method, chunk_size=chunk_size)
    S_nom = _evaluate(
        d, np.asarray(d.base_idx, dtype=np.int64)[None, :], method=method, chunk_size=chunk_size
    )
    rk = _ranks(S[0])
    rk_nom = _ranks(S_nom[0])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y_shift = np.nanmean(np.abs(rk - rk_nom[None, :]), axis=1)
    Ys = [("mean_abs_rank_shift", y_shift)]
    if d.has_gaps and targets in ("all", "gaps"):
        G = _gaps(S, d.gap_slots)
        for u, code in enumerate(d.unit_codes):
            for i, g in enumerate(GAP_SERIES):
                if not np.isnan(G[i, :, u]).all():  # a gap the framework has (no G - E for EGDI)
                    Ys.append((f"{g}:{code}", G[i, :, u]))
    if targets == "gaps":
        Ys = Ys[1:]
    alts = {name: _alternatives_text(d, name) for name in problem["names"]}
    rows = []
    for target, Y in Ys:
        si = _sobol_indices(
            problem,
            Y,
            second_order=second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
        for v, name in enumerate(problem["names"]):
            rows.append(
                {
                    "choice": name,
                    "alternatives": alts[name],
                    "target": target,
                    "Si": float(si["S1"][v]),
                    "Si_lo": float(si["S1"][v] - si["S1_conf"][v]),
                    "Si_hi": float(si["S1"][v] + si["S1_conf"][v]),
                    "STi": float(si["ST"][v]),
                    "STi_lo": float(si["ST"][v] - si["ST_conf"][v]),
                    "STi_hi": float(si["ST"][v] + si["ST_conf"][v]),
                }
            )
    out = pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
    runs = _runs_table(d, codes)
    return out, runs, S, rk


def run_sensitivity(
    data,
    imeta_or_tree,
    spec: str | Path | Mapping | None = None,
    *,
    n: int = 256,
    seed: int | None = None,
    second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    base: Mapping | None = None,
    weight_sets: str | Path | pd.DataFrame | None = None,
    goalposts: np.ndarray | None = None,
    targets: str = "all",
    method: str = "auto",
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices of each uncertain choice (SALib; Saltelli design).

    The design has ``n * (d + 2)`` runs (``n * (2d + 2)`` with ``second_order``), d = number
    of uncertain choices; each choice's uniform coordinate is mapped to one of its
    alternatives by equal-width bins. Targets: ``mean_abs_rank_shift`` (mean over units of
    ``|rank - nominal rank|`` in a run) and, when the tree has government/economy/society
    pillars, ``gap_econ:<unit>``, ``gap_soc:<unit>``, ``gap_mean:<unit>``. A target that no
    choice moves (zero variance) gets all indices 0.

    Args:
        data, imeta_or_tree, spec, seed, base, weight_sets, goalposts, method, chunk_size: as
            in :func:`run_uncertainty`.
        n: base sample size N of the Sobol design (a power of 2 is best).
        second_order: also sample for second-order indices (SALib; not reported here).
        num_resamples: bootstrap resamples for the confidence intervals.
        conf_level: confidence level of ``*_lo``/``*_hi``.
        targets: ``all`` | ``rank`` (only the rank-shift target) | ``gaps``.

    Returns:
        ``choice, alternatives, target, Si, Si_lo, Si_hi, STi, STi_lo, STi_hi`` (``alternatives``:
        what the choice was drawn among, ``a|b|c``; the perturbation for weights);
        ``.attrs["n_runs"]`` holds the number of runs of the design.
    """
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    if targets not in ("all", "rank", "gaps"):
        raise ParameterError(f"targets {targets!r}; use all, rank or gaps")
    sp = apply_base(load_spec(spec), base)
    d = _prepare(data, imeta_or_tree, sp, goalposts=goalposts, weight_sets=weight_sets, seed=seed)
    out, runs, _, _ = _sensitivity_core(
        d,
        n=n,
        seed=seed,
        second_order=second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        method=method,
        chunk_size=chunk_size,
        targets=targets,
    )
    out.attrs["n_runs"] = int(len(runs))
    return out
