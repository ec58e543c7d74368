"""Working in JupyterLab: every notebook asks for the ``dgap`` kernel, conda users get the same
environment as ``make setup`` (environment.yml against pyproject.toml), and ``make lab`` /
``make kernel`` run in an activated conda environment."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from analysis import config

ROOT = Path(__file__).resolve().parents[1]

#: pyproject name -> conda-forge name, where they differ (documented in environment.yml)
CONDA_NAMES = {
    "matplotlib": "matplotlib-base",
    "seaborn": "seaborn-base",
    "nbconvert": "nbconvert-core",
    "dask": "dask-core",
}
#: an extra of a pyproject requirement that is a package of its own on conda-forge
CONDA_EXTRAS = {("dask", "distributed"): "distributed"}


# ------------------------------------------------------------------ notebooks
def _committed_notebooks() -> list[Path]:
    return sorted(config.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", _committed_notebooks(), ids=lambda p: p.stem)
def test_every_notebook_uses_the_dgap_kernel_and_stays_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"] == {
        "display_name": "Python (dgap)",
        "language": "python",
        "name": "dgap",
    }
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert not re.search(r"^\s*(def|class) ", source, re.M), path.name
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


# ------------------------------------------------------------------ environment.yml
def _pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    lines = project["dependencies"] + extras["test"] + extras["dev"] + extras["dask"]
    return [Requirement(line) for line in lines]


def _conda_spec(entry: str) -> tuple[str, str]:
    """``numpy>=1.26`` -> (numpy, >=1.26); conda's ``ruff=0.17.6`` -> (ruff, ==0.17.6)."""
    name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry.strip()).groups()
    if re.fullmatch(r"=[^=].*", spec):
        spec = "=" + spec
    return name.lower(), spec


def _environment() -> tuple[dict[str, str], dict[str, str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["name"] == "dgap" and env["channels"] == ["conda-forge"]
    conda = dict(_conda_spec(d) for d in env["dependencies"] if isinstance(d, str))
    (pip,) = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    editable = [p for p in pip if p.startswith("-e")]
    pypi = {(r := Requirement(p)).name.lower(): str(r.specifier) for p in pip if p not in editable}
    return conda, pypi, editable


def test_environment_yml_lists_every_dependency_of_pyproject():
    conda, pypi, editable = _environment()
    assert conda.pop("python") == "==3.11" and "pip" in conda
    conda.pop("pip")
    expected = set()
    for req in _pyproject_requirements():
        spec = str(req.specifier)
        name = req.name.lower()
        if name in pypi:  # what conda-forge lacks comes from PyPI, same bounds
            assert pypi[name] == spec, req
            expected.add(name)
            continue
        conda_name = CONDA_NAMES.get(name, name)
        assert conda_name in conda, f"{req} is missing from environment.yml (as {conda_name})"
        assert conda[conda_name] == spec, (req, conda[conda_name])
        expected.add(conda_name)
        for extra in req.extras:
            expected.add(CONDA_EXTRAS[(name, extra)])
            assert conda[CONDA_EXTRAS[(name, extra)]] == spec, req
    # nothing else (the extras' packages aside), and PyPI only for the three conda-forge lacks
    assert set(conda) | set(pypi) == expected
    assert set(pypi) == {"typst", "fontpkg-be-vietnam-pro", "vietnamadminunits"}
    assert editable == ['-e ".[test,dev,dask]"']  # the package itself, as `make setup` has it


# ------------------------------------------------------------------ Makefile
def _make_n(target: str, **env: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    cmd = [
        "make",
        "--no-print-directory",
        "-n",
        "-B",
        "-C",
        str(ROOT),
        target,
        *(f"{k}={v}" for k, v in env.items()),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def test_make_lab_runs_in_the_active_conda_environment():
    prefix = "/opt/conda/envs/dgap"
    lab = _make_n("lab", CONDA_DEFAULT_ENV="dgap", CONDA_PREFIX=prefix)
    assert "-m venv" not in lab and ".venv" not in lab
    assert f"{prefix}/bin/python -m ipykernel install --sys-prefix --name dgap" in lab
    assert lab.strip().endswith(f"{prefix}/bin/jupyter lab --notebook-dir=.")
    kernel = _make_n("kernel", CONDA_DEFAULT_ENV="dgap", CONDA_PREFIX=prefix)
    assert kernel.strip().splitlines()[-1].startswith(f"{prefix}/bin/python -m ipykernel install")
    other = _make_n("lab", CONDA_DEFAULT_ENV="work", CONDA_PREFIX="/x", CONDA_ENV="work")
    assert "/x/bin/jupyter lab" in other


def test_make_lab_uses_the_venv_outside_conda():
    lab = _make_n("lab", CONDA_DEFAULT_ENV="base", CONDA_PREFIX="/opt/conda")
    assert "-m venv .venv" in lab and "/opt/conda" not in lab
    assert ".venv/bin/python -m ipykernel install --sys-prefix --name dgap" in lab
    assert lab.strip().endswith(".venv/bin/jupyter lab --notebook-dir=.")
