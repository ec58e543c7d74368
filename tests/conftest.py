"""Shared test fixtures, one section per area (``# --- <area>``)."""

from __future__ import annotations

import functools

import matplotlib
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


# --- plots ------------------------------------------------------------------------------------
# Fixtures of tests/test_plots_*.py: the project style in an rc_context (figures closed after the
# test, a missing glyph is an error), the synthetic example tables, a 193-country set shaped like
# the UN EGDI, and every public figure kind as a parametrized fixture.
matplotlib.use("Agg")

#: every public figure kind: name -> callable(plots, tables, lang, status) -> Figure
PLOT_KINDS = {
    "heatmap": lambda plots, d, lang, status: plots.plot_pillar_heatmap(d["scores"], gaps=d["gaps"], units=d["units"], lang=lang, status=status).figure,
    "dumbbell": lambda plots, d, lang, status: plots.plot_gap_dumbbell(d["gaps"], units=d["units"], lang=lang, status=status).figure,
    "scatter": lambda plots, d, lang, status: plots.plot_pillar_scatter(d["gaps"], y="society", units=d["units"], lang=lang, status=status).figure,
    "scatter2": lambda plots, d, lang, status: plots.figure_pillar_scatter(d["gaps"], units=d["units"], lang=lang, status=status),
    "typology": lambda plots, d, lang, status: plots.plot_pillar_scatter(d["gaps"], units=d["units"], lang=lang, status=status).figure,
    "trend": lambda plots, d, lang, status: plots.plot_pillar_trend(d["pillars"], "20503", units=d["units"], lang=lang, status=status).figure,
    "profile": lambda plots, d, lang, status: plots.plot_commune_profile(d["scores"], "20503", units=d["units"], lang=lang, status=status).figure,
    "rank": lambda plots, d, lang, status: plots.plot_rank_uncertainty(d["rank_stats"], units=d["units"], lang=lang, status=status).figure,
    "sensitivity": lambda plots, d, lang, status: plots.plot_sensitivity(d["sensitivity"], lang=lang, status=status).figure,
    "trends": lambda plots, d, lang, status: plots.figure_trends(d["pillars"], units=d["units"], lang=lang, status=status),
    "gap_trend": lambda plots, d, lang, status: plots.plot_gap_trend(d["gaps"], units=d["units"], highlight="20503", lang=lang, status=status).figure,
    "targets": lambda plots, d, lang, status: plots.plot_distance_to_targets(d["observations"], "20503", units=d["units"], lang=lang, status=status).figure,
    "map": lambda plots, d, lang, status: plots.plot_map(d["gaps"], units=d["units"], lang=lang, status=status).figure,
    "distributions": lambda plots, d, lang, status: plots.figure_indicator_distributions(d["observations"], framework=d["framework"], lang=lang, status=status),
}  # fmt: skip


@pytest.fixture
def plot_style():
    """Project style inside an rc_context, small figures, RNG seeded, all figures closed after;
    matplotlib's "Glyph ... missing" warning raises."""
    import warnings

    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from analysis import plots

    np.random.seed(0)
    with mpl.rc_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing", category=UserWarning)
        plots.set_style()
        mpl.rcParams["figure.dpi"] = 60  # small, fast figures in tests
        yield
        plt.close("all")


@pytest.fixture(scope="session")
def plot_tables():
    """Synthetic tables of every contract the figures read (seeded; do not modify)."""
    from analysis import demo

    return demo.example_plot_data(seed=7, n_draws=200)


@pytest.fixture(scope="session")
def plot_tables_observed(plot_tables):
    """The same tables with the status column set to 'observed' (no watermark expected)."""
    out = {}
    for k, v in plot_tables.items():
        if isinstance(v, pd.DataFrame) and "status" in v.columns:
            v = v.assign(status="observed")
        out[k] = v
    return out


@pytest.fixture(params=sorted(PLOT_KINDS))
def plot_kind(request):
    """Each public figure kind: ``(name, make)`` with ``make(tables, lang, status=None) -> Figure``."""
    from analysis import plots

    draw = PLOT_KINDS[request.param]
    return request.param, lambda d, lang, status=None: draw(plots, d, lang, status)


