"""The package finds its data from a clone and from an installed wheel.

A clone uses its own ``data/``, ``notebooks/`` and ``reports/templates/``; a wheel carries copies
of them in ``analysis/_resources/`` (``setup.py``), found through :mod:`importlib.resources`. The
slow test builds the wheel, installs it in a fresh venv outside the repository and runs the smoke
edition there.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from analysis import config

ROOT = Path(__file__).resolve().parents[1]


def _setup_module():
    spec = importlib.util.spec_from_file_location("dgap_setup", ROOT / "setup.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # the module only calls setup() when run as __main__
    return mod


def _manifest_patterns() -> list[str]:
    out = []
    for line in (ROOT / "MANIFEST.in").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "include":
            out += parts[1:]
    return out


def test_a_clone_uses_its_own_folders():
    assert config.IS_CLONE
    assert (config.ROOT / "pyproject.toml").is_file()
    assert config.FRAMEWORKS == ROOT / "data" / "frameworks"
    assert config.TEMPLATES == ROOT / "reports" / "templates"
    assert config.edition_dir("x") == ROOT / "reports" / "x"


def test_the_wheel_resources_cover_what_the_package_reads():
    files = {p.as_posix() for p in _setup_module().resource_files(ROOT)}
    # every edition and notebook, every framework, the demo panel, every raw source with SOURCE.md
    assert {f"notebooks/params/{p.name}" for p in config.PARAMS.glob("*.yaml")} <= files
    assert {f"notebooks/{p.name}" for p in config.NOTEBOOKS.glob("*.ipynb")} <= files
    assert {f"data/frameworks/{p.name}" for p in config.FRAMEWORKS.glob("*.yaml")} <= files
    assert {f"reports/templates/{p.name}" for p in config.TEMPLATES.glob("*.typ")} <= files
    assert "data/demo/observations.csv" in files
    for source in (p for p in config.RAW.iterdir() if p.is_dir()):
        assert f"data/raw/{source.name}/SOURCE.md" in files
        data = {f"data/raw/{source.name}/{p.name}" for p in source.glob("*.csv")}
        assert data and data <= files
    # build scripts of the raw data are for maintainers, not part of the package
    assert not [f for f in files if f.endswith(".py")]


def test_the_sdist_manifest_lists_the_same_resources():
    """Building from an sdist needs the same files in it: MANIFEST.in mirrors setup.RESOURCES."""
    mod = _setup_module()
    expected = sorted(
        f"{folder}/{pattern}" for folder, patterns in mod.RESOURCES for pattern in patterns
    )
    assert sorted(_manifest_patterns()) == expected


def test_no_shipped_data_file_is_over_2_mb():
    big = [p for p in _setup_module().resource_files(ROOT) if (ROOT / p).stat().st_size > 2 * 2**20]
    assert big == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("analysis-*.whl")
    return whl


@pytest.mark.slow
def test_the_wheel_holds_the_resources_and_the_kernel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in _setup_module().resource_files(ROOT):
        assert f"analysis/_resources/{rel.as_posix()}" in names
    assert any(n.endswith(".data/data/share/jupyter/kernels/dgap/kernel.json") for n in names)


@pytest.mark.slow
def test_installed_wheel_runs_the_smoke_edition_outside_the_clone(wheel, tmp_path):
    """`pip install` of the wheel into a fresh venv outside the repository, then `dgap --version`
    and `dgap report --edition smoke --output X` from another folder: every notebook runs, the
    briefs are rendered, outputs go where asked and nothing is written into the package."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # dependencies come from the pip cache / the configured index, as for any user
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True
    )
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DGAP_", "PYTHON"))}
    dgap = venv / "bin" / "dgap"
    version = subprocess.run(
        [str(dgap), "--version"], cwd=work, env=env, capture_output=True, text=True, check=True
    )
    assert re.fullmatch(r"dgap \d+\.\d+\.\d+\S*\n", version.stdout)

    out = tmp_path / "X"
    run = subprocess.run(
        [str(dgap), "report", "--edition", "smoke", "--output", str(out)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["status"] == "ok"
    assert {t["status"] for t in manifest["tasks"].values()} == {"ok"}
    assert manifest["git"]["revision"] is None  # no clone: no revision to claim
    briefs = {p.name for p in (out / "briefs").glob("*.pdf")}
    assert {"20527_vi.pdf", "20527_en.pdf", "district_vi.pdf", "district_en.pdf"} <= briefs
    assert manifest["data_hashes"]["observations_path"]["path"].endswith(
        "analysis/_resources/data/demo/observations.csv"
    )
    site = subprocess.run(
        [str(py), "-c", "import analysis, pathlib; print(pathlib.Path(analysis.__file__).parent)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert not (Path(site) / "_resources" / "reports" / "smoke").exists()
    assert list(work.iterdir()) == []  # --output given: nothing in the current folder

    # without --output: ./reports/<edition> of the folder dgap runs in
    again = subprocess.run(
        [str(dgap), "report", "--edition", "smoke", "--only", "00_data_quality"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert (work / "reports" / "smoke" / "notebooks" / "00_data_quality.ipynb").is_file()
    assert not (Path(site) / "_resources" / "reports" / "smoke").exists()
