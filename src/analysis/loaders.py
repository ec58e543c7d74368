"""Validated inputs of one analysis: observations, units and framework, with their digest.

:func:`load_inputs` is the one entry point the notebooks use: it reads the project's files, a
user's file, or a real published source (EGDI, DESI, provincial DTI), validates them and returns
:class:`Inputs`. :func:`merge_inputs` re-aggregates them onto the post-2025 communes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config
from .frameworks import Framework, load_framework
from .io import OBS_COLUMNS, load_observations, load_units
from .status import table_status


@dataclass
class Inputs:
    """Validated inputs of one analysis."""

    observations: pd.DataFrame
    units: pd.DataFrame
    framework: Framework
    status: str
    paths: dict[str, str]
    digest: str

    @property
    def is_synthetic(self) -> bool:
        return self.status == "synthetic"


def resolve_path(path: str | Path | None, default: Path) -> Path:
    if path is None or str(path) == "":
        return default
    p = Path(path)
    return p if p.is_absolute() else (config.ROOT / p)


def load_inputs(
    observations_path: str = "", units_path: str = "", framework_path: str = ""
) -> Inputs:
    """Load and validate observations, units and framework (empty path = project default).

    ``observations_path`` may also be a real published source (a folder or file of the UN
    E-Government Survey, EU DESI or the provincial DTI, recognised by
    :func:`analysis.realdata.detect_source`); its own loader then gives the units, and the
    framework defaults to the source's (``egdi.yaml``, ``desi2022.yaml``, ``dti_pillars.yaml``).

    Relative paths are resolved against the project root, so a notebook works the same from
    JupyterLab (cwd ``notebooks/``) and from the runner.
    """
    from .realdata import detect_source, load_real_inputs
    from .schema import validate_observations

    obs_path = resolve_path(observations_path, config.DEMO_OBSERVATIONS)
    h = hashlib.sha256()
    if detect_source(obs_path) is not None:
        fw_arg = resolve_path(framework_path, config.COMMUNE_FRAMEWORK) if framework_path else None
        real, framework = load_real_inputs(obs_path, fw_arg)
        units = real.units
        report = validate_observations(
            real.observations, units=units, framework=framework, source=str(obs_path)
        )
        report.raise_if_invalid()
        obs = report.data
        files = sorted(obs_path.rglob("*.csv")) if obs_path.is_dir() else [obs_path]
        paths = {"observations": obs_path, "framework": framework.path or obs_path}
    else:
        paths = {
            "observations": obs_path,
            "units": resolve_path(units_path, config.UNITS_CSV),
            "framework": resolve_path(framework_path, config.COMMUNE_FRAMEWORK),
        }
        units = load_units(paths["units"])
        framework = load_framework(paths["framework"])
        obs = load_observations(paths["observations"], units=units, framework=framework)
        files = list(paths.values())
    for p in files:
        h.update(Path(p).read_bytes())
    if framework.path is not None:
        h.update(Path(framework.path).read_bytes())
    return Inputs(
        obs,
        units,
        framework,
        table_status(obs),
        {k: str(v) for k, v in paths.items()},
        h.hexdigest()[:16],
    )


def has_successors(inputs: Inputs) -> bool:
    """True if the units carry a post-2025 successor (the merger analysis applies)."""
    return "successor_code" in inputs.units.columns and inputs.units["successor_code"].notna().all()


def merge_inputs(inputs: Inputs, crosswalk: str = "dai_loc") -> Inputs:
    """Inputs re-aggregated onto the post-2025 communes (rates weighted by population/households)."""
    from .errors import ParameterError
    from .units import load_crosswalk, load_units_2025, reaggregate_observations

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
    merged = Inputs(
        obs[OBS_COLUMNS].reset_index(drop=True),
        units_new,
        inputs.framework,
        table_status(obs),
        dict(inputs.paths, crosswalk=crosswalk),
        digest,
    )
    merged.observations.attrs["coverage"] = extra
    return merged


def constituents(inputs: Inputs, crosswalk: str = "dai_loc") -> pd.DataFrame:
    """Each post-2025 commune with its constituents and their population/household weights."""
    from .units import constituents_table, load_crosswalk

    return constituents_table(load_crosswalk(crosswalk), inputs.units)
