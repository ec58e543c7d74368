"""Brief lint: every brief of every shipped edition, rendered and read back from the PDF.

For each edition (``notebooks/params/*.yaml``) the briefs its notebooks write (the district brief
of ``20_gap_analysis``, every unit x language of the ``30_commune_profile`` grids, the post-2025
briefs of ``50_mergers``) are built from a small run of its data and rendered; their extracted
text must hold no ``<NA>``, ``nan``, ``None``, unfilled ``{placeholder}`` or word cut with "…";
the source list must be the edition's datasets; units are named in the brief's language; and the
key message starts with "Dữ liệu minh họa:" / "Illustrative data:" exactly when the data are
synthetic. Figures are not drawn (their text is not extractable): the panels are left out.

The EGDI and DESI data are read from the edition's path, else from the shared datasets
(``DGAP_SHARED``); the test of an edition whose data are absent is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import config, workflow
from analysis.briefs import build_commune_brief, build_district_brief, render_brief
from analysis.runner.edition import load_edition

pypdf = pytest.importorskip("pypdf")

#: per edition: citations its source list must hold, and words it must not
SOURCES = {
    "smoke": (["Bộ số liệu minh họa cấp xã", "922/QĐ-BTTTT", "Tổng điều tra dân số"], []),
    "dai_loc": (["Bộ số liệu minh họa cấp xã", "922/QĐ-BTTTT", "Tổng điều tra dân số"], []),
    "dti_quangnam": (["Chỉ số chuyển đổi số cấp tỉnh (DTI)", "7501/KH-UBND", "922/QĐ-BTTTT"],
                     ["Tổng điều tra", "minh họa cấp xã"]),
    "egdi": (["E-Government Survey"], ["922/QĐ-BTTTT", "Tổng điều tra", "Census", "minh họa"]),
    "desi": (["DESI", "2022"], ["922/QĐ-BTTTT", "Tổng điều tra", "Census", "minh họa"]),
}  # fmt: skip
#: text that must never reach a reader
FORBIDDEN = [
    (re.compile(r"<NA>"), "<NA>"),
    (re.compile(r"\bnan\b", re.IGNORECASE), "nan"),
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"[{}]"), "an unfilled placeholder"),
    (re.compile(r"\w…|…\w"), "a word cut with …"),
    (re.compile(r"supplied by the communes|calibrated to published"), "a false claim"),
    (re.compile(r"confidence interval|khoảng tin cậy", re.IGNORECASE), "a 'confidence interval'"),
]
PREFIX = {"vi": "Dữ liệu minh họa:", "en": "Illustrative data:"}


def _observations(ed) -> Path:
    path = ed.datasets.get("observations_path", config.DEMO_OBSERVATIONS)
    assert Path(path).exists(), f"edition {ed.name}: its data {path} must ship in the repository"
    return Path(path)


def _planned_briefs(ed) -> tuple[list[tuple[str, str]], list[str], bool]:
    """(unit, lang) pairs of the profile grids, languages of the district brief, mergers?"""
    units, district, mergers = [], [], False
    for nb in ed.notebooks:
        if nb.name == "30_commune_profile":
            grid = {**{k: [v] for k, v in ed.parameters.items()}, **nb.grid}
            for code in grid.get("unit_code", []):
                units += [(str(code), lang) for lang in grid.get("lang", ["vi"])]
        elif nb.name == "20_gap_analysis":
            district = ["vi", "en"]
        elif nb.name == "50_mergers":
            mergers = True
    return units, district, mergers


#: the pages a brief may have: a commune brief two, a district (group) brief two to four
PAGES = {"commune": (2, 2), "district": (2, 4)}


def _text(brief: dict, path: Path) -> str:
    """The brief's text, page breaks as form feeds."""
    render_brief(brief, path, save_json=False)
    return "\f".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def _lint(text: str, brief: dict, inputs, edition: str) -> list[str]:
    problems = [f"{what}: …{m.group(0)}…" for rx, what in FORBIDDEN if (m := rx.search(text))]
    lo, hi = PAGES[brief["meta"]["kind"]]
    n_pages = text.count("\f") + 1
    if not lo <= n_pages <= hi:
        problems.append(f"{n_pages} pages, not {lo}-{hi}")
    flat = re.sub(r"\s+", "", text)
    lang = brief["meta"]["lang"]
    has_prefix = brief["key_message"][0].startswith(PREFIX[lang])
    if has_prefix != inputs.is_synthetic or (
        has_prefix and re.sub(r"\s", "", PREFIX[lang]) not in flat
    ):
        problems.append(f"illustrative prefix {'missing' if inputs.is_synthetic else 'wrong'}")
    need, never = SOURCES[edition]
    sources = " ".join(brief["meta"]["sources"])
    vi_sources = " ".join(build_sources_vi(brief, inputs))
    problems += [f"source missing: {s}" for s in need if s not in vi_sources]
    problems += [f"source not used: {s}" for s in never if s in vi_sources or s in sources]
    if not all(re.sub(r"\s", "", s)[:40] in flat for s in brief["meta"]["sources"]):
        problems.append("source list not printed")
    return problems


