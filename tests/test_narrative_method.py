"""The method text and the source list (analysis.narrative.method, .provenance): generated from
the method that ran and the datasets used, never assumed.

Every method text here is worded from the method record of a real run (``Results.method``, made
by :func:`analysis.workflow.compute_results`): small samples, each parameter set computed once
per session (:func:`conftest.demo_run`).
"""

from __future__ import annotations

import pytest
from conftest import DAI_THANH, TEXT_SAMPLES, demo_run

from analysis import config, workflow
from analysis.loaders import Inputs, load_observations
from analysis.narrative import method as nm
from analysis.narrative import provenance as pv


def _rows(lang: str, **params) -> dict[str, str]:
    """The method box of a real run of the demo panel with ``params``: ``{row id: text}``."""
    res, inputs = demo_run(**params)
    return {r["id"]: r["text"] for r in nm.method_rows(res.method, inputs.framework, "", lang)}


#: one parameter of the run changed: the rows whose text may change, and words that the first of
#: them must then hold (vi, en) and did not hold before
CHANGES = [
    ({"normalise": "rank"}, ("scale", "uncertainty"), "Thứ hạng trong từng kỳ", "Ranks within each period"),
    ({"normalise": "zscore"}, ("scale", "uncertainty"), "Điểm z", "z-scores"),
    ({"aggregate": "geometric"}, ("aggregation",), "Trung bình nhân", "Geometric mean"),
    ({"weights": "dti"}, ("weights",), "chính quyền số 400, kinh tế số 300", "digital government 400, digital economy 300"),
    ({"impute": "mean"}, ("imputation",), "trung bình của các đơn vị", "mean of the period"),
    ({"draws": 30}, ("uncertainty", "interval"), "(30 lần)", "(30 draws)"),
    ({"n_boot": 80}, ("interval",), "80 lần lặp", "80 resamples"),
    ({"ci_level": 0.95}, ("interval", "joint"), "phân vị 2,5–97,5%", "2.5th–97.5th"),
    ({"target_year": 2030}, ("scale",), "mục tiêu quốc gia năm 2030", "the 2030 national target"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "rows", "vi", "en"),
    CHANGES,
    ids=[",".join(f"{k}={v}" for k, v in c[0].items()) for c in CHANGES],
)
def test_each_parameter_changes_its_sentence_in_both_languages(change, rows, vi, en):
    res, _ = demo_run(**change)
    assert {k: res.params[k] for k in change} == change  # the run ran with the change
    for lang, expected in (("vi", vi), ("en", en)):
        before, after = _rows(lang), _rows(lang, **change)
        assert before[rows[0]] != after[rows[0]]
        assert expected in after[rows[0]] and expected not in before[rows[0]], after[rows[0]]
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert changed <= set(rows), changed


def test_the_default_text_is_true_of_the_default_run():
    res, inputs = demo_run()
    ind = inputs.framework.indicators
    n, n_target = len(ind), int(ind["target_2025"].notna().sum())
    en = _rows("en")
    assert en["scale"].startswith(
        f"Attainment of the 2025 national target: each indicator as its share of the target, "
        f"capped at 1 ({n_target} of {n} indicators have a target); the other {n - n_target} use"
    )
    assert "lower is better" not in en["scale"]  # no indicator of the framework is reversed
    assert en["weights"] == "Equal across pillars; indicators equal within each pillar."
    assert en["aggregation"].startswith("Arithmetic mean of the indicators within a pillar")
    # the commune Monte Carlo varies the scale too (issue 15), and weights, aggregation,
    # imputation, leave-one-out
    draws = TEXT_SAMPLES["draws"]
    assert en["uncertainty"].startswith(f"The Monte Carlo ({draws} draws) varies the scale (target "
                                        "2025, target 2030, framework goalposts, goalposts 0–100)")  # fmt: skip
    assert "leaving one indicator out" in en["uncertainty"] and "fixed" not in en["uncertainty"]
    assert en["interval"].startswith("90% indicator-selection interval of a gap")
    assert f"({TEXT_SAMPLES['n_boot']} resamples" in en["interval"]
    assert en["joint"] == (
        "Claims about all units hold for all of them together: 90% simultaneous bounds (max-t (Romano & "
        "Wolf 2005)). Several tests: Holm-adjusted p-values (Holm 1979)."
    )
    vi = _rows("vi")
    assert vi["scale"].startswith("Mức đạt mục tiêu quốc gia năm 2025") and set(vi) == set(en)
    assert "measurement" not in " ".join(en.values())  # the demo panel has no standard errors


def test_the_framework_row_says_how_many_indicators_were_scored():
    """A panel without data for some of the framework's indicators (the national registry has no
    households): the method box says how many were scored, not only the framework's count."""
    res, inputs = demo_run()
    ind = inputs.framework.indicators["id"].astype(str).tolist()
    assert _rows("en")["framework"].endswith(f", {len(ind)} indicators.")  # all of them scored
    obs = inputs.observations
    fewer = obs[~obs["indicator"].isin(ind[:2])]
    part = Inputs(**{**vars(inputs), "observations": fewer, "digest": f"{inputs.digest}-fewer"})
    res = workflow.compute_results(part, **TEXT_SAMPLES)
    assert res.method["scale"]["n_scored"] == len(ind) - 2
    rows = {
        lang: {r["id"]: r["text"] for r in nm.method_rows(res.method, part.framework, "", lang)}
        for lang in ("vi", "en")
    }
    assert rows["en"]["framework"].endswith(
        f", {len(ind)} indicators, of which the {len(ind) - 2} with data are scored here."
    )
    assert f"trong đó {len(ind) - 2} chỉ số có số liệu" in rows["vi"]["framework"]


