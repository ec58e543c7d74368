"""Data status: the one rule for what a value, a table or a brief may claim to be.

Every observation carries a status (DESIGN.md): ``observed`` < ``estimated`` < ``imputed`` <
``synthetic``, from most to least trustworthy. A result takes the worst status of the inputs it
was computed from, so a number built on synthetic values is marked synthetic all the way into
the PDF.

The rule for a missing status is also decided here, once: loading fills a row without status
as ``observed`` (data the user supplied); after that a missing status only occurs on a row
without a value, which contributes nothing, so it is ignored. An unknown status is an error.

Light on purpose (no pandas at import): the runner and ``dgap brief`` use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import config
from .errors import DataValidationError

#: Row statuses, from most to least trustworthy.
STATUSES = config.STATUSES
#: integer rank of each status (0 observed .. 3 synthetic)
RANK = {s: i for i, s in enumerate(STATUSES)}
#: Status of a whole brief or figure: all observed, any synthetic, or anything in between.
SUMMARY_STATUSES = ("observed", "mixed", "synthetic")


def _is_missing(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and value != value)
        or str(value)
        in (
            "<NA>",
            "nan",
            "NaT",
            "",
        )
    )


def _known(values: Iterable[object]) -> list[str]:
    """The non-missing statuses of ``values``; raises on a value that is not a status."""
    out = []
    for v in values:
        if _is_missing(v):
            continue
        s = str(v)
        if s not in RANK:
            raise DataValidationError(
                [f"column 'status' value {s!r} is not a data status; use one of {list(STATUSES)}"],
                source="status",
            )
        out.append(s)
    return out


def status_rank(status: object) -> int:
    """Rank of one status (0 observed .. 3 synthetic); a missing status ranks as observed.

    >>> status_rank("imputed"), status_rank(None)
    (2, 0)
    """
    known = _known([status])
    return RANK[known[0]] if known else 0


def status_codes(values):
    """Rank of each status as a numpy array (missing -> 0, i.e. ignored in a worst-of).

    >>> status_codes(["observed", None, "synthetic"]).tolist()
    [0, 0, 3]
    """
    import numpy as np
    import pandas as pd

    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes = s.astype(object).map(RANK)
    unknown = codes.isna() & ~s.map(_is_missing).astype(bool)
    if unknown.any():
        _known(s[unknown].iloc[:1])  # raises, naming the value
    return codes.fillna(0).to_numpy(np.int8)


def worst_status(values: Iterable[object]) -> str:
    """Worst status among ``values`` (missing ones ignored); ``observed`` when there is none.

    >>> worst_status(["observed", "imputed", None, "estimated"]), worst_status([])
    ('imputed', 'observed')
    """
    known = _known(values)
    return max(known, key=RANK.__getitem__) if known else STATUSES[0]


def table_status(df) -> str:
    """Worst status of a table's ``status`` column (``observed`` when it has none)."""
    return worst_status(df["status"].unique()) if "status" in df.columns else STATUSES[0]


def summary_status(values: Iterable[object]) -> str:
    """Status of a brief: ``synthetic`` if any value is, ``observed`` if all are, else ``mixed``.

    >>> summary_status(["observed"]), summary_status(["observed", "imputed"]), summary_status(["mixed"])
    ('observed', 'mixed', 'mixed')
    """
    vals = set()
    for v in values:
        if _is_missing(v):
            continue
        s = str(v)
        if s not in RANK and s not in SUMMARY_STATUSES:
            raise DataValidationError(
                [f"status value {s!r} is not a data status; use one of {list(STATUSES)}"],
                source="status",
            )
        vals.add(s)
    if not vals:
        raise DataValidationError(
            ["no data status found: the tables need a 'status' column"], source="status"
        )
    if "synthetic" in vals:
        return "synthetic"
    return "observed" if vals <= {"observed"} else "mixed"


def is_synthetic(status: object = None, *frames) -> bool:
    """True if ``status`` is synthetic or any of the tables ``frames`` has a synthetic row."""
    if status is not None and str(status) == "synthetic":
        return True
    for df in frames:
        cols = getattr(df, "columns", ())
        if "status" in cols and (df["status"].astype(str) == "synthetic").any():
            return True
    return False
