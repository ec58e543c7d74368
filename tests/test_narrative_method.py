"""The method text and the source list (analysis.narrative.method, .provenance): generated from
the method that ran and the datasets used, never assumed."""

from __future__ import annotations

import pytest
from conftest import CONTRACT_METHOD, DAI_THANH, with_contract

from analysis import config
from analysis.frameworks import load_framework
from analysis.loaders import Inputs
from analysis.narrative import method as nm
from analysis.narrative import provenance as pv

BASE = {"normalise": "goalposts", "aggregate": "arithmetic", "weights": "framework",
        "impute": "none", "ci_level": 0.9, "n_boot": 2000, "draws": 1000}  # fmt: skip


def _rows(params: dict, lang: str, framework=None, monte_carlo: bool = True) -> dict[str, str]:
    fw = framework or load_framework()
    method = nm.method_from_params(params, fw, monte_carlo=monte_carlo)
    return {r["id"]: r["text"] for r in nm.method_rows(method, fw, "", lang)}


@pytest.mark.parametrize(
    ("change", "row", "vi", "en"),
    [
        ({"normalise": "rank"}, "scale", "Thứ hạng trong từng kỳ", "Ranks within each period"),
        ({"normalise": "zscore"}, "scale", "Điểm z", "z-scores"),
        ({"aggregate": "geometric"}, "aggregation", "Trung bình nhân", "Geometric mean"),
        ({"weights": "dti"}, "weights", "400", "400"),
        ({"impute": "mean"}, "imputation", "trung bình của các đơn vị", "mean of the period"),
        ({"draws": 250}, "uncertainty", "(250 lần)", "(250 draws)"),
        ({"n_boot": 500}, "interval", "500 lần lặp", "500 resamples"),
        ({"ci_level": 0.95}, "interval", "phân vị 2,5–97,5%", "2.5th–97.5th"),
    ],
)
def test_each_parameter_changes_its_sentence_in_both_languages(change, row, vi, en):
    for lang, expected in (("vi", vi), ("en", en)):
        before, after = _rows(BASE, lang), _rows({**BASE, **change}, lang)
        assert before[row] != after[row]
        assert expected in after[row] and expected not in before[row]
        others = {k for k in before if k != row and before[k] != after.get(k)}
        assert others <= {"interval", "uncertainty"}  # draws/level also name the other intervals


def test_the_default_text_is_true_of_the_default_run():
    en = _rows(BASE, "en")
    assert en["scale"].startswith("Min–max between the framework's fixed goalposts")
    assert en["weights"] == "Equal across pillars; indicators equal within each pillar."
    assert en["aggregation"].startswith("Arithmetic mean of the indicators within a pillar")
    # the commune Monte Carlo varies the scale too (issue 15), and weights, aggregation,
    # imputation, leave-one-out
    assert "leaving one indicator out" in en["uncertainty"]
    assert (
        "the scale (target 2025, target 2030, framework goalposts, goalposts 0–100)"
        in (en["uncertainty"])
    )
    assert "normalisation" not in en["uncertainty"].lower()
    assert en["interval"].startswith("90% indicator-selection interval of a gap")
    no_mc = _rows(BASE, "vi", monte_carlo=False)
    assert no_mc["uncertainty"].startswith("Không chạy mô phỏng Monte Carlo")
    assert "Khoảng phương pháp" not in no_mc["interval"]


def test_weights_as_applied_per_level():
    """The EGDI and DESI presets weight the pillars 1:2; the text says so."""
    egdi = load_framework(config.FRAMEWORKS / "egdi.yaml")
    en = _rows(BASE, "en", egdi)
    assert en["weights"].startswith(
        "Pillar weights digital government (online services) 1, digital society (human capital and "
        "telecommunication infrastructure) 2"
    )
    assert en["interval"].startswith("No indicator-selection interval: fewer than 2 indicators in "
                                     "digital government (online services).")  # fmt: skip
    assert _rows({**BASE, "weights": "equal"}, "en", egdi)["weights"].startswith(
        "Equal across pillars"
    )


