"""The method interval and the sign share of each gap: its spread across the Monte Carlo over
method choices, added to a gap table from :func:`analysis.gaps.compute_gaps` (robustness
consumes gaps).

Per unit (and period) and gap ``g`` (``gap_econ``, ``gap_soc``, ``gap_mean``):

* ``g_method_lo``, ``g_method_hi``: the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the
  gap over the draws (the **method interval**; NaN when it has no spread: the choices do not
  move that gap, or there is no draw);
* ``g_share_positive``: the share of draws in which the gap is > 0 (draws where it is NaN are
  left out); ``g_sign_robust``: True when the share is >= 0.95, or when the gap is < 0 in >= 95%
  of the draws (the same as a share <= 0.05 unless some draws give exactly 0: a gap of 0, two
  pillars both at the ceiling, is not a negative gap), False otherwise, NA without draws.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError
from ..gaps.formula import ECON, GAP_SERIES, GOV, PILLARS, SOC, add_gap_columns
from .uncertainty import UncertaintyResult

#: Share of draws (of one sign) from which a gap's sign is called robust.
SIGN_ROBUST = 0.95
#: A draw counts as positive (negative) when the gap is above (below) this in absolute value.
_ZERO = 1e-12


def _summary(G: np.ndarray, level: float) -> dict[str, np.ndarray]:
    """``G (R, U)`` draws of one gap -> method interval, share positive, sign robust ``(U,)``."""
    ok = ~np.isnan(G)
    n = ok.sum(axis=0)
    alpha = 1.0 - level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if ok.all():
            lo, hi = np.quantile(G, [alpha / 2, 1 - alpha / 2], axis=0)
        else:
            lo, hi = np.nanquantile(G, [alpha / 2, 1 - alpha / 2], axis=0)
        pos = np.where(n > 0, (G > _ZERO).sum(axis=0) / np.maximum(n, 1), np.nan)
        neg = np.where(n > 0, (G < -_ZERO).sum(axis=0) / np.maximum(n, 1), np.nan)
    flat = ~(hi - lo > _ZERO)
    robust = np.where(n > 0, (pos >= SIGN_ROBUST) | (neg >= SIGN_ROBUST), False)
    return {
        "method_lo": np.where(flat, np.nan, lo),
        "method_hi": np.where(flat, np.nan, hi),
        "share_positive": pos,
        "sign_robust": pd.array(np.where(n > 0, robust, None), dtype="boolean"),
        "_flat": flat & (n > 0),
    }


def _summarise_result(res, level: float, frames: list, flat: dict) -> None:
    if not isinstance(res, UncertaintyResult):
        raise DataValidationError(
            [f"draws: expected UncertaintyResults, got {type(res).__name__}"], source="draws"
        )
    for period, units, G in res._gap_parts:  # G: (3, R, U)
        f = {"unit_code": pd.array(units, dtype="str")}
        for i, g in enumerate(GAP_SERIES):
            s = _summary(G[i], level)
            flat[g] = flat.get(g, 0) + int(s.pop("_flat").sum())
            f.update({f"{g}_{k}": v for k, v in s.items()})
        frame = pd.DataFrame(f)
        if period is not None:
            frame.insert(1, "period", str(period))
        frames.append(frame)


def _from_arrays(results: Iterable, level: float) -> tuple[pd.DataFrame | None, dict]:
    """The summaries of results taken one at a time (an iterator of results, e.g. one per
    period, then never holds more than one result's draws); None without gap draws."""
    frames, flat = [], {}
    for res in results:
        _summarise_result(res, level, frames, flat)
        del res  # its draws can go before the iterator makes the next result
    return (pd.concat(frames, ignore_index=True) if frames else None), flat


def _results(draws) -> Iterable | None:
    """``draws`` as an iterable of :class:`UncertaintyResult` (None for a table of draws)."""
    if isinstance(draws, UncertaintyResult):
        return [draws]
    if isinstance(draws, pd.DataFrame | str | bytes | Mapping) or not isinstance(draws, Iterable):
        return None
    return draws


def _from_table(r: pd.DataFrame, level: float) -> tuple[pd.DataFrame, dict]:
    by = ["unit_code"] + (["period"] if "period" in r.columns else [])
    cols = [c for c in GAP_SERIES if c in r.columns]
    frames, flat = [], {}
    for key, grp in r.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key, strict=True))
        for g in cols:
            s = _summary(grp[g].to_numpy(float)[:, None], level)
            flat[g] = flat.get(g, 0) + int(s.pop("_flat").sum())
            row.update({f"{g}_{k}": v[0] for k, v in s.items()})
        frames.append(row)
    out = pd.DataFrame(frames)
    for g in cols:
        out[f"{g}_sign_robust"] = out[f"{g}_sign_robust"].astype("boolean")
    return out, flat


