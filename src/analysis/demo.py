"""The illustrative commune panel: seeded, synthetic, and labelled so everywhere.

No official commune-level digital-transformation series is public for Đại Lộc, so the default
panel is generated. It is **synthetic**: every row has ``status = "synthetic"`` and every table,
figure and brief computed from it says so. It exists to exercise the methods on a realistic
shape, never as a finding. Real data replace it through the Excel template (``dgap template``).

The model (all on the normalised 0–1 scale of each indicator's goalposts, then mapped back to
the indicator's unit):

* 18 real communes (codes, coordinates, 2019 census population); 7 half-years 2022H1–2025H1.
* Covariates: distance from the district seat (Ái Nghĩa, km, haversine) and log population,
  standardised across communes (``dz``, ``pz``). Density is not used because official areas are
  missing for 5 communes.
* Pillar level of commune *c* at time τ (years since 2022H1):
  government ``0.62 + 0.070 τ + 0.03 u_G − 0.02 dz`` (high, rising fast, almost flat in space);
  economy ``0.25 + 0.030 τ + 0.06 u_E − 0.07 dz + 0.04 pz`` (low, slow, remote communes behind);
  society ``0.40 + 0.040 τ + 0.05 u_S − 0.05 dz + 0.03 pz``;
  ``u`` are commune effects, N(0, 1), with corr(u_E, u_S) = 0.6.
* Indicator value: pillar level + the indicator's offset (its 2022H1 district level minus the
  pillar's, chosen so that e.g. commune e-documents start near 80% as the source article reports
  for Q-Office at commune level) + N(0, 0.04) noise, clipped to [0.01, 0.995].
* Missingness: 4% missing completely at random, plus e-commerce measures not yet collected in
  2022 in communes more than 1 sd further from the district seat.
* The count indicator (online shops) is generated per 1,000 households and stored as a count.

``write_demo()`` rewrites ``data/demo/observations.csv`` byte-identically for a given seed.

``example_plot_data()`` is a second, simpler fabrication for the figure gallery and the figure
tests: the *results* tables (scores, gaps with intervals, rank statistics, sensitivity) drawn
directly from a seeded model, so that every figure kind can be drawn without running the
analysis. It is synthetic too and flagged so in every table.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import config
from .errors import DataValidationError
from .frameworks import load_framework
from .io import save_table
from .units import haversine_km, load_units

PERIODS = ("2022H1", "2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1")
DISTRICT_SEAT = "20500"  # Thị trấn Ái Nghĩa
MODEL_VERSION = "demo-v1"

#: pillar: (level at 2022H1, growth per year, loading on own effect, on distance z, on log-pop z)
PILLAR_MODEL = {
    "government": (0.62, 0.070, 0.03, -0.02, 0.00),
    "economy": (0.25, 0.030, 0.06, -0.07, 0.04),
    "society": (0.40, 0.040, 0.05, -0.05, 0.03),
}
#: indicator: district level at 2022H1 on its normalised scale (offset = this − pillar level)
START_LEVEL = {
    "gov_level4_services_pct": 0.45,
    "gov_online_dossier_pct": 0.35,
    "gov_ontime_dossier_pct": 0.85,
    "gov_edocument_pct": 0.80,
    "gov_digital_signature_pct": 0.90,
    "gov_staff_digital_skills_pct": 0.60,
    "econ_cashless_merchants_pct": 0.30,
    "econ_ecommerce_retail_pct": 0.10,
    "econ_ocop_online_pct": 0.35,
    "econ_einvoice_pct": 0.40,
    "econ_sme_platform_pct": 0.30,
    "econ_digital_workforce_pct": 0.12,
    "econ_online_shops_per_1000hh": 0.20,
    "soc_smartphone_adults_pct": 0.65,
    "soc_payment_account_pct": 0.55,
    "soc_fibre_households_pct": 0.50,
    "soc_vneid_activated_pct": 0.25,
    "soc_digital_skills_pct": 0.30,
    "soc_ehealth_record_pct": 0.20,
    "soc_cdt_team_villages_pct": 0.50,
}
LATE_COLLECTED = ("econ_ecommerce_retail_pct", "econ_ocop_online_pct")


def generate_demo(
    seed: int | None = None, *, units: pd.DataFrame | None = None, framework=None
) -> pd.DataFrame:
    """Generate the synthetic panel (observations contract, ``status='synthetic'``).

    Args:
        seed: random seed (default ``config.DEFAULT_SEED``).
        units: units table (default: the 18 Đại Lộc communes).
        framework: framework (default: commune).
    """
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    rng = np.random.default_rng(seed)
    units = load_units() if units is None else units
    fw = load_framework() if framework is None else framework
    units = units.sort_values("unit_code").reset_index(drop=True)
    dz = _standardise(_distance_to_seat(units))
    pz = _standardise(np.log(pd.to_numeric(units["population"], errors="coerce").to_numpy(float)))
    n = len(units)
    u_g = rng.standard_normal(n)
    z1, z2 = rng.standard_normal(n), rng.standard_normal(n)
    u_e, u_s = z1, 0.6 * z1 + 0.8 * z2
    effects = {"government": u_g, "economy": u_e, "society": u_s}
    tau = np.array([i * 0.5 for i in range(len(PERIODS))])
    codes = units["unit_code"].astype(str).to_numpy()

    ind = fw.indicators.set_index("id")
    parts = []
    for code, spec in ind.iterrows():
        base, growth, b_u, b_d, b_p = PILLAR_MODEL[spec["pillar"]]
        level = (
            base
            + growth * tau[None, :]
            + (b_u * effects[spec["pillar"]] + b_d * dz + b_p * pz)[:, None]
        )
        offset = START_LEVEL.get(code, base) - base
        x = np.clip(level + offset + rng.normal(0, 0.04, size=level.shape), 0.01, 0.995)
        lo, hi = spec["goalpost_lo"], spec["goalpost_hi"]
        raw = lo + (hi - lo) * x
        missing = rng.random(size=raw.shape) < 0.04
        if spec["kind"] == "count" and spec["denominator"]:
            # a count needs its denominator: units without one (the national registry has no
            # households) get no value of this indicator
            col = spec["denominator"]
            den = pd.to_numeric(units.get(col), errors="coerce")
            den = np.full(n, np.nan) if den is None else den.to_numpy(float)
            raw = np.round(raw * (den / spec["denominator_scale"])[:, None])
            missing |= ~(den > 0)[:, None]
        else:
            raw = np.round(raw, 1)
        if code in LATE_COLLECTED:
            missing |= (dz > 1.0)[:, None] & (np.arange(len(PERIODS)) < 2)[None, :]
        keep = ~missing
        ui, pj = np.nonzero(keep)  # unit-major, as the rows were always listed
        parts.append(
            pd.DataFrame(
                {
                    "unit_code": codes[ui],
                    "period": np.asarray(PERIODS, dtype=object)[pj],
                    "indicator": code,
                    "value": raw[keep].astype(float),
                }
            )
        )
    obs = pd.concat(parts, ignore_index=True)
    obs["status"] = "synthetic"
    obs["source"] = f"analysis.demo {MODEL_VERSION} seed={seed} (illustrative, not official data)"
    return obs.sort_values(["unit_code", "period", "indicator"], kind="stable").reset_index(
        drop=True
    )


#: the key of a panel recipe: a YAML file given as ``observations_path`` that generates the panel
RECIPE_KEY = "synthetic_panel"


def is_recipe(path: str | Path) -> bool:
    """True for a synthetic-panel recipe (``.yaml`` whose top key is ``synthetic_panel``)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return False
    head = path.read_bytes()[:4096].decode("utf-8", errors="replace")
    return any(line.startswith(f"{RECIPE_KEY}:") for line in head.splitlines())


