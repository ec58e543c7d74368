"""Our tidy panels through the composite (:func:`compute_scores`, :func:`pillar_table`) and the
preset registry (a named framework + method defaults for :func:`compute_index`).

The tidy path runs denominate (count indicators per household), impute, normalise, weight and
aggregate on one array ``(periods, units, indicators)``: data-driven normalisations are per
period, goalposts are fixed. Conventions: ``docs/composite.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, presets
from ..errors import DataValidationError, FrameworkError, MethodError
from ..periods import period_to_time
from ..status import RANK as STATUS_RANK
from ..status import status_codes
from ._tree import Tree
from .arrays import aggregate_tree, effective_weights, normalise_array
from .index import CompositeResult, compute_index
from .scales import ScaleMeta, normalise_se, scale_kwargs
from .spec import parse_imputation, parse_weights
from .weights import pca_weights

#: Weight schemes of the tidy path (``framework``: the weights written in the framework YAML).
TIDY_WEIGHTS = ("framework", "equal", "dti", "pca")


# =========================================================================== presets
@dataclass(frozen=True, eq=False)
class Preset:
    """A named framework + method defaults for :func:`compute_index` / :func:`compute_scores`.

    Attributes:
        name: preset id.
        imeta: iMeta-like table (with ``goalpost_lower``/``goalpost_upper`` when it uses goalposts).
        options: keyword defaults for :func:`compute_index`.
        description: one line.
        framework: the :class:`analysis.frameworks.Framework` when there is one.
    """

    name: str
    imeta: pd.DataFrame
    options: dict
    description: str = ""
    framework: object = None

    def run(self, data: pd.DataFrame, **overrides) -> CompositeResult:
        """:func:`compute_index` on ``data`` with the preset's options (overridable)."""
        return compute_index(data, self.imeta, **{**self.options, **overrides})


def list_presets() -> list[str]:
    """Names of the presets: the table ``data/frameworks/presets.yaml`` (:mod:`analysis.presets`)."""
    return presets.list_presets()


def get_preset(name: str) -> Preset:
    """Build a preset of the table: ``commune``, ``egdi``, ``desi2022``, ``dti_provincial``, ``dti_pillars``."""
    if name not in presets.list_presets():
        raise MethodError(f"unknown preset {name!r}; available: {presets.list_presets()}")
    spec = presets.load_preset(name)
    fw = spec.load_framework()
    return Preset(
        name=name,
        imeta=framework_imeta(fw),
        options=dict(spec.options),
        description=spec.description,
        framework=fw,
    )


def framework_imeta(framework, weights: str = "framework") -> pd.DataFrame:
    """The framework's iMeta plus goalposts, targets (2025) and denominators (COINr column names)."""
    imeta = framework.to_imeta(weights=weights)
    ind = framework.indicators.set_index("id")
    is_ind = imeta["Type"] == "Indicator"
    codes = imeta.loc[is_ind, "iCode"]
    imeta.loc[is_ind, "goalpost_lower"] = codes.map(ind["goalpost_lo"]).to_numpy(float)
    imeta.loc[is_ind, "goalpost_upper"] = codes.map(ind["goalpost_hi"]).to_numpy(float)
    imeta.loc[is_ind, "Target"] = codes.map(ind["target_2025"]).astype(float).to_numpy()
    return imeta


# =========================================================================== tidy path
def _load_framework(framework):
    from ..frameworks import Framework, load_framework

    if framework is None or isinstance(framework, str | Path):
        if (
            isinstance(framework, str)
            and framework in list_presets()
            and not Path(framework).exists()
        ):
            fw = get_preset(framework).framework
            if fw is None:
                raise FrameworkError(
                    f"preset {framework!r} has no tidy framework; pass a Framework or a YAML path"
                )
            return fw
        return load_framework(framework)
    if isinstance(framework, Framework):
        return framework
    raise FrameworkError(
        f"framework must be a Framework, a YAML path or a preset name, got {type(framework).__name__}"
    )


