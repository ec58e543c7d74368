"""PDF briefs: key messages, number formats, text extracted from the PDFs, banner, safety, determinism."""

from __future__ import annotations

import json
import re
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pypdf = pytest.importorskip("pypdf")

from analysis import briefs, cli  # noqa: E402
from analysis.errors import RenderError  # noqa: E402
from analysis.frameworks import load_framework  # noqa: E402
from analysis.units import load_units  # noqa: E402

BANNER_VI = "DỮ LIỆU MINH HỌA — không phải số liệu chính thức"
BANNER_EN = "ILLUSTRATIVE DATA — not official statistics"
DAI_THANH = "20527"


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return load_units()


@pytest.fixture(scope="module")
def framework():
    return load_framework()


def _tables(units: pd.DataFrame, framework, status: str = "synthetic") -> dict:
    """Seeded tables in the HELPERS contracts, with known values for Đại Thạnh."""
    rng = np.random.default_rng(20250701)
    codes = units["unit_code"].tolist()
    n = len(codes)
    g = np.round(rng.uniform(0.55, 0.9, n), 3)
    e = np.round(rng.uniform(0.2, 0.6, n), 3)
    s = np.round(rng.uniform(0.3, 0.7, n), 3)
    i = codes.index(DAI_THANH)
    g[i], e[i], s[i] = 0.78, 0.47, 0.65
    gaps = pd.DataFrame(
        {
            "unit_code": codes,
            "period": "2025H1",
            "government": g,
            "economy": e,
            "society": s,
            "gap_econ": g - e,
            "gap_econ_lo": g - e - 0.09,
            "gap_econ_hi": g - e + 0.09,
            "gap_soc": g - s,
            "gap_soc_lo": g - s - 0.1,
            "gap_soc_hi": g - s + 0.1,
            "gap_mean": g - (e + s) / 2,
            "gap_mean_lo": g - (e + s) / 2 - 0.08,
            "gap_mean_hi": g - (e + s) / 2 + 0.08,
            "typology": ["gov_led"] * 10 + ["balanced_high"] * 5 + ["balanced_low"] * 3,
            "status": status,
        }
    )
    gaps.loc[i, ["gap_econ_lo", "gap_econ_hi"]] = [0.22, 0.40]
    pillars = gaps[["unit_code", "period", "government", "economy", "society", "status"]].assign(
        index=(g + e + s) / 3
    )
    nominal = pillars["index"].rank(ascending=False, method="min").astype(int).to_numpy()
    rank_stats = pd.DataFrame(
        {
            "unit_code": codes,
            "nominal": nominal,
            "mean": nominal.astype(float),
            "median": nominal.astype(float),
            "q05": np.maximum(1, nominal - 2),
            "q95": np.minimum(n, nominal + 3),
            "mean_abs_shift": 1.25,
            "p_top_k": 0.1,
            "p_bottom_k": 0.1,
        }
    )
    ind = framework.indicators
    obs = pd.DataFrame(
        [
            {
                "unit_code": c,
                "period": "2025H1",
                "indicator": k,
                "value": 55.0,
                "status": status,
                "source": "test",
            }
            for c in codes
            for k in ind["id"]
        ]
    )
    # Đại Thạnh's three weakest: known values, two with a 2025 target.
    weak = {
        "soc_smartphone_adults_pct": 30.0,
        "econ_sme_platform_pct": 12.5,
        "gov_online_dossier_pct": 20.0,
    }
    for k, v in weak.items():
        obs.loc[(obs["unit_code"] == DAI_THANH) & (obs["indicator"] == k), "value"] = v
    tests = pd.DataFrame(
        [
            {
                "test": "wilcoxon_gap_econ",
                "n": n,
                "estimate": 0.31,
                "estimate_lo": 0.25,
                "estimate_hi": 0.36,
                "p_value": 0.0004,
            },
            {
                "test": "spearman_gov_econ",
                "n": n,
                "estimate": 0.21,
                "estimate_lo": -0.25,
                "estimate_hi": 0.6,
                "p_value": 0.41,
            },
        ]
    )
    return {"gaps": gaps, "pillars": pillars, "rank_stats": rank_stats, "obs": obs, "tests": tests}