def panel_from_recipe(path: str | Path, units: pd.DataFrame, framework) -> pd.DataFrame:
    """The synthetic panel a recipe describes, for the units of the run.

    A recipe (e.g. ``data/demo/national.yaml``) names the model and the seed; the panel is
    generated at load time for the run's units table and framework, so a national panel of
    420,000 observations needs no file in the repository and is the same on every machine.

    Raises:
        DataValidationError: the recipe names another model or has no integer seed.
    """
    import yaml

    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataValidationError([f"{path}: not a readable YAML recipe ({exc})"]) from exc
    spec = doc.get(RECIPE_KEY) if isinstance(doc, dict) else None
    spec = spec if isinstance(spec, dict) else {}
    model, seed = spec.get("model"), spec.get("seed")
    if model != MODEL_VERSION or not isinstance(seed, int):
        raise DataValidationError(
            [
                f"{path}: {RECIPE_KEY} must give model: {MODEL_VERSION} and an integer seed "
                f"(found model={model!r}, seed={seed!r})"
            ],
            source=str(path),
        )
    return generate_demo(seed, units=units, framework=framework)


def _standardise(x: np.ndarray) -> np.ndarray:
    """z-scores; a missing value gets 0 (the mean), and a column with no values is all 0."""
    ok = np.isfinite(x)
    if ok.sum() < 2 or np.std(x[ok]) == 0:
        return np.zeros(len(x))
    z = (x - x[ok].mean()) / x[ok].std()
    return np.where(ok, z, 0.0)


