"""COINr files and ``dgap index``: the ASEM example against COINr 1.1.14 output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.composite import (
    compute_index,
    denominate,
    load_coinr,
)
from analysis.errors import AnalysisError


@pytest.fixture(scope="module")
def reference(asem_dir):
    path = asem_dir / "reference" / "P2_minmax_amean.csv"
    if not path.exists():
        pytest.skip("ASEM reference output not available")
    return pd.read_csv(path, dtype={"uCode": str}).set_index("uCode")


# --------------------------------------------------------------------------- COINr reference
def test_reference_json_describes_the_calls_we_reproduce(asem_dir):
    meta_path = asem_dir / "reference" / "P2_minmax_amean.json"
    if not meta_path.exists():
        pytest.skip("reference json not available")
    meta = json.loads(meta_path.read_text())
    calls = " ".join(meta["calls"])
    assert "n_minmax" in calls and "c(0, 100)" in calls and "a_amean" in calls


def test_asem_minmax_amean_matches_coinr_to_1e9(asem, reference):
    res = compute_index(
        asem.data,
        asem.imeta,
        normalise="minmax",
        normalise_params={"lo": 0, "hi": 100},
        aggregate="arithmetic",
        weights="framework",
    )
    out = res.to_frame().set_index("uCode")
    assert list(out.columns) == list(reference.columns)
    out = out.loc[reference.index]
    got = out.to_numpy(dtype=float)
    ref = reference.to_numpy(dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    assert np.isnan(ref).sum() == 63
    np.testing.assert_allclose(got[~np.isnan(ref)], ref[~np.isnan(ref)], rtol=0, atol=1e-9)


def test_asem_cli_writes_the_reference_table(asem, reference, tmp_path, asem_dir):
    from analysis.cli import main

    out = tmp_path / "scores.csv"
    rc = main(
        [
            "index",
            "--idata",
            str(asem_dir / "ASEM_iData.csv"),
            "--imeta",
            str(asem_dir / "ASEM_iMeta.csv"),
            "--normalise",
            "minmax:0,100",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    got = pd.read_csv(out, dtype={"uCode": str}).set_index("uCode").loc[reference.index]
    assert list(got.columns) == list(reference.columns)
    assert (got["Index_rank"] == reference["Index_rank"]).all()
    np.testing.assert_allclose(got.to_numpy(float), reference.to_numpy(float), atol=1e-9)


def test_cli_geometric_on_zero_values_fails_with_a_fix(asem, tmp_path, capsys, asem_dir):
    from analysis.cli import main

    args = [
        "index",
        "--idata",
        str(asem_dir / "ASEM_iData.csv"),
        "--imeta",
        str(asem_dir / "ASEM_iMeta.csv"),
        "--aggregate",
        "geometric",
    ]
    rc = main([*args, "--out", str(tmp_path / "x.csv")])
    assert rc == 2
    assert "minmax:1,100" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    rc = main(
        [
            *args,
            "--normalise",
            "minmax:1,100",
            "--treat",
            "jrc:5",
            "--impute",
            "mean-by:GDP_group",
            "--out",
            str(tmp_path / "g.csv"),
        ]
    )
    assert rc == 0
    g = pd.read_csv(tmp_path / "g.csv")
    assert g["Index_rank"].min() == 1 and g["Index"].between(1, 100).all()


def test_load_coinr_structure(asem):
    t = asem.tree
    assert t.n_indicators == 49 and t.root == "Index"
    assert t.aggregates[:8] == (
        "ConEcFin",
        "Environ",
        "Instit",
        "P2P",
        "Physical",
        "Political",
        "Social",
        "SusEcFin",
    )
    assert t.children("Sust") == ("Environ", "Social", "SusEcFin")
    assert asem.groups == ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    assert asem.denominators == ["Area", "Energy", "GDP", "Population"]
    assert asem.data.index[0] == "AUT" and isinstance(asem.data.index[0], str)
    assert t.directions[t.indicators.index("CostImpEx")] == -1


def test_denominate_asem(asem):
    d = denominate(asem.data, asem.imeta)
    np.testing.assert_allclose(d["Flights"], asem.data["Flights"] / asem.data["Population"])
    np.testing.assert_allclose(d["LPI"], asem.data["LPI"])  # no denominator


def test_load_coinr_errors(tmp_path):
    (tmp_path / "d.csv").write_text("uName,x\nA,1\n")
    (tmp_path / "m.csv").write_text("Level,iCode,Parent,Type\n1,x,I,Indicator\n2,I,,Aggregate\n")
    with pytest.raises(AnalysisError, match="uCode"):
        load_coinr(tmp_path / "d.csv", tmp_path / "m.csv")
    (tmp_path / "d.csv").write_text("uCode,x\nA,abc\n")
    with pytest.raises(AnalysisError, match="not a number"):
        load_coinr(tmp_path / "d.csv", tmp_path / "m.csv")


def test_cli_index_order_is_recorded_in_the_provenance(asem_dir, tmp_path):
    from analysis.cli import main

    args = ["index", "--idata", str(asem_dir / "ASEM_iData.csv"), "--imeta", str(asem_dir / "ASEM_iMeta.csv"),
            "--denominate", "--impute", "mean-by:EurAsia_group", "--screen", "0.9", "--treat", "jrc:5"]  # fmt: skip
    order = "denominate,impute,screen,treat,normalise,aggregate"
    assert main([*args, "--order", order, "--out", str(tmp_path / "coinr.csv")]) == 0
    assert main([*args, "--out", str(tmp_path / "default.csv")]) == 0
    coinr = json.loads((tmp_path / "coinr.run.json").read_text(encoding="utf-8"))
    default = json.loads((tmp_path / "default.run.json").read_text(encoding="utf-8"))
    assert coinr["order"] == order and coinr["n_units"] == 51 and coinr["units_screened_out"] == []
    assert default["order"] == "denominate,screen,impute,treat,normalise,aggregate"
    assert default["n_units"] == 46 and len(default["units_screened_out"]) == 5
    assert coinr["parameters"] == {
        "denominate": True, "impute": "mean-by:EurAsia_group", "screen": 0.9, "treat": "5",
        "normalise": "minmax:0,100", "aggregate": "arithmetic", "weights": "framework",
        "min_coverage": None, "nonpositive": "raise",
    }  # fmt: skip
    assert coinr["inputs"]["idata"]["sha256"] == default["inputs"]["idata"]["sha256"]
    assert len(pd.read_csv(tmp_path / "coinr.csv")) == 51


def test_cli_index_invalid_order_lists_the_steps(asem_dir, tmp_path, capsys):
    from analysis.cli import main

    rc = main(["index", "--idata", str(asem_dir / "ASEM_iData.csv"), "--imeta", str(asem_dir / "ASEM_iMeta.csv"),
               "--order", "impute,screen,normalise", "--out", str(tmp_path / "x.csv")])  # fmt: skip
    assert rc == 2
    err = capsys.readouterr().err
    assert "missing ['denominate', 'treat', 'aggregate']" in err
    assert "denominate, impute, screen, treat, normalise, aggregate" in err
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.run.json").exists()
