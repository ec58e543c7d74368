"""The prepared design of a robustness run: every discrete variant of the data computed once.

Imputation x treatment x normalisation gives a stack ``(M, T, K, units, indicators)``; a run
only picks its slice. The base pipeline's step order (``base.order``, as in
:func:`analysis.composite.compute_index`) decides where denomination, imputation, screening and
treatment happen; the units kept by the base screening are the unit set of every run.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..composite import Tree, denominate, impute, screen_units
from ..composite.arrays import kurt, normalise_variants, skew
from ..composite.scales import ScaleMeta, scale_kwargs
from ..composite.spec import aggregation_power, normalisation_spec
from ..errors import DataValidationError, MethodError, ParameterError
from ..gaps.formula import PILLARS as GAP_PILLARS
from .spec import CHOICES

_DATA_STEPS = ("denominate", "impute", "screen", "treat")


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
    gap_slots: dict | None = None  # gap pillar -> its row in the evaluated targets
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


def _needed_columns(df: pd.DataFrame, tree, spec: dict, replay_values) -> pd.DataFrame:
    """The columns the data steps read (indicators, denominators, imputation groups), so that
    no step copies text columns it never uses; any other column is dropped."""
    labels = [spec["base"]["impute"]]
    labels += list((replay_values or {}).get("imputation") or [])
    labels += list(spec["uncertain"].get("imputation") or [])
    groups = [str(lab).split(":", 1)[1] for lab in labels if ":" in str(lab)]
    keep = [*tree.indicators, *tree.denominators.values(), *groups]
    cols = [c for c in dict.fromkeys(keep) if c in df.columns]
    return df[cols] if len(cols) < df.shape[1] else df


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
    X = np.asarray(X, dtype=float)
    n_ok = np.sum(~np.isnan(X), axis=0)
    treatable = n_ok >= 4

    def passing(Y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sk = skew(Y, axis=0)
            kt = kurt(Y, axis=0)
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


def _alternatives(name, base_label, listed, replay_values):
    """``(labels, n_sampled, base index)``: the listed (or replayed) alternatives, then the base."""
    if replay_values is not None:
        vals = replay_values.get(name)
        lst = list(vals) if vals is not None else []
    else:
        lst = list(listed or [])
    n_s = len(lst)
    if base_label in lst:
        b = lst.index(base_label)
    else:
        lst.append(base_label)
        b = len(lst) - 1
    return lst, n_s, b


def _leave_one_out(unc: dict, inds: list[str], replay_values):
    if replay_values is not None:
        loo = _alternatives("leave_one_out", "none", None, replay_values)
    else:
        lo = unc.get("leave_one_out")
        lst = (["none", *inds] if lo is True else list(lo)) if lo else []
        loo = _alternatives("leave_one_out", "none", lst, None) if lst else (["none"], 0, 0)
    bad = [x for x in loo[0] if x != "none" and x not in inds]
    if bad:
        raise ParameterError(
            f"leave_one_out: {bad} are not indicators of the tree; choose among {inds[:8]}..."
        )
    return loo


def _apply_steps(frame, steps, *, tree, inds, base, imputation, units, den_scale):
    """The data steps of ``steps`` (in order) on a wide frame; treatment is not applied here."""
    for step in steps:
        if step == "denominate" and base["denominate"]:
            frame = denominate(frame, tree, scale=den_scale)
        elif step == "impute" and imputation != "none":
            frame = impute(frame, inds, imputation)[0]
        elif step == "screen" and units is not None:
            frame = frame.loc[units]
    return frame


def _unit_set(df, steps, *, tree, inds, base, den_scale):
    """``(units, steps done, frame)``: the units kept by the base screening, on the data as the
    base order has it at that step, and the frame before screening (the base imputation's data
    variant reuses it instead of recomputing the same steps).

    Treatment is skipped: it never makes a value missing or fills one, and screening only
    counts the available values.
    """
    done, frame = (), None
    if base["screen"] is None:
        units = df.index
    else:
        before = [s for s in steps[: steps.index("screen")] if s != "treat"]
        frame = _apply_steps(
            df,
            before,
            tree=tree,
            inds=inds,
            base=base,
            imputation=base["impute"],
            units=None,
            den_scale=den_scale,
        )
        done = tuple(before)
        units = screen_units(frame, inds, float(base["screen"]))[0].index
    if len(units) < 3:
        raise DataValidationError(
            [
                f"only {len(units)} unit(s) left after screening at {base['screen']}; lower the threshold"
            ]
        )
    return units, done, frame


def _data_variants(df, tree, spec, imp_l, trt_l, nrm_l, den_scale):
    """``(units, X (M, T, U, I))``: every imputation x treatment variant, in the base order."""
    base = spec["base"]
    inds = list(tree.indicators)
    steps = [s for s in base["order"] if s in _DATA_STEPS]
    for g in {lab.split(":", 1)[1] for lab in imp_l if ":" in lab}:
        if g not in df.columns:
            raise DataValidationError(
                [
                    f"imputation 'mean-by:{g}': column {g!r} not in the data; columns are {list(df.columns)[:12]}..."
                ]
            )
    units, done, pre = _unit_set(df, steps, tree=tree, inds=inds, base=base, den_scale=den_scale)
    kw = {"tree": tree, "inds": inds, "base": base, "units": units, "den_scale": den_scale}
    before, after = steps[: steps.index("treat")], steps[steps.index("treat") + 1 :]
    wins = sorted({int(w) for w in trt_l if w != "off"})
    has_goalposts = any(
        normalisation_spec(lab)["method"] in ("goalposts", "target") for lab in nrm_l
    )
    Xmt = np.empty((len(imp_l), len(trt_l), len(units), len(inds)))
    for m, lab in enumerate(imp_l):
        if pre is not None and lab == base["impute"] and tuple(before[: len(done)]) == done:
            frame = _apply_steps(pre, before[len(done) :], imputation=lab, **kw)
        else:
            frame = _apply_steps(df, before, imputation=lab, **kw)
        Xm = frame[inds].to_numpy(float)
        treated, was_logged = _treat_variants(Xm, wins, return_logged=True) if wins else ({}, {})
        if has_goalposts:
            bad = sorted({inds[i] for mask in was_logged.values() for i in np.flatnonzero(mask)})
            if bad:
                raise MethodError(
                    f"outlier treatment log-transforms {bad} (still skewed after winsorising), but goalposts "
                    "and target normalisation need raw units; with them keep winmax off (truncation at the "
                    "goalposts or the target is the outlier treatment) or use a data-driven normalisation"
                )
        for t, w in enumerate(trt_l):
            Xt = Xm if w == "off" else treated[int(w)]
            if after:  # steps after the treatment: run them on the treated frame
                ft = frame.copy()
                ft[inds] = Xt
                Xt = _apply_steps(ft, after, imputation=lab, **kw).loc[units, inds].to_numpy(float)
            Xmt[m, t] = Xt
    return units, Xmt


def _scale_meta(goalposts, tree) -> ScaleMeta | None:
    """The framework's scale metadata: given (tidy path), or goalposts only (an array)."""
    if goalposts is None or isinstance(goalposts, ScaleMeta):
        return goalposts
    gp = np.asarray(goalposts, dtype=float)
    gp = gp if gp.shape[0] == 2 else gp.T
    n = tree.n_indicators
    return ScaleMeta(tuple(tree.indicators), tree.directions, gp, {}, np.zeros(n, dtype=bool))


