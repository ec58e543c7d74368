"""The national unit registries and the synthetic national panel (issue #20).

The registries are frozen copies of vietnamadminunits 1.0.4 (3,321 post-2025 units, 10,035
former communes); the national panel is generated from a recipe by the documented demo model,
so it is the same on every machine and says it is synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.composite.pipeline import denominator_values
from analysis.demo import generate_demo, is_recipe, panel_from_recipe
from analysis.errors import DataValidationError
from analysis.frameworks import load_framework
from analysis.loaders import load_inputs
from analysis.units import load_units

UNITS_2025 = config.ROOT / "data" / "raw" / "units" / "vn_units_2025.csv"
UNITS_PRE = config.ROOT / "data" / "raw" / "units" / "vn_units_pre2025.csv"
RECIPE = config.ROOT / "data" / "demo" / "national.yaml"


@pytest.fixture(scope="module")
def units_2025():
    return load_units(UNITS_2025)


def test_the_post2025_registry_has_every_commune_of_the_country(units_2025):
    u = units_2025
    assert len(u) == 3321 and u["unit_code"].is_unique
    assert u["parent_code"].nunique() == 34
    assert (u["province_vi"] == "Thành phố Đà Nẵng").sum() == 94
    assert u["lat"].between(8, 24).all() and u["lon"].between(102, 118).all()
    # text is NFC and carries its diacritics
    assert {"Hà Nha", "Thượng Đức", "Vu Gia"} <= set(u["name_vi"])


def test_the_pre2025_registry_has_the_former_communes_with_their_districts():
    u = load_units(UNITS_PRE)
    assert len(u) == 10035 and u["unit_code"].is_unique
    assert u["province_code"].astype(str).nunique() == 63
    dai_loc = u[u["former_district"].astype(str).str.contains("Đại Lộc")]
    assert len(dai_loc) == 18


def test_a_recipe_is_recognised_and_a_plain_yaml_is_not(tmp_path):
    assert is_recipe(RECIPE)
    other = tmp_path / "x.yaml"
    other.write_text("editions: 1\n", encoding="utf-8")
    assert not is_recipe(other) and not is_recipe(config.DEMO_OBSERVATIONS)


@pytest.mark.parametrize(
    "text",
    ["synthetic_panel:\n  model: demo-v9\n  seed: 1\n", "synthetic_panel:\n  model: demo-v1\n"],
)
def test_a_recipe_without_the_model_or_an_integer_seed_is_a_clear_error(tmp_path, text):
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match="model: demo-v1 and an integer seed"):
        panel_from_recipe(p, load_units(), load_framework())


def test_the_dai_loc_panel_is_unchanged_by_the_national_generalisation():
    # the committed demo file is the byte-identity guard (test_demo); here: a recipe with the
    # default seed gives exactly the committed panel for the 18 communes
    from analysis.loaders import load_observations

    obs = generate_demo(config.DEFAULT_SEED)
    committed = load_observations()
    assert len(obs) == len(committed)
    assert np.allclose(obs["value"].to_numpy(), committed["value"].to_numpy())


def test_the_national_panel_is_synthetic_and_covers_every_unit(units_2025):
    fw = load_framework(config.ROOT / "data" / "frameworks" / "commune.yaml")
    obs = panel_from_recipe(RECIPE, units_2025, fw)
    assert (obs["status"] == "synthetic").all()
    assert obs["source"].str.contains("illustrative, not official").all()
    assert obs["unit_code"].nunique() == 3321
    # the registry has no households: count indicators are absent, never divided by nothing
    counts = set(fw.indicators.loc[fw.indicators["kind"] == "count", "id"])
    assert counts and not (set(obs["indicator"]) & counts)
    assert obs["indicator"].nunique() == len(fw.indicators) - len(counts)
    # same recipe, same panel
    again = panel_from_recipe(RECIPE, units_2025, fw)
    pd.testing.assert_frame_equal(obs, again)


def test_load_inputs_generates_the_national_panel_from_the_recipe():
    inputs = load_inputs(str(RECIPE), str(UNITS_2025))
    assert inputs.is_synthetic
    assert inputs.observations["unit_code"].nunique() == 3321


def test_a_denominator_is_asked_only_where_a_count_exists():
    units = pd.DataFrame({"unit_code": ["1", "2", "3"], "households": [10.0, np.nan, 5.0]})
    assert denominator_values(units, "households", ["1", "3"]).tolist() == [10.0, 5.0]
    with pytest.raises(DataValidationError, match="1 unit.*: 2;.*add the households"):
        denominator_values(units, "households", ["1", "2"])


@pytest.mark.parametrize("name", ["Thành phố Đà Nẵng", "Đà Nẵng", "da nang", "48"])
def test_a_province_is_chosen_by_name_or_code(units_2025, name):
    from analysis.units import select_province

    got = select_province(units_2025, name)
    assert len(got) == 94 and set(got["province_vi"]) == {"Thành phố Đà Nẵng"}


def test_an_unknown_province_lists_the_provinces(units_2025):
    from analysis.errors import ParameterError
    from analysis.units import select_province

    with pytest.raises(ParameterError, match="matches no unit.*34 provinces"):
        select_province(units_2025, "Atlantis")
    with pytest.raises(ParameterError, match="no province_vi"):
        select_province(load_units(), "Đà Nẵng")


def test_a_province_run_keeps_the_national_panels_numbers():
    whole = load_inputs(str(RECIPE), str(UNITS_2025))
    one = load_inputs(str(RECIPE), str(UNITS_2025), province="Thành phố Đà Nẵng")
    assert one.units["unit_code"].nunique() == 94 and one.is_synthetic
    codes = set(one.units["unit_code"])
    same = whole.observations[whole.observations["unit_code"].isin(codes)].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.observations, same)
    assert one.digest != whole.digest  # the store never serves the country for a province


def test_a_brief_of_a_province_or_the_country_is_named_for_it(units_2025):
    from analysis.briefs.district import _area_name, _district
    from analysis.narrative.names import count_units
    from analysis.units import load_units_2025, select_province

    def area(u, lang):
        return _area_name(*_district(u)[1:], lang)

    assert area(units_2025, "vi") == "Các xã, phường của Việt Nam"
    assert area(units_2025, "en") == "Communes and wards of Viet Nam"
    dn = select_province(units_2025, "48")
    assert area(dn, "en") == "Communes and wards of Đà Nẵng city"
    assert area(load_units(), "vi") == "Huyện Đại Lộc"  # the district edition is unchanged
    assert "Đại Lộc" in area(load_units_2025(), "en")
    assert count_units(3321, "xã", "vi", post2025=True) == "3.321 xã"
    assert count_units(3321, "xã", "en", post2025=True) == "3,321 communes"
