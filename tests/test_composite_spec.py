"""Tests of analysis.composite.spec: the one parser of method strings."""

from __future__ import annotations

import pytest

from analysis.composite import spec as S
from analysis.errors import MethodError


def test_order_default_and_coinr_example():
    assert S.parse_order() == S.DEFAULT_ORDER == (
        "denominate", "screen", "impute", "treat", "normalise", "aggregate"
    )  # fmt: skip
    assert S.parse_order(" Denominate,impute , screen,treat,normalise,aggregate") == (
        S.COINR_EXAMPLE_ORDER
    )
    assert S.parse_order(list(S.COINR_EXAMPLE_ORDER)) == S.COINR_EXAMPLE_ORDER
    assert (
        S.order_label(S.COINR_EXAMPLE_ORDER) == "denominate,impute,screen,treat,normalise,aggregate"
    )


@pytest.mark.parametrize(
    "bad, word",
    [
        ("denominate,impute,screen,treat,normalise", "missing ['aggregate']"),
        ("denominate,impute,impute,screen,treat,normalise,aggregate", "repeated ['impute']"),
        ("denominate,impute,screen,weight,treat,normalise,aggregate", "unknown step(s) ['weight']"),
        ("denominate,impute,screen,normalise,treat,aggregate", "normalise and aggregate must be"),
        ("aggregate,denominate,impute,screen,treat,normalise", "normalise and aggregate must be"),
    ],
)
def test_invalid_order_lists_the_steps(bad, word):
    with pytest.raises(MethodError) as exc:
        S.parse_order(bad)
    msg = str(exc.value)
    assert word in msg
    for step in S.STEPS:  # the message lists every step and a valid example
        assert step in msg
    assert ",".join(S.COINR_EXAMPLE_ORDER) in msg


def test_normalisation_labels():
    assert S.parse_normalisation("minmax") == ("minmax", {})
    assert S.parse_normalisation("minmax:1,100") == ("minmax", {"lo": 1.0, "hi": 100.0})
    assert S.parse_normalisation("zscore:10,2") == ("zscore", {"mean": 10.0, "sd": 2.0})
    assert S.parse_normalisation("goalposts:100") == ("goalposts", {"scale": 100.0})
    assert S.parse_normalisation("dist2target") == ("dist2target", {})
    assert S.normalisation_label({"method": "minmax", "lo": 1, "hi": 100}) == "minmax:1,100"
    assert S.normalisation_label("zscore") == "zscore:0,1"
    assert S.normalisation_spec("goalposts") == {"method": "goalposts", "scale": 1.0}
    for bad, word in [
        ("rank:1,2", "rank:1,2"),
        ("minmax:1", "expected 2 number(s)"),
        ("zscore:10,0", "sd must be > 0"),
        ("softmax", "softmax"),
        ({"method": "minmax", "loo": 1}, "not understood"),
    ]:
        with pytest.raises(MethodError, match=None) as exc:
            S.parse_normalisation(bad)
        assert word in str(exc.value), bad


def test_treatment_labels():
    assert S.parse_treatment("jrc") == 5 and S.parse_treatment("jrc:3") == 3
    assert S.parse_treatment("none") is None and S.parse_treatment("off") is None
    assert S.parse_treatment(0) is None and S.parse_treatment("2") == 2
    assert S.treatment_label("jrc:2") == "2" and S.treatment_label(None) == "off"
    for bad in ("jrc:x", "two", -1, 2.5, "jrcx"):
        with pytest.raises(MethodError):
            S.parse_treatment(bad)


def test_imputation_and_aggregation_labels():
    assert S.parse_imputation("median-by:GDP_group") == ("median", "GDP_group")
    assert S.parse_imputation("") == ("none", None) and S.parse_imputation(False) == ("none", None)
    with pytest.raises(MethodError, match="mode"):
        S.parse_imputation("mode")
    with pytest.raises(MethodError):
        S.parse_imputation("mean-by:")
    assert S.aggregation_label("a_amean") == "arithmetic"
    assert S.aggregation_label("genmean:0") == "geometric"
    assert S.aggregation_power("harmonic") == -1.0
    with pytest.raises(MethodError, match="give the power"):
        S.aggregation_label("genmean")
    with pytest.raises(MethodError, match="median"):
        S.parse_aggregation("median")


def test_one_weights_vocabulary():
    assert S.parse_weights("framework") == "framework"
    with pytest.raises(MethodError, match="'meta' is now called 'framework'"):
        S.parse_weights("meta")
    with pytest.raises(MethodError, match="framework, equal$"):
        S.parse_weights("pca", allowed=("framework", "equal"))