@pytest.fixture(scope="module")
def tables(units, framework) -> dict:
    return _tables(units, framework)


def _commune(tables, units, framework, lang="vi", code=DAI_THANH, **kw):
    return briefs.build_commune_brief(
        tables["gaps"],
        code,
        lang=lang,
        pillars=tables["pillars"],
        rank_stats=tables["rank_stats"],
        framework=framework,
        units=units,
        indicators=tables["obs"],
        **kw,
    )


def _district(tables, units, framework, lang="vi", **kw):
    u25 = pd.read_csv(
        Path(briefs.config.RAW) / "units" / "dai_loc_units_2025.csv",
        dtype={"unit_code": str, "parent_code": str},
    )
    p25 = tables["gaps"].iloc[:5].assign(unit_code=u25["unit_code"].tolist())
    return briefs.build_district_brief(
        tables["gaps"],
        lang=lang,
        pillars=tables["pillars"],
        rank_stats=tables["rank_stats"],
        framework=framework,
        units=units,
        tests=tables["tests"],
        post2025_gaps=p25,
        post2025_units=u25,
        **kw,
    )


def _pages(pdf: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(pdf).pages]


def _squash(s: str) -> str:
    """Text without whitespace: PDF extraction breaks lines anywhere."""
    return re.sub(r"\s+", "", s)


def _png(path: Path) -> Path:
    """A tiny valid PNG (2x2 grey) without matplotlib."""
    raw = b"".join(b"\x00" + b"\x80\x80" for _ in range(2))

    def chunk(tag, data):
        return len(data).to_bytes(4, "big") + tag + data + zlib.crc32(tag + data).to_bytes(4, "big")

    ihdr = (2).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


# --------------------------------------------------------------------------- key messages and numbers
def test_key_message_vi_matches_the_issue_example(tables, units, framework):
    b = _commune(tables, units, framework, "vi")
    assert b["key_message"][0] == (
        "Chính quyền số của xã Đại Thạnh đạt 0,78, cao hơn kinh tế số 0,31 điểm (khoảng tin cậy 90%: 0,22–0,40)."
    )
    assert b["key_message"][1].startswith(
        "Xã hội số đạt 0,65; chênh lệch giữa chính quyền số và xã hội số là 0,13 điểm"
    )
    r = tables["rank_stats"].set_index("unit_code").loc[DAI_THANH]
    assert f"xếp thứ {int(r['nominal'])}/18 trong huyện" in b["key_message"][2]
    assert len(b["key_message"]) == 3


def test_key_message_en(tables, units, framework):
    b = _commune(tables, units, framework, "en")
    assert b["key_message"][0] == (
        "Digital government in Đại Thạnh commune scores 0.78, 0.31 points above the digital economy "
        "(90% confidence interval: 0.22–0.40)."
    )
    assert b["meta"]["unit_full_name"] == "Đại Thạnh commune"


def test_key_message_negative_gap_and_interval_with_zero(tables, units, framework):
    gaps = tables["gaps"].copy()
    i = gaps.index[gaps["unit_code"] == DAI_THANH][0]
    gaps.loc[i, ["government", "economy", "gap_econ", "gap_econ_lo", "gap_econ_hi"]] = [
        0.40,
        0.45,
        -0.05,
        -0.12,
        0.03,
    ]
    b = briefs.build_commune_brief(gaps, DAI_THANH, lang="vi", framework=framework, units=units)
    assert b["key_message"][0] == (
        "Chính quyền số của xã Đại Thạnh đạt 0,40, thấp hơn kinh tế số 0,05 điểm "
        "(khoảng tin cậy 90%: −0,12 đến 0,03); khoảng tin cậy chứa 0 nên chưa khẳng định được chênh lệch."
    )
    assert b["gaps"][0]["is_established"] is False
    assert len(b["key_message"]) == 2  # no rank stats, no index: no rank sentence
    en = briefs.build_commune_brief(gaps, DAI_THANH, lang="en", framework=framework, units=units)
    assert "0.05 points below the digital economy" in en["key_message"][0]
    assert "(90% confidence interval: −0.12 to 0.03)" in en["key_message"][0]


