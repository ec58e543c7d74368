"""Tests of analysis.units: the unit tables, the 2025 commune crosswalk, constituent weights and
re-aggregation to new communes (registry, crosswalk, weights, reaggregate)."""

from __future__ import annotations

import csv
import json
import sqlite3
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import config
from analysis.errors import AnalysisError, DataValidationError, ParameterError
from analysis.frameworks import load_framework
from analysis.schema import OBS_COLUMNS, validate_units
from analysis.units import (
    CROSSWALK_COLUMNS,
    MissingSharesError,
    UnitsWarning,
    apply_split_shares,
    compare_crosswalks,
    compute_constituent_weights,
    constituents_table,
    load_crosswalk,
    load_units,
    load_units_2025,
    reaggregate_observations,
    select_former_district,
    shares_template,
)
from analysis.units.crosswalk import _vau_tables
from analysis.units.weights import _build_dai_loc_crosswalk

# Resolution 1659/NQ-UBTVQH15 (16/6/2025), clauses 66-70, as in
# ../shared/context/facts/dai_loc_commune_mapping_2025.csv (hard-coded on purpose).
EXPECTED = {
    "20500": {"20500", "20521", "20524", "20547", "20548"},  # 66 Xã Đại Lộc
    "20515": {"20512", "20515", "20518"},  # 67 Xã Hà Nha
    "20506": {"20503", "20506", "20509"},  # 68 Xã Thượng Đức
    "20539": {"20536", "20539", "20545"},  # 69 Xã Vu Gia
    "20542": {"20527", "20530", "20533", "20542"},  # 70 Xã Phú Thuận
}
CLAUSE = {"20500": "66", "20515": "67", "20506": "68", "20539": "69", "20542": "70"}
NEW_NAMES = {
    "20500": "Đại Lộc",
    "20515": "Hà Nha",
    "20506": "Thượng Đức",
    "20539": "Vu Gia",
    "20542": "Phú Thuận",
}
FACTS_DIR = config.ROOT.parent / "shared" / "context" / "facts"
FACTS = FACTS_DIR / "dai_loc_commune_mapping_2025.csv"
DVHCVN = config.SHARED_DATASETS / "vn-commune-crosswalk-2025"
#: A mismatch list longer than 1 % of the ~10,050 old units would mean the sources disagree
#: on more than isolated rows (measured: 66 rows on 2026-11-26).
MAX_MISMATCHES = 100


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return load_units()


@pytest.fixture(scope="module")
def cw() -> pd.DataFrame:
    return load_crosswalk("dai_loc")


@pytest.fixture(scope="module")
def framework():
    return load_framework()


def _panel(units: pd.DataFrame, indicators, periods=("2024H1", "2024H2"), seed=7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [units["unit_code"], periods, indicators], names=["unit_code", "period", "indicator"]
    )
    obs = idx.to_frame(index=False)
    obs["value"] = rng.uniform(0, 100, len(obs)).round(2)
    obs["status"] = "observed"
    obs["source"] = "test"
    return obs


def _toy_framework() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["r_pop", "r_hh", "n_abs", "n_dens", "s_score"],
            "kind": ["rate", "rate", "count", "count", "score"],
            "reaggregate_by": [
                "population",
                "households",
                "population",
                "households",
                "population",
            ],
            "denominator": [None, None, None, "households", None],
            "denominator_scale": [1.0, 1.0, 1.0, 1000.0, 1.0],
        }
    )


# --------------------------------------------------------------------------- units
def test_load_units_contract(units):
    assert len(units) == 18
    assert units["unit_code"].map(type).eq(str).all()
    assert units["unit_code"].tolist() == sorted(units["unit_code"])
    assert all(unicodedata.is_normalized("NFC", n) for n in units["full_name_vi"])
    assert units["population"].sum() == 141851
    assert set(units["former_district"]) == {"Đại Lộc"}


def test_units_population_and_households_match_census_totals(units):
    assert units["households"].sum() == 41_748
    assert units["unit_code"].between("20500", "20548").all()
    assert not validate_units(units)


