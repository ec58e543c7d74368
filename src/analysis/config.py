"""Paths and defaults. No side effects on import (nothing is created or read here)."""

from __future__ import annotations

import os
from pathlib import Path

#: Project root: the folder holding ``pyproject.toml``; override with ``DGAP_ROOT``.
ROOT = Path(os.environ.get("DGAP_ROOT", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
RAW = DATA / "raw"
DEMO = DATA / "demo"
FRAMEWORKS = DATA / "frameworks"
NOTEBOOKS = ROOT / "notebooks"
PARAMS = NOTEBOOKS / "params"
REPORTS = ROOT / "reports"
TEMPLATES = REPORTS / "templates"
#: Real public datasets used by tests and benchmarks (not shipped; see README).
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
    """Output folder of one edition: ``reports/<edition>``."""
    return REPORTS / edition