def denominator_values(units: pd.DataFrame, col: str, codes: list[str]) -> np.ndarray:
    """The denominator of a count indicator for ``codes``: the units table's column ``col`` (or
    ``<col>_2019_constituents``), positive for every code asked for.

    Callers ask only for the units that have a count to divide (the national registry has no
    households, and a national panel without counts needs none).

    Raises:
        DataValidationError: the column is missing, or not positive for some of ``codes``
            (the first 10 are named, with the total).
    """
    u = units.copy()
    u["unit_code"] = u["unit_code"].astype(str)
    u = u.drop_duplicates("unit_code").set_index("unit_code")
    for c in (col, f"{col}_2019_constituents"):
        if c in u.columns:
            vals = pd.to_numeric(u[c], errors="coerce").reindex(codes)
            missing = [k for k, v in vals.items() if not (v > 0)]
            if missing:
                shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
                raise DataValidationError(
                    [
                        f"units table: column {c!r} has no positive value for {len(missing)} "
                        f"unit(s) that have count indicators: {shown}; needed to denominate "
                        f"them (add the {c} of these units, or leave their counts empty)"
                    ]
                )
            return vals.to_numpy(float)
    raise DataValidationError(
        [
            f"units table has no column {col!r} (or {col}_2019_constituents); needed to "
            "denominate count indicators"
        ]
    )


def _tidy_observations(observations: pd.DataFrame, ind_ids: list[str]) -> pd.DataFrame:
    """Checked observations of the framework's indicators (codes as str, values as float)."""
    need = {"unit_code", "period", "indicator", "value"}
    if not need <= set(observations.columns):
        raise DataValidationError(
            [
                f"observations: missing column(s) {sorted(need - set(observations.columns))}; expected unit_code, period, indicator, value, status"
            ]
        )
    obs = observations.copy()
    obs["unit_code"] = obs["unit_code"].astype(str)
    obs["period"] = obs["period"].astype(str)
    obs["indicator"] = obs["indicator"].astype(str)
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce")
    if "se" in obs.columns:
        obs["se"] = pd.to_numeric(obs["se"], errors="coerce")
    if "status" not in obs.columns:
        obs["status"] = "observed"
    bad_status = sorted(set(obs["status"].dropna().astype(str)) - set(STATUS_RANK))
    if bad_status:
        raise DataValidationError(
            [f"observations: status value(s) {bad_status} not in {list(config.STATUSES)}"]
        )
    obs = obs[obs["indicator"].isin(ind_ids)]
    dup = obs.duplicated(["unit_code", "period", "indicator"])
    if dup.any():
        r = obs[dup].iloc[0]
        raise DataValidationError(
            [
                f"observations: {int(dup.sum())} duplicated (unit_code, period, indicator), e.g. {r['unit_code']}, {r['period']}, {r['indicator']}"
            ]
        )
    return obs


def _panel(obs: pd.DataFrame, ind_ids: list[str]):
    """``(periods, unit_codes, X, S, SE)``: values, status codes and measurement standard errors
    (None without an ``se`` column with a value) as ``(periods, units, indicators)``."""
    periods = sorted(obs["period"].unique(), key=lambda s: (_safe_time(period_to_time, s), s))
    unit_codes = sorted(obs["unit_code"].unique())
    P, U, n_ind = len(periods), len(unit_codes), len(ind_ids)
    pi = pd.Index(periods).get_indexer(obs["period"])
    ui = pd.Index(unit_codes).get_indexer(obs["unit_code"])
    ii = pd.Index(ind_ids).get_indexer(obs["indicator"])
    X = np.full((P, U, n_ind), np.nan)
    S = np.full((P, U, n_ind), -1, dtype=np.int8)
    X[pi, ui, ii] = obs["value"].to_numpy(float)
    S[pi, ui, ii] = status_codes(obs["status"])
    S[np.isnan(X)] = -1
    SE = None
    if "se" in obs.columns and obs["se"].notna().any():
        SE = np.full((P, U, n_ind), np.nan)
        SE[pi, ui, ii] = obs["se"].to_numpy(float)
    return periods, unit_codes, X, S, SE


