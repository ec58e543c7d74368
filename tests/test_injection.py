"""Untrusted names and codes reach every sink inert (issue 19): the notebook's Markdown and its
HTML copy, and the file system (a code cannot write outside the output folder). The CSV/XLSX,
Typst and matplotlib sinks are tested with their owners (test_io, test_briefs_render,
test_plots_text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import display, workflow

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_generated_markdown_cannot_open_a_tag():
    md = display.safe_markdown(f"Xã {HOSTILE} & p < 0,001\n> quoted")
    assert "<img" not in md and "<script" not in md
    assert "&lt;img" in md and "&amp;" in md and "\n> quoted" in md


def test_show_text_displays_inert_markdown(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    display.show_text(f"**Dữ liệu:** {HOSTILE}")
    assert "<img" not in shown[0].data and "&lt;script" in shown[0].data


def test_notebooks_show_text_through_the_escaping_helper():
    for nb in Path(__file__).resolve().parents[1].joinpath("notebooks").glob("*.ipynb"):
        src = "".join(
            "".join(c["source"])
            for c in json.loads(nb.read_text())["cells"]
            if c["cell_type"] == "code"
        )
        assert "Markdown(" not in src, f"{nb.name}: show generated text with workflow.show_text"


@pytest.mark.parametrize("code", ["../../../X", "/etc/passwd", "..", "a/../../b"])
def test_a_unit_code_cannot_leave_the_output_folder(tmp_path, code):
    out = workflow.output_paths(str(tmp_path / "ed"))
    fig = workflow._slug_path(out, code, "profile", "vi")
    assert out.figures.resolve() in fig.resolve().parents
