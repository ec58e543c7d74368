"""Generated sentences (analysis.narrative): their text in both languages for known numbers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DAI_THANH

from analysis import narrative
from analysis.briefs.common import template_labels
from analysis.errors import RenderError
from analysis.i18n import LABELS
from analysis.narrative import brief as nb
from analysis.narrative import facts, names

PKG = Path(__file__).resolve().parents[1] / "src" / "analysis"


# --------------------------------------------------------------------------- commune sentences
@pytest.mark.parametrize(
    ("lang", "gap", "expected"),
    [
        (
            "vi",
            0.31,
            "Chính quyền số của xã Đại Thạnh đạt 78 điểm trên thang 0–100, cao hơn kinh tế số "
            "31 điểm.",
        ),
        (
            "en",
            0.31,
            "Digital government in Đại Thạnh commune scores 78 on a 0–100 scale, 31 points above "
            "the digital economy.",
        ),
        (
            "vi",
            -0.05,
            "Chính quyền số của xã Đại Thạnh đạt 78 điểm trên thang 0–100, thấp hơn "
            "kinh tế số 5 điểm.",
        ),  # fmt: skip
        (
            "vi",
            0.004,
            "Chính quyền số của xã Đại Thạnh đạt 78 điểm trên thang 0–100, ngang bằng kinh tế số.",
        ),  # fmt: skip
        (
            "en",
            -0.004,
            "Digital government in Đại Thạnh commune scores 78 on a 0–100 scale, "
            "level with the digital economy.",
        ),  # fmt: skip
    ],
)
def test_gap_sentence(lang, gap, expected):
    subject = names.unit_names(
        pd.DataFrame({"unit_code": [DAI_THANH], "name_vi": ["Đại Thạnh"], "unit_type": ["xã"]}),
        DAI_THANH,
        lang,
    ).subject
    pn = names.pillar_names(None, lang)
    got = nb.gap_sentence(lang, subject, pn["government"], pn["economy"], 0.78, gap)
    assert got == expected


def test_gap_clauses_name_each_interval():
    row = {
        "gap_econ": 0.31,
        "gap_econ_sel_lo": 0.22,
        "gap_econ_sel_hi": 0.40,
        "gap_econ_method_lo": 0.25,
        "gap_econ_method_hi": 0.38,
        "gap_econ_share_positive": 0.97,
    }
    assert nb.gap_clauses(row, "gap_econ", 0.31, 0.9, "vi") == (
        " (khoảng lựa chọn chỉ số 90%: 22–40; khoảng phương pháp: 25–38); chênh lệch dương "
        "trong 97% lựa chọn phương pháp"
    )
    assert nb.gap_clauses(row, "gap_econ", 0.31, 0.9, "en") == (
        " (90% indicator-selection interval: 22–40; method interval: 25–38); the gap is positive "
        "in 97% of method choices"
    )
    # an interval that includes zero: not established; a negative gap: its negative share
    row = {"gap_soc_sel_lo": -0.12, "gap_soc_sel_hi": 0.03, "gap_soc_share_positive": 0.1}
    assert nb.gap_clauses(row, "gap_soc", -0.05, 0.95, "en") == (
        " (95% indicator-selection interval: −12 to 3); an interval includes zero, so the gap is "
        "not established; the gap is negative in 90% of method choices"
    )
    # observations with a standard error: the selection interval with measurement error too
    meas = dict(row, gap_soc_meas_lo=-0.15, gap_soc_meas_hi=0.05)
    assert nb.gap_clauses(meas, "gap_soc", -0.05, 0.9, "vi").startswith(
        " (khoảng lựa chọn chỉ số 90%: −12 đến 3; kể cả sai số đo: −15 đến 5)"
    )
    assert nb.gap_clauses(meas, "gap_soc", -0.05, 0.9, "en").startswith(
        " (90% indicator-selection interval: −12 to 3; with measurement error: −15 to 5)"
    )
    # the retired names are not read
    assert nb.gap_clauses({"gap_econ_lo": 0.22, "gap_econ_hi": 0.40}, "gap_econ", 0.31, 0.9,
                          "vi") == ""  # fmt: skip
    # degenerate (zero spread) or missing: no interval printed, nothing said about one
    assert nb.gap_clauses({"gap_econ_sel_lo": 0.5, "gap_econ_sel_hi": 0.5}, "gap_econ", 0.5, 0.9,
                          "en") == ""  # fmt: skip
    assert nb.gap_clauses({}, "gap_econ", 0.5, 0.9, "vi") == ""


def test_other_gap_and_rank_sentences():
    assert nb.other_gap_sentence("vi", "Chính quyền số", "Xã hội số", 0.65, 0.13) == (
        "Xã hội số đạt 65 điểm; chênh lệch giữa chính quyền số và xã hội số là 13 điểm."
    )
    assert nb.other_gap_sentence("en", "Digital government", "Digital society", 0.65, 0.13) == (
        "Digital society scores 65; the gap between digital government and digital society is "
        "13 points."
    )
    rank = {"nominal": 3, "q05": 2, "q95": 7, "n": 18}
    within = "trong các xã so sánh"
    assert nb.rank_sentence("vi", "xã Đại Thạnh", rank, within=within) == (
        "Về chỉ số chung, xã Đại Thạnh xếp thứ 3/18 trong các xã so sánh (khoảng xếp hạng 90%: thứ 2–7)."
    )
    assert nb.rank_sentence("en", "Viet Nam", dict(rank, q05=None), within="in the group") == (
        "On the overall index, Viet Nam ranks 3 of 18 in the group."
    )
    assert nb.rank_texts(dict(rank, q05=6, q95=6), "vi") == {
        "text": "Thứ 3/18",
        "interval_text": "thứ 6",
    }
    assert nb.rank_texts(rank, "en") == {"text": "3 of 18", "interval_text": "2–7"}


def test_commune_key_message(brief_run):
    res, inputs = brief_run
    f = facts.commune_facts(res, inputs, DAI_THANH)
    unit = names.unit_names(inputs.units, DAI_THANH, "vi")
    pn = names.pillar_names(inputs.framework, "vi")
    msg = nb.commune_key_message(f, unit, pn, "vi", synthetic=True)
    nominal = int(res.rank_stats.set_index("unit_code").loc[DAI_THANH, "nominal"])
    assert msg[0].startswith(
        "Dữ liệu minh họa: Chính quyền số của xã Đại Thạnh đạt 78 điểm trên thang 0–100, cao "
        "hơn kinh tế số 31 điểm (khoảng lựa chọn chỉ số 90%: 22–40; khoảng phương pháp: 26–35)"
    )
    assert msg[1].startswith("Xã hội số đạt 65 điểm; chênh lệch giữa chính quyền số và xã hội số")
    assert f"xếp thứ {nominal}/18 trong các xã so sánh" in msg[2]
    assert names.compared_kind(inputs.units, f.gaps) == "xã"  # Đại Lộc: xã and a thị trấn
    # a ward among a province's communes and wards is ranked among them, not among "xã"
    mixed = nb.commune_key_message(f, unit, pn, "vi", group="xã, phường")
    assert f"xếp thứ {nominal}/18 trong các xã, phường so sánh" in mixed[2]
    en = nb.commune_key_message(f, names.unit_names(inputs.units, DAI_THANH, "en"),
                                names.pillar_names(None, "en"), "en", synthetic=True)  # fmt: skip
    assert en[0].startswith("Illustrative data: Digital government in Đại Thạnh commune")
    assert not any(s.startswith("Illustrative data") for s in en[1:])
    # observed data: no prefix; a relative scale says what its gaps mean
    obs = nb.commune_key_message(f, unit, pn, "vi", scale="rank")
    assert obs[0].startswith("Chính quyền số") and obs[-1].startswith("Thang đo tương đối")
    # no economy pillar (the EGDI): the first sentence compares with society; no economy word
    f.gaps = f.gaps.assign(economy=np.nan, gap_econ=np.nan)
    f.row = f.row.copy()
    f.row[[c for c in f.row.index if c == "economy" or c.startswith("gap_econ")]] = np.nan
    f.rank = None
    msg = nb.commune_key_message(f, names.unit_names(inputs.units, DAI_THANH, "en"),
                                 names.pillar_names(None, "en"), "en")  # fmt: skip
    assert len(msg) == 1 and "13 points above the digital society" in msg[0]
    assert "economy" not in " ".join(msg)


def test_key_message_names_each_interval(brief_run):
    res, inputs = brief_run
    f = facts.commune_facts(res, inputs, DAI_THANH)
    msg = nb.commune_key_message(f, names.unit_names(inputs.units, DAI_THANH, "en"),
                                 names.pillar_names(None, "en"), "en")  # fmt: skip
    assert msg[0].endswith(
        "(90% indicator-selection interval: 22–40; method interval: 26–35); the gap is positive "
        "in 97% of method choices."
    )


def test_published_index_leads(brief_run):
    """DTI, EGDI, DESI: the published value and rank first, the recomputation only a check."""
    pub = {"source": "dti", "value": 0.5808, "rank": 31, "of": 63, "digits": 4}
    vi = nb.published_sentences(pub, 0.6107, "Quảng Nam", "2022", "vi")
    assert vi[0] == (
        "Theo công bố DTI 2022, chỉ số của Quảng Nam là 0,5808, xếp thứ 31/63 "
        "(Bộ Thông tin và Truyền thông)."
    )
    assert "không phải DTI 2022 công bố" in vi[1]
    en = nb.published_sentences(dict(pub, source="egdi", value=0.7709, rank=71, of=193),
                                0.77088, "Viet Nam", "2024", "en")  # fmt: skip
    assert en == [
        "In the published EGDI 2024, Viet Nam scores 0.7709 and ranks 71/193 "
        "(UN E-Government Survey).",
        "Check: the index recomputed in this brief (77 on a 0–100 scale) matches the published "
        "value.",
    ]
    assert facts.recomputation_matches({"value": 54.68}, 0.5468) is True
    res, inputs = brief_run
    f = facts.commune_facts(res, inputs, DAI_THANH)
    f.published = pub
    msg = nb.commune_key_message(f, names.unit_names(inputs.units, DAI_THANH, "vi"),
                                 names.pillar_names(None, "vi"), "vi")  # fmt: skip
    assert msg[0].startswith("Theo công bố DTI") and not any("xếp thứ 1" in s for s in msg[1:])


def test_weakest_indicator_texts():
    assert nb.target_texts(12.5, 50.0, -37.5, "%", "vi") == {
        "value_text": "12,5%",
        "target_text": "50%",
        "distance_text": "còn thiếu 37,5 điểm phần trăm",
        "is_met": False,
    }
    en = nb.target_texts(1234.5, 1000.0, 234.5, "per 1,000 households", "en")
    assert en == {
        "value_text": "1,234.5 per 1,000 households",
        "target_text": "1,000 per 1,000 households",
        "distance_text": "target met",
        "is_met": True,
    }
    assert nb.target_texts(None, None, None, "%", "en")["distance_text"] == "no national target"
    assert nb.target_texts(20.0, None, None, "%", "vi")["target_text"] == "—"


# --------------------------------------------------------------------------- district sentences
def _district_gaps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "government": [0.8, 0.7, 0.5, 0.6],
            "economy": [0.4, 0.4, 0.6, 0.4],
            "society": [0.6, 0.8, 0.7, 0.5],
            "gap_econ": [0.4, 0.3, -0.1, 0.2],
            "gap_soc": [0.2, -0.1, -0.2, 0.1],
            "gap_mean": [0.3, 0.1, -0.15, 0.15],
        }
    )


def test_district_key_message_from_the_gaps_only():
    msg = nb.district_key_message(_district_gaps(), names.pillar_names(None, "vi"), 0.9, "vi")
    assert msg == [
        "Chính quyền số cao hơn kinh tế số ở 3/4 xã; chênh lệch trung vị 25 điểm trên thang 0–100.",
        "Chính quyền số cao hơn xã hội số ở 2/4 xã; chênh lệch trung vị 0 điểm trên thang 0–100.",
    ]
    claims = pd.DataFrame(
        [{"gap": "gap_econ", "n_units": 4, "n_positive": 3, "share_positive_lo": 0.35,
          "share_positive_hi": 0.95, "median_gap": 0.25}]
    ).set_index("gap")  # fmt: skip
    en = nb.district_key_message(_district_gaps(), names.pillar_names(None, "en"), 0.9, "en",
                                 claims=claims, synthetic=True)  # fmt: skip
    assert en[0] == (
        "Illustrative data: Digital government scores above the digital economy in 3 of 4 "
        "communes (Wilson 90% interval of the share: 35–95%); the median gap is 25 points on a "
        "0–100 scale."
    )
    assert not any(re.search(r"\bp [<=]", s) or "confidence" in s for s in en)


def test_district_key_message_states_the_claims_jointly(brief_run):
    res, inputs = brief_run
    claims = facts.claims_of(res, res.period)
    g = res.gaps
    msg = nb.district_key_message(g, names.pillar_names(None, "en"), 0.9, "en", claims=claims)
    k_e, k_s = int((g["gap_econ"] > 0).sum()), int((g["gap_soc"] > 0).sum())
    assert msg[0].startswith(
        f"Digital government scores above the digital economy in {k_e} of 18 communes "
        "(Wilson 90% interval of the share: 78–100%)"
    )
    assert msg[1] == (
        "Jointly (90%, simultaneous bounds), the gap to the digital economy is positive in at "
        "least 15 of 18 communes; it stays positive in at least 95% of method choices in 16 of 18 "
        "communes; on z-scores (a relative scale with no common zero) it is positive in 7 of 18."
    )
    assert msg[2].startswith(f"Digital government scores above the digital society in {k_s} of 18")
    vi = nb.district_key_message(g, names.pillar_names(None, "vi"), 0.9, "vi", claims=claims)
    assert vi[1].startswith("Xét đồng thời mọi đơn vị (90%, cận đồng thời), chênh lệch với kinh "
                            "tế số dương ở ít nhất 15/18 xã")  # fmt: skip


def test_district_key_message_says_what_the_data_cannot_support():
    gaps = _district_gaps().assign(economy=np.nan, gap_econ=np.nan)  # the EGDI: no economy
    msg = nb.district_key_message(gaps, names.pillar_names(None, "en"), 0.9, "en",
                                  kind="country", thin=["government"])  # fmt: skip
    assert msg == [
        "Digital government scores above the digital society in 2 of 4 countries; the median gap "
        "is 0 points on a 0–100 scale.",
        "No indicator-selection interval: fewer than 2 indicators in digital government, so only "
        "point gaps are stated.",
    ]
    assert not any("economy" in s or "excludes zero" in s for s in msg)


def test_test_texts():
    wilcoxon = {
        "comparison": "government_vs_economy",
        "n": 18,
        "rank_biserial": 0.9,
        "rank_biserial_lo": 0.8,
        "rank_biserial_hi": 1.0,
        "n_greater": 17,
    }
    assert nb.test_texts(wilcoxon, "vi", 0.9) == {
        "id": "wilcoxon_government_vs_economy",
        "label": "Wilcoxon dấu-hạng theo cặp (CQS − KTS)",
        "detail": "ước lượng: chênh lệch trung vị; r (rank-biserial) = 0,90 (khoảng bootstrap 90%: "
        "0,80–1,00); CQS > KTS ở 17/18 xã",
    }
    # every pair of one sign: the interval [1, 1] is degenerate, it is not printed
    same = dict(wilcoxon, rank_biserial=1.0, rank_biserial_lo=1.0, n_greater=18)
    assert nb.test_texts(same, "en", 0.9, "country")["detail"] == (
        "estimate: median difference; rank-biserial r = 1.00 (no interval: every pair has the "
        "same sign); G > E in 18 of 18 countries"
    )
    spearman = {"pillar_x": "economy", "pillar_y": "society", "rho_lo": -0.2, "rho_hi": 0.5}
    assert nb.test_texts(spearman, "en", 0.9) == {
        "id": "spearman_economy_society",
        "label": "Spearman rank correlation (E − S)",
        "detail": "estimate: rho; 90% bootstrap interval: −0.20 to 0.50",
    }
    assert nb.p_text({"p_value": 0.01, "p_holm": 0.03}, "en") == "0.030"


def test_robustness_sentences():
    ranks = pd.DataFrame({"q05": [1, 2, 5], "q95": [3, 8, 6], "mean_abs_shift": [0.5, 1.5, 1.0]})
    sens = pd.DataFrame({"choice": ["weights", "leave_one_out"], "STi": [0.2, 0.61]})
    assert nb.robustness_sentences(ranks, sens, "vi") == [
        "Khoảng xếp hạng 90% có độ rộng trung vị 2 bậc; 2/3 xã có khoảng hẹp (không quá 3 bậc).",
        "Khi thay đổi lựa chọn phương pháp, thứ hạng dịch chuyển trung bình 1,0 bậc.",
        "Lựa chọn phương pháp ảnh hưởng nhiều nhất: bỏ bớt một chỉ tiêu (chỉ số Sobol toàn phần 0,61).",
    ]
    assert nb.robustness_sentences(ranks.drop(columns="mean_abs_shift"), None, "en", "country") == [
        "The 90% rank intervals have a median width of 2 places; 2 of 3 countries have a narrow "
        "interval (3 places or fewer)."
    ]
    assert nb.robustness_sentences(None, None, "en") == []


def test_keywords():
    assert nb.keywords(["Đại Thạnh", ""], "2025H1", "synthetic", "en") == [
        "Đại Thạnh",
        "digital transformation",
        "digital government",
        "digital economy",
        "digital society",
        "2025H1",
        "illustrative data",
    ]


# --------------------------------------------------------------------------- names
def test_unit_and_place_names(brief_units):
    u = names.unit_names(brief_units, DAI_THANH, "vi")
    assert (u.name, u.full, u.subject, u.is_commune, u.district, u.kind) == (
        "Đại Thạnh",
        "Xã Đại Thạnh",
        "xã Đại Thạnh",
        True,
        "Đại Lộc",
        "xã",
    )
    assert u.population > 1000
    town = names.unit_names(brief_units, "20500", "en")
    assert (town.full, town.subject) == ("Ái Nghĩa town", "Ái Nghĩa town")
    assert nb.commune_place(u, "vi") == "Huyện Đại Lộc"
    after = names.UnitNames(
        "20500", "Đại Lộc", "Xã Đại Lộc", "", "xã", "xã", True, "Đại Lộc", "Thành phố Đà Nẵng", None
    )
    assert nb.commune_place(after, "vi") == "Thành phố Đà Nẵng (trước đây huyện Đại Lộc)"
    assert nb.commune_place(after, "en") == "Đà Nẵng city (formerly Đại Lộc district)"
    assert nb.district_full_name("Đại Lộc", "", "en") == "Đại Lộc district"
    assert nb.district_full_name("Đại Lộc", "Thành phố Đà Nẵng", "vi") == (
        "Các xã thuộc huyện Đại Lộc cũ (Thành phố Đà Nẵng)"
    )
    assert nb.province_name("Tỉnh Quảng Nam", "en") == "Quảng Nam province"
    assert names.count_units(5, "xã", "vi", post2025=True) == "5 xã"
    assert names.count_units(193, "country", "en") == "193 countries"
    with pytest.raises(RenderError, match="unit_code '99999' is not in the units table"):
        names.unit_names(brief_units, "99999", "vi")


def test_countries_and_provinces_are_named_in_the_brief_language():
    """No "Thái Lan commune": countries by name, in Vietnamese (CLDR) or English (the source's
    names); provinces by name; the provincial mean in words."""
    units = pd.DataFrame(
        {
            "unit_code": ["THA", "KOR", "DEU", "EL", "49", "VN-PMEAN"],
            "name_vi": ["Thái Lan", "Republic of Korea", "Germany", "Greece", "Quảng Nam",
                        "Trung bình cấp tỉnh"],
            "name_en": ["Thailand", "Republic of Korea", "Germany", "Greece", None, None],
            "iso3": [None, None, None, "GRC", None, None],
            "unit_type": ["country"] * 4 + ["province", "mean"],
        }
    )  # fmt: skip
    vi = [names.unit_names(units, c, "vi") for c in units["unit_code"]]
    en = [names.unit_names(units, c, "en") for c in units["unit_code"]]
    assert [u.subject for u in vi] == ["Thái Lan", "Hàn Quốc", "Đức", "Hy Lạp", "Quảng Nam",
                                       "Trung bình các tỉnh"]  # fmt: skip
    assert [u.full for u in en] == ["Thailand", "Republic of Korea", "Germany", "Greece",
                                    "Quảng Nam", "Provincial mean"]  # fmt: skip
    assert {u.kind for u in vi} == {"country", "province", "mean"}
    assert not any(u.is_commune or "commune" in u.full for u in en)
    assert names.group_kind(units) == "country"


def _mixed_units(types: list[str]) -> pd.DataFrame:
    """A synthetic units table of commune-level units of the given types (post-2025 style)."""
    return pd.DataFrame(
        {
            "unit_code": [f"9{i:04d}" for i in range(len(types))],
            "name_vi": [f"Đơn vị {i}" for i in range(len(types))],
            "unit_type": types,
            "province_vi": ["Thành phố Đà Nẵng"] * len(types),
        }
    )


@pytest.mark.parametrize(
    ("types", "kind", "vi", "en"),
    [
        (["xã"] * 3 + ["thị trấn"], "xã", "3.321 xã", "3,321 communes"),
        (["xã"] * 3 + ["phường"] * 2, "xã, phường", "3.321 xã, phường", "3,321 communes and wards"),
        (["phường", "xã", "xã", "đặc khu"], "xã, phường, đặc khu", "3.321 xã, phường, đặc khu",
         "3,321 communes, wards and special zones"),
        (["xã", "xã", "đặc khu"], "xã, đặc khu", "3.321 xã, đặc khu",
         "3,321 communes and special zones"),
    ],
)  # fmt: skip
def test_communes_with_wards_and_special_zones_are_counted_and_named_so(types, kind, vi, en):
    """Since 1 July 2025 a province or the country compares xã, phường and đặc khu: the counts and
    the nouns say so; a set of xã (and thị trấn) is named as before."""
    units = _mixed_units(types)
    assert names.group_kind(units) == kind and names.is_commune_group(kind)
    assert names.count_units(3321, kind, "vi", post2025=True) == vi
    assert names.count_units(3321, kind, "en", post2025=True) == en
    assert nb.units_noun(kind, "vi") == vi.removeprefix("3.321 ")
    assert nb.units_noun(kind, "en") == en.removeprefix("3,321 ")
    if kind == "xã":  # the district editions keep their text
        assert names.count_units(18, kind, "vi") == "18 xã/thị trấn"


def test_the_district_text_of_a_mixed_set_names_its_wards():
    units = _mixed_units(["xã", "xã", "phường", "đặc khu"])
    kind = names.group_kind(units)
    vi = nb.district_key_message(_district_gaps(), names.pillar_names(None, "vi"), 0.9, "vi",
                                 kind=kind)  # fmt: skip
    assert vi[0].startswith("Chính quyền số cao hơn kinh tế số ở 3/4 xã, phường, đặc khu; ")
    en = nb.district_key_message(_district_gaps(), names.pillar_names(None, "en"), 0.9, "en",
                                 kind=kind)  # fmt: skip
    assert "in 3 of 4 communes, wards and special zones; " in en[0]
    ranks = pd.DataFrame({"q05": [1, 2, 5], "q95": [3, 8, 6]})
    assert (
        "2 of 3 communes, wards and special zones have"
        in nb.robustness_sentences(ranks, None, "en", kind)[0]
    )
    wilcoxon = {"comparison": "government_vs_economy", "n": 18, "n_greater": 17}
    assert nb.test_texts(wilcoxon, "vi", 0.9, kind)["detail"].endswith(
        "CQS > KTS ở 17/18 xã, phường, đặc khu"
    )
    labels = template_labels("en", 0.9, kind=kind)
    assert labels["tests"] == "Tests across the communes, wards and special zones compared"
    assert labels["median"] == "Median of the communes, wards and special zones"
    assert template_labels("vi", 0.9, kind="xã, phường")["pillars"] == (
        "Ba trụ cột so với trung vị các xã, phường so sánh"
    )
    pure = template_labels("vi", 0.9)  # a district's communes: the labels as before
    assert (pure["tests"], pure["col_unit"]) == ("Kiểm định trên các xã so sánh", "Xã / thị trấn")
    assert not any("{units}" in v for v in labels.values())
    special = names.unit_names(units, "90003", "en")
    assert (special.full, special.is_commune) == ("Đơn vị 3 special zone", True)


# --------------------------------------------------------------------------- notebooks
def test_describe_status_and_merger(text_demo_run):
    _, inputs = text_demo_run
    n = inputs.observations["unit_code"].nunique()
    vi = narrative.describe_status(inputs, "vi")
    assert vi.startswith("**Dữ liệu:** ") and f", {n} đơn vị, " in vi and "`observations.csv`" in vi
    assert "> **DỮ LIỆU MINH HỌA**" in vi
    assert "> **ILLUSTRATIVE DATA**" in narrative.describe_status(inputs, "en")
    table = pd.DataFrame({"old_code": ["a", "b", "c"], "new_code": ["x", "x", "y"]})
    merged = type(inputs)(
        inputs.observations, inputs.units.iloc[:2], inputs.framework, "synthetic", {}, ""
    )
    assert narrative.describe_merger(merged, table, "en").startswith(
        "3 former communes became 2 new communes (Resolution 1659/NQ-UBTVQH15)."
    )


def test_describe_coverage_pillars_diagnostics():
    cov = pd.DataFrame(
        {"indicator": ["a", "b", "a"], "n_present": [9, 3, 9], "n_expected": [10, 10, 10]}
    )
    assert narrative.describe_coverage(cov, "vi").startswith(
        "Độ bao phủ chung 70,0%. Chỉ số thiếu nhiều nhất: `b` (30,0%)."
    )
    diag = {"cronbach": pd.DataFrame({"group": ["government", "index"], "alpha": [0.812, 0.5]})}
    assert narrative.describe_diagnostics(diag, "en").startswith(
        "Internal consistency (Cronbach's alpha) per pillar: government α = 0.81. An α below 0.7"
    )


def test_describe_results(brief_run, text_demo_run):
    res, inputs = brief_run
    assert narrative.describe_pillars(res, "en").startswith(
        "Period 2025H1, medians over 18 units: digital government "
    )
    head, lines = narrative.describe_gaps(res, "vi", inputs).split("\n\n")
    assert head.startswith("**Kỳ 2025H1, 18 đơn vị.** Dữ liệu minh họa: Chính quyền số cao hơn")
    assert lines.split("\n") == [
        "- Chính quyền số cao hơn kinh tế số ở 17/18 xã (94%; khoảng Wilson 90%: 74–100%); "
        "kiểm định Wilcoxon p = 0,0008, hệ số rank-biserial 0,90 (khoảng bootstrap: 0,80–1,00).",
        "- Chính quyền số cao hơn xã hội số ở 13/18 xã (72%; khoảng Wilson 90%: 52–100%); "
        "kiểm định Wilcoxon p = 0,0312, hệ số rank-biserial 0,90 (khoảng bootstrap: 0,80–1,00).",
    ]
    sens = pd.DataFrame(
        {"target": "mean_abs_rank_shift", "choice": ["weights", "aggregation"], "STi": [0.1, 0.4]}
    )
    assert narrative.describe_robustness(res, sens, "en") == (
        "The 5–95% rank intervals have a median width of 5.0 places over 18 units. "
        "The choice that moves ranks most: aggregation (total index STi = 0.40)."
    )
    # 18 of 18 of one sign: the count says it all, no p-value sentence
    demo_res, demo_inputs = text_demo_run
    text = narrative.describe_gaps(demo_res, "en", demo_inputs)
    assert "18 of 18" in text and "p < " not in text and "adds nothing" in text


def test_describe_commune_is_the_brief_key_message(text_demo_run):
    from analysis.briefs import build_commune_brief

    res, inputs = text_demo_run
    for lang in ("vi", "en"):
        b = build_commune_brief(res, inputs, DAI_THANH, lang=lang)
        text = narrative.describe_commune(res, inputs, DAI_THANH, lang)
        assert text == " ".join(b["key_message"])
        assert text.startswith(("Dữ liệu minh họa:", "Illustrative data:"))


# --------------------------------------------------------------------------- the rules
#: words that call the bootstrap interval a confidence interval (retired everywhere)
_CONFIDENCE = re.compile(r"(?i:confidence interval|khoảng tin cậy)|\bKTC\b|\bCI\b")


def test_no_text_calls_an_interval_a_confidence_interval():
    found = [k for k, v in LABELS.items() if any(_CONFIDENCE.search(x) for x in v.values())]
    assert not found, f"name the interval for what it is (selection / method interval): {found}"
    assert _CONFIDENCE.search("the 90% CI") and _CONFIDENCE.search("khoảng tin cậy 90%")


def test_no_calibration_claim():
    text = " ".join(v["en"] + " " + v["vi"] for v in LABELS.values())
    assert "calibrated to published" not in text and "hiệu chỉnh theo số liệu công bố" not in text


def _lang_comparisons(path: Path) -> list[int]:
    """Lines comparing ``lang`` with a literal: a sentence written in code, not in i18n."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            names_ = [n for n in [node.left, *node.comparators] if isinstance(n, ast.Name)]
            consts = [n for n in [node.left, *node.comparators] if isinstance(n, ast.Constant)]
            if any(n.id == "lang" for n in names_) and any(c.value in ("vi", "en") for c in consts):
                out.append(node.lineno)
    return out


