"""The numbers a sentence states, selected from the results of one analysis.

The briefs and the notebooks word the same facts, so both select them here: a commune's gap row,
its rank with the rank interval, how a unit and a pillar are named. A fact that is missing is
``None`` (JSON has no NaN).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import config
from ..errors import RenderError
from ..i18n import has_label, t
from ..results import Results, unit_period

if TYPE_CHECKING:
    import pandas as pd

    from ..frameworks import Framework
    from ..loaders import Inputs

#: columns every gap table of a brief needs (the :func:`analysis.gaps.compute_gaps` contract)
GAP_COLUMNS = ("unit_code", "government", "economy", "society", "gap_econ", "gap_soc")


def nfc(s: object) -> str:
    """``s`` as NFC text (``""`` for None)."""
    return unicodedata.normalize("NFC", str(s)) if s is not None else ""


def as_float(x: object) -> float | None:
    """Float or None (NaN, NA and None become None).

    >>> as_float("0.5"), as_float(float("nan")), as_float(None), as_float("x")
    (0.5, None, None, None)
    """
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def equals(column: pd.Series, value: object) -> pd.Series:
    """Boolean mask ``column == value`` comparing as text (codes and periods are str by contract;
    the cast is skipped when the column already holds strings)."""
    import pandas as pd

    if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
        column = column.astype(str)
    return column == str(value)


def rows_of_period(df: pd.DataFrame, period: str, what: str) -> pd.DataFrame:
    """The rows of ``period``, unit codes as text.

    Raises:
        RenderError: the table is empty or has no row for ``period``.
    """
    periods = sorted(df["period"].dropna().astype(str).unique())
    if not periods:
        raise RenderError(f"{what} table is empty")
    sub = df[equals(df["period"], str(period))]
    if sub.empty:
        raise RenderError(
            f"{what} table has no rows for period {period!r}; periods present: {periods}"
        )
    return sub.assign(unit_code=sub["unit_code"].astype(str))


def check_gap_columns(gaps: pd.DataFrame) -> None:
    missing = [c for c in GAP_COLUMNS if c not in gaps.columns]
    if missing:
        raise RenderError(
            f"gap table lacks column(s) {missing}; expected the analysis.gaps.compute_gaps output"
        )


def rank_rows(rank_stats: pd.DataFrame | None, period: str) -> pd.DataFrame | None:
    """Rank stats of one period (tables of ``run_uncertainty_tidy`` carry ``period``)."""
    if rank_stats is None or "period" not in rank_stats.columns:
        return rank_stats
    sub = rank_stats[equals(rank_stats["period"], str(period))]
    if sub.empty:
        present = sorted(rank_stats["period"].astype(str).unique())
        raise RenderError(
            f"rank stats have no rows for period {period!r}; periods present: {present}"
        )
    return sub


def unit_rank(
    rank_stats: pd.DataFrame | None, pillars: pd.DataFrame | None, unit_code: str
) -> dict | None:
    """Nominal rank of a unit with its 5%-95% interval from the rank stats of one period; without
    rank stats, the rank on the overall index (no interval); None without either."""
    if rank_stats is not None and len(rank_stats):
        rs = rank_stats.assign(unit_code=rank_stats["unit_code"].astype(str))
        hit = rs[rs["unit_code"] == str(unit_code)]
        if hit.empty:
            raise RenderError(f"rank stats have no row for unit_code {unit_code!r}")
        row = hit.iloc[0]
        q05, q95 = as_float(row.get("q05")), as_float(row.get("q95"))
        return {
            "nominal": int(round(float(row["nominal"]))),
            "q05": None if q05 is None else int(round(q05)),
            "q95": None if q95 is None else int(round(q95)),
            "n": int(len(rs)),
        }
    if pillars is None or "index" not in pillars.columns:
        return None
    ranks = (
        pillars.assign(unit_code=pillars["unit_code"].astype(str))
        .set_index("unit_code")["index"]
        .rank(ascending=False, method="min")
    )
    if str(unit_code) not in ranks.index:
        return None
    return {
        "nominal": int(ranks[str(unit_code)]),
        "q05": None,
        "q95": None,
        "n": int(ranks.notna().sum()),
    }


# --------------------------------------------------------------------------- names
@dataclass(frozen=True)
class UnitNames:
    """How a unit is named in one language."""

    code: str
    name: str  #: "Đại Thạnh"
    full: str  #: "Xã Đại Thạnh" / "Đại Thạnh commune"
    subject: str  #: in a sentence: "xã Đại Thạnh" / "Đại Thạnh commune"; not a commune: its name
    type_vi: str  #: "xã", "thị trấn", ... (lower case)
    is_commune: bool  #: a Vietnamese administrative unit (its type has a ``unit_type.*`` string)
    district: str  #: former district ("" if none)
    province: str  #: province of a post-2025 commune ("" if none)
    population: int | None


def _text(row: Any, column: str) -> str:
    v = row.get(column)
    return nfc(v) if isinstance(v, str) and v else ""


def unit_names(units: pd.DataFrame, unit_code: str, lang: str) -> UnitNames:
    """Name, full name, type, district, province and population of a unit from the units table.

    Raises:
        RenderError: the unit is not in the table.
    """
    hit = units[equals(units["unit_code"], str(unit_code))]
    if hit.empty:
        raise RenderError(
            f"unit_code {unit_code!r} is not in the units table; check the code or the units file"
        )
    row = hit.iloc[0]
    name = nfc(row.get("name_vi", unit_code))
    type_vi = (_text(row, "unit_type") or "xã").lower()
    type_key = f"unit_type.{type_vi}"
    is_commune = has_label(type_key)
    type_text = t(type_key, lang) if is_commune else t("place.other_type", lang, type=type_vi)
    pop = as_float(row.get("population", row.get("population_2019_constituents")))
    full = _text(row, f"full_name_{lang}") or t(
        "place.full", lang, type=type_text, Type=type_text.capitalize(), name=name
    )
    return UnitNames(
        code=str(unit_code),
        name=name,
        full=full,
        subject=t("place.named", lang, type=type_text, name=name) if is_commune else name,
        type_vi=type_vi,
        is_commune=is_commune,
        district=_text(row, "former_district"),
        province=_text(row, "province_vi"),
        population=None if pop is None else int(pop),
    )


def pillar_names(framework: Framework | None, lang: str) -> dict[str, str]:
    """Display names of the pillars: the framework's, else the default three."""
    names = {p: t(f"pillar.{p}", lang) for p in config.PILLARS}
    if framework is not None:
        for _, p in framework.pillars.iterrows():
            names[p["id"]] = nfc(p[f"name_{lang}"])
    return names


