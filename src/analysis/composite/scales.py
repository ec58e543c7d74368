"""The pillar scale of a framework: the yardstick each indicator is measured against.

A gap G - E only means something if the pillars share a scale chosen on purpose. The default
is the **attainment of the national target** (``target:2025``; ``target:2030``): each indicator
as the share of its national target reached, capped at 1; indicators without a target keep the
framework's documented goalposts. The other absolute scales are the framework's goalposts
(``goalposts``) and the goalposts with every percentage indicator on [0, 100]
(``goalposts:0,100``); the relative ones (``minmax``, ``zscore``, ``rank``, ``percentile``)
place a commune among the others and have no common zero.

:func:`scale_kwargs` turns a scale label into the keyword arguments of
:func:`analysis.composite.arrays.normalise_array` for one framework (:class:`ScaleMeta`);
the tidy pipeline and the Monte Carlo of :mod:`analysis.robustness` both use it, so a label
means the same everywhere. :func:`normalise_se` carries a measurement standard error through
the same scale; :func:`describe_scale` is the ``scale`` entry of ``Results.method``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import MethodError
from .arrays import normalise_array
from .spec import (
    TARGET_YEARS,
    is_absolute_scale,
    normalisation_label,
    parse_normalisation,
)

#: A normalised value within this distance of 1 sits at the ceiling of a bounded scale.
CEILING_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class ScaleMeta:
    """What a scale needs to know about each indicator (columns in ``ids`` order).

    Attributes:
        ids: indicator ids.
        directions: ``(I,)`` +1 (higher is better) / -1.
        goalposts: ``(2, I)`` the framework's documented goalposts (raw units).
        targets: ``{year: (I,)}`` national targets (raw units; NaN = none that year).
        is_pct: ``(I,)`` True for percentage indicators (unit ``%``).
    """

    ids: tuple
    directions: np.ndarray
    goalposts: np.ndarray
    targets: dict
    is_pct: np.ndarray

    @classmethod
    def from_framework(cls, framework, ids=None) -> ScaleMeta:
        """The scale metadata of a :class:`~analysis.frameworks.Framework` (``ids``: a subset or
        an order of its indicators; default all, in framework order)."""
        ind = framework.indicators.set_index("id")
        ids = list(framework.indicator_ids if ids is None else ids)
        m = ind.loc[ids]
        targets = {
            y: (
                m[f"target_{y}"].astype(float).to_numpy()
                if f"target_{y}" in m.columns
                else np.full(len(ids), np.nan)
            )
            for y in TARGET_YEARS
        }
        unit = m["unit"].astype(str).str.strip() if "unit" in m.columns else None
        return cls(
            ids=tuple(ids),
            directions=m["direction"].to_numpy(float),
            goalposts=np.vstack(
                [m["goalpost_lo"].to_numpy(float), m["goalpost_hi"].to_numpy(float)]
            ),
            targets=targets,
            is_pct=np.zeros(len(ids), bool) if unit is None else (unit == "%").to_numpy(),
        )

    def target_mask(self, year: int) -> np.ndarray:
        """``(I,)`` True where the indicator has a national target for ``year``."""
        if int(year) not in self.targets:
            raise MethodError(f"no national targets for {year}; the framework has {TARGET_YEARS}")
        return ~np.isnan(self.targets[int(year)])


def _need(meta, label):
    if meta is None:
        raise MethodError(
            f"normalisation {label!r} needs the framework's goalposts and targets per indicator "
            "(the tidy path passes them); use minmax, zscore, rank or percentile for COINr iMeta inputs"
        )
    return meta


def scale_kwargs(value, meta: ScaleMeta | None = None, params: Mapping | None = None) -> dict:
    """Keyword arguments of :func:`normalise_array` (``method`` included, ``directions`` not)
    for a scale label on one framework.

    Defaults of the tidy path: ``minmax`` on [0, 1], ``zscore`` with mean 0 and SD 1,
    ``target`` of 2025. ``params`` overrides the label's parameters (``lo, hi, mean, sd, scale,
    year``; ``target``/``cap`` for ``dist2target``).

    >>> import numpy as np
    >>> meta = ScaleMeta(("a", "b"), np.array([1.0, 1.0]), np.array([[0.0, 0.0], [100.0, 40.0]]),
    ...                  {2025: np.array([80.0, np.nan]), 2030: np.array([np.nan, np.nan])},
    ...                  np.array([True, True]))
    >>> kw = scale_kwargs("goalposts:0,100", meta)
    >>> kw["method"], kw["goalposts"].tolist()
    ('goalposts', [[0.0, 0.0], [100.0, 100.0]])
    >>> scale_kwargs("target", meta)["targets"].tolist()
    [80.0, nan]
    """
    method, label_params = parse_normalisation(value)
    p = {**label_params, **dict(params or {})}
    if method == "target":
        m = _need(meta, value)
        year = int(p.pop("year", 2025))
        kw = {"targets": m.targets[year] if year in m.targets else None, "goalposts": m.goalposts}
        if kw["targets"] is None:
            raise MethodError(f"normalisation {value!r}: targets exist for {TARGET_YEARS}")
    elif method == "goalposts":
        gp = _need(meta, value).goalposts.copy()
        if "pct_lo" in p:
            lo, hi = p.pop("pct_lo"), p.pop("pct_hi")
            gp[0, meta.is_pct], gp[1, meta.is_pct] = lo, hi
        kw = {"goalposts": gp, "scale": p.pop("scale", 1.0)}
    elif method == "minmax":
        kw = {"lo": p.pop("lo", 0.0), "hi": p.pop("hi", 1.0)}
    elif method == "zscore":
        kw = {"mean": p.pop("mean", 0.0), "sd": p.pop("sd", 1.0)}
    elif method == "dist2target":
        year = int(str(p.pop("target", "target_2025")).rsplit("_", 1)[-1])
        kw = {"targets": _need(meta, value).targets[year], "cap": p.pop("cap", True)}
    else:  # rank, percentile, none
        kw = {}
    if p:
        raise MethodError(f"normalise_params {sorted(p)} do not apply to {value!r}")
    return {"method": method, **kw}


def tidy_scale_label(value, params: Mapping | None = None) -> str:
    """The canonical label of a tidy-path scale, its tidy defaults written out.

    >>> tidy_scale_label("minmax"), tidy_scale_label("target", {"year": 2030}), tidy_scale_label("zscore")
    ('minmax:0,1', 'target:2030', 'zscore:0,1')
    """
    method, label_params = parse_normalisation(value)
    p = {**label_params, **dict(params or {})}
    if method == "minmax":
        p = {"lo": p.get("lo", 0.0), "hi": p.get("hi", 1.0)}
    elif method == "zscore":
        p = {"mean": p.get("mean", 0.0), "sd": p.get("sd", 1.0)}
    return normalisation_label({"method": method, **p})


def normalise_se(X: np.ndarray, SE: np.ndarray, kw: dict, directions) -> np.ndarray:
    """A measurement standard error carried to the normalised scale (same shape as ``X``).

    Element-wise scales (``target``, ``goalposts``, ``none``): half the normalised distance
    between ``x - se`` and ``x + se`` (0 where both sit beyond a cap: a value far above its
    target stays at 1). ``minmax`` and ``zscore``: ``se`` times the scale's slope within the
    period. ``rank``, ``percentile``, ``dist2target``: NaN (not carried).
    """
    method = kw["method"]
    X = np.asarray(X, dtype=float)
    SE = np.abs(np.asarray(SE, dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method in ("target", "goalposts", "none"):
            up = normalise_array(X + SE, directions=directions, **kw)
            down = normalise_array(X - SE, directions=directions, **kw)
            return np.abs(up - down) / 2.0
        if method == "minmax":
            rng = np.nanmax(X, axis=-2, keepdims=True) - np.nanmin(X, axis=-2, keepdims=True)
            slope = (kw["hi"] - kw["lo"]) / np.where(rng > 0, rng, np.nan)
            return SE * slope
        if method == "zscore":
            sd = np.nanstd(X, axis=-2, ddof=1, keepdims=True)
            return SE * kw["sd"] / np.where(sd > 0, sd, np.nan)
    return np.full(X.shape, np.nan)


def ceiling_share(Xn: np.ndarray) -> float:
    """Share of the non-missing normalised values at the ceiling (>= 1 - 1e-9) of a bounded scale.

    >>> ceiling_share(np.array([0.5, 1.0, 1.0, np.nan]))
    0.6666666666666666
    """
    v = np.asarray(Xn, dtype=float)
    ok = ~np.isnan(v)
    return float((v[ok] >= 1.0 - CEILING_TOL).mean()) if ok.any() else float("nan")


def describe_scale(
    value,
    meta: ScaleMeta | None,
    *,
    capped_share: float | None = None,
    n_scored: int | None = None,
) -> dict:
    """The ``scale`` entry of ``Results.method``: which yardstick ran, for how many indicators.

    Keys: ``normalise`` (the method), ``label`` (canonical), ``relative`` (no common zero),
    ``n_indicators``; with ``target``: ``target_year``, ``n_with_target`` (indicators measured
    against their target) and ``n_goalposts`` (the others, on their goalposts);
    ``goalposts:LO,HI``: ``pct_goalposts``; ``n_lower_is_better`` (indicators reversed: for
    ``target``, attainment = target / value); ``capped_share`` when given (share of the
    current period's indicator values at the ceiling, e.g. the target already met);
    ``n_scored`` when given (indicators with at least one value in the current period: the
    others are in the framework but have no data to score).
    """
    method, params = parse_normalisation(value)
    out: dict = {
        "normalise": method,
        "label": tidy_scale_label(value),
        "relative": not is_absolute_scale(value),
    }
    if meta is not None:
        out["n_indicators"] = len(meta.ids)
        out["n_lower_is_better"] = int((meta.directions < 0).sum())
        if method == "target":
            year = int(params.get("year", 2025))
            k = int(meta.target_mask(year).sum())
            out.update(target_year=year, n_with_target=k, n_goalposts=len(meta.ids) - k)
    if method == "goalposts" and "pct_lo" in params:
        out["pct_goalposts"] = [params["pct_lo"], params["pct_hi"]]
    if n_scored is not None:
        out["n_scored"] = int(n_scored)
    if capped_share is not None:
        out["capped_share"] = None if np.isnan(capped_share) else round(float(capped_share), 4)
    return out
