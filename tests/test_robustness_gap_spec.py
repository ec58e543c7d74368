"""Tests of the Monte Carlo of one analysis (issue 15): the scale drawn among the absolute
scales, the sign share of each gap, the relative scale kept out, and the method record."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis import gaps as G
from analysis import robustness as rb
from analysis.composite import compute_scores, pillar_table
from analysis.composite.scales import ScaleMeta
from analysis.frameworks import framework_from_dict, load_framework

PIL = ("government", "economy", "society")


def _framework(gov_targets, other_targets=None):
    """Two % indicators per pillar on [0, 100]; national targets on the government indicators."""
    ind = []
    for p in PIL:
        for j in range(2):
            t25, t30 = gov_targets if p == "government" else (other_targets or (None, None))
            ind.append(dict(id=f"{p}_{j}", pillar=p, name_vi="x", name_en="x", unit="%", direction=1,
                            kind="rate", goalposts=[0, 100], weight=1, target_2025=t25, target_2030=t30,
                            target_source="test" if t25 or t30 else None))  # fmt: skip
    return framework_from_dict({"id": "t", "pillars": [{"id": p} for p in PIL], "indicators": ind})


def _obs(values: dict, n: int = 8, rng=None) -> pd.DataFrame:
    """values: pillar -> (n,) or scalar % values, the same for both indicators of a pillar."""
    rng = rng or np.random.default_rng(0)
    rows = []
    for u in range(n):
        for p in PIL:
            v = np.broadcast_to(np.asarray(values[p], float), (n,))[u]
            for j in range(2):
                rows.append(dict(unit_code=f"{u:02d}", period="2025H1", indicator=f"{p}_{j}",
                                 value=float(v + rng.normal(0, 0.5)), status="synthetic"))  # fmt: skip
    return pd.DataFrame(rows)


def _gaps_with_mc(obs, fw, draws=120):
    sc = compute_scores(obs, fw, units=pd.DataFrame({"unit_code": obs["unit_code"].unique()}))
    spec = rb.gap_spec(ScaleMeta.from_framework(fw))
    unc = rb.run_uncertainty_tidy(obs, fw, None, spec, draws=draws, seed=3)
    gaps = rb.add_method_intervals(G.compute_gaps(sc, fw, n_boot=200), unc)
    return sc, gaps, spec


def test_scale_list_is_pruned_to_what_the_framework_can_tell_apart():
    meta = ScaleMeta.from_framework(load_framework())
    spec = rb.gap_spec(meta)
    assert spec["base"]["normalisation"] == "target:2025"
    assert spec["uncertain"]["normalisation"] == [
        "target:2025",
        "target:2030",
        "goalposts",
        "goalposts:0,100",
    ]
    # no 2030 target, every % already on [0, 100]: two scales left; no target at all: none varied
    fw = _framework((60, None))
    assert rb.gap_spec(ScaleMeta.from_framework(fw))["uncertain"]["normalisation"] == [
        "target:2025",
        "goalposts",
    ]
    assert (
        "normalisation"
        not in rb.gap_spec(ScaleMeta.from_framework(_framework((None, None))))["uncertain"]
    )
    # a relative scale has no common zero: the scale is not varied, the base is the run's scale
    z = rb.gap_spec(meta, normalise="zscore", aggregate="geometric", impute="mean")
    assert "normalisation" not in z["uncertain"]
    assert (z["base"]["normalisation"], z["base"]["aggregation"], z["base"]["impute"]) == (
        "zscore:0,1",
        "geometric",
        "mean",
    )
    assert "locf" in rb.gap_spec(meta, impute="locf")["base_note"]
    mc = rb.describe_monte_carlo(spec, draws=500, periods=["2025H1"])
    assert mc["varied"] == ["scale", "weights", "aggregation", "imputation", "leave_one_out"]
    assert mc["scales"] == spec["uncertain"]["normalisation"]
    assert mc["weights"] == "+/-25% at indicator and pillar level"
    assert rb.describe_monte_carlo(z, draws=1, periods=[])["varied"] == [
        "weights", "aggregation", "imputation", "leave_one_out",
    ]  # fmt: skip
    json.dumps(mc)


def test_sign_share_when_the_sign_flips_under_z_scores_only():
    """G ~ 90 %, E ~ 30 %: positive on every absolute scale (sign robust), but z-scores of the
    indicators centre both pillars on 0, so 'G > E' holds in only some communes there."""
    fw = _framework((80, 95))
    rng = np.random.default_rng(1)
    obs = _obs(
        {
            "government": rng.uniform(85, 95, 10),
            "economy": rng.uniform(20, 40, 10),
            "society": 50.0,
        },
        n=10,
    )
    sc, gaps, _ = _gaps_with_mc(obs, fw)
    assert (gaps["gap_econ_share_positive"] == 1.0).all() and gaps["gap_econ_sign_robust"].all()
    rel = pillar_table(compute_scores(obs, fw, normalise="zscore"))
    c = G.compute_district_claims(sc, fw, gaps=gaps, relative=rel, n_boot=200).set_index("gap")
    assert c.at["gap_econ", "n_positive"] == 10 and c.at["gap_econ", "n_sign_robust_positive"] == 10
    assert 0 < c.at["gap_econ", "relative_scale_n_positive"] < 10


def test_sign_share_when_the_sign_depends_on_the_absolute_scale():
    """Government at 60 % with a 2025 target of 60 (attainment 1) and a 2030 target of 100
    (0.6); economy at 80 % without target (0.8): G - E is +0.2 on target:2025 and -0.2 on
    target:2030 and the goalposts. The sign is not robust and the share says how often."""
    fw = _framework((60, 100))
    obs = _obs({"government": 60.0, "economy": 80.0, "society": 70.0}, n=6)
    _, gaps, spec = _gaps_with_mc(obs, fw, draws=150)
    assert spec["uncertain"]["normalisation"] == ["target:2025", "target:2030", "goalposts"]
    share = gaps["gap_econ_share_positive"]
    assert share.between(0.15, 0.55).all() and not gaps["gap_econ_sign_robust"].any()
    assert (gaps["gap_econ_method_lo"] < 0).all() and (gaps["gap_econ_method_hi"] > 0).all()


@pytest.mark.skipif(not config.DEMO_OBSERVATIONS.exists(), reason="demo panel not built")
def test_results_method_follows_the_run_and_survives_the_store(tmp_path):
    from analysis import store, workflow

    inputs = workflow.load_inputs()
    res = workflow.compute_results(
        inputs, n_boot=100, draws=30, target_year=2030, store_dir=tmp_path
    )
    m = res.method
    assert m["scale"]["label"] == "target:2030" and m["scale"]["n_with_target"] == 6
    assert m["monte_carlo"]["base"]["scale"] == "target:2030"
    assert "scale" in m["monte_carlo"]["varied"] and m["monte_carlo"]["draws"] == 30
    assert m["selection_interval"] == {"level": 0.9, "n_boot": 100, "method": "expanded"}
    assert m["joint"]["method"].startswith("max-t") and "Holm" in m["multiplicity"]
    json.dumps(m)
    key = store.results_key(inputs.digest, res.params | {"x": 1})
    store.save(tmp_path, key, res)
    back = store.load(tmp_path, key)
    assert back.method == m
    pd.testing.assert_frame_equal(back.claims, res.claims)
    assert back.gaps.attrs["interval_notes"] == res.gaps.attrs["interval_notes"]
    # a different spec gives a different record
    other = workflow.compute_results(inputs, n_boot=100, draws=30, normalise="zscore")
    assert (
        other.method["scale"]["relative"] and "scale" not in other.method["monte_carlo"]["varied"]
    )
    # the gap table: sign share for every gap, method interval, no retired names
    cols = set(res.gaps.columns)
    for gap in G.GAP_SERIES:
        assert {
            f"{gap}_sel_lo",
            f"{gap}_method_hi",
            f"{gap}_share_positive",
            f"{gap}_sign_robust",
        } <= cols
    assert not [
        c for c in cols if c.endswith(("_mc_lo", "_mc_hi")) or c in ("gap_econ_lo", "gap_mean_hi")
    ]
    assert len(res.claims) == 3 * res.pillars["period"].nunique()
