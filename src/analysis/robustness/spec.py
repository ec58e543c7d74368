"""The robustness spec: the base pipeline and the uncertain method choices (YAML, preset or dict).

Method labels are read by :mod:`analysis.composite.spec` (the one parser); this module checks
the spec's shape and resolves it to canonical labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import yaml

from ..composite.spec import (
    aggregation_label,
    imputation_label,
    normalisation_label,
    parse_imputation,
    parse_order,
    parse_weights,
    treatment_label,
)
from ..errors import MethodError, ParameterError

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
#: Normalisations the Monte Carlo can vary (``target`` and ``goalposts`` need the framework's
#: targets and goalposts: the tidy path passes them).
NORMALISATIONS = ("target", "minmax", "zscore", "rank", "percentile", "goalposts")
#: Base weights: the framework's (iMeta) or equal.
BASE_WEIGHTS = ("framework", "equal")
BASE_DEFAULTS = {
    "denominate": False,
    "impute": "none",
    "screen": None,
    "winmax": "off",
    "normalisation": "minmax:0,100",
    "aggregation": "arithmetic",
    "weights": "framework",
    "nonpositive": "clip",
    "floor": 1e-3,
    "order": list(parse_order()),
}
_TOP_KEYS = ("name", "description", "source", "base", "uncertain", "top_k", "base_note")
_SPEC_DIR = ("data", "robustness")


def list_specs() -> list[str]:
    """Names of the preset specs shipped with the package.

    >>> list_specs()
    ['coinr-vignette', 'commune', 'commune-full']
    """
    root = resources.files("analysis").joinpath(*_SPEC_DIR)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def _read_doc(spec) -> tuple[Mapping, str]:
    """The spec document and where it came from (a file, a preset, a dict)."""
    if spec is None:
        spec = "coinr-vignette"
    if isinstance(spec, Mapping):
        return dict(spec), "<dict>"
    s = str(spec)
    path = Path(s)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
        if not path.exists():
            raise ParameterError(
                f"robustness spec file {path} not found; give a YAML path or one of the presets {list_specs()}"
            )
        return _yaml(path.read_text(encoding="utf-8")), str(path)
    res = resources.files("analysis").joinpath(*_SPEC_DIR, f"{s}.yaml")
    if not res.is_file():
        raise ParameterError(
            f"unknown robustness spec {s!r}; use a YAML path or one of the presets {list_specs()}"
        )
    return _yaml(res.read_text(encoding="utf-8")), f"preset {s}"


def _yaml(text: str):
    """``yaml.safe_load`` with libyaml's parser when PyYAML has it (the same documents, ~5x faster:
    the spec is read inside the timed region of ``dgap robustness``)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def normalisation(v, where: str = "normalisation") -> str:
    """Canonical normalisation label, one the Monte Carlo can vary."""
    label = normalisation_label(v, where=where)
    if label.split(":", 1)[0] not in NORMALISATIONS:
        raise MethodError(
            f"{where}: normalisation {v!r} cannot vary in the Monte Carlo; use target:YEAR, minmax:LO,HI, zscore:MEAN,SD, rank, percentile, goalposts[:SCALE] or goalposts:LO,HI"
        )
    return label


def imputation(v, where: str = "imputation") -> str:
    """Canonical imputation label (checked)."""
    parse_imputation(v, where=where)
    return imputation_label(v)


#: Label of each choice (canonical, as in ``runs.csv``).
LABELS = {
    "imputation": imputation,
    "winmax": lambda v, where="winmax": treatment_label(v, where=where),
    "normalisation": normalisation,
    "aggregation": lambda v, where="aggregation": aggregation_label(v, where=where),
}


def _base(b_in: Mapping, source: str) -> dict:
    if "screen_after_impute" in b_in:
        raise ParameterError(
            f"robustness spec {source}: base.screen_after_impute is gone; the base pipeline now "
            "has an order, e.g. order: [denominate, impute, screen, treat, normalise, aggregate] "
            "screens after imputing (COINr's example)"
        )
    bad = set(b_in) - set(BASE_DEFAULTS)
    if bad:
        raise ParameterError(
            f"robustness spec {source}: unknown base key(s) {sorted(bad)}; allowed: {sorted(BASE_DEFAULTS)}"
        )
    base = {**BASE_DEFAULTS, **b_in}
    at = f"robustness spec {source} base"
    base["winmax"] = LABELS["winmax"](base["winmax"], where=f"{at}.winmax")
    base["normalisation"] = normalisation(base["normalisation"], where=f"{at}.normalisation")
    base["aggregation"] = LABELS["aggregation"](base["aggregation"], where=f"{at}.aggregation")
    base["impute"] = imputation(base["impute"], where=f"{at}.impute")
    base["weights"] = parse_weights(base["weights"], allowed=BASE_WEIGHTS, where=f"{at}.weights")
    base["order"] = list(parse_order(base["order"], where=f"{at}.order"))
    return base


