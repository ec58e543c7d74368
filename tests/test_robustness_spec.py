"""Tests of analysis.robustness.spec: presets, validation, the base order."""

from __future__ import annotations

import pytest

from analysis import robustness as rb
from analysis.errors import MethodError, ParameterError


# --------------------------------------------------------------------------- spec
def test_coinr_vignette_preset_matches_the_vignette():
    sp = rb.load_spec("coinr-vignette")
    assert sp["base"] == {
        "denominate": True,
        "impute": "mean-by:EurAsia_group",
        "screen": 0.9,
        "winmax": "5",
        "normalisation": "minmax:0,100",
        "aggregation": "arithmetic",
        "weights": "framework",
        "nonpositive": "clip",
        "floor": 1e-3,
        "order": ["denominate", "impute", "screen", "treat", "normalise", "aggregate"],
    }
    assert sp["uncertain"] == {
        "winmax": ["1", "2", "3", "4", "5"],
        "normalisation": ["minmax:1,100", "zscore:10,2"],
        "weights": {"perturb": {2: 0.25, 3: 0.25}, "sets": 100},
        "aggregation": ["arithmetic", "geometric"],
    }
    assert {"coinr-vignette", "commune", "commune-full"} <= set(rb.list_specs())


@pytest.mark.parametrize(
    "bad, error, word",
    [
        ({"uncertain": {"normalization": ["rank"]}}, ParameterError, "normalization"),
        ({"uncertain": {"normalisation": ["minmax:1"]}}, MethodError, "minmax:1"),
        ({"uncertain": {"normalisation": ["dist2target"]}}, MethodError, "dist2target"),
        ({"uncertain": {"aggregation": ["median"]}}, MethodError, "median"),
        ({"uncertain": {"winmax": ["two"]}}, MethodError, "two"),
        ({"uncertain": {"imputation": ["mode"]}}, MethodError, "mode"),
        ({"uncertain": {"weights": {"perturb": 1.5}}}, ParameterError, "[0, 1)"),
        ({"base": {"treat": "jrc"}}, ParameterError, "treat"),
        ({"base": {"weights": "meta"}}, MethodError, "framework"),
        ({"base": {"order": "impute,screen"}}, MethodError, "denominate"),
    ],
)
def test_bad_spec_names_the_problem(bad, error, word):
    with pytest.raises(error) as exc:
        rb.load_spec(bad)
    assert word in str(exc.value)


def test_a_spec_with_screen_after_impute_is_told_to_use_order():
    with pytest.raises(ParameterError, match="order: \\[denominate, impute, screen"):
        rb.load_spec({"base": {"screen_after_impute": True}})


def test_base_order_is_canonical_and_overridable():
    sp = rb.load_spec(
        {"base": {"order": "Denominate, impute, screen, treat, normalise, aggregate"}}
    )
    assert sp["base"]["order"] == [
        "denominate", "impute", "screen", "treat", "normalise", "aggregate"
    ]  # fmt: skip
    assert rb.load_spec({})["base"]["order"] == [
        "denominate", "screen", "impute", "treat", "normalise", "aggregate"
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["coinr-vignette", "commune", "commune-full"])
def test_presets_use_the_one_weights_vocabulary(name):
    assert rb.load_spec(name)["base"]["weights"] == "framework"


def test_unknown_preset_lists_presets():
    with pytest.raises(ParameterError, match="coinr-vignette"):
        rb.load_spec("no-such-preset")