def test_numbers_follow_the_tables(tables, units, framework):
    b = _commune(tables, units, framework, "vi")
    gp = tables["gaps"]
    assert [p["median_text"] for p in b["pillars"]] == [
        f"{gp[c].median():.2f}".replace(".", ",") for c in ("government", "economy", "society")
    ]
    pop = int(units.set_index("unit_code").loc[DAI_THANH, "population"])
    assert pop > 1000 and b["meta"]["population_text"] == f"{pop:,}".replace(
        ",", "."
    )  # thousands dot
    weak = {w["id"]: w for w in b["weakest"]}
    assert list(weak) == [
        "econ_sme_platform_pct",
        "gov_online_dossier_pct",
        "soc_smartphone_adults_pct",
    ]
    assert weak["econ_sme_platform_pct"]["value_text"] == "12,5%"
    assert weak["econ_sme_platform_pct"]["distance_text"] == "còn thiếu 37,5 điểm phần trăm"
    assert weak["soc_smartphone_adults_pct"]["distance_text"] == "còn thiếu 50,0 điểm phần trăm"
    assert weak["gov_online_dossier_pct"]["distance_text"] == "không có mục tiêu quốc gia"


def test_format_number_examples():
    f = briefs._fmt_number
    assert f(1234567.891, "vi", 2) == "1.234.567,89"
    assert f(1234567.891, "en", 2) == "1,234,567.89"
    assert f(-0.31, "vi") == "−0,31"
    assert f(-0.001, "vi") == "0,00"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), st.integers(0, 3))
def test_format_number_round_trips(x, digits):
    vi, en = briefs._fmt_number(x, "vi", digits), briefs._fmt_number(x, "en", digits)
    back_vi = float(vi.replace("−", "-").replace(".", "").replace(",", "."))
    back_en = float(en.replace("−", "-").replace(",", ""))
    assert back_vi == back_en == pytest.approx(round(x, digits), abs=10**-digits)


def test_period_helpers():
    assert briefs._period_label("2024H2", "vi") == "6 tháng cuối năm 2024"
    assert briefs._period_label("2023Q2", "en") == "Q2 2023"


def test_bad_inputs_name_the_fix(tables, units, framework):
    with pytest.raises(RenderError, match="unit_code '99999'"):
        _commune(tables, units, framework, code="99999")
    with pytest.raises(RenderError, match="lang='fr'"):
        _commune(tables, units, framework, lang="fr")
    with pytest.raises(RenderError, match=r"lacks column\(s\) \['gap_soc'\]"):
        briefs.build_commune_brief(tables["gaps"].drop(columns="gap_soc"), DAI_THANH)
    bad = _commune(tables, units, framework)
    bad["meta"]["data_status"] = "official"
    with pytest.raises(RenderError, match="data_status='official'"):
        briefs.validate_brief(bad)


