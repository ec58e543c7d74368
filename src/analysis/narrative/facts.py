"""The numbers a sentence states, selected from the results of one analysis.

The briefs and the notebooks word the same facts, so both select them here: a commune's gap row,
its rank with the rank interval, how a unit and a pillar are named. A fact that is missing is
``None`` (JSON has no NaN).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RenderError
from ..results import Results, unit_period
from .names import as_float, equals

if TYPE_CHECKING:
    import pandas as pd

    from ..frameworks import Framework
    from ..loaders import Inputs

#: columns every gap table of a brief needs (the :func:`analysis.gaps.compute_gaps` contract)
GAP_COLUMNS = ("unit_code", "government", "economy", "society", "gap_econ", "gap_soc")


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


# --------------------------------------------------------------------------- gaps
#: the gaps a brief may state and the pillar each compares with digital government
GAP_OTHER = {"gap_econ": "economy", "gap_soc": "society", "gap_mean": None}
#: columns of each interval of a gap ``g``
_INTERVAL_COLUMNS = {
    "sel": ("{g}_sel_lo", "{g}_sel_hi"),
    "method": ("{g}_method_lo", "{g}_method_hi"),
    "meas": ("{g}_meas_lo", "{g}_meas_hi"),
}


def interval(row: Any, gap_id: str, kind: str = "sel") -> tuple[float | None, float | None]:
    """The bounds of one interval of a gap in a gap row: ``sel`` (indicator-selection), ``method``
    (Monte Carlo over method choices) or ``meas`` (selection with measurement error); ``(None,
    None)`` when absent, missing or degenerate (zero spread: no interval to print).

    >>> interval({"gap_econ_sel_lo": 0.2, "gap_econ_sel_hi": 0.4}, "gap_econ")
    (0.2, 0.4)
    >>> interval({"gap_econ_sel_lo": 0.5, "gap_econ_sel_hi": 0.5}, "gap_econ")
    (None, None)
    """
    lo_col, hi_col = (c.format(g=gap_id) for c in _INTERVAL_COLUMNS[kind])
    lo, hi = as_float(row.get(lo_col)), as_float(row.get(hi_col))
    if lo is None or hi is None or hi - lo <= 1e-12:
        return None, None
    return lo, hi


def sign_share(row: Any, gap_id: str) -> float | None:
    """Share of the Monte Carlo draws of method choices in which the gap is positive."""
    return as_float(row.get(f"{gap_id}_share_positive"))


def gap_pillars(gaps: pd.DataFrame) -> list[str]:
    """The gaps a table supports: a gap needs both of its pillars (no economy pillar in the
    EGDI: no ``gap_econ``, and ``gap_mean`` would only repeat ``gap_soc``)."""

    def has(col: str) -> bool:
        return col in gaps.columns and gaps[col].notna().any()

    out = []
    for gid, other in GAP_OTHER.items():
        needs = [other] if other is not None else ["economy", "society"]
        if has(gid) and all(has(p) for p in needs):
            out.append(gid)
    return out


def thin_pillars(framework: Framework | None) -> list[str]:
    """Pillars with fewer than 2 indicators: no indicator-selection interval is possible."""
    if framework is None:
        return []
    counts = framework.indicators.groupby("pillar").size()
    return [p for p in framework.pillars["id"] if counts.get(p, 0) < 2]


def claims_of(res: Results, period: str) -> pd.DataFrame | None:
    """The district claims of ``period`` (``Results.claims``, one row per gap), None when the run
    has none for the period."""
    claims = res.claims
    if claims is None or not len(claims):
        return None
    sub = claims[equals(claims["period"], period)]
    return sub.set_index("gap") if len(sub) else None


# --------------------------------------------------------------------------- published values
#: decimals of each source's published index, as published
_PUBLISHED_DIGITS = {"dti": 4, "egdi": 4, "desi": 2}


def source_of(inputs: Inputs) -> str | None:
    """The real source the observations come from (``egdi``, ``desi``, ``dti``), None otherwise."""
    from ..sources import detect_source

    path = Path(str(inputs.paths.get("observations", "")))
    return detect_source(path) if path.exists() else None


@functools.cache
def _published_table(source: str, path: str) -> pd.DataFrame:
    from ..sources import load_real_data

    return load_real_data(source, path).published


def published_index(inputs: Inputs, unit_code: str, period: str) -> dict | None:
    """The published value and rank of a unit's index in ``period`` (DTI, EGDI, DESI), from the
    source's published table: ``{source, value, rank, of, digits, pillars}`` (``pillars``: the
    published pillar values and ranks, :func:`_published_pillars`); None for other data or when
    the source publishes no value for the unit then."""
    source = source_of(inputs)
    if source is None or source not in _PUBLISHED_DIGITS:
        return None
    pub = getattr(inputs, "published", None)
    if pub is None:
        pub = _published_table(source, str(inputs.paths["observations"]))
    sub = pub[(pub["name"] == source) & equals(pub["period"], period)]
    hit = sub[equals(sub["unit_code"], unit_code)]
    if hit.empty or as_float(hit.iloc[0]["value"]) is None:
        return None
    return {
        "source": source,
        **_value_rank(hit.iloc[0], sub),
        "digits": _PUBLISHED_DIGITS[source],
        "pillars": _published_pillars(pub, inputs.framework, unit_code, period),
    }


def _value_rank(row: pd.Series, of_rows: pd.DataFrame) -> dict:
    """``{value, rank, of}`` of a published row (``of``: ``rank_of``, else the ranks published)."""
    rank, of = as_float(row.get("rank")), as_float(row.get("rank_of"))
    if of is None and rank is not None:
        of = float(of_rows["rank"].notna().sum())
    return {
        "value": as_float(row.get("value")),
        "rank": None if rank is None else int(rank),
        "of": None if of is None or rank is None else int(of),
    }


def _published_pillars(
    pub: pd.DataFrame, framework: Framework, unit_code: str, period: str
) -> list[dict]:
    """The published value and rank of each pillar that is one published series (the DTI's CQS,
    KTS, XHS), in the framework's order: ``[{pillar, value, rank, of}]``; pillars with neither
    are left out."""
    ind = framework.indicators
    out = []
    for pillar in framework.pillars["id"]:
        ids = ind.loc[ind["pillar"] == pillar, "id"].tolist()
        if len(ids) != 1:
            continue  # a pillar of several indicators has no published value of its own
        sub = pub[(pub["name"] == ids[0]) & equals(pub["period"], period)]
        hit = sub[equals(sub["unit_code"], unit_code)]
        if hit.empty:
            continue
        vr = _value_rank(hit.iloc[0], sub)
        if vr["value"] is not None or vr["rank"] is not None:
            out.append({"pillar": str(pillar), **vr})
    return out


def recomputation_matches(published: dict, index: float | None) -> bool | None:
    """Whether the index recomputed here equals the published one (to 0.002 on a 0-1 scale; a
    published value above 1 is on a 0-100 scale)."""
    if index is None:
        return None
    scale = 100.0 if published["value"] > 1.5 else 1.0
    return abs(index * scale - published["value"]) <= 0.002 * scale


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
    published: dict | None = None  #: :func:`published_index` (DTI, EGDI, DESI)
    thin: tuple[str, ...] = ()  #: pillars with fewer than 2 indicators (no selection interval)


#: per table (by id, dropped with the table): row positions by (unit_code, period), as text
_UNIT_ROWS: dict[int, dict[tuple[str, str], Any]] = {}


def rows_of_unit(table: pd.DataFrame, unit_code: str, period: str) -> pd.DataFrame:
    """The rows of ``table`` for one unit and period (codes and periods compared as text, as
    :func:`~analysis.narrative.names.equals` does).

    The table is indexed once and the index kept while the table lives, so that briefs for
    3,321 communes look their rows up instead of scanning 500,000 rows each time.
    """
    import weakref

    import pandas as pd

    key = id(table)
    index = _UNIT_ROWS.get(key)
    if index is None:
        codes = table["unit_code"].astype(str).to_numpy()
        periods = table["period"].astype(str).to_numpy()
        index = pd.Series(range(len(table))).groupby([codes, periods], sort=False).indices
        _UNIT_ROWS[key] = index
        weakref.finalize(table, _UNIT_ROWS.pop, key, None)
    pos = index.get((str(unit_code), str(period)))
    return table.iloc[pos if pos is not None else []]


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
        published=published_index(inputs, unit_code, period),
        thin=tuple(thin_pillars(inputs.framework)),
    )
