"""Brief rendering (analysis.briefs.render): text extracted from the PDFs, banner, metadata,
safety, determinism, re-rendering a saved brief, and the renderer's life cycle."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from conftest import DAI_THANH, long_group_of, make_brief_run, post2025_of

pypdf = pytest.importorskip("pypdf")

from analysis import briefs, cli  # noqa: E402
from analysis.briefs import render as render_mod  # noqa: E402
from analysis.errors import RenderError  # noqa: E402
from analysis.loaders import Inputs  # noqa: E402

BANNER_VI = "DỮ LIỆU MINH HỌA — không phải số liệu chính thức"
BANNER_EN = "ILLUSTRATIVE DATA — not official statistics"


# --------------------------------------------------------------------------- fixtures
def _commune(run, lang="vi", **kw):
    res, inputs = run
    return briefs.build_commune_brief(res, inputs, DAI_THANH, lang=lang, **kw)


def _district(run, lang="vi", **kw):
    res, inputs = run
    return briefs.build_district_brief(res, inputs, lang=lang, **kw)


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


# --------------------------------------------------------------------------- PDFs
@pytest.fixture(scope="module")
def commune_pdfs(brief_run, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("briefs")
    return {
        lang: briefs.render_brief(_commune(brief_run, lang), out / f"{DAI_THANH}_{lang}.pdf")
        for lang in ("vi", "en")
    }


def test_commune_pdf_vi_text(commune_pdfs, brief_run):
    pages = _pages(commune_pdfs["vi"])
    assert len(pages) == 2
    text = _squash("\n".join(pages))
    for needle in (
        "Xã Đại Thạnh",
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
        "Thông điệp chính",
        "Dữ liệu minh họa: Chính quyền số của xã Đại Thạnh đạt 78 điểm trên thang 0–100",
        "cao hơn kinh tế số 31 điểm (khoảng lựa chọn chỉ số 90%: 22–40; khoảng phương pháp: 26–35)",
        "Khoảng lựa chọn chỉ số 90%",
        "4.056",
        "12,5%",
        "còn thiếu 37,5 điểm phần trăm",
        "Quyết định 411/QĐ-TTg",
    ):
        assert _squash(needle) in text, needle
    gp = brief_run[0].gaps
    for col in ("government", "economy", "society"):
        assert _squash(f"Trung vị {100 * gp[col].median():.0f}") in text
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
        "Illustrative data: Digital government in Đại Thạnh commune scores 78 on a 0–100 scale",
        "31 points above the digital economy (90% indicator-selection interval: 22–40; method "
        "interval: 26–35)",
        "4,056",
        "37.5 percentage points short",
    ):
        assert _squash(needle) in text, needle
    assert all(_squash(BANNER_EN) in _squash(p) for p in pages)
    assert "0,78" not in text and "confidence" not in text.lower()


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
def test_banner_absent_for_observed_data(brief_units, brief_framework, tmp_path, lang):
    b = _commune(make_brief_run(brief_units, brief_framework, status="observed"), lang)
    assert b["meta"]["data_status"] == "observed"
    pages = _pages(briefs.render_brief(b, tmp_path / f"x_{lang}.pdf"))
    joined = _squash("\n".join(pages))
    assert _squash(BANNER_VI) not in joined and _squash(BANNER_EN) not in joined
    assert _squash("Đại Thạnh") in joined


def test_injection_is_printed_literally(brief_run, tmp_path):
    evil = '#read("/etc/passwd") *bold* $x$ <lbl> @ref // c ] [ #set page(width: 1cm) #image("/commune.typ")'
    res, inputs = brief_run
    u = inputs.units.copy()
    i = u.index[u["unit_code"] == DAI_THANH][0]
    u.loc[i, ["name_vi", "full_name_vi"]] = [evil, f"Xã {evil}"]
    b = _commune((res, Inputs(**{**vars(inputs), "units": u})), "vi")
    b["meta"]["sources"].append('#read("lib.typ")')
    pdf = briefs.render_brief(b, tmp_path / "evil.pdf")
    pages = _pages(pdf)
    assert len(pages) == 2  # the #set page(...) did not run
    text = _squash("\n".join(pages))
    assert _squash(evil) in text
    assert _squash('#read("lib.typ")') in text
    assert "root:x:0:0" not in "\n".join(pages)
    assert pypdf.PdfReader(pdf).metadata["/Title"].endswith(evil)


def test_same_inputs_same_bytes(brief_run, tmp_path, commune_pdfs):
    b = _commune(brief_run, "vi")
    a = briefs.render_brief(b, tmp_path / "a" / f"{DAI_THANH}_vi.pdf").read_bytes()
    render_mod._RENDERERS.clear()  # a cold compiler gives the same bytes
    c = briefs.render_brief(b, tmp_path / "c" / f"{DAI_THANH}_vi.pdf").read_bytes()
    assert a == c == commune_pdfs["vi"].read_bytes()
    other = _commune(brief_run, "vi", edition="other")
    assert briefs.render_brief(other, tmp_path / "d.pdf").read_bytes() != a


def test_district_pdf(brief_run, tmp_path):
    res, inputs = brief_run
    for lang in ("vi", "en"):
        b = _district(brief_run, lang, post2025=post2025_of(res, inputs))
        pdf = briefs.render_brief(b, tmp_path / f"506_{lang}.pdf")
        pages = _pages(pdf)
        assert 2 <= len(pages) <= 4
        text = _squash("\n".join(pages))
        banner = BANNER_VI if lang == "vi" else BANNER_EN
        assert all(_squash(banner) in _squash(p) for p in pages)
        for name in inputs.units["name_vi"]:
            assert _squash(name) in text, name
        for name in ("Thượng Đức", "Hà Nha", "Vu Gia", "Phú Thuận"):  # post-2025 section
            assert _squash(name) in text
        assert ("<0,001" if lang == "vi" else "<0.001") in text  # the tests table keeps its p
        assert _squash(b["key_message"][0]) in text


def test_a_group_brief_of_198_units_keeps_its_length(brief_run, tmp_path):
    """The ranking of a long group (the EGDI's 193 countries) lists its top and bottom and the
    highlighted units; the brief stays at two to four pages and says where the full ranking is."""
    res, inputs = long_group_of(*brief_run, k=11)
    order = res.pillars.sort_values("index", ascending=False)["unit_code"].tolist()
    for lang in ("vi", "en"):
        b = _district((res, inputs), lang, highlight=order[100])
        pages = _pages(briefs.render_brief(b, tmp_path / f"group_{lang}.pdf"))
        assert 2 <= len(pages) <= 4
        text = _squash("\n".join(pages))
        assert _squash(b["ranking_note"]) in text and "198" in b["ranking_note"]
        assert order[100] in text and order[150] not in text


def test_figures_embedded_and_optional(brief_run, tmp_path, caplog):
    figdir = tmp_path / "figures"
    figdir.mkdir()
    png = _png(figdir / f"{DAI_THANH}__trend.png")
    out = tmp_path / "briefs" / f"{DAI_THANH}_vi.pdf"
    b = _commune(brief_run, "vi", figures={"trend": png})
    briefs.render_brief(b, out)
    r = pypdf.PdfReader(out)
    assert len(r.pages) == 2
    assert any(img for p in r.pages for img in p.images)
    saved = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert saved["figures"] == {"trend": f"../figures/{DAI_THANH}__trend.png"}
    png.unlink()  # missing figure: still two pages, the panel left out
    caplog.set_level("WARNING")
    briefs.render_brief(b, out)
    assert len(pypdf.PdfReader(out).pages) == 2 and "not found" in caplog.text
    b["figures"] = {"trend": "/etc/passwd"}
    with pytest.raises(RenderError, match="expected one of"):
        briefs.render_brief(b, out)


def test_failed_render_leaves_old_file_and_no_temp(brief_run, tmp_path):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"old")
    bad = tmp_path / "tpl" / "bad.typ"
    bad.parent.mkdir()
    bad.write_text("#let b = json(bytes(sys.inputs.brief))\n#b.no_such_field\n", encoding="utf-8")
    with pytest.raises(RenderError, match="Typst could not render bad.typ"):
        briefs.render_brief(_commune(brief_run), out, template=bad)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tpl", "x.pdf"]


def test_rerender_from_saved_json_and_cli(brief_run, tmp_path, monkeypatch, capsys):
    reports = tmp_path / "reports"
    monkeypatch.setattr(render_mod.config, "REPORTS", reports)
    first = briefs.render_brief(
        _commune(brief_run, "en"), briefs.brief_path("ed1", DAI_THANH, "en")
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


def test_render_side_is_light():
    """``dgap brief`` re-renders without pandas, the narrative or the results of a run."""
    code = (
        "import sys; from analysis.briefs import render_saved_brief, validate_brief; "
        "heavy = {'pandas', 'numpy', 'analysis.narrative', 'analysis.results'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _render_in_child(args):
    brief, out = args
    try:
        briefs.render_brief(brief, out)
    except RenderError as exc:
        return str(exc)
    return "rendered"


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_child_fails_fast_instead_of_hanging(commune_pdfs, brief_run, tmp_path):
    """Typst's thread pool does not survive fork: a child of a process that rendered must not hang."""
    import multiprocessing as mp

    b = _commune(brief_run, "en")
    with mp.get_context("fork").Pool(1) as pool:
        msg = pool.apply_async(_render_in_child, ((b, tmp_path / "child.pdf"),)).get(timeout=30)
    assert "forked from pid" in msg and "'spawn' or 'forkserver'" in msg
    with mp.get_context("spawn").Pool(1) as pool:  # a fresh interpreter renders fine
        assert (
            pool.apply_async(_render_in_child, ((b, tmp_path / "spawn.pdf"),)).get(timeout=60)
            == "rendered"
        )
    assert (tmp_path / "spawn.pdf").read_bytes() == commune_pdfs["en"].read_bytes()


def test_renderer_recovers_when_its_staging_folder_is_removed(brief_run, tmp_path):
    import shutil

    b = _commune(brief_run, "vi", figures={"trend": _png(tmp_path / "t.png")})
    first = briefs.render_brief(b, tmp_path / "a.pdf").read_bytes()
    for r in list(render_mod._RENDERERS.values()):
        shutil.rmtree(r.root)  # e.g. a tmp cleaner
    assert briefs.render_brief(b, tmp_path / "b.pdf").read_bytes() == first


def test_a_renderer_renews_its_compiler_and_keeps_the_output(brief_run, tmp_path, monkeypatch):
    # bulk briefs: Typst keeps every file it read, so the renderer starts a fresh compiler and
    # empties its figure folder every RENEW_AFTER briefs; the PDFs stay byte-identical
    monkeypatch.setattr(render_mod, "RENEW_AFTER", 2)
    pngs = [_png(tmp_path / f"t{i}.png") for i in range(2)]
    outs = []
    for i in range(5):
        b = _commune(brief_run, "vi", figures={"trend": pngs[i % 2]})
        outs.append(briefs.render_brief(b, tmp_path / f"{i}.pdf").read_bytes())
        for r in render_mod._RENDERERS.values():
            if r.template.name != "commune.typ":
                continue
            assert r.compiles <= 2 and len(list((r.root / "fig").iterdir())) <= 2
    assert outs[0] == outs[2] == outs[4] and outs[1] == outs[3]