def test_units_names_are_nfc_and_successors_follow_resolution_1659(units):
    for name in units["name_vi"]:
        assert unicodedata.is_normalized("NFC", name)
    groups = units.groupby("successor_code")["unit_code"].apply(set).to_dict()
    assert groups == EXPECTED


@pytest.mark.skipif(not FACTS_DIR.exists(), reason="shared context facts not available")
def test_units_table_equals_its_cited_sources(units):
    units = units.set_index("unit_code")
    with open(FACTS_DIR / "dai_loc_communes_2019.csv", encoding="utf-8") as fh:
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
    import vietnamadminunits

    db = sqlite3.connect(f"{vietnamadminunits.__path__[0]}/data/dataset.db")
    for code, lat, lon in db.execute(
        "select wardCode, wardLat, wardLon from admin_units_legacy where districtCode='506'"
    ):
        assert units.at[code, "lat"] == pytest.approx(lat, abs=1e-6)
        assert units.at[code, "lon"] == pytest.approx(lon, abs=1e-6)


def test_load_units_validates_unless_told_not_to(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "unit_code,name_vi,unit_type,parent_code,lat,lon,population,households\n"
        "20500.0, Ái Nghĩa ,town,506,15.9,108.1,100,30\n20500,x,commune,506,95,108.1,-1,3\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as exc:
        load_units(path)
    text = str(exc.value)
    assert "units.csv:3" in text and "duplicate unit code" in text
    assert "coordinates out of range" in text and "negative population" in text
    raw = load_units(path, validate=False)
    assert raw["unit_code"].tolist() == ["20500", "20500"] and raw.at[0, "name_vi"] == "Ái Nghĩa"
    assert raw["population"].tolist() == [100, -1] and raw["lat"].tolist() == [15.9, 95.0]
    lean = tmp_path / "lean.csv"
    lean.write_text("unit_code,name_vi\n20500,Ái Nghĩa\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="required column is missing"):
        load_units(lean)
    assert load_units(lean, validate=False)["unit_code"].tolist() == ["20500"]


def test_load_units_2025_population_is_sum_of_constituents(units):
    new = load_units_2025()
    assert new["unit_code"].tolist() == sorted(EXPECTED)
    assert dict(zip(new["unit_code"], new["name_vi"], strict=True)) == NEW_NAMES
    pops = units.groupby("successor_code")["population"].sum()
    assert (new.set_index("unit_code")["population"] == pops).all()
    assert set(new["former_district"]) == {"Đại Lộc"}


# --------------------------------------------------------------------------- the Đại Lộc mapping
def test_dai_loc_mapping_matches_resolution_1659(cw, units):
    got = {k: set(v) for k, v in cw.groupby("new_code")["old_code"]}
    assert got == EXPECTED
    assert sorted(cw["old_code"]) == sorted(units["unit_code"])
    clause = cw.groupby("new_code")["resolution_clause"].agg(set).to_dict()
    assert clause == {k: {v} for k, v in CLAUSE.items()}
    assert not cw["is_split"].any() and not cw["needs_shares"].any()
    assert (cw["share_population"] == 1).all()
    assert list(cw.columns[: len(CROSSWALK_COLUMNS)]) == CROSSWALK_COLUMNS
    # the unit table's successor columns say the same
    assert dict(zip(units["unit_code"], units["successor_code"], strict=True)) == dict(
        zip(cw["old_code"], cw["new_code"], strict=True)
    )
    assert set(cw["former_district"]) == {"Đại Lộc"} and set(cw["new_province"]) == {
        "Thành phố Đà Nẵng"
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {"former_district": "Đại Lộc"},
        {"former_district": "Huyện Đại Lộc", "province": "Quảng Nam"},
        {"former_district": "506"},
        {"former_district": "dai loc", "province": "49"},
    ],
)
def test_vietnamadminunits_crosswalk_equals_resolution_table(cw, kwargs):
    vau = load_crosswalk("vietnamadminunits", **kwargs)
    pairs = set(zip(vau["old_code"], vau["new_code"], strict=True))
    assert pairs == set(zip(cw["old_code"], cw["new_code"], strict=True))
    assert compare_crosswalks(vau, cw).empty
    assert not vau["is_split"].any()


def test_frozen_crosswalk_csv_matches_facts(units):
    if not FACTS.exists():
        pytest.skip(f"{FACTS} not available")
    rebuilt = _build_dai_loc_crosswalk(FACTS, units)
    frozen = pd.read_csv(config.CROSSWALK_CSV, dtype=str, keep_default_na=False)
    assert list(frozen.columns) == list(rebuilt.columns)
    facts = pd.read_csv(FACTS, dtype=str)
    assert list(frozen.columns[: len(facts.columns)]) == list(facts.columns)  # source columns kept
    pd.testing.assert_frame_equal(
        frozen[facts.columns], facts.sort_values("old_code").reset_index(drop=True)
    )
    w = pd.to_numeric(frozen["weight_population"])
    assert np.allclose(w.groupby(frozen["new_code"]).sum(), 1, atol=1e-5)


# --------------------------------------------------------------------------- weights
@pytest.mark.parametrize("by", ["population", "households"])
def test_constituent_weights_sum_to_one(cw, units, by):
    w = compute_constituent_weights(cw, units, by=by)
    assert list(w.columns[:3]) == ["new_code", "old_code", "weight"]
    assert len(w) == 18
    np.testing.assert_allclose(w.groupby("new_code")["weight"].sum(), 1.0, rtol=0, atol=1e-12)
    assert (w["weight"] > 0).all()


def test_constituent_weight_known_value(cw, units):
    w = compute_constituent_weights(cw, units).set_index(["new_code", "old_code"])["weight"]
    # Ái Nghĩa 17,493 of Đại Lộc commune's 49,910 people (census 2019)
    assert w[("20500", "20500")] == pytest.approx(17493 / 49910)
    assert w[("20506", "20503")] == pytest.approx(3247 / 17772)


def test_constituents_table(cw, units):
    t = constituents_table(cw, units)
    assert len(t) == 18 and t["new_code"].nunique() == 5
    assert {
        "new_name",
        "old_name",
        "weight_population",
        "weight_households",
        "population",
        "households",
    } <= set(t.columns)
    assert t.groupby("new_code")["population"].sum().to_dict() == {
        "20500": 49910,
        "20506": 17772,
        "20515": 30405,
        "20539": 21876,
        "20542": 21888,
    }
    first = t.iloc[0]
    assert (first["new_code"], first["old_code"], first["old_name"]) == (
        "20500",
        "20500",
        "Ái Nghĩa",
    )  # largest weight first


# --------------------------------------------------------------------------- re-aggregation
def test_reaggregate_rate_is_weighted_mean_and_within_range(cw, units, framework):
    obs = _panel(units, framework.indicator_ids)
    out = reaggregate_observations(obs, cw, units, framework)
    assert list(out.columns[:6]) == OBS_COLUMNS
    assert set(out["unit_code"]) == set(EXPECTED)
    assert len(out) == 5 * 2 * 20
    assert not out["is_partial"].any() and (out["coverage_share"] == 1).all()
    old = obs.merge(cw[["old_code", "new_code"]], left_on="unit_code", right_on="old_code")
    rng = old.groupby(["new_code", "period", "indicator"])["value"].agg(["min", "max"])
    chk = out.set_index(["unit_code", "period", "indicator"]).join(
        rng.rename_axis(["unit_code", "period", "indicator"])
    )
    assert (chk["value"] >= chk["min"] - 1e-9).all() and (chk["value"] <= chk["max"] + 1e-9).all()
    # known answer: a population-weighted rate
    pop = units.set_index("unit_code")["population"]
    sel = old[
        (old["new_code"] == "20515")
        & (old["period"] == "2024H1")
        & (old["indicator"] == "gov_online_dossier_pct")
    ]
    expect = (sel["value"] * sel["unit_code"].map(pop)).sum() / sel["unit_code"].map(pop).sum()
    got = out.query(
        "unit_code == '20515' and period == '2024H1' and indicator == 'gov_online_dossier_pct'"
    )["value"].item()
    assert got == pytest.approx(expect)
    # household-weighted indicator uses households, not population
    hh = units.set_index("unit_code")["households"]
    sel = old[
        (old["new_code"] == "20500")
        & (old["period"] == "2024H2")
        & (old["indicator"] == "soc_fibre_households_pct")
    ]
    expect = (sel["value"] * sel["unit_code"].map(hh)).sum() / sel["unit_code"].map(hh).sum()
    got = out.query(
        "unit_code == '20500' and period == '2024H2' and indicator == 'soc_fibre_households_pct'"
    )["value"].item()
    assert got == pytest.approx(expect)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(st.floats(0, 100, allow_nan=False), min_size=18, max_size=18),
    drop=st.sets(st.integers(0, 17), max_size=6),
)
def test_property_rate_between_constituents(values, drop, cw, units):
    obs = pd.DataFrame(
        {
            "unit_code": units["unit_code"],
            "period": "2023",
            "indicator": "r_pop",
            "value": values,
            "status": "observed",
        }
    )
    obs = obs.drop(index=sorted(drop))
    out = reaggregate_observations(obs, cw, units, _toy_framework()).set_index("unit_code")
    succ = units.set_index("unit_code")["successor_code"]
    by_new = obs.assign(new=obs["unit_code"].map(succ)).groupby("new")["value"]
    for new, v in by_new:
        assert by_new.min()[new] - 1e-9 <= out.at[new, "value"] <= by_new.max()[new] + 1e-9
        assert out.at[new, "n_covered"] == len(v)