def _denominate_panel(X, indf: pd.DataFrame, units, unit_codes, SE=None):
    """Count indicators (and their standard errors) divided by their unit column (per
    ``denominator_scale``), in place."""
    den_cols = indf["denominator"].where(indf["kind"] == "count")
    if den_cols.notna().any():
        if units is None:
            from ..units import load_units

            units = load_units()
        for j, (ind, col) in enumerate(den_cols.items()):
            if isinstance(col, str) and col:
                # a denominator is needed only where there is a count to divide
                has = np.isfinite(X[:, :, j]).any(axis=0)
                if not has.any():
                    continue
                d = np.full(len(unit_codes), np.nan)
                d[has] = denominator_values(units, col, list(np.asarray(unit_codes)[has]))
                scale = float(indf.loc[ind, "denominator_scale"])
                X[:, :, j] = X[:, :, j] / d[None, :] * scale
                if SE is not None:
                    SE[:, :, j] = SE[:, :, j] / d[None, :] * scale
    return units


def _tidy_weights(fw, weights, Xn: np.ndarray) -> tuple[Tree, np.ndarray]:
    if isinstance(weights, Mapping):
        tree = Tree.from_imeta(fw.to_imeta("framework"))
        return tree, tree.weight_vector(weights, base="framework")
    scheme = parse_weights(weights, allowed=TIDY_WEIGHTS)
    if scheme == "pca":
        tree = Tree.from_imeta(fw.to_imeta("framework"))
        W, _ = pca_weights(tree, Xn.reshape(-1, tree.n_indicators))
        return tree, W
    tree = Tree.from_imeta(fw.to_imeta(scheme))
    return tree, tree.weights


