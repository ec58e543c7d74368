"""The tools agree with each other: one ruff version for pre-commit and `make lint`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return dict(re.fullmatch(r"([\w-]+)==([\w.]+)", d).groups() for d in dev["dev"] if "==" in d)


def test_pre_commit_uses_the_pinned_tool_versions():
    pins = _pins()
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
    revs = {Path(r["repo"]).name: r["rev"].lstrip("v") for r in hooks}
    assert revs["ruff-pre-commit"] == pins["ruff"]
    assert revs["nbstripout"] == pins["nbstripout"]


def test_licence_is_an_spdx_string():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
