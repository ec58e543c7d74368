"""Validated inputs of one analysis: observations, units and framework, with their digest.

:func:`load_inputs` is the one entry point the notebooks use: it reads the project's files, a
user's file, or a real published source (EGDI, DESI, provincial DTI: :mod:`analysis.sources`),
validates them and returns :class:`Inputs`. :func:`merge_inputs` re-aggregates them onto the
post-2025 communes.

One file at a time: :func:`validate_file` reads an observations file (a tidy table through
:mod:`analysis.io`, a filled workbook through :mod:`analysis.template`) and checks it with
:mod:`analysis.schema` (``dgap validate``); :func:`load_observations` returns its data or raises;
:func:`save_observations` writes observations in contract order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import config
from .demo import is_recipe, panel_from_recipe
from .errors import DataValidationError, InsufficientDataError, ParameterError
from .frameworks import Framework, load_framework
from .io import read_table, save_table
from .provenance import dataset_record, source_record
from .schema import (
    OBS_COLUMNS,
    OPTIONAL_OBS_COLUMNS,
    REQUIRED_OBS_COLUMNS,
    Problem,
    ValidationReport,
    validate_observations,
)
from .sources import SOURCES, detect_source, load_real_inputs
from .sources._common import DATA_DIR as MEMBER_TABLES
from .status import table_status
from .template import read_workbook
from .units import (
    constituents_table,
    crosswalk_record,
    load_crosswalk,
    load_units,
    load_units_2025,
    reaggregate_observations,
    select_province,
)
from .units.registry import UNITS_2025_CSV


@dataclass
class Inputs:
    """Validated inputs of one analysis.

    ``provenance`` lists one record per dataset used (observations, units, framework, and the
    crosswalk after :func:`merge_inputs`): ``id, title, producer, date, url, licence, status,
    citation_vi, citation_en`` plus ``role``, ``path`` and ``files`` (see
    :mod:`analysis.provenance`).
    """

    observations: pd.DataFrame
    units: pd.DataFrame
    framework: Framework
    status: str
    paths: dict[str, str]
    digest: str
    provenance: list[dict] = field(default_factory=list)

    @property
    def is_synthetic(self) -> bool:
        return self.status == "synthetic"


def resolve_path(path: str | Path | None, default: Path) -> Path:
    if path is None or str(path) == "":
        return default
    p = Path(path)
    return p if p.is_absolute() else (config.ROOT / p)


# --------------------------------------------------------------------------- one file
def _context(units, framework) -> tuple[pd.DataFrame, Framework]:
    """Units table and framework from objects, paths or None (the project's defaults)."""
    if units is None or isinstance(units, str | Path):
        units = load_units(units, validate=False)
    if framework is None or isinstance(framework, str | Path):
        framework = load_framework(framework)
    return units, framework


def validate_file(path, *, units=None, framework=None) -> ValidationReport:
    """Read and validate an observations file or a filled data-entry workbook.

    Args:
        path: CSV, XLSX (tidy sheet or the template's pillar sheets) or Parquet file.
        units: units table or its path (default: the Đại Lộc communes).
        framework: :class:`Framework` or YAML path (default: the commune framework).

    Returns:
        The :class:`~analysis.schema.ValidationReport`: cleaned data and one problem per issue.
    """
    path = Path(path)
    units, framework = _context(units, framework)
    src = str(path)
    empty = pd.DataFrame(columns=OBS_COLUMNS)
    try:
        if is_recipe(path):  # a synthetic panel generated for these units (analysis.demo)
            raw, problems = panel_from_recipe(path, units, framework), []
            rows = pd.Series(range(2, len(raw) + 2), index=raw.index)
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            raw, rows, problems = read_workbook(path, framework)
        else:
            raw = read_table(path)
            rows = pd.Series(range(2, len(raw) + 2), index=raw.index)  # CSV lines (header = 1)
            problems = []
    except DataValidationError as exc:
        return ValidationReport(
            src, empty, [Problem(src, None, None, None, str(p)) for p in exc.problems]
        )
    if problems:
        return ValidationReport(src, empty, problems)
    notes = [
        n if isinstance(n, Problem) else Problem(src, None, None, None, str(n))
        for n in raw.attrs.get("read_notes", [])
    ]
    if len(raw) == 0:
        fix = f"add rows with columns {list(REQUIRED_OBS_COLUMNS)}"
        return ValidationReport(
            src, empty, [Problem(src, None, None, None, "no data rows", fix)], notes
        )
    report = validate_observations(
        raw, units=units, framework=framework, source=src, row_numbers=rows
    )
    report.notes[:0] = notes
    report.data.attrs["provenance"] = raw.attrs.get("provenance", {})
    return report


def load_observations(
    path: str | Path | None = None, *, validate: bool = True, units=None, framework=None
) -> pd.DataFrame:
    """Load observations (tidy CSV/Parquet, or a filled data-entry workbook) into the contract.

    Args:
        path: file to read (default: the synthetic demo panel ``data/demo/observations.csv``).
        validate: raise on the problems :func:`validate_file` finds (``False``: return the
            cleaned rows anyway).
        units, framework: passed to the validator (defaults: Đại Lộc units, commune framework).

    Returns:
        DataFrame with columns ``unit_code, period, indicator, value, status, source``.

    Raises:
        DataValidationError: listing every problem with file, row, column, value and the fix.
    """
    path = Path(path) if path is not None else config.DEMO_OBSERVATIONS
    report = validate_file(path, units=units, framework=framework)
    if validate and not report.ok:
        raise DataValidationError(report.problems, source=str(path))
    return report.data


def save_observations(df: pd.DataFrame, path: str | Path) -> Path:
    """Save observations in contract column order, sorted, atomically."""
    cols = OBS_COLUMNS + [c for c in df.columns if c not in OBS_COLUMNS]
    df = (
        df[cols]
        .sort_values(["unit_code", "period", "indicator"], kind="stable")
        .reset_index(drop=True)
    )
    return save_table(df, path)


# --------------------------------------------------------------------------- one analysis
def load_inputs(
    observations_path: str = "",
    units_path: str = "",
    framework_path: str = "",
    *,
    province: str = "",
) -> Inputs:
    """Load and validate observations, units and framework (empty path = project default).

    ``observations_path`` may also be a real published source (a folder or file of the UN
    E-Government Survey, EU DESI or the provincial DTI, recognised by
    :func:`analysis.sources.detect_source`); its own loader then gives the units, and the
    framework defaults to the source's (``egdi.yaml``, ``desi2022.yaml``, ``dti_pillars.yaml``).

    Relative paths are resolved against the project root, so a notebook works the same from
    JupyterLab (cwd ``notebooks/``) and from the runner.

    ``province`` (a name such as ``"Thành phố Đà Nẵng"`` or a 2-digit code) keeps the units of
    one province of a national units table (:func:`analysis.units.select_province`) and their
    observations; the data are read (or a synthetic panel generated) for the whole table first,
    so a province's numbers are those of the national panel.
    """
    obs_path = resolve_path(observations_path, config.DEMO_OBSERVATIONS)
    h = hashlib.sha256()
    source = detect_source(obs_path)
    if source is not None:
        fw_arg = resolve_path(framework_path, config.COMMUNE_FRAMEWORK) if framework_path else None
        real, framework = load_real_inputs(obs_path, fw_arg)
        units = real.units
        report = validate_observations(
            real.observations, units=units, framework=framework, source=str(obs_path)
        )
        report.raise_if_invalid()
        obs = report.data
        if str(province).strip():
            raise ParameterError(
                f"province={province!r}: the {source} source has no provinces; leave it empty"
            )
        files = sorted(obs_path.rglob("*.csv")) if obs_path.is_dir() else [obs_path]
        paths = {"observations": obs_path, "framework": framework.path or obs_path}
        provenance = [
            source_record(obs_path, source, "observations"),
            _units_record(source, obs_path),
        ]
    else:
        paths = {
            "observations": obs_path,
            "units": resolve_path(units_path, config.UNITS_CSV),
            "framework": resolve_path(framework_path, config.COMMUNE_FRAMEWORK),
        }
        units = load_units(paths["units"], validate=False)
        framework = load_framework(paths["framework"])
        obs = load_observations(paths["observations"], units=units, framework=framework)
        if str(province).strip():
            units = select_province(units, province)
            obs = obs[obs["unit_code"].isin(set(units["unit_code"]))].reset_index(drop=True)
        files = list(paths.values())
        fields = obs.attrs.pop("provenance", None)  # producer/date typed in the template
        provenance = [
            dataset_record(paths["observations"], "observations", fields=fields),
            dataset_record(paths["units"], "units"),
        ]
    if framework.path is not None:
        provenance.append(dataset_record(framework.path, "framework"))
    for p in files:
        h.update(Path(p).read_bytes())
    if framework.path is not None:
        h.update(Path(framework.path).read_bytes())
    h.update(json.dumps(provenance, sort_keys=True).encode())  # a corrected citation reruns
    if str(province).strip():
        h.update(f"province={str(province).strip()}".encode())
    return Inputs(
        obs,
        units,
        framework,
        table_status(obs),
        {k: str(v) for k, v in paths.items()},
        h.hexdigest()[:16],
        provenance,
    )


def _units_record(source: str, obs_path: Path) -> dict:
    """Where the units of a real source come from: its member table, else its own file."""
    table = SOURCES[source].units_table
    if table is None:
        return source_record(obs_path, source, "units")
    return dataset_record(MEMBER_TABLES / table, "units")


def check_analysable(inputs: Inputs) -> None:
    """Raise a clear message when valid inputs cannot support the analysis of the notebooks.

    The pillar, gap and robustness computation follows units over periods (trends,
    convergence): it needs at least two periods. One unit with one period (or any single
    period) validates, but says so here instead of failing deep inside a method.

    Raises:
        InsufficientDataError: fewer than two periods with values.
    """
    obs = inputs.observations.dropna(subset=["value"])
    periods = sorted(obs["period"].unique())
    if len(periods) >= 2:
        return
    n_units = obs["unit_code"].nunique()
    held = f"a single period ({periods[0]})" if periods else "no value at all"
    raise InsufficientDataError(
        Problem(
            inputs.paths.get("observations", "observations"),
            None,
            "period",
            periods[0] if periods else None,
            f"the data hold {n_units} unit(s) and {held}: the scores, gaps and robustness "
            "follow units over periods (trends, convergence) and need at least two periods",
            "add the observations of another period, or run only the data-quality notebook "
            "(--only 00_data_quality)",
        ),
        source=inputs.paths.get("observations"),
    )


def has_successors(inputs: Inputs) -> bool:
    """True if the units carry a post-2025 successor (the merger analysis applies)."""
    return "successor_code" in inputs.units.columns and inputs.units["successor_code"].notna().all()


def merge_inputs(inputs: Inputs, crosswalk: str = "dai_loc") -> Inputs:
    """Inputs re-aggregated onto the post-2025 communes (rates weighted by population/households)."""
    if not has_successors(inputs):
        raise ParameterError(
            "the units table has no 'successor_code' column: the merger analysis (50_mergers) needs each "
            "pre-2025 unit's post-2025 commune; add the column or leave 50_mergers out of the edition (--only)"
        )
    cw = load_crosswalk(crosswalk)
    obs = reaggregate_observations(inputs.observations, cw, inputs.units, inputs.framework)
    extra = obs[["unit_code", "period", "indicator", "coverage_share", "is_partial"]]
    units_new = load_units_2025()
    digest = hashlib.sha256((inputs.digest + "|merged|" + crosswalk).encode()).hexdigest()[:16]
    # the former units stay: their 2019 census figures weight the re-aggregation
    provenance = [
        *inputs.provenance,
        dataset_record(UNITS_2025_CSV, "units_2025"),
        crosswalk_record(crosswalk),
    ]
    merged = Inputs(
        # optional columns (se) ride along so measurement intervals reach the new communes
        obs[OBS_COLUMNS + [c for c in OPTIONAL_OBS_COLUMNS if c in obs.columns]].reset_index(
            drop=True
        ),
        units_new,
        inputs.framework,
        table_status(obs),
        dict(inputs.paths, crosswalk=crosswalk),
        digest,
        provenance,
    )
    merged.observations.attrs["coverage"] = extra
    return merged


def constituents(inputs: Inputs, crosswalk: str = "dai_loc") -> pd.DataFrame:
    """Each post-2025 commune with its constituents and their population/household weights."""
    return constituents_table(load_crosswalk(crosswalk), inputs.units)