def _distance_to_seat(units: pd.DataFrame) -> np.ndarray:
    """Kilometres from each unit to its seat: the district seat Ái Nghĩa for Đại Lộc (the
    panel the project ships), else the centroid of the unit's parent (province or district)
    as a stand-in for its seat."""
    lat, lon = units["lat"].to_numpy(float), units["lon"].to_numpy(float)
    if (units["unit_code"] == DISTRICT_SEAT).any():
        seat = units.loc[units["unit_code"] == DISTRICT_SEAT].iloc[0]
        return haversine_km(seat["lat"], seat["lon"], lat, lon)
    group = (
        units["parent_code"].astype(str) if "parent_code" in units else pd.Series("", units.index)
    )
    c_lat = units["lat"].groupby(group).transform("mean").to_numpy(float)
    c_lon = units["lon"].groupby(group).transform("mean").to_numpy(float)
    return haversine_km(c_lat, c_lon, lat, lon)


def write_demo(seed: int | None = None, out_dir: str | Path | None = None) -> list[Path]:
    """Write ``observations.csv`` of the demo panel into ``data/demo/`` (atomically)."""
    out_dir = Path(out_dir) if out_dir is not None else config.DEMO
    obs = generate_demo(seed)
    return [save_table(obs, out_dir / "observations.csv")]  # sorted, in contract order


# --------------------------------------------------------------------------------------------
# example tables for figures (gallery and tests)
# --------------------------------------------------------------------------------------------


def example_plot_data(
    seed: int = config.DEFAULT_SEED, *, n_periods: int = 7, n_draws: int = 400
) -> dict[str, Any]:
    """Fabricate SYNTHETIC tables in the contracts the figures read, for the gallery and tests.

    The units are the real 18 Đại Lộc communes (``data/raw/units``); every value derived from
    them here is invented (seeded) and every table carries ``status="synthetic"``. Unlike
    :func:`generate_demo` (raw observations, for the analysis), this fabricates the *outputs*
    of the analysis directly (scores, gaps with intervals, rank statistics, sensitivity
    indices) from a simpler model, so that every figure can be drawn without running it; it
    is not a substitute for ``analysis.gaps`` or ``analysis.robustness``.

    Args:
        seed: random seed.
        n_periods: number of half-years from 2022H1.
        n_draws: Monte Carlo draws of the fabricated rank statistics.

    Returns:
        ``{"units", "units_2025", "framework", "observations", "scores", "pillars", "gaps",
        "rank_stats", "sensitivity"}`` (``framework`` is the :class:`Framework` object).
    """
    rng = np.random.default_rng(seed)
    units, units_2025 = _example_units()
    fw = load_framework()
    ind = fw.indicators.reset_index(drop=True)
    codes = units["unit_code"].tolist()
    periods = [f"{2022 + k // 2}H{k % 2 + 1}" for k in range(n_periods)]
    norm = _example_levels(rng, units, ind, n_periods)
    pillar_idx = ind["pillar"].to_numpy()
    observations = _example_observations(norm, ind, codes, periods)
    pil_vals = {p: norm[:, :, pillar_idx == p].mean(axis=-1) for p in config.PILLARS}  # (U, P)
    pillars = _example_pillars(pil_vals, codes, periods)
    scores = _example_scores(observations, norm, pillars)
    gaps = _example_gaps(rng, pillars, norm, pillar_idx)
    return {
        "units": units,
        "units_2025": units_2025,
        "framework": fw,
        "observations": observations,
        "scores": scores,
        "pillars": pillars,
        "gaps": gaps,
        "rank_stats": _example_rank_stats(rng, pil_vals, codes, n_draws),
        "sensitivity": _example_sensitivity(rng),
    }


