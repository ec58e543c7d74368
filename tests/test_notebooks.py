"""Every notebook runs headless through the runner with params/smoke.yaml, and its outputs are right.

One run of the smoke edition (module-scoped fixture) serves all tests here; it guards the
promise of `make report`, so it is marked slow and kept in CI.
"""

from __future__ import annotations

import json
import sys

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from analysis import config
from analysis.runner import run_edition

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebooks")]

NOTEBOOKS = [
    "00_data_quality",
    "10_pillar_scores",
    "20_gap_analysis",
    "30_commune_profile",
    "35_commune_briefs",
    "40_robustness",
    "50_mergers",
]


@pytest.fixture(scope="module")
def smoke(smoke_run):
    return smoke_run  # one run of the smoke edition for every test of the notebooks (conftest)


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_every_notebook_ran_and_provenance_is_recorded(smoke):
    out, result = smoke
    assert result.ok, [(r.task.id, r.error) for r in result.failures]
    ran = {r.task.notebook for r in result.results}
    assert ran == set(NOTEBOOKS)
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == "smoke"
    assert manifest["package_version"]
    assert any("observations" in k for k in manifest["data_hashes"])
    if sys.platform.startswith("linux"):  # each kernel's peak memory, and the run's largest
        peaks = [t["peak_rss_mib"] for t in manifest["tasks"].values()]
        assert all(p and 50 < p < 8192 for p in peaks), peaks
        assert manifest["summary"]["peak_rss_mib"] == max(peaks)
    for nb in NOTEBOOKS:
        assert list((out / "notebooks").glob(f"{nb}*.ipynb")), nb
        assert list((out / "html").glob(f"{nb}*.html")), nb


def test_run_json_records_the_method_that_ran(smoke):
    """run.json carries each results folder's method (tables/method.json): the Monte Carlo's
    choice list names the scale (normalisation and goalposts) beside weights and aggregation."""
    out, _ = smoke
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    method = manifest["method"]
    assert set(method) == {".", "post2025"}
    for rel, m in method.items():
        assert m == json.loads((out / rel / "tables" / "method.json").read_text(encoding="utf-8"))
    mc = method["."]["monte_carlo"]
    assert mc["varied"][0] == "scale" and {"weights", "aggregation"} <= set(mc["varied"])
    assert any(s.startswith("goalposts") for s in mc["scales"]) and len(mc["scales"]) >= 3


def test_tables_carry_the_synthetic_status(smoke):
    out, _ = smoke
    for name in [
        "coverage_by_indicator",
        "pillar_scores",
        "gaps",
        "district_tests",
        "rank_stats",
        "sensitivity",
        "typology_counts",
    ]:
        df = pd.read_csv(out / "tables" / f"{name}.csv", dtype={"unit_code": str})
        assert (df["status"] == "synthetic").all(), name
    gaps = pd.read_csv(out / "tables" / "gaps.csv", dtype={"unit_code": str})
    assert len(gaps["unit_code"].unique()) == 18
    assert (gaps["gap_mean_sel_lo"] <= gaps["gap_mean"]).all() and (
        gaps["gap_mean"] <= gaps["gap_mean_sel_hi"]
    ).all()
    new = pd.read_csv(out / "post2025" / "tables" / "gaps.csv", dtype={"unit_code": str})
    assert sorted(new["unit_code"].unique()) == ["20500", "20506", "20515", "20539", "20542"]


def test_issue15_outputs_sign_shares_claims_and_the_method_that_ran(smoke):
    out, _ = smoke
    gaps = pd.read_csv(out / "tables" / "gaps.csv", dtype={"unit_code": str})
    for gap in ("gap_econ", "gap_soc", "gap_mean"):
        assert gaps[f"{gap}_share_positive"].between(0, 1).all(), gap
        assert {f"{gap}_method_lo", f"{gap}_method_hi", f"{gap}_sign_robust"} <= set(gaps.columns)
    # no column still calls the selection interval a confidence interval (or by its old name)
    assert not [c for c in gaps.columns if c.endswith(("_mc_lo", "_ci_lo")) or c == "gap_mean_lo"]
    claims = pd.read_csv(out / "tables" / "district_claims.csv")
    assert set(claims["gap"]) == {"gap_econ", "gap_soc", "gap_mean"}
    assert (claims["status"] == "synthetic").all()
    method = json.loads((out / "tables" / "method.json").read_text(encoding="utf-8"))
    assert method["scale"]["label"] == "target:2025"
    assert (
        method["monte_carlo"]["varied"][0] == "scale"
        and "goalposts" in method["monte_carlo"]["scales"]
    )
    sens = pd.read_csv(out / "tables" / "sensitivity.csv")
    scales = sens.loc[sens["choice"] == "normalisation", "alternatives"].unique()
    assert list(scales) == ["target:2025|target:2030|goalposts|goalposts:0,100"]
    conv = pd.read_csv(out / "tables" / "convergence.csv")
    gov = conv[conv["pillar"] == "government"]
    assert set(gov["kind"]) == {"sigma", "beta_iv"} and not (gov["converging"] == True).any()  # noqa: E712


