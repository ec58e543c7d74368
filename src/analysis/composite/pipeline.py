"""The pipelines: COINr-layout wide tables (:func:`compute_index`) and our tidy panels
(:func:`compute_scores`), plus the preset registry. Conventions: see :mod:`analysis.composite`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataValidationError, FrameworkError, MethodError
from ..status import RANK as STATUS_RANK
from ..status import status_codes
from ._tree import Tree
from .arrays import aggregate_tree, effective_weights, normalise_array, rank_array
from .steps import denominate as _denominate
from .steps import impute as _impute
from .steps import screen_units, treat_outliers
from .weights import compute_weights, pca_weights

#: Status codes, best to worst (index = severity).


# =========================================================================== COINr reader
@dataclass(frozen=True, eq=False)
class CoinData:
    """A COINr ``iData`` + ``iMeta`` pair.

    Attributes:
        idata: iData as read (``uCode`` as str).
        imeta: iMeta as read.
        tree: the indicator tree.
        data: iData indexed by ``uCode``.
        groups: group columns (``*_group`` or iMeta Type ``Group``).
        denominators: denominator columns (iMeta Type ``Denominator``).
        units: ``uCode, uName`` table.
    """

    idata: pd.DataFrame
    imeta: pd.DataFrame
    tree: Tree
    data: pd.DataFrame
    groups: list[str]
    denominators: list[str]
    units: pd.DataFrame


def load_coinr(idata_path: str | Path, imeta_path: str | Path) -> CoinData:
    """Read a COINr ``iData``/``iMeta`` pair (CSV) such as ``shared/datasets/asem/``.

    Raises:
        DataValidationError: missing ``uCode``, duplicated codes, indicator columns absent
            from iData, non-numeric indicator values.
        FrameworkError: malformed iMeta tree.
    """
    idata_path, imeta_path = Path(idata_path), Path(imeta_path)
    for p in (idata_path, imeta_path):
        if not p.exists():
            raise DataValidationError([f"{p}: file not found"], source=str(p))
    idata = pd.read_csv(idata_path, dtype={"uCode": str}, encoding="utf-8-sig")
    imeta = pd.read_csv(imeta_path, encoding="utf-8-sig")
    if "uCode" not in idata.columns:
        raise DataValidationError(
            [
                f"{idata_path}: no 'uCode' column; iData needs uCode (unit code) and one column per indicator"
            ],
            source=str(idata_path),
        )
    if "iCode" in imeta.columns:
        imeta["iCode"] = imeta["iCode"].astype(str)
    for col in ("uCode", "uName"):
        if col in idata.columns:
            idata[col] = idata[col].map(
                lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
            )
    dup = idata["uCode"][idata["uCode"].duplicated()].tolist()
    if dup:
        raise DataValidationError(
            [f"{idata_path}: duplicated uCode {dup}; each unit needs one row"],
            source=str(idata_path),
        )
    tree = Tree.from_imeta(imeta, source=str(imeta_path))
    missing = [c for c in tree.indicators if c not in idata.columns]
    if missing:
        raise DataValidationError(
            [
                f"{idata_path}: indicator column(s) {missing} listed in {imeta_path.name} are missing"
            ],
            source=str(idata_path),
        )
    problems = []
    for c in tree.indicators:
        v = pd.to_numeric(idata[c], errors="coerce")
        bad = idata[c].notna() & v.isna()
        if bad.any():
            r = int(np.flatnonzero(bad.to_numpy())[0])
            problems.append(
                f"{idata_path}: row {r + 2}, column {c!r}: {idata[c].iloc[r]!r} is not a number"
            )
        idata[c] = v.astype(float)
    if problems:
        raise DataValidationError(problems, source=str(idata_path))
    typ = imeta["Type"].astype(str) if "Type" in imeta.columns else pd.Series("", index=imeta.index)
    groups = [c for c in idata.columns if c.endswith("_group")]
    groups += [
        c for c in imeta.loc[typ == "Group", "iCode"] if c in idata.columns and c not in groups
    ]
    dens = [c for c in imeta.loc[typ == "Denominator", "iCode"] if c in idata.columns]
    data = idata.set_index("uCode", drop=False)
    data.index = data.index.astype(str)
    data.index.name = "uCode"
    units = idata[[c for c in ("uCode", "uName") if c in idata.columns]]
    return CoinData(
        idata=idata,
        imeta=imeta,
        tree=tree,
        data=data,
        groups=groups,
        denominators=dens,
        units=units,
    )


# =========================================================================== wide pipeline
@dataclass(eq=False)
class CompositeResult:
    """Everything :func:`compute_index` produced (wide tables, rows = units)."""

    tree: Tree
    raw: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.Series
    weights: pd.Series
    effective_weights: pd.Series
    report: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """``uCode``, every normalised indicator, every aggregate (by level, alphabetical), ``Index_rank``."""
        out = self.scores.copy()
        out.insert(0, "uCode", out.index.astype(str))
        out["Index_rank"] = pd.array(self.ranks.to_numpy(), dtype="Int64")
        return out.reset_index(drop=True)


def _normalise_kwargs(method: str, params: Mapping | None, tree: Tree, imeta) -> dict:
    params = dict(params or {})
    kw: dict = {"method": method}
    if method == "minmax":
        kw.update(lo=params.pop("lo", 0.0), hi=params.pop("hi", 100.0))
    elif method == "zscore":
        kw.update(mean=params.pop("mean", 0.0), sd=params.pop("sd", 1.0))
    elif method == "goalposts":
        gp = params.pop("goalposts", None)
        if gp is None:
            if not isinstance(imeta, pd.DataFrame) or not {
                "goalpost_lower",
                "goalpost_upper",
            } <= set(imeta.columns):
                raise MethodError(
                    "normalise='goalposts' needs iMeta columns goalpost_lower and goalpost_upper (COINr names), or normalise_params={'goalposts': ...}"
                )
            m = imeta.set_index(imeta["iCode"].astype(str))
            gp = np.vstack(
                [
                    pd.to_numeric(m.loc[list(tree.indicators), c]).to_numpy(float)
                    for c in ("goalpost_lower", "goalpost_upper")
                ]
            )
        kw.update(goalposts=gp, scale=params.pop("scale", 1.0), clip=params.pop("clip", True))
    elif method == "dist2target":
        kw.update(targets=params.pop("targets", tree.targets), cap=params.pop("cap", False))
    elif method not in ("rank", "percentile", "none"):
        raise MethodError(
            f"unknown normalisation {method!r}; choose minmax, zscore, rank, percentile, goalposts, dist2target or none"
        )
    if params:
        raise MethodError(f"normalise_params {sorted(params)} do not apply to {method!r}")
    return kw


def _as_wide(data: pd.DataFrame) -> pd.DataFrame:
    if "uCode" in data.columns and data.index.name != "uCode":
        data = data.set_index("uCode", drop=False)
    data = data.copy()
    data.index = data.index.astype(str)
    return data


def compute_index(
    data: pd.DataFrame,
    imeta,
    *,
    denominate: bool = False,
    impute: str = "none",
    screen: float | None = None,
    treat: str = "none",
    winmax: int | None = 5,
    normalise: str = "minmax",
    normalise_params: Mapping | None = None,
    aggregate="arithmetic",
    p=None,
    weights="meta",
    weight_mapping: Mapping[str, float] | None = None,
    points: Mapping[str, float] | None = None,
    min_coverage: float | None = None,
    nonpositive: str = "raise",
    floor: float = 1e-3,
) -> CompositeResult:
    """Run the whole composite on one wide table (COINr order: denominate, screen, impute,
    treat, normalise, weight, aggregate).

    Args:
        data: one row per unit (index = unit codes, or a ``uCode`` column); indicator columns
            named by iCode, plus denominator / group columns when used.
        imeta: iMeta-like DataFrame (``Level, iCode, Parent, Type, Direction, Weight`` ...) or a Tree.
        denominate: divide indicators by their iMeta ``Denominator`` column.
        impute: ``none | mean | median | mean-by:COL | median-by:COL``.
        screen: drop units with data availability below this fraction (None = keep all).
        treat: ``none`` or ``jrc`` (COINr default treatment with ``winmax``).
        winmax: maximum winsorised points for ``treat="jrc"``.
        normalise: ``minmax | zscore | rank | percentile | goalposts | dist2target | none``.
        normalise_params: e.g. ``{"lo": 0, "hi": 100}``, ``{"mean": 10, "sd": 2}``,
            ``{"goalposts": arr, "scale": 1}``, ``{"targets": arr, "cap": True}``.
        aggregate: ``arithmetic | geometric | harmonic | genmean`` or one per level.
        p: generalised-mean power (with ``genmean``).
        weights: ``meta | equal | custom | dti | pca``, or an array ``(n_nodes,)``, or a
            mapping node -> weight (over iMeta weights).
        weight_mapping, points: for ``custom`` / ``dti``.
        min_coverage: parent NaN below this share of available children (COINr ``dat_thresh``).
        nonpositive, floor: handling of values <= 0 in geometric/harmonic means.

    Returns:
        :class:`CompositeResult`.
    """
    tree = Tree.from_imeta(imeta)
    data = _as_wide(data)
    missing = [c for c in tree.indicators if c not in data.columns]
    if missing:
        raise DataValidationError([f"indicator column(s) {missing} from iMeta are not in the data"])
    report: dict = {}
    work = data.copy()
    for c in tree.indicators:
        work[c] = pd.to_numeric(work[c], errors="coerce").astype(float)
    if denominate:
        work = _denominate(work, tree)
    raw = work[list(tree.indicators)].copy()
    if screen is not None:
        work, rep = screen_units(work, tree.indicators, float(screen))
        report["screening"] = rep
    work, mask = _impute(work, tree.indicators, impute)
    report["imputed"] = mask
    if treat not in ("none", "jrc", None):
        raise MethodError(f"unknown treatment {treat!r}; use 'none' or 'jrc'")
    if treat == "jrc":
        work, details, pts = treat_outliers(work, tree.indicators, winmax=winmax)
        report["treatment"] = details
        report["treated_points"] = pts
    treated = work[list(tree.indicators)].copy()
    X = treated.to_numpy(dtype=float)
    kw = _normalise_kwargs(normalise, normalise_params, tree, imeta)
    Xn, clipped = normalise_array(X, directions=tree.directions, return_clipped=True, **kw)
    if clipped.any():
        r, c = np.nonzero(clipped)
        report["clipped"] = pd.DataFrame(
            {
                "unit": treated.index[r].astype(str),
                "iCode": [tree.indicators[j] for j in c],
                "value": X[r, c],
                "normalised": Xn[r, c],
            }
        )
    if isinstance(weights, str):
        if weights == "pca":
            W, info = pca_weights(tree, Xn)
            report["pca"] = info
        else:
            W = compute_weights(tree, weights, mapping=weight_mapping, points=points)
    elif isinstance(weights, Mapping):
        W = tree.weight_vector(weights, base="meta")
    else:
        W = np.asarray(weights, dtype=float)
    out, agg_rep = aggregate_tree(
        Xn,
        tree,
        W,
        aggregate,
        p=p,
        min_coverage=min_coverage,
        nonpositive=nonpositive,
        floor=floor,
        return_report=True,
    )
    report["aggregation"] = agg_rep
    scores = pd.DataFrame(out, index=treated.index, columns=list(tree.nodes))
    scores.index.name = "uCode"
    ranks = pd.Series(
        rank_array(out[:, tree.index_of(tree.root)]), index=treated.index, name="Index_rank"
    )
    report["coverage"] = treated.notna().mean(axis=0)
    return CompositeResult(
        tree=tree,
        raw=raw,
        treated=treated,
        normalised=scores[list(tree.indicators)].copy(),
        scores=scores,
        ranks=ranks,
        weights=pd.Series(W, index=list(tree.nodes), name="weight"),
        effective_weights=pd.Series(
            effective_weights(tree, W), index=list(tree.indicators), name="effective_weight"
        ),
        report=report,
    )


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


_PRESETS: dict[str, Callable[[], Preset]] = {}


def register_preset(name: str, builder: Callable[[], Preset]) -> None:
    """Register a preset builder (called lazily by :func:`get_preset`)."""
    _PRESETS[name] = builder


#: Modules that register built-in presets when imported, loaded lazily by :func:`get_preset` and
#: :func:`list_presets` (``analysis.realdata``: egdi, desi2022, dti_provincial, dti_pillars).
_PRESET_MODULES = ("analysis.realdata",)


def _load_builtin_presets() -> None:
    import importlib
    import sys

    for mod in _PRESET_MODULES:
        if mod not in sys.modules:
            importlib.import_module(mod)


def list_presets() -> list[str]:
    """Names of the registered presets (built-in ones included, imported on first use)."""
    _load_builtin_presets()
    return sorted(_PRESETS)


def get_preset(name: str) -> Preset:
    """Build a registered preset: ``commune``, ``egdi``, ``desi2022``, ``dti_provincial``, ``dti_pillars``.

    The real-data presets are registered by :mod:`analysis.realdata`, imported here on first use,
    so ``get_preset("egdi")`` works without importing it first.
    """
    if name not in _PRESETS:
        _load_builtin_presets()
    if name not in _PRESETS:
        raise MethodError(f"unknown preset {name!r}; available: {list_presets()}")
    return _PRESETS[name]()


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


def _commune_preset() -> Preset:
    from ..frameworks import load_framework

    fw = load_framework()
    return Preset(
        name="commune",
        imeta=framework_imeta(fw),
        options={
            "normalise": "goalposts",
            "normalise_params": {"scale": 1.0},
            "aggregate": "arithmetic",
            "weights": "meta",
        },
        description="Commune digital-transformation framework: fixed goalposts to [0, 1], arithmetic means, framework weights",
        framework=fw,
    )


register_preset("commune", _commune_preset)


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


def _denominator_values(units: pd.DataFrame, col: str, codes: list[str]) -> np.ndarray:
    u = units.copy()
    u["unit_code"] = u["unit_code"].astype(str)
    u = u.set_index("unit_code")
    for c in (col, f"{col}_2019_constituents"):
        if c in u.columns:
            vals = pd.to_numeric(u[c], errors="coerce").reindex(codes)
            missing = [k for k, v in vals.items() if not (v > 0)]
            if missing:
                raise DataValidationError(
                    [
                        f"units table: column {c!r} has no positive value for unit_code(s) {missing}; needed to denominate count indicators"
                    ]
                )
            return vals.to_numpy(float)
    raise DataValidationError(
        [
            f"units table has no column {col!r} (or {col}_2019_constituents); needed to denominate count indicators"
        ]
    )


def compute_scores(
    observations: pd.DataFrame,
    framework=None,
    units: pd.DataFrame | None = None,
    *,
    normalise: str = "goalposts",
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

    Args:
        observations: ``unit_code, period, indicator, value, status`` (+ ``source``).
        framework: :class:`analysis.frameworks.Framework`, a YAML path, a preset name, or None
            (the commune framework).
        units: units table (``unit_code, population, households``...), needed for count
            indicators with a denominator and for ``*-by:COL`` imputation (default: the Đại Lộc
            units file when needed).
        normalise: ``goalposts`` (default; fixed, comparable across periods, [0, 1]) or
            ``minmax`` (default range [0, 1]), ``zscore``, ``rank``, ``percentile``,
            ``dist2target`` (framework ``target_2025``; ``{"target": "target_2030"}`` to switch).
            Data-driven methods are computed within each period.
        aggregate: ``arithmetic | geometric | harmonic | genmean`` (or one per level).
        impute: ``none | mean | median | mean-by:COL | median-by:COL | locf`` (means within a
            period; ``COL`` a column of ``units``; ``locf`` along each unit's periods).
        weights: ``framework | equal | dti | pca`` or a mapping node -> weight.
        normalise_params: overrides (``lo, hi, mean, sd, scale, cap, target``).
        p, min_coverage, nonpositive, floor: as in :func:`aggregate_tree` (default ``clip``: a 0
            on the [0, 1] scale enters a geometric mean as ``floor``).
        return_report: also return a dict (clipped points, imputed cells, effective weights).

    Returns:
        ``unit_code, period, level, name, value, status`` (level in indicator|pillar|index); rows
        whose value is missing are left out.
    """
    fw = _load_framework(framework)
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
    if "status" not in obs.columns:
        obs["status"] = "observed"
    bad_status = sorted(set(obs["status"].dropna().astype(str)) - set(STATUS_RANK))
    if bad_status:
        raise DataValidationError(
            [f"observations: status value(s) {bad_status} not in {list(config.STATUSES)}"]
        )
    ind_ids = fw.indicator_ids
    obs = obs[obs["indicator"].isin(ind_ids)]
    dup = obs.duplicated(["unit_code", "period", "indicator"])
    if dup.any():
        r = obs[dup].iloc[0]
        raise DataValidationError(
            [
                f"observations: {int(dup.sum())} duplicated (unit_code, period, indicator), e.g. {r['unit_code']}, {r['period']}, {r['indicator']}"
            ]
        )
    from ..periods import period_to_time

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
    report: dict = {}
    indf = fw.indicators.set_index("id").loc[ind_ids]
    # ---- denominate count indicators
    den_cols = indf["denominator"].where(indf["kind"] == "count")
    if den_cols.notna().any():
        if units is None:
            from ..io import load_units

            units = load_units()
        for j, (ind, col) in enumerate(den_cols.items()):
            if isinstance(col, str) and col:
                d = _denominator_values(units, col, unit_codes)
                X[:, :, j] = X[:, :, j] / d[None, :] * float(indf.loc[ind, "denominator_scale"])
    # ---- impute
    X, S, imputed = _impute_panel(X, S, impute, units, unit_codes)
    report["imputed"] = imputed
    # ---- normalise (per period: leading axis)
    params = dict(normalise_params or {})
    dirs = indf["direction"].to_numpy(float)
    if normalise == "goalposts":
        kw = {
            "goalposts": np.vstack(
                [indf["goalpost_lo"].to_numpy(float), indf["goalpost_hi"].to_numpy(float)]
            ),
            "scale": params.pop("scale", 1.0),
        }
    elif normalise == "minmax":
        kw = {"lo": params.pop("lo", 0.0), "hi": params.pop("hi", 1.0)}
    elif normalise == "zscore":
        kw = {"mean": params.pop("mean", 0.0), "sd": params.pop("sd", 1.0)}
    elif normalise == "dist2target":
        tcol = params.pop("target", "target_2025")
        kw = {"targets": indf[tcol].astype(float).to_numpy(), "cap": params.pop("cap", True)}
    elif normalise in ("rank", "percentile", "none"):
        kw = {}
    else:
        raise MethodError(
            f"unknown normalisation {normalise!r}; choose goalposts, minmax, zscore, rank, percentile, dist2target"
        )
    if params:
        raise MethodError(f"normalise_params {sorted(params)} do not apply to {normalise!r}")
    Xn, clipped = normalise_array(X, normalise, directions=dirs, return_clipped=True, **kw)
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
    # ---- weights and aggregation
    if isinstance(weights, Mapping):
        imeta = fw.to_imeta("framework")
        tree = Tree.from_imeta(imeta)
        W = tree.weight_vector(weights, base="meta")
    elif weights == "pca":
        tree = Tree.from_imeta(fw.to_imeta("framework"))
        W, _ = pca_weights(tree, Xn.reshape(-1, n_ind))
    elif weights in ("framework", "equal", "dti"):
        tree = Tree.from_imeta(fw.to_imeta(weights))
        W = tree.weights
    else:
        raise MethodError(
            f"unknown weights {weights!r}; use framework, equal, dti, pca or a mapping"
        )
    out = aggregate_tree(
        Xn, tree, W, aggregate, p=p, min_coverage=min_coverage, nonpositive=nonpositive, floor=floor
    )
    Sall = np.full(out.shape, -1, dtype=np.int8)
    Sall[..., :n_ind] = np.where(np.isnan(Xn), -1, S)
    for _, parents in tree.aggregation_steps():
        for j in parents:
            kids = np.flatnonzero(tree.parent == j)
            ks = np.where(np.isnan(out[..., kids]), -1, Sall[..., kids])
            Sall[..., j] = np.where(np.isnan(out[..., j]), -1, ks.max(axis=-1))
    report["effective_weights"] = pd.Series(effective_weights(tree, W), index=list(tree.indicators))
    # ---- long table
    root = tree.root
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
    for c in ("unit_code", "period", "level", "name", "status"):
        scores[c] = scores[c].astype(str)
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
    method = (method or "none").strip()
    imp_code = STATUS_RANK["imputed"]
    if method == "none":
        return X, S, np.zeros(X.shape, dtype=bool)
    miss = np.isnan(X)
    if method == "locf":
        Xf, Sf = X.copy(), S.copy()
        for t in range(1, X.shape[0]):
            fill = np.isnan(Xf[t]) & ~np.isnan(Xf[t - 1])
            Xf[t] = np.where(fill, Xf[t - 1], Xf[t])
            Sf[t] = np.where(fill, np.maximum(Sf[t - 1], imp_code), Sf[t])
        return Xf, Sf, miss & ~np.isnan(Xf)
    if ":" in method:
        base, col = method.split(":", 1)
        base = {"mean-by": "mean", "median-by": "median"}.get(base)
        if base is None:
            raise MethodError(
                f"unknown imputation {method!r}; use none, mean, median, mean-by:COL, median-by:COL or locf"
            )
        if units is None:
            from ..io import load_units

            units = load_units()
        u = units.assign(unit_code=units["unit_code"].astype(str)).set_index("unit_code")
        if col not in u.columns:
            raise DataValidationError(
                [
                    f"imputation {method!r}: units table has no column {col!r}; columns are {list(u.columns)}"
                ]
            )
        groups = u[col].reindex(unit_codes).to_numpy()
    elif method in ("mean", "median"):
        base, groups = method, np.zeros(len(unit_codes))
    else:
        raise MethodError(
            f"unknown imputation {method!r}; use none, mean, median, mean-by:COL, median-by:COL or locf"
        )
    f = np.nanmean if base == "mean" else np.nanmedian
    Xf, Sf = X.copy(), S.copy()
    import warnings

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