def _normalised_stack(Xmt, nrm_l, tree, scales):
    """``(stack (M*T*K, U, I), complete (M*T*K,))``: every data variant, normalised every way
    (each label read by :func:`analysis.composite.scales.scale_kwargs`)."""
    M, T, U, n_ind = Xmt.shape
    meta = _scale_meta(scales, tree)
    specs = [scale_kwargs(lab, meta) for lab in nrm_l]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stack = normalise_variants(Xmt, specs, directions=tree.directions)  # (K, M, T, U, I)
    stack = np.ascontiguousarray(np.moveaxis(stack, 0, 2)).reshape(M * T * len(nrm_l), U, n_ind)
    return stack, ~np.isnan(stack).any(axis=(1, 2))


def _replayed_weights(tree, base_w, w_ids, weight_sets):
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
        return np.vstack([*rows, base_w]) if rows else base_w[None, :]
    return np.vstack([base_w for _ in w_ids] + [base_w])


def _weight_alternatives(tree, spec, *, replay_values, weight_sets, seed, n_fresh):
    """``(W_alts (n, n_nodes), labels, n_sampled, fresh spec or None, base weights)``; the
    base ("nominal") weights are the last alternative."""
    base_w = tree.weight_vector(base=spec["base"]["weights"])
    if replay_values is not None:
        w_ids = list(replay_values.get("weights") or [])
        W_alts = _replayed_weights(tree, base_w, w_ids, weight_sets)
        return W_alts, [*w_ids, "nominal"], len(w_ids), None, base_w
    ws = spec["uncertain"].get("weights")
    if ws is None:
        return base_w[None, :], ["nominal"], 0, None, base_w
    if "file" in ws or weight_sets is not None:
        ids, Wsets = _read_weight_sets(
            weight_sets if weight_sets is not None else ws["file"], tree, base_w
        )
        return np.vstack([Wsets, base_w]), [*ids, "nominal"], len(ids), None, base_w
    n_sets = ws["sets"] if ws["sets"] is not None else (n_fresh or 100)
    fresh = ws if ws["sets"] is None and n_fresh else None
    rng_w = np.random.default_rng([int(seed), 1])
    Wsets = _perturbed_weights(tree, base_w, ws["perturb"], n_sets, rng_w)
    labels = [str(i + 1) for i in range(n_sets)] + ["nominal"]
    return np.vstack([Wsets, base_w]), labels, n_sets, fresh, base_w


