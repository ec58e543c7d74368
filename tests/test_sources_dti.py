"""analysis.sources.dti: the provincial DTI, the district DTI and the targets frozen in data/raw.

Known answers: the published PDTI of the five provinces whose main indices are printed, and
hand-checked values for Quảng Nam; the frozen tables rebuild byte-identically from the facts.
"""

from __future__ import annotations

import importlib.util
import unicodedata

import numpy as np
import pandas as pd
import pytest

from analysis import config
from analysis.composite import compute_scores
from analysis.errors import ParameterError
from analysis.frameworks import load_framework
from analysis.sources import load_real_data
from analysis.sources.dti import (
    DTI_MAIN_INDICES,
    load_dti,
    load_dti_districts,
    load_dti_pillars,
    load_targets,
)

FACTS = config.ROOT.parent / "shared" / "context" / "facts"


def test_dti_quang_nam_2022_published_values(dti):
    pub = dti.published.set_index(["unit_code", "period", "name"])
    expect = {"dti": (0.5808, 31), "cqs": (0.6674, 30), "kts": (0.6062, 45), "xhs": (0.5585, 41)}
    for metric, (value, rank) in expect.items():
        row = pub.loc[("49", "2022", metric)]
        assert (
            row["value"] == pytest.approx(value, abs=1e-12)
            and row["rank"] == rank
            and row["rank_of"] == 63
        )
        assert "7501-KH-UBND" in row["source"] and row["confidence_level"] == "high"
    assert pub.loc[("VN-PMEAN", "2022", "dti"), "value"] == pytest.approx(0.5791)
    means = dti.published[
        (dti.published["unit_code"] == "VN-PMEAN") & (dti.published["name"] == "dti")
    ]
    assert dict(zip(means["period"], means["value"], strict=True)) == pytest.approx(
        {"2020": 0.3026, "2021": 0.4014, "2022": 0.5791, "2023": 0.6783, "2024": 0.6961}
    )
    u = dti.units.set_index("unit_code")
    assert u.loc["49", "name_vi"] == "Quảng Nam" and u.loc["49", "unit_type"] == "province"
    assert (
        15.0 < u.loc["49", "lat"] < 16.5 and 107.0 < u.loc["49", "lon"] < 109.0
    )  # vietnamadminunits centroid
    assert u.loc["VN-PMEAN", "unit_type"] == "mean"


def test_dti_full_2022_rank_order(dti):
    r = dti.published[
        (dti.published["period"] == "2022")
        & (dti.published["name"] == "dti")
        & (dti.published["unit_code"] != "VN-PMEAN")
    ]
    assert (
        len(r) == 63 and r["unit_code"].is_unique and r["unit_code"].str.fullmatch(r"\d{2}").all()
    )
    ranks = sorted(r["rank"].astype(int))
    assert ranks == sorted([*range(1, 16), 15, *range(17, 64)])  # tie at 15 (Thanh Hóa, Yên Bái)
    by = r.set_index("unit_code")["rank"]
    assert by["48"] == 1 and by["06"] == 63 and by["49"] == 31 and by["38"] == 15 and by["15"] == 15


def test_dti_preset_reproduces_pdti_of_the_five_provinces(dti, index_vs_published):
    """PDTI = sum(main index x points)/1000 (Decision 922): the preset's index, to 4 decimals."""
    obs = dti.observations[dti.observations["indicator"].isin(DTI_MAIN_INDICES)]
    assert obs["unit_code"].nunique() == 5
    s = compute_scores(obs, load_framework(config.FRAMEWORKS / "dti_provincial.yaml"))
    m = index_vs_published(s, dti.published, "dti")
    assert sorted(m["unit_code"]) == ["22", "46", "48", "79", "92"]
    assert m["diff"].max() <= 1e-4
    assert m.set_index("unit_code").loc["48", "value"] == pytest.approx(0.800175, abs=1e-9)
    wrong = index_vs_published(
        compute_scores(obs, "dti_provincial", weights="equal"), dti.published, "dti"
    )
    assert wrong["diff"].max() > 1e-3


def test_dti_pillar_table_and_quang_nam_gaps_by_hand():
    pt = load_dti_pillars()
    assert list(pt.columns[:7]) == [
        "unit_code",
        "period",
        "government",
        "economy",
        "society",
        "index",
        "status",
    ]
    qn = pt.set_index(["unit_code", "period"]).loc[("49", "2022")]
    assert qn["government"] - qn["economy"] == pytest.approx(0.0612, abs=1e-9)
    assert qn["government"] - qn["society"] == pytest.approx(0.1089, abs=1e-9)
    assert qn["government"] - (qn["economy"] + qn["society"]) / 2 == pytest.approx(
        0.08505, abs=1e-9
    )
    assert (qn["rank_government"], qn["rank_economy"], qn["rank_society"]) == (30, 45, 41)
    assert qn["status"] == "observed"
    derived = pt.set_index(["unit_code", "period"]).loc[("49", "2021")]
    assert (
        derived["status"] == "estimated"
        and np.isnan(derived["government"])
        and derived["rank_economy"] == 19
    )
    mean24 = pt.set_index(["unit_code", "period"]).loc[("VN-PMEAN", "2024")]
    assert mean24[["government", "economy", "society", "index"]].tolist() == pytest.approx(
        [0.7582, 0.7723, 0.7692, 0.6961]
    )


