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

Rules checked: empty file; missing required column; wrong sheet layout; a unit code that is not
a safe code (:func:`check_code`) or not in the units table; unknown indicator; bad period;
duplicate (unit, period, indicator); non-numeric or infinite value; an ambiguous thousands
separator (``1.234`` / ``1,234``: 1234 or 1.234?); value outside the indicator's range (a
percentage outside 0–100, a negative count); a percentage indicator whose values are all between
0 and 1 (probable fractions: 0.85 typed for 85%); unknown status; an optional standard
error (``se``) that is not a finite number >= 0.

Accepted and normalised (not problems): Vietnamese decimal comma (``85,5``), a trailing ``%``,
NFD text, surrounding spaces, codes typed as numbers in Excel. What the readers converted or
detected (an Excel cell shown as a percentage read as 85 rather than 0.85, a formula read from
its saved value, a semicolon-separated or UTF-16 file) and values worth a second look (a
fraction among percentages) are :attr:`ValidationReport.notes`: said, not errors.

Where a problem is: ``file`` (with ``[sheet]`` for a workbook), ``row`` (the CSV line or Excel
row), ``column`` (the column the user sees: ``value``, or the indicator column of a template
sheet with its letter) and ``value`` as typed. Readers pass the location of each record in the
optional columns of :data:`LOCATION_COLUMNS`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
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
#: Optional columns a reader adds to say where each record is (dropped from the data):
#: ``_file`` (file, with ``[sheet]`` for a workbook), ``_value_column`` (the column the user
#: sees for the value, e.g. ``gov_online_dossier_pct (E)``), ``_is_pct_marked`` (the value
#: was typed or shown as a percentage: ``85%``, or an Excel cell with a % format).
LOCATION_COLUMNS = ("_file", "_value_column", "_is_pct_marked")
#: Longest unit code accepted (codes become parts of output file names).
MAX_CODE_LENGTH = 40
_CODE_BAD_START = ("=", "+", "-", "@")
_CODE_BAD_CHARS = frozenset("/\\:\0")
#: "1.234" / "1,234": one separator followed by exactly three digits, no leading zero
_AMBIGUOUS_THOUSANDS = re.compile(r"\s*[+-]?[1-9]\d{0,2}[.,]\d{3}\s*")
#: median above which a fraction (0 < v < 1) among percentages is worth a note
_FRACTION_NOTE_MEDIAN = 10.0
#: values of a percentage column that must all lie in [0, 1] before they are called fractions
_FRACTION_MIN_VALUES = 3


