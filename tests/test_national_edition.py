"""The national edition, run for one province as a user would (issue #20): every notebook,
a brief per commune from the bulk notebook, names and counts of the province, synthetic labels.

The whole country (3,321 units) is measured by benchmarks/bench_scale.py, not here."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from pypdf import PdfReader

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("national")]


@pytest.fixture(scope="module")
def province_run(tmp_path_factory):
    from analysis.runner import run_edition

    out = tmp_path_factory.mktemp("national_dn")
    params = [
        ("province", "Thành phố Đà Nẵng"),
        ("n_boot", "100"),
        ("draws", "20"),
        ("sobol_n", "16"),
        ("35_commune_briefs.unit_codes", "20194,20197,20200"),
    ]
    return out, run_edition(
        "national", parameters=params, output_dir=out, workers=2, progress=False
    )


def _text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def test_a_province_of_the_national_edition_runs_every_notebook(province_run):
    out, result = province_run
    assert result.ok, [(r.task.id, r.error) for r in result.failures]
    gaps = pd.read_csv(out / "tables" / "gaps.csv", dtype={"unit_code": str})
    assert gaps["unit_code"].nunique() == 94 and (gaps["status"] == "synthetic").all()
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == "national"


def test_the_province_brief_names_the_province_and_says_the_data_are_illustrative(province_run):
    out, _ = province_run
    en = _text(out / "briefs" / "district_en.pdf")
    vi = _text(out / "briefs" / "district_vi.pdf")
    assert "Communes and wards of Đà Nẵng city" in en and "former" not in en.split("\n")[3]
    assert "Các xã, phường của Thành phố Đà Nẵng" in vi and "CẤP HUYỆN" not in vi.upper()
    assert "ILLUSTRATIVE DATA" in en and "DỮ LIỆU MINH HỌA" in vi
    assert "vietnamadminunits" in en  # the unit registry is cited
    assert "<NA>" not in en + vi


def test_bulk_briefs_list_every_brief_they_made(province_run):
    out, _ = province_run
    tables = sorted((out / "tables").glob("commune_briefs_*of2.csv"))
    assert len(tables) == 2
    made = pd.concat(pd.read_csv(p, dtype={"unit_code": str}) for p in tables)
    assert sorted(made["unit_code"].unique()) == ["20194", "20197", "20200"]
    assert (made["outcome"] == "ok").all() and len(made) == 6
    for rel in made["brief"]:
        text = _text(out / rel)
        assert "ILLUSTRATIVE DATA" in text or "DỮ LIỆU MINH HỌA" in text
        assert "in the district" not in text
