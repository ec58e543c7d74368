"""Paths and defaults. No side effects on import (nothing is created or read here).

Where the project's files are (:data:`ROOT`):

* **a clone** (the package in ``<clone>/src/analysis``, installed editable or not at all): the
  repository's own folders ``data/``, ``notebooks/`` and ``reports/templates/`` are the source of
  truth, and outputs go to ``<clone>/reports/<edition>``;
* **an installed wheel** (``pip install .`` or a wheel, non-editable): the same folders were
  copied into the package at build time (``setup.py``, see ``docs/architecture.md``) and are
  found with :mod:`importlib.resources` as ``analysis/_resources/``; outputs go to
  ``./reports/<edition>`` of the folder dgap runs in (or ``--output``);
* ``DGAP_ROOT`` names a folder with that layout explicitly (wins over both).

Relative paths in an edition file resolve against :data:`ROOT` in every case, so
``data/raw/egdi`` means the shipped copy whether it lives in a clone or in site-packages.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

#: The folder the build copies the project's data, notebooks and templates into (installed wheel).
RESOURCES_PACKAGE_DIR = "_resources"


def _installed_resources() -> Path | None:
    """``analysis/_resources`` of an installed wheel, or None (a clone: no such folder)."""
    res = files(__package__ or "analysis") / RESOURCES_PACKAGE_DIR
    return Path(str(res)) if res.is_dir() else None


_ENV_ROOT = os.environ.get("DGAP_ROOT")
_RESOURCES = None if _ENV_ROOT else _installed_resources()
#: True when the files come from a source tree (a clone or ``DGAP_ROOT``), False for an
#: installed wheel (then there is no git revision to record, and outputs go to the current folder).
IS_CLONE = _RESOURCES is None
#: Folder holding ``data/``, ``notebooks/`` and ``reports/templates/``: the clone (the folder
#: with ``pyproject.toml``), ``DGAP_ROOT``, or the installed package's ``_resources``.
ROOT = Path(_ENV_ROOT) if _ENV_ROOT else (_RESOURCES or Path(__file__).resolve().parents[2])
DATA = ROOT / "data"
RAW = DATA / "raw"
DEMO = DATA / "demo"
FRAMEWORKS = DATA / "frameworks"
NOTEBOOKS = ROOT / "notebooks"
PARAMS = NOTEBOOKS / "params"
TEMPLATES = ROOT / "reports" / "templates"
#: Where editions write by default: ``<clone>/reports``, or ``reports`` of the current folder
#: (relative: resolved when used) outside a clone.
REPORTS = ROOT / "reports" if IS_CLONE else Path("reports")
#: Real public datasets used by tests and benchmarks only (ASEM, the national crosswalk; not
#: shipped). The EGDI and DESI files the editions read ship in ``data/raw/``.
SHARED_DATASETS = Path(os.environ.get("DGAP_SHARED", ROOT.parent / "shared" / "datasets"))

UNITS_CSV = RAW / "units" / "dai_loc_units.csv"
CROSSWALK_CSV = RAW / "units" / "dai_loc_crosswalk_2025.csv"
COMMUNE_FRAMEWORK = FRAMEWORKS / "commune.yaml"
DEMO_OBSERVATIONS = DEMO / "observations.csv"

#: Pillar ids in display order; the gap is government minus the others.
PILLARS = ("government", "economy", "society")
GOV, ECON, SOC = PILLARS

#: Data status values, from most to least trustworthy. A result takes the worst status of its inputs.
STATUSES = ("observed", "estimated", "imputed", "synthetic")

DEFAULT_SEED = 20250701
DEFAULT_CI_LEVEL = 0.90
DEFAULT_BOOTSTRAP = 2000


def edition_dir(edition: str) -> Path:
    """Output folder of one edition: ``reports/<edition>`` (see :data:`REPORTS`)."""
    return REPORTS / edition
