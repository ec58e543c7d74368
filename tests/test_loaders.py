"""analysis.loaders: one file validated (dgap validate), observations loaded and saved, the inputs
of one analysis (default, a user's file, a real source) and their post-2025 merge."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import config
from analysis.cli import main as dgap
from analysis.errors import DataValidationError, ParameterError
from analysis.loaders import (
    constituents,
    has_successors,
    load_inputs,
    load_observations,
    merge_inputs,
    save_observations,
    validate_file,
)
from analysis.schema import OBS_COLUMNS

GOOD = "unit_code,period,indicator,value,status,source\n20500,2024H1,gov_online_dossier_pct,85.5,observed,test\n"


def test_valid_file_passes_and_cli_exits_zero(write_csv, capsys):
    p = write_csv(GOOD)
    assert validate_file(p).ok
    assert dgap(["validate", str(p)]) == 0
    bad = write_csv(GOOD + "99999,2024H1,gov_online_dossier_pct,85.5,observed,t\n", "bad.csv")
    assert dgap(["validate", str(bad)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "bad.csv:3" in out[0] and "unknown unit code" in out[0]


def test_missing_column_and_empty_file(write_csv):
    r = validate_file(write_csv("unit_code,period,value\n20500,2024H1,3\n"))
    assert [(p.column, p.row) for p in r.problems] == [("indicator", 1)]
    assert "add a column named 'indicator'" in str(r.problems[0])
    r = validate_file(write_csv("", "empty.csv"))
    assert not r.ok and "empty" in str(r.problems[0])
    r = validate_file(write_csv("unit_code,period,indicator,value\n", "header_only.csv"))
    assert not r.ok and "no data rows" in str(r.problems[0])
    r = validate_file(write_csv("x", "obs.json"))
    assert not r.ok and "unsupported format '.json'" in str(r.problems[0])


def test_validate_file_takes_units_and_framework_as_paths(write_csv, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("unit_code,name_vi\n99999,Xã Thử\n", encoding="utf-8")  # lean: not validated
    p = write_csv(GOOD.replace("20500", "99999"))
    assert validate_file(p, units=units, framework=config.COMMUNE_FRAMEWORK).ok
    assert not validate_file(p).ok  # 99999 is not a Đại Lộc commune


def test_load_observations_raises_on_invalid(write_csv):
    p = write_csv(GOOD + "99999,2024H1,gov_online_dossier_pct,1,observed,t\n")
    with pytest.raises(DataValidationError, match="unknown unit code"):
        load_observations(p)
    assert len(load_observations(p, validate=False)) == 2


def test_save_observations_in_contract_order(tmp_path):
    obs = pd.DataFrame(
        {
            "extra": [1, 2],
            "source": ["s", "s"],
            "status": ["observed"] * 2,
            "value": [2.0, 1.0],
            "indicator": ["b", "a"],
            "period": ["2024H1"] * 2,
            "unit_code": ["20500"] * 2,
        }
    )
    path = save_observations(obs, tmp_path / "o.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(OBS_COLUMNS + ["extra"])
    assert lines[1].startswith("20500,2024H1,a,1.0")


def test_default_inputs_are_the_synthetic_panel_with_a_stable_digest():
    a, b = load_inputs(), load_inputs("", "data/raw/units/dai_loc_units.csv")
    assert a.is_synthetic and a.status == "synthetic"
    assert a.digest == b.digest and len(a.digest) == 16
    assert list(a.observations.columns) == OBS_COLUMNS and len(a.units) == 18
    assert a.framework.id == "commune" and has_successors(a)


def test_a_real_source_brings_its_units_and_framework():
    inputs = load_inputs("data/raw/dti")
    assert inputs.framework.id == "dti_pillars" and inputs.status in ("observed", "estimated")
    assert set(inputs.observations["unit_code"]) <= set(inputs.units["unit_code"])
    assert not has_successors(inputs)
    with pytest.raises(ParameterError, match="successor_code"):
        merge_inputs(inputs)


def test_merge_inputs_reaggregates_onto_the_post_2025_communes():
    inputs = load_inputs()
    merged = merge_inputs(inputs)
    assert set(merged.observations["unit_code"]) == set(merged.units["unit_code"])
    assert len(merged.units) == 5 and merged.digest != inputs.digest
    assert merged.status == "synthetic" and merged.paths["crosswalk"] == "dai_loc"
    assert {"coverage_share", "is_partial"} <= set(merged.observations.attrs["coverage"].columns)
    table = constituents(inputs)
    assert table.groupby("new_code")["weight_population"].sum().round(12).eq(1).all()
