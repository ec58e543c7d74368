"""Tests of analysis.robustness.run: ``dgap robustness`` writes every output and replays."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


def test_cli_robustness_writes_every_output(asem_dir, tmp_path):
    from analysis.cli import main

    out = tmp_path / "rob"
    rc = main(
        [
            "robustness",
            "--idata",
            str(asem_dir / "ASEM_iData.csv"),
            "--imeta",
            str(asem_dir / "ASEM_iMeta.csv"),
            "--draws",
            "50",
            "--sobol",
            "--sobol-n",
            "32",
            "--seed",
            "3",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    rs = pd.read_csv(out / "rank_stats.csv", dtype={"uCode": str})
    assert list(rs.columns[:6]) == ["uCode", "nominal", "mean", "median", "q05", "q95"]
    sc = pd.read_csv(out / "scores.csv", dtype={"uCode": str})
    assert sc.shape == (51, 51) and list(sc.columns[:3]) == ["uCode", "1", "2"]
    runs = pd.read_csv(out / "runs.csv", dtype=str)
    assert len(runs) == 50
    sens = pd.read_csv(out / "sensitivity.csv")
    assert {"choice", "Si", "STi", "Si_lo", "Si_hi", "STi_lo", "STi_hi"} <= set(sens.columns)
    meta = json.loads((out / "run.json").read_text())
    assert (
        meta["seed"] == 3
        and meta["n_uncertainty_runs"] == 50
        and meta["n_sensitivity_runs"] == 32 * 6
    )
    assert meta["spec"]["name"] == "coinr-vignette" and 0 < meta["elapsed_s"] < 30
    assert not list(out.glob(".*.tmp"))
    # replay of the written runs gives the same scores
    out2 = tmp_path / "replay"
    rc = main(
        [
            "robustness",
            "--idata",
            str(asem_dir / "ASEM_iData.csv"),
            "--imeta",
            str(asem_dir / "ASEM_iMeta.csv"),
            "--replay",
            str(out / "runs.csv"),
            "--weight-sets",
            str(out / "weight_sets.csv"),
            "--out",
            str(out2),
        ]
    )
    assert rc == 0
    sc2 = pd.read_csv(out2 / "scores.csv", dtype={"uCode": str})
    np.testing.assert_allclose(sc2.iloc[:, 1:].to_numpy(), sc.iloc[:, 1:].to_numpy(), rtol=1e-12)
    # a bad spec is a clean error (exit 2)
    assert (
        main(
            [
                "robustness",
                "--idata",
                str(asem_dir / "ASEM_iData.csv"),
                "--imeta",
                str(asem_dir / "ASEM_iMeta.csv"),
                "--spec",
                "nope",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 2
    )


def test_cli_robustness_order_overrides_the_spec_and_is_recorded(asem_dir, tmp_path):
    from analysis.cli import main

    args = ["robustness", "--idata", str(asem_dir / "ASEM_iData.csv"), "--imeta",
            str(asem_dir / "ASEM_iMeta.csv"), "--draws", "5", "--seed", "1"]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "spec")]) == 0
    order = "denominate,screen,impute,treat,normalise,aggregate"
    assert main([*args, "--order", order, "--out", str(tmp_path / "cli")]) == 0
    spec = json.loads((tmp_path / "spec" / "run.json").read_text(encoding="utf-8"))
    cli = json.loads((tmp_path / "cli" / "run.json").read_text(encoding="utf-8"))
    assert spec["order"] == "denominate,impute,screen,treat,normalise,aggregate"  # the vignette's
    assert cli["order"] == order and cli["spec"]["base"]["order"] == order.split(",")
    assert spec["n_units"] == 51 and cli["n_units"] == 46  # screening first drops 5 units
    assert main([*args, "--order", "screen", "--out", str(tmp_path / "bad")]) == 2


def test_run_json_says_what_elapsed_s_covers(asem_dir, tmp_path):
    """Issue #20: run.json states what ``elapsed_s`` measures, and its parts add up inside it."""
    from analysis.robustness import run_robustness
    from analysis.robustness.run import ELAPSED_COVERS

    run_robustness(
        asem_dir / "ASEM_iData.csv", asem_dir / "ASEM_iMeta.csv", tmp_path, draws=20, seed=1
    )
    meta = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert meta["elapsed_covers"] == ELAPSED_COVERS
    assert "reading" in ELAPSED_COVERS and "not Python start-up, module imports" in ELAPSED_COVERS
    t = meta["timings"]
    assert set(t) == {"read_s", "prep_s", "eval_s", "stats_s"}
    # the CSV reading and every timed part lie inside elapsed_s (rounding to 1e-6 allowed)
    assert t["read_s"] > 0 and sum(t.values()) <= meta["elapsed_s"] + 4e-6
