"""The tidy score table as arrays aligned with the framework (one row per unit and period), the
pillar scores recomputed from the indicators and their bootstrap over indicators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..composite.arrays import weighted_mean
from ..errors import DataValidationError, FrameworkError
from ..frameworks import Framework
from ..status import status_codes
from ._stats import _check_columns
from .formula import ECON, GOV, PILLARS, SOC, comparison_pillars

_SCORE_COLUMNS = ("unit_code", "period", "level", "name", "value", "status")


@dataclass(frozen=True)
class _Cube:
    """Indicator values of every (unit, period) as arrays, aligned with the framework."""

    keys: pd.DataFrame  # unit_code, period (R rows)
    x: np.ndarray  # (R, K) normalised indicator values, NaN = missing
    weight: np.ndarray  # (K,)
    pillar: np.ndarray  # (K,) pillar id of each column
    ids: list  # (K,) indicator ids
    status: np.ndarray  # (R,) worst status code of every row of that unit-period
    reported: pd.DataFrame | None  # (R, 3) pillar scores from the level=pillar rows, if any
    se: np.ndarray | None = None  # (R, K) measurement standard errors (normalised), if any


def _check_framework(framework: Framework) -> pd.DataFrame:
    """Indicators of the gap pillars; needs government and at least one of economy / society.

    A framework without economy (the UN EGDI) or without society is accepted: that pillar's
    columns and gaps are NaN (see "Missing pillars" in the module docstring).
    """
    if not isinstance(framework, Framework):
        raise FrameworkError(
            f"framework: expected analysis.frameworks.Framework, got {type(framework).__name__}; use load_framework()"
        )
    if GOV not in framework.pillar_ids or not any(p in framework.pillar_ids for p in (ECON, SOC)):
        raise FrameworkError(
            f"framework {framework.id!r} has pillars {list(framework.pillar_ids)}; the gap analysis needs "
            f"{GOV!r} and at least one of {ECON!r}, {SOC!r} (pillar ids of the framework YAML)"
        )
    return framework.indicators[framework.indicators["pillar"].isin(PILLARS)]


def _comparison_pillars(cube: _Cube) -> list[str]:
    """Non-government pillars with data: at least one indicator column or one reported pillar value."""
    return comparison_pillars(
        {
            p: bool((cube.pillar == p).any())
            or (cube.reported is not None and bool(cube.reported[p].notna().any()))
            for p in (ECON, SOC)
        }
    )


def _n_available(cube: _Cube) -> dict[str, np.ndarray]:
    """``(R,)`` number of non-missing indicators of each pillar in each unit-period row."""
    ok = ~np.isnan(cube.x)
    return {p: ok[:, cube.pillar == p].sum(axis=1) for p in PILLARS}


def _tidy_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """The score contract columns (plus ``se`` when the scores carry one), checked."""
    _check_columns(scores, _SCORE_COLUMNS, "scores")
    cols = list(_SCORE_COLUMNS) + (["se"] if "se" in scores.columns else [])
    s = scores.loc[:, cols].copy()
    s["unit_code"] = s["unit_code"].astype(str)
    s["period"] = s["period"].astype(str)
    s["name"] = s["name"].astype(str)
    s["value"] = pd.to_numeric(s["value"], errors="coerce")
    bad = ~s["level"].isin(("indicator", "pillar", "index"))
    if bad.any():
        i = s.index[bad][0]
        raise DataValidationError(
            [
                f"scores row {i}: column 'level' value {s.at[i, 'level']!r} is not indicator, pillar or index"
            ],
            source="scores",
        )
    dup = s.duplicated(["unit_code", "period", "level", "name"])
    if dup.any():
        i = s.index[dup][0]
        raise DataValidationError(
            [
                f"scores row {i}: duplicate ({s.at[i, 'unit_code']}, {s.at[i, 'period']}, {s.at[i, 'level']}, {s.at[i, 'name']}); keep one row per unit, period, level and name"
            ],
            source="scores",
        )
    return s


def _build_cube(scores: pd.DataFrame, framework: Framework) -> _Cube:
    meta = _check_framework(framework)
    s = _tidy_scores(scores)
    ind = s[s["level"] == "indicator"]
    if ind.empty:
        raise DataValidationError(
            [
                "scores: no level='indicator' rows; the bootstrap over indicators needs the normalised indicators"
            ],
            source="scores",
        )
    known = set(framework.indicator_ids)
    unknown = sorted(set(ind["name"]) - known)
    if unknown:
        raise DataValidationError(
            [
                f"scores: indicator(s) {unknown[:5]} are not in framework {framework.id!r}; pass the framework the scores were computed with"
            ],
            source="scores",
        )
    ind = ind[ind["name"].isin(set(meta["id"]))]
    rel = s[
        (s["level"] == "indicator") & s["name"].isin(set(meta["id"]))
        | (s["level"] == "pillar") & s["name"].isin(PILLARS)
    ]
    keys = (
        rel[["unit_code", "period"]]
        .drop_duplicates()
        .sort_values(["period", "unit_code"])
        .reset_index(drop=True)
    )
    idx = pd.MultiIndex.from_frame(keys)
    wide = ind.pivot(index=["unit_code", "period"], columns="name", values="value")
    present = [i for i in meta["id"] if i in wide.columns and wide[i].notna().any()]
    m = meta.set_index("id").loc[present]
    x = wide.reindex(index=idx, columns=present).to_numpy(dtype=float)
    se = None
    if "se" in ind.columns and pd.to_numeric(ind["se"], errors="coerce").notna().any():
        se = (
            ind.assign(se=pd.to_numeric(ind["se"], errors="coerce"))
            .pivot(index=["unit_code", "period"], columns="name", values="se")
            .reindex(index=idx, columns=present)
            .to_numpy(dtype=float)
        )
    codes = pd.Series(status_codes(rel["status"]), index=rel.index)
    st = codes.groupby([rel["unit_code"], rel["period"]]).max().reindex(idx).to_numpy()
    pil = s[(s["level"] == "pillar") & s["name"].isin(PILLARS)]
    reported = None
    if not pil.empty:
        reported = pil.pivot(index=["unit_code", "period"], columns="name", values="value").reindex(
            index=idx, columns=list(PILLARS)
        )
    return _Cube(
        keys=keys,
        x=x,
        weight=m["weight"].to_numpy(dtype=float),
        pillar=m["pillar"].to_numpy(dtype=object),
        ids=present,
        status=st,
        reported=reported,
        se=se,
    )


def _pillar_point(cube: _Cube) -> dict[str, np.ndarray]:
    """Pillar scores recomputed from the indicators (weighted arithmetic mean)."""
    out = {}
    for p in PILLARS:
        cols = cube.pillar == p
        out[p] = (
            weighted_mean(cube.x[:, cols], cube.weight[cols])
            if cols.any()
            else np.full(len(cube.keys), np.nan)
        )
    return out