def test_a_relative_scale_says_the_simulation_keeps_it_fixed():
    en = _rows("en", normalise="zscore")
    assert "the scale (" not in en["uncertainty"]
    assert en["uncertainty"].endswith("It keeps the scale fixed.")
    assert _rows("vi", normalise="zscore")["uncertainty"].endswith("Giữ cố định: thang đo.")


def test_no_monte_carlo_with_fewer_than_three_units():
    """Two communes: the Monte Carlo cannot run, the record has none and the text says so."""
    from analysis import workflow

    inputs = demo_run()[1]
    obs = inputs.observations
    two = obs[obs["unit_code"].isin(sorted(obs["unit_code"].unique())[:2])]
    small = Inputs(**{**vars(inputs), "observations": two, "digest": f"{inputs.digest}-two"})
    res = workflow.compute_results(small, **TEXT_SAMPLES)
    assert "monte_carlo" not in res.method
    for lang, head in (("vi", "Không chạy mô phỏng Monte Carlo"), ("en", "No Monte Carlo")):
        rows = {r["id"]: r["text"] for r in nm.method_rows(res.method, small.framework, "", lang)}
        assert rows["uncertainty"].startswith(head)
        assert not any(w in rows["interval"] for w in ("Khoảng phương pháp", "method interval"))


def test_the_measurement_interval_is_said_when_the_observations_have_se(text_se_run):
    res, inputs = text_se_run
    assert "measurement_interval" in res.method
    vi, en = (
        {r["id"]: r["text"] for r in nm.method_rows(res.method, inputs.framework, "", lang)}
        for lang in ("vi", "en")
    )
    assert (
        "Khoảng 90% có sai số đo: khoảng lựa chọn chỉ số cộng thêm sai số chuẩn" in vi["interval"]
    )
    assert (
        "90% interval with measurement error: the indicator-selection interval with the "
        in (en["interval"])
    )


def test_weights_as_applied_per_level():
    """The EGDI preset weights the pillars 1:2 and has one government indicator; the text of a
    real EGDI run says so, and that no indicator has a national target."""
    from analysis import workflow

    egdi_dir = config.SHARED_DATASETS / "egdi"
    if not egdi_dir.is_dir():
        pytest.skip("shared datasets (egdi) absent")
    inputs = workflow.load_inputs(str(egdi_dir))
    res = workflow.compute_results(inputs, period="2024", **TEXT_SAMPLES)
    en = {r["id"]: r["text"] for r in nm.method_rows(res.method, inputs.framework, "", "en")}
    assert en["weights"].startswith(
        "Pillar weights digital government (online services) 1, digital society (human capital and "
        "telecommunication infrastructure) 2"
    )
    assert en["interval"].startswith("No indicator-selection interval: fewer than 2 indicators in "
                                     "digital government (online services).")  # fmt: skip
    assert en["scale"].startswith("The 2025 national-target scale, but no indicator has a target")


def test_the_brief_says_the_method_that_ran():
    """``-p normalise rank -p aggregate geometric``: the brief's method box says so."""
    from analysis.briefs import build_commune_brief

    res, inputs = demo_run(normalise="rank", aggregate="geometric")
    for lang, words in (("vi", ("Thứ hạng", "Trung bình nhân")), ("en", ("Ranks", "Geometric"))):
        rows = {r["id"]: r["text"] for r in build_commune_brief(res, inputs, DAI_THANH,
                                                                lang=lang)["meta"]["method"]}  # fmt: skip
        assert rows["scale"].startswith(words[0]) and rows["aggregation"].startswith(words[1])


def test_a_run_without_a_method_record_is_refused():
    res, inputs = demo_run()
    with pytest.raises(ValueError, match="compute_results"):
        nm.run_method(type(res)(**{**vars(res), "method": {}}), inputs)
    assert nm.run_method(res, inputs) == res.method


# --------------------------------------------------------------------------- sources
def test_sources_of_the_demo_run(text_demo_run):
    _, inputs = text_demo_run
    records = pv.provenance_of(inputs)
    assert [r["id"] for r in records] == ["demo_panel", "dai_loc_units", "commune_framework"]
    en = pv.source_list(records, "en")
    assert en[0].startswith("Illustrative commune panel (synthetic")
    assert not any("calibrated" in s or "supplied by the communes" in s for s in en)
    assert any("749/QĐ-TTg" in s and "411/QĐ-TTg" in s for s in en)
    assert pv.data_status_of(records, "synthetic") == "synthetic"
    merged = workflow.merge_inputs(inputs)
    assert pv.source_list(pv.provenance_of(inputs, merged), "vi")[-1].startswith("Nghị quyết 1659")


def test_sources_of_a_user_file(tmp_path):
    obs = load_observations(config.DEMO_OBSERVATIONS).assign(status="observed")
    path = tmp_path / "nhap_lieu.csv"
    obs.to_csv(path, index=False)
    records = pv.provenance_of(workflow.load_inputs(str(path)))
    first = pv.source_list(records, "en")[0]
    assert "nhap_lieu.csv" in first and "user-supplied, unpublished" in first
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