def _prepare(
    data,
    imeta,
    spec: dict,
    *,
    goalposts: np.ndarray | ScaleMeta | None = None,
    weight_sets=None,
    seed: int,
    n_fresh: int = 0,
    replay_values: dict | None = None,
    den_scale: dict | None = None,
) -> _Design:
    """Precompute every discrete variant of the data (imputation x treatment x normalisation).

    ``goalposts``: the framework's :class:`~analysis.composite.scales.ScaleMeta` (goalposts,
    targets, percentage indicators: every scale label), or a ``(2, I)`` goalposts array
    (``goalposts`` labels only), or None (data-driven scales only)."""
    t0 = time.perf_counter()
    tree = Tree.from_imeta(imeta if imeta is not None else data.imeta)
    df = _as_unit_frame(data)
    inds = list(tree.indicators)
    missing = [c for c in inds if c not in df.columns]
    if missing:
        raise DataValidationError([f"indicator column(s) {missing} from iMeta are not in the data"])
    for c in [c for c in inds if df[c].dtype != np.float64]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    base, unc = spec["base"], spec["uncertain"]
    df = _needed_columns(df, tree, spec, replay_values)
    imp = _alternatives("imputation", base["impute"], unc.get("imputation"), replay_values)
    trt = _alternatives("winmax", base["winmax"], unc.get("winmax"), replay_values)
    nrm = _alternatives(
        "normalisation", base["normalisation"], unc.get("normalisation"), replay_values
    )
    agg = _alternatives("aggregation", base["aggregation"], unc.get("aggregation"), replay_values)
    loo = _leave_one_out(unc, inds, replay_values)
    units, Xmt = _data_variants(df, tree, spec, imp[0], trt[0], nrm[0], den_scale)
    stack, complete = _normalised_stack(Xmt, nrm[0], tree, goalposts)
    W_alts, w_labels, w_n, fresh, base_w = _weight_alternatives(
        tree, spec, replay_values=replay_values, weight_sets=weight_sets, seed=seed, n_fresh=n_fresh
    )
    root = tree.index_of(tree.root)
    present = [p for p in GAP_PILLARS if p in tree.nodes]
    # government and at least one of economy / society (the UN EGDI has no economy pillar)
    has_gaps = GAP_PILLARS[0] in present and len(present) >= 2
    present = present if has_gaps else []
    return _Design(
        tree=tree,
        unit_codes=[str(u) for u in units],
        labels=[imp[0], trt[0], nrm[0], w_labels, agg[0], loo[0]],
        n_sampled=[imp[1], trt[1], nrm[1], w_n, agg[1], loo[1]],
        base_idx=[imp[2], trt[2], nrm[2], len(w_labels) - 1, agg[2], loo[2]],
        stack=stack,
        shape_mtk=(len(imp[0]), len(trt[0]), len(nrm[0])),
        complete=complete,
        weight_alts=W_alts,
        p_alts=np.array([aggregation_power(a) for a in agg[0]]),
        loo_alts=np.array([-1 if x == "none" else inds.index(x) for x in loo[0]], dtype=np.int64),
        targets=[root] + [tree.index_of(p) for p in present],
        has_gaps=has_gaps,
        gap_slots={p: 1 + i for i, p in enumerate(present)},
        spec=spec,
        nonpositive=str(base.get("nonpositive", "clip")),
        floor=float(base.get("floor", 1e-3)),
        weight_set_ids=w_labels,
        fresh_weights=fresh,
        base_weights=base_w,
        prep_s=time.perf_counter() - t0,
    )