# --------------------------------------------------------------------------- PDFs
@pytest.fixture(scope="module")
def commune_pdfs(tables, units, framework, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("briefs")
    return {
        lang: briefs.render_brief(
            _commune(tables, units, framework, lang), out / f"{DAI_THANH}_{lang}.pdf"
        )
        for lang in ("vi", "en")
    }


def test_commune_pdf_vi_text(commune_pdfs, tables):
    pages = _pages(commune_pdfs["vi"])
    assert len(pages) == 2
    text = _squash("\n".join(pages))
    for needle in (
        "Xã Đại Thạnh",
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
        "Thông điệp chính",
        "cao hơn kinh tế số 0,31 điểm (khoảng tin cậy 90%: 0,22–0,40)",
        "0,78",
        "0,47",
        "0,65",
        "4.056",
        "12,5%",
        "còn thiếu 37,5 điểm phần trăm",
        "Quyết định 411/QĐ-TTg",
    ):
        assert _squash(needle) in text, needle
    gp = tables["gaps"]
    for col in ("government", "economy", "society"):
        assert _squash(f"Trung vị {gp[col].median():.2f}".replace(".", ",")) in text
    for page in pages:
        assert _squash(BANNER_VI) in _squash(page)
    assert BANNER_EN not in "\n".join(pages)


def test_commune_pdf_en_text(commune_pdfs):
    pages = _pages(commune_pdfs["en"])
    assert len(pages) == 2
    text = _squash("\n".join(pages))
    for needle in (
        "Đại Thạnh commune",
        "Digital government",
        "Digital society",
        "0.31 points above the digital economy",
        "0.22–0.40",
        "4,056",
        "37.5 percentage points short",
    ):
        assert _squash(needle) in text, needle
    assert all(_squash(BANNER_EN) in _squash(p) for p in pages)
    assert "0,78" not in text


def test_pdf_metadata(commune_pdfs):
    r = pypdf.PdfReader(commune_pdfs["vi"])
    meta = r.metadata
    assert meta["/Title"] == "Bản tin chuyển đổi số cấp xã: Xã Đại Thạnh"
    assert "Đại Thạnh" in meta["/Keywords"] and "dữ liệu minh họa" in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:20250630")
    assert r.trailer["/Root"]["/Lang"] == "vi"
    assert pypdf.PdfReader(commune_pdfs["en"]).trailer["/Root"]["/Lang"] == "en"
    fonts = {str(f["/BaseFont"]) for p in r.pages for f in p["/Resources"]["/Font"].values()}
    assert fonts and all("BeVietnamPro" in f for f in fonts)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_banner_absent_for_observed_data(units, framework, tmp_path, lang):
    t = _tables(units, framework, status="observed")
    b = _commune(t, units, framework, lang)
    assert b["meta"]["data_status"] == "observed"
    pages = _pages(briefs.render_brief(b, tmp_path / f"x_{lang}.pdf"))
    joined = _squash("\n".join(pages))
    assert _squash(BANNER_VI) not in joined and _squash(BANNER_EN) not in joined
    assert _squash("Đại Thạnh") in joined


def test_status_is_worst_of_inputs(units, framework):
    t = _tables(units, framework, status="observed")
    t["obs"].loc[3, "status"] = "imputed"
    t["obs"].loc[t["obs"]["unit_code"] == DAI_THANH, "status"] = "imputed"
    assert _commune(t, units, framework)["meta"]["data_status"] == "mixed"
    t["pillars"].loc[t["pillars"]["unit_code"] == DAI_THANH, "status"] = "synthetic"
    assert _commune(t, units, framework)["meta"]["data_status"] == "synthetic"


def test_injection_is_printed_literally(tables, units, framework, tmp_path):
    evil = '#read("/etc/passwd") *bold* $x$ <lbl> @ref // c ] [ #set page(width: 1cm) #image("/commune.typ")'
    u = units.copy()
    i = u.index[u["unit_code"] == DAI_THANH][0]
    u.loc[i, ["name_vi", "full_name_vi"]] = [evil, f"Xã {evil}"]
    b = _commune(tables, u, framework, "vi", sources=['#read("lib.typ")'])
    pdf = briefs.render_brief(b, tmp_path / "evil.pdf")
    pages = _pages(pdf)
    assert len(pages) == 2  # the #set page(...) did not run
    text = _squash("\n".join(pages))
    assert _squash(evil) in text
    assert _squash('#read("lib.typ")') in text
    assert "root:x:0:0" not in "\n".join(pages)
    assert pypdf.PdfReader(pdf).metadata["/Title"].endswith(evil)


def test_same_inputs_same_bytes(tables, units, framework, tmp_path, commune_pdfs):
    b = _commune(tables, units, framework, "vi")
    a = briefs.render_brief(b, tmp_path / "a" / f"{DAI_THANH}_vi.pdf").read_bytes()
    briefs._RENDERERS.clear()  # a cold compiler gives the same bytes
    c = briefs.render_brief(b, tmp_path / "c" / f"{DAI_THANH}_vi.pdf").read_bytes()
    assert a == c == commune_pdfs["vi"].read_bytes()
    other = _commune(tables, units, framework, "vi", edition="other")
    assert briefs.render_brief(other, tmp_path / "d.pdf").read_bytes() != a


def test_district_pdf(tables, units, framework, tmp_path):
    for lang in ("vi", "en"):
        b = _district(tables, units, framework, lang)
        pdf = briefs.render_brief(b, tmp_path / f"506_{lang}.pdf")
        pages = _pages(pdf)
        assert 2 <= len(pages) <= 4
        text = _squash("\n".join(pages))
        banner = BANNER_VI if lang == "vi" else BANNER_EN
        assert all(_squash(banner) in _squash(p) for p in pages)
        for name in units["name_vi"]:
            assert _squash(name) in text, name
        for name in ("Thượng Đức", "Hà Nha", "Vu Gia", "Phú Thuận"):  # post-2025 section
            assert _squash(name) in text
        assert ("p<0,001" if lang == "vi" else "p<0.001") in text
    vi = _district(tables, units, framework, "vi")
    assert vi["meta"]["unit_code"] == "506" and vi["meta"]["unit_full_name"] == "Huyện Đại Lộc"
    assert {t["id"]: t["count"] for t in vi["typology"]} == {
        "gov_led": 10,
        "balanced_high": 5,
        "balanced_low": 3,
    }
    assert [r["rank"] for r in vi["ranking"]] == sorted(r["rank"] for r in vi["ranking"])
    n_e = int((tables["gaps"]["gap_econ"] > 0).sum())
    assert f"ở {n_e}/18 xã" in vi["key_message"][0]


def test_figures_embedded_and_optional(tables, units, framework, tmp_path, caplog):
    figdir = tmp_path / "figures"
    figdir.mkdir()
    png = _png(figdir / f"{DAI_THANH}__trend.png")
    out = tmp_path / "briefs" / f"{DAI_THANH}_vi.pdf"
    b = _commune(tables, units, framework, "vi", figures={"trend": png})
    briefs.render_brief(b, out)
    r = pypdf.PdfReader(out)
    assert len(r.pages) == 2
    assert any(img for p in r.pages for img in p.images)
    saved = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert saved["figures"] == {"trend": f"../figures/{DAI_THANH}__trend.png"}
    png.unlink()  # missing figure: still two pages, with a note
    caplog.set_level("WARNING")
    briefs.render_brief(b, out)
    assert len(pypdf.PdfReader(out).pages) == 2 and "not found" in caplog.text
    b["figures"] = {"trend": "/etc/passwd"}
    with pytest.raises(RenderError, match="expected one of"):
        briefs.render_brief(b, out)


def test_failed_render_leaves_old_file_and_no_temp(tables, units, framework, tmp_path):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"old")
    bad = tmp_path / "tpl" / "bad.typ"
    bad.parent.mkdir()
    bad.write_text("#let b = json(bytes(sys.inputs.brief))\n#b.no_such_field\n", encoding="utf-8")
    with pytest.raises(RenderError, match="Typst could not render bad.typ"):
        briefs.render_brief(_commune(tables, units, framework), out, template=bad)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tpl", "x.pdf"]


