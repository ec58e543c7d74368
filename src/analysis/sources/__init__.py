"""Real, published data in the tidy contracts, one module per source, and the registry of sources.

Sources: :mod:`~analysis.sources.egdi` (UN E-Government Survey), :mod:`~analysis.sources.desi`
(EU Digital Economy and Society Index, 2022 method), :mod:`~analysis.sources.dti` (Viet Nam's
provincial DTI; also the district DTI and the national targets). Each module has one loader that
returns a :class:`RealData` with

* ``observations`` in the observations contract (``unit_code, period, indicator, value, status,
  source``; ``status`` is ``observed``, or ``estimated`` for a DTI figure derived by arithmetic
  from published text); missing components are absent rows, never zeros;
* ``units``: one row per unit in the units contract (``unit_code`` always a string; columns a
  source does not give, e.g. population of a country, are NaN), then source extras (``name_en``,
  ``region``, ``is_asean``, ``iso3``); ``name_vi`` falls back to ``name_en``;
* ``published``: the published aggregate(s) for checks (``unit_code, period, name, value, rank``
  plus source columns), e.g. the EGDI a preset must reproduce;
* ``notes``: plain statements of what is missing or was set aside, for the edition to print.

``obs, units, published = load_egdi()`` also works (``notes`` is left out of the unpacking).
``RealData.framework`` names the matching framework (``data/frameworks/<name>.yaml``, also a
composite preset: ``egdi``, ``desi2022``, ``dti_provincial``).

The registry (:data:`SOURCES`) lists each module's :class:`Source`: its name, loader, the file
names that identify it and its default framework. For notebooks and editions,
:func:`detect_source` tells a source folder/file by its file names and :func:`load_real_inputs`
returns ``(RealData, Framework)`` with observations restricted to the framework (the DTI default is
``dti_pillars``: the published pillar values CQS/KTS/XHS).
"""

from __future__ import annotations

from pathlib import Path

from .. import config
from ..errors import ParameterError
from ..frameworks import Framework, load_framework
from . import desi, dti, egdi
from ._common import RealData, Source
from .desi import DESI_DIMENSIONS, DESI_PILLARS, load_desi
from .dti import (
    DTI_MAIN_INDICES,
    DTI_POINTS,
    load_dti,
    load_dti_districts,
    load_dti_pillars,
    load_targets,
)
from .egdi import EGDI_COMPONENTS, EGDI_PILLARS, EGDI_WEIGHTS, egdi_weights, load_egdi

__all__ = [
    "DESI_DIMENSIONS",
    "DESI_PILLARS",
    "DTI_MAIN_INDICES",
    "DTI_POINTS",
    "EGDI_COMPONENTS",
    "EGDI_PILLARS",
    "EGDI_WEIGHTS",
    "SOURCES",
    "RealData",
    "Source",
    "detect_source",
    "egdi_weights",
    "load_desi",
    "load_dti",
    "load_dti_districts",
    "load_dti_pillars",
    "load_egdi",
    "load_real_data",
    "load_real_inputs",
    "load_targets",
]

#: The real data sources by name, in the order :func:`detect_source` tries them.
SOURCES: dict[str, Source] = {s.name: s for s in (egdi.SOURCE, desi.SOURCE, dti.SOURCE)}


def load_real_data(source: str, path_or_dir: str | Path | None = None, **kwargs) -> RealData:
    """Load one real data source by name, for notebooks and editions that take it as a parameter.

    Args:
        source: a name in :data:`SOURCES`: ``egdi`` (:func:`load_egdi`), ``desi``
            (:func:`load_desi`) or ``dti`` (:func:`load_dti`).
        path_or_dir: file or folder (default: the loader's default).
        **kwargs: passed to the loader (``years``, ``include_aggregate``, ``scope``...).

    Raises:
        ParameterError: unknown source.
    """
    if source not in SOURCES:
        raise ParameterError(f"source={source!r}: use one of {sorted(SOURCES)}")
    return SOURCES[source].load(path_or_dir, **kwargs)


def detect_source(path: str | Path) -> str | None:
    """Which real source a file or folder holds: a name in :data:`SOURCES`, or None.

    Recognised by name: ``egdi*.csv`` / ``EGOV*.csv`` (UN E-Government Survey),
    ``desi_dimension_scores*.csv`` / ``DESI.csv`` (EU DESI), ``dti_provincial*.csv`` (provincial
    DTI); a folder by the files it holds. Anything else (e.g. a tidy observations file) is None.

    >>> detect_source("x/EGOV_DATA_2024.csv"), detect_source("DESI.csv"), detect_source("obs.csv")
    ('egdi', 'desi', None)
    """
    p = Path(path)
    names = [q.name for q in p.iterdir()] if p.is_dir() else [p.name]
    for name in names:
        for source in SOURCES.values():
            if source.matches(name):
                return source.name
    return None


def load_real_inputs(path: str | Path, framework=None, **kwargs) -> tuple[RealData, Framework]:
    """Real data for the notebooks: a source folder/file -> (RealData, Framework).

    The source is found by :func:`detect_source`; the framework is ``framework`` (a
    :class:`~analysis.frameworks.Framework`, a YAML path, or empty/None for the source's own:
    ``egdi.yaml``, ``desi2022.yaml``, ``dti_pillars.yaml`` for the DTI, whose published pillar
    values are what the gap notebooks compare). Observations are restricted to the framework's
    indicators, so they pass :func:`analysis.schema.validate_observations` with ``units``.

    Raises:
        ParameterError: the path is not a known real source.
    """
    name = detect_source(path)
    if name is None:
        files = "; ".join(f"{s.name}: {s.files}" for s in SOURCES.values())
        raise ParameterError(f"{path}: not a known real-data source (file names: {files})")
    data = load_real_data(name, path, **kwargs)
    if framework is None or str(framework) == "":
        fw = load_framework(config.FRAMEWORKS / f"{SOURCES[name].framework}.yaml")
    else:
        fw = framework if isinstance(framework, Framework) else load_framework(framework)
    obs = data.observations[data.observations["indicator"].isin(fw.indicator_ids)].reset_index(
        drop=True
    )
    units = data.units[data.units["unit_code"].isin(set(obs["unit_code"]))].reset_index(drop=True)
    return RealData(obs, units, data.published, data.notes, framework=fw.id), fw