def test_counts_are_conserved(cw, units):
    obs = _panel(units, ["n_abs"], periods=("2022", "2023"))
    out = reaggregate_observations(obs, cw, units, _toy_framework())
    assert out.groupby("period")["value"].sum().to_numpy() == pytest.approx(
        obs.groupby("period")["value"].sum().to_numpy()
    )
    got = out.query("unit_code == '20539' and period == '2022'")["value"].item()
    assert got == pytest.approx(
        obs.query("period == '2022' and unit_code in ['20536', '20539', '20545']")["value"].sum()
    )


def test_count_per_households_reaggregates_as_density(cw, units, framework):
    """econ_online_shops_per_1000hh is kind=count with denominator households: re-derive counts."""
    obs = _panel(units, ["econ_online_shops_per_1000hh"], periods=("2024H1",))
    out = reaggregate_observations(obs, cw, units, framework)
    hh = obs["unit_code"].map(units.set_index("unit_code")["households"])
    shops = obs["value"] * hh / 1000
    succ = obs["unit_code"].map(units.set_index("unit_code")["successor_code"])
    expect = shops.groupby(succ).sum() / hh.groupby(succ).sum() * 1000
    got = out.set_index("unit_code")["value"]
    pd.testing.assert_series_equal(got.sort_index(), expect.sort_index(), check_names=False)
    # conserved in absolute terms
    new_hh = load_units_2025().set_index("unit_code")["households"]
    assert (got * new_hh / 1000).sum() == pytest.approx(shops.sum())