@pytest.fixture(scope="session")
def plot_countries():
    """193 'countries', 3 periods, no economy pillar, no intervals, no coordinates (like the EGDI)."""
    rng = np.random.default_rng(11)
    codes = [f"C{i:03d}" for i in range(193)]
    rows = []
    for k, period in enumerate(("2020", "2022", "2024")):
        gov = np.clip(rng.uniform(0.1, 0.9, 193) + 0.02 * k, 0, 1)
        soc = np.clip(gov + rng.normal(0, 0.12, 193), 0, 1)
        rows.append(pd.DataFrame({"unit_code": codes, "period": period, "government": gov, "economy": np.nan,
                                  "society": soc, "gap_econ": np.nan, "gap_soc": gov - soc, "gap_mean": gov - soc,
                                  "gap_mean_sel_lo": np.nan, "gap_mean_sel_hi": np.nan, "status": "observed"}))  # fmt: skip
    gaps = pd.concat(rows, ignore_index=True)
    units = pd.DataFrame({"unit_code": codes, "name_vi": [f"Nước {c}" for c in codes],
                          "lat": np.nan, "lon": np.nan, "population": np.nan})  # fmt: skip
    last = gaps[gaps["period"] == "2024"]
    rank = last["gap_mean"].rank(ascending=False, method="min").to_numpy()
    rank_stats = pd.DataFrame({"unit_code": codes, "nominal": rank, "median": rank,
                               "q05": np.maximum(rank - 5, 1), "q95": np.minimum(rank + 5, 193)})  # fmt: skip
    return {"gaps": gaps, "units": units, "rank_stats": rank_stats,
            "pillars": gaps[["unit_code", "period", "government", "society", "status"]]}  # fmt: skip


# --- data
#: Real published data sets (tests that need them skip when ../shared/datasets is absent).
EGDI_DIR = config.SHARED_DATASETS / "egdi"
DESI_DIR = config.SHARED_DATASETS / "desi"
#: The transcribed facts the frozen tables of data/raw are built from.
FACTS = config.ROOT.parent / "shared" / "context" / "facts"


@pytest.fixture(scope="session")
def commune_framework():
    """The commune framework (data/frameworks/commune.yaml); do not modify."""
    from analysis.frameworks import load_framework

    return load_framework()


@pytest.fixture(scope="session")
def dai_loc_units() -> pd.DataFrame:
    """The 18 pre-2025 communes of Đại Lộc (data/raw/units); do not modify."""
    from analysis.units import load_units

    return load_units()


