"""Scores, gap and pillar tables as one wide table per unit and period (the input of the
district statistics and the trends).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError
from ..periods import period_to_time
from ..status import status_codes
from ._cube import _tidy_scores
from ._stats import _check_columns
from .formula import GAP_SERIES, GOV, PILLARS, add_gap_columns


def _wide_pillars(data: pd.DataFrame, columns: Sequence[str] = PILLARS) -> pd.DataFrame:
    """Wide ``unit_code, period, <columns>, status`` from a gap/pillar table or tidy scores."""
    if isinstance(data, pd.DataFrame) and "level" in data.columns and "name" in data.columns:
        s = _tidy_scores(data)
        p = s[(s["level"] == "pillar") & s["name"].isin(PILLARS)]
        if p.empty:
            raise DataValidationError(
                [
                    "scores: no level='pillar' rows; pass the gap table (compute_gaps) or the pillar table instead"
                ],
                source="scores",
            )
        wide = p.pivot(index=["unit_code", "period"], columns="name", values="value").reset_index()
        codes = pd.Series(status_codes(p["status"]), index=p.index)
        st = codes.groupby([p["unit_code"], p["period"]]).max()
        wide["status"] = [
            config.STATUSES[c]
            for c in st.reindex(pd.MultiIndex.from_frame(wide[["unit_code", "period"]])).to_numpy()
        ]
        data = wide
        if any(c in columns for c in GAP_SERIES):
            data = add_gap_columns(data)
    if isinstance(data, pd.DataFrame) and GOV in data.columns:
        # a framework without economy (EGDI) or society: its column is absent -> NaN
        data = _add_missing_pillars(data, [c for c in columns if c in PILLARS])
    _check_columns(data, ["unit_code", "period", *columns, "status"], "data")
    out = data[["unit_code", "period", *columns, "status"]].copy()
    out["unit_code"] = out["unit_code"].astype(str)
    out["period"] = out["period"].astype(str)
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    status_codes(out["status"])
    return out


def _add_missing_pillars(data: pd.DataFrame, pillars: Sequence[str] = PILLARS) -> pd.DataFrame:
    missing = [p for p in pillars if p not in data.columns]
    return data.assign(**{p: np.nan for p in missing}) if missing else data


def _periods(df: pd.DataFrame) -> list[str]:
    return sorted(df["period"].unique(), key=lambda p: (period_to_time(p), p))