def test_score_kind_weighted_mean(cw, units):
    obs = _panel(units, ["s_score"], periods=("2024H1",))
    out = reaggregate_observations(obs, cw, units, _toy_framework()).set_index("unit_code")
    pop = units.set_index("unit_code")["population"]
    sel = obs[obs["unit_code"].isin(EXPECTED["20542"])]
    expect = np.average(sel["value"], weights=sel["unit_code"].map(pop))
    assert out.at["20542", "value"] == pytest.approx(expect)


def test_partial_coverage_flagged_with_covered_share(cw, units, framework):
    obs = _panel(
        units, ["gov_online_dossier_pct", "econ_online_shops_per_1000hh"], periods=("2024H1",)
    )
    missing = (obs["unit_code"] == "20500") & (
        obs["indicator"] == "gov_online_dossier_pct"
    )  # Ái Nghĩa
    obs.loc[
        obs["unit_code"].eq("20548") & obs["indicator"].eq("gov_online_dossier_pct"), "value"
    ] = np.nan  # Đại Hòa: NaN
    obs = obs[~missing]
    out = reaggregate_observations(obs, cw, units, framework).set_index(["unit_code", "indicator"])
    row = out.loc[("20500", "gov_online_dossier_pct")]
    assert bool(row["is_partial"]) and row["n_covered"] == 3 and row["n_constituents"] == 5
    assert row["coverage_share"] == pytest.approx((49910 - 17493 - 5723) / 49910)
    pop = units.set_index("unit_code")["population"]
    sel = obs[
        obs["unit_code"].isin(["20521", "20524", "20547"])
        & obs["indicator"].eq("gov_online_dossier_pct")
    ]
    assert row["value"] == pytest.approx(
        np.average(sel["value"], weights=sel["unit_code"].map(pop))
    )
    others = out.drop(index=("20500", "gov_online_dossier_pct"))
    assert not others["is_partial"].any() and (others["coverage_share"] == 1).all()


