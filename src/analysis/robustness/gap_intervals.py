"""The method interval of each gap: its spread across the Monte Carlo over method choices, added
to a gap table from :func:`analysis.gaps.compute_gaps` (robustness consumes gaps).
"""

from __future__ import annotations

import copy

import pandas as pd

from .. import config
from ..errors import DataValidationError
from ..gaps.formula import ECON, GAP_SERIES, GOV, PILLARS, SOC, add_gap_columns
from .uncertainty import UncertaintyResult


def _draws_table(draws) -> pd.DataFrame | None:
    if isinstance(draws, UncertaintyResult):
        return draws.gap_draws
    if draws is None or isinstance(draws, pd.DataFrame):
        return draws
    raise DataValidationError(
        [
            f"draws: expected an UncertaintyResult or a DataFrame of per-run gaps, got {type(draws).__name__}"
        ],
        source="draws",
    )


def method_intervals(
    draws: pd.DataFrame, *, level: float = config.DEFAULT_CI_LEVEL
) -> pd.DataFrame:
    """Quantiles ``(1 - level)/2`` and ``(1 + level)/2`` of each gap over the draws, per unit
    (and period, when the draws have one): ``unit_code, [period,] <gap>_mc_lo, <gap>_mc_hi``.

    ``draws`` has one row per unit (and period) and run, with the gaps (``gap_econ, gap_soc,
    gap_mean``) or the pillars (``government, economy, society``: the gaps are then computed
    with :func:`analysis.gaps.formula.gap_values`).
    """
    if "unit_code" not in draws.columns:
        raise DataValidationError(
            [f"draws: missing column 'unit_code'; present: {list(draws.columns)}"],
            source="draws",
        )
    r = draws.copy()
    r["unit_code"] = r["unit_code"].astype(str)
    if not any(c in r.columns for c in GAP_SERIES):
        if GOV in r.columns and any(p in r.columns for p in (ECON, SOC)):
            r = add_gap_columns(r)
        else:
            raise DataValidationError(
                [
                    f"draws: need gap draws ({list(GAP_SERIES)}) or pillar draws ({list(PILLARS)}) per unit; got {list(r.columns)}"
                ],
                source="draws",
            )
    by = ["unit_code"] + (["period"] if "period" in r.columns else [])
    if "period" in r.columns:
        r["period"] = r["period"].astype(str)
    alpha = 1.0 - level
    cols = [c for c in GAP_SERIES if c in r.columns]
    g = r.groupby(by)[cols]
    lo = g.quantile(alpha / 2).add_suffix("_mc_lo")
    hi = g.quantile(1 - alpha / 2).add_suffix("_mc_hi")
    out = pd.concat([lo, hi], axis=1)
    order = [f"{c}_mc_{s}" for c in cols for s in ("lo", "hi")]
    return out[order].reset_index()


def add_method_intervals(
    gaps: pd.DataFrame, draws, *, level: float = config.DEFAULT_CI_LEVEL
) -> pd.DataFrame:
    """The gap table with the interval across method choices: ``gap_*_mc_lo``, ``gap_*_mc_hi``.

    Args:
        gaps: the gap table (:func:`analysis.gaps.compute_gaps`); its rows, columns and
            ``attrs`` are kept, the interval columns are appended.
        draws: an :class:`UncertaintyResult` (its :attr:`~UncertaintyResult.gap_draws`) or a
            table of draws as in :func:`method_intervals`. Draws without a ``period`` column apply
            to every period; a unit or period without draws gets NaN. With no gap draws (a tree
            without the three pillars) the table is returned unchanged.
        level: level of the interval (default 0.90: the 5th and 95th percentiles).

    Returns:
        A new table.
    """
    table = _draws_table(draws)
    if table is None:
        return gaps.copy()
    mc = method_intervals(table, level=float(level))
    on = [c for c in ("unit_code", "period") if c in mc.columns]
    out = gaps.merge(mc, on=on, how="left")
    out.attrs = copy.deepcopy(gaps.attrs)
    return out
