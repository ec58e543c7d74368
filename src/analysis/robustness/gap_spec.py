"""The Monte Carlo of one analysis: the spec whose nominal run is the analysis that ran, and its
description (the ``monte_carlo`` entry of ``Results.method``).

:func:`gap_spec` starts from a preset (``commune``: scale, weights, aggregation, imputation and
leave-one-indicator-out uncertain) and makes its base the scale, aggregation and imputation of
the run, so the nominal draw reproduces the reported scores. The scale is drawn only among the
**absolute** scales (attainment of the 2025 / 2030 targets, the framework's goalposts, every
percentage indicator on [0, 100]): on them every commune is measured against the same fixed
yardstick, so the gap has a common zero and "G > E" means the same thing in every draw. A
scale the framework cannot tell apart from another is dropped (no 2030 target: ``target:2030``
is the goalposts; no percentage indicator off [0, 100]: ``goalposts:0,100`` is the goalposts).
When the run's own scale is relative (min-max, z-score, rank, percentile) the scale is not
varied: mixing relative and absolute scales would mix two meanings of a gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..composite.scales import ScaleMeta, scale_kwargs, tidy_scale_label
from ..composite.spec import is_absolute_scale, parse_imputation
from .spec import CHOICES, load_spec

#: How ``Results.method["monte_carlo"]["varied"]`` names each choice of the spec.
VARIED_NAMES = {
    "normalisation": "scale",
    "weights": "weights",
    "aggregation": "aggregation",
    "imputation": "imputation",
    "leave_one_out": "leave_one_out",
    "winmax": "outliers",
}
#: Names of the tree levels of the tidy frameworks (iMeta Level).
_LEVEL_NAMES = {0: "every", 1: "indicator", 2: "pillar", 3: "index"}


def _same_scale(a: dict, b: dict) -> bool:
    if a.keys() != b.keys() or a["method"] != b["method"]:
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not np.array_equal(np.asarray(x, float), np.asarray(y, float), equal_nan=True):
                return False
        elif x != y:
            return False
    return True


def _effective(label: str, meta: ScaleMeta) -> tuple[str, dict]:
    """The normalisation a label amounts to on this framework, and its name (``target`` without
    any target for its year is the goalposts)."""
    kw = scale_kwargs(label, meta)
    if kw["method"] == "target" and np.isnan(np.asarray(kw["targets"], float)).all():
        return "goalposts", scale_kwargs("goalposts", meta)
    return label, kw


def prune_scales(labels: Sequence[str], meta: ScaleMeta, base: str) -> list[str]:
    """The scale labels that differ on this framework, in order (a label equal to the base is
    the base's label; a target without any target for its year is called ``goalposts``)."""
    kept: list[tuple[str, dict]] = []
    _, base_kw = _effective(base, meta)
    for lab in labels:
        name, kw = _effective(lab, meta)
        if _same_scale(kw, base_kw):
            name = base
        if any(_same_scale(kw, k) for _, k in kept):
            continue
        kept.append((name, kw))
    return [lab for lab, _ in kept]


def gap_spec(
    scales: ScaleMeta,
    *,
    normalise: str = "target",
    normalise_params: Mapping | None = None,
    aggregate: str = "arithmetic",
    impute: str = "none",
    spec="commune",
) -> dict:
    """The robustness spec of an analysis: ``spec`` with the run's scale, aggregation and
    imputation as its base and the scale alternatives this framework can tell apart.

    Args:
        scales: the framework's :class:`~analysis.composite.scales.ScaleMeta`.
        normalise, normalise_params, aggregate, impute: the run's method (as given to
            :func:`analysis.composite.compute_scores`). ``locf`` imputation is a panel method
            and the Monte Carlo is per cross-section: its base then imputes nothing
            (``base_note`` says so).
        spec: the preset, YAML path or dict to start from.

    Returns:
        The resolved spec (:func:`analysis.robustness.load_spec`), plus ``base_note`` when the
        base could not be the run's own method.
    """
    sp = load_spec(spec)
    doc = {k: v for k, v in sp.items() if k not in ("base", "uncertain")}
    base = dict(sp["base"])
    unc = {k: v for k, v in sp["uncertain"].items()}
    label = tidy_scale_label(normalise, normalise_params)
    base["normalisation"] = label
    if isinstance(aggregate, str):
        base["aggregation"] = aggregate
    note = None
    if parse_imputation(impute)[0] == "locf":
        base["impute"] = "none"
        note = "locf imputation is a panel method; the Monte Carlo (per period) imputes nothing at its base"
    else:
        base["impute"] = impute
    if "normalisation" in unc:
        kept = prune_scales(unc["normalisation"], scales, label) if is_absolute_scale(label) else []
        if len(kept) >= 2:
            unc["normalisation"] = kept
        else:  # a relative scale, or no other scale this framework can tell apart
            del unc["normalisation"]
    out = load_spec({**doc, "base": base, "uncertain": unc})
    if note:
        out["base_note"] = note
    return out


def _weights_text(levels: Mapping) -> str:
    groups: dict[float, list[str]] = {}
    for lv, f in sorted(levels.items()):
        groups.setdefault(float(f), []).append(_LEVEL_NAMES.get(int(lv), f"level {lv}"))
    parts = [
        f"+/-{round(100 * f):g}% at {' and '.join(names)} level" for f, names in groups.items()
    ]
    return "; ".join(parts)


def describe_monte_carlo(spec: dict, *, draws: int, periods: Sequence[str]) -> dict:
    """The ``monte_carlo`` entry of ``Results.method``: what the Monte Carlo drew among.

    Keys: ``spec`` (name), ``draws``, ``periods``, ``varied`` (in the order scale, weights,
    aggregation, imputation, leave_one_out, outliers; only the choices that were drawn),
    ``base`` (the nominal run's scale, aggregation, imputation, weights) and ``base_scale``, and
    per varied choice its alternatives: ``scales``, ``weights`` (text) with
    ``weights_perturbation`` (``{level name: factor}``), ``aggregation``, ``imputation``,
    ``leave_one_out`` (``true`` = none and every indicator), ``outliers`` (winmax values).
    """
    unc, base = spec["uncertain"], spec["base"]
    order = ("normalisation", "weights", "aggregation", "imputation", "leave_one_out", "winmax")
    varied = [c for c in order if c in unc and c in CHOICES]
    out: dict = {
        "spec": spec.get("name", "custom"),
        "draws": int(draws),
        "periods": [str(p) for p in periods],
        "varied": [VARIED_NAMES[c] for c in varied],
        "base_scale": base["normalisation"],
        "base": {
            "scale": base["normalisation"],
            "aggregation": base["aggregation"],
            "imputation": base["impute"],
            "weights": base["weights"],
        },
    }
    if "base_note" in spec:
        out["base_note"] = spec["base_note"]
    if "normalisation" in unc:
        out["scales"] = list(unc["normalisation"])
    if "weights" in unc:
        ws = unc["weights"]
        if "perturb" in ws:
            out["weights"] = _weights_text(ws["perturb"])
            out["weights_perturbation"] = {
                _LEVEL_NAMES.get(int(k), f"level {k}"): float(f) for k, f in ws["perturb"].items()
            }
        else:
            out["weights"] = f"weight sets from {ws.get('file')}"
    for c in ("aggregation", "imputation"):
        if c in unc:
            out[c] = list(unc[c])
    if "leave_one_out" in unc:
        out["leave_one_out"] = unc["leave_one_out"]
    if "winmax" in unc:
        out["outliers"] = list(unc["winmax"])
    return out