def _example_units() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 18 communes (NFC text) and the 5 post-2025 communes (empty when absent)."""
    units = pd.read_csv(
        config.UNITS_CSV, dtype={"unit_code": str, "parent_code": str, "successor_code": str}
    )
    for col in units.select_dtypes(include=["object", "string"]).columns:
        units[col] = units[col].map(
            lambda s: unicodedata.normalize("NFC", s) if isinstance(s, str) else s
        )
    units_2025_path = config.RAW / "units" / "dai_loc_units_2025.csv"
    units_2025 = (
        pd.read_csv(units_2025_path, dtype={"unit_code": str, "parent_code": str})
        if units_2025_path.exists()
        else pd.DataFrame()
    )
    return units, units_2025


def _example_levels(
    rng: np.random.Generator, units: pd.DataFrame, ind: pd.DataFrame, n_periods: int
) -> np.ndarray:
    """Normalised indicator values (units × periods × indicators): bigger communes, closer to
    the town (Ái Nghĩa), are more digital; pillars rise linearly; indicator effects and noise."""
    n_u, n_i = len(units), len(ind)
    pop = units["population"].to_numpy(float)
    z_pop = (np.log(pop) - np.log(pop).mean()) / np.log(pop).std()
    d = np.hypot(units["lon"] - units["lon"].iloc[0], units["lat"] - units["lat"].iloc[0]).to_numpy(
        float
    )
    z_near = -(d - d.mean()) / d.std()
    urban = 0.5 * z_pop + 0.5 * z_near
    base = {
        "government": 0.66 + 0.04 * urban + rng.normal(0, 0.04, n_u),
        "economy": 0.38 + 0.09 * urban + rng.normal(0, 0.06, n_u),
        "society": 0.46 + 0.07 * urban + rng.normal(0, 0.05, n_u),
    }
    slope = {"government": 0.022, "economy": 0.016, "society": 0.019}
    ind_effect = rng.normal(0, 0.08, n_i)
    t = np.arange(n_periods)
    level = np.stack(
        [base[p][:, None] + slope[p] * t[None, :] for p in ind["pillar"].to_numpy()], axis=-1
    )  # (U, P, I)
    return np.clip(
        level + ind_effect[None, None, :] + rng.normal(0, 0.05, (n_u, n_periods, n_i)), 0.02, 0.98
    )


def _example_observations(
    norm: np.ndarray, ind: pd.DataFrame, codes: list[str], periods: list[str]
) -> pd.DataFrame:
    """Raw values: the normalised values mapped back onto each indicator's goalposts."""
    n_u, n_p, n_i = norm.shape
    lo = ind["goalpost_lo"].to_numpy(float)
    hi = ind["goalpost_hi"].to_numpy(float)
    raw = lo + norm * (hi - lo)
    uu, pp, ii = np.meshgrid(np.arange(n_u), np.arange(n_p), np.arange(n_i), indexing="ij")
    return pd.DataFrame(
        {
            "unit_code": pd.array(np.asarray(codes)[uu.ravel()], dtype="str"),
            "period": pd.array(np.asarray(periods)[pp.ravel()], dtype="str"),
            "indicator": pd.array(ind["id"].to_numpy()[ii.ravel()], dtype="str"),
            "value": np.round(raw.ravel(), 2),
            "status": "synthetic",
            "source": "analysis.demo.example_plot_data (synthetic)",
        }
    )