def test_all_constituents_missing_gives_nan_and_zero_coverage(cw, units, framework):
    obs = _panel(units, ["gov_online_dossier_pct"], periods=("2024H1",))
    obs.loc[obs["unit_code"].isin(EXPECTED["20506"]), "value"] = np.nan
    out = reaggregate_observations(obs, cw, units, framework).set_index("unit_code")
    assert (
        np.isnan(out.at["20506", "value"])
        and out.at["20506", "coverage_share"] == 0
        and out.at["20506", "is_partial"]
    )


def test_status_is_worst_of_constituents(cw, units, framework):
    obs = _panel(units, ["gov_online_dossier_pct"], periods=("2024H1",))
    obs.loc[obs["unit_code"] == "20530", "status"] = "imputed"
    obs.loc[obs["unit_code"] == "20545", "status"] = "estimated"
    obs.loc[obs["unit_code"] == "20512", "status"] = "synthetic"
    obs.loc[obs["unit_code"] == "20512", "value"] = (
        np.nan
    )  # missing values do not carry their status
    out = reaggregate_observations(obs, cw, units, framework).set_index("unit_code")["status"]
    assert out.to_dict() == {
        "20500": "observed",
        "20506": "observed",
        "20515": "observed",
        "20539": "estimated",
        "20542": "imputed",
    }


def test_reaggregate_rejects_unknown_units_and_indicators(cw, units, framework):
    obs = _panel(units, ["gov_online_dossier_pct"], periods=("2024H1",))
    bad_unit = pd.concat([obs, obs.head(1).assign(unit_code="99999")])
    with pytest.raises(DataValidationError, match="99999"):
        reaggregate_observations(bad_unit, cw, units, framework)
    with pytest.raises(DataValidationError, match="not_an_indicator"):
        reaggregate_observations(obs.assign(indicator="not_an_indicator"), cw, units, framework)
    with pytest.raises(DataValidationError, match="duplicate"):
        reaggregate_observations(pd.concat([obs, obs.head(2)]), cw, units, framework)


# --------------------------------------------------------------------------- split units
@pytest.fixture()
def split_case(units):
    """Đại Lộc plus a fictitious split: Đại Hồng (20512) 60 % to Hà Nha, 40 % to Thượng Đức."""
    raw = load_crosswalk("dai_loc")[["old_code", "new_code", "old_name", "new_name"]]
    extra = pd.DataFrame(
        [
            {
                "old_code": "20512",
                "new_code": "20506",
                "old_name": "Xã Đại Hồng",
                "new_name": "Xã Thượng Đức",
            }
        ]
    )
    return pd.concat([raw, extra], ignore_index=True)