def test_dti_status_conflicts_and_notes(dti):
    obs = dti.observations.set_index(["unit_code", "period", "indicator"])
    assert obs.loc[("84", "2021", "dti"), "status"] == "estimated"  # Trà Vinh 2021: 0.6077 - 0.1783
    assert obs.loc[("84", "2021", "dti"), "value"] == pytest.approx(0.4294)
    assert set(dti.observations["status"]) <= {"observed", "estimated"}
    kg = dti.published.set_index(["unit_code", "period", "name"]).loc[("91", "2020", "dti")]
    assert kg["rank"] == 8
    assert any("2020 91 dti" in n and "disagree" in n for n in dti.notes)
    assert any(n.startswith("DTI 2023:") and "pillar values for 0" in n for n in dti.notes)
    high = load_dti(min_confidence="high")
    assert ("49", "2020", "dti") not in high.published.set_index(
        ["unit_code", "period", "name"]
    ).index
    p34 = load_dti(scope="34_provinces").published.set_index("unit_code")
    assert (
        p34.loc["48-2025", "value"] == pytest.approx(0.7069) and p34.loc["04-2025", "rank_lo"] == 32
    )
    with pytest.raises(ParameterError, match="scope='districts'"):
        load_dti(scope="districts")
    with pytest.raises(ParameterError, match="source='oecd'"):
        load_real_data("oecd")


def test_dti_raw_rows_are_cited_and_nfc():
    raw = pd.read_csv(config.RAW / "dti" / "dti_provincial.csv", dtype=str, keep_default_na=False)
    assert raw["source_url"].str.startswith("http").all()
    assert raw["confidence_level"].isin(["high", "medium-high", "medium", "low"]).all()
    assert (
        raw["value"].ne("") | raw["rank"].ne("") | raw["value_lo"].ne("") | raw["rank_lo"].ne("")
    ).all()
    for col in ("unit_name", "source_note", "as_published"):
        assert all(unicodedata.is_normalized("NFC", s) for s in raw[col])
    for name in ("SOURCE.md",):
        text = (config.RAW / "dti" / name).read_text(encoding="utf-8")
        assert "What is missing" in text and "Licence" in text


def test_dti_districts_and_targets():
    d = load_dti_districts().set_index("unit_code")
    assert len(d) == 18 and d.loc["506", "unit_name"] == "Đại Lộc" and d.loc["506", "rank"] == 5
    assert d.loc["509", "value"] == pytest.approx(93.16) and d["value"].notna().sum() == 2
    t = load_targets()
    assert t["source_url"].str.contains("http").all()
    egdi = t[(t["document_id"] == "749/QĐ-TTg") & t["indicator_vi"].str.contains("EGDI")].set_index(
        "target_year"
    )
    assert (
        egdi.loc["2030", "target_op"],
        egdi.loc["2030", "target_value"],
        egdi.loc["2030", "target_unit"],
    ) == ("<=", 50, "rank")
    kts = t[
        (t["document_id"] == "411/QĐ-TTg") & (t["indicator_vi"] == "Kinh tế số / GDP")
    ].set_index("target_year")
    assert kts.loc["2025", "target_value"] == 20 and kts.loc["2030", "target_value"] == 30
    universal = t[t["as_published"].str.contains("phổ cập")]
    assert len(universal) == 3 and universal["target_value"].isna().all()
    assert set(t["row_kind"]) == {"target", "status", "goal"}
    assert set(t["pillar"].dropna()) == {"government", "economy", "society"}


@pytest.mark.skipif(not FACTS.is_dir(), reason="shared context facts absent")
@pytest.mark.parametrize(
    "folder, script, outputs",
    [
        (
            "dti",
            "build_dti.py",
            ["dti_provincial.csv", "quangnam_district_dti_2023.csv", "dti_methodology.csv"],
        ),
        ("targets", "build_targets.py", ["targets.csv"]),
    ],
)
def test_frozen_tables_rebuild_byte_identically(tmp_path, folder, script, outputs, capsys):
    spec = importlib.util.spec_from_file_location(f"_build_{folder}", config.RAW / folder / script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.HERE, mod.FACTS = tmp_path, FACTS
    mod.main()
    for name in outputs:
        assert (tmp_path / name).read_bytes() == (config.RAW / folder / name).read_bytes(), name


def test_dti_published_pillars_gap_table_by_hand(dti):
    """Gap notebooks on the published DTI pillars: Quảng Nam and Trà Vinh 2022, provincial mean 2024."""
    from analysis.gaps import compute_gaps

    fw = load_framework(config.FRAMEWORKS / "dti_pillars.yaml")
    obs = dti.observations[dti.observations["indicator"].isin(["cqs", "kts", "xhs"])]
    g = compute_gaps(compute_scores(obs, fw), fw, n_boot=200, seed=1).set_index(
        ["unit_code", "period"]
    )
    hand = {
        ("49", "2022"): (0.0612, 0.1089, 0.6674 - (0.6062 + 0.5585) / 2),
        ("84", "2022"): (0.0036, 0.0692, 0.6683 - (0.6647 + 0.5991) / 2),
        ("VN-PMEAN", "2024"): (-0.0141, -0.0110, 0.7582 - (0.7723 + 0.7692) / 2),
    }
    assert set(g.index) == set(hand) | {("27", "2020")}  # Bắc Ninh 2020 (DTI 2020 method)
    for key, (econ, soc, mean) in hand.items():
        assert g.loc[key, ["gap_econ", "gap_soc", "gap_mean"]].tolist() == pytest.approx(
            [econ, soc, mean], abs=1e-9
        )
    assert g.loc[("49", "2022"), "gap_mean"] == pytest.approx(0.08505, abs=1e-9)
    assert g.loc[("49", "2022"), "typology"] == "balanced_high"  # 0.085 < delta 0.10