def test_no_sentence_is_chosen_by_language_in_code(tmp_path):
    """Language variants live in the string table; narrative, briefs and workflow never branch on
    the language."""
    files = [*(PKG / "narrative").glob("*.py"), *(PKG / "briefs").glob("*.py"), PKG / "workflow.py"]
    found = {str(p.relative_to(PKG)): lines for p in files if (lines := _lang_comparisons(p))}
    assert not found, f"move these texts to analysis/i18n/strings.toml: {found}"
    probe = tmp_path / "probe.py"
    probe.write_text('def f(lang):\n    return "a" if lang == "vi" else "b"\n', encoding="utf-8")
    assert _lang_comparisons(probe) == [2]  # the check can fail


def test_counts_of_thousands_of_units_are_grouped_in_the_readers_way():
    import pandas as pd

    from analysis.narrative.brief import _count_sentence, rank_texts

    gaps = pd.DataFrame({"gap_econ": [0.2] * 3303 + [-0.1] * 18})
    names = {"government": "Digital government", "economy": "Digital economy"}
    en = _count_sentence("gap_econ", gaps, None, names, "xã", 0.9, "en")
    assert "3,303 of 3,321" in en
    names_vi = {"government": "Chính quyền số", "economy": "Kinh tế số"}
    assert "3.303/3.321" in _count_sentence("gap_econ", gaps, None, names_vi, "xã", 0.9, "vi")
    rank = {"nominal": 1204, "n": 3321, "q05": 1100, "q95": 1300}
    assert rank_texts(rank, "en")["text"] == "1,204 of 3,321"
    # the rank interval is grouped like the rank it belongs to (it printed "thứ 2429–2862")
    assert rank_texts(rank, "en")["interval_text"] == "1,100–1,300"
    assert rank_texts(rank, "vi")["interval_text"] == "thứ 1.100–1.300"
    from analysis.narrative.brief import rank_sentence

    vi = rank_sentence("vi", "phường Ba Đình", rank, within="trong các xã, phường so sánh")
    assert "thứ 1.204/3.321" in vi and "thứ 1.100–1.300" in vi