def test_the_contract_method_is_worded_from_its_keys():
    fw = load_framework()
    vi = {r["id"]: r["text"] for r in nm.method_rows(CONTRACT_METHOD, fw, "", "vi")}
    en = {r["id"]: r["text"] for r in nm.method_rows(CONTRACT_METHOD, fw, "", "en")}
    assert en["scale"].startswith("Attainment of the 2025 national target")
    assert "(11 of 20 indicators have a target); the other 9 use" in en["scale"]
    assert en["scale"].endswith("31% of the values reach the cap.")
    assert vi["scale"].startswith("Mức đạt mục tiêu quốc gia năm 2025")
    assert (
        "the scale (target 2025, target 2030, framework goalposts, goalposts 0–100)"
        in (en["uncertainty"])
    )
    assert "fixed" not in en["uncertainty"]
    assert en["joint"] == (
        "District claims hold for all units together: 90% simultaneous bounds (max-t (Romano & "
        "Wolf 2005)). Several tests: Holm-adjusted p-values (Holm 1979)."
    )
    # a choice left out of `varied` is said to be fixed
    kept = {**CONTRACT_METHOD, "monte_carlo": {**CONTRACT_METHOD["monte_carlo"],
                                               "varied": ["weights", "leave_one_out"]}}  # fmt: skip
    text = {r["id"]: r["text"] for r in nm.method_rows(kept, fw, "", "en")}["uncertainty"]
    assert text.endswith("It keeps the scale, the aggregation and the imputation fixed.")


def test_results_method_wins_over_the_parameters(brief_run):
    res, inputs = brief_run
    assert nm.run_method(res, inputs)["scale"]["normalise"] == "goalposts"  # from params
    assert nm.run_method(with_contract(res), inputs) == CONTRACT_METHOD


def test_the_brief_says_the_method_that_ran(text_demo_run):
    """``-p normalise rank -p aggregate geometric``: the brief's method box says so."""
    from analysis import workflow
    from analysis.briefs import build_commune_brief

    _, inputs = text_demo_run
    res = workflow.compute_results(
        inputs, normalise="rank", aggregate="geometric", n_boot=50, draws=20
    )
    for lang, words in (("vi", ("Thứ hạng", "Trung bình nhân")), ("en", ("Ranks", "Geometric"))):
        rows = {r["id"]: r["text"] for r in build_commune_brief(res, inputs, DAI_THANH,
                                                                lang=lang)["meta"]["method"]}  # fmt: skip
        assert rows["scale"].startswith(words[0]) and rows["aggregation"].startswith(words[1])


# --------------------------------------------------------------------------- sources
def test_sources_of_the_demo_run(text_demo_run):
    _, inputs = text_demo_run
    inputs = Inputs(**{**vars(inputs), "provenance": []})  # derived: inputs without records
    records = pv.provenance_of(inputs)
    assert [r["id"] for r in records] == [
        "demo", "framework", "749/QĐ-TTg", "411/QĐ-TTg", "census_2019"
    ]  # fmt: skip
    en = pv.source_list(records, "en")
    assert en[0].startswith("Illustrative commune panel (synthetic")
    assert not any("calibrated" in s or "supplied by the communes" in s for s in en)
    assert pv.data_status_of(records, "synthetic") == "synthetic"
    merged = Inputs(**{**vars(inputs), "paths": {**inputs.paths, "crosswalk": "dai_loc"}})
    assert pv.source_list(pv.provenance_of(inputs, merged), "vi")[-1].startswith("Nghị quyết 1659")


def test_sources_of_a_user_file(text_demo_run, tmp_path):
    _, inputs = text_demo_run
    user = Inputs(**{**vars(inputs), "status": "observed", "provenance": [],
                     "paths": {**inputs.paths, "observations": str(tmp_path / "nhap_lieu.xlsx")}})  # fmt: skip
    records = pv.provenance_of(user)
    assert pv.source_list(records, "en")[0] == "nhap_lieu.xlsx: user-supplied, unpublished."
    assert pv.data_status_of(records, "observed") == "user"


def test_inputs_provenance_is_printed_as_given(text_demo_run):
    _, inputs = text_demo_run
    own = [{"id": "x", "status": "published", "citation_vi": "Nguồn X.", "citation_en": "X."}]
    given = Inputs(**vars(inputs))
    given.provenance = own
    assert pv.source_list(pv.provenance_of(given), "en") == ["X."]


def test_sources_of_the_published_editions():
    from analysis import workflow

    dti = workflow.load_inputs("data/raw/dti")
    en = pv.source_list(pv.provenance_of(dti), "en")
    assert en[0].startswith("Ministry of Information and Communications")
    assert any("7501/KH-UBND" in s for s in en) and any("922/QĐ-BTTTT" in s for s in en)
    assert not any("Census" in s for s in en)
    egdi_dir = config.SHARED_DATASETS / "egdi"
    if not egdi_dir.is_dir():
        pytest.skip("shared datasets (egdi) absent")
    egdi = workflow.load_inputs(str(egdi_dir))
    en = pv.source_list(pv.provenance_of(egdi), "en")  # data, then units (UN members), method
    assert en[0].startswith(
        "United Nations (UN DESA), United Nations E-Government Survey, editions 2010, 2012, 2014, "
        "2016, 2018, 2022 and 2024"
    )
    assert not any("922/QĐ-BTTTT" in s or "Census" in s for s in en)