def test_split_without_shares_is_flagged_and_tells_what_to_supply(split_case, units, tmp_path):
    path = tmp_path / "cw.csv"
    split_case.to_csv(path, index=False)
    with pytest.warns(UnitsWarning, match="old_code,new_code,share"):
        cw = load_crosswalk(path)
    assert cw.loc[cw["old_code"] == "20512", "is_split"].all() and cw["needs_shares"].sum() == 2
    assert np.isnan(cw.loc[cw["needs_shares"], "share_population"]).all()
    tmpl = shares_template(cw)
    assert (
        list(tmpl.columns[:2]) == ["old_code", "new_code"]
        and "share" in tmpl.columns
        and len(tmpl) == 2
    )
    with pytest.raises(MissingSharesError, match="old_code,new_code,share") as exc:
        compute_constituent_weights(cw, units)
    assert isinstance(exc.value, AnalysisError)
    assert set(exc.value.table["new_code"]) == {"20506", "20515"}
    with pytest.raises(MissingSharesError):
        reaggregate_observations(_panel(units, ["r_pop"]), cw, units, _toy_framework())


def test_split_with_shares_conserves_counts_and_weights(split_case, units, tmp_path):
    path, shares = tmp_path / "cw.csv", tmp_path / "shares.csv"
    split_case.to_csv(path, index=False)
    pd.DataFrame(
        {"old_code": ["20512", "20512"], "new_code": ["20515", "20506"], "share": [0.6, 0.4]}
    ).to_csv(shares, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cw = load_crosswalk(path, shares=shares)
    assert not cw["needs_shares"].any()
    w = compute_constituent_weights(cw, units).set_index(["new_code", "old_code"])["weight"]
    np.testing.assert_allclose(w.groupby(level=0).sum(), 1.0)
    assert w[("20506", "20512")] == pytest.approx(0.4 * 9184 / (17772 + 0.4 * 9184))
    obs = _panel(units, ["n_abs", "r_pop"], periods=("2024H1",))
    out = reaggregate_observations(obs, cw, units, _toy_framework())
    n = out[out["indicator"] == "n_abs"]
    assert n["value"].sum() == pytest.approx(obs.loc[obs["indicator"] == "n_abs", "value"].sum())
    st_ = out.set_index(["unit_code", "indicator"])["status"]
    assert (
        st_[("20506", "r_pop")] == "estimated" and st_[("20500", "r_pop")] == "observed"
    )  # apportioned -> estimated


def test_bad_shares_are_rejected(split_case, tmp_path):
    path = tmp_path / "cw.csv"
    split_case.to_csv(path, index=False)
    with pytest.warns(UnitsWarning):
        cw = load_crosswalk(path)
    bad = pd.DataFrame(
        {"old_code": ["20512", "20512"], "new_code": ["20515", "20506"], "share": [0.6, 0.6]}
    )
    with pytest.raises(DataValidationError, match="sum to 1.2"):
        apply_split_shares(cw, bad)
    with pytest.raises(DataValidationError, match="20512->20542"):
        apply_split_shares(
            cw, pd.DataFrame({"old_code": ["20512"], "new_code": ["20542"], "share": [1.0]})
        )


# --------------------------------------------------------------------------- former district
def test_select_former_district(units, cw, framework):
    assert len(select_former_district(units, "Đại Lộc")) == 18
    assert len(select_former_district(load_units_2025(), "huyện đại lộc")) == 5
    assert len(select_former_district(cw, "Dai Loc")) == 18
    obs = _panel(units, ["gov_online_dossier_pct"], periods=("2024H1",))
    assert len(select_former_district(obs.drop(columns=[]), "Đại Lộc")) == 18  # via unit lookup
    new_obs = reaggregate_observations(obs, cw, units, framework)
    assert set(select_former_district(new_obs, "Đại Lộc")["unit_code"]) == set(EXPECTED)
    with pytest.raises(ParameterError, match="available"):
        select_former_district(units, "Điện Bàn")


def test_load_crosswalk_parameter_errors():
    with pytest.raises(ParameterError, match="neither"):
        load_crosswalk("no-such-source")
    with pytest.raises(ParameterError, match="matches no"):
        load_crosswalk("vietnamadminunits", former_district="Không Có")
    with pytest.raises(ParameterError, match="ambiguous"):
        load_crosswalk("vietnamadminunits", former_district="Châu Thành")


def test_outside_constituents_flagged(units, framework):
    """Hòa Vang's Hòa Liên was split: part of it joins Liên Chiểu ward, made mostly of other units."""
    with pytest.warns(UnitsWarning, match="split"):
        hv = load_crosswalk("vietnamadminunits", former_district="Hòa Vang")
    assert hv["has_outside_constituents"].any()
    dl = load_crosswalk("vietnamadminunits", former_district="Đại Lộc")
    assert not dl["has_outside_constituents"].any()
    assert not load_crosswalk("dai_loc")["has_outside_constituents"].any()


def test_compare_crosswalks_lists_each_kind_of_mismatch():
    a = pd.DataFrame(
        {
            "old_code": ["1", "2", "3", "4", "4", "5", "6", "6"],
            "new_code": ["A", "B", "C", "D", "E", "F", "G", "H"],
        }
    )
    b = pd.DataFrame(
        {
            "old_code": ["1", "2", "4", "5", "5", "6", "6", "7"],
            "new_code": ["A", "X", "D", "F", "Z", "G", "Y", "K"],
        }
    )
    m = compare_crosswalks(a, b).set_index("old_code")["issue"].to_dict()
    assert m == {
        "2": "different_successor",
        "3": "only_in_a",
        "4": "a_has_more_successors",
        "5": "b_has_more_successors",
        "6": "overlapping_successors",
        "7": "only_in_b",
    }
    assert compare_crosswalks(a, a).empty


# --------------------------------------------------------------------------- national scale
@pytest.fixture(scope="module")
def national():
    if not (DVHCVN / "splits.json").exists():
        pytest.skip(f"shared dataset {DVHCVN} not available")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnitsWarning)
        vau = load_crosswalk("vietnamadminunits")
        dv = load_crosswalk(DVHCVN)
    merges = json.loads((DVHCVN / "merges.json").read_text(encoding="utf-8"))
    return vau, dv, merges


