"""Brief content (analysis.briefs.commune, .district, .common, .validate): the structured brief
built from the Results and Inputs of a run, section by section."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import DAI_THANH, long_group_of, make_brief_run, post2025_of

from analysis.briefs import build_commune_brief, build_district_brief, validate_brief
from analysis.briefs import commune as commune_mod
from analysis.briefs import district as district_mod
from analysis.errors import RenderError
from analysis.loaders import Inputs


# --------------------------------------------------------------------------- commune
def test_a_commune_brief_among_wards_names_them_in_its_headings(brief_run):
    """A brief of a province run compares communes with wards: its headings and its rank sentence
    name the same units (they said "median of the communes compared" beside "ranks 55 of 94
    among the communes and wards compared")."""
    res, inputs = brief_run
    units = inputs.units.copy()
    others = units["unit_code"].astype(str) != DAI_THANH
    units.loc[units.index[others][:3], "unit_type"] = "phường"
    mixed = Inputs(**{**vars(inputs), "units": units})
    for lang, median, within in (
        ("vi", "Trung vị các xã, phường", "trong các xã, phường so sánh"),
        ("en", "Median of the communes and wards", "among the communes and wards compared"),
    ):
        b = build_commune_brief(res, mixed, DAI_THANH, lang=lang)
        assert b["labels"]["median"] == median
        assert within in " ".join(b["key_message"])
    plain = build_commune_brief(res, inputs, DAI_THANH, lang="en")
    assert plain["labels"]["median"] == "Median of the communes"


def test_commune_brief_numbers_follow_the_tables(brief_run):
    res, inputs = brief_run
    b = build_commune_brief(res, inputs, DAI_THANH, lang="vi", edition="ed")
    validate_brief(b)
    json.dumps(b, allow_nan=False)  # plain JSON
    gp = res.gaps
    assert [p["median_text"] for p in b["pillars"]] == [
        f"{100 * gp[c].median():.0f}" for c in ("government", "economy", "society")
    ]
    assert [p["value_text"] for p in b["pillars"]] == ["78", "47", "65"]  # points on 0-100
    assert b["index"]["value_text"] == f"{100 * (0.78 + 0.47 + 0.65) / 3:.0f}"
    pop = int(inputs.units.set_index("unit_code").loc[DAI_THANH, "population"])
    assert b["meta"]["population_text"] == f"{pop:,}".replace(",", ".")  # thousands dot
    assert b["meta"]["title"] == "Bản tin chuyển đổi số cấp xã: Xã Đại Thạnh"
    assert b["meta"]["subtitle"] == "Huyện Đại Lộc · 6 tháng đầu năm 2025"
    assert (b["meta"]["edition"], b["meta"]["date"], b["meta"]["data_status"]) == (
        "ed",
        "2025-06-30",
        "synthetic",
    )
    gaps = {g["id"]: g for g in b["gaps"]}
    assert gaps["gap_econ"]["interval_text"] == "22–40" and gaps["gap_econ"]["is_established"]
    assert gaps["gap_econ"]["method_interval_text"] == "26–35"
    assert gaps["gap_econ"]["meas_interval_text"] == ""  # no observation has a standard error
    assert gaps["gap_mean"]["label"] == "CQS − TB(KTS, XHS)"
    nominal = int(res.rank_stats.set_index("unit_code").loc[DAI_THANH, "nominal"])
    assert b["rank"]["text"] == f"Thứ {nominal}/18" and b["rank"]["n"] == 18
    assert b["key_message"][0].startswith(
        "Dữ liệu minh họa: Chính quyền số của xã Đại Thạnh đạt 78 điểm trên thang 0–100"
    )
    assert len(b["key_message"]) == 3
    assert b["labels"]["interval"] == "Khoảng lựa chọn chỉ số 90%"
    assert [r["id"] for r in b["meta"]["method"]] == [
        "framework", "scale", "weights", "aggregation", "imputation", "interval", "uncertainty",
        "joint", "data",
    ]  # fmt: skip
    assert b["meta"]["sources"][0].startswith("Bộ số liệu minh họa cấp xã")
    assert b["published"] is None


def test_commune_weakest_indicators(brief_run):
    res, inputs = brief_run
    weak = {w["id"]: w for w in build_commune_brief(res, inputs, DAI_THANH)["weakest"]}
    assert list(weak) == [
        "econ_sme_platform_pct",
        "gov_online_dossier_pct",
        "soc_smartphone_adults_pct",
    ]
    assert weak["econ_sme_platform_pct"]["value_text"] == "12,5%"
    assert weak["econ_sme_platform_pct"]["score_text"] == "12"  # 12.5, half-even
    assert weak["econ_sme_platform_pct"]["distance_text"] == "còn thiếu 37,5 điểm phần trăm"
    assert weak["econ_sme_platform_pct"]["distance"] == pytest.approx(-37.5)
    assert weak["soc_smartphone_adults_pct"]["distance_text"] == "còn thiếu 50,0 điểm phần trăm"
    assert weak["gov_online_dossier_pct"]["distance_text"] == "không có mục tiêu quốc gia"
    assert weak["gov_online_dossier_pct"]["is_met"] is None
    en = build_commune_brief(res, inputs, DAI_THANH, lang="en", n_weakest=1)
    assert [w["distance_text"] for w in en["weakest"]] == ["37.5 percentage points short"]


def test_commune_brief_without_rank_or_interval(brief_run):
    res, inputs = brief_run
    gaps = res.gaps.copy()
    i = gaps.index[gaps["unit_code"] == DAI_THANH][0]
    cols = ["government", "economy", "gap_econ", "gap_econ_sel_lo", "gap_econ_sel_hi",
            "gap_econ_method_lo", "gap_econ_method_hi", "gap_econ_share_positive"]  # fmt: skip
    gaps.loc[i, cols] = [0.40, 0.45, -0.05, -0.12, 0.03, -0.10, -0.01, 0.2]
    empty = pd.DataFrame({"status": pd.Series(dtype=str)})
    bare = type(res)(
        **{
            **vars(res),
            "gaps": gaps,
            "rank_stats": empty,
            "pillars": res.pillars.drop(columns="index"),
        }
    )
    b = build_commune_brief(bare, inputs, DAI_THANH, lang="vi")
    assert b["gaps"][0]["is_established"] is False
    assert b["rank"] is None and b["index"] is None
    assert len(b["key_message"]) == 2  # no rank stats, no index: no rank sentence
    assert "khoảng chứa 0 nên chưa khẳng định được chênh lệch" in b["key_message"][0]
    # rank on the index when there are no rank stats
    b = build_commune_brief(type(res)(**{**vars(res), "rank_stats": empty}), inputs, DAI_THANH)
    assert b["rank"]["q05"] is None and b["rank"]["interval_text"] == ""


def test_bad_inputs_name_the_fix(brief_run):
    res, inputs = brief_run
    with pytest.raises(RenderError, match="unit_code '99999'"):
        build_commune_brief(res, inputs, "99999")
    with pytest.raises(RenderError, match="lang='fr'"):
        build_commune_brief(res, inputs, DAI_THANH, lang="fr")
    no_soc = type(res)(**{**vars(res), "gaps": res.gaps.drop(columns="gap_soc")})
    with pytest.raises(RenderError, match=r"lacks column\(s\) \['gap_soc'\]"):
        build_commune_brief(no_soc, inputs, DAI_THANH)
    with pytest.raises(RenderError, match=r"lacks column\(s\) \['gap_soc'\]"):
        build_district_brief(no_soc, inputs)
    bad = build_commune_brief(res, inputs, DAI_THANH)
    bad["meta"]["data_status"] = "official"
    with pytest.raises(RenderError, match="data_status='official'"):
        validate_brief(bad)


def test_status_follows_the_inputs(brief_units, brief_framework):
    res, inputs = make_brief_run(brief_units, brief_framework, status="observed")
    assert build_commune_brief(res, inputs, DAI_THANH)["meta"]["data_status"] == "observed"
    imputed = Inputs(inputs.observations, inputs.units, inputs.framework, "imputed", {}, "")
    assert build_commune_brief(res, imputed, DAI_THANH)["meta"]["data_status"] == "mixed"
    synthetic = Inputs(inputs.observations, inputs.units, inputs.framework, "synthetic", {}, "")
    post = post2025_of(res, synthetic)
    assert build_district_brief(res, inputs, post2025=post)["meta"]["data_status"] == "synthetic"


def test_a_unit_that_is_not_a_commune(brief_run):
    """Provinces and countries of a published series: group labels, no commune wording."""
    res, inputs = brief_run
    units = inputs.units.assign(unit_type="tỉnh", full_name_vi=None)
    b = build_commune_brief(res, Inputs(**{**vars(inputs), "units": units}), DAI_THANH)
    assert b["labels"]["brief_commune"] == "Bản tin chuyển đổi số"
    assert b["meta"]["unit_full_name"] == "Đại Thạnh"
    assert b["key_message"][0].startswith("Dữ liệu minh họa: Chính quyền số của Đại Thạnh đạt")
    assert "trong nhóm so sánh" in b["key_message"][2]
    en = build_commune_brief(res, Inputs(**{**vars(inputs), "units": units}), DAI_THANH, lang="en")
    assert en["meta"]["unit_full_name"] == "Đại Thạnh" and "commune" not in en["meta"]["title"]


# --------------------------------------------------------------------------- district
def test_district_brief(brief_run):
    res, inputs = brief_run
    vi = build_district_brief(res, inputs, lang="vi", figures={"map": "m.png", "dumbbell": None})
    validate_brief(vi)
    json.dumps(vi, allow_nan=False)
    assert vi["meta"]["unit_code"] == "506" and vi["meta"]["unit_full_name"] == "Huyện Đại Lộc"
    assert vi["meta"]["subtitle"] == "18 xã/thị trấn · 6 tháng đầu năm 2025"
    assert vi["figures"] == {"map": "m.png"}
    assert {t["id"]: t["count"] for t in vi["typology"]} == {
        "government_led": 10,
        "balanced_high": 5,
        "balanced_low": 3,
    }
    assert [t["label"] for t in vi["typology"]][0] == "Chính quyền số đi trước"
    assert [r["rank"] for r in vi["ranking"]] == sorted(r["rank"] for r in vi["ranking"])
    assert {r["name"] for r in vi["ranking"]} == set(inputs.units["name_vi"])
    n_e = int((res.gaps["gap_econ"] > 0).sum())
    assert vi["key_message"][0].startswith(
        f"Dữ liệu minh họa: Chính quyền số cao hơn kinh tế số ở {n_e}/18 xã"
    )
    assert not any("p <" in s for s in vi["key_message"])  # the count says it, not a p-value
    assert [t["id"] for t in vi["tests"]] == [
        "wilcoxon_government_vs_economy",
        "wilcoxon_government_vs_society",
        "spearman_government_economy",
    ]
    assert [t["p_text"] for t in vi["tests"]] == ["< 0,001", "0,031", "0,410"]
    assert vi["robustness"][0].startswith("Khoảng xếp hạng 90% có độ rộng trung vị")
    assert vi["post2025"] is None
    assert vi["pillars"][0]["range_text"] == "{}–{}".format(
        *(f"{100 * v:.0f}" for v in (res.gaps["government"].min(), res.gaps["government"].max()))
    )


def test_district_brief_with_the_post2025_communes(brief_run):
    res, inputs = brief_run
    b = build_district_brief(res, inputs, lang="en", post2025=post2025_of(res, inputs))
    names = [r["name"] for r in b["post2025"]["ranking"]]
    assert {"Thượng Đức", "Hà Nha", "Vu Gia", "Phú Thuận"} <= set(names)
    assert b["post2025"]["note"].startswith("Scores of the new communes are re-aggregated")
    assert b["meta"]["sources"][-1].startswith("Resolution 1659/NQ-UBTVQH15")
    assert b["meta"]["sources"][0].startswith("Illustrative commune panel")


def test_briefs_from_the_pipeline(text_demo_run):
    """The real Results of the demo panel: weakest indicators, tests and correlations."""
    res, inputs = text_demo_run
    b = build_commune_brief(res, inputs, DAI_THANH, lang="en")
    weak = res.weakest[
        (res.weakest["unit_code"] == DAI_THANH) & (res.weakest["period"] == res.period)
    ]
    assert [w["id"] for w in b["weakest"]] == weak.sort_values("rank")["indicator"].tolist()
    row = res.gaps[(res.gaps["unit_code"] == DAI_THANH) & (res.gaps["period"] == res.period)].iloc[
        0
    ]
    assert f"scores {100 * row['government']:.0f} on a 0–100 scale" in b["key_message"][0]
    d = build_district_brief(res, inputs, lang="vi")
    assert [t["id"] for t in d["tests"]] == [
        "wilcoxon_government_vs_economy",
        "wilcoxon_government_vs_society",
        "spearman_government_economy",
        "spearman_government_society",
        "spearman_economy_society",
    ]
    p = float(res.tests.loc[res.tests["period"] == res.period, "p_value"].iloc[0])
    assert d["tests"][0]["p_text"] == ("< 0,001" if p < 0.001 else f"{p:.3f}".replace(".", ","))


# --------------------------------------------------------------------------- the sections
@pytest.mark.parametrize(
    ("module", "build"),
    [
        (commune_mod, lambda r, i: build_commune_brief(r, i, DAI_THANH)),
        (district_mod, lambda r, i: build_district_brief(r, i)),
    ],
    ids=["commune", "district"],
)
def test_every_field_comes_from_one_section(brief_run, monkeypatch, module, build):
    """A brief is its sections: each builder fills its own fields; together, all but the schema."""
    res, inputs = brief_run
    filled: dict[str, list[str]] = {}

    def recording(section):
        def wrapper(context):
            out = section(context)
            filled[section.__name__] = list(out)
            return out

        return wrapper

    monkeypatch.setattr(module, "SECTIONS", tuple(recording(s) for s in module.SECTIONS))
    brief = build(res, inputs)
    fields = [f for section in filled.values() for f in section]
    assert len(fields) == len(set(fields)), filled  # no field filled twice
    assert set(fields) == set(brief) - {"schema"}
    assert all(name.removesuffix("_section") in fs[0] for name, fs in filled.items())


# --------------------------------------------------------------------------- what a run records
def test_the_known_run_has_the_tables_of_a_run(brief_run, text_demo_run):
    """The hand-made run of the text tests (known numbers) has the columns of every table a real
    run writes and the method record of a real run: the tests read what the pipeline makes."""
    known, real = brief_run[0], text_demo_run[0]
    for name in ("gaps", "pillars", "rank_stats", "tests", "claims", "weakest", "correlations",
                 "scores"):  # fmt: skip
        assert list(getattr(known, name).columns) == list(getattr(real, name).columns), name
    assert known.method == real.method


def test_briefs_state_the_intervals_claims_and_method_of_the_run(brief_run):
    """The selection and method intervals, the district claims and the method record."""
    res, inputs = brief_run
    b = build_commune_brief(res, inputs, DAI_THANH, lang="en")
    g = {x["id"]: x for x in b["gaps"]}["gap_econ"]
    assert (g["interval_text"], g["method_interval_text"]) == ("22–40", "26–35")
    rows = {r["id"]: r["text"] for r in b["meta"]["method"]}
    assert rows["scale"].startswith("Attainment of the 2025 national target")
    assert rows["joint"].startswith("Claims about all units hold for all of them together")
    d = build_district_brief(res, inputs, lang="vi")
    assert d["key_message"][1].startswith("Xét đồng thời mọi đơn vị (90%, cận đồng thời)")
    json.dumps(d, allow_nan=False)


def test_a_group_of_countries(brief_run):
    """A published cross-country set: countries named in the brief's language, the group named,
    no commune or district wording, no economy gap when there is no economy pillar."""
    res, inputs = brief_run
    codes = inputs.units["unit_code"].tolist()
    iso = ["VNM", "THA", "KHM", "LAO", "KOR", "DEU", "FRA", "JPN", "CHN", "IND", "IDN", "MYS",
           "PHL", "SGP", "BRN", "MMR", "TLS", "USA"]  # fmt: skip
    units = pd.DataFrame({"unit_code": codes, "name_vi": iso, "name_en": iso, "iso3": iso,
                          "unit_type": "country"})  # fmt: skip
    gaps = res.gaps.copy()
    gaps[[c for c in gaps.columns if c == "economy" or c.startswith("gap_econ")]] = float("nan")
    no_econ = type(res)(**{**vars(res), "gaps": gaps})
    countries = Inputs(**{**vars(inputs), "units": units, "status": "observed"})
    for lang in ("vi", "en"):
        d = build_district_brief(no_econ, countries, lang=lang)
        text = json.dumps(d, ensure_ascii=False)
        assert "<NA>" not in text and "nan" not in text.lower().replace("nanh", "")
        assert "economy" not in " ".join(d["key_message"]) and "kinh tế" not in " ".join(
            d["key_message"]
        )
        assert d["meta"]["subtitle"].startswith(("18 quốc gia", "18 countries"))
        c = build_commune_brief(no_econ, countries, DAI_THANH, lang=lang)
        assert [g["id"] for g in c["gaps"]] == ["gap_soc"]
        assert "commune" not in c["meta"]["title"] and "xã" not in c["meta"]["title"]
    assert build_commune_brief(no_econ, countries, codes[1], lang="vi")["meta"]["unit_name"] == (
        "Thái Lan"
    )


def test_the_measurement_interval_of_a_panel_with_se(text_se_run):
    """Observations with a standard error (``se``): the commune brief and the profile notebook
    state the selection interval with measurement error beside the other intervals."""
    from analysis import narrative

    res, inputs = text_se_run
    row = res.gaps[(res.gaps["unit_code"] == DAI_THANH) & (res.gaps["period"] == res.period)]
    lo, hi = (100 * float(row[f"gap_econ_meas_{x}"].iloc[0]) for x in ("lo", "hi"))
    for lang, words in (("vi", "kể cả sai số đo: "), ("en", "with measurement error: ")):
        b = build_commune_brief(res, inputs, DAI_THANH, lang=lang)
        g = {x["id"]: x for x in b["gaps"]}["gap_econ"]
        assert g["meas_interval_text"] == f"{lo:.0f}–{hi:.0f}"
        assert (g["meas_lo"], g["meas_hi"]) == pytest.approx((lo / 100, hi / 100))
        assert f"{words}{lo:.0f}–{hi:.0f}" in b["key_message"][0]
        assert b["labels"]["meas_interval"] == {"vi": "Kể cả sai số đo 90%",
                                               "en": "90% with measurement error"}[lang]  # fmt: skip
        assert narrative.describe_commune(res, inputs, DAI_THANH, lang) == " ".join(
            b["key_message"]
        )
        method = narrative.describe_method(res, inputs, lang)
        assert ("có sai số đo" if lang == "vi" else "with measurement error") in method


def test_the_dti_brief_shows_the_published_pillar_ranks():
    """Quảng Nam 2022: the published DTI (0.5808, 31/63) with the published pillars beside it,
    CQS 0.6674 (30/63), KTS 0.6062 (45/63), XHS 0.5585 (41/63) (data/raw/dti)."""
    from conftest import TEXT_SAMPLES

    from analysis import workflow

    inputs = workflow.load_inputs("data/raw/dti", "", "data/frameworks/dti_pillars.yaml")
    res = workflow.compute_results(inputs, period="2022", **TEXT_SAMPLES)
    vi = build_commune_brief(res, inputs, "49", lang="vi")["published"]
    assert (vi["value_text"], vi["rank_text"]) == ("0,5808", "31/63")
    assert vi["pillars"] == [
        {"id": "government", "short": "CQS", "value_text": "0,6674", "rank_text": "30/63"},
        {"id": "economy", "short": "KTS", "value_text": "0,6062", "rank_text": "45/63"},
        {"id": "society", "short": "XHS", "value_text": "0,5585", "rank_text": "41/63"},
    ]
    en = build_commune_brief(res, inputs, "49", lang="en")
    assert [p["short"] for p in en["published"]["pillars"]] == ["G", "E", "S"]
    assert en["labels"]["published_pillars"] == "Published pillars (rank)"


def test_a_long_ranking_lists_its_top_bottom_and_highlighted_units(brief_run):
    res, inputs = long_group_of(*brief_run, k=3)
    order = res.pillars.sort_values("index", ascending=False)["unit_code"].tolist()
    picked = [order[30], order[20]]
    for lang, words in (("vi", "xếp hạng đầy đủ ở tables/gaps.csv"),
                        ("en", "the full ranking is in the edition's tables/gaps.csv")):  # fmt: skip
        b = build_district_brief(res, inputs, lang=lang, highlight=",".join(picked))
        assert [r["unit_code"] for r in b["ranking"]] == order[:10] + [order[20], order[30]] + (
            order[-10:]
        )
        assert [r["unit_code"] for r in b["ranking"] if r["is_highlight"]] == [order[20], order[30]]
        assert b["ranking_n"] == 54 and words in b["ranking_note"]
        assert "54" in b["ranking_note"] and "2" in b["ranking_note"]
    plain = build_district_brief(res, inputs, lang="en")
    assert len(plain["ranking"]) == 20 and "selected" not in plain["ranking_note"]
    # 18 units: every one is listed, no note
    full = build_district_brief(*brief_run, lang="en", highlight="20527")
    assert len(full["ranking"]) == 18 and full["ranking_note"] == ""
    assert [r["unit_code"] for r in full["ranking"] if r["is_highlight"]] == ["20527"]
