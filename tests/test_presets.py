"""analysis.presets: the preset table beside the frameworks, and the presets composite builds from it."""

from __future__ import annotations

import pytest

from analysis import config
from analysis.composite import get_preset, list_presets
from analysis.errors import FrameworkError, MethodError
from analysis.presets import PRESETS_YAML, load_preset
from analysis.presets import list_presets as table_names
from analysis.sources import DTI_POINTS


def test_the_table_lists_every_preset_with_an_existing_framework():
    assert PRESETS_YAML.parent == config.FRAMEWORKS
    assert table_names() == list_presets()
    assert set(list_presets()) == {"commune", "egdi", "desi2022", "dti_provincial", "dti_pillars"}
    for name in table_names():
        spec = load_preset(name)
        assert spec.framework_path.parent == config.FRAMEWORKS and spec.description
        assert spec.load_framework().id == name


def test_presets_are_built_with_their_frameworks():
    for name, pillars in {
        "egdi": ["government", "society"],
        "desi2022": ["government", "economy", "society"],
    }.items():
        p = get_preset(name)
        assert p.framework.pillar_ids == pillars
        assert p.options == {
            "normalise": "goalposts",
            "normalise_params": {"scale": 1.0},
            "aggregate": "arithmetic",
            "weights": "framework",
        }
    fw = get_preset("dti_provincial").framework
    assert fw.pillars.set_index("id")["dti_points"].to_dict() == {
        "foundation": 500,
        "government": 200,
        "economy": 150,
        "society": 150,
    }
    assert sum(DTI_POINTS.values()) == 1000
    with pytest.raises(MethodError, match=r"unknown preset 'nope'; available: \['commune'"):
        get_preset("nope")


def test_a_malformed_table_names_the_preset_and_the_fix(tmp_path):
    (tmp_path / "fw.yaml").write_text("id: fw\n", encoding="utf-8")
    table = tmp_path / "presets.yaml"
    table.write_text(
        "presets:\n  a:\n    framework: fw.yaml\n    weigths: framework\n", encoding="utf-8"
    )
    with pytest.raises(FrameworkError, match=r"preset 'a': unknown key\(s\) \['weigths'\]"):
        load_preset("a", table)
    table.write_text("presets:\n  a:\n    framework: missing.yaml\n", encoding="utf-8")
    with pytest.raises(
        FrameworkError, match=r"preset 'a': framework file .*missing.yaml not found"
    ):
        load_preset("a", table)
    table.write_text("presets:\n  a:\n    aggregate: arithmetic\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="give at least 'framework"):
        load_preset("a", table)
    table.write_text("presets:\n  a:\n    framework: fw.yaml\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"unknown preset 'b'; available: \['a'\]"):
        load_preset("b", table)
    assert load_preset("a", table).options == {}