def test_national_every_old_code_maps_to_valid_new_codes(national):
    vau, dv, merges = national
    legacy, new = _vau_tables()
    # vietnamadminunits: every legacy unit (10,035 communes + 5 island districts) -> one of 3,321
    assert set(vau["old_code"]) == set(legacy["old_code"]) and vau["old_code"].nunique() == 10_040
    assert set(vau["new_code"]) == set(new["wardCode"]) and vau["new_code"].nunique() == 3_321
    # dvhcvn: every old unit (10,047 communes + 5 island districts) -> one of its 3,321 new ids
    new_ids = {l2["level2_id"] for p in merges["data"] for l2 in p["level2s"]}
    assert len(new_ids) == 3_321 == merges["stats"]["level2_count"]
    assert set(dv["new_code"]) == new_ids
    assert dv["old_code"].nunique() == 10_047 + 5
    assert (
        dv["old_code"].str.fullmatch(r"\d{5}|\d{3}").all()
        and dv["new_code"].str.fullmatch(r"\d{5}").all()
    )
    # splits.json (old->new) and merges.json (new->old) are the same relation
    merge_pairs = {
        (m["old_id"], l2["level2_id"])
        for p in merges["data"]
        for l2 in p["level2s"]
        for m in l2["merges"]
    }
    assert merge_pairs == set(zip(dv["old_code"], dv["new_code"], strict=True))
    # counts agree between the sources within 1 %
    assert (
        abs(vau["old_code"].nunique() - dv["old_code"].nunique()) / dv["old_code"].nunique() < 0.01
    )
    assert len(new_ids ^ set(new["wardCode"])) <= 2  # one new commune coded differently (Xã Ia Mơ)


