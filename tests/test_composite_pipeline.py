"""Tests of analysis.composite.pipeline: the tidy commune path and the presets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.composite import (
    compute_scores,
    get_preset,
    pillar_table,
)
from analysis.composite.pipeline import framework_imeta
from analysis.errors import MethodError

# --------------------------------------------------------------------------- tidy commune path
GOV = [
    "gov_level4_services_pct",
    "gov_online_dossier_pct",
    "gov_ontime_dossier_pct",
    "gov_edocument_pct",
    "gov_digital_signature_pct",
    "gov_staff_digital_skills_pct",
]
ECON = {
    "econ_cashless_merchants_pct": 80.0,  # /100 -> 0.8
    "econ_ecommerce_retail_pct": 20.0,  # goalposts [0, 40] -> 0.5
    "econ_ocop_online_pct": 0.0,  # 0
    "econ_einvoice_pct": 100.0,  # 1
    "econ_sme_platform_pct": 50.0,  # 0.5
    "econ_digital_workforce_pct": 12.0,  # goalposts [0, 10] -> clipped to 1
}
SOC = [
    "soc_smartphone_adults_pct",
    "soc_payment_account_pct",
    "soc_fibre_households_pct",
    "soc_vneid_activated_pct",
    "soc_digital_skills_pct",
    "soc_ehealth_record_pct",
    "soc_cdt_team_villages_pct",
]
UNITS = pd.DataFrame(
    {
        "unit_code": ["20500", "20503"],
        "population": [17493, 3247],
        "households": [4963, 1019],
        "former_district": ["X", "X"],
    }
)


def _tiny_panel() -> pd.DataFrame:
    rows = []

    def add(u, per, ind, v, status="observed"):
        rows.append(
            {
                "unit_code": u,
                "period": per,
                "indicator": ind,
                "value": v,
                "status": status,
                "source": "test",
            }
        )

    for per in ("2024H1", "2024H2"):
        # unit 20500: government 10..60 -> 0.35 ; economy 0.6 ; society 0.7 ; index 0.55
        for k, ind in enumerate(GOV):
            add("20500", per, ind, 10.0 * (k + 1), "estimated" if k == 0 else "observed")
        for ind, v in ECON.items():
            add("20500", per, ind, v)
        add(
            "20500", per, "econ_online_shops_per_1000hh", 4963 * 20 / 1000
        )  # 20 per 1,000 households -> 0.4
        for ind in SOC:
            add("20500", per, ind, 70.0)
        # unit 20503: government 1.0 ; economy without OCOP 4.2/6 = 0.7 ; society 0.4 (H1) ; index 0.7
        for ind in GOV:
            add("20503", per, ind, 100.0 if per == "2024H1" else 0.0)
        for ind, v in ECON.items():
            if ind != "econ_ocop_online_pct":
                add("20503", per, ind, v)
        add("20503", per, "econ_online_shops_per_1000hh", 1019 * 20 / 1000)
        for ind in SOC:
            add(
                "20503",
                per,
                ind,
                40.0 if per == "2024H1" else 5.0,
                "synthetic" if ind == SOC[0] else "observed",
            )
    return pd.DataFrame(rows)


def test_commune_tidy_known_answers():
    scores, report = compute_scores(
        _tiny_panel(), units=UNITS, normalise="goalposts", return_report=True
    )
    assert list(scores.columns) == ["unit_code", "period", "level", "name", "value", "status"]
    assert set(scores["level"]) == {"indicator", "pillar", "index"}
    wide = pillar_table(scores).set_index(["unit_code", "period"])
    assert list(wide.columns) == ["government", "economy", "society", "index", "status"]
    np.testing.assert_allclose(
        wide.loc[("20500", "2024H1"), ["government", "economy", "society", "index"]].to_numpy(
            float
        ),
        [0.35, 0.6, 0.7, 0.55],
    )
    np.testing.assert_allclose(
        wide.loc[("20503", "2024H1"), ["government", "economy", "society", "index"]].to_numpy(
            float
        ),
        [1.0, 0.7, 0.4, 0.7],
    )
    # fixed goalposts: 20500 is unchanged between periods although 20503 moved a lot
    np.testing.assert_allclose(
        wide.loc[("20500", "2024H2")].iloc[:4].to_numpy(float), [0.35, 0.6, 0.7, 0.55]
    )
    # statuses: worst input status
    assert wide.loc[("20500", "2024H1"), "status"] == "estimated"
    assert wide.loc[("20503", "2024H1"), "status"] == "synthetic"
    ind = scores.set_index(["unit_code", "period", "name"])
    assert ind.loc[("20500", "2024H1", "government"), "status"] == "estimated"
    assert ind.loc[("20500", "2024H1", "economy"), "status"] == "observed"
    assert ind.loc[("20500", "2024H1", "econ_online_shops_per_1000hh"), "value"] == pytest.approx(
        0.4
    )
    assert ("20503", "2024H1", "econ_ocop_online_pct") not in ind.index
    clipped = report["clipped"]
    assert set(clipped["indicator"]) == {"econ_digital_workforce_pct"} and len(clipped) == 4


def test_commune_tidy_imputation_and_weights():
    scores = compute_scores(_tiny_panel(), units=UNITS, normalise="goalposts", impute="mean")
    ind = scores.set_index(["unit_code", "period", "name"])
    assert ind.loc[("20503", "2024H1", "econ_ocop_online_pct"), "status"] == "imputed"
    assert ind.loc[("20503", "2024H1", "economy"), "value"] == pytest.approx(0.6)
    assert ind.loc[("20503", "2024H1", "economy"), "status"] == "imputed"
    dti = pillar_table(
        compute_scores(_tiny_panel(), units=UNITS, normalise="goalposts", weights="dti")
    ).set_index(["unit_code", "period"])
    assert dti.loc[("20500", "2024H1"), "index"] == pytest.approx(
        0.4 * 0.35 + 0.3 * 0.6 + 0.3 * 0.7
    )
    # locf: drop one H2 value of 20500 -> carried from H1, marked imputed
    panel = _tiny_panel()
    panel = panel[
        ~(
            (panel["unit_code"] == "20500")
            & (panel["period"] == "2024H2")
            & (panel["indicator"] == GOV[1])
        )
    ]
    locf = compute_scores(panel, units=UNITS, impute="locf").set_index(
        ["unit_code", "period", "name"]
    )
    assert locf.loc[("20500", "2024H2", GOV[1]), "value"] == pytest.approx(0.2)
    assert locf.loc[("20500", "2024H2", GOV[1]), "status"] == "imputed"
    by = compute_scores(
        _tiny_panel(), units=UNITS, normalise="goalposts", impute="mean-by:former_district"
    ).set_index(["unit_code", "period", "name"])
    assert by.loc[("20503", "2024H1", "econ_ocop_online_pct"), "value"] == 0.0


def test_commune_tidy_minmax_per_period_and_geometric():
    s = pillar_table(compute_scores(_tiny_panel(), units=UNITS, normalise="minmax")).set_index(
        ["unit_code", "period"]
    )
    # two units: every indicator present for both is 0 or 1; government 20503 > 20500 in H1 only
    assert (
        s.loc[("20503", "2024H1"), "government"] == 1.0
        and s.loc[("20503", "2024H2"), "government"] == 0.0
    )
    g = pillar_table(
        compute_scores(_tiny_panel(), units=UNITS, normalise="goalposts", aggregate="geometric")
    ).set_index(["unit_code", "period"])
    a = pillar_table(compute_scores(_tiny_panel(), units=UNITS, normalise="goalposts")).set_index(
        ["unit_code", "period"]
    )
    assert (g["index"] <= a["index"] + 1e-12).all()


def test_commune_preset_on_wide_data():
    preset = get_preset("commune")
    imeta = preset.imeta
    assert {"goalpost_lower", "goalpost_upper"} <= set(imeta.columns)
    inds = imeta.loc[imeta["Type"] == "Indicator", "iCode"].tolist()
    wide = pd.DataFrame({i: [50.0, 100.0] for i in inds}, index=["20500", "20503"])
    res = preset.run(wide)
    assert (
        res.scores.loc["20503", "government"] == 1.0
        and res.scores.loc["20500", "government"] == 0.5
    )
    assert res.ranks.tolist() == [2.0, 1.0]
    with pytest.raises(MethodError, match="unknown preset"):
        get_preset("nope")


def test_framework_imeta_has_goalposts_for_every_indicator():
    from analysis.frameworks import load_framework

    m = framework_imeta(load_framework())
    ind = m[m["Type"] == "Indicator"]
    assert ind["goalpost_upper"].gt(ind["goalpost_lower"]).all() and len(ind) == 20


def test_demo_panel_runs_and_stays_synthetic():
    path = config.DEMO_OBSERVATIONS
    if not path.exists():
        pytest.skip("demo panel not built")
    from analysis.loaders import load_observations

    obs = load_observations(path, validate=False)
    scores = compute_scores(obs)
    assert set(scores["status"]) == {"synthetic"}
    tab = pillar_table(scores)
    assert tab[["government", "economy", "society", "index"]].stack().between(0, 1).all()
