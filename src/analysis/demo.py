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
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .frameworks import load_framework
from .io import load_units, save_observations
from .units import haversine_km

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
    seat = (
        units.loc[units["unit_code"] == DISTRICT_SEAT].iloc[0]
        if (units["unit_code"] == DISTRICT_SEAT).any()
        else units.iloc[0]
    )
    dist = haversine_km(seat["lat"], seat["lon"], units["lat"].to_numpy(), units["lon"].to_numpy())
    dz = (dist - dist.mean()) / dist.std()
    lp = np.log(units["population"].to_numpy(float))
    pz = (lp - lp.mean()) / lp.std()
    n = len(units)
    u_g = rng.standard_normal(n)
    z1, z2 = rng.standard_normal(n), rng.standard_normal(n)
    u_e, u_s = z1, 0.6 * z1 + 0.8 * z2
    effects = {"government": u_g, "economy": u_e, "society": u_s}
    tau = np.array([i * 0.5 for i in range(len(PERIODS))])

    ind = fw.indicators.set_index("id")
    rows = []
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
        if spec["kind"] == "count" and spec["denominator"]:
            denom = units[spec["denominator"]].to_numpy(float)[:, None] / spec["denominator_scale"]
            raw = np.round(raw * denom)
        else:
            raw = np.round(raw, 1)
        missing = rng.random(size=raw.shape) < 0.04
        if code in LATE_COLLECTED:
            missing |= (dz > 1.0)[:, None] & (np.arange(len(PERIODS)) < 2)[None, :]
        for i, ucode in enumerate(units["unit_code"]):
            for j, period in enumerate(PERIODS):
                if not missing[i, j]:
                    rows.append((ucode, period, code, float(raw[i, j])))
    obs = pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"])
    obs["status"] = "synthetic"
    obs["source"] = f"analysis.demo {MODEL_VERSION} seed={seed} (illustrative, not official data)"
    return obs.sort_values(["unit_code", "period", "indicator"], kind="stable").reset_index(
        drop=True
    )


def write_demo(seed: int | None = None, out_dir: str | Path | None = None) -> list[Path]:
    """Write ``observations.csv`` of the demo panel into ``data/demo/`` (atomically)."""
    out_dir = Path(out_dir) if out_dir is not None else config.DEMO
    obs = generate_demo(seed)
    return [save_observations(obs, out_dir / "observations.csv")]
