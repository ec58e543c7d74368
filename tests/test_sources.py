"""analysis.sources: the registry of real data sources, what they share, the editions that use them.

One module per source has its own tests (test_sources_egdi.py, test_sources_desi.py,
test_sources_dti.py); here: detection, dispatch, the framework each source defaults to, the member
tables shipped with the package, and the real-data editions.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from analysis import config, sources
from analysis.errors import DataValidationError, ParameterError
from analysis.sources import SOURCES, detect_source, load_real_data, load_real_inputs
from analysis.sources._common import DATA_DIR, read_member_table


def test_registry_names_each_source_with_its_loader_and_framework():
    assert {n: s.load for n, s in SOURCES.items() if n in ("egdi", "desi", "dti")} == {
        "egdi": sources.load_egdi,
        "desi": sources.load_desi,
        "dti": sources.load_dti,
    }
    for name, s in SOURCES.items():
        assert s.name == name and s.files and s.load.__name__ == f"load_{name}"
        # the framework a source defaults to exists beside the others
        assert (config.FRAMEWORKS / f"{s.framework}.yaml").is_file(), name


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("egdi-2010.csv", "egdi"),
        ("EGOV_DATA_2024.csv", "egdi"),
        ("egdi_osi_tii_hci_2010_2024.csv", "egdi"),
        ("DESI.csv", "desi"),
        ("desi_dimension_scores_2017_2022.csv", "desi"),
        ("dti_provincial.csv", "dti"),
        ("observations.csv", None),
        ("desi_other.csv", None),
        ("egdi.xlsx", None),
    ],
)
def test_detect_source_by_file_name(name, source):
    assert detect_source(name) == source


def test_detect_source_of_a_folder_by_the_files_it_holds(tmp_path):
    assert detect_source(tmp_path) is None
    (tmp_path / "readme.txt").write_text("x", encoding="utf-8")
    (tmp_path / "DESI.csv").write_text("x", encoding="utf-8")
    assert detect_source(tmp_path) == "desi"
    assert detect_source(config.RAW / "dti") == "dti"


def test_load_real_data_dispatches_and_rejects_unknown_sources(tmp_path):
    data = load_real_data("dti", config.RAW / "dti", scope="national")
    assert set(data.observations["unit_code"]) == {"VN"}
    with pytest.raises(ParameterError, match=r"source='oecd'.*\['desi', 'dti', 'egdi'\]"):
        load_real_data("oecd")
    with pytest.raises(ParameterError, match=r"not a known real-data source .*dti: dti_provincial"):
        load_real_inputs(tmp_path)


def test_load_real_inputs_defaults_to_the_source_framework_and_keeps_its_indicators():
    data, fw = load_real_inputs(config.RAW / "dti")
    assert fw.id == "dti_pillars" == data.framework
    assert set(data.observations["indicator"]) == {"cqs", "kts", "xhs"}
    assert set(data.units["unit_code"]) == set(data.observations["unit_code"])
    data, fw = load_real_inputs(config.RAW / "dti", config.FRAMEWORKS / "dti_provincial.yaml")
    assert fw.id == "dti_provincial" and "cqs" not in set(data.observations["indicator"])


def test_real_data_unpacks_and_paths_are_parameters(tmp_path):
    data = sources.load_dti(config.RAW / "dti")
    obs, units, pub = data
    assert obs is data.observations and units is data.units and pub is data.published
    with pytest.raises(DataValidationError, match="file not found"):
        sources.load_dti(tmp_path)
    with pytest.raises(DataValidationError, match="no egdi"):
        sources.load_egdi(tmp_path)


# --------------------------------------------------------------------------- member tables
def test_member_tables_are_shipped_cited_and_consistent():
    cited = (DATA_DIR / "SOURCE.md").read_text(encoding="utf-8")
    for path in sorted(DATA_DIR.glob("*.csv")):
        assert f"`{path.name}`" in cited, f"{path.name} has no SOURCE.md entry"
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name
    un = read_member_table("un_members.csv")
    assert len(un) == 193 and un["iso3"].is_unique and un["iso3"].str.fullmatch("[A-Z]{3}").all()
    assert set(un["region"]) == {"Africa", "America", "Asia", "Europe", "Oceania"}
    asean = read_member_table("asean_members.csv")
    assert len(asean) == 10 and set(asean["iso3"]) <= set(un["iso3"])
    assert dict(zip(asean["iso3"], asean["name_vi"], strict=True))["VNM"] == "Việt Nam"
    eu = read_member_table("eu_members.csv")
    assert len(eu) == 28 and set(eu.loc[eu["code"] != "EU", "iso3"]) <= set(un["iso3"])
    assert eu.set_index("code").loc["EL", "iso3"] == "GRC"


def test_member_tables_are_declared_package_data():
    text = (config.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"sources/data/*.csv"' in text and '"sources/data/SOURCE.md"' in text


def test_the_methods_layer_does_not_load_the_data_sources():
    code = (
        "import sys\n"
        "from analysis.composite import get_preset, list_presets\n"
        "p = get_preset('egdi')\n"
        "assert not [m for m in sys.modules if m.startswith('analysis.sources')]\n"
        "print(p.framework.pillar_ids, 'dti_pillars' in list_presets())\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "['government', 'society'] True"


# --------------------------------------------------------------------------- editions
@pytest.mark.parametrize(
    "edition, source, n_tasks",
    [("egdi", "egdi", 15), ("desi", "desi", 31), ("dti_quangnam", "dti", 5)],
)
def test_real_data_editions_plan_and_point_at_real_sources(edition, source, n_tasks):
    from analysis.runner.edition import load_edition, plan_edition

    ed = load_edition(edition)
    obs_path = ed.datasets["observations_path"]
    if not obs_path.exists():
        pytest.skip(f"{obs_path} absent")
    assert detect_source(obs_path) == source
    data, fw = load_real_inputs(obs_path, ed.datasets["framework_path"])
    assert fw.id == data.framework and set(data.observations["indicator"]) <= set(fw.indicator_ids)
    assert set(data.observations["status"]) <= {
        "observed",
        "estimated",
    }  # real data: no synthetic banner
    tasks = plan_edition(ed)
    assert len(tasks) == n_tasks
    codes = {t.parameters["unit_code"] for t in tasks if "unit_code" in t.parameters}
    assert codes <= set(data.units["unit_code"])