def _draws_table(draws: pd.DataFrame) -> pd.DataFrame:
    if "unit_code" not in draws.columns:
        raise DataValidationError(
            [f"draws: missing column 'unit_code'; present: {list(draws.columns)}"],
            source="draws",
        )
    r = draws.copy()
    r["unit_code"] = r["unit_code"].astype(str)
    if "period" in r.columns:
        r["period"] = r["period"].astype(str)
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
    return r


def method_intervals(draws, *, level: float = config.DEFAULT_CI_LEVEL) -> pd.DataFrame:
    """Method interval, sign share and sign robustness of each gap, per unit (and period).

    Args:
        draws: an :class:`UncertaintyResult` (its per-run gaps, summarised as arrays), or a
            table with one row per unit (and period) and run holding the gaps (``gap_econ,
            gap_soc, gap_mean``) or the pillars (``government, economy, society``: the gaps are
            then computed with :func:`analysis.gaps.formula.gap_values`).
        level: level of the method interval (default 0.90: the 5th and 95th percentiles).

    Returns:
        ``unit_code, [period,]`` and for each gap ``<gap>_method_lo, <gap>_method_hi,
        <gap>_share_positive, <gap>_sign_robust``; ``attrs["interval_notes"]`` says how many
        method intervals are NaN because the draws have no spread.
    """
    results = _results(draws)
    if results is not None:
        out, flat = _from_arrays(results, float(level))
        if out is None:
            raise DataValidationError(
                ["draws: no gap draws (the tree lacks the pillars of the gaps)"], source="draws"
            )
    else:
        out, flat = _from_table(_draws_table(draws), float(level))
    out.attrs["interval_notes"] = _flat_notes(flat)
    return out


def _flat_notes(flat: dict) -> dict:
    return {
        g: f"method interval NaN in {k} row(s): the method choices do not move the gap there (zero spread)"
        for g, k in flat.items()
        if k
    }


def add_method_intervals(
    gaps: pd.DataFrame, draws, *, level: float = config.DEFAULT_CI_LEVEL
) -> pd.DataFrame:
    """The gap table with the method interval and the sign share of every gap.

    Adds ``<gap>_method_lo``, ``<gap>_method_hi``, ``<gap>_share_positive`` and
    ``<gap>_sign_robust`` (see :func:`method_intervals`).

    Args:
        gaps: the gap table (:func:`analysis.gaps.compute_gaps`); its rows, columns and
            ``attrs`` are kept (``attrs["interval_notes"]`` gains the method-interval notes),
            the new columns are appended.
        draws: an :class:`UncertaintyResult` (or an iterable of them, summarised one at a time,
            e.g. one per period) or a table of draws as in :func:`method_intervals`.
            Draws without a ``period`` column apply to every period; a unit or period without
            draws gets NaN (and NA for ``sign_robust``). With no gap draws (a tree without the
            three pillars) the table is returned unchanged.
        level: level of the interval (default 0.90: the 5th and 95th percentiles).

    Returns:
        A new table.
    """
    if draws is None:
        return gaps.copy()
    results = _results(draws)
    if results is not None:
        mc, flat = _from_arrays(results, float(level))
        if mc is None:
            return gaps.copy()
        mc.attrs["interval_notes"] = _flat_notes(flat)
    elif isinstance(draws, pd.DataFrame):
        mc = method_intervals(draws, level=float(level))
    else:
        raise DataValidationError(
            [
                f"draws: expected an UncertaintyResult (or an iterable of them) or a DataFrame of per-run gaps, got {type(draws).__name__}"
            ],
            source="draws",
        )
    on = [c for c in ("unit_code", "period") if c in mc.columns]
    out = gaps.merge(mc, on=on, how="left")
    for c in out.columns:
        if c.endswith("_sign_robust"):
            out[c] = out[c].astype("boolean")
    out.attrs = copy.deepcopy(gaps.attrs)
    notes = dict(out.attrs.get("interval_notes", {}))
    for g, text in mc.attrs.get("interval_notes", {}).items():
        notes[g] = f"{notes[g]}; {text}" if g in notes else text
    out.attrs["interval_notes"] = notes
    return out


def no_method_intervals(gaps: pd.DataFrame, why: str) -> pd.DataFrame:
    """The gap table with empty Monte Carlo columns (the same shape as
    :func:`add_method_intervals`) when the Monte Carlo could not run, and the reason in
    ``attrs["interval_notes"]`` for every gap."""
    out = gaps.copy()
    for g in GAP_SERIES:
        for k in ("method_lo", "method_hi", "share_positive"):
            out[f"{g}_{k}"] = np.nan
        out[f"{g}_sign_robust"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out.attrs = copy.deepcopy(gaps.attrs)
    notes = dict(out.attrs.get("interval_notes", {}))
    for g in GAP_SERIES:
        text = f"no method interval or sign share: {why}"
        notes[g] = f"{notes[g]}; {text}" if g in notes else text
    out.attrs["interval_notes"] = notes
    return out