def _as_list(v, where):
    if isinstance(v, str | int | float):
        return [v]
    if isinstance(v, Sequence):
        return list(v)
    raise ParameterError(f"robustness spec {where}: expected a list of alternatives, got {v!r}")


def _uncertain(unc_in: Mapping, source: str) -> dict:
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
        where = f"robustness spec {source} uncertain.{name}"
        if name == "weights":
            unc[name] = _weights_spec(v, where)
        elif name == "leave_one_out":
            unc[name] = (
                True
                if v is True
                else [str(x) if x is not None else "none" for x in _as_list(v, where)]
            )
        else:
            alts = [LABELS[name](x, where=where) for x in _as_list(v, where)]
            if not alts:
                raise ParameterError(f"{where}: empty list of alternatives")
            unc[name] = list(dict.fromkeys(alts))
    return unc


def load_spec(spec: str | Path | Mapping | None = None) -> dict:
    """Read and validate a robustness spec: a preset name, a YAML path or a dict.

    Format (YAML)::

        name: my-spec
        base:                       # the nominal pipeline (defaults shown)
          denominate: false         # divide by the iMeta Denominator column
          impute: none              # none | mean | median | mean-by:COL | median-by:COL
          screen: null              # keep units with data availability >= this
          winmax: off               # off = no treatment; N = JRC treatment, winmax N
          normalisation: minmax:0,100 # target:YEAR | minmax:L,U | zscore:M,S | rank | percentile
                                    # | goalposts[:SCALE] | goalposts:LO,HI (every % indicator)
          aggregation: arithmetic   # arithmetic | geometric | harmonic | genmean:P
          weights: framework        # framework (the iMeta / framework weights) | equal
          order: [denominate, screen, impute, treat, normalise, aggregate]
                                    # COINr's example: [denominate, impute, screen, ...]
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
        ParameterError: unknown preset or key, a removed key (``screen_after_impute``: use
            ``order``), a bad weights mapping (the message names it and the fix).
        MethodError: a method label the parser does not accept.
    """
    doc, source = _read_doc(spec)
    if not isinstance(doc, Mapping):
        raise ParameterError(
            f"robustness spec {source}: expected a mapping with 'base' and 'uncertain', got {type(doc).__name__}"
        )
    unknown = set(doc) - set(_TOP_KEYS)
    if unknown:
        raise ParameterError(
            f"robustness spec {source}: unknown key(s) {sorted(unknown)}; allowed: {', '.join(_TOP_KEYS)}"
        )
    out = {
        "name": str(doc.get("name", Path(source).stem if source != "<dict>" else "custom")),
        "base": _base(dict(doc.get("base") or {}), source),
        "uncertain": _uncertain(dict(doc.get("uncertain") or {}), source),
    }
    for k in ("description", "source", "base_note"):
        if k in doc:
            out[k] = doc[k]
    if doc.get("top_k") is not None:
        out["top_k"] = int(doc["top_k"])
    return out


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


def apply_base(spec: dict, base: Mapping | None) -> dict:
    """The spec with some base entries overridden (None values are ignored)."""
    if not base:
        return spec
    doc = {
        "name": spec["name"],
        "base": {**spec["base"], **{k: v for k, v in base.items() if v is not None}},
        "uncertain": spec["uncertain"],
    }
    for k in ("description", "source", "top_k", "base_note"):
        if k in spec:
            doc[k] = spec[k]
    return load_spec(doc)


def canonical_replay_values(values: dict) -> dict:
    """The values of a replay table's choice columns as canonical labels."""
    out = {}
    for name, vals in values.items():
        where = f"replay column {RUN_COLUMNS[name]!r}"
        lab = LABELS.get(name)
        out[name] = [lab(v, where=where) if lab else str(v) for v in vals]
    return out