# =========================================================================== command-line entry
def parse_normalise_spec(spec: str) -> tuple[str, dict]:
    """``minmax[:LO,HI]`` | ``zscore[:MEAN,SD]`` | ``rank`` | ``percentile`` | ``goalposts`` | ``dist2target``.

    >>> parse_normalise_spec("minmax:1,100")
    ('minmax', {'lo': 1.0, 'hi': 100.0})
    >>> parse_normalise_spec("zscore")
    ('zscore', {})
    """
    method, _, arg = spec.partition(":")
    keys = {"minmax": ("lo", "hi"), "zscore": ("mean", "sd")}
    if not arg:
        return method, {}
    if method not in keys:
        raise MethodError(
            f"--normalise {spec!r}: only minmax:LO,HI and zscore:MEAN,SD take parameters"
        )
    try:
        a, b = (float(v) for v in arg.split(","))
    except ValueError:
        raise MethodError(
            f"--normalise {spec!r}: expected two numbers after ':', e.g. minmax:0,100 or zscore:10,2"
        ) from None
    return method, dict(zip(keys[method], (a, b), strict=True))


def parse_treat_spec(spec: str) -> tuple[str, int | None]:
    """``none`` | ``jrc`` | ``jrc:WINMAX``.

    >>> parse_treat_spec("jrc:3")
    ('jrc', 3)
    """
    method, _, arg = (spec or "none").partition(":")
    if method not in ("none", "jrc"):
        raise MethodError(f"--treat {spec!r}: use none, jrc or jrc:WINMAX")
    if not arg:
        return method, 5
    try:
        return method, int(arg)
    except ValueError:
        raise MethodError(f"--treat {spec!r}: WINMAX must be an integer, e.g. jrc:5") from None