def check_code(code: object) -> str | None:
    """Why ``code`` is not an acceptable unit code, or None if it is.

    A code names output files and figure labels, so it must be printable text of at most
    :data:`MAX_CODE_LENGTH` characters, without a path separator (``/``, ``\\``, ``:``), not
    ``.`` or ``..``, and not starting with ``=``, ``+``, ``-`` or ``@`` (a spreadsheet would run
    it as a formula).

    >>> check_code("20527"), check_code("VN-PMEAN")
    (None, None)
    >>> check_code("../../x")
    "contains a path separator ('/')"
    >>> check_code("=2+3")
    "starts with '=' (a spreadsheet would read it as a formula)"
    """
    if not isinstance(code, str) or not code:
        return "is empty"
    if len(code) > MAX_CODE_LENGTH:
        return f"is {len(code)} characters long (at most {MAX_CODE_LENGTH})"
    bad = sorted(set(code) & _CODE_BAD_CHARS)
    if bad:
        return f"contains a path separator ({bad[0]!r})"
    if code in (".", ".."):
        return f"is {code!r} (a folder name)"
    if code.startswith(_CODE_BAD_START):
        return f"starts with {code[0]!r} (a spreadsheet would read it as a formula)"
    if not code.isprintable():
        return "contains a control or non-printable character"
    return None


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
    """Result of a validation: cleaned ``data`` (observations contract), ``problems`` (errors:
    the file is not valid) and ``notes`` (what was converted or detected, and values worth a
    second look: said, not errors)."""

    source: str
    data: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        noted = f", {len(self.notes)} note(s)" if self.notes else ""
        if self.ok:
            n_units = self.data["unit_code"].nunique() if len(self.data) else 0
            return f"{self.source}: OK, {len(self.data)} observations, {n_units} units{noted}"
        return f"{self.source}: {len(self.problems)} problem(s){noted}"

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
        raw: the table as read (column names in any case; values as typed), optionally with the
            location columns of :data:`LOCATION_COLUMNS`.
        units: the units table; its ``unit_code`` are the known codes.
        framework: the :class:`~analysis.frameworks.Framework` whose indicators are known.
        source: file name used in the problems.
        row_numbers: the row each record has for the user (default: CSV lines, header = 1).
    """
    raw = raw.copy()
    raw.columns = [c if c in LOCATION_COLUMNS else nfc(str(c)).lower() for c in raw.columns]
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
    at = _Locator(raw, rows, source)
    problems: list[Problem] = []
    notes: list[Problem] = []
    out = _clean_observations(raw, at, problems)
    _check_rules(raw, out, at, problems, set(units["unit_code"]), framework)
    _check_fractions(raw, out, at, problems, notes, framework)
    _check_duplicates(out, at, problems)
    problems.sort(key=lambda p: (p.file, p.row or 0, p.column or ""))
    notes.sort(key=lambda p: (p.file, p.row or 0, p.column or ""))
    data = out[OBS_COLUMNS + [c for c in OPTIONAL_OBS_COLUMNS if c in out.columns]]
    return ValidationReport(source, data.reset_index(drop=True), problems, notes)


class _Locator:
    """Where each record is for the user: file (and sheet), row, and the column they see."""

    def __init__(self, raw: pd.DataFrame, rows: pd.Series, source: str):
        self.raw, self.rows, self.source = raw, rows, source
        self.file = raw["_file"] if "_file" in raw.columns else None
        self.value_column = raw["_value_column"] if "_value_column" in raw.columns else None

    def problem(self, idx, column: str, value, message: str, fix: str = "") -> Problem:
        file = self.source if self.file is None else str(self.file[idx])
        if column == "value" and self.value_column is not None:
            column = str(self.value_column[idx])
        return Problem(file, int(self.rows[idx]), column, value, message, fix)

    def report(self, problems: list, mask, column: str, value_of, message, fix: str) -> None:
        for idx in self.raw.index[np.asarray(mask, dtype=bool)]:
            problems.append(self.problem(idx, column, value_of(idx), message(idx), fix))


def _clean_observations(raw: pd.DataFrame, at: _Locator, problems: list[Problem]) -> pd.DataFrame:
    """The contract columns, normalised; a value that is not a finite number, or whose thousands
    separator is ambiguous, becomes a problem (and a missing value)."""
    out = pd.DataFrame(index=raw.index)
    out["unit_code"] = raw["unit_code"].map(normalise_code)
    out["period"] = raw["period"].map(normalise_period)
    out["indicator"] = raw["indicator"].map(
        lambda v: nfc(str(v)) if v is not None and v == v else None
    )
    out["status"] = raw["status"].map(nfc) if "status" in raw.columns else "observed"
    out["status"] = out["status"].fillna("observed").str.lower()
    out["source"] = raw["source"].map(nfc) if "source" in raw.columns else Path(at.source).name
    # values: fast path for plain numbers, the forgiving parser only for text that needs it
    typed = raw["value"]
    is_text = typed.map(lambda v: isinstance(v, str))
    ambiguous = is_text & typed.where(is_text, "").str.fullmatch(_AMBIGUOUS_THOUSANDS)
    fast = pd.to_numeric(typed.where(~ambiguous), errors="coerce")
    values = fast.to_numpy(dtype=float, copy=True)
    slow = fast.isna() & typed.notna() & ~ambiguous
    for idx in raw.index[slow.to_numpy()]:
        v = typed[idx]
        try:
            values[raw.index.get_loc(idx)] = parse_number(v)
        except ValueError:
            problems.append(
                at.problem(
                    idx,
                    "value",
                    v,
                    "not a number",
                    "type a number such as 85,5 or 85.5 (a trailing % is fine); leave empty if unknown",
                )
            )
    at.report(
        problems,
        ambiguous,
        "value",
        lambda i: typed[i],
        lambda i: (
            f"ambiguous number: {typed[i].strip()!r} is either "
            f"{typed[i].strip().replace('.', '').replace(',', '')} (with a thousands separator) "
            f"or {typed[i].strip().replace(',', '.')} (with a decimal mark)"
        ),
        "type the number without a thousands separator (1234), or a decimal with two or four "
        "decimals (1,23 / 1,2340)",
    )
    infinite = np.isinf(values)
    at.report(
        problems,
        infinite,
        "value",
        lambda i: typed[i],
        lambda i: "not a finite number (infinity)",
        "type the measured value, or leave the cell empty if it is unknown",
    )
    values[infinite] = np.nan
    out["value"] = values
    if "se" in raw.columns:
        se = pd.to_numeric(raw["se"], errors="coerce")
        for idx in raw.index[se.isna() & raw["se"].notna()]:  # "2,5", "1.2%"
            try:
                se[idx] = parse_number(raw.at[idx, "se"])
            except ValueError:
                pass
        bad = (raw["se"].notna() & se.isna()) | (se < 0) | np.isinf(se.astype(float))
        for idx in raw.index[bad]:
            problems.append(
                at.problem(
                    idx,
                    "se",
                    raw.at[idx, "se"],
                    "standard error is not a finite number >= 0",
                    "type the measurement standard error in the indicator's unit (e.g. 2.5), or leave it empty",
                )
            )
        out["se"] = se.where(~bad).astype(float)
    return out


def _check_rules(
    raw: pd.DataFrame,
    out: pd.DataFrame,
    at: _Locator,
    problems: list[Problem],
    known_units: set,
    framework: Framework,
) -> None:
    """Unit code, indicator, period, status and range of each row (vectorised)."""
    ind = framework.indicators.set_index("id")
    report = functools.partial(at.report, problems)
    example_unit = sorted(known_units)[0] if known_units else "20527"
    report(
        out["unit_code"].isna(),
        "unit_code",
        lambda i: None,
        lambda i: "unit code is empty",
        "fill the GSO commune code, e.g. 20527",
    )
    code_issue = out["unit_code"].map(check_code, na_action="ignore")
    report(
        code_issue.notna(),
        "unit_code",
        lambda i: out.at[i, "unit_code"],
        lambda i: f"unit code not allowed: it {code_issue[i]}",
        f"use a code of the units table (e.g. {example_unit})",
    )
    report(
        out["unit_code"].notna() & code_issue.isna() & ~out["unit_code"].isin(known_units),
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


def _check_fractions(
    raw: pd.DataFrame,
    out: pd.DataFrame,
    at: _Locator,
    problems: list[Problem],
    notes: list[Problem],
    framework: Framework,
) -> None:
    """Percentages typed as fractions (0.85 for 85%), per indicator column of each file/sheet.

    Only values typed as plain numbers count (``85%`` and Excel cells shown as percentages are
    explicit). A column of at least three values that all lie in [0, 1], some strictly between,
    is an error for each such value; a value strictly between 0 and 1 among percentages whose
    median is above 10, or in a shorter column of such values, is a note.
    """
    unit = out["indicator"].map(framework.indicators.set_index("id")["unit"])
    typed = raw["value"]
    marked = typed.map(lambda v: isinstance(v, str) and "%" in v)
    if "_is_pct_marked" in raw.columns:
        marked |= raw["_is_pct_marked"].fillna(False).astype(bool)
    v = out["value"]
    pct = (unit == "%") & v.notna() & ~marked
    if not pct.any():
        return
    group = [at.file if at.file is not None else pd.Series("", index=raw.index), out["indicator"]]
    frac = pct & (v > 0) & (v < 1)
    in_unit = (pct & (v >= 0) & (v <= 1)).where(pct).groupby(group)
    all_in_unit = frac & in_unit.transform("all").reindex(raw.index, fill_value=False).astype(bool)
    enough = in_unit.transform("count").reindex(raw.index, fill_value=0) >= _FRACTION_MIN_VALUES
    all_fractions = all_in_unit & enough
    median = v.where(pct).groupby(group).transform("median")
    at.report(
        problems,
        all_fractions,
        "value",
        lambda i: typed[i],
        lambda i: (
            f"probable fraction: every value of percentage indicator {out.at[i, 'indicator']} "
            f"here is between 0 and 1 ({v[i]:g} means {v[i]:g}%, not {100 * v[i]:g}%)"
        ),
        "type percentages as 0–100 (85 or 85%); a value that really is below 1% can be typed "
        "with its % sign (0,5%)",
    )
    at.report(
        notes,
        frac & ~all_fractions & ((median > _FRACTION_NOTE_MEDIAN) | all_in_unit),
        "value",
        lambda i: typed[i],
        lambda i: (
            f"probable fraction? {v[i]:g} for percentage indicator {out.at[i, 'indicator']} "
            f"(median here {median[i]:g}): read as {v[i]:g}%"
        ),
        "if it is a fraction (0.85 for 85%), type the percentage (85 or 85%)",
    )


def _check_duplicates(out: pd.DataFrame, at: _Locator, problems: list[Problem]) -> None:
    """One problem per repeated (unit, period, indicator), naming the row it repeats."""
    keys = ["unit_code", "period", "indicator"]
    dup = out.duplicated(keys, keep="first")
    if not dup.any():
        return
    first = (
        out.assign(_row=at.rows.to_numpy())
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
            at.problem(
                idx,
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
    for i, code in units["unit_code"].items():
        issue = check_code(code)
        if issue:
            problems.append(
                Problem(
                    source,
                    i + 2,
                    "unit_code",
                    code,
                    f"unit code not allowed: it {issue}",
                    "a code of letters, digits, '-', '_' or '.', e.g. the GSO code 20527",
                )
            )
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