@pytest.fixture()
def write_csv(tmp_path):
    """``write_csv(text, name="obs.csv") -> Path``: a UTF-8 file in the test's folder."""

    def write(text: str, name: str = "obs.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def egdi():
    """The UN E-Government Survey, every year and layout in ../shared/datasets/egdi."""
    from analysis.sources import load_egdi

    if not EGDI_DIR.is_dir():
        pytest.skip("shared datasets (egdi) absent")
    return load_egdi(EGDI_DIR)


@pytest.fixture(scope="session")
def desi():
    """EU DESI 2017-2022 (2022 method) from ../shared/datasets/desi, EU aggregate included."""
    from analysis.sources import load_desi

    if not DESI_DIR.is_dir():
        pytest.skip("shared datasets (desi) absent")
    return load_desi(DESI_DIR, include_aggregate=True)


@pytest.fixture(scope="session")
def dti():
    """The published provincial DTI figures frozen in data/raw/dti."""
    from analysis.sources import load_dti

    return load_dti()


@pytest.fixture(scope="session")
def index_vs_published():
    """``f(scores, published, name, scale=1.0)``: computed index beside the published one, with
    the absolute difference ``diff`` (one row per unit and period)."""

    def compare(
        scores: pd.DataFrame, published: pd.DataFrame, name: str, scale: float = 1.0
    ) -> pd.DataFrame:
        idx = scores[scores["level"] == "index"][["unit_code", "period", "value"]]
        pub = published[(published["name"] == name) & published["value"].notna()]
        m = idx.merge(pub, on=["unit_code", "period"], suffixes=("", "_pub"), validate="one_to_one")
        m["diff"] = (m["value"] * scale - m["value_pub"]).abs()
        return m

    return compare


# --- text (narrative, briefs, i18n) ------------------------------------------------------------
#: Đại Thạnh: the commune whose numbers the text tests know (G 0.78, E 0.47, S 0.65).
DAI_THANH = "20527"
#: the samples of every real run of the text tests: small, so that a run takes seconds
TEXT_SAMPLES = {"n_boot": 50, "draws": 20}


@functools.cache
def _demo_inputs():
    from analysis import workflow

    return workflow.load_inputs()


def demo_run(**params) -> tuple:
    """``(Results, Inputs)`` of the real pipeline on the demo panel with :data:`TEXT_SAMPLES`
    and ``params`` (``normalise``, ``weights``, ``draws`` ...). Each parameter set is computed
    once per session: :func:`analysis.workflow.compute_results` keeps its results in memory."""
    from analysis import workflow

    inputs = _demo_inputs()
    return workflow.compute_results(inputs, **{**TEXT_SAMPLES, **params}), inputs


def _ranks(x) -> pd.Series:
    return pd.Series(x).rank(ascending=False, method="min").astype("Int64")


def _known_gaps(codes: list[str], g, e, s, period: str, status: str) -> pd.DataFrame:
    """A gap table in the columns of a run (:func:`analysis.gaps.compute_gaps` and the method
    intervals and sign shares of :func:`analysis.robustness.add_method_intervals`): each
    selection interval the gap ± a known half-width, each method interval the gap −0.05/+0.04,
    sign share 0.97 for a positive gap and 0.2 otherwise."""
    out = pd.DataFrame({"unit_code": codes, "period": period, "government": g, "economy": e,
                        "society": s})  # fmt: skip
    for gid, other, half in (("gap_econ", e, 0.09), ("gap_soc", s, 0.1), ("gap_mean", (e + s) / 2, 0.08)):  # fmt: skip
        out[gid] = g - other
        out[f"{gid}_sel_lo"], out[f"{gid}_sel_hi"] = out[gid] - half, out[gid] + half
    out["ratio_econ"], out["ratio_soc"] = g / e, g / s
    for gid in ("econ", "soc", "mean"):
        gap = out[f"gap_{gid}"]
        out[f"z_{gid}"] = (gap - gap.mean()) / gap.std()
    for col in ("government", "economy", "society", "gap_mean"):
        out[f"rank_{col}"] = _ranks(out[col])
    out["typology"] = ["government_led"] * 10 + ["balanced_high"] * 5 + ["balanced_low"] * 3
    out["typology_stability"] = 1.0
    out["status"] = status
    for gid in ("gap_econ", "gap_soc", "gap_mean"):
        out[f"{gid}_method_lo"], out[f"{gid}_method_hi"] = out[gid] - 0.05, out[gid] + 0.04
        out[f"{gid}_share_positive"] = np.where(out[gid] > 0, 0.97, 0.2)
        out[f"{gid}_sign_robust"] = pd.array(out[f"{gid}_share_positive"] >= 0.95, dtype="boolean")
    return out


def _known_claims(gaps: pd.DataFrame, period: str, status: str) -> pd.DataFrame:
    """District claims (:func:`analysis.gaps.compute_district_claims` columns) with known counts:
    Wilson interval 0.78-1, at least 15 of n jointly positive, 16 sign-robust, 7 positive on
    z-scores."""
    rows = []
    for g in ("gap_econ", "gap_soc", "gap_mean"):
        k = int((gaps[g] > 0).sum())
        rows.append(dict(period=period, gap=g, n_units=len(gaps), n_positive=k,
                         share_positive=k / len(gaps), share_positive_lo=0.78,
                         share_positive_hi=1.0, median_gap=float(gaps[g].median()),
                         joint_level=0.9, maxt_crit=2.7, n_joint_positive=15,
                         n_joint_negative=0, n_sign_robust_positive=16,
                         n_sign_robust_negative=0, relative_scale_n_positive=7,
                         status=status))  # fmt: skip
    return pd.DataFrame(rows)


def _known_tests(n: int, period: str, status: str) -> pd.DataFrame:
    """Paired tests (:func:`analysis.gaps.test_pillar_gaps` columns): G > E in 17 of n (p 0.0004,
    Holm 0.0008), G > S in 13 of n (p 0.0312, Holm 0.0312)."""
    return pd.DataFrame(
        [
            {"period": period, "comparison": f"government_vs_{other}", "n": n, "n_nonzero": n,
             "n_greater": k, "share_greater": k / n, "share_greater_lo": k / n - 0.2,
             "share_greater_hi": 1.0, "mean_diff": diff, "median_diff": diff, "statistic": 5.0,
             "p_value": p, "p_exact_min": 2.0 ** (1 - n), "p_holm": p_holm, "rank_biserial": 0.9,
             "rank_biserial_lo": 0.8, "rank_biserial_hi": 1.0, "status": status}
            for other, diff, p, p_holm, k in (("economy", 0.31, 0.0004, 0.0008, 17),
                                              ("society", 0.12, 0.0312, 0.0312, 13))
        ]
    )  # fmt: skip


def make_brief_run(units: pd.DataFrame, framework, status: str = "synthetic") -> tuple:
    """``(Results, Inputs)`` with known numbers for the text tests, in the tables of a run (the
    column sets of :func:`demo_run`'s tables, which ``test_the_known_run_has_the_tables_of_a_run``
    checks) and with the method record of a real run of the same framework (:func:`demo_run`).
    Known values for Đại Thạnh: G 0.78, E 0.47, S 0.65, gap to the economy 0.31 with the
    selection interval 0.22–0.40 and the method interval 0.26–0.35 (sign share 0.97), and three
    weakest indicators (two with a 2025 target)."""
    from analysis.loaders import Inputs
    from analysis.results import Results

    rng = np.random.default_rng(20250701)
    codes = units["unit_code"].tolist()
    n = len(codes)
    g = np.round(rng.uniform(0.55, 0.9, n), 3)
    e = np.round(rng.uniform(0.2, 0.6, n), 3)
    s = np.round(rng.uniform(0.3, 0.7, n), 3)
    i = codes.index(DAI_THANH)
    g[i], e[i], s[i] = 0.78, 0.47, 0.65
    period = "2025H1"
    gaps = _known_gaps(codes, g, e, s, period, status)
    gaps.loc[i, ["gap_econ_sel_lo", "gap_econ_sel_hi"]] = [0.22, 0.40]
    pillars = gaps[["unit_code", "period", "government", "economy", "society"]].assign(
        index=(g + e + s) / 3, status=status
    )
    nominal = pillars["index"].rank(ascending=False, method="min").astype(int).to_numpy()
    rank_stats = pd.DataFrame(
        {
            "unit_code": codes,
            "period": period,
            "nominal": nominal,
            "mean": nominal.astype(float),
            "median": nominal.astype(float),
            "q05": np.maximum(1, nominal - 2),
            "q95": np.minimum(n, nominal + 3),
            "mean_abs_shift": 1.25,
            "p_top_k": (nominal <= 3).astype(float),
            "p_bottom_k": (nominal > n - 3).astype(float),
            "status": status,
        }
    )
    ind = framework.indicators
    obs = pd.DataFrame(
        [
            {"unit_code": c, "period": period, "indicator": k, "value": 55.0}
            for c in codes
            for k in ind["id"]
        ]
    ).assign(status=status, source="test")
    # Đại Thạnh's three weakest: known values, two with a 2025 target.
    weak = {
        "econ_sme_platform_pct": 12.5,
        "gov_online_dossier_pct": 20.0,
        "soc_smartphone_adults_pct": 30.0,
    }
    for k, v in weak.items():
        obs.loc[(obs["unit_code"] == DAI_THANH) & (obs["indicator"] == k), "value"] = v
    scores = obs.assign(level="indicator", name=obs["indicator"], value=obs["value"] / 100)[
        ["unit_code", "period", "level", "name", "value", "status"]
    ]
    pillar_of = ind.set_index("id")["pillar"]
    weakest = pd.DataFrame(
        {
            "unit_code": DAI_THANH,
            "period": period,
            "rank": [1, 2, 3],
            "indicator": list(weak),
            "pillar": [pillar_of[k] for k in weak],
            "value": [v / 100 for v in weak.values()],
            "district_value": 0.55,
            "shortfall": [0.55 - v / 100 for v in weak.values()],
            "status": status,
        }
    )
    correlations = pd.DataFrame(
        [
            {
                "period": period,
                "pillar_x": "government",
                "pillar_y": "economy",
                "n": n,
                "rho": 0.21,
                "rho_lo": -0.25,
                "rho_hi": 0.6,
                "p_value": 0.41,
                "status": status,
            }
        ]
    )
    empty = pd.DataFrame({"status": pd.Series(dtype=str)})
    res = Results(
        params={"period": period, "ci_level": 0.9},
        scores=scores,
        pillars=pillars,
        gaps=gaps,
        period=period,
        rank_stats=rank_stats,
        gap_rank_stats=None,
        gap_stats=None,
        tests=_known_tests(n, period, status),
        correlations=correlations,
        inequality=empty,
        covariates=empty,
        trends=empty,
        convergence=empty,
        contributions=empty,
        weakest=weakest,
        targets=empty,
        claims=_known_claims(gaps, period, status),
        method=demo_run()[0].method,
    )
    from analysis import config

    paths = {"observations": str(config.DEMO_OBSERVATIONS)}  # as if it were the demo panel
    records = demo_run()[1].provenance  # the demo panel's real records (analysis.provenance)
    inputs = Inputs(obs, units, framework, status, paths, "test", provenance=records)
    return res, inputs


def post2025_of(res, inputs) -> tuple:
    """The first five communes renamed as the five post-2025 communes."""
    from analysis import config
    from analysis.loaders import Inputs

    u25 = pd.read_csv(
        config.RAW / "units" / "dai_loc_units_2025.csv",
        dtype={"unit_code": str, "parent_code": str},
    )
    codes = dict(zip(res.gaps["unit_code"].iloc[:5], u25["unit_code"], strict=True))
    keep = res.gaps["unit_code"].isin(codes)
    gaps = res.gaps[keep].assign(unit_code=lambda d: d["unit_code"].map(codes))
    pillars = res.pillars[res.pillars["unit_code"].isin(codes)].assign(
        unit_code=lambda d: d["unit_code"].map(codes)
    )
    empty = pd.DataFrame({"status": pd.Series(dtype=str)})
    new = type(res)(**{**vars(res), "gaps": gaps, "pillars": pillars, "rank_stats": empty})
    from analysis.loaders import merge_inputs

    paths = {**inputs.paths, "crosswalk": "dai_loc"}  # as loaders.merge_inputs records it
    records = merge_inputs(demo_run()[1]).provenance  # the merged demo's real records
    return new, Inputs(
        inputs.observations, u25, inputs.framework, inputs.status, paths, "post", provenance=records
    )


def long_group_of(res, inputs, k: int) -> tuple:
    """``(Results, Inputs)``: ``k`` copies of the units of ``res`` as one group of countries
    (observed, distinct index values, no rank stats): a ranking longer than a brief lists."""
    from analysis.loaders import Inputs

    codes = [f"C{i:03d}" for i in range(18 * k)]
    gaps = pd.concat([res.gaps] * k, ignore_index=True).assign(unit_code=codes)
    pillars = pd.concat([res.pillars] * k, ignore_index=True).assign(unit_code=codes)
    pillars["index"] += 1e-4 * pd.Series(range(len(codes)))
    empty = pd.DataFrame({"status": pd.Series(dtype=str)})
    units = pd.DataFrame({"unit_code": codes, "name_vi": codes, "name_en": codes,
                          "unit_type": "country"})  # fmt: skip
    new = type(res)(**{**vars(res), "gaps": gaps, "pillars": pillars, "rank_stats": empty})
    return new, Inputs(**{**vars(inputs), "units": units, "status": "observed"})


@pytest.fixture(scope="session")
def brief_units() -> pd.DataFrame:
    from analysis.units import load_units

    return load_units()


@pytest.fixture(scope="session")
def brief_framework():
    from analysis.frameworks import load_framework

    return load_framework()


@pytest.fixture(scope="session")
def brief_run(brief_units, brief_framework) -> tuple:
    """``(Results, Inputs)`` of :func:`make_brief_run` (synthetic); do not modify them."""
    return make_brief_run(brief_units, brief_framework)


@pytest.fixture(scope="session")
def text_demo_run() -> tuple:
    """``(Results, Inputs)`` of the real pipeline on the demo panel (:func:`demo_run`)."""
    return demo_run()


@pytest.fixture(scope="session")
def text_se_run() -> tuple:
    """``(Results, Inputs)`` of the real pipeline on the demo panel with a measurement standard
    error on every observation (``se`` = 10% of the value): the gaps get ``<gap>_meas_lo/hi``
    and the method record its ``measurement_interval``."""
    from analysis import workflow
    from analysis.loaders import Inputs

    inputs = _demo_inputs()
    obs = inputs.observations.assign(se=lambda d: 0.1 * d["value"].abs())
    with_se = Inputs(**{**vars(inputs), "observations": obs, "digest": f"{inputs.digest}-se"})
    return workflow.compute_results(with_se, **TEXT_SAMPLES), with_se


# --- lab (notebook outputs, HTML copies) ----------------------------------------------------
@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """``(output folder, RunResult)`` of one run of the smoke edition (every notebook, executed
    notebooks and HTML copies); shared by the tests of the notebooks' outputs. Tests that use it
    belong to the xdist group ``notebooks``, so that one worker runs the edition once."""
    from analysis.runner import run_edition

    out = tmp_path_factory.mktemp("smoke")
    return out, run_edition("smoke", output_dir=out, workers=2, progress=False)
