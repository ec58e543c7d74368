"""What the real-data loaders share: the :class:`RealData` result, the :class:`Source` entry of
the registry, CSV reading with located problems, the units contract, and the member tables
shipped in ``sources/data/`` (see its ``SOURCE.md``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError
from ..schema import Problem

#: Folder of the member tables shipped with the package.
DATA_DIR = Path(__file__).parent / "data"


# --------------------------------------------------------------------------- result type
@dataclass(frozen=True)
class RealData:
    """Published data in the tidy contracts.

    Attributes:
        observations: ``unit_code, period, indicator, value, status, source``.
        units: one row per unit; ``unit_code`` first, always a string.
        published: published aggregates: ``unit_code, period, name, value, rank, source`` (+ extras).
        notes: plain statements of what is missing, set aside or conflicting.
        framework: name of the matching framework preset / ``data/frameworks/<name>.yaml``
            (``egdi``, ``desi2022``, ``dti_provincial``), usable as ``compute_scores(obs, name)``.
    """

    observations: pd.DataFrame
    units: pd.DataFrame
    published: pd.DataFrame
    notes: tuple[str, ...] = field(default=())
    framework: str | None = None

    def __iter__(self) -> Iterator[pd.DataFrame]:
        yield self.observations
        yield self.units
        yield self.published

    def wide(self, indicators: Iterable[str] | None = None) -> pd.DataFrame:
        """Observations as one row per ``unit_code, period`` and one column per indicator."""
        obs = self.observations
        if indicators is not None:
            obs = obs[obs["indicator"].isin(list(indicators))]
        out = obs.pivot_table(
            index=["unit_code", "period"], columns="indicator", values="value", aggfunc="first"
        )
        out.columns.name = None
        return out.reset_index()


@dataclass(frozen=True)
class Source:
    """One real data source in the registry of :mod:`analysis.sources`.

    Attributes:
        name: the source's name (``egdi``, ``desi``, ``dti``), as in ``load_real_data(name)``.
        load: its loader, ``load(path_or_dir, **kwargs) -> RealData``.
        file_pattern: regular expression (case-insensitive) matching the names of its files,
            by which :func:`analysis.sources.detect_source` recognises a file or folder.
        framework: the framework the notebooks use by default (``data/frameworks/<name>.yaml``).
        files: the same file names for people, e.g. ``"egdi*.csv, EGOV*.csv"`` (in messages).
        units_table: the member table of ``sources/data/`` its units come from (their
            provenance), or None when the source's own files give the units.
    """

    name: str
    load: Callable[..., RealData]
    file_pattern: str
    framework: str
    files: str = ""
    units_table: str | None = None

    def matches(self, file_name: str) -> bool:
        return re.match(f"(?i){self.file_pattern}", file_name) is not None


@functools.cache
def read_member_table(name: str) -> pd.DataFrame:
    """A member table shipped in ``sources/data/`` (text columns; empty cells are ``""``).

    Cached: the same DataFrame is returned on every call, so do not modify it.

    >>> read_member_table("eu_members.csv").query("code == 'EL'")["iso3"].item()
    'GRC'
    """
    return pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _key(name: str) -> str:
    """Matching key of a country name: NFC, stripped, case-folded, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(name)).strip()).casefold()


def _map_columns(columns, aliases: dict) -> dict[str, str]:
    """canonical name -> header in the file."""
    found = {}
    norm = {_key(c): c for c in columns}
    for canon, names in aliases.items():
        for n in names:
            if n in norm:
                found[canon] = norm[n]
                break
    return found


# --------------------------------------------------------------------------- helpers
def _problem(path, row, column, value, message, fix="") -> Problem:
    return Problem(str(path), row, column, value, message, fix)


def _numeric(
    df: pd.DataFrame, column: str, header: str, path, problems: list, *, row_offset: int = 2
) -> pd.Series:
    """Parse a column as float; every non-numeric, non-blank cell becomes a Problem."""
    raw = df[column]
    text = raw.astype("string").str.strip()
    num = pd.to_numeric(text, errors="coerce")
    bad = (
        num.isna()
        & text.notna()
        & (text != "")
        & ~text.str.lower().isin(["na", "nan", "n/a", ".."])
    )
    for idx in df.index[bad.to_numpy()]:
        problems.append(
            _problem(
                path,
                int(idx) + row_offset,
                header,
                raw.at[idx],
                "not a number",
                "fix the cell (decimal point) or leave it blank for a missing value",
            )
        )
    return num.astype(float)


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    if not path.exists():
        raise DataValidationError(
            [
                _problem(
                    path,
                    None,
                    None,
                    None,
                    "file not found",
                    "check the path; see README (data sources) for where to download it",
                )
            ],
            source=str(path),
        )
    try:
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", **kwargs
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataValidationError(
            [
                _problem(
                    path, None, None, None, f"cannot be read as CSV ({exc})", "save it as UTF-8 CSV"
                )
            ],
            source=str(path),
        ) from exc


def _years_filter(years) -> set[str] | None:
    if years is None:
        return None
    if isinstance(years, int | str):
        years = [years]
    return {str(int(y)) for y in years}


_UNITS_CONTRACT = (
    "unit_code", "name_vi", "name_en", "full_name_vi", "name_ascii", "unit_type", "parent_code", "former_district",
    "lat", "lon", "population", "households", "area_km2", "area_source", "successor_code",
    "successor_name_vi", "resolution_clause",
)  # fmt: skip
_NUMERIC_UNIT_COLUMNS = ("lat", "lon", "population", "households", "area_km2")


def _ascii(name: str) -> str:
    s = unicodedata.normalize("NFC", name).replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def _to_units_contract(units: pd.DataFrame) -> pd.DataFrame:
    """Add the missing contract columns (NaN / empty: not published for these units), contract order first.

    ``name_vi`` falls back to ``name_en`` where no Vietnamese name is given (a country without a
    Vietnamese name in the member tables), and ``name_en`` to ``name_vi`` (a Vietnamese place
    keeps its Vietnamese name in English).
    """
    out = units.copy()
    if "name_vi" not in out:
        out["name_vi"] = pd.NA
    if "name_en" in out:
        out["name_vi"] = out["name_vi"].fillna(out["name_en"])
    else:
        out["name_en"] = out["name_vi"]
    out["name_en"] = out["name_en"].fillna(out["name_vi"])
    if "full_name_vi" not in out:
        out["full_name_vi"] = out["name_vi"]
    if "name_ascii" not in out:
        out["name_ascii"] = out["name_vi"].map(_ascii)
    for c in _UNITS_CONTRACT:
        if c not in out:
            out[c] = np.nan if c in _NUMERIC_UNIT_COLUMNS else pd.NA
    for c in _NUMERIC_UNIT_COLUMNS:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["unit_code"] = out["unit_code"].astype(str)
    extra = [c for c in out.columns if c not in _UNITS_CONTRACT]
    return out[list(_UNITS_CONTRACT) + extra].reset_index(drop=True)