def build_sources_vi(brief: dict, inputs) -> list[str]:
    """The Vietnamese source list of the same run (the required citations are written in vi)."""
    from analysis.narrative.provenance import provenance_of, source_list

    return source_list(provenance_of(inputs), "vi")


def _names_in_language(brief: dict, units, lang: str) -> list[str]:
    """A country or province brief names no commune; an English brief of a country uses its
    English name (the source's), a Vietnamese one not the English fallback."""
    meta = brief["meta"]
    row = units[units["unit_code"].astype(str) == str(meta["unit_code"])]
    if row.empty or str(row.iloc[0].get("unit_type")) in ("xã", "thị trấn", "phường", "đặc khu"):
        return []
    out = []
    if re.search(r"\bcommune\b|\bXã\b", meta["title"]):
        out.append(f"commune wording for a {row.iloc[0]['unit_type']}: {meta['title']}")
    en = row.iloc[0].get("name_en")
    if isinstance(en, str) and lang == "en" and meta["unit_name"] != en:
        out.append(f"English brief names {meta['unit_name']!r}, not {en!r}")
    return out


def _run(edition: str, tmp_path: Path) -> dict[str, list[str]]:
    ed = load_edition(edition)
    obs = _observations(ed)
    units_path = str(ed.datasets.get("units_path", ""))
    inputs = workflow.load_inputs(str(obs), units_path, str(ed.datasets.get("framework_path", "")))
    res = workflow.compute_results(inputs, period=str(ed.parameters.get("period", "")), n_boot=50,
                                   draws=20)  # fmt: skip
    planned, district_langs, mergers = _planned_briefs(ed)
    found: dict[str, list[str]] = {}
    merged = None
    if mergers:
        m_inputs = workflow.merge_inputs(inputs)
        merged = (workflow.compute_results(m_inputs, n_boot=50, draws=20), m_inputs)
    for lang in district_langs:
        b = build_district_brief(res, inputs, lang=lang, edition=edition, post2025=merged,
                                 highlight=str(ed.parameters.get("highlight", "")))  # fmt: skip
        found[f"district_{lang}"] = _lint(_text(b, tmp_path / "d.pdf"), b, inputs, edition)
    for code, lang in planned:
        b = build_commune_brief(res, inputs, code, lang=lang, edition=edition)
        text = _text(b, tmp_path / "c.pdf")
        found[f"{code}_{lang}"] = _lint(text, b, inputs, edition) + _names_in_language(
            b, inputs.units, lang
        )
    if merged is not None:
        for code in merged[1].units["unit_code"]:
            for lang in ("vi", "en"):
                b = build_commune_brief(*merged, code, lang=lang, edition=edition)
                found[f"post2025/{code}_{lang}"] = _lint(_text(b, tmp_path / "p.pdf"), b,
                                                         merged[1], edition)  # fmt: skip
    return {k: v for k, v in found.items() if v}


def test_smoke_briefs(tmp_path):
    assert _run("smoke", tmp_path) == {}


def test_dti_quangnam_briefs(tmp_path):
    assert _run("dti_quangnam", tmp_path) == {}


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["dai_loc", "egdi", "desi"])
def test_long_edition_briefs(edition, tmp_path):
    assert _run(edition, tmp_path) == {}


def test_the_lint_can_fail(brief_run, tmp_path):
    res, inputs = brief_run
    b = build_commune_brief(res, inputs, "20527", lang="en")
    b["key_message"] = [
        "Digital government scores <NA> with nan and {gap} in a confidence interval"
    ]
    found = _lint(_text(b, tmp_path / "bad.pdf"), b, inputs, "smoke")
    assert {p.split(":")[0] for p in found} >= {
        "<NA>", "nan", "an unfilled placeholder", "a 'confidence interval'", "illustrative prefix missing"
    }  # fmt: skip
    assert "3 pages, not 2-2" in _lint("a\fb\fc", b, inputs, "smoke")
