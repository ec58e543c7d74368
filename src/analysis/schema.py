"""The data contracts of DESIGN.md and their validation.

:func:`validate_observations` checks an observations table already read (by
:func:`analysis.loaders.validate_file` from a tidy CSV/XLSX/Parquet file or a filled data-entry
workbook) and returns a :class:`ValidationReport`: the cleaned data in the observations contract
and one :class:`Problem` per issue. Each problem names the file, the row (as the user sees it: the
line in a CSV, the row number in Excel), the column, the bad value and what is expected, so that
the fix is obvious. :func:`validate_units` checks a units table, :func:`compute_coverage` reports
what is present against what the framework and units expect.

This module reads no file and loads no default: callers pass the units table and the framework
(:mod:`analysis.loaders` resolves paths and defaults).

Rules checked: empty file; missing required column; wrong sheet layout; unknown unit code;
unknown indicator; bad period; duplicate (unit, period, indicator); non-numeric value; value
outside the indicator's range (a percentage outside 0–100, a negative count); unknown status;
an optional standard error (``se``) that is not a number >= 0.

Accepted and normalised (not problems): Vietnamese decimal comma (``85,5``), a trailing ``%``,
NFD text, surrounding spaces, codes typed as numbers in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import config
from .errors import DataValidationError
from .i18n import parse_number
from .io import nfc, normalise_code, normalise_period
from .status import worst_status

if TYPE_CHECKING:
    from .frameworks import Framework

#: Columns of the observations contract, in order.
OBS_COLUMNS = ["unit_code", "period", "indicator", "value", "status", "source"]
REQUIRED_OBS_COLUMNS = ("unit_code", "period", "indicator", "value")
#: Optional columns kept when present: ``se``, the measurement standard error of the value (in
#: the indicator's unit, e.g. a survey's sampling error); the gap analysis folds it in.
OPTIONAL_OBS_COLUMNS = ("se",)
UNITS_COLUMNS = (
    "unit_code",
    "name_vi",
    "unit_type",
    "parent_code",
    "lat",
    "lon",
    "population",
    "households",
)
_PERIOD_OK = r"^\d{4}(H[12]|Q[1-4])?$"


@dataclass
class Problem:
    """One validation problem, printed as ``file:row: column=value: message (fix)``."""

    file: str
    row: int | None
    column: str | None
    value: object
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        col = f" column {self.column!r}" if self.column else ""
        val = f" value {self.value!r}" if self.value is not None else ""
        fix = f" -> {self.fix}" if self.fix else ""
        return f"{where}:{col}{val}: {self.message}{fix}"


@dataclass
class ValidationReport:
    """Result of a validation: cleaned ``data`` (observations contract) and ``problems``."""

    source: str
    data: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            n_units = self.data["unit_code"].nunique() if len(self.data) else 0
            return f"{self.source}: OK, {len(self.data)} observations, {n_units} units"
        return f"{self.source}: {len(self.problems)} problem(s)"

    def raise_if_invalid(self) -> None:
        if not self.ok:
            raise DataValidationError(self.problems, source=self.source)


def validate_observations(
    raw: pd.DataFrame,
    *,
    units: pd.DataFrame,
    framework: Framework,
    source: str = "<table>",
    row_numbers=None,
) -> ValidationReport:
    """Validate and clean an observations table already in memory (see module docstring).

    Args:
        raw: the table as read (column names in any case; values as typed).
        units: the units table; its ``unit_code`` are the known codes.
        framework: the :class:`~analysis.frameworks.Framework` whose indicators are known.
        source: file name used in the problems.
        row_numbers: the row each record has for the user (default: CSV lines, header = 1).
    """
    raw = raw.copy()
    raw.columns = [nfc(str(c)).lower() for c in raw.columns]
    rows = pd.Series(
        row_numbers if row_numbers is not None else range(2, len(raw) + 2), index=raw.index
    )
    missing = [c for c in REQUIRED_OBS_COLUMNS if c not in raw.columns]
    if missing:
        return ValidationReport(
            source,
            pd.DataFrame(columns=OBS_COLUMNS),
            [
                Problem(
                    source,
                    1,
                    c,
                    None,
                    "required column is missing",
                    f"add a column named {c!r} (required: {list(REQUIRED_OBS_COLUMNS)})",
                )
                for c in missing
            ],
        )
    problems: list[Problem] = []
    out = _clean_observations(raw, rows, source, problems)
    _check_rules(raw, out, rows, source, problems, set(units["unit_code"]), framework)
    _check_duplicates(out, rows, source, problems)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    data = out[OBS_COLUMNS + [c for c in OPTIONAL_OBS_COLUMNS if c in out.columns]]
    return ValidationReport(source, data.reset_index(drop=True), problems)


def _clean_observations(
    raw: pd.DataFrame, rows: pd.Series, source: str, problems: list[Problem]
) -> pd.DataFrame:
    """The contract columns, normalised; a value that is not a number becomes a problem."""
    out = pd.DataFrame(index=raw.index)
    out["unit_code"] = raw["unit_code"].map(normalise_code)
    out["period"] = raw["period"].map(normalise_period)
    out["indicator"] = raw["indicator"].map(
        lambda v: nfc(str(v)) if v is not None and v == v else None
    )
    out["status"] = raw["status"].map(nfc) if "status" in raw.columns else "observed"
    out["status"] = out["status"].fillna("observed").str.lower()
    out["source"] = raw["source"].map(nfc) if "source" in raw.columns else Path(source).name
    # values: fast path for plain numbers, the forgiving parser only for text that needs it
    fast = pd.to_numeric(raw["value"], errors="coerce")
    values = fast.to_numpy(dtype=float, copy=True)
    slow = fast.isna() & raw["value"].notna()
    for idx in raw.index[slow]:
        v = raw.at[idx, "value"]
        try:
            values[raw.index.get_loc(idx)] = parse_number(v)
        except ValueError:
            problems.append(
                Problem(
                    source,
                    int(rows[idx]),
                    "value",
                    v,
                    "not a number",
                    "type a number such as 85,5 or 85.5 (a trailing % is fine); leave empty if unknown",
                )
            )
    out["value"] = values
    if "se" in raw.columns:
        se = pd.to_numeric(raw["se"], errors="coerce")
        for idx in raw.index[se.isna() & raw["se"].notna()]:  # "2,5", "1.2%"
            try:
                se[idx] = parse_number(raw.at[idx, "se"])
            except ValueError:
                pass
        bad = (raw["se"].notna() & se.isna()) | (se < 0)
        for idx in raw.index[bad]:
            problems.append(
                Problem(
                    source,
                    int(rows[idx]),
                    "se",
                    raw.at[idx, "se"],
                    "standard error is not a number >= 0",
                    "type the measurement standard error in the indicator's unit (e.g. 2.5), or leave it empty",
                )
            )
        out["se"] = se.where(~bad).astype(float)
    return out


def _check_rules(
    raw: pd.DataFrame,
    out: pd.DataFrame,
    rows: pd.Series,
    source: str,
    problems: list[Problem],
    known_units: set,
    framework: Framework,
) -> None:
    """Unit code, indicator, period, status and range of each row (vectorised)."""
    ind = framework.indicators.set_index("id")

    def report(mask, column, value_of, message, fix) -> None:
        for idx in out.index[mask]:
            problems.append(
                Problem(source, int(rows[idx]), column, value_of(idx), message(idx), fix)
            )

    example_unit = sorted(known_units)[0] if known_units else "20527"
    report(
        out["unit_code"].isna(),
        "unit_code",
        lambda i: None,
        lambda i: "unit code is empty",
        "fill the GSO commune code, e.g. 20527",
    )
    report(
        out["unit_code"].notna() & ~out["unit_code"].isin(known_units),
        "unit_code",
        lambda i: out.at[i, "unit_code"],
        lambda i: "unknown unit code",
        f"use one of the {len(known_units)} codes in the units table (e.g. {example_unit})",
    )
    known_ind = out["indicator"].isin(ind.index)
    report(
        ~known_ind,
        "indicator",
        lambda i: out.at[i, "indicator"],
        lambda i: "unknown indicator",
        f"use an indicator id of framework {framework.id!r}, e.g. {framework.indicator_ids[0]}",
    )
    report(
        ~out["period"].fillna("").str.match(_PERIOD_OK),
        "period",
        lambda i: raw.at[i, "period"],
        lambda i: "bad period",
        "write YYYY, YYYYH1/YYYYH2 (half-year) or YYYYQ1..Q4",
    )
    report(
        ~out["status"].isin(config.STATUSES),
        "status",
        lambda i: out.at[i, "status"],
        lambda i: "unknown status",
        f"use one of {list(config.STATUSES)}",
    )
    # range checks (vectorised): a percentage in 0-100, a rate or count not negative
    unit = out["indicator"].map(ind["unit"])
    kind = out["indicator"].map(ind["kind"])
    v = out["value"]
    pct_bad = known_ind & (unit == "%") & v.notna() & ((v < 0) | (v > 100))
    neg_bad = known_ind & (unit != "%") & kind.isin(["rate", "count"]) & (v < 0)
    report(
        pct_bad,
        "value",
        lambda i: raw.at[i, "value"],
        lambda i: f"percentage outside 0–100 for {out.at[i, 'indicator']}",
        "enter a percentage between 0 and 100 (e.g. 85,5 for 85.5%)",
    )
    report(
        neg_bad,
        "value",
        lambda i: raw.at[i, "value"],
        lambda i: f"negative value for {kind[i]} indicator {out.at[i, 'indicator']}",
        "a rate or count cannot be negative",
    )


def _check_duplicates(
    out: pd.DataFrame, rows: pd.Series, source: str, problems: list[Problem]
) -> None:
    """One problem per repeated (unit, period, indicator), naming the row it repeats."""
    keys = ["unit_code", "period", "indicator"]
    dup = out.duplicated(keys, keep="first")
    if not dup.any():
        return
    first = (
        out.assign(_row=rows.to_numpy())
        .groupby(keys, sort=False, dropna=False)["_row"]
        .transform("first")
    )
    label = (
        out["unit_code"].astype(str)
        + "/"
        + out["period"].astype(str)
        + "/"
        + out["indicator"].astype(str)
    )
    for idx in out.index[dup]:
        problems.append(
            Problem(
                source,
                int(rows[idx]),
                "unit_code/period/indicator",
                label[idx],
                f"duplicate of row {int(first[idx])}",
                "keep one row per unit, period and indicator",
            )
        )


def validate_units(units: pd.DataFrame, source: str = "<units>") -> list[Problem]:
    """Check a units table: required columns, unique string codes, plausible coordinates."""
    problems = [
        Problem(source, 1, c, None, "required column is missing", f"add column {c!r}")
        for c in UNITS_COLUMNS
        if c not in units.columns
    ]
    if problems:
        return problems
    for i, code in units["unit_code"][units["unit_code"].duplicated()].items():
        problems.append(
            Problem(source, i + 2, "unit_code", code, "duplicate unit code", "one row per unit")
        )
    for i, r in units.iterrows():
        if not (-90 <= r["lat"] <= 90) or not (-180 <= r["lon"] <= 180):
            problems.append(
                Problem(
                    source,
                    i + 2,
                    "lat/lon",
                    (r["lat"], r["lon"]),
                    "coordinates out of range",
                    "decimal degrees, lat in [-90, 90], lon in [-180, 180]",
                )
            )
        if pd.notna(r["population"]) and r["population"] < 0:
            problems.append(
                Problem(
                    source,
                    i + 2,
                    "population",
                    r["population"],
                    "negative population",
                    "a count of people >= 0",
                )
            )
    return problems


def compute_coverage(
    observations: pd.DataFrame,
    framework: Framework,
    units: pd.DataFrame,
    *,
    by: str = "indicator",
) -> pd.DataFrame:
    """Share of expected observations present (units × indicators × periods), reported not imputed.

    Args:
        observations: observations contract.
        framework, units: define what is expected (e.g. ``inputs.framework, inputs.units``).
        by: ``indicator`` (one row per indicator and period), ``unit`` (per unit and period) or
            ``period``.

    Returns:
        Columns ``<by>, period, n_expected, n_present, coverage_pct, status``; status is the worst
        status among the observations counted (``synthetic`` for the demo panel).
    """
    periods = sorted(observations["period"].unique())
    grid = pd.MultiIndex.from_product(
        [units["unit_code"], framework.indicator_ids, periods],
        names=["unit_code", "indicator", "period"],
    ).to_frame(index=False)
    present = observations.dropna(subset=["value"])[["unit_code", "indicator", "period", "status"]]
    merged = grid.merge(present, on=["unit_code", "indicator", "period"], how="left")
    merged["present"] = merged["status"].notna()
    keys = [by] if by == "period" else [by if by != "unit" else "unit_code", "period"]
    out = (
        merged.groupby(keys, sort=True)
        .agg(
            n_expected=("present", "size"),
            n_present=("present", "sum"),
            status=("status", worst_status),
        )
        .reset_index()
    )
    out["coverage_pct"] = 100 * out["n_present"] / out["n_expected"]
    return out[keys + ["n_expected", "n_present", "coverage_pct", "status"]]
