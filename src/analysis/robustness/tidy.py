"""The robustness analysis on our tidy commune panel: one cross-section per period, the framework
as iMeta, count indicators denominated as in :func:`analysis.composite.compute_scores`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..composite.pipeline import denominator_values
from ..composite.scales import ScaleMeta
from ..errors import DataValidationError, ParameterError
from ..status import worst_status
from .spec import load_spec
from .uncertainty import UncertaintyResult, run_uncertainty


def _tidy_prepare(observations: pd.DataFrame, framework, weights: str):
    from ..frameworks import Framework, load_framework

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    need = {"unit_code", "period", "indicator", "value"}
    if not need <= set(observations.columns):
        raise DataValidationError(
            [
                f"observations: missing column(s) {sorted(need - set(observations.columns))}; expected unit_code, period, indicator, value, status"
            ]
        )
    obs = observations.copy()
    for c in ("unit_code", "period", "indicator"):
        obs[c] = obs[c].astype(str)
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce")
    if "status" not in obs.columns:
        obs["status"] = "observed"
    obs = obs[obs["indicator"].isin(fw.indicator_ids)]
    imeta = fw.to_imeta(weights)
    return fw, obs, imeta, ScaleMeta.from_framework(fw)


def _tidy_wide(obs: pd.DataFrame, fw, units, per: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    ind = fw.indicators.set_index("id")
    ids = fw.indicator_ids
    o = obs[obs["period"] == per]
    wide = o.pivot_table(
        index="unit_code", columns="indicator", values="value", aggfunc="first"
    ).reindex(columns=ids)
    wide.index = wide.index.astype(str)
    wide.index.name = "unit_code"
    wide.columns.name = None
    den = (
        ind["denominator"].where(ind["kind"] == "count")
        if "denominator" in ind.columns
        else pd.Series(dtype=object)
    )
    den = {k: v for k, v in den.items() if isinstance(v, str) and v}
    if den and units is None:
        from ..units import load_units

        units = load_units()
    if units is not None:
        u = (
            units.assign(unit_code=units["unit_code"].astype(str))
            .drop_duplicates("unit_code")
            .set_index("unit_code")
        )
        for iid, col in den.items():
            if iid not in wide.columns:
                continue
            has = wide[iid].notna().to_numpy()  # a denominator only where there is a count
            dv = np.full(len(wide), np.nan)
            if has.any():
                dv[has] = denominator_values(units, col, list(wide.index[has].astype(str)))
            wide[iid] = wide[iid] / dv * float(ind.loc[iid, "denominator_scale"])
        extra = [
            c
            for c in u.columns
            if c not in wide.columns and c not in ("name_vi", "full_name_vi", "name_ascii")
        ]
        wide = wide.join(u[extra], how="left")
    return wide, units


def tidy_to_wide(
    observations: pd.DataFrame,
    framework=None,
    units: pd.DataFrame | None = None,
    *,
    period: str,
    weights: str = "framework",
) -> tuple[pd.DataFrame, pd.DataFrame, ScaleMeta]:
    """One period of the tidy panel as the wide inputs of :func:`run_uncertainty` / :func:`run_sensitivity`.

    Count indicators are denominated as in :func:`analysis.composite.compute_scores`
    (``value / households * denominator_scale``); unit covariates (e.g. for ``mean-by:COL``
    imputation) are joined as extra columns.

    Returns:
        ``(wide, imeta, scales)``: wide table indexed by ``unit_code``; the framework as iMeta
        (``weights``: ``framework`` | ``equal`` | ``dti``); the framework's goalposts, targets
        and percentage indicators (:class:`~analysis.composite.scales.ScaleMeta`), for the
        ``target`` and ``goalposts`` scales (pass it as ``goalposts=``).
    """
    fw, obs, imeta, goalposts = _tidy_prepare(observations, framework, weights)
    if period not in set(obs["period"]):
        raise ParameterError(
            f"period {period!r} not in the observations; available: {sorted(obs['period'].unique())}"
        )
    wide, _ = _tidy_wide(obs, fw, units, period)
    return wide, imeta, goalposts


def _collect(parts: dict, r: UncertaintyResult, per: str, status: str, *, keep_runs=True) -> None:
    """Append one period's tables (with ``period`` and ``status``) to ``parts``."""
    for key, df in (
        ("rank", r.rank_stats),
        ("gap", r.gap_stats),
        ("gaprank", r.gap_rank_stats),
        ("nominal", r.nominal),
    ):
        if df is not None:
            df = df.copy()
            df.insert(1, "period", per)
            df["status"] = status
            parts[key].append(df)
    for key, df in (("scores", r.scores), ("ranks", r.ranks)):
        if df is not None and keep_runs:
            df = df.reset_index()
            df.insert(1, "period", per)
            parts[key].append(df)