def test_rerender_from_saved_json_and_cli(tables, units, framework, tmp_path, monkeypatch, capsys):
    reports = tmp_path / "reports"
    monkeypatch.setattr(briefs.config, "REPORTS", reports)
    first = briefs.render_brief(
        _commune(tables, units, framework, "en"), briefs.brief_path("ed1", DAI_THANH, "en")
    )
    original = first.read_bytes()
    first.unlink()
    t0 = time.perf_counter()
    again = briefs.render_saved_brief(DAI_THANH, "en", edition="ed1")
    assert time.perf_counter() - t0 < 0.5
    assert again == first and again.read_bytes() == original
    assert cli.main(["brief", "--unit", DAI_THANH, "--lang", "en", "--edition", "ed1"]) == 0
    assert capsys.readouterr().out.strip() == str(first)
    assert cli.main(["brief", "--unit", "00000", "--lang", "vi", "--edition", "ed1"]) == 2
    assert "saved brief not found" in capsys.readouterr().err


def test_briefs_from_the_pipeline_tables(tables, units, framework, tmp_path):
    """Contracts of analysis.gaps / composite: weakest_indicators, test_pillar_gaps, correlations."""
    from analysis import gaps as G
    from analysis.composite.pipeline import compute_scores, pillar_table

    obs = tables["obs"].copy()
    obs["value"] = obs["value"] + np.random.default_rng(1).uniform(-10, 10, len(obs))
    scores = compute_scores(obs, framework, units)
    gp = G.compute_gaps(scores, framework, n_boot=200)
    tests = G.test_pillar_gaps(gp, n_boot=200)
    cors = G.compute_pillar_correlations(gp, n_boot=200)
    weak = G.weakest_indicators(scores, framework)
    b = briefs.build_commune_brief(
        gp,
        DAI_THANH,
        lang="en",
        pillars=pillar_table(scores),
        framework=framework,
        units=units,
        indicators=obs,
        scores=scores,
        weakest=weak,
    )
    expected = weak[weak["unit_code"] == DAI_THANH].sort_values("rank")["indicator"].tolist()
    assert [w["id"] for w in b["weakest"]] == expected
    row = gp[gp["unit_code"] == DAI_THANH].iloc[0]
    assert f"scores {row['government']:.2f}" in b["key_message"][0]
    d = briefs.build_district_brief(
        gp,
        lang="vi",
        pillars=pillar_table(scores),
        framework=framework,
        units=units,
        tests=tests,
        correlations=cors,
    )
    assert [t["id"] for t in d["tests"]] == [
        "wilcoxon_government_vs_economy",
        "wilcoxon_government_vs_society",
        "spearman_government_economy",
        "spearman_government_society",
        "spearman_economy_society",
    ]
    p = float(tests.loc[0, "p_value"])
    p_text = "< 0,001" if p < 0.001 else f"{p:.3f}".replace(".", ",")
    assert d["tests"][0]["p_text"] == p_text
    text = _squash("\n".join(_pages(briefs.render_brief(d, tmp_path / "506_vi.pdf"))))
    assert _squash("Wilcoxon dấu-hạng theo cặp (CQS − KTS)") in text and _squash(p_text) in text


