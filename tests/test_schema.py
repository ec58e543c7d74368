"""analysis.schema: every validation rule names file, row, column and the fix; units and coverage."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from analysis.i18n import parse_number
from analysis.io import read_table
from analysis.schema import (
    OBS_COLUMNS,
    Problem,
    compute_coverage,
    validate_observations,
    validate_units,
)

GOOD = "unit_code,period,indicator,value,status,source\n20500,2024H1,gov_online_dossier_pct,85.5,observed,test\n"


@pytest.fixture()
def validate(dai_loc_units, commune_framework):
    """Validate a CSV file as read (rows numbered as CSV lines)."""

    def run(path):
        return validate_observations(
            read_table(path), units=dai_loc_units, framework=commune_framework, source=str(path)
        )

    return run


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("99999,2024H1,gov_online_dossier_pct,85.5,observed,t", "unit_code", "unknown unit code"),
        (",2024H1,gov_online_dossier_pct,85.5,observed,t", "unit_code", "unit code is empty"),
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
def test_each_validation_rule_fails_with_file_row_column_and_fix(
    write_csv, validate, line, column, message
):
    p = write_csv(GOOD + line + "\n")
    report = validate(p)
    assert not report.ok
    [problem] = report.problems
    assert problem.row == 3 and problem.column == column and message in problem.message
    text = str(problem)
    assert str(p) in text and ":3:" in text and "->" in text  # file, row and the fix


def test_problems_are_sorted_by_row_and_the_data_keeps_the_contract(write_csv, validate):
    p = write_csv(
        GOOD
        + "20500,2024H1,gov_ontime_dossier_pct,abc,guessed,t\n"
        + "99999,2024H1,gov_online_dossier_pct,1,observed,t\n"
    )
    report = validate(p)
    assert [(x.row, x.column) for x in report.problems] == [
        (3, "status"),
        (3, "value"),
        (4, "unit_code"),
    ]
    assert list(report.data.columns) == OBS_COLUMNS and len(report.data) == 3
    assert "3 problem(s)" in report.summary()


def test_accepted_and_normalised_inputs(write_csv, validate):
    nfd = unicodedata.normalize("NFD", "nguồn thử")
    text = (
        "unit_code,period,indicator,value,status,source\n"
        f' 20500 ,2024h1, gov_online_dossier_pct ,"85,5",observed,{nfd}\n'
        "20503,2024H1,gov_online_dossier_pct,72%,observed,x\n"
        '20506.0,2024H1,gov_online_dossier_pct,"1,5 %",observed,x\n'
    )
    r = validate(write_csv(text))
    assert r.ok, r.problems
    assert r.data["value"].tolist() == [85.5, 72.0, 1.5]
    assert r.data["unit_code"].tolist() == ["20500", "20503", "20506"]
    assert r.data["period"].iloc[0] == "2024H1"
    assert r.data["source"].iloc[0] == unicodedata.normalize("NFC", "nguồn thử")


def test_status_and_source_default_and_missing_columns(dai_loc_units, commune_framework):
    raw = pd.DataFrame(
        {"Unit_Code": ["20500"], "PERIOD": ["2024"], "indicator": ["gov_online_dossier_pct"]}
    )
    r = validate_observations(raw, units=dai_loc_units, framework=commune_framework)
    assert [(p.row, p.column) for p in r.problems] == [(1, "value")]
    assert "add a column named 'value'" in str(r.problems[0])
    r = validate_observations(
        raw.assign(value=[50]), units=dai_loc_units, framework=commune_framework, source="d/x.csv"
    )
    assert r.ok and r.data.loc[0, ["status", "source"]].tolist() == ["observed", "x.csv"]


def test_parse_number_rejects_text():
    with pytest.raises(ValueError):
        parse_number("tám mươi")


def test_validate_units_names_row_column_and_fix(dai_loc_units):
    assert not validate_units(dai_loc_units)
    bad = dai_loc_units.head(3).copy()
    bad.loc[1, "unit_code"] = bad.loc[0, "unit_code"]
    bad.loc[2, "lat"] = 91.0
    problems = validate_units(bad, source="u.csv")
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "unit_code", "duplicate unit code"),
        (4, "lat/lon", "coordinates out of range"),
    ]
    missing = validate_units(dai_loc_units.drop(columns=["households"]), source="u.csv")
    assert [str(p) for p in missing] == [
        "u.csv:1: column 'households': required column is missing -> add column 'households'"
    ]
    assert isinstance(missing[0], Problem)


def test_compute_coverage_counts_what_the_framework_and_units_expect(
    dai_loc_units, commune_framework
):
    codes = dai_loc_units["unit_code"].tolist()
    obs = pd.DataFrame(
        {
            "unit_code": codes[:2] + codes[:1],
            "period": ["2024H1", "2024H1", "2024H2"],
            "indicator": ["gov_online_dossier_pct"] * 3,
            "value": [1.0, None, 2.0],
            "status": ["observed", "observed", "synthetic"],
        }
    )
    cov = compute_coverage(obs, commune_framework, dai_loc_units).set_index(["indicator", "period"])
    row = cov.loc[("gov_online_dossier_pct", "2024H1")]
    assert (row["n_expected"], row["n_present"]) == (18, 1)
    assert row["coverage_pct"] == pytest.approx(100 / 18) and row["status"] == "observed"
    assert cov.loc[("gov_online_dossier_pct", "2024H2"), "status"] == "synthetic"
    by_period = compute_coverage(obs, commune_framework, dai_loc_units, by="period")
    n_ind = len(commune_framework.indicator_ids)
    assert by_period["n_expected"].tolist() == [18 * n_ind] * 2
    assert by_period["n_present"].tolist() == [1, 1]
