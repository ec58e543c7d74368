"""Robustness of ranks and gaps: Monte Carlo uncertainty analysis and variance-based (Sobol)
sensitivity analysis over method choices, evaluated as array operations on the batched
composite engine (:mod:`analysis.composite`).

Method (OECD/JRC Handbook, ch. 7; Saisana, Saltelli & Tarantola 2005; COINr ``get_sensitivity``):

* A **spec** names the uncertain choices and their alternatives (see :func:`load_spec`):
  ``imputation``, ``winmax`` (outlier treatment, ``off`` = none), ``normalisation``,
  ``weights`` (each level's weights perturbed by +/- x % uniform, or one of K weight sets),
  ``aggregation`` and ``leave_one_out`` (an indicator gets weight 0). Choices the spec does not
  list stay at the **base** pipeline, which also gives the *nominal* scores and ranks.
* Every discrete data variant is computed ONCE: imputation x treatment x normalisation gives
  a stack ``(M, T, K, units, indicators)``; a run only picks its slice. Weights and the
  aggregation power are per-run arrays ``(R, n_nodes)`` and ``(R,)``.
* A run's scores come from one of two exact evaluators: where the data variant is complete,
  a nested generalised mean with one power at every level equals the power mean of the
  indicators with their *effective* weights (product of the sibling-normalised weights on the
  path), so all runs sharing a data variant are one matrix product; where values are missing
  (weights of missing children are re-normalised level by level) the runs go, in chunks,
  through :func:`analysis.composite.aggregate_tree` with ``weights (V, n_nodes)`` and
  ``p (V,)``. Both give the same numbers (tested).
* **Uncertainty**: ``draws`` runs, each choice drawn uniformly among its alternatives with a
  seeded generator. Rank statistics per unit: nominal rank, mean, median, 5th and 95th
  percentile, mean absolute shift from the nominal rank, probability of being in the top or
  bottom ``k``. Gaps (when the tree has pillars ``government``, ``economy``, ``society``):
  ``gap_econ = G - E``, ``gap_soc = G - S``, ``gap_mean = G - (E + S) / 2`` per run.
* **Sensitivity**: a Saltelli/Sobol design from SALib (``SALib.sample.sobol.sample``, ``N (d + 2)``
  runs), each uniform coordinate mapped to one of the choice's alternatives by equal-width bins
  (``floor(u * n)``), and ``SALib.analyze.sobol.analyze`` (first-order and total indices,
  bootstrap confidence intervals). Targets: the mean absolute rank shift of a run (COINr's
  target) and, when pillars exist, every unit's gaps.

Everything is seeded: the same seed gives identical outputs (bit for bit). The computation is
single-process numpy (no workers); the chunk size (a memory knob) changes nothing but BLAS
rounding (~1e-15 relative).
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import config
from .errors import DataValidationError, MethodError, ParameterError
from .status import worst_status

__all__ = [
    "CHOICES",
    "UncertaintyResult",
    "list_specs",
    "load_spec",
    "run_robustness",
    "run_sensitivity",
    "run_uncertainty",
    "run_uncertainty_tidy",
    "tidy_to_wide",
]

#: The uncertain choices a spec may name, in evaluation order.
CHOICES = ("imputation", "winmax", "normalisation", "weights", "aggregation", "leave_one_out")
#: Column name of each choice in ``runs.csv`` (and in a replay file).
RUN_COLUMNS = {
    "imputation": "imputation",
    "winmax": "winmax",
    "normalisation": "normalisation",
    "weights": "weights_set",
    "aggregation": "aggregation",
    "leave_one_out": "leave_one_out",
}
_IMP, _TRT, _NRM, _WTS, _AGG, _LOO = range(6)
_AGG_POWER = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}
_GAP_PILLARS = ("government", "economy", "society")
_GAPS = ("gap_econ", "gap_soc", "gap_mean")
_BASE_DEFAULTS = {
    "denominate": False,
    "impute": "none",
    "screen": None,
    "screen_after_impute": False,
    "winmax": "off",
    "normalisation": "minmax:0,100",
    "aggregation": "arithmetic",
    "weights": "meta",
    "nonpositive": "clip",
    "floor": 1e-3,
}
_SPEC_DIR = ("data", "robustness")


# =========================================================================== spec
def list_specs() -> list[str]:
    """Names of the preset specs shipped with the package.

    >>> list_specs()
    ['coinr-vignette', 'commune', 'commune-full']
    """
    root = resources.files("analysis").joinpath(*_SPEC_DIR)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def load_spec(spec: str | Path | Mapping | None = None) -> dict:
    """Read and validate a robustness spec: a preset name, a YAML path or a dict.

    Format (YAML)::

        name: my-spec
        base:                       # the nominal pipeline (defaults shown)
          denominate: false         # divide by the iMeta Denominator column
          impute: none              # none | mean | median | mean-by:COL | median-by:COL
          screen: null              # keep units with data availability >= this
          screen_after_impute: false  # COINr example order: impute, then screen
          winmax: off               # off = no treatment; N = JRC treatment, winmax N
          normalisation: minmax:0,100 # minmax:L,U | zscore:M,S | rank | percentile | goalposts[:SCALE]
          aggregation: arithmetic   # arithmetic | geometric | harmonic | genmean:P
          weights: meta             # meta (iMeta/framework) | equal
        uncertain:                  # any subset; each is a list of alternatives
          imputation: [none, mean, mean-by:EurAsia_group]
          winmax: [off, 1, 2, 3, 4, 5]
          normalisation: ["minmax:1,100", "zscore:10,2"]
          weights: {perturb: {2: 0.25, 3: 0.25}, sets: 100}   # or perturb: 0.25, levels: [2, 3]
          aggregation: [arithmetic, geometric]
          leave_one_out: true       # or a list of indicator codes (add "none" to keep the full set)

    ``weights.perturb``: factor f per aggregation level (iMeta ``Level`` of the weighted node;
    1 = indicator weights): each weight becomes ``w * (1 + f * (2u - 1))``, u ~ U(0, 1) (COINr
    ``get_noisy_weights``); weights are relative within each sibling group, so this is the
    renormalised perturbation. ``sets: K`` pre-draws K weight sets and the choice picks one
    (the vignette's 100 sets); ``sets: null`` draws a fresh set per uncertainty run (a
    sensitivity design then uses 100 sets). ``weights: {file: SETS.csv}`` reads the sets
    (long: ``set, iCode, weight``; unlisted nodes keep their base weight).

    Returns:
        The resolved spec: ``{"name", "base": {...}, "uncertain": {...}}`` with canonical labels.

    Raises:
        ParameterError: unknown preset, key or alternative (the message names it and the fix).
    """
    if spec is None:
        spec = "coinr-vignette"
    source = "<dict>"
    if isinstance(spec, str | Path) and not isinstance(spec, Mapping):
        s = str(spec)
        path = Path(s)
        if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
            if not path.exists():
                raise ParameterError(
                    f"robustness spec file {path} not found; give a YAML path or one of the presets {list_specs()}"
                )
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            source = str(path)
        else:
            res = resources.files("analysis").joinpath(*_SPEC_DIR, f"{s}.yaml")
            if not res.is_file():
                raise ParameterError(
                    f"unknown robustness spec {s!r}; use a YAML path or one of the presets {list_specs()}"
                )
            doc = yaml.safe_load(res.read_text(encoding="utf-8"))
            source = f"preset {s}"
    else:
        doc = dict(spec)
    if not isinstance(doc, Mapping):
        raise ParameterError(
            f"robustness spec {source}: expected a mapping with 'base' and 'uncertain', got {type(doc).__name__}"
        )
    unknown = set(doc) - {"name", "description", "source", "base", "uncertain", "top_k"}
    if unknown:
        raise ParameterError(
            f"robustness spec {source}: unknown key(s) {sorted(unknown)}; allowed: name, description, source, base, uncertain, top_k"
        )
    base = dict(_BASE_DEFAULTS)
    b_in = dict(doc.get("base") or {})
    bad = set(b_in) - set(_BASE_DEFAULTS)
    if bad:
        raise ParameterError(
            f"robustness spec {source}: unknown base key(s) {sorted(bad)}; allowed: {sorted(_BASE_DEFAULTS)}"
        )
    base.update(b_in)
    base["winmax"] = _winmax_label(base["winmax"], where=f"{source} base.winmax")
    base["normalisation"] = _norm_label(base["normalisation"], where=f"{source} base.normalisation")
    base["aggregation"] = _agg_label(base["aggregation"], where=f"{source} base.aggregation")
    base["impute"] = _imp_label(base["impute"])
    if base["weights"] not in ("meta", "equal"):
        raise ParameterError(
            f"robustness spec {source}: base.weights {base['weights']!r}; use meta or equal"
        )
    unc_in = dict(doc.get("uncertain") or {})
    bad = set(unc_in) - set(CHOICES)
    if bad:
        raise ParameterError(
            f"robustness spec {source}: unknown uncertain choice(s) {sorted(bad)}; allowed: {list(CHOICES)}"
        )
    unc: dict = {}
    for name in CHOICES:
        if name not in unc_in or unc_in[name] is None or unc_in[name] is False:
            continue
        v = unc_in[name]
        where = f"{source} uncertain.{name}"
        if name == "weights":
            unc[name] = _weights_spec(v, where)
        elif name == "leave_one_out":
            unc[name] = (
                True
                if v is True
                else [str(x) if x is not None else "none" for x in _as_list(v, where)]
            )
        else:
            lab = {
                "imputation": _imp_label,
                "winmax": _winmax_label,
                "normalisation": _norm_label,
                "aggregation": _agg_label,
            }[name]
            alts = [
                lab(x, where=where) if name != "imputation" else lab(x) for x in _as_list(v, where)
            ]
            if not alts:
                raise ParameterError(f"robustness spec {where}: empty list of alternatives")
            unc[name] = list(dict.fromkeys(alts))
    out = {
        "name": str(doc.get("name", Path(source).stem if source != "<dict>" else "custom")),
        "base": base,
        "uncertain": unc,
    }
    if "description" in doc:
        out["description"] = doc["description"]
    if "source" in doc:
        out["source"] = doc["source"]
    if doc.get("top_k") is not None:
        out["top_k"] = int(doc["top_k"])
    return out


def _as_list(v, where):
    if isinstance(v, str | int | float):
        return [v]
    if isinstance(v, Sequence):
        return list(v)
    raise ParameterError(f"robustness spec {where}: expected a list of alternatives, got {v!r}")


def _fmt(x: float) -> str:
    return f"{float(x):g}"


def _imp_label(v, where: str = "") -> str:
    return "none" if v is None or v is False else str(v).strip()


def _winmax_label(v, where: str = "winmax") -> str:
    if (
        v is None
        or v is False
        or (isinstance(v, str) and v.strip().lower() in ("off", "none", "0", ""))
    ):
        return "off"
    if isinstance(v, str) and v.strip().lower().startswith("jrc"):
        _, _, arg = v.partition(":")
        v = arg or 5
    try:
        w = int(v)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{where}: winmax {v!r} is not an integer; use off or 1, 2, ..."
        ) from None
    if w < 0 or float(v) != w:
        raise ParameterError(
            f"{where}: winmax {v!r} must be a non-negative integer (0 or off = no treatment)"
        )
    return "off" if w == 0 else str(w)


def _parse_norm(label: str) -> dict:
    method, _, arg = str(label).strip().partition(":")
    nums = [float(x) for x in arg.split(",")] if arg else []
    if method == "minmax":
        lo, hi = nums if nums else (0.0, 100.0)
        return {"method": "minmax", "lo": lo, "hi": hi}
    if method == "zscore":
        m, s = nums if nums else (0.0, 1.0)
        return {"method": "zscore", "mean": m, "sd": s}
    if method in ("rank", "percentile") and not nums:
        return {"method": method}
    if method == "goalposts":
        return {"method": "goalposts", "scale": nums[0] if nums else 1.0}
    raise ValueError(label)


def _norm_label(v, where: str = "normalisation") -> str:
    if isinstance(v, Mapping):
        d = dict(v)
        m = d.get("method")
        if m == "minmax":
            v = f"minmax:{_fmt(d.get('lo', 0))},{_fmt(d.get('hi', 100))}"
        elif m == "zscore":
            v = f"zscore:{_fmt(d.get('mean', 0))},{_fmt(d.get('sd', 1))}"
        elif m == "goalposts":
            v = "goalposts" if float(d.get("scale", 1)) == 1 else f"goalposts:{_fmt(d['scale'])}"
        else:
            v = str(m)
    try:
        spec = _parse_norm(str(v))
    except ValueError:
        raise ParameterError(
            f"{where}: normalisation {v!r} not understood; use minmax:LO,HI, zscore:MEAN,SD, rank, percentile or goalposts[:SCALE]"
        ) from None
    m = spec["method"]
    if m == "minmax":
        return f"minmax:{_fmt(spec['lo'])},{_fmt(spec['hi'])}"
    if m == "zscore":
        if spec["sd"] <= 0:
            raise ParameterError(f"{where}: zscore sd must be > 0, got {v!r}")
        return f"zscore:{_fmt(spec['mean'])},{_fmt(spec['sd'])}"
    if m == "goalposts":
        return "goalposts" if spec["scale"] == 1 else f"goalposts:{_fmt(spec['scale'])}"
    return m


def _agg_power(label: str) -> float:
    if label in _AGG_POWER:
        return _AGG_POWER[label]
    return float(label.split(":", 1)[1])


def _agg_label(v, where: str = "aggregation") -> str:
    s = str(v).strip()
    aliases = {
        "a_amean": "arithmetic",
        "a_gmean": "geometric",
        "a_hmean": "harmonic",
        "amean": "arithmetic",
        "gmean": "geometric",
    }
    s = aliases.get(s, s)
    if s in _AGG_POWER:
        return s
    if s.startswith("genmean:"):
        try:
            p = float(s.split(":", 1)[1])
        except ValueError:
            pass
        else:
            return {1.0: "arithmetic", 0.0: "geometric", -1.0: "harmonic"}.get(
                p, f"genmean:{_fmt(p)}"
            )
    raise ParameterError(
        f"{where}: aggregation {v!r} not understood; use arithmetic, geometric, harmonic or genmean:P"
    )


def _weights_spec(v, where: str) -> dict:
    if isinstance(v, int | float) and not isinstance(v, bool):
        v = {"perturb": float(v)}
    if not isinstance(v, Mapping):
        raise ParameterError(
            f"robustness spec {where}: expected a mapping like {{perturb: 0.25, levels: [2, 3], sets: 100}}, got {v!r}"
        )
    v = dict(v)
    bad = set(v) - {"perturb", "levels", "sets", "file"}
    if bad:
        raise ParameterError(
            f"robustness spec {where}: unknown key(s) {sorted(bad)}; allowed perturb, levels, sets, file"
        )
    if "file" in v:
        return {"file": str(v["file"])}
    pert = v.get("perturb", 0.25)
    if isinstance(pert, Mapping):
        levels = {int(k): float(f) for k, f in pert.items()}
    else:
        lv = v.get("levels")
        levels = (
            {int(k): float(pert) for k in lv} if lv is not None else {0: float(pert)}
        )  # 0 = every non-root level
    if any(not (0 <= f < 1) for f in levels.values()):
        raise ParameterError(
            f"robustness spec {where}: perturbation factors must be in [0, 1), got {levels}"
        )
    sets = v.get("sets", 100)
    if sets is not None and int(sets) < 1:
        raise ParameterError(f"robustness spec {where}: sets must be >= 1 or null, got {sets!r}")
    return {"perturb": levels, "sets": None if sets is None else int(sets)}


# =========================================================================== engine access
def _engine():
    """The composite engine (import deferred so that ``analysis.robustness`` imports cheaply)."""
    from . import composite

    return composite


# =========================================================================== prepared design
@dataclass(eq=False)
class _Design:
    """All discrete variants precomputed; a run is a row of 6 alternative indices."""

    tree: object
    unit_codes: list[str]
    labels: list[list[str]]  # per choice: alternative labels (sampled ones first)
    n_sampled: list[int]  # per choice: how many alternatives are drawn
    base_idx: list[int]  # per choice: index of the base alternative
    stack: np.ndarray  # (M*T*K, U, I) normalised data variants
    shape_mtk: tuple[int, int, int]
    complete: np.ndarray  # (M*T*K,) bool: no missing value
    weight_alts: np.ndarray  # (n_w_alts, n_nodes)
    p_alts: np.ndarray  # (n_agg_alts,)
    loo_alts: np.ndarray  # (n_loo_alts,) indicator index or -1
    targets: list[int]  # node indices evaluated: root first, then gap pillars
    has_gaps: bool
    spec: dict
    nonpositive: str
    floor: float
    weight_set_ids: list[str]
    fresh_weights: dict | None = None  # perturbation spec when weights are drawn per run
    base_weights: np.ndarray | None = None
    prep_s: float = 0.0
    status: str | None = None

    @property
    def choice_names(self) -> list[str]:
        return [c for c in CHOICES if c in self.spec["uncertain"]]


def _as_unit_frame(data) -> pd.DataFrame:
    if hasattr(data, "data") and hasattr(data, "imeta"):  # CoinData
        data = data.data
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            [f"data must be a wide DataFrame (one row per unit), got {type(data).__name__}"]
        )
    df = data
    if "uCode" in df.columns and df.index.name != "uCode":
        df = df.set_index("uCode", drop=False)
    df = df.copy()
    df.index = df.index.astype(str)
    if df.index.duplicated().any():
        raise DataValidationError(
            [
                f"data: duplicated unit code(s) {sorted(set(df.index[df.index.duplicated()]))[:10]}; one row per unit"
            ]
        )
    return df


def _perturbed_weights(
    tree, base_w: np.ndarray, levels: dict, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` weight sets: ``w * (1 + f * (2u - 1))`` for nodes at each perturbed level (COINr ``get_noisy_weights``)."""
    fac = np.zeros(tree.n_nodes)
    nonroot = tree.parent >= 0
    for lv, f in levels.items():
        sel = nonroot if lv == 0 else (tree.level == lv) & nonroot
        fac[sel] = f
    u = rng.random((n, tree.n_nodes))
    return base_w[None, :] * (1.0 + fac[None, :] * (2.0 * u - 1.0))