def _example_pillars(
    pil_vals: dict[str, np.ndarray], codes: list[str], periods: list[str]
) -> pd.DataFrame:
    """Pillar table: the mean of each pillar's indicators, and their mean as the index."""
    n_p = len(periods)
    index_vals = np.mean([pil_vals[p] for p in config.PILLARS], axis=0)
    return pd.DataFrame(
        {
            "unit_code": pd.array(np.repeat(np.asarray(codes), n_p), dtype="str"),
            "period": pd.array(np.tile(np.asarray(periods), len(codes)), dtype="str"),
            **{p: pil_vals[p].ravel() for p in config.PILLARS},
            "index": index_vals.ravel(),
            "status": "synthetic",
        }
    )


def _example_scores(
    observations: pd.DataFrame, norm: np.ndarray, pillars: pd.DataFrame
) -> pd.DataFrame:
    """Score table: indicator rows (normalised values), then pillar and index rows."""
    ind_scores = observations[["unit_code", "period", "indicator"]].rename(
        columns={"indicator": "name"}
    )
    ind_scores = ind_scores.assign(level="indicator", value=norm.ravel(), status="synthetic")
    long_p = pillars.melt(
        id_vars=["unit_code", "period", "status"],
        value_vars=[*config.PILLARS, "index"],
        var_name="name",
    )
    long_p["level"] = np.where(long_p["name"] == "index", "index", "pillar")
    return pd.concat([ind_scores, long_p], ignore_index=True)[
        ["unit_code", "period", "level", "name", "value", "status"]
    ]


#: columns of the fabricated gap table, in the order of analysis.gaps
_EXAMPLE_GAP_COLUMNS = [
    "unit_code", "period", "government", "economy", "society", "gap_econ", "gap_econ_sel_lo",
    "gap_econ_sel_hi", "gap_soc", "gap_soc_sel_lo", "gap_soc_sel_hi", "gap_mean", "gap_mean_sel_lo",
    "gap_mean_sel_hi", "ratio_econ", "ratio_soc",
    "z_econ", "z_soc", "z_mean", "rank_government", "rank_economy", "rank_society", "rank_gap_mean",
    "typology", "typology_stability", "status",
]  # fmt: skip


def _example_gaps(
    rng: np.random.Generator, pillars: pd.DataFrame, norm: np.ndarray, pillar_idx: np.ndarray
) -> pd.DataFrame:
    """Gap table with 90% indicator-selection intervals (a bootstrap over each pillar's indicators), z-scores,
    ranks and a typology (thresholds of analysis.gaps: delta 0.10, high 0.50) with its stability."""
    n_u, n_p, n_i = norm.shape
    flat = norm.reshape(n_u * n_p, n_i)
    n_boot = 300
    boot = {}
    for p in config.PILLARS:
        cols = np.flatnonzero(pillar_idx == p)
        pick = cols[rng.integers(0, len(cols), (n_boot, len(cols)))]
        boot[p] = flat[:, pick].mean(axis=-1)  # (UP, B)
    g = pillars.copy()
    g_e, g_s = boot["government"] - boot["economy"], boot["government"] - boot["society"]
    g_m = boot["government"] - (boot["economy"] + boot["society"]) / 2
    g["gap_econ"] = g["government"] - g["economy"]
    g["gap_soc"] = g["government"] - g["society"]
    g["gap_mean"] = g["government"] - (g["economy"] + g["society"]) / 2
    for name, arr in (("gap_econ", g_e), ("gap_soc", g_s), ("gap_mean", g_m)):
        g[f"{name}_sel_lo"] = np.quantile(arr, 0.05, axis=1)
        g[f"{name}_sel_hi"] = np.quantile(arr, 0.95, axis=1)
    g["ratio_econ"] = g["government"] / g["economy"]
    g["ratio_soc"] = g["government"] / g["society"]
    by_p = g.groupby("period")
    for src, dst in (("gap_econ", "z_econ"), ("gap_soc", "z_soc"), ("gap_mean", "z_mean")):
        g[dst] = (g[src] - by_p[src].transform("mean")) / by_p[src].transform("std")
    for src in ("government", "economy", "society", "gap_mean"):
        g[f"rank_{src}"] = by_p[src].rank(ascending=False, method="min").astype(int)
    level_mean = g[list(config.PILLARS)].mean(axis=1)
    level_med = pd.Series(0.5, index=g.index)
    thr = 0.10
    g["typology"] = np.select(
        [g["gap_mean"] >= thr, g["gap_mean"] <= -thr, level_mean >= level_med],
        ["government_led", "economy_society_led", "balanced_high"],
        default="balanced_low",
    )
    boot_level = (boot["government"] + boot["economy"] + boot["society"]) / 3
    boot_cls = np.where(
        g_m >= thr,
        0,
        np.where(g_m <= -thr, 3, np.where(boot_level >= level_med.to_numpy()[:, None], 1, 2)),
    )
    cls_code = (
        g["typology"]
        .map({"government_led": 0, "balanced_high": 1, "balanced_low": 2, "economy_society_led": 3})
        .to_numpy()
    )
    g["typology_stability"] = (boot_cls == cls_code[:, None]).mean(axis=1)
    g["status"] = "synthetic"
    return g[_EXAMPLE_GAP_COLUMNS].reset_index(drop=True)


