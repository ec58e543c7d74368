"""Tests of analysis.gaps.covariates: planted slopes, skipped covariates, distances."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis import gaps as G
from analysis.errors import ParameterError
from analysis.units import haversine_km


def test_covariate_associations_recover_planted_slope_and_report_n():
    units = pd.read_csv(config.UNITS_CSV, dtype={"unit_code": str})
    cov = G.compute_unit_covariates(units, centre="20500").set_index("unit_code")
    assert cov.at["20500", "distance_km"] == 0.0
    assert cov["density_per_km2"].isna().sum() == 5
    assert cov.at["20500", "density_per_km2"] == pytest.approx(17493 / 12.30)
    rng = np.random.default_rng(4)
    gap = 0.05 + 0.01 * cov["distance_km"].to_numpy() + rng.normal(0, 0.005, len(cov))
    gaps = pd.DataFrame(
        {"unit_code": cov.index, "period": "2024H1", "gap_mean": gap, "status": "synthetic"}
    )
    a = G.compute_covariate_associations(gaps, units, outcomes=["gap_mean"]).set_index("covariate")
    d = a.loc["distance_km"]
    assert d["n"] == 18 and d["slope_per"] == "1 km"
    assert d["slope_lo"] < 0.01 < d["slope_hi"] and d["slope"] == pytest.approx(0.01, abs=0.001)
    assert d["rho"] > 0.9 and d["rho_lo"] > 0.7 and d["slope_p"] < 1e-6
    # one family of 3 tests here: Holm multiplies the smallest p-value by 3
    assert d["p_holm"] == pytest.approx(min(1.0, 3 * d["slope_p"]))
    assert 0 <= d["cooks_d_max"] and d["n_high_leverage"] >= 0 and pd.isna(d["note"])
    assert a.at["log2_density", "n"] == 13  # 5 communes without an area are left out, and said so
    assert a.at["log2_population", "slope_per"] == "doubling of the population"
    # a centre that is not one of the units: distance is skipped (documented), the rest is kept
    b = G.compute_covariate_associations(gaps, units, centre="99999", outcomes=["gap_mean"])
    assert list(b["covariate"]) == ["log2_density", "log2_population"]
    assert "99999" in b.attrs["skipped"]["distance_km"]
    assert b.set_index("covariate").loc["log2_population", "rho"] == pytest.approx(
        a.loc["log2_population", "rho"]
    )
    dup = pd.concat([units, units.iloc[:1]])
    with pytest.raises(ParameterError, match="centre='20500'.*2 times"):
        G.compute_covariate_associations(gaps, dup, outcomes=["gap_mean"])


def test_covariates_skipped_gracefully_for_units_without_coordinates_or_population(wide_pillars):
    """Countries (EGDI/DESI): no lat/lon/population/area, default centre absent -> empty, right columns."""
    gaps = wide_pillars([0.6, 0.7, 0.5, 0.8, 0.4], [np.nan] * 5, [0.5, 0.5, 0.6, 0.6, 0.5])
    gaps["gap_mean"] = gaps["government"] - gaps["society"]
    gaps["gap_econ"] = np.nan
    bare = pd.DataFrame({"unit_code": gaps["unit_code"], "name_vi": list("ABCDE")})
    cov = G.compute_unit_covariates(bare)
    assert cov[["distance_km", "density_per_km2", "population_2019"]].isna().all().all()
    assert set(cov.attrs["skipped"]) == {
        "distance_km", "density_per_km2", "population_2019", "log2_density", "log2_population",
    }  # fmt: skip
    a = G.compute_covariate_associations(gaps, bare, outcomes=["gap_mean"])
    assert a.empty and list(a.columns)[:4] == ["period", "outcome", "covariate", "n"]
    assert list(a.columns)[-3:] == ["slope_per", "note", "status"]
    # coordinates but no district seat among them (provinces): distance skipped, population used
    prov = bare.assign(lat=[10.0, 11, 12, 13, 14], lon=106.0, population=[1e6, 2e6, 3e6, 4e6, 5e6])
    b = G.compute_covariate_associations(gaps, prov, outcomes=["gap_mean", "gap_econ"])
    assert (
        set(b["covariate"]) == {"log2_population"} and "20500" in b.attrs["skipped"]["distance_km"]
    )
    pm = b.set_index("outcome").loc["gap_mean"]
    # 5 units: below the 10 needed, nothing is fitted and the note says why
    assert pm["n"] == 5 and pm["slope_per"] == "doubling of the population"
    assert np.isnan(pm["slope"]) and np.isnan(pm["rho"]) and pm["note"] == "too_few_units"
    assert "too_few_units" in b.attrs["notes"]
    assert b.set_index("outcome").loc["gap_econ", "n"] == 0  # no economy pillar: nothing to fit
    # with the centre among them, distance is back (0 for the centre itself)
    c = G.compute_unit_covariates(prov, centre=prov["unit_code"].iloc[0])
    assert c.at[0, "distance_km"] == 0.0 and c.at[1, "distance_km"] == pytest.approx(
        haversine_km(10.0, 106.0, 11.0, 106.0)
    )


def test_haversine_reference_distance():
    # Ái Nghĩa (20500) to Đại Sơn (20503): computed independently with the spherical law of cosines
    lat1, lon1, lat2, lon2 = 15.886972, 108.113221, 15.811651, 107.870235
    p1, p2, dl = map(math.radians, (lat1, lat2, lon2 - lon1))
    slc = (
        math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
        * 6371.0088
    )
    assert float(haversine_km(lat1, lon1, lat2, lon2)) == pytest.approx(slc, rel=1e-9)
    assert 25 < slc < 28
