"""Shared fixtures, one section per area."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config

# --- methods (composite, gaps, robustness) ----------------------------------------------------
ASEM_DIR = config.SHARED_DATASETS / "asem"
GAP_PILLARS = (config.GOV, config.ECON, config.SOC)


@pytest.fixture(scope="session")
def asem_dir():
    """The COINr ASEM example (``iData``, ``iMeta``, ``reference/``); skips when it is absent."""
    if not (ASEM_DIR / "ASEM_iData.csv").exists():
        pytest.skip("shared ASEM dataset not available (set DGAP_SHARED to the datasets folder)")
    return ASEM_DIR


@pytest.fixture(scope="session")
def asem(asem_dir):
    """The ASEM example as :class:`analysis.composite.CoinData`."""
    from analysis.composite import load_coinr

    return load_coinr(asem_dir / "ASEM_iData.csv", asem_dir / "ASEM_iMeta.csv")


def _make_framework(k=(3, 3, 3), weights=None, extra=None):
    """Framework with k[p] indicators per pillar named '<pillar>_<j>' (goalposts 0..100)."""
    from analysis.frameworks import framework_from_dict

    inds = []
    for p, kp in zip(GAP_PILLARS, k, strict=True):
        for j in range(kp):
            w = 1 if weights is None else weights.get(f"{p}_{j}", 1)
            inds.append(
                dict(
                    id=f"{p}_{j}",
                    pillar=p,
                    name_vi="x",
                    name_en="x",
                    unit="%",
                    direction=1,
                    kind="rate",
                    goalposts=[0, 100],
                    weight=w,
                )
            )
    inds += extra or []
    return framework_from_dict(
        {"id": "toy", "pillars": [{"id": p} for p in GAP_PILLARS], "indicators": inds}
    )


def _make_scores(values, status="synthetic", period="2024H1"):
    """values: {unit_code: {indicator: value}} -> tidy scores (indicator rows only)."""
    rows = [
        dict(unit_code=str(u), period=period, level="indicator", name=i, value=v, status=status)
        for u, d in values.items()
        for i, v in d.items()
    ]
    return pd.DataFrame(rows)


def _make_panel(rng, n_units, k, mu, sd=0.05, periods=("2024H1",), slope=None, status="synthetic"):
    """Random panel: indicator j of pillar p in unit u = mu[p] (+ unit effect array) + slope*t + noise."""
    from analysis.periods import period_to_time

    units = [str(20000 + i) for i in range(n_units)]
    rows = []
    for period in periods:
        t = period_to_time(period) - period_to_time(periods[0])
        for p, kp in zip(GAP_PILLARS, k, strict=True):
            base = np.broadcast_to(np.asarray(mu[p], dtype=float), (n_units,))
            trend = 0.0 if slope is None else slope.get(p, 0.0) * t
            x = base[:, None] + trend + rng.normal(0, sd, size=(n_units, kp))
            for j in range(kp):
                rows.append(
                    pd.DataFrame(
                        dict(
                            unit_code=units,
                            period=period,
                            level="indicator",
                            name=f"{p}_{j}",
                            value=x[:, j],
                            status=status,
                        )
                    )
                )
    return pd.concat(rows, ignore_index=True)


def _wide_pillars(gov, econ, soc, period="2024H1", status="synthetic"):
    """A wide pillar table ``unit_code, period, government, economy, society, status``."""
    n = len(gov)
    return pd.DataFrame(
        dict(
            unit_code=[str(20000 + i) for i in range(n)],
            period=period,
            government=gov,
            economy=econ,
            society=soc,
            status=status,
        )
    )


@pytest.fixture(scope="session")
def make_framework():
    """Factory: ``make_framework(k=(3, 3, 3), weights=None, extra=None)`` -> Framework."""
    return _make_framework


@pytest.fixture(scope="session")
def make_scores():
    """Factory: ``make_scores({unit: {indicator: value}}, status, period)`` -> tidy scores."""
    return _make_scores


@pytest.fixture(scope="session")
def make_panel():
    """Factory: ``make_panel(rng, n_units, k, mu, sd, periods, slope, status)`` -> tidy scores."""
    return _make_panel


@pytest.fixture(scope="session")
def wide_pillars():
    """Factory: ``wide_pillars(gov, econ, soc, period, status)`` -> wide pillar table."""
    return _wide_pillars


def _imeta(pillars: dict[str, list[str]], root: str = "Index") -> pd.DataFrame:
    """iMeta of a three-level tree: indicators -> pillars -> root, weights 1."""
    rows = [
        {"Level": 1, "iCode": i, "Direction": 1, "Weight": 1.0, "Parent": pil, "Type": "Indicator"}
        for pil, inds in pillars.items()
        for i in inds
    ]
    rows += [
        {
            "Level": 2,
            "iCode": pil,
            "Direction": 1,
            "Weight": 1.0,
            "Parent": root,
            "Type": "Aggregate",
        }
        for pil in pillars
    ]
    rows.append(
        {
            "Level": 3,
            "iCode": root,
            "Direction": 1,
            "Weight": 1.0,
            "Parent": None,
            "Type": "Aggregate",
        }
    )
    return pd.DataFrame(rows)


@pytest.fixture
def small_imeta() -> pd.DataFrame:
    """Index <- {P1 <- a, b ; P2 <- c} ; plus d directly under Index (skips a level)."""
    return pd.DataFrame(
        {
            "Level": [1, 1, 1, 1, 2, 2, 3],
            "iCode": ["a", "b", "c", "d", "P1", "P2", "Index"],
            "Parent": ["P1", "P1", "P2", "Index", "Index", "Index", None],
            "Type": ["Indicator"] * 4 + ["Aggregate"] * 3,
            "Direction": [1, -1, 1, 1, 1, 1, 1],
            "Weight": [2, 1, 1, 1, 1, 2, 1],
        }
    )


@pytest.fixture(scope="session")
def make_imeta():
    """Factory: ``make_imeta({pillar: [indicators]}, root="Index")`` -> iMeta (weights 1)."""
    return _imeta


@pytest.fixture
def random_case():
    """40 units x 9 lognormal indicators in three pillars A, B, C (seeded)."""
    rng = np.random.default_rng(11)
    pillars = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"], "C": ["c1", "c2", "c3", "c4"]}
    imeta = _imeta(pillars)
    inds = [i for v in pillars.values() for i in v]
    X = rng.lognormal(0.0, 0.8, (40, len(inds)))
    df = pd.DataFrame(X, columns=inds, index=[f"u{k:02d}" for k in range(40)])
    return df, imeta


@pytest.fixture
def gap_case():
    """Indicators equal (up to a positive affine map) within each pillar: aggregation cannot matter for the pillars."""
    rng = np.random.default_rng(5)
    pillars = {
        "government": ["g1", "g2", "g3"],
        "economy": ["e1", "e2"],
        "society": ["s1", "s2", "s3"],
    }
    imeta = _imeta(pillars, root="index")
    base = {p: rng.uniform(1, 10, 30) for p in pillars}
    cols = {}
    for p, inds in pillars.items():
        for k, i in enumerate(inds):
            cols[i] = 3.0 * k + (1.0 + k) * base[p]
    df = pd.DataFrame(cols, index=[f"c{k:02d}" for k in range(30)])
    return df, imeta