def _example_rank_stats(
    rng: np.random.Generator, pil_vals: dict[str, np.ndarray], codes: list[str], n_draws: int
) -> pd.DataFrame:
    """Rank statistics of the latest index under perturbed weights, arithmetic or geometric
    aggregation and a little noise (a stand-in for the Monte Carlo of analysis.robustness)."""
    n_u = len(codes)
    last = np.stack([pil_vals[p][:, -1] for p in config.PILLARS], axis=1)  # (U, 3)
    nominal = pd.Series(last.mean(axis=1)).rank(ascending=False, method="min").to_numpy(int)
    w = rng.uniform(0.75, 1.25, (n_draws, 3))
    w /= w.sum(axis=1, keepdims=True)
    arith = last @ w.T  # (U, D)
    geo = np.exp(np.log(np.clip(last, 1e-6, None)) @ w.T)
    use_geo = rng.random(n_draws) < 0.5
    draws = np.where(use_geo[None, :], geo, arith) + rng.normal(0, 0.015, (n_u, n_draws))
    ranks = pd.DataFrame(draws).rank(ascending=False, method="min").to_numpy()
    k_top = 3
    return pd.DataFrame(
        {
            "unit_code": pd.array(codes, dtype="str"),
            "nominal": nominal,
            "mean": ranks.mean(axis=1),
            "median": np.median(ranks, axis=1),
            "q05": np.quantile(ranks, 0.05, axis=1),
            "q95": np.quantile(ranks, 0.95, axis=1),
            "mean_abs_shift": np.abs(ranks - nominal[:, None]).mean(axis=1),
            "p_top_k": (ranks <= k_top).mean(axis=1),
            "p_bottom_k": (ranks > n_u - k_top).mean(axis=1),
            "status": "synthetic",
        }
    )


def _example_sensitivity(rng: np.random.Generator) -> pd.DataFrame:
    """First-order and total sensitivity indices of five method choices, with intervals."""
    choices = ["weights", "aggregation", "normalisation", "imputation", "outliers"]
    si = np.array([0.34, 0.21, 0.12, 0.04, 0.015])
    sti = si + np.array([0.12, 0.10, 0.07, 0.03, 0.01])
    half = rng.uniform(0.02, 0.06, (2, len(choices)))
    return pd.DataFrame(
        {
            "choice": choices,
            "target": "mean_abs_shift",
            "Si": si,
            "Si_lo": np.clip(si - half[0], 0, None),
            "Si_hi": si + half[0],
            "STi": sti,
            "STi_lo": np.clip(sti - half[1], 0, None),
            "STi_hi": sti + half[1],
            "status": "synthetic",
        }
    )
