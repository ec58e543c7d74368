"""Foundation: units table vs its sources, framework, validation rules, template round trip, demo."""

from __future__ import annotations

import csv
import unicodedata

import openpyxl
import pandas as pd
import pytest

from analysis import config
from analysis.cli import main as dgap
from analysis.demo import generate_demo, write_demo
from analysis.errors import DataValidationError, FrameworkError
from analysis.frameworks import framework_from_dict, load_framework
from analysis.i18n import parse_number
from analysis.io import load_observations, load_units
from analysis.schema import validate_file, validate_units
from analysis.template import write_template

FACTS = config.ROOT.parent / "shared" / "context" / "facts"


# --------------------------------------------------------------------------- units
def test_units_population_and_households_match_census_totals():
    units = load_units()
    assert len(units) == 18
    assert units["population"].sum() == 141_851
    assert units["households"].sum() == 41_748
    assert units["unit_code"].map(type).eq(str).all()
    assert units["unit_code"].between("20500", "20548").all()
    assert not validate_units(units)


def test_units_names_are_nfc_and_successors_follow_resolution_1659():
    units = load_units()
    for name in units["name_vi"]:
        assert unicodedata.is_normalized("NFC", name)
    groups = units.groupby("successor_code")["unit_code"].apply(set).to_dict()
    assert groups == {
        "20500": {"20500", "20521", "20524", "20547", "20548"},
        "20515": {"20512", "20515", "20518"},
        "20506": {"20503", "20506", "20509"},
        "20539": {"20536", "20539", "20545"},
        "20542": {"20527", "20530", "20533", "20542"},
    }


@pytest.mark.skipif(not FACTS.exists(), reason="shared context facts not available")
def test_units_table_equals_its_cited_sources():
    units = load_units().set_index("unit_code")
    with open(FACTS / "dai_loc_communes_2019.csv", encoding="utf-8") as fh:
        facts = {r["code"]: r for r in csv.DictReader(fh) if not r["code"].startswith("new:")}
    assert set(facts) == set(units.index)
    for code, r in facts.items():
        assert units.at[code, "population"] == int(r["population"])
        assert units.at[code, "households"] == int(r["households"])
        if r["area_km2"]:
            assert units.at[code, "area_km2"] == pytest.approx(float(r["area_km2"]))
        else:
            assert pd.isna(units.at[code, "area_km2"])
        assert units.at[code, "full_name_vi"] == unicodedata.normalize("NFC", r["name"])
    import sqlite3

    import vietnamadminunits

    db = sqlite3.connect(f"{vietnamadminunits.__path__[0]}/data/dataset.db")
    for code, lat, lon in db.execute(
        "select wardCode, wardLat, wardLon from admin_units_legacy where districtCode='506'"
    ):
        assert units.at[code, "lat"] == pytest.approx(lat, abs=1e-6)
        assert units.at[code, "lon"] == pytest.approx(lon, abs=1e-6)


# --------------------------------------------------------------------------- framework
def test_commune_framework_has_three_pillars_six_plus_indicators_and_cited_targets():
    fw = load_framework()
    assert fw.pillar_ids == ["government", "economy", "society"]
    assert fw.indicators.groupby("pillar").size().min() >= 6
    t = fw.targets()
    assert len(t) >= 8
    assert t["target_source"].str.contains("749/QĐ-TTg|411/QĐ-TTg").all()
    imeta = fw.to_imeta()
    assert set(imeta.loc[imeta["Level"] == 1, "Parent"]) == set(fw.pillar_ids)
    dti = fw.to_imeta("dti").set_index("iCode")
    assert dti.loc["government", "Weight"] == 400


def test_framework_errors_name_the_indicator_and_key():
    doc = {
        "id": "x",
        "pillars": [{"id": "government"}],
        "indicators": [
            {
                "id": "a",
                "pillar": "nope",
                "name_vi": "a",
                "name_en": "a",
                "unit": "%",
                "direction": 1,
                "kind": "rate",
                "goalposts": [0, 100],
                "weight": 1,
            }
        ],
    }
    with pytest.raises(FrameworkError, match=r"indicator #1 \(a\).*pillar 'nope'"):
        framework_from_dict(doc)
    doc["indicators"][0].update(pillar="government", target_2025=50)
    with pytest.raises(FrameworkError, match="target_source"):
        framework_from_dict(doc)


# --------------------------------------------------------------------------- validation rules
GOOD = "unit_code,period,indicator,value,status,source\n20500,2024H1,gov_online_dossier_pct,85.5,observed,test\n"