def test_figures_are_png_with_stable_names(smoke):
    """The briefs embed PNG and the HTML shows figures inline: an edition that does not ask for
    SVG (``figure_formats``) gets PNG only."""
    out, _ = smoke
    for stem in [
        "20527__profile_vi",
        "20527__trend_en",
        "district__dumbbell_vi",
        "district__map_en",
        "district__rank_uncertainty_vi",
    ]:
        assert (out / "figures" / f"{stem}.png").exists(), stem
    assert not list((out / "figures").glob("*.svg"))


def test_commune_brief_text_has_diacritics_numbers_and_banner(smoke):
    out, _ = smoke
    gaps = pd.read_csv(out / "tables" / "gaps.csv", dtype={"unit_code": str})
    row = gaps[(gaps["unit_code"] == "20527") & (gaps["period"] == gaps["period"].max())].iloc[0]
    vi = _pdf_text(out / "briefs" / "20527_vi.pdf")
    en = _pdf_text(out / "briefs" / "20527_en.pdf")
    assert "Đại Thạnh" in vi and "Đại Thạnh" in en
    assert "DỮ LIỆU MINH HỌA" in vi and "ILLUSTRATIVE DATA" in en
    # scores are written as points on a 0-100 scale; the key message starts with the prefix
    assert (
        f"Dữ liệu minh họa: Chính quyền số của xã Đại Thạnh đạt {100 * row['government']:.0f} điểm"
        in vi
    )
    assert "Illustrative data: Digital government in Đại Thạnh commune scores" in en
    assert "khoảng lựa chọn chỉ số" in vi and "indicator-selection interval" in en
    assert len(PdfReader(out / "briefs" / "20527_vi.pdf").pages) == 2


def test_district_and_post2025_briefs_exist(smoke):
    out, _ = smoke
    for lang in ("vi", "en"):
        text = _pdf_text(out / "briefs" / f"district_{lang}.pdf")
        assert "Đại Lộc" in text
    assert (out / "post2025" / "briefs" / "20542_vi.pdf").exists()
    former = _pdf_text(out / "post2025" / "briefs" / "district_vi.pdf")
    assert "huyện Đại Lộc cũ" in former and "Đà Nẵng" in former
    assert "Phú Thuận" in _pdf_text(out / "post2025" / "briefs" / "20542_vi.pdf")


def test_notebooks_keep_no_outputs_in_the_repo():
    for nb in NOTEBOOKS:
        book = nbformat.read(config.NOTEBOOKS / f"{nb}.ipynb", as_version=4)
        assert all(not c.get("outputs") for c in book.cells if c.cell_type == "code"), nb
        tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, nb


def test_second_run_skips_everything(smoke):
    out, _ = smoke
    again = run_edition("smoke", output_dir=out, workers=2, progress=False)
    assert again.ok and again.n_ran == 0 and again.n_skipped == len(again.results)


def test_real_data_edition_runs_without_the_synthetic_banner(tmp_path):
    """The provincial DTI edition: published values (status observed) through the same notebooks."""
    result = run_edition("dti_quangnam", output_dir=tmp_path, workers=2, progress=False)
    assert result.ok, [(r.task.id, r.error) for r in result.failures]
    gaps = pd.read_csv(tmp_path / "tables" / "gaps.csv", dtype={"unit_code": str})
    assert (gaps["status"] != "synthetic").all()
    qn = gaps[(gaps["unit_code"] == "49") & (gaps["period"].astype(str) == "2022")].iloc[0]
    assert qn["gap_econ"] == pytest.approx(0.6674 - 0.6062, abs=1e-9)  # published CQS − KTS
    assert qn["gap_soc"] == pytest.approx(0.6674 - 0.5585, abs=1e-9)
    text = _pdf_text(tmp_path / "briefs" / "49_vi.pdf")
    text = " ".join(text.split())
    assert "Quảng Nam" in text and "MINH HỌA" not in text and "cao hơn kinh tế số 6 điểm" in text
    # the published DTI 2022 leads, with its rank and source (the recomputation is a check)
    assert "Theo công bố DTI 2022, chỉ số của Quảng Nam là 0,5808, xếp thứ 31/63" in text
    # with the published pillars and their ranks beside it
    assert "CQS0,6674(30/63)KTS0,6062(45/63)XHS0,5585(41/63)" in text.replace(" ", "")
