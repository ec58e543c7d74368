"""Period labels: the one parser for ``YYYY``, ``YYYYH1``/``H2`` and ``YYYYQ1``–``Q4``.

Sorting, decimal time and end dates all go through :func:`parse_period`, so a quarterly
panel sorts and plots like a half-yearly one. Light (no pandas at import).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable

from .errors import ParameterError

_PERIOD_RE = re.compile(r"^(\d{4})(?:([HQ])([1-4]))?$")


class PeriodError(ParameterError, ValueError):
    """A period label is not YYYY, YYYYH1/H2 or YYYYQ1-4."""


def parse_period(period: object) -> tuple[int, str, int]:
    """``(year, kind, part)`` of a label: kind ``""`` (year), ``"H"`` or ``"Q"``.

    >>> parse_period("2024H2"), parse_period("2023q1"), parse_period(2022)
    ((2024, 'H', 2), (2023, 'Q', 1), (2022, '', 0))
    """
    m = _PERIOD_RE.match(str(period).strip().upper())
    if not m or (m.group(2) == "H" and m.group(3) not in ("1", "2")):
        raise PeriodError(
            f"period {period!r} is not a year (2023), half-year (2023H1/H2) or quarter "
            "(2023Q1-Q4); fix the period column"
        )
    return int(m.group(1)), m.group(2) or "", int(m.group(3) or 0)


def is_period(period: object) -> bool:
    """True if ``period`` is a valid label.

    >>> is_period("2025H1"), is_period("2025H3"), is_period("25")
    (True, False, False)
    """
    try:
        parse_period(period)
    except PeriodError:
        return False
    return True


def period_to_time(period: object) -> float:
    """Decimal year at the start of a period: ``2022H2`` -> 2022.5, ``2023Q2`` -> 2023.25.

    >>> [period_to_time(p) for p in ("2022", "2022H1", "2022H2", "2023Q2")]
    [2022.0, 2022.0, 2022.5, 2023.25]
    """
    year, kind, part = parse_period(period)
    if not kind:
        return float(year)
    return year + (part - 1) * (0.5 if kind == "H" else 0.25)


def period_key(period: object) -> tuple[float, str]:
    """Sort key: time first, then the label (invalid labels sort last, by text).

    >>> sorted(["2024Q1", "2023H2", "2023", "x"], key=period_key)
    ['2023', '2023H2', '2024Q1', 'x']
    """
    try:
        return (period_to_time(period), str(period))
    except PeriodError:
        return (float("inf"), str(period))


def sort_periods(periods: Iterable[object]) -> list[str]:
    """Distinct period labels in time order.

    >>> sort_periods(["2024H1", "2023H2", "2024H1"])
    ['2023H2', '2024H1']
    """
    return sorted({str(p) for p in periods}, key=period_key)


def latest_period(periods: Iterable[object]) -> str:
    """The latest period label (time order, not text order).

    >>> latest_period(["2024Q4", "2024H1", "2024Q2"])
    '2024Q4'
    """
    ordered = sort_periods(periods)
    if not ordered:
        raise PeriodError("no period: the table has no rows with a period")
    return ordered[-1]


def period_end(period: object) -> _dt.date:
    """Last day of a period.

    >>> period_end("2025H1"), period_end("2024"), period_end("2024Q3")
    (datetime.date(2025, 6, 30), datetime.date(2024, 12, 31), datetime.date(2024, 9, 30))
    """
    year, kind, part = parse_period(period)
    if not kind:
        return _dt.date(year, 12, 31)
    end_month = part * (6 if kind == "H" else 3)
    nxt = _dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return nxt - _dt.timedelta(days=1)