def _render_in_child(args):
    brief, out = args
    try:
        briefs.render_brief(brief, out)
    except RenderError as exc:
        return str(exc)
    return "rendered"


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_child_fails_fast_instead_of_hanging(
    commune_pdfs, tables, units, framework, tmp_path
):
    """Typst's thread pool does not survive fork: a child of a process that rendered must not hang."""
    import multiprocessing as mp

    b = _commune(tables, units, framework, "en")
    with mp.get_context("fork").Pool(1) as pool:
        msg = pool.apply_async(_render_in_child, ((b, tmp_path / "child.pdf"),)).get(timeout=30)
    assert "forked from pid" in msg and "'spawn' or 'forkserver'" in msg
    with mp.get_context("spawn").Pool(1) as pool:  # a fresh interpreter renders fine
        assert (
            pool.apply_async(_render_in_child, ((b, tmp_path / "spawn.pdf"),)).get(timeout=60)
            == "rendered"
        )
    assert (tmp_path / "spawn.pdf").read_bytes() == commune_pdfs["en"].read_bytes()


def test_renderer_recovers_when_its_staging_folder_is_removed(tables, units, framework, tmp_path):
    import shutil

    b = _commune(tables, units, framework, "vi", figures={"trend": _png(tmp_path / "t.png")})
    first = briefs.render_brief(b, tmp_path / "a.pdf").read_bytes()
    for r in list(briefs._RENDERERS.values()):
        shutil.rmtree(r.root)  # e.g. a tmp cleaner
    assert briefs.render_brief(b, tmp_path / "b.pdf").read_bytes() == first
