"""What a reader sees in the executed notebooks of a run and in their HTML copies: every figure
inline (and saved), tables in the notebook's language, no machine path, no raw pandas output.

Uses the one smoke run of the session (``smoke_run`` in conftest), so it is slow and in the
xdist group of the notebook tests.
"""

from __future__ import annotations

import json
import re
import unicodedata

import nbformat
import pytest

from analysis import config

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebooks")]

#: figures each notebook of the smoke edition shows (at least)
FIGURES = {
    "00_data_quality": 1,
    "10_pillar_scores": 2,
    "20_gap_analysis": 4,  # dumbbell, map, scatter, gap trend (in the first language)
    "30_commune_profile": 3,  # profile, distance to targets, trend
    "40_robustness": 2,
    "50_mergers": 4 + 5 * 3,  # district figures and every new commune's, first language
    "35_commune_briefs": 0,  # files only: a figure set per commune, listed in a table
}


def _executed(out) -> dict[str, nbformat.NotebookNode]:
    return {p.stem: nbformat.read(p, as_version=4) for p in sorted((out / "notebooks").glob("*.ipynb"))}  # fmt: skip


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get("tags", []):
            yield from cell.get("outputs", [])


def _texts(output) -> list[str]:
    texts = [output.get("text", "")] + [
        v for k, v in output.get("data", {}).items() if k.startswith("text/")
    ]
    return ["".join(t) if isinstance(t, list) else t for t in texts]


def test_no_machine_path_and_no_raw_pandas_output(smoke_run):
    out, result = smoke_run
    assert result.ok, [(r.task.id, r.error) for r in result.failures]
    machine = [str(out), str(out.resolve()), str(config.ROOT), "PosixPath", "WindowsPath"]
    for name, nb in _executed(out).items():
        for o in _outputs(nb):
            # a cell's result is never a bare repr (a list of paths, a DataFrame): helpers display
            assert o.output_type != "execute_result", (name, _texts(o))
            for text in _texts(o):
                assert not [m for m in machine if m in text], (name, text[:300])
                assert "rows ×" not in text and 'class="dataframe"' not in text, name


def test_every_notebook_shows_its_figures_with_alt_text_and_saved_files(smoke_run):
    out, _ = smoke_run
    for name, nb in _executed(out).items():
        images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
        assert len(images) >= FIGURES[name.split("__")[0]], (name, len(images))
        for o in images:
            meta = o.metadata["image/png"]
            assert meta["alt"].strip() and meta["width"] > 0, name
        captions = [t for o in _outputs(nb) for t in _texts(o) if "figures/" in t]
        shown = {p for t in captions for p in re.findall(r"`([^`]+\.png)`", t)}
        assert len(shown) == len(images), name
        for rel in shown:  # relative to the edition folder, and really written there
            assert (out / rel).is_file(), (name, rel)


def _tables(nb) -> str:
    return "\n".join(
        o["data"]["text/html"]
        for o in _outputs(nb)
        if "<table" in o.get("data", {}).get("text/html", "")  # fmt: skip
    )


def test_tables_speak_the_notebook_language(smoke_run):
    out, _ = smoke_run
    nbs = _executed(out)
    gap = _tables(nbs["20_gap_analysis"])  # langs[0] = vi
    for header in ("Đơn vị", "Chính quyền số", "CQS − KTS", "Loại hình", "Giá trị p (Wilcoxon)"):
        assert f">{header}</th>" in gap, header
    assert "Chính quyền số đi trước" in gap and re.search(r">\d\d \(\d\d–\d\d\)<", gap)
    assert "<code>tables/gaps.csv</code>" in gap and "Điểm trên thang 0–100" in gap
    assert re.search(r">\d+,\d%<", _tables(nbs["00_data_quality"]))  # coverage: decimal comma
    en = _tables(nbs["30_commune_profile__unit_code-20527__lang-en"])
    for header in ("Period", "Digital government", "Indicator", "Distance to target"):
        assert f">{header}</th>" in en, header
    assert re.search(r">\d+\.\d<", en) and not re.search(r">\d+,\d<", en)  # targets, 1 decimal
    merged = _tables(nbs["50_mergers"])
    assert "<code>post2025/tables/gaps.csv</code>" in merged and "Xã mới" in merged
    for name, nb in nbs.items():
        html = _tables(nb)
        if name.startswith("35_commune_briefs"):  # no failures: a sentence, not an empty table
            assert not html and "không có lỗi" in json.dumps(list(_outputs(nb)), ensure_ascii=False)
            continue
        assert html, name
        assert not re.search(r">[a-z]+_[a-z_]+</th>", html), name  # no snake_case header
        assert unicodedata.is_normalized("NFC", html), name


def test_html_copies_embed_every_figure_and_keep_vietnamese_text(smoke_run):
    out, _ = smoke_run
    for name, nb in _executed(out).items():
        page = (out / "html" / f"{name}.html").read_text(encoding="utf-8")
        n_images = sum("image/png" in o.get("data", {}) for o in _outputs(nb))
        imgs = re.findall(r"<img [^>]*>", page)
        assert len(imgs) == n_images, name
        assert all('src="data:image/png;base64,' in i for i in imgs), name
        assert "No description has been provided" not in page, name
        assert not re.search(r"<script[^>]*\bsrc=", page), name  # opens offline
        assert '<meta charset="utf-8"' in page.lower(), name
        assert unicodedata.is_normalized("NFC", page), name
    gap = (out / "html" / "20_gap_analysis.html").read_text(encoding="utf-8")
    assert "Phân tích khoảng cách" in gap and "Ba trụ cột của từng xã" in gap
