"""analysis.frameworks: the commune framework and the errors of a malformed one."""

from __future__ import annotations

import pytest

from analysis.errors import FrameworkError
from analysis.frameworks import framework_from_dict


def test_commune_framework_has_three_pillars_six_plus_indicators_and_cited_targets(
    commune_framework,
):
    fw = commune_framework
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
