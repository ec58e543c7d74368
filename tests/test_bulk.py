"""analysis.bulk: a brief and a figure set for every commune, in shards, failures isolated."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import bulk, workflow
from analysis.errors import ParameterError


def test_shards_cover_every_unit_once():
    codes = [f"{i:05d}" for i in range(3321)]
    parts = [bulk.shard_codes(codes, f"{k}/4") for k in range(1, 5)]
    assert sorted(c for p in parts for c in p) == sorted(codes)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert bulk.shard_codes(codes, "") == sorted(codes)
    assert bulk.shard_suffix("2/4") == "_2of4" and bulk.shard_suffix("") == ""


@pytest.mark.parametrize("bad", ["0/2", "3/2", "1-2", "a/b", "1/0"])
def test_a_bad_shard_says_what_is_expected(bad):
    with pytest.raises(ParameterError, match="expected k/K"):
        bulk.parse_shard(bad)


@pytest.fixture(scope="module")
def run():
    inputs = workflow.load_inputs()
    res = workflow.compute_results(inputs, n_boot=50, draws=20)
    return res, inputs


def test_briefs_are_rendered_for_the_shard_and_a_failure_does_not_stop_the_others(
    run, tmp_path, monkeypatch
):
    res, inputs = run
    out = workflow.output_paths(str(tmp_path), "t")
    real = bulk.commune_brief

    def flaky(res, inputs, code, figs, **kw):
        if code == "20503" and kw.get("lang") == "en":
            raise RuntimeError("boom")
        return real(res, inputs, code, figs, **kw)

    monkeypatch.setattr(bulk, "commune_brief", flaky)
    lines = []
    table = bulk.render_commune_briefs(
        res,
        inputs,
        out,
        unit_codes=["20527", "20500", "20503"],
        langs=("vi", "en"),
        shard="1/1",
        chunk=2,
        progress=lines.append,
    )
    assert len(table) == 6 and (table["outcome"] == "ok").sum() == 5
    bad = table[table["outcome"] == "failed"].iloc[0]
    assert (bad["unit_code"], bad["lang"]) == ("20503", "en") and "boom" in bad["error"]
    for rel in table.loc[table["outcome"] == "ok", "brief"]:
        assert (tmp_path / rel).is_file() and (tmp_path / rel).read_bytes()[:4] == b"%PDF"
    assert (table.loc[table["outcome"] == "ok", "figures"] == 3).all()
    assert lines and "6 of 6" not in lines[0] and "Bản tin" in lines[-1]
    written = pd.read_csv(tmp_path / "tables" / "commune_briefs.csv", dtype={"unit_code": str})
    assert len(written) == 6 and (written["status"] == "synthetic").all()
    failures = pd.read_csv(tmp_path / "tables" / "brief_failures.csv", dtype={"unit_code": str})
    assert failures["unit_code"].tolist() == ["20503"]
    text = bulk.summary_text(table, out, "en")
    assert (
        text == "5 briefs made for 3 units (en, vi); 1 failed, listed in tables/brief_failures.csv."
    )
    ok = table[table["outcome"] == "ok"]
    assert bulk.summary_text(ok, out, "en") == "5 briefs made for 3 units (en, vi); none failed."
    assert (
        bulk.summary_text(ok, out, "vi") == "Đã tạo 5 bản tin cho 3 đơn vị (en, vi); không có lỗi."
    )


def test_unknown_codes_are_named(run, tmp_path):
    res, inputs = run
    out = workflow.output_paths(str(tmp_path), "t")
    with pytest.raises(ParameterError, match="not in the units table.*99999"):
        bulk.render_commune_briefs(res, inputs, out, unit_codes=["99999"], progress=None)