def _csv(tmp_path, text, name="obs.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("99999,2024H1,gov_online_dossier_pct,85.5,observed,t", "unit_code", "unknown unit code"),
        ("20500,2024H1,gov_nonexistent_pct,85.5,observed,t", "indicator", "unknown indicator"),
        ("20500,2024H1,gov_ontime_dossier_pct,abc,observed,t", "value", "not a number"),
        ("20500,2024H1,gov_ontime_dossier_pct,120,observed,t", "value", "percentage outside 0–100"),
        ("20500,2024H1,gov_ontime_dossier_pct,-3,observed,t", "value", "percentage outside 0–100"),
        ("20500,2024H1,econ_online_shops_per_1000hh,-2,observed,t", "value", "negative value"),
        ("20500,24-H1,gov_online_dossier_pct,85,observed,t", "period", "bad period"),
        ("20500,2024H1,gov_ontime_dossier_pct,85,guessed,t", "status", "unknown status"),
        (
            "20500,2024H1,gov_online_dossier_pct,80,observed,t",
            "unit_code/period/indicator",
            "duplicate of row 2",
        ),
    ],
)
def test_each_validation_rule_fails_with_file_row_column_and_fix(tmp_path, line, column, message):
    p = _csv(tmp_path, GOOD + line + "\n")
    report = validate_file(p)
    assert not report.ok
    [problem] = report.problems
    assert problem.row == 3 and problem.column == column and message in problem.message
    text = str(problem)
    assert str(p) in text and ":3:" in text and "->" in text  # file, row and the fix


