"""analysis.sources.desi: the EU DESI (2022 method) dimensions, and the published totals reproduced.

Tests that need ``../shared/datasets/desi`` skip when it is absent.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import config
from analysis.composite import compute_scores
from analysis.errors import DataValidationError
from analysis.frameworks import load_framework
from analysis.sources.desi import DESI_DIMENSIONS, load_desi

DESI_DIR = config.SHARED_DATASETS / "desi"
needs_desi = pytest.mark.skipif(not DESI_DIR.is_dir(), reason="shared datasets (desi) absent")
#: DESI: pc_desi published to 6 significant digits (< 5e-7 each); 4 dimensions + total -> 2.5e-6
#: as a fraction, 2.5e-4 on the 0-100 scale.
DESI_TOL = 2.5e-4


@needs_desi
def test_desi_loader_contract_and_mapping(desi):
    obs, units, pub = desi
    assert list(obs.columns) == ["unit_code", "period", "indicator", "value", "status", "source"]
    assert sorted(obs["period"].unique()) == [str(y) for y in range(2017, 2023)]
    assert set(obs["indicator"]) == set(DESI_DIMENSIONS)
    assert obs.groupby("period")["unit_code"].nunique().eq(28).all()  # 27 members + EU
    assert obs["value"].between(0, 100).all()
    fi = obs[(obs["unit_code"] == "FI") & (obs["period"] == "2022")].set_index("indicator")["value"]
    assert fi.sum() / 4 == pytest.approx(69.5976, abs=DESI_TOL)  # published 0.695976 x 100
    assert units.set_index("unit_code").loc["EL", "iso3"] == "GRC"
    no_eu = load_desi(DESI_DIR)
    assert "EU" not in set(no_eu.observations["unit_code"]) and "EU" in set(
        no_eu.published["unit_code"]
    )


@needs_desi
def test_desi2022_preset_reproduces_published_totals(desi, index_vs_published):
    s = compute_scores(desi.observations, load_framework(config.FRAMEWORKS / "desi2022.yaml"))
    m = index_vs_published(s, desi.published, "desi", scale=100.0)
    assert len(m) == 6 * 28
    assert m["diff"].max() <= DESI_TOL, m.nlargest(3, "diff")
    y22 = m[m["period"] == "2022"].set_index("unit_code")
    assert len(y22) == 28
    # totals as printed in the DESI 2022 report (one decimal)
    for code, printed in {"FI": 69.6, "DK": 69.3, "NL": 67.4, "EU": 52.3, "RO": 30.6}.items():
        assert round(y22.loc[code, "value"] * 100, 1) == printed
    assert y22.drop("EU")["rank"].min() == 1 and y22.loc["FI", "rank"] == 1
    wrong = index_vs_published(
        compute_scores(desi.observations, "desi2022", weights="equal"),
        desi.published,
        "desi",
        scale=100.0,
    )
    assert wrong["diff"].max() > 0.1


@needs_desi
def test_desi_pillars_follow_the_mapping(desi):
    s = compute_scores(desi.observations.query("period == '2022'"), "desi2022")
    p = s[(s["level"] == "pillar") & (s["unit_code"] == "DK")].set_index("name")["value"]
    raw = desi.observations.query("period == '2022' and unit_code == 'DK'").set_index("indicator")[
        "value"
    ]
    assert p["government"] == pytest.approx(raw["dps"] / 100, abs=1e-12)
    assert p["economy"] == pytest.approx(raw["idt"] / 100, abs=1e-12)
    assert p["society"] == pytest.approx((raw["hc"] + raw["conn"]) / 200, abs=1e-12)


@needs_desi
def test_desi_long_export_alone_gives_the_same_scores(desi):
    long = load_desi(DESI_DIR / "DESI.csv", include_aggregate=True)
    a = long.observations.set_index(["unit_code", "period", "indicator"])["value"].sort_index()
    b = desi.observations.set_index(["unit_code", "period", "indicator"])["value"].sort_index()
    pd.testing.assert_series_equal(a, b, atol=1e-9, rtol=0)
    only_dims = load_desi(DESI_DIR / "desi_dimension_scores_2017_2022.csv")
    assert only_dims.published.empty and any("no published totals" in n for n in only_dims.notes)


def test_desi_errors_name_the_file(tmp_path):
    bad = tmp_path / "desi_dimension_scores_x.csv"
    bad.write_text(
        "desi_edition_year,country_code,human_capital_desi_hc,connectivity_desi_conn,"
        "integration_digital_tech_desi_idt,digital_public_services_desi_dps\n"
        "2022,FI,0.2,0.1,0.2,x\n",
        encoding="utf-8",
    )
    with pytest.raises(
        DataValidationError,
        match=r"desi_dimension_scores_x.csv:2.*digital_public_services_desi_dps.*'x'",
    ):
        load_desi(bad)


@needs_desi
def test_desi_gap_table_matches_hand_computation(desi):
    """DESI 2022 gaps from the published pc_desi values, by hand (score/100 = 4 x pc_desi).

    DK: G = 4*0.207671, E = 4*0.144978, S = 2*(0.147967 + 0.192723);
    FI: G = 4*0.218413, E = 4*0.147716, S = 2*(0.178477 + 0.151370);
    RO: G = 4*0.052608, E = 4*0.037881, S = 2*(0.077294 + 0.138065) (values as in the CSV).
    """
    from analysis.gaps import compute_gaps

    fw = load_framework(config.FRAMEWORKS / "desi2022.yaml")
    obs = desi.observations.query("period == '2022' and unit_code != 'EU'")
    g = compute_gaps(compute_scores(obs, fw), fw, n_boot=200, seed=1).set_index("unit_code")
    hand = {
        "DK": (0.830684, 0.579912, 0.681380),
        "FI": (0.873652, 0.590864, 0.659694),
        "RO": (0.210433, 0.151526, 0.430718),
    }
    for code, (G, E, S) in hand.items():
        row = g.loc[code]
        assert (row["government"], row["economy"], row["society"]) == pytest.approx(
            (G, E, S), abs=2e-6
        )
        assert row["gap_econ"] == pytest.approx(G - E, abs=4e-6)
        assert row["gap_soc"] == pytest.approx(G - S, abs=4e-6)
        assert row["gap_mean"] == pytest.approx(G - (E + S) / 2, abs=4e-6)
        assert row["status"] == "observed"
    assert g.loc["DK", "gap_mean"] == pytest.approx(0.200038, abs=4e-6)
    assert (
        g.loc["RO", "gap_soc"] < 0 < g.loc["RO", "gap_econ"]
    )  # Romania: society ahead of government
    assert (
        g.loc["FI", "rank_government"] == 2
        and g.loc["FI", "rank_economy"] == 1
        and g.loc["DK", "rank_society"] == 1
    )
    assert len(g) == 27