def run_uncertainty_tidy(
    observations: pd.DataFrame,
    framework=None,
    units: pd.DataFrame | None = None,
    spec: str | Path | Mapping | None = None,
    *,
    period: str | Sequence[str] | None = None,
    draws: int = 1000,
    seed: int | None = None,
    top_k: int | None = None,
    bottom_k: int | None = None,
    weights: str = "framework",
    method: str = "auto",
    rank_periods: Sequence[str] | None = None,
    keep_runs: bool = True,
) -> UncertaintyResult:
    """The uncertainty analysis on our tidy commune panel, one cross-section per period.

    Args:
        observations: ``unit_code, period, indicator, value, status`` (+ ``source``).
        framework: :class:`analysis.frameworks.Framework` or YAML path (default: commune).
        units: units table with ``households`` for count indicators (default: Đại Lộc units,
            read only if a count indicator needs a denominator).
        spec: robustness spec (default preset ``commune``: goalposts [0, 1] base, kept fixed so
            gaps keep their absolute meaning; weights +/- 25 % at indicator and pillar level
            (fresh per draw); arithmetic / geometric; imputation none / mean;
            leave-one-indicator-out; no outlier treatment, the goalposts truncate).
            ``commune-full`` adds min-max / percentile normalisation, which makes gaps relative.
        period: one period, a list, or None (every period in the data).
        draws, seed, top_k, bottom_k, method: as in :func:`run_uncertainty` (same draws in
            every period: common random numbers).
        weights: framework weights preset for the base: ``framework``, ``equal`` or ``dti``.
        rank_periods: the periods whose rank statistics are computed (default: every period;
            ranking every run of every period is the costliest part at national scale).
        keep_runs: False leaves ``scores`` and ``ranks`` (every run's scores and ranks) None:
            the statistics and gap draws are the same, without 0.5 GiB per table at 10,035
            units x 1,000 draws x 7 periods.

    Returns:
        :class:`UncertaintyResult` whose tables carry ``period`` and ``status``:
        ``rank_stats`` (rank of the index), ``gap_rank_stats`` (rank of gap_mean, 1 = largest
        gap), ``gap_stats`` (median and 5-95 % interval of gap_econ, gap_soc, gap_mean) and
        ``gap_draws`` (``unit_code, period, draw, gap_econ, gap_soc, gap_mean``).
    """
    t0 = time.perf_counter()
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    fw, obs, imeta, goalposts = _tidy_prepare(observations, framework, weights)
    sp = load_spec("commune" if spec is None else spec)
    periods = (
        sorted(obs["period"].unique())
        if period is None
        else ([period] if isinstance(period, str) else list(period))
    )
    have = set(obs["period"])
    missing_p = [p for p in periods if p not in have]
    if missing_p:
        raise ParameterError(
            f"period(s) {missing_p} not in the observations; available: {sorted(obs['period'].unique())}"
        )
    parts = {k: [] for k in ("rank", "gap", "gaprank", "runs", "scores", "ranks", "nominal")}
    gap_parts, timings, meths, wsets = (
        [],
        {"prep_s": 0.0, "eval_s": 0.0, "stats_s": 0.0},
        set(),
        None,
    )
    for per in periods:
        wide, units = _tidy_wide(obs, fw, units, per)
        status = worst_status(obs.loc[obs["period"] == per, "status"].unique())
        r = run_uncertainty(
            wide,
            imeta,
            sp,
            draws=draws,
            seed=seed,
            top_k=top_k,
            bottom_k=bottom_k,
            goalposts=goalposts,
            method=method,
            with_ranks=rank_periods is None or per in set(rank_periods),
        )
        meths.add(r.method)
        for k in timings:
            timings[k] += r.timings.get(k, 0.0)
        _collect(parts, r, per, status, keep_runs=keep_runs)
        if not parts["runs"]:
            parts["runs"].append(r.runs)
            wsets = r.weight_sets
        gap_parts.extend((per, u_, G) for (_, u_, G) in r._gap_parts)

    def cat(key):
        return pd.concat(parts[key], ignore_index=True) if parts[key] else None

    return UncertaintyResult(
        rank_stats=cat("rank"),
        runs=parts["runs"][0],
        scores=cat("scores"),
        ranks=cat("ranks"),
        nominal=cat("nominal"),
        gap_stats=cat("gap"),
        gap_rank_stats=cat("gaprank"),
        weight_sets=wsets,
        spec=sp,
        seed=seed,
        elapsed_s=time.perf_counter() - t0,
        timings=timings,
        method=meths.pop() if len(meths) == 1 else "mixed",
        _gap_parts=gap_parts,
    )