def test_national_mismatches_are_listed_and_few(national):
    vau, dv, _ = national
    m = compare_crosswalks(vau, dv)
    n_old = len(set(vau["old_code"]) | set(dv["old_code"]))
    print(
        f"\ncrosswalk mismatches vietnamadminunits vs dvhcvn: {len(m)} of {n_old} old units "
        f"({len(m) / n_old:.2%}); by issue: {m['issue'].value_counts().to_dict()}"
    )
    assert 0 < len(m) <= MAX_MISMATCHES
    assert m["old_code"].is_unique and m["issue"].notna().all()
    # known disagreements are listed, not hidden
    issues = m.set_index("old_code")["issue"]
    assert issues["23938"] == "different_successor"  # Xã Ia Mơ: new code 23938 vs 23737
    assert (
        issues["10798"] == "a_has_more_successors"
    )  # two Xã Hòa Bình conflated in vietnamadminunits
    assert (m["issue"] == "only_in_b").sum() == 12  # communes missing from the vietnamadminunits DB
    # and Đại Lộc is clean in both
    assert not m["old_code"].isin(set().union(*EXPECTED.values())).any()
    dai_loc_dv = load_crosswalk(DVHCVN, former_district="Đại Lộc")
    assert {k: set(v) for k, v in dai_loc_dv.groupby("new_code")["old_code"]} == EXPECTED


def test_national_province_filter():
    """Old Quảng Nam (233 communes) went whole into 78 communes of the new Đà Nẵng city."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnitsWarning)  # no split units in old Quảng Nam
        qn = load_crosswalk("vietnamadminunits", province="Quảng Nam")
    assert set(qn["old_province_code"]) == {"49"} and set(qn["new_province"]) == {
        "Thành phố Đà Nẵng"
    }
    assert (qn["old_code"].nunique(), qn["new_code"].nunique()) == (233, 78)
    with pytest.warns(
        UnitsWarning, match="split"
    ):  # new Đà Nẵng = old Đà Nẵng + Quảng Nam; has splits
        dn = load_crosswalk("vietnamadminunits", province="Thành phố Đà Nẵng")
    assert set(dn["old_province_code"]) == {"48", "49"} and dn["old_code"].nunique() == 281


# --- unit names in English (issue 16/17: the briefs name units in their language)
def test_units_tables_give_bare_names_in_vietnamese_and_english():
    """Vietnamese communes keep their Vietnamese name in English ("Đại Thạnh", never "Xã Đại
    Thạnh"); countries are named in English; every unit has a type."""
    from analysis.sources import load_desi, load_dti, load_egdi
    from analysis.units import load_units_2025

    for units in (load_units(), load_units_2025()):
        assert (units["name_en"] == units["name_vi"]).all()
        assert not units["name_vi"].str.match(r"(?i)(xã|thị trấn|phường) ").any()
        assert set(units["unit_type"]) <= {"xã", "thị trấn", "phường"}
    thanh = load_units().set_index("unit_code").loc["20527"]
    assert (thanh["name_vi"], thanh["name_en"], thanh["unit_type"]) == (
        "Đại Thạnh",
        "Đại Thạnh",
        "xã",
    )
    egdi = load_egdi().units.set_index("unit_code")
    assert egdi.loc["VNM", ["name_vi", "name_en", "unit_type"]].tolist() == [
        "Việt Nam",
        "Viet Nam",
        "country",
    ]
    assert egdi.loc["KHM", ["name_vi", "name_en"]].tolist() == ["Campuchia", "Cambodia"]
    desi = load_desi().units.set_index("unit_code")
    assert desi.loc["EL", ["name_en", "unit_type"]].tolist() == ["Greece", "country"]
    dti = load_dti(scope="all").units.set_index("unit_code")
    assert dti.loc["49", ["name_vi", "name_en", "unit_type"]].tolist() == [
        "Quảng Nam",
        "Quảng Nam",
        "province",
    ]
    assert (
        dti.loc["VN", "name_en"] == "Viet Nam"
        and dti.loc["VN-PMEAN", "name_en"] == "Provincial mean"
    )
    for units in (egdi, desi, dti):
        assert units["name_en"].notna().all() and units["name_vi"].notna().all()