def test_valid_file_passes_and_cli_exits_zero(tmp_path, capsys):
    p = _csv(tmp_path, GOOD)
    assert validate_file(p).ok
    assert dgap(["validate", str(p)]) == 0
    bad = _csv(tmp_path, GOOD + "99999,2024H1,gov_online_dossier_pct,85.5,observed,t\n", "bad.csv")
    assert dgap(["validate", str(bad)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "bad.csv:3" in out[0] and "unknown unit code" in out[0]


def test_missing_column_and_empty_file(tmp_path):
    r = validate_file(_csv(tmp_path, "unit_code,period,value\n20500,2024H1,3\n"))
    assert [(p.column, p.row) for p in r.problems] == [("indicator", 1)]
    assert "add a column named 'indicator'" in str(r.problems[0])
    r = validate_file(_csv(tmp_path, "", "empty.csv"))
    assert not r.ok and "empty" in str(r.problems[0])
    r = validate_file(_csv(tmp_path, "unit_code,period,indicator,value\n", "header_only.csv"))
    assert not r.ok and "no data rows" in str(r.problems[0])


def test_accepted_and_normalised_inputs(tmp_path):
    nfd = unicodedata.normalize("NFD", "nguồn thử")
    text = (
        "unit_code,period,indicator,value,status,source\n"
        f' 20500 ,2024h1, gov_online_dossier_pct ,"85,5",observed,{nfd}\n'
        "20503,2024H1,gov_online_dossier_pct,72%,observed,x\n"
        '20506.0,2024H1,gov_online_dossier_pct,"1,5 %",observed,x\n'
    )
    r = validate_file(_csv(tmp_path, text))
    assert r.ok, r.problems
    assert r.data["value"].tolist() == [85.5, 72.0, 1.5]
    assert r.data["unit_code"].tolist() == ["20500", "20503", "20506"]
    assert r.data["period"].iloc[0] == "2024H1"
    assert r.data["source"].iloc[0] == unicodedata.normalize("NFC", "nguồn thử")


def test_parse_number_rejects_text():
    with pytest.raises(ValueError):
        parse_number("tám mươi")


def test_wrong_sheet_layout(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["ma", "ten", "gia tri"])
    wb.active.append(["20500", "x", 3])
    p = tmp_path / "wrong.xlsx"
    wb.save(p)
    r = validate_file(p)
    assert not r.ok and "wrong sheet layout" in str(r.problems[0])


def test_excel_tidy_sheet_with_numeric_codes(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["unit_code", "period", "indicator", "value"])
    wb.active.append([20500, 2024, "gov_online_dossier_pct", "85,5"])
    p = tmp_path / "tidy.xlsx"
    wb.save(p)
    r = validate_file(p)
    assert r.ok, r.problems
    assert r.data.loc[0, ["unit_code", "period", "value"]].tolist() == ["20500", "2024", 85.5]


# --------------------------------------------------------------------------- template round trip
def test_template_round_trip_filled_with_openpyxl(tmp_path):
    path = write_template(tmp_path / "entry.xlsx", periods=["2025H1"])
    wb = openpyxl.load_workbook(path)
    assert {"Hướng dẫn - Instructions", "units", "government", "economy", "society"} <= set(
        wb.sheetnames
    )
    instructions = " ".join(
        str(c.value) for row in wb["Hướng dẫn - Instructions"].iter_rows() for c in row if c.value
    )
    assert "dấu phẩy" in instructions.lower() and "decimal commas" in instructions.lower()
    gov = wb["government"]
    assert gov.data_validations.dataValidation, "cells must carry Excel data validation"
    header = [c.value for c in gov[1]]
    assert header[:3] == ["unit_code", "unit_name", "period"]
    # fill every value of the government sheet, some the Vietnamese way
    filled = 0
    for r in range(4, gov.max_row + 1):
        for c in range(4, len(header) + 1):
            gov.cell(r, c, "85,5" if (r + c) % 2 else 42)
            filled += 1
    eco = wb["economy"]
    eco.cell(4, 4, 33.3)
    wb.save(path)
    report = validate_file(path)
    assert report.ok, report.problems[:3]
    assert len(report.data) == filled + 1
    assert set(report.data["value"]) == {85.5, 42.0, 33.3}
    assert report.data["unit_code"].nunique() == 18
    # a bad value is reported with sheet row and column
    gov.cell(5, 4, 150)
    wb.save(path)
    report = validate_file(path)
    [p] = report.problems
    assert p.row == 5 and "outside 0–100" in p.message


def test_template_cli(tmp_path):
    out = tmp_path / "t.xlsx"
    assert dgap(["template", "--out", str(out), "--periods", "2024H2,2025H1"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb["society"].max_row == 3 + 18 * 2


# --------------------------------------------------------------------------- demo panel
def test_demo_is_deterministic_and_byte_identical_to_committed(tmp_path):
    [p] = write_demo(out_dir=tmp_path)
    assert p.read_bytes() == config.DEMO_OBSERVATIONS.read_bytes()
    other = generate_demo(seed=1)
    assert not other.equals(generate_demo())


def test_demo_is_synthetic_valid_and_has_the_documented_shape():
    obs = load_observations()
    assert (obs["status"] == "synthetic").all()
    assert obs["period"].nunique() >= 6 and obs["unit_code"].nunique() == 18
    fw = load_framework()
    pillar = obs["indicator"].map(fw.pillar_of())
    lo = obs["indicator"].map(fw.indicators.set_index("id")["goalpost_lo"])
    hi = obs["indicator"].map(fw.indicators.set_index("id")["goalpost_hi"])
    rates = fw.indicators.set_index("id")["kind"].reindex(obs["indicator"]).values == "rate"
    norm = ((obs["value"] - lo) / (hi - lo))[rates]
    means = norm.groupby([pillar[rates], obs["period"][rates]]).mean().unstack()
    # government high and rising faster than economy and society
    assert (means.loc["government"] > means.loc["economy"] + 0.2).all()
    g_rise = means.loc["government"].iloc[-1] - means.loc["government"].iloc[0]
    e_rise = means.loc["economy"].iloc[-1] - means.loc["economy"].iloc[0]
    assert g_rise > e_rise
    coverage = len(obs) / (18 * 20 * 7)
    assert 0.9 < coverage < 0.99


def test_load_observations_raises_on_invalid(tmp_path):
    p = _csv(tmp_path, GOOD + "99999,2024H1,gov_online_dossier_pct,1,observed,t\n")
    with pytest.raises(DataValidationError, match="unknown unit code"):
        load_observations(p)


def test_writes_are_recorded_for_the_runner_only_when_asked(tmp_path, monkeypatch):
    """Every finished write of the package lands in the task's output log (the runner reruns a
    task whose files are gone); the compute cache does not; outside the runner nothing is logged."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from analysis import plots
    from analysis.io import save_table
    from analysis.outputs import ENV_VAR, atomic_write, read_output_log

    log = tmp_path / "task.log"
    save_table(pd.DataFrame({"a": [1]}), tmp_path / "before.csv")  # no log asked for
    assert not log.exists()
    monkeypatch.setenv(ENV_VAR, str(log))
    save_table(pd.DataFrame({"a": [1]}), tmp_path / "tables" / "t.csv")
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1])
    plots.save_figure(fig, tmp_path / "figures" / "f")
    plt.close(fig)
    with atomic_write(tmp_path / "cache" / "c.pkl", "wb", encoding=None, record=False) as fh:
        fh.write(b"x")
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "tables" / "broken.csv") as fh:
        fh.write("half")
        raise RuntimeError("crash while writing")
    assert read_output_log(log, tmp_path) == ["figures/f.png", "figures/f.svg", "tables/t.csv"]