def run_index(
    idata: str | Path,
    imeta: str | Path,
    out: str | Path,
    *,
    denominate: bool = False,
    impute: str = "none",
    screen: float | None = None,
    treat: str = "none",
    normalise: str = "minmax",
    aggregate: str = "arithmetic",
    weights: str = "meta",
    min_coverage: float | None = None,
    nonpositive: str = "raise",
) -> Path:
    """``dgap index``: read a COINr iData/iMeta pair, run :func:`compute_index`, write the scores CSV.

    The CSV has ``uCode``, every normalised indicator, every aggregate (columns by iCode) and
    ``Index_rank`` (1 = best, ties share the lowest rank). Written atomically.
    """
    from ..outputs import atomic_write

    coin = load_coinr(idata, imeta)
    method, params = parse_normalise_spec(normalise)
    treat_method, winmax = parse_treat_spec(treat)
    res = compute_index(
        coin.data,
        coin.imeta,
        denominate=denominate,
        impute=impute,
        screen=screen,
        treat=treat_method,
        winmax=winmax,
        normalise=method,
        normalise_params=params,
        aggregate=aggregate,
        weights=weights,
        min_coverage=min_coverage,
        nonpositive=nonpositive,
    )
    out = Path(out)
    with atomic_write(out) as fh:
        res.to_frame().to_csv(fh, index=False, lineterminator="\n")
    return out