def _node_status(tree: Tree, out: np.ndarray, Xn: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Status code of every node: an aggregate takes the worst status of its available children."""
    n_ind = tree.n_indicators
    Sall = np.full(out.shape, -1, dtype=np.int8)
    Sall[..., :n_ind] = np.where(np.isnan(Xn), -1, S)
    for _, parents in tree.aggregation_steps():
        for j in parents:
            kids = np.flatnonzero(tree.parent == j)
            ks = np.where(np.isnan(out[..., kids]), -1, Sall[..., kids])
            Sall[..., j] = np.where(np.isnan(out[..., j]), -1, ks.max(axis=-1))
    return Sall


def _long_scores(tree: Tree, out, Sall, periods, unit_codes, SEn=None) -> pd.DataFrame:
    """The tidy score table; with ``SEn`` (normalised standard errors of the indicators) an
    ``se`` column (NaN for pillars and the index)."""
    P, U = len(periods), len(unit_codes)
    n_ind, root = tree.n_indicators, tree.root
    level_name = np.array(
        [
            "indicator" if i < n_ind else ("index" if c == root else "pillar")
            for i, c in enumerate(tree.nodes)
        ],
        dtype=object,
    )
    pp, uu, nn = np.meshgrid(np.arange(P), np.arange(U), np.arange(tree.n_nodes), indexing="ij")
    vals = out.ravel()
    keep = ~np.isnan(vals)
    status_names = np.array(config.STATUSES, dtype=object)
    scores = pd.DataFrame(
        {
            "unit_code": np.asarray(unit_codes, dtype=object)[uu.ravel()[keep]],
            "period": np.asarray(periods, dtype=object)[pp.ravel()[keep]],
            "level": level_name[nn.ravel()[keep]],
            "name": np.asarray(tree.nodes, dtype=object)[nn.ravel()[keep]],
            "value": vals[keep],
            "status": status_names[np.maximum(Sall.ravel()[keep], 0)],
        }
    )
    if SEn is not None:
        se = np.full(out.shape, np.nan)
        se[..., :n_ind] = SEn
        scores["se"] = se.ravel()[keep]
    for c in ("unit_code", "period", "level", "name", "status"):
        scores[c] = scores[c].astype(str)
    return scores


def compute_scores(
    observations: pd.DataFrame,
    framework=None,
    units: pd.DataFrame | None = None,
    *,
    normalise: str = "target",
    aggregate="arithmetic",
    impute: str = "none",
    weights="framework",
    normalise_params: Mapping | None = None,
    p=None,
    min_coverage: float | None = None,
    nonpositive: str = "clip",
    floor: float = 1e-3,
    return_report: bool = False,
):
    """Indicator, pillar and index scores for a tidy panel (one cross-section per period).

    Steps, in this order: denominate count indicators, impute, normalise, weight, aggregate.

    Args:
        observations: ``unit_code, period, indicator, value, status`` (+ ``source``, and an
            optional ``se``: the measurement standard error of the value, in its unit).
        framework: :class:`analysis.frameworks.Framework`, a YAML path, a preset name, or None
            (the commune framework).
        units: units table (``unit_code, population, households``...), needed for count
            indicators with a denominator and for ``*-by:COL`` imputation (default: the Đại Lộc
            units file when needed).
        normalise: the pillar scale (:mod:`analysis.composite.scales`): ``target`` (default:
            attainment of the national target of 2025, ``target:2030`` for 2030, capped at 1;
            indicators without a target on their goalposts; fixed, comparable across periods,
            [0, 1]), ``goalposts`` (the framework's goalposts, [0, 1]; ``goalposts:0,100`` puts
            every percentage indicator on [0, 100]), or the relative scales ``minmax`` (default
            range [0, 1]; ``minmax:LO,HI``), ``zscore[:MEAN,SD]``, ``rank``, ``percentile``
            (computed within each period), ``dist2target``.
        aggregate: ``arithmetic | geometric | harmonic | genmean`` (or one per level).
        impute: ``none | mean | median | mean-by:COL | median-by:COL | locf`` (means within a
            period; ``COL`` a column of ``units``; ``locf`` along each unit's periods).
        weights: ``framework | equal | dti | pca`` or a mapping node -> weight.
        normalise_params: overrides (``lo, hi, mean, sd, scale, year, cap, target``).
        p, min_coverage, nonpositive, floor: as in :func:`aggregate_tree` (default ``clip``: a 0
            on the [0, 1] scale enters a geometric mean as ``floor``).
        return_report: also return a dict: ``clipped`` points, ``imputed`` cells,
            ``effective_weights``, ``node_weights`` (the weights applied, tree order),
            ``normalised`` (the ``(periods, units, indicators)`` normalised values), ``periods``
            and ``unit_codes`` (its axes).

    Returns:
        ``unit_code, period, level, name, value, status`` (level in indicator|pillar|index; plus
        ``se``, the standard error on the normalised scale, when the observations have one);
        rows whose value is missing are left out.
    """
    fw = _load_framework(framework)
    ind_ids = fw.indicator_ids
    obs = _tidy_observations(observations, ind_ids)
    periods, unit_codes, X, S, SE = _panel(obs, ind_ids)
    report: dict = {"periods": periods, "unit_codes": unit_codes}
    indf = fw.indicators.set_index("id").loc[ind_ids]
    units = _denominate_panel(X, indf, units, unit_codes, SE)
    X, S, report["imputed"] = _impute_panel(X, S, impute, units, unit_codes)
    kw = scale_kwargs(normalise, ScaleMeta.from_framework(fw, ind_ids), normalise_params)
    dirs = indf["direction"].to_numpy(float)
    Xn, clipped = normalise_array(X, directions=dirs, return_clipped=True, **kw)
    SEn = None if SE is None else normalise_se(X, np.where(np.isnan(X), np.nan, SE), kw, dirs)
    if clipped.any():
        a, b, c = np.nonzero(clipped)
        report["clipped"] = pd.DataFrame(
            {
                "unit_code": np.asarray(unit_codes)[b],
                "period": np.asarray(periods)[a],
                "indicator": np.asarray(ind_ids)[c],
                "value": X[a, b, c],
                "normalised": Xn[a, b, c],
            }
        )
    report["normalised"] = Xn
    tree, W = _tidy_weights(fw, weights, Xn)
    out = aggregate_tree(
        Xn, tree, W, aggregate, p=p, min_coverage=min_coverage, nonpositive=nonpositive, floor=floor
    )
    Sall = _node_status(tree, out, Xn, S)
    report["effective_weights"] = pd.Series(effective_weights(tree, W), index=list(tree.indicators))
    report["node_weights"] = pd.Series(W, index=list(tree.nodes))
    scores = _long_scores(tree, out, Sall, periods, unit_codes, SEn)
    if return_report:
        return scores, report
    return scores


def _safe_time(fn, s):
    try:
        return fn(s)
    except ValueError:
        return float("inf")


def _impute_panel(X, S, method, units, unit_codes):
    """Impute a (P, U, I) panel; imputed cells get status max(imputed, worst donor status)."""
    base, col = parse_imputation(method)
    imp_code = STATUS_RANK["imputed"]
    if base == "none":
        return X, S, np.zeros(X.shape, dtype=bool)
    miss = np.isnan(X)
    if base == "locf":
        Xf, Sf = X.copy(), S.copy()
        for t in range(1, X.shape[0]):
            fill = np.isnan(Xf[t]) & ~np.isnan(Xf[t - 1])
            Xf[t] = np.where(fill, Xf[t - 1], Xf[t])
            Sf[t] = np.where(fill, np.maximum(Sf[t - 1], imp_code), Sf[t])
        return Xf, Sf, miss & ~np.isnan(Xf)
    if col is not None:
        if units is None:
            from ..units import load_units

            units = load_units()
        u = units.assign(unit_code=units["unit_code"].astype(str)).set_index("unit_code")
        if col not in u.columns:
            raise DataValidationError(
                [
                    f"imputation {method!r}: units table has no column {col!r}; columns are {list(u.columns)}"
                ]
            )
        groups = u[col].reindex(unit_codes).to_numpy()
    else:
        groups = np.zeros(len(unit_codes))
    f = np.nanmean if base == "mean" else np.nanmedian
    Xf, Sf = X.copy(), S.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for g in pd.unique(groups):
            idx = (
                np.flatnonzero(groups == g)
                if not (isinstance(g, float) and np.isnan(g))
                else np.flatnonzero(pd.isna(groups))
            )
            sub = X[:, idx, :]
            val = f(sub, axis=1, keepdims=True)  # (P, 1, I)
            worst = np.max(np.where(np.isnan(sub), -1, S[:, idx, :]), axis=1, keepdims=True)
            fill = np.isnan(sub) & ~np.isnan(val)
            Xf[:, idx, :] = np.where(fill, val, sub)
            Sf[:, idx, :] = np.where(fill, np.maximum(worst, imp_code), S[:, idx, :])
    return Xf, Sf, miss & ~np.isnan(Xf)


def pillar_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Wide table ``unit_code, period, <pillars>, index, status`` from :func:`compute_scores` output.

    ``status`` is the worst status of the row's pillar and index values.
    """
    s = scores[scores["level"].isin(["pillar", "index"])]
    wide = s.pivot(index=["unit_code", "period"], columns="name", values="value")
    sev = s.assign(_sev=status_codes(s["status"])).groupby(["unit_code", "period"])["_sev"].max()
    pillars = list(dict.fromkeys(s.loc[s["level"] == "pillar", "name"]))
    ordered = [p for p in config.PILLARS if p in pillars] + [
        p for p in pillars if p not in config.PILLARS
    ]
    index_names = list(dict.fromkeys(s.loc[s["level"] == "index", "name"]))
    wide = wide.reindex(columns=ordered + index_names)
    wide["status"] = np.asarray(config.STATUSES, dtype=object)[
        sev.reindex(wide.index).to_numpy(int)
    ]
    wide["status"] = wide["status"].astype(str)
    wide.columns.name = None
    return wide.reset_index()
