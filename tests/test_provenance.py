"""Provenance travels with the data: one record per dataset a run used (contract §5)."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from analysis import config
from analysis.errors import DataValidationError
from analysis.loaders import load_inputs, merge_inputs
from analysis.provenance import (
    DATASET_STATUSES,
    RECORD_KEYS,
    USER_SUPPLIED,
    dataset_record,
    read_header,
    sha256_file,
)
from analysis.sources._common import DATA_DIR as MEMBER_TABLES
from analysis.template import FIELD_LABELS, INSTRUCTIONS_SHEET, write_template

DOCS = sorted(
    [*config.RAW.glob("*/SOURCE.md"), config.DEMO / "README.md", config.FRAMEWORKS / "SOURCE.md"]
    + [MEMBER_TABLES / "SOURCE.md"]
)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_source_note_has_valid_records_and_true_checksums(doc):
    records = read_header(doc)
    assert records, f"{doc}: no machine-readable header"
    for rec in records:
        assert set(RECORD_KEYS) <= set(rec), rec["id"]
        assert rec["status"] in DATASET_STATUSES
        assert rec["title"] and rec["producer"] and rec["citation_vi"] and rec["citation_en"]
        for name, digest in rec["files"].items():
            assert (doc.parent / name).is_file(), f"{doc}: lists missing file {name}"
            if digest is not None:  # frozen raw data: pinned; generated or edited files: not
                assert sha256_file(doc.parent / name) == digest, f"{doc}: {name} changed"


def test_every_shipped_data_file_has_a_record():
    named = {(d.parent, n) for d in DOCS for r in read_header(d) for n in r["files"]}
    shipped = [
        *config.RAW.glob("*/*.csv"),
        config.DEMO_OBSERVATIONS,
        *(p for p in config.FRAMEWORKS.glob("*.yaml") if p.name != "presets.yaml"),
        *MEMBER_TABLES.glob("*.csv"),
    ]
    assert [p for p in shipped if (p.parent, p.name) not in named] == []


def test_the_checksum_blocks_of_the_notes_agree_with_their_headers():
    for source in ("egdi", "desi"):
        doc = config.RAW / source / "SOURCE.md"
        [rec] = read_header(doc)
        text = doc.read_text(encoding="utf-8")
        for name, digest in rec["files"].items():
            assert f"{digest}  {name}" in text


@pytest.mark.parametrize(
    ("observations", "expected"),
    [
        ("", {"observations": ("demo_panel", "synthetic"), "units": ("dai_loc_units", "published"), "framework": ("commune_framework", "published")}),
        ("data/raw/egdi", {"observations": ("egdi", "published"), "units": ("un_members", "published"), "framework": ("egdi_method", "published")}),
        ("data/raw/desi", {"observations": ("desi", "published"), "units": ("eu_members", "published"), "framework": ("desi_method", "published")}),
        ("data/raw/dti", {"observations": ("dti_provincial", "published"), "units": ("dti_provincial", "published"), "framework": ("dti_method", "published")}),
    ],
)  # fmt: skip
def test_inputs_list_every_dataset_the_run_used(observations, expected):
    inputs = load_inputs(observations)
    got = {r["role"]: (r["id"], r["status"]) for r in inputs.provenance}
    assert got == expected
    for rec in inputs.provenance:
        assert not rec["path"].startswith("/"), "no machine paths in provenance"


def test_the_egdi_record_cites_un_desa_and_the_desi_record_the_commission():
    [egdi] = [r for r in load_inputs("data/raw/egdi").provenance if r["role"] == "observations"]
    assert "UN DESA" in egdi["producer"] and "E-Government Survey" in egdi["citation_en"]
    assert "2024" in egdi["date"] and "permissions@un.org" in egdi["licence"]
    [desi] = [r for r in load_inputs("data/raw/desi").provenance if r["role"] == "observations"]
    assert "European Commission" in desi["producer"] and "CC BY 4.0" in desi["licence"]


def test_a_users_csv_is_user_supplied_unpublished(tmp_path):
    src = tmp_path / "my_data.csv"
    src.write_text(
        "unit_code,period,indicator,value\n20500,2024H1,gov_online_dossier_pct,80\n"
        "20500,2024H2,gov_online_dossier_pct,82\n",
        encoding="utf-8",
    )
    [rec] = [r for r in load_inputs(str(src)).provenance if r["role"] == "observations"]
    assert rec["producer"] == USER_SUPPLIED and rec["status"] == "user-supplied"
    assert rec["path"] == "my_data.csv" and rec["files"] == {"my_data.csv": sha256_file(src)}
    assert rec["citation_en"] == f"{USER_SUPPLIED}: file my_data.csv"


@pytest.mark.parametrize(
    ("fields", "producer", "date"),
    [
        (
            {"producer": "UBND xã Đại Thạnh", "date": "2025-06-30"},
            "UBND xã Đại Thạnh",
            "2025-06-30",
        ),
        ({}, USER_SUPPLIED, ""),
    ],
)
def test_a_filled_template_gives_its_producer_and_date(tmp_path, fields, producer, date):
    path = write_template(tmp_path / "nhap_lieu.xlsx", periods=["2024H1", "2024H2"])
    wb = openpyxl.load_workbook(path)
    for row in wb[INSTRUCTIONS_SHEET].iter_rows():
        for key, label in FIELD_LABELS.items():
            if row[0].value == label and key in fields:
                row[1].value = fields[key]
    wb["government"]["D4"], wb["government"]["D22"] = 80, 85
    wb.save(path)
    inputs = load_inputs(str(path))
    [rec] = [r for r in inputs.provenance if r["role"] == "observations"]
    assert (rec["producer"], rec["date"]) == (producer, date)
    assert producer in rec["citation_vi"] and producer in rec["citation_en"]
    assert "provenance" not in inputs.observations.attrs


def test_a_download_elsewhere_keeps_the_source_citation_and_hashes_its_files(tmp_path):
    for f in (config.RAW / "egdi").glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    [rec] = [r for r in load_inputs(str(tmp_path)).provenance if r["role"] == "observations"]
    assert rec["id"] == "egdi" and "UN DESA" in rec["producer"]
    assert rec["retrieved"].startswith("a download by the user")
    assert rec["files"]["egdi-2010.csv"] == sha256_file(tmp_path / "egdi-2010.csv")
    assert rec["path"] == tmp_path.name


def test_merged_inputs_add_the_crosswalk_and_the_new_units():
    merged = merge_inputs(load_inputs())
    roles = {r["role"]: r["id"] for r in merged.provenance}
    assert roles == {
        "observations": "demo_panel",
        "units": "dai_loc_units",  # its 2019 census figures weight the re-aggregation
        "framework": "commune_framework",
        "units_2025": "dai_loc_units_2025",
        "crosswalk": "dai_loc_crosswalk_2025",
    }


def test_provenance_is_part_of_the_inputs_digest(tmp_path, monkeypatch):
    """A corrected citation must reach the stored results: it changes the digest."""
    a = load_inputs()
    import analysis.loaders as loaders

    real = loaders.dataset_record
    monkeypatch.setattr(
        loaders, "dataset_record", lambda *a, **k: dict(real(*a, **k), title="corrected")
    )
    assert load_inputs().digest != a.digest


def test_results_carry_the_provenance_into_run_metadata():
    from analysis.workflow import compute_results

    inputs = load_inputs()
    res = compute_results(inputs, n_boot=20, draws=5)
    assert res.params["provenance"] == inputs.provenance


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("---\ndatasets: [\n---\n", "cannot be read"),
        ("---\nfoo: 1\n---\n", "needs a list 'datasets:'"),
        ("---\ndatasets:\n  - id: x\n---\n", "lacks"),
    ],
)
def test_a_broken_header_is_a_located_error(tmp_path, header, message):
    doc = tmp_path / "SOURCE.md"
    doc.write_text(header + "# x\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=message):
        read_header(doc)


def test_a_file_without_a_header_is_a_users_file(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "SOURCE.md").write_text("# notes without a header\n", encoding="utf-8")
    assert dataset_record(f, "units")["status"] == "user-supplied"