# --------------------------------------------------------------------------- one commune
@dataclass
class CommuneFacts:
    """What a commune's brief and profile state: its gap row, its rank, the tables of its period."""

    unit_code: str
    period: str
    level: float  #: level of every interval (``ci_level`` of the run)
    gaps: pd.DataFrame  #: gap rows of the period, all units (medians, min, max)
    row: pd.Series  #: the commune's gap row
    pillars: pd.DataFrame  #: pillar rows of the period, all units (overall index)
    rank: dict | None  #: :func:`unit_rank`


def commune_facts(res: Results, inputs: Inputs, unit_code: str) -> CommuneFacts:
    """The facts of one commune in its reporting period (:func:`analysis.results.unit_period`).

    Raises:
        RenderError: the gap table lacks a column, or has no row for the unit or period.
    """
    unit_code = str(unit_code)
    check_gap_columns(res.gaps)
    period = unit_period(res, unit_code)
    gp = rows_of_period(res.gaps, period, "gap")
    hit = gp[gp["unit_code"] == unit_code]
    if hit.empty:
        raise RenderError(f"gap table has no row for unit_code {unit_code!r} in period {period!r}")
    pp = rows_of_period(res.pillars, period, "pillar")
    return CommuneFacts(
        unit_code=unit_code,
        period=period,
        level=float(res.params["ci_level"]),
        gaps=gp,
        row=hit.iloc[0],
        pillars=pp,
        rank=unit_rank(rank_rows(res.rank_stats, period), pp, unit_code),
    )