def _read_weight_sets(sets, tree, base_w: np.ndarray) -> tuple[list[str], np.ndarray]:
    if isinstance(sets, str | Path):
        path = Path(sets)
        if not path.exists():
            raise DataValidationError([f"weight sets file {path} not found"])
        df = pd.read_csv(path, dtype={"set": str, "iCode": str})
        src = str(path)
    else:
        df = pd.DataFrame(sets).copy()
        src = "weight sets"
    need = {"set", "iCode", "weight"}
    if not need <= set(df.columns):
        raise DataValidationError(
            [
                f"{src}: columns {sorted(need - set(df.columns))} missing; expected long format set, iCode, weight"
            ]
        )
    df["set"] = df["set"].astype(str)
    df["iCode"] = df["iCode"].astype(str)
    df["weight"] = pd.to_numeric(df["weight"], errors="coerce")
    unknown = sorted(set(df["iCode"]) - set(tree.nodes))
    if unknown:
        raise DataValidationError(
            [
                f"{src}: iCode(s) {unknown[:10]} are not nodes of the tree; fix the codes or the iMeta"
            ]
        )
    bad = df[df["weight"].isna() | (df["weight"] < 0)]
    if len(bad):
        r = bad.index[0]
        raise DataValidationError(
            [f"{src}: row {r + 2}, column 'weight': {df.loc[r, 'weight']!r} is not a weight >= 0"]
        )
    ids = list(dict.fromkeys(df["set"]))
    W = np.tile(base_w, (len(ids), 1))
    pos = {s: i for i, s in enumerate(ids)}
    W[df["set"].map(pos).to_numpy(), [tree.index_of(c) for c in df["iCode"]]] = df[
        "weight"
    ].to_numpy(float)
    return ids, W


