"""Tests of analysis.robustness.sensitivity: Sobol indices with known answers."""

from __future__ import annotations

import pandas as pd

from analysis import robustness as rb


# --------------------------------------------------------------------------- sensitivity
def test_sobol_choice_without_effect_is_zero_and_sole_choice_is_one(gap_case):
    df, imeta = gap_case
    spec = {
        "base": {"normalisation": "minmax:1,10"},
        "uncertain": {
            "aggregation": ["arithmetic", "geometric"],
            "normalisation": ["minmax:1,10", "minmax:1,100"],
        },
    }
    s = rb.run_sensitivity(df, imeta, spec, n=512, seed=3, targets="gaps")
    assert s.attrs["n_runs"] == 512 * 4
    agg = s[s["choice"] == "aggregation"]
    norm = s[s["choice"] == "normalisation"]
    assert len(agg) == 30 * 3
    assert agg[["Si", "STi"]].abs().max().max() < 1e-8
    assert (norm["STi"] - 1).abs().max() < 0.02
    assert (norm["Si"] - 1).abs().max() < 0.15


def test_sobol_null_imputation_on_complete_data_rank_target(random_case):
    df, imeta = random_case
    spec = {
        "base": {"normalisation": "minmax:1,100"},
        "uncertain": {"imputation": ["none", "mean"], "aggregation": ["arithmetic", "geometric"]},
    }
    s = rb.run_sensitivity(df, imeta, spec, n=256, seed=1).set_index("choice")
    assert list(s.columns) == [
        "alternatives", "target", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi",
    ]  # fmt: skip
    assert s.loc["imputation", "alternatives"] == "none|mean"
    assert abs(s.loc["imputation", "Si"]) < 1e-12 and abs(s.loc["imputation", "STi"]) < 1e-12
    assert abs(s.loc["aggregation", "STi"] - 1) < 0.02
    assert (
        s.loc["aggregation", "STi_lo"]
        <= s.loc["aggregation", "STi"]
        <= s.loc["aggregation", "STi_hi"]
    )
    again = rb.run_sensitivity(df, imeta, spec, n=256, seed=1).set_index("choice")
    pd.testing.assert_frame_equal(s, again)
