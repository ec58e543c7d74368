"""Generated sentences (analysis.narrative): their text in both languages for known numbers."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest
from conftest import DAI_THANH

from analysis import narrative
from analysis.errors import RenderError
from analysis.narrative import brief as nb
from analysis.narrative import facts

PKG = Path(__file__).resolve().parents[1] / "src" / "analysis"


# --------------------------------------------------------------------------- commune sentences
@pytest.mark.parametrize(
    ("lang", "gap", "lo", "hi", "expected"),
    [
        (
            "vi",
            0.31,
            0.22,
            0.40,
            "Chính quyền số của xã Đại Thạnh đạt 0,78, cao hơn kinh tế số 0,31 điểm "
            "(khoảng tin cậy 90%: 0,22–0,40).",
        ),
        (
            "en",
            0.31,
            0.22,
            0.40,
            "Digital government in Đại Thạnh commune scores 0.78, 0.31 points above the digital "
            "economy (90% confidence interval: 0.22–0.40).",
        ),
        (
            "vi",
            -0.05,
            -0.12,
            0.03,
            "Chính quyền số của xã Đại Thạnh đạt 0,78, thấp hơn kinh tế số 0,05 điểm (khoảng tin "
            "cậy 90%: −0,12 đến 0,03); khoảng tin cậy chứa 0 nên chưa khẳng định được chênh lệch.",
        ),
        (
            "en",
            -0.05,
            -0.12,
            0.03,
            "Digital government in Đại Thạnh commune scores 0.78, 0.05 points below the digital "
            "economy (90% confidence interval: −0.12 to 0.03); the interval includes zero, so the "
            "gap is not established.",
        ),
        (
            "vi",
            0.004,
            None,
            None,
            "Chính quyền số của xã Đại Thạnh đạt 0,78, ngang bằng kinh tế số.",
        ),
        (
            "en",
            -0.004,
            None,
            None,
            "Digital government in Đại Thạnh commune scores 0.78, level with the digital economy.",
        ),
    ],
)
def test_gap_sentence(lang, gap, lo, hi, expected):
    subject = "xã Đại Thạnh" if lang == "vi" else "Đại Thạnh commune"
    g, e = (
        ("Chính quyền số", "Kinh tế số")
        if lang == "vi"
        else ("Digital government", "Digital economy")
    )
    assert nb.gap_sentence(lang, subject, g, e, 0.78, gap, lo, hi, 0.9) == expected


def test_society_and_rank_sentences():
    assert nb.society_sentence(
        "vi", "Chính quyền số", "Xã hội số", 0.65, 0.13, 0.03, 0.23, 0.9
    ) == (
        "Xã hội số đạt 0,65; chênh lệch giữa chính quyền số và xã hội số là 0,13 điểm "
        "(khoảng tin cậy 90%: 0,03–0,23)."
    )
    assert nb.society_sentence(
        "en", "Digital government", "Digital society", 0.65, 0.13, -0.02, 0.23, 0.95
    ) == (
        "Digital society scores 0.65; the gap between digital government and digital society is "
        "0.13 points (95% confidence interval: −0.02 to 0.23), not established."
    )
    rank = {"nominal": 3, "q05": 2, "q95": 7, "n": 18}
    assert nb.rank_sentence("vi", "xã Đại Thạnh", rank) == (
        "Về chỉ số chung, xã Đại Thạnh xếp thứ 3/18 trong huyện (khoảng bất định 90%: thứ 2–7)."
    )
    assert nb.rank_sentence("en", "Việt Nam", dict(rank, q05=None), within_district=False) == (
        "On the overall index, Việt Nam ranks 3 of 18 among the units compared."
    )
    assert nb.rank_texts(dict(rank, q05=6, q95=6), "vi") == {
        "text": "Thứ 3/18",
        "interval_text": "thứ 6",
    }
    assert nb.rank_texts(rank, "en") == {"text": "3 of 18", "interval_text": "2–7"}


def test_commune_key_message_leads_with_the_pillars_that_have_data(brief_run):
    res, inputs = brief_run
    f = facts.commune_facts(res, inputs, DAI_THANH)
    unit = facts.unit_names(inputs.units, DAI_THANH, "vi")
    names = facts.pillar_names(inputs.framework, "vi")
    msg = nb.commune_key_message(f, unit, names, "vi")
    nominal = int(res.rank_stats.set_index("unit_code").loc[DAI_THANH, "nominal"])
    assert msg[0].startswith(
        "Chính quyền số của xã Đại Thạnh đạt 0,78, cao hơn kinh tế số 0,31 điểm"
    )
    assert msg[1].startswith(
        "Xã hội số đạt 0,65; chênh lệch giữa chính quyền số và xã hội số là 0,13 điểm"
    )
    assert f"xếp thứ {nominal}/18 trong huyện" in msg[2]
    # no economy pillar (the EGDI): the first sentence compares with society, no second one
    f.row = f.row.copy()
    f.row[["economy", "gap_econ", "gap_econ_lo", "gap_econ_hi"]] = float("nan")
    f.rank = None
    unit, names = facts.unit_names(inputs.units, DAI_THANH, "en"), facts.pillar_names(None, "en")
    msg = nb.commune_key_message(f, unit, names, "en")
    assert len(msg) == 1 and "0.13 points above the digital society" in msg[0]


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
    vi = nb.target_texts(8.0, 10.5, -2.5, "per 1,000 households", "vi")
    assert (
        vi["target_text"] == "10,5 trên 1.000 hộ"
        and vi["distance_text"] == "còn thiếu 2,5 trên 1.000 hộ"
    )
    assert nb.target_texts(None, None, None, "%", "en")["distance_text"] == "no national target"
    assert nb.target_texts(20.0, None, None, "%", "vi")["target_text"] == "—"


# --------------------------------------------------------------------------- district sentences
def _district_gaps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gap_econ": [0.4, 0.3, -0.1, 0.2],
            "gap_econ_lo": [0.1, -0.05, -0.3, 0.05],
            "gap_econ_hi": [0.6, 0.5, 0.1, 0.3],
            "gap_soc": [0.2, -0.1, -0.2, 0.1],
        }
    )


def test_district_key_message():
    names = facts.pillar_names(None, "vi")
    tests = [
        {"label": "Wilcoxon", "p_value": None},
        {"label": "Wilcoxon (CQS − KTS)", "p_value": 0.0312},
    ]
    assert nb.district_key_message(_district_gaps(), names, 0.9, tests, "vi") == [
        "Chính quyền số cao hơn kinh tế số ở 3/4 xã (chênh lệch trung vị 0,25 điểm) và cao hơn "
        "xã hội số ở 2/4 xã (trung vị 0,00 điểm).",
        "Khoảng tin cậy 90% của chênh lệch với kinh tế số không chứa 0 ở 2/4 xã.",
        "Wilcoxon (CQS − KTS): p = 0,031.",
    ]
    en = nb.district_key_message(
        _district_gaps(),
        facts.pillar_names(None, "en"),
        0.9,
        [{"label": "T", "p_value": 1e-5}],
        "en",
    )
    assert en[0] == (
        "Digital government scores above the digital economy in 3 of 4 communes (median gap 0.25 "
        "points) and above the digital society in 2 of 4 (median gap 0.00 points)."
    )
    assert en[2] == "T: p < 0.001."


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
        "detail": "ước lượng: chênh lệch trung vị; r (rank-biserial) = 0,90 (KTC 90%: 0,80–1,00); "
        "CQS > KTS ở 17/18 xã",
    }
    assert nb.test_texts(wilcoxon, "en", 0.9)["detail"] == (
        "estimate: median difference; rank-biserial r = 0.90 (90% CI: 0.80–1.00); G > E in 17 of 18 communes"
    )
    spearman = {"pillar_x": "economy", "pillar_y": "society", "rho_lo": -0.2, "rho_hi": 0.5}
    assert nb.test_texts(spearman, "en", 0.9) == {
        "id": "spearman_economy_society",
        "label": "Spearman rank correlation (E − S)",
        "detail": "estimate: rho; 90% CI: −0.20 to 0.50",
    }


def test_robustness_sentences():
    ranks = pd.DataFrame({"q05": [1, 2, 5], "q95": [3, 8, 6], "mean_abs_shift": [0.5, 1.5, 1.0]})
    sens = pd.DataFrame({"choice": ["weights", "leave_one_out"], "STi": [0.2, 0.61]})
    assert nb.robustness_sentences(ranks, sens, "vi") == [
        "Khoảng xếp hạng 90% có độ rộng trung vị 2 bậc; 2/3 xã có khoảng hẹp (không quá 3 bậc).",
        "Khi thay đổi lựa chọn phương pháp, thứ hạng dịch chuyển trung bình 1,0 bậc.",
        "Lựa chọn phương pháp ảnh hưởng nhiều nhất: bỏ bớt một chỉ tiêu (chỉ số Sobol toàn phần 0,61).",
    ]
    assert nb.robustness_sentences(ranks.drop(columns="mean_abs_shift"), None, "en") == [
        "The 90% rank intervals have a median width of 2 places; 2 of 3 communes have a narrow "
        "interval (3 places or fewer)."
    ]
    assert nb.robustness_sentences(None, None, "en") == []


# --------------------------------------------------------------------------- method, sources, places
def test_method_box_sources_and_keywords(brief_framework):
    vi = nb.method_box(brief_framework, 0.9, "synthetic", "vi")
    assert vi["interval"].startswith("Khoảng tin cậy 90% của chênh lệch")
    assert vi["framework"].endswith(
        f"{len(brief_framework.pillars)} trụ cột, {len(brief_framework.indicators)} chỉ số."
    )
    en = nb.method_box(brief_framework, 0.95, "observed", "en")
    assert en["interval"].startswith("95% confidence interval of a gap")
    assert en["data"] == "Observed data supplied by the communes."
    assert nb.method_box(brief_framework, 0.975, "mixed", "vi")["interval"].startswith(
        "Khoảng tin cậy 97,5%"
    )
    src = nb.sources(brief_framework, "vi", post2025=True)
    assert src[0].startswith("Quyết định 922/QĐ-BTTTT")
    assert any(s.startswith("Quyết định 411/QĐ-TTg") for s in src)
    assert src[-2].startswith("Tổng cục Thống kê") and src[-1].startswith("Nghị quyết 1659")
    assert len(src) == len(set(src))
    assert nb.keywords(["Đại Thạnh", ""], "2025H1", "synthetic", "en") == [
        "Đại Thạnh",
        "digital transformation",
        "digital government",
        "digital economy",
        "digital society",
        "2025H1",
        "illustrative data",
    ]


def test_unit_and_place_names(brief_units):
    u = facts.unit_names(brief_units, DAI_THANH, "vi")
    assert (u.name, u.full, u.subject, u.is_commune, u.district) == (
        "Đại Thạnh",
        "Xã Đại Thạnh",
        "xã Đại Thạnh",
        True,
        "Đại Lộc",
    )
    assert u.population > 1000
    town = facts.unit_names(brief_units, "20500", "en")
    assert (town.full, town.subject) == ("Ái Nghĩa town", "Ái Nghĩa town")
    assert nb.commune_place(u, "vi") == "Huyện Đại Lộc"
    after = facts.UnitNames(
        "20500", "Đại Lộc", "Xã Đại Lộc", "", "xã", True, "Đại Lộc", "Thành phố Đà Nẵng", None
    )
    assert nb.commune_place(after, "vi") == "Thành phố Đà Nẵng (trước đây huyện Đại Lộc)"
    assert nb.commune_place(after, "en") == "Đà Nẵng city (formerly Đại Lộc district)"
    assert nb.district_full_name("Đại Lộc", "", "en") == "Đại Lộc district"
    assert nb.district_full_name("Đại Lộc", "Thành phố Đà Nẵng", "vi") == (
        "Các xã thuộc huyện Đại Lộc cũ (Thành phố Đà Nẵng)"
    )
    assert nb.province_name("Tỉnh Quảng Nam", "en") == "Quảng Nam province"
    assert nb.count_communes(5, post2025=True, lang="vi") == "5 xã"
    with pytest.raises(RenderError, match="unit_code '99999' is not in the units table"):
        facts.unit_names(brief_units, "99999", "vi")


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
    res, _ = brief_run
    assert narrative.describe_pillars(res, "en").startswith(
        "Period 2025H1, medians over 18 units: digital government "
    )
    gaps = narrative.describe_gaps(res, "vi")
    head, lines, warn = gaps.split("\n\n")
    assert head.startswith(
        "Kỳ 2025H1: khoảng cách trung vị giữa chính quyền số và trung bình kinh tế số, xã hội số"
    )
    assert head.endswith("khoảng tin cậy của khoảng cách nằm hoàn toàn trên 0.")
    assert lines.split("\n") == [
        "- Chính quyền số cao hơn kinh tế số ở 94% số xã (KTC 90%: 74–100%); kiểm định Wilcoxon "
        "p = 0,0004, hệ số rank-biserial 0,90 (0,80–1,00).",
        "- Chính quyền số cao hơn xã hội số ở 72% số xã (KTC 90%: 52–100%); kiểm định Wilcoxon "
        "p = 0,0312, hệ số rank-biserial 0,90 (0,80–1,00).",
    ]
    assert warn == "*Dữ liệu minh họa: không phải phát hiện.*"
    sens = pd.DataFrame(
        {"target": "mean_abs_rank_shift", "choice": ["weights", "aggregation"], "STi": [0.1, 0.4]}
    )
    assert narrative.describe_robustness(res, sens, "en") == (
        "The 5–95% rank intervals have a median width of 5.0 places over 18 communes. "
        "The choice that moves ranks most: `aggregation` (total index STi = 0.40)."
    )
    demo_res, demo_inputs = text_demo_run
    assert "p < 0,0001" in narrative.describe_gaps(demo_res, "vi")


def test_describe_commune_is_the_brief_key_message(text_demo_run):
    from analysis.briefs import build_commune_brief

    res, inputs = text_demo_run
    for lang in ("vi", "en"):
        b = build_commune_brief(res, inputs, DAI_THANH, lang=lang)
        assert narrative.describe_commune(res, inputs, DAI_THANH, lang) == " ".join(
            b["key_message"]
        )


# --------------------------------------------------------------------------- the rule
def _lang_comparisons(path: Path) -> list[int]:
    """Lines comparing ``lang`` with a literal: a sentence written in code, not in i18n."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            names = [n for n in [node.left, *node.comparators] if isinstance(n, ast.Name)]
            consts = [n for n in [node.left, *node.comparators] if isinstance(n, ast.Constant)]
            if any(n.id == "lang" for n in names) and any(c.value in ("vi", "en") for c in consts):
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