def _treat_variants(
    X: np.ndarray,
    winmaxes: Sequence[int],
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    *,
    return_logged: bool = False,
):
    """JRC/COINr outlier treatment of ``X (U, I)`` for several ``winmax`` values in one pass.

    Same rule and result as :func:`analysis.composite.treat_outliers` (``f2="log_CT"``), applied
    once per winmax there; here the winsorisation trajectory is computed once, vectorised over
    columns, and each winmax takes the state where its loop would stop: the first step at which
    the column passes (``|skew| < 2`` or ``kurt < 3.5``) or the number of winsorised points
    reaches winmax; a column still failing there is log-transformed instead
    (``log(x - min + 0.01 (max - min))`` of the original).

    Returns:
        ``{winmax: treated (U, I)}``; with ``return_logged`` also ``{winmax: (I,) bool}`` marking
        the log-transformed columns.
    """
    C = _engine()
    X = np.asarray(X, dtype=float)
    n_ok = np.sum(~np.isnan(X), axis=0)
    treatable = n_ok >= 4

    def passing(Y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sk = C.skew(Y, axis=0)
            kt = C.kurt(Y, axis=0)
        return (np.abs(sk) < skew_thresh) | (kt < kurt_thresh), sk

    ok0, sk = passing(X)
    fail0 = treatable & ~ok0
    out = {int(w): X.copy() for w in winmaxes}
    logged_cols = {int(w): np.zeros(X.shape[1], dtype=bool) for w in winmaxes}
    if not fail0.any() or not winmaxes:
        return (out, logged_cols) if return_logged else out
    wmax = max(int(w) for w in winmaxes)
    cols = np.flatnonzero(fail0)
    Y = X[:, cols].copy()
    n_hi = np.zeros(len(cols), dtype=np.int64)
    n_lo = np.zeros(len(cols), dtype=np.int64)
    states, passes, nwins = (
        [Y.copy()],
        [np.zeros(len(cols), dtype=bool)],
        [np.zeros(len(cols), dtype=np.int64)],
    )
    ok, sk = passing(Y)
    active = ~ok
    while active.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            hi_side = sk >= 0
            mx = np.nanmax(Y, axis=0)
            mn = np.nanmin(Y, axis=0)
            ext = np.where(hi_side, mx, mn)
            at = (Y == ext[None, :]) & active[None, :]
            rest = np.where(at, np.nan, Y)
            repl = np.where(hi_side, np.nanmax(rest, axis=0), np.nanmin(rest, axis=0))
        Y = np.where(at, repl[None, :], Y)
        cnt = at.sum(axis=0)
        n_hi = np.where(active & hi_side, cnt, n_hi)
        n_lo = np.where(active & ~hi_side, cnt, n_lo)
        ok, sk = passing(Y)
        states.append(Y.copy())
        passes.append(ok.copy())
        nwins.append(n_hi + n_lo)
        active = active & ~ok & (n_hi + n_lo < wmax)
    P = np.stack(passes)  # (S, c)
    N = np.stack(nwins)
    S = np.stack(states)  # (S, U, c)
    orig = X[:, cols]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo_, hi_ = np.nanmin(orig, axis=0), np.nanmax(orig, axis=0)
        logged = np.log(orig - lo_ + 0.01 * (hi_ - lo_))
    steps = np.arange(S.shape[0])[:, None]
    for w in winmaxes:
        stop = P | (N >= int(w))
        stop[0] = False
        stop[-1] = True
        s_star = np.argmax(stop & (steps >= 1), axis=0)
        final = S[s_star, :, np.arange(len(cols))].T  # (U, c)
        good = P[s_star, np.arange(len(cols))]
        out[int(w)][:, cols] = np.where(good[None, :], final, logged)
        logged_cols[int(w)][cols] = ~good
    return (out, logged_cols) if return_logged else out


def _prepare(
    data,
    imeta,
    spec: dict,
    *,
    goalposts: np.ndarray | None = None,
    weight_sets=None,
    seed: int,
    n_fresh: int = 0,
    replay_values: dict | None = None,
    den_scale: dict | None = None,
) -> _Design:
    """Precompute every discrete variant of the data (imputation x treatment x normalisation)."""
    t0 = time.perf_counter()
    C = _engine()
    tree = C.Tree.from_imeta(imeta if imeta is not None else data.imeta)
    df = _as_unit_frame(data)
    inds = list(tree.indicators)
    missing = [c for c in inds if c not in df.columns]
    if missing:
        raise DataValidationError([f"indicator column(s) {missing} from iMeta are not in the data"])
    conv = [c for c in inds if df[c].dtype != np.float64]
    for c in conv:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    base, unc = spec["base"], spec["uncertain"]
    if base["denominate"]:
        df = C.denominate(df, tree, scale=den_scale)

    def alts(name, base_label, default_list=None):
        if replay_values is not None:
            vals = replay_values.get(name)
            lst = list(vals) if vals is not None else []
        else:
            lst = list(default_list if default_list is not None else (unc.get(name) or []))
        n_s = len(lst)
        if base_label in lst:
            b = lst.index(base_label)
        else:
            lst.append(base_label)
            b = len(lst) - 1
        return lst, n_s, b

    imp_l, imp_n, imp_b = alts("imputation", base["impute"])
    trt_l, trt_n, trt_b = alts("winmax", base["winmax"])
    nrm_l, nrm_n, nrm_b = alts("normalisation", base["normalisation"])
    agg_l, agg_n, agg_b = alts("aggregation", base["aggregation"])
    # leave-one-out
    if replay_values is not None:
        loo_l, loo_n, loo_b = alts("leave_one_out", "none")
    else:
        lo = unc.get("leave_one_out")
        lst = (["none", *inds] if lo is True else list(lo)) if lo else []
        loo_l, loo_n, loo_b = alts("leave_one_out", "none", lst) if lst else (["none"], 0, 0)
    bad = [x for x in loo_l if x != "none" and x not in inds]
    if bad:
        raise ParameterError(
            f"leave_one_out: {bad} are not indicators of the tree; choose among {inds[:8]}..."
        )
    loo_alts = np.array([-1 if x == "none" else inds.index(x) for x in loo_l], dtype=np.int64)
    # ---- imputation variants, screening (fixed unit set), treatment variants
    groups_needed = {lab.split(":", 1)[1] for lab in imp_l if ":" in lab}
    for g in groups_needed:
        if g not in df.columns:
            raise DataValidationError(
                [
                    f"imputation 'mean-by:{g}': column {g!r} not in the data; columns are {list(df.columns)[:12]}..."
                ]
            )
    screened_idx = df.index
    imputed_cache: dict = {}
    if base["screen"] is not None:
        src = df
        if base["screen_after_impute"] and base["impute"] != "none":
            src = imputed_cache.setdefault(base["impute"], C.impute(df, inds, base["impute"])[0])
        kept, _ = C.screen_units(src, inds, float(base["screen"]))
        screened_idx = kept.index
    if len(screened_idx) < 3:
        raise DataValidationError(
            [
                f"only {len(screened_idx)} unit(s) left after screening at {base['screen']}; lower the threshold"
            ]
        )
    if not base["screen_after_impute"]:
        df = df.loc[screened_idx]  # screen, then impute among the kept units (compute_index order)
        imputed_cache = {}
    M, T, K = len(imp_l), len(trt_l), len(nrm_l)
    U, n_ind = len(screened_idx), len(inds)
    Xmt = np.empty((M, T, U, n_ind))
    for m, lab in enumerate(imp_l):
        if lab != "none" and lab not in imputed_cache:
            imputed_cache[lab] = C.impute(df, inds, lab)[0]
        dm = imputed_cache[lab] if lab != "none" else df
        dm = dm.loc[screened_idx]
        Xm = dm[inds].to_numpy(float)
        wins = sorted({int(w) for w in trt_l if w != "off"})
        treated, was_logged = _treat_variants(Xm, wins, return_logged=True) if wins else ({}, {})
        if any(_parse_norm(lab)["method"] == "goalposts" for lab in nrm_l):
            bad = sorted({inds[i] for mask in was_logged.values() for i in np.flatnonzero(mask)})
            if bad:
                raise MethodError(
                    f"outlier treatment log-transforms {bad} (still skewed after winsorising), but goalposts "
                    "normalisation needs raw units; with goalposts keep winmax off (truncation at the goalposts "
                    "is the outlier treatment) or use a data-driven normalisation"
                )
        for t, w in enumerate(trt_l):
            Xmt[m, t] = Xm if w == "off" else treated[int(w)]
    specs = []
    for lab in nrm_l:
        s = _parse_norm(lab)
        if s["method"] == "goalposts":
            if goalposts is None:
                raise MethodError(
                    f"normalisation {lab!r} needs goalposts per indicator (the tidy path passes the framework's); use minmax/zscore/rank for COINr iMeta inputs"
                )
            s["goalposts"] = goalposts
        specs.append(s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stack = C.normalise_variants(Xmt, specs, directions=tree.directions)  # (K, M, T, U, I)
    stack = np.ascontiguousarray(np.moveaxis(stack, 0, 2)).reshape(M * T * K, U, n_ind)
    complete = ~np.isnan(stack).any(axis=(1, 2))
    # ---- weights
    base_w = tree.weight_vector(base="meta" if base["weights"] == "meta" else "equal")
    fresh = None
    if replay_values is not None:
        w_ids = list(replay_values.get("weights") or [])
        if any(x != "nominal" for x in w_ids):
            if weight_sets is None:
                raise ParameterError(
                    "replay lists weights_set values but no weight sets were given; pass --weight-sets SETS.csv (long: set, iCode, weight)"
                )
            ids, Wsets = _read_weight_sets(weight_sets, tree, base_w)
            pos = {s: i for i, s in enumerate(ids)}
            miss = [x for x in w_ids if x != "nominal" and x not in pos]
            if miss:
                raise DataValidationError(
                    [
                        f"replay weights_set value(s) {miss[:10]} are not sets of the weight-sets file (sets {ids[:10]}...)"
                    ]
                )
            rows = [base_w if x == "nominal" else Wsets[pos[x]] for x in w_ids]
            W_alts = np.vstack([*rows, base_w]) if rows else base_w[None, :]
        else:
            W_alts = np.vstack([base_w for _ in w_ids] + [base_w])
        w_labels = [*w_ids, "nominal"]
        w_n = len(w_ids)
    else:
        ws = unc.get("weights")
        if ws is None:
            W_alts, w_labels, w_n = base_w[None, :], ["nominal"], 0
        elif "file" in ws or weight_sets is not None:
            ids, Wsets = _read_weight_sets(
                weight_sets if weight_sets is not None else ws["file"], tree, base_w
            )
            W_alts, w_labels, w_n = np.vstack([Wsets, base_w]), [*ids, "nominal"], len(ids)
        else:
            n_sets = ws["sets"] if ws["sets"] is not None else (n_fresh or 100)
            if ws["sets"] is None and n_fresh:
                fresh = ws
            rng_w = np.random.default_rng([int(seed), 1])
            Wsets = _perturbed_weights(tree, base_w, ws["perturb"], n_sets, rng_w)
            W_alts, w_labels, w_n = (
                np.vstack([Wsets, base_w]),
                [str(i + 1) for i in range(n_sets)] + ["nominal"],
                n_sets,
            )
    p_alts = np.array([_agg_power(a) for a in agg_l])
    # ---- targets
    root = tree.index_of(tree.root)
    has_gaps = all(p in tree.nodes for p in _GAP_PILLARS)
    targets = [root] + ([tree.index_of(p) for p in _GAP_PILLARS] if has_gaps else [])
    labels = [imp_l, trt_l, nrm_l, w_labels, agg_l, loo_l]
    n_s = [imp_n, trt_n, nrm_n, w_n, agg_n, loo_n]
    b_i = [imp_b, trt_b, nrm_b, len(w_labels) - 1, agg_b, loo_b]
    return _Design(
        tree=tree,
        unit_codes=[str(u) for u in screened_idx],
        labels=labels,
        n_sampled=n_s,
        base_idx=b_i,
        stack=stack,
        shape_mtk=(M, T, K),
        complete=complete,
        weight_alts=W_alts,
        p_alts=p_alts,
        loo_alts=loo_alts,
        targets=targets,
        has_gaps=has_gaps,
        spec=spec,
        nonpositive=str(base.get("nonpositive", "clip")),
        floor=float(base.get("floor", 1e-3)),
        weight_set_ids=w_labels,
        fresh_weights=fresh,
        base_weights=base_w,
        prep_s=time.perf_counter() - t0,
    )


# =========================================================================== evaluation
def _sibling_normalised(tree, W: np.ndarray) -> np.ndarray:
    n = tree.n_nodes
    par = tree.parent
    nonroot = np.flatnonzero(par >= 0)
    P = np.zeros((n, n))
    P[nonroot, par[nonroot]] = 1.0
    sums = W @ P
    sib = np.ones_like(W)
    sib[:, nonroot] = sums[:, par[nonroot]]
    with np.errstate(divide="ignore", invalid="ignore"):
        wn = np.where(sib > 0, W / sib, 0.0)
    wn[:, par < 0] = 1.0
    return wn


def _effective_to(tree, wn: np.ndarray, node: int) -> np.ndarray:
    """Effective weight ``(R, I)`` of every indicator in ``node`` (0 outside its subtree), renormalised."""
    n_ind = tree.n_indicators
    E = np.ones((wn.shape[0], n_ind))
    k = np.arange(n_ind)
    under = np.zeros(n_ind, dtype=bool)
    active = np.ones(n_ind, dtype=bool)
    while active.any():
        hit = active & (k == node)
        under |= hit
        active &= ~hit
        active &= k >= 0
        if not active.any():
            break
        E[:, active] *= wn[:, k[active]]
        k = np.where(active, tree.parent[np.where(active, k, 0)], -1)
    E[:, ~under] = 0.0
    s = E.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, E / s, np.nan)


def _power_mean(
    X: np.ndarray, E: np.ndarray, p: float, nonpositive: str, floor: float
) -> np.ndarray:
    """Weighted power mean of complete data ``X (U, I)`` with weights ``E (..., R, I)`` -> ``(..., R, U)``."""
    if p != 1.0:
        bad = (X <= 0) if p <= 0 else (X < 0)
        if bad.any():
            if nonpositive == "raise":
                raise MethodError(
                    "values <= 0 cannot enter a geometric/harmonic/generalised mean; normalise to a positive range (e.g. minmax:1,100) or set base.nonpositive to clip"
                )
            if nonpositive == "clip":
                X = np.where(bad, floor, X)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 1.0:
            return E @ X.T
        if p == 0.0:
            return np.exp(E @ np.log(X).T)
        out = np.power(E @ np.power(X, p).T, 1.0 / p)
    if nonpositive == "nan" and p != 1.0:
        badu = ((X <= 0) if p <= 0 else (X < 0)).astype(float)
        hit = (E > 0).astype(float) @ badu.T > 0
        out = np.where(hit, np.nan, out)
    return out


def _transform(p: float):
    if p == 1.0:
        return (lambda x: x), (lambda y: y)
    if p == 0.0:
        return np.log, np.exp
    return (lambda x: np.power(x, p)), (lambda y: np.power(y, 1.0 / p))


def _clip_nonpositive(X: np.ndarray, p: float, nonpositive: str, floor: float) -> np.ndarray:
    if p == 1.0:
        return X
    with np.errstate(invalid="ignore"):
        bad = (X <= 0) if p <= 0 else (X < 0)
    if not bad.any():
        return X
    if nonpositive == "raise":
        raise MethodError(
            "values <= 0 cannot enter a geometric/harmonic/generalised mean; normalise to a positive range (e.g. minmax:1,100) or set base.nonpositive to clip"
        )
    return np.where(bad, floor if nonpositive == "clip" else np.nan, X)


def _eval_shared(
    tree,
    X: np.ndarray,
    W: np.ndarray,
    p: float,
    nonpositive: str,
    floor: float,
    targets: list[int],
    chunk: int,
) -> np.ndarray:
    """Nested weighted power means with missing values, for many weight vectors and ONE data
    variant ``X (U, I)``: same rule as :func:`analysis.composite.aggregate_tree` (weights of
    missing children dropped and the rest re-normalised, level by level), but the indicator
    level is a matrix product with the shared data instead of a ``(runs, U, I)`` broadcast.

    Returns ``(n_targets, R, U)``.
    """
    if nonpositive == "nan":
        raise MethodError("nonpositive='nan' is evaluated by aggregate_tree; use method='tree'")
    U, n_ind = X.shape
    R = W.shape[0]
    f, finv = _transform(p)
    Xc = _clip_nonpositive(X, p, nonpositive, floor)
    avail = ~np.isnan(Xc)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        T = np.where(avail, f(np.where(avail, Xc, 1.0)), 0.0)
    A = avail.astype(float)
    steps = tree.aggregation_steps()
    n_agg = tree.n_nodes - n_ind
    kids = {int(j): np.flatnonzero(tree.parent == j) for _, parents in steps for j in parents}
    out = np.empty((len(targets), R, U))
    for s in range(0, R, chunk):
        Wc = W[s : s + chunk]
        r = Wc.shape[0]
        V = np.empty((r, U, n_agg))
        for _, parents in steps:
            for j in parents:
                k = kids[int(j)]
                ki, ka = k[k < n_ind], k[k >= n_ind]
                num = np.zeros((r, U))
                den = np.zeros((r, U))
                if len(ki):
                    Wi = Wc[:, ki].T  # (ni, r)
                    num += (T[:, ki] @ Wi).T
                    den += (A[:, ki] @ Wi).T
                for a in ka:
                    v = _clip_nonpositive(V[:, :, a - n_ind], p, nonpositive, floor)
                    av = ~np.isnan(v)
                    w = Wc[:, a][:, None]
                    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                        num += np.where(av, f(np.where(av, v, 1.0)), 0.0) * w
                    den += av * w
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    V[:, :, j - n_ind] = np.where(
                        den > 0, finv(num / np.where(den > 0, den, 1.0)), np.nan
                    )
        for t_i, t in enumerate(targets):
            out[t_i, s : s + r] = V[:, :, t - n_ind]
    return out


def _evaluate(
    d: _Design,
    codes: np.ndarray,
    *,
    method: str = "auto",
    chunk_size: int | None = None,
    fresh_W: np.ndarray | None = None,
) -> np.ndarray:
    """Scores of the target nodes for every run: ``(n_targets, R, U)``."""
    C = _engine()
    tree = d.tree
    codes = np.asarray(codes, dtype=np.int64)
    R = codes.shape[0]
    U = len(d.unit_codes)
    if fresh_W is not None:
        W = fresh_W.copy()
    else:
        W = d.weight_alts[codes[:, _WTS]].copy()
    loo = d.loo_alts[codes[:, _LOO]]
    r_loo = np.flatnonzero(loo >= 0)
    W[r_loo, loo[r_loo]] = 0.0
    p = d.p_alts[codes[:, _AGG]]
    M, T, K = d.shape_mtk
    combo = np.ravel_multi_index((codes[:, _IMP], codes[:, _TRT], codes[:, _NRM]), (M, T, K))
    out = np.full((len(d.targets), R, U), np.nan)
    if chunk_size is None:
        chunk_size = max(1, int(1.5e7 // max(1, U * tree.n_nodes)))
    for c in np.unique(combo):
        idx = np.flatnonzero(combo == c)
        X = d.stack[c]
        if method == "closed" or (method == "auto" and d.complete[c]):
            if not d.complete[c]:
                raise MethodError(
                    "method='closed' needs complete data in every variant; use method='auto' or 'tree'"
                )
            for pv in np.unique(p[idx]):
                j = idx[p[idx] == pv]
                for s in range(0, len(j), chunk_size * 8):
                    jj = j[s : s + chunk_size * 8]
                    wn = _sibling_normalised(tree, W[jj])
                    E = np.stack([_effective_to(tree, wn, t) for t in d.targets])  # (n_t, r, I)
                    out[:, jj, :] = _power_mean(X, E, float(pv), d.nonpositive, d.floor)
        elif method in ("auto", "shared") and d.nonpositive != "nan":
            for pv in np.unique(p[idx]):
                j = idx[p[idx] == pv]
                out[:, j, :] = _eval_shared(
                    tree,
                    X,
                    W[j],
                    float(pv),
                    d.nonpositive,
                    d.floor,
                    d.targets,
                    max(1, chunk_size * 4),
                )
        elif method in ("auto", "tree", "shared"):
            for s in range(0, len(idx), chunk_size):
                jj = idx[s : s + chunk_size]
                Xb = np.broadcast_to(X, (len(jj), *X.shape))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    agg = C.aggregate_tree(
                        Xb, tree, W[jj], p=p[jj], nonpositive=d.nonpositive, floor=d.floor
                    )
                out[:, jj, :] = np.moveaxis(agg[..., d.targets], -1, 0)
        else:
            raise ParameterError(f"method {method!r} unknown; use auto, closed, shared or tree")
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = best, ties share the lowest rank, NaN stays NaN.

    Same result as :func:`analysis.composite.rank_array` (tested), one argsort per call.
    """
    S = np.asarray(scores, dtype=float)
    shape = S.shape
    S2 = S.reshape(-1, shape[-1])
    miss = np.isnan(S2)
    key = np.where(miss, np.inf, -S2)
    n_rows, n = key.shape
    order = np.argsort(key, axis=1)
    flat = (order + (np.arange(n_rows) * n)[:, None]).ravel()
    sk = key.ravel()[flat].reshape(n_rows, n)
    tie = sk[:, 1:] == sk[:, :-1]
    pos = np.arange(1, n + 1, dtype=float)
    if tie.any():
        new = np.ones(sk.shape, dtype=bool)
        new[:, 1:] = ~tie
        first = np.maximum.accumulate(np.where(new, pos[None, :], 0.0).T, axis=0).T
    else:
        first = np.broadcast_to(pos, sk.shape)
    out = np.empty(n_rows * n)
    out[flat] = first.ravel()
    out = out.reshape(n_rows, n)
    out[miss] = np.nan
    return out.reshape(shape)


def _draw_codes(d: _Design, draws: int, rng: np.random.Generator) -> np.ndarray:
    codes = np.tile(np.asarray(d.base_idx, dtype=np.int64), (draws, 1))
    for j in range(6):
        n = d.n_sampled[j]
        if n > 0:
            codes[:, j] = rng.integers(0, n, size=draws)
    return codes


def _runs_table(d: _Design, codes: np.ndarray, run_ids=None, fresh: bool = False) -> pd.DataFrame:
    R = codes.shape[0]
    out = {"run": np.arange(1, R + 1) if run_ids is None else list(run_ids)}
    for j, name in enumerate(CHOICES):
        if d.n_sampled[j] == 0 and not (fresh and j == _WTS):
            continue
        if fresh and j == _WTS:
            out[RUN_COLUMNS[name]] = [str(i + 1) for i in range(R)]
        else:
            out[RUN_COLUMNS[name]] = np.asarray(d.labels[j], dtype=object)[codes[:, j]]
    df = pd.DataFrame(out)
    for c in df.columns[1:]:
        df[c] = df[c].astype(str)
    return df


# =========================================================================== results
@dataclass(eq=False)
class UncertaintyResult:
    """Output of :func:`run_uncertainty` / :func:`run_uncertainty_tidy`.

    Attributes:
        rank_stats: ``unit_code, nominal, mean, median, q05, q95, mean_abs_shift, p_top_k,
            p_bottom_k`` (+ ``period, status`` on the tidy path); ranks 1 = best.
        runs: the sampled choices of every run: ``run`` + one column per uncertain choice
            (``imputation, winmax, normalisation, weights_set, aggregation, leave_one_out``).
        scores: index scores, units x runs (index ``unit_code``; columns = run ids).
        ranks: ranks, units x runs.
        nominal: ``unit_code, score, rank`` of the base pipeline.
        gap_stats: per unit (when the tree has government/economy/society pillars):
            ``unit_code, <gap>_nominal, <gap>, <gap>_lo, <gap>_hi`` for gap_econ, gap_soc,
            gap_mean (median and 5th/95th percentiles over runs), else None.
        gap_rank_stats: rank statistics of ``gap_mean`` (rank 1 = largest gap), else None.
        weight_sets: the weight sets used (long: ``set, iCode, weight``), else None.
        spec: the resolved spec; seed: the seed; elapsed_s: compute time;
        timings: ``prep_s`` (data variants), ``eval_s`` (all runs), ``stats_s``.
        method: evaluator used (``closed``, ``tree`` or ``mixed``).
    """

    rank_stats: pd.DataFrame
    runs: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.DataFrame
    nominal: pd.DataFrame
    gap_stats: pd.DataFrame | None
    gap_rank_stats: pd.DataFrame | None
    weight_sets: pd.DataFrame | None
    spec: dict
    seed: int
    elapsed_s: float
    timings: dict = field(default_factory=dict)
    method: str = "auto"
    _gap_parts: list = field(default_factory=list, repr=False)

    @property
    def n_runs(self) -> int:
        return int(len(self.runs))

    @property
    def gap_draws(self) -> pd.DataFrame | None:
        """Tidy per-run gaps: ``unit_code, period?, draw, gap_econ, gap_soc, gap_mean`` (for
        :func:`analysis.gaps.compute_gaps` ``robustness=``), or None without gap pillars."""
        if not self._gap_parts:
            return None
        frames = []
        for period, units, G in self._gap_parts:  # G: (3, R, U)
            R, U = G.shape[1], G.shape[2]
            f = pd.DataFrame(
                {
                    "unit_code": np.tile(np.asarray(units, dtype=object), R),
                    "draw": np.repeat(np.arange(1, R + 1), U),
                    "gap_econ": G[0].ravel(),
                    "gap_soc": G[1].ravel(),
                    "gap_mean": G[2].ravel(),
                }
            )
            if period is not None:
                f.insert(1, "period", period)
            frames.append(f)
        out = pd.concat(frames, ignore_index=True)
        out["unit_code"] = out["unit_code"].astype(str)
        if "period" in out.columns:
            out["period"] = out["period"].astype(str)
        return out


def _nanquantile0(A: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles over axis 0 ignoring NaN (numpy's linear rule, R type 7), vectorised."""
    if not np.isnan(A).any():
        return np.quantile(A, qs, axis=0)
    S = np.sort(A, axis=0)  # NaN last
    n = np.sum(~np.isnan(A), axis=0)
    out = np.full((len(qs), A.shape[1]), np.nan)
    ok = n > 0
    cols = np.flatnonzero(ok)
    for i, q in enumerate(qs):
        h = (n[cols] - 1) * q
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, n[cols] - 1)
        a, b = S[lo, cols], S[hi, cols]
        out[i, cols] = a + (h - lo) * (b - a)
    return out


def _rank_stats(
    units: list[str], ranks: np.ndarray, nominal: np.ndarray, top_k: int, bottom_k: int
) -> pd.DataFrame:
    """``ranks (R, U)``, ``nominal (U,)`` -> the rank-stats contract table."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n_valid = np.sum(~np.isnan(ranks), axis=1, keepdims=True)
        valid = ~np.isnan(ranks)
        q = _nanquantile0(ranks, [0.5, 0.05, 0.95])
        top = np.where(valid, ranks <= top_k, np.nan)
        bottom = np.where(valid, ranks > n_valid - bottom_k, np.nan)
        df = pd.DataFrame(
            {
                "unit_code": pd.array(units, dtype="str"),
                "nominal": nominal,
                "mean": np.nanmean(ranks, axis=0),
                "median": q[0],
                "q05": q[1],
                "q95": q[2],
                "mean_abs_shift": np.nanmean(np.abs(ranks - nominal[None, :]), axis=0),
                "p_top_k": np.nanmean(top, axis=0),
                "p_bottom_k": np.nanmean(bottom, axis=0),
            }
        )
    return df


def _gaps(S: np.ndarray) -> np.ndarray:
    """``S (4, R, U)`` (root, G, E, S) -> ``(3, R, U)`` gap_econ, gap_soc, gap_mean."""
    g, e, s = S[1], S[2], S[3]
    return np.stack([g - e, g - s, g - 0.5 * (e + s)])


def _gap_stats(units, G: np.ndarray, G_nom: np.ndarray) -> pd.DataFrame:
    out = {"unit_code": pd.array(units, dtype="str")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for i, name in enumerate(_GAPS):
            q = _nanquantile0(G[i], [0.5, 0.05, 0.95])
            out[f"{name}_nominal"] = G_nom[i]
            out[name] = q[0]
            out[f"{name}_lo"] = q[1]
            out[f"{name}_hi"] = q[2]
    return pd.DataFrame(out)


def _default_k(U: int, spec: dict, top_k: int | None) -> int:
    if top_k is not None:
        return int(top_k)
    if spec.get("top_k") is not None:
        return int(spec["top_k"])
    return max(1, round(U / 10))


def _apply_base(spec: dict, base: Mapping | None) -> dict:
    if not base:
        return spec
    doc = {
        "name": spec["name"],
        "base": {**spec["base"], **{k: v for k, v in base.items() if v is not None}},
        "uncertain": spec["uncertain"],
    }
    for k in ("description", "source", "top_k"):
        if k in spec:
            doc[k] = spec[k]
    return load_spec(doc)


def _uncertainty_core(
    d: _Design,
    codes: np.ndarray,
    *,
    runs: pd.DataFrame,
    seed: int,
    top_k,
    bottom_k,
    method: str,
    chunk_size,
    fresh_W,
    t_start: float,
    period=None,
):
    te = time.perf_counter()
    S = _evaluate(d, codes, method=method, chunk_size=chunk_size, fresh_W=fresh_W)
    nom_codes = np.asarray(d.base_idx, dtype=np.int64)[None, :]
    S_nom = _evaluate(d, nom_codes, method=method, chunk_size=chunk_size)
    eval_s = time.perf_counter() - te
    ts = time.perf_counter()
    rk = _ranks(S[0])
    rk_nom = _ranks(S_nom[0])[0]
    U = len(d.unit_codes)
    k_top = _default_k(U, d.spec, top_k)
    k_bot = k_top if bottom_k is None else int(bottom_k)
    stats = _rank_stats(d.unit_codes, rk, rk_nom, k_top, k_bot)
    gap_stats = gap_rank = None
    parts = []
    if d.has_gaps:
        G = _gaps(S)
        G_nom = _gaps(S_nom)[:, 0, :]
        gap_stats = _gap_stats(d.unit_codes, G, G_nom)
        gap_rank = _rank_stats(
            d.unit_codes, _ranks(G[2]), _ranks(G_nom[2][None, :])[0], k_top, k_bot
        )
        parts.append((period, list(d.unit_codes), G))
    cols = list(runs["run"])
    idx = pd.Index(pd.array(d.unit_codes, dtype="str"), name="unit_code")
    scores = pd.DataFrame(S[0].T, index=idx, columns=cols)
    ranks = pd.DataFrame(rk.T, index=idx, columns=cols)
    nominal = pd.DataFrame(
        {"unit_code": pd.array(d.unit_codes, dtype="str"), "score": S_nom[0, 0], "rank": rk_nom}
    )
    stats_s = time.perf_counter() - ts
    used = {
        bool(d.complete[c])
        for c in np.unique(
            np.ravel_multi_index((codes[:, _IMP], codes[:, _TRT], codes[:, _NRM]), d.shape_mtk)
        )
    }
    meth = (
        method
        if method != "auto"
        else ("closed" if used == {True} else "tree" if used == {False} else "mixed")
    )
    wsets = None
    if d.weight_alts.shape[0] > 1 or fresh_W is not None:
        Wv = fresh_W if fresh_W is not None else d.weight_alts[:-1]
        ids = [str(i + 1) for i in range(len(Wv))] if fresh_W is not None else d.weight_set_ids[:-1]
        wsets = pd.DataFrame(
            {
                "set": np.repeat(np.asarray(ids, dtype=object), d.tree.n_nodes).astype(str),
                "iCode": np.tile(np.asarray(d.tree.nodes, dtype=object), len(Wv)).astype(str),
                "weight": Wv.ravel(),
            }
        )
    res = UncertaintyResult(
        rank_stats=stats,
        runs=runs,
        scores=scores,
        ranks=ranks,
        nominal=nominal,
        gap_stats=gap_stats,
        gap_rank_stats=gap_rank,
        weight_sets=wsets,
        spec=d.spec,
        seed=seed,
        elapsed_s=time.perf_counter() - t_start,
        timings={"prep_s": d.prep_s, "eval_s": eval_s, "stats_s": stats_s},
        method=meth,
        _gap_parts=parts,
    )
    return res


def run_uncertainty(
    data,
    imeta_or_tree,
    spec: str | Path | Mapping | None = None,
    *,
    draws: int = 1000,
    seed: int | None = None,
    top_k: int | None = None,
    bottom_k: int | None = None,
    base: Mapping | None = None,
    replay: str | Path | pd.DataFrame | None = None,
    weight_sets: str | Path | pd.DataFrame | None = None,
    goalposts: np.ndarray | None = None,
    method: str = "auto",
    chunk_size: int | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of ranks (and gaps) over the spec's method choices.

    Args:
        data: wide table, one row per unit (index = unit code, or a ``uCode`` column), with the
            indicator columns (iCodes) plus denominator / group columns the spec uses; or a
            :class:`analysis.composite.CoinData`.
        imeta_or_tree: COINr iMeta table or :class:`analysis.composite.Tree` (None with CoinData).
        spec: preset name (``coinr-vignette``, ``commune``), YAML path or dict (:func:`load_spec`).
        draws: number of Monte Carlo runs (ignored with ``replay``).
        seed: random seed (default :data:`analysis.config.DEFAULT_SEED`).
        top_k, bottom_k: k for ``p_top_k`` / ``p_bottom_k`` (default: 10 % of units, >= 1).
        base: overrides of the spec's base pipeline (keys as in the spec's ``base``).
        replay: a runs table (CSV path or DataFrame; ``run`` + one column per choice, values as
            in ``runs.csv``) to evaluate exactly those variants instead of drawing.
        weight_sets: long ``set, iCode, weight`` table (path or DataFrame) for ``weights_set``.
        goalposts: ``(2, I)`` raw goalposts, for ``goalposts`` normalisation.
        method: ``auto`` (closed form where the data variant is complete, else
            ``aggregate_tree``), ``closed`` or ``tree``.
        chunk_size: runs per ``aggregate_tree`` call (memory knob; results do not depend on it).

    Returns:
        :class:`UncertaintyResult`.
    """
    t0 = time.perf_counter()
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    sp = _apply_base(load_spec(spec), base)
    if replay is not None:
        table = _read_replay(replay)
        values = {
            c: list(table[RUN_COLUMNS[c]]) for c in CHOICES if RUN_COLUMNS[c] in table.columns
        }
        values = {c: list(dict.fromkeys(v)) for c, v in _canonical_replay_values(values).items()}
        d = _prepare(
            data,
            imeta_or_tree,
            sp,
            goalposts=goalposts,
            weight_sets=weight_sets,
            seed=seed,
            replay_values=values,
        )
        codes = np.tile(np.asarray(d.base_idx, dtype=np.int64), (len(table), 1))
        for j, name in enumerate(CHOICES):
            col = RUN_COLUMNS[name]
            if col in table.columns:
                canon = _canonical_replay_values({name: list(table[col])})[name]
                pos = {v: i for i, v in enumerate(d.labels[j])}
                codes[:, j] = [pos[v] for v in canon]
        runs = table.copy()
        for j, name in enumerate(CHOICES):
            col = RUN_COLUMNS[name]
            if col in runs.columns:
                runs[col] = np.asarray(d.labels[j], dtype=object)[codes[:, j]].astype(str)
        return _uncertainty_core(
            d,
            codes,
            runs=runs,
            seed=seed,
            top_k=top_k,
            bottom_k=bottom_k,
            method=method,
            chunk_size=chunk_size,
            fresh_W=None,
            t_start=t0,
        )
    if draws < 1:
        raise ParameterError(f"draws must be >= 1, got {draws}")
    d = _prepare(
        data,
        imeta_or_tree,
        sp,
        goalposts=goalposts,
        weight_sets=weight_sets,
        seed=seed,
        n_fresh=int(draws),
    )
    rng = np.random.default_rng([seed, 2])
    codes = _draw_codes(d, int(draws), rng)
    fresh_W = None
    if d.fresh_weights is not None:
        fresh_W = d.weight_alts[: int(draws)]
        codes[:, _WTS] = np.arange(int(draws))
    runs = _runs_table(d, codes, fresh=fresh_W is not None)
    return _uncertainty_core(
        d,
        codes,
        runs=runs,
        seed=seed,
        top_k=top_k,
        bottom_k=bottom_k,
        method=method,
        chunk_size=chunk_size,
        fresh_W=fresh_W,
        t_start=t0,
    )


# =========================================================================== replay
def _read_replay(replay) -> pd.DataFrame:
    if isinstance(replay, pd.DataFrame):
        table = replay.copy()
        src = "replay table"
    else:
        path = Path(replay)
        if not path.exists():
            raise DataValidationError([f"replay file {path} not found"])
        src = str(path)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        if not rows:
            raise DataValidationError(
                [f"{src}: empty file; expected a header run,<choice columns>"]
            )
        header = [h.strip() for h in rows[0]]
        body = []
        for r_i, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) == len(header) + 1 and "normalisation" in header:
                # unquoted "zscore:10,2": glue the parameter pair back together
                j = header.index("normalisation")
                row = row[:j] + [row[j] + "," + row[j + 1]] + row[j + 2 :]
            if len(row) != len(header):
                raise DataValidationError(
                    [
                        f'{src}: row {r_i} has {len(row)} fields but the header has {len(header)}; quote values with commas ("zscore:10,2")'
                    ]
                )
            body.append([c.strip() for c in row])
        table = pd.DataFrame(body, columns=header, dtype=str)
    known = set(RUN_COLUMNS.values()) | {"run"}
    unknown = [c for c in table.columns if c not in known]
    if unknown:
        raise DataValidationError(
            [
                f"{src}: column(s) {unknown} are not choices; expected run and any of {sorted(set(RUN_COLUMNS.values()))}"
            ]
        )
    if "run" not in table.columns:
        table.insert(0, "run", np.arange(1, len(table) + 1))
    for c in table.columns:
        table[c] = table[c].astype(str)
    if len(table) == 0:
        raise DataValidationError([f"{src}: no runs listed"])
    return table.reset_index(drop=True)


def _canonical_replay_values(values: dict) -> dict:
    out = {}
    for name, vals in values.items():
        where = f"replay column {RUN_COLUMNS[name]!r}"
        if name == "winmax":
            out[name] = [_winmax_label(v, where) for v in vals]
        elif name == "normalisation":
            out[name] = [_norm_label(v, where) for v in vals]
        elif name == "aggregation":
            out[name] = [_agg_label(v, where) for v in vals]
        elif name == "imputation":
            out[name] = [_imp_label(v) for v in vals]
        else:
            out[name] = [str(v) for v in vals]
    return out


# =========================================================================== sensitivity
def _sobol_design(d: _Design, n: int, seed: int, second_order: bool):
    from SALib.sample import sobol as sobol_sample

    names = d.choice_names
    if not names:
        raise ParameterError(
            "the spec lists no uncertain choice; a sensitivity analysis needs at least one"
        )
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib/scipy warn when n is not a power of 2
        X = sobol_sample.sample(
            problem, int(n), calc_second_order=second_order, scramble=True, seed=int(seed)
        )
    codes = np.tile(np.asarray(d.base_idx, dtype=np.int64), (X.shape[0], 1))
    for col, name in enumerate(names):
        j = CHOICES.index(name)
        k = d.n_sampled[j]
        codes[:, j] = np.minimum(np.floor(X[:, col] * k).astype(np.int64), k - 1)
    return problem, X, codes


def _sobol_indices(
    problem, Y: np.ndarray, *, second_order: bool, num_resamples: int, conf_level: float, seed: int
) -> dict:
    from SALib.analyze import sobol as sobol_analyze

    D = problem["num_vars"]
    Y = np.asarray(Y, dtype=float)
    if np.all(np.isnan(Y)) or np.nanvar(Y) <= 1e-24 * max(1.0, float(np.nanmean(Y) ** 2)):
        z = np.zeros(D)
        return {"S1": z, "S1_conf": z, "ST": z, "ST_conf": z}
    if np.isnan(Y).any():
        Y = np.where(np.isnan(Y), np.nanmean(Y), Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return sobol_analyze.analyze(
            problem,
            Y,
            calc_second_order=second_order,
            num_resamples=int(num_resamples),
            conf_level=conf_level,
            print_to_console=False,
            seed=int(seed),
        )


def _sensitivity_core(
    d: _Design,
    *,
    n: int,
    seed: int,
    second_order: bool,
    num_resamples: int,
    conf_level: float,
    method: str,
    chunk_size,
    targets: str,
):
    problem, X, codes = _sobol_design(d, n, seed, second_order)
    S = _evaluate(d, codes, method=method, chunk_size=chunk_size)
    S_nom = _evaluate(
        d, np.asarray(d.base_idx, dtype=np.int64)[None, :], method=method, chunk_size=chunk_size
    )
    rk = _ranks(S[0])
    rk_nom = _ranks(S_nom[0])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y_shift = np.nanmean(np.abs(rk - rk_nom[None, :]), axis=1)
    Ys = [("mean_abs_rank_shift", y_shift)]
    if d.has_gaps and targets in ("all", "gaps"):
        G = _gaps(S)
        for u, code in enumerate(d.unit_codes):
            for i, g in enumerate(_GAPS):
                Ys.append((f"{g}:{code}", G[i, :, u]))
    if targets == "gaps":
        Ys = Ys[1:]
    rows = []
    for target, Y in Ys:
        si = _sobol_indices(
            problem,
            Y,
            second_order=second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
        for v, name in enumerate(problem["names"]):
            rows.append(
                {
                    "choice": name,
                    "target": target,
                    "Si": float(si["S1"][v]),
                    "Si_lo": float(si["S1"][v] - si["S1_conf"][v]),
                    "Si_hi": float(si["S1"][v] + si["S1_conf"][v]),
                    "STi": float(si["ST"][v]),
                    "STi_lo": float(si["ST"][v] - si["ST_conf"][v]),
                    "STi_hi": float(si["ST"][v] + si["ST_conf"][v]),
                }
            )
    out = pd.DataFrame(
        rows, columns=["choice", "target", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi"]
    )
    runs = _runs_table(d, codes)
    return out, runs, S, rk


def run_sensitivity(
    data,
    imeta_or_tree,
    spec: str | Path | Mapping | None = None,
    *,
    n: int = 256,
    seed: int | None = None,
    second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    base: Mapping | None = None,
    weight_sets: str | Path | pd.DataFrame | None = None,
    goalposts: np.ndarray | None = None,
    targets: str = "all",
    method: str = "auto",
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices of each uncertain choice (SALib; Saltelli design).

    The design has ``n * (d + 2)`` runs (``n * (2d + 2)`` with ``second_order``), d = number
    of uncertain choices; each choice's uniform coordinate is mapped to one of its
    alternatives by equal-width bins. Targets: ``mean_abs_rank_shift`` (mean over units of
    ``|rank - nominal rank|`` in a run) and, when the tree has government/economy/society
    pillars, ``gap_econ:<unit>``, ``gap_soc:<unit>``, ``gap_mean:<unit>``. A target that no
    choice moves (zero variance) gets all indices 0.

    Args:
        data, imeta_or_tree, spec, seed, base, weight_sets, goalposts, method, chunk_size: as
            in :func:`run_uncertainty`.
        n: base sample size N of the Sobol design (a power of 2 is best).
        second_order: also sample for second-order indices (SALib; not reported here).
        num_resamples: bootstrap resamples for the confidence intervals.
        conf_level: confidence level of ``*_lo``/``*_hi``.
        targets: ``all`` | ``rank`` (only the rank-shift target) | ``gaps``.

    Returns:
        ``choice, target, Si, Si_lo, Si_hi, STi, STi_lo, STi_hi``; ``.attrs["n_runs"]`` holds the
        number of runs of the design.
    """
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    if targets not in ("all", "rank", "gaps"):
        raise ParameterError(f"targets {targets!r}; use all, rank or gaps")
    sp = _apply_base(load_spec(spec), base)
    d = _prepare(data, imeta_or_tree, sp, goalposts=goalposts, weight_sets=weight_sets, seed=seed)
    out, runs, _, _ = _sensitivity_core(
        d,
        n=n,
        seed=seed,
        second_order=second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        method=method,
        chunk_size=chunk_size,
        targets=targets,
    )
    out.attrs["n_runs"] = int(len(runs))
    return out


# =========================================================================== tidy path
def _tidy_prepare(observations: pd.DataFrame, framework, weights: str):
    from .frameworks import Framework, load_framework

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    need = {"unit_code", "period", "indicator", "value"}
    if not need <= set(observations.columns):
        raise DataValidationError(
            [
                f"observations: missing column(s) {sorted(need - set(observations.columns))}; expected unit_code, period, indicator, value, status"
            ]
        )
    obs = observations.copy()
    for c in ("unit_code", "period", "indicator"):
        obs[c] = obs[c].astype(str)
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce")
    if "status" not in obs.columns:
        obs["status"] = "observed"
    obs = obs[obs["indicator"].isin(fw.indicator_ids)]
    imeta = fw.to_imeta(weights)
    ind = fw.indicators.set_index("id")
    ids = fw.indicator_ids
    goalposts = np.vstack(
        [ind.loc[ids, "goalpost_lo"].to_numpy(float), ind.loc[ids, "goalpost_hi"].to_numpy(float)]
    )
    return fw, obs, imeta, goalposts


def _tidy_wide(obs: pd.DataFrame, fw, units, per: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    ind = fw.indicators.set_index("id")
    ids = fw.indicator_ids
    o = obs[obs["period"] == per]
    wide = o.pivot_table(
        index="unit_code", columns="indicator", values="value", aggfunc="first"
    ).reindex(columns=ids)
    wide.index = wide.index.astype(str)
    wide.index.name = "unit_code"
    wide.columns.name = None
    den = (
        ind["denominator"].where(ind["kind"] == "count")
        if "denominator" in ind.columns
        else pd.Series(dtype=object)
    )
    den = {k: v for k, v in den.items() if isinstance(v, str) and v}
    if den and units is None:
        from .io import load_units

        units = load_units()
    if units is not None:
        u = (
            units.assign(unit_code=units["unit_code"].astype(str))
            .drop_duplicates("unit_code")
            .set_index("unit_code")
        )
        for iid, col in den.items():
            src_col = col if col in u.columns else f"{col}_2019_constituents"
            if src_col not in u.columns:
                raise DataValidationError(
                    [
                        f"units table has no column {col!r} (or {col}_2019_constituents); needed to denominate {iid}"
                    ]
                )
            dv = pd.to_numeric(u[src_col], errors="coerce").reindex(wide.index)
            if not (dv > 0).all():
                raise DataValidationError(
                    [
                        f"units table: column {src_col!r} has no positive value for unit_code(s) {list(dv.index[~(dv > 0)])}"
                    ]
                )
            wide[iid] = wide[iid] / dv.to_numpy() * float(ind.loc[iid, "denominator_scale"])
        extra = [
            c
            for c in u.columns
            if c not in wide.columns and c not in ("name_vi", "full_name_vi", "name_ascii")
        ]
        wide = wide.join(u[extra], how="left")
    return wide, units


def tidy_to_wide(
    observations: pd.DataFrame,
    framework=None,
    units: pd.DataFrame | None = None,
    *,
    period: str,
    weights: str = "framework",
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """One period of the tidy panel as the wide inputs of :func:`run_uncertainty` / :func:`run_sensitivity`.

    Count indicators are denominated as in :func:`analysis.composite.compute_scores`
    (``value / households * denominator_scale``); unit covariates (e.g. for ``mean-by:COL``
    imputation) are joined as extra columns.

    Returns:
        ``(wide, imeta, goalposts)``: wide table indexed by ``unit_code``; the framework as iMeta
        (``weights``: ``framework`` | ``equal`` | ``dti``); goalposts ``(2, I)`` for ``goalposts``
        normalisation.
    """
    fw, obs, imeta, goalposts = _tidy_prepare(observations, framework, weights)
    if period not in set(obs["period"]):
        raise ParameterError(
            f"period {period!r} not in the observations; available: {sorted(obs['period'].unique())}"
        )
    wide, _ = _tidy_wide(obs, fw, units, period)
    return wide, imeta, goalposts


def run_uncertainty_tidy(
    observations: pd.DataFrame,
    framework=None,
    units: pd.DataFrame | None = None,
    spec: str | Path | Mapping | None = None,
    *,
    period: str | Sequence[str] | None = None,
    draws: int = 1000,
    seed: int | None = None,
    top_k: int | None = None,
    bottom_k: int | None = None,
    weights: str = "framework",
    method: str = "auto",
) -> UncertaintyResult:
    """The uncertainty analysis on our tidy commune panel, one cross-section per period.

    Args:
        observations: ``unit_code, period, indicator, value, status`` (+ ``source``).
        framework: :class:`analysis.frameworks.Framework` or YAML path (default: commune).
        units: units table with ``households`` for count indicators (default: Đại Lộc units,
            read only if a count indicator needs a denominator).
        spec: robustness spec (default preset ``commune``: goalposts [0, 1] base, kept fixed so
            gaps keep their absolute meaning; weights +/- 25 % at indicator and pillar level
            (fresh per draw); arithmetic / geometric; imputation none / mean;
            leave-one-indicator-out; no outlier treatment, the goalposts truncate).
            ``commune-full`` adds min-max / percentile normalisation, which makes gaps relative.
        period: one period, a list, or None (every period in the data).
        draws, seed, top_k, bottom_k, method: as in :func:`run_uncertainty` (same draws in
            every period: common random numbers).
        weights: framework weights preset for the base: ``framework``, ``equal`` or ``dti``.

    Returns:
        :class:`UncertaintyResult` whose tables carry ``period`` and ``status``:
        ``rank_stats`` (rank of the index), ``gap_rank_stats`` (rank of gap_mean, 1 = largest
        gap), ``gap_stats`` (median and 5-95 % interval of gap_econ, gap_soc, gap_mean) and
        ``gap_draws`` (``unit_code, period, draw, gap_econ, gap_soc, gap_mean``).
    """
    t0 = time.perf_counter()
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    fw, obs, imeta, goalposts = _tidy_prepare(observations, framework, weights)
    sp = load_spec("commune" if spec is None else spec)
    periods = (
        sorted(obs["period"].unique())
        if period is None
        else ([period] if isinstance(period, str) else list(period))
    )
    missing_p = [p for p in periods if p not in set(obs["period"])]
    if missing_p:
        raise ParameterError(
            f"period(s) {missing_p} not in the observations; available: {sorted(obs['period'].unique())}"
        )
    parts = {k: [] for k in ("rank", "gap", "gaprank", "runs", "scores", "ranks", "nominal")}
    gap_parts, timings, meths, wsets = (
        [],
        {"prep_s": 0.0, "eval_s": 0.0, "stats_s": 0.0},
        set(),
        None,
    )
    for per in periods:
        wide, units = _tidy_wide(obs, fw, units, per)
        status = worst_status(obs.loc[obs["period"] == per, "status"].unique())
        r = run_uncertainty(
            wide,
            imeta,
            sp,
            draws=draws,
            seed=seed,
            top_k=top_k,
            bottom_k=bottom_k,
            goalposts=goalposts,
            method=method,
        )
        meths.add(r.method)
        for k in timings:
            timings[k] += r.timings.get(k, 0.0)
        for key, df in (
            ("rank", r.rank_stats),
            ("gap", r.gap_stats),
            ("gaprank", r.gap_rank_stats),
            ("nominal", r.nominal),
        ):
            if df is not None:
                df = df.copy()
                df.insert(1, "period", per)
                df["status"] = status
                parts[key].append(df)
        sc = r.scores.reset_index()
        sc.insert(1, "period", per)
        parts["scores"].append(sc)
        rk = r.ranks.reset_index()
        rk.insert(1, "period", per)
        parts["ranks"].append(rk)
        if not parts["runs"]:
            parts["runs"].append(r.runs)
            wsets = r.weight_sets
        gap_parts.extend((per, u_, G) for (_, u_, G) in r._gap_parts)

    def cat(key):
        return pd.concat(parts[key], ignore_index=True) if parts[key] else None

    return UncertaintyResult(
        rank_stats=cat("rank"),
        runs=parts["runs"][0],
        scores=cat("scores"),
        ranks=cat("ranks"),
        nominal=cat("nominal"),
        gap_stats=cat("gap"),
        gap_rank_stats=cat("gaprank"),
        weight_sets=wsets,
        spec=sp,
        seed=seed,
        elapsed_s=time.perf_counter() - t0,
        timings=timings,
        method=meths.pop() if len(meths) == 1 else "mixed",
        _gap_parts=gap_parts,
    )


# =========================================================================== CLI entry
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_robustness(
    idata: str | Path,
    imeta: str | Path,
    out: str | Path,
    *,
    spec: str | Path | None = None,
    base: Mapping | None = None,
    draws: int = 1000,
    sobol: bool = False,
    sobol_n: int | None = None,
    seed: int | None = None,
    top_k: int | None = None,
    replay: str | Path | None = None,
    weight_sets: str | Path | None = None,
    method: str = "auto",
) -> dict[str, Path]:
    """``dgap robustness``: read a COINr iData/iMeta pair, run the analysis, write the outputs.

    Writes (atomically) into ``out``: ``rank_stats.csv`` (``uCode, nominal, mean, median, q05,
    q95, mean_abs_shift, p_top_k, p_bottom_k``), ``runs.csv`` (choices of every run),
    ``scores.csv`` (``uCode`` x run), ``weight_sets.csv`` (when weights vary),
    ``sensitivity.csv`` (with ``sobol``: ``choice, target, Si, Si_lo, Si_hi, STi, STi_lo,
    STi_hi``), ``gap_stats.csv`` (when the tree has gap pillars) and ``run.json`` (spec, seed,
    number of runs, ``elapsed_s`` = compute time inside this call, input hashes).

    Returns:
        Mapping output name -> path.
    """
    import SALib.analyze.sobol  # noqa: F401  (imports are not compute time)
    import SALib.sample.sobol  # noqa: F401

    from .io import save_table
    from .outputs import atomic_write

    t0 = time.perf_counter()
    coin = _engine().load_coinr(idata, imeta)
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    res = run_uncertainty(
        coin.data,
        coin.imeta,
        spec,
        draws=draws,
        seed=seed,
        top_k=top_k,
        base=base,
        replay=replay,
        weight_sets=weight_sets,
        method=method,
    )
    sens = sens_runs = None
    if sobol:
        d = _prepare(coin.data, coin.imeta, res.spec, weight_sets=weight_sets, seed=seed)
        sens, sens_runs, _, _ = _sensitivity_core(
            d,
            n=int(sobol_n or draws),
            seed=seed,
            second_order=False,
            num_resamples=100,
            conf_level=0.95,
            method=method,
            chunk_size=None,
            targets="all",
        )
    elapsed = time.perf_counter() - t0
    out = Path(out)
    paths: dict[str, Path] = {}
    rs = res.rank_stats.rename(columns={"unit_code": "uCode"})
    paths["rank_stats"] = save_table(rs, out / "rank_stats.csv")
    paths["runs"] = save_table(res.runs, out / "runs.csv")
    sc = res.scores.copy()
    sc.index.name = "uCode"
    paths["scores"] = save_table(sc.reset_index(), out / "scores.csv")
    if res.weight_sets is not None:
        paths["weight_sets"] = save_table(res.weight_sets, out / "weight_sets.csv")
    if res.gap_stats is not None:
        paths["gap_stats"] = save_table(
            res.gap_stats.rename(columns={"unit_code": "uCode"}), out / "gap_stats.csv"
        )
    if sens is not None:
        paths["sensitivity"] = save_table(sens, out / "sensitivity.csv")
        paths["sensitivity_runs"] = save_table(sens_runs, out / "sensitivity_runs.csv")
    from . import __version__ as version

    meta = {
        "command": "dgap robustness",
        "spec": res.spec,
        "seed": seed,
        "n_runs": res.n_runs + (0 if sens_runs is None else len(sens_runs)),
        "n_uncertainty_runs": res.n_runs,
        "n_sensitivity_runs": 0 if sens_runs is None else int(len(sens_runs)),
        "sobol_n": int(sobol_n or draws) if sobol else None,
        "replay": str(replay) if replay is not None else None,
        "n_units": int(len(res.rank_stats)),
        "method": res.method,
        "elapsed_s": round(elapsed, 6),
        "timings": {k: round(v, 6) for k, v in res.timings.items()},
        "inputs": {
            "idata": {"path": str(idata), "sha256": _sha256(Path(idata))},
            "imeta": {"path": str(imeta), "sha256": _sha256(Path(imeta))},
        },
        "package_version": version,
    }
    with atomic_write(out / "run.json") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=2, default=_json_default)
        fh.write("\n")
    paths["run"] = out / "run.json"
    return paths


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
