"""Method strings, parsed in one place: step order, normalisation, treatment, imputation,
aggregation and weights.

Every entry point that takes a method as text (``compute_index``, ``compute_scores``,
``dgap index``, ``dgap robustness`` and the robustness spec) reads it here, so a label means the
same thing everywhere and a bad one gets the same message. Errors are
:class:`~analysis.errors.MethodError` and name the value, where it came from (``where``) and
what is accepted.

Labels and their canonical form (what ``runs.csv`` and ``run.json`` record):

=============== ======================================================= =====================
choice          accepted                                                canonical
=============== ======================================================= =====================
order           a permutation of :data:`STEPS` ending ``normalise,      ``denominate,screen,
                aggregate`` (list or comma-separated text)              impute,...``
normalisation   ``target[:YEAR]`` (attainment of the national target of  ``target:2025``,
                YEAR, 2025 or 2030), ``minmax[:LO,HI]``,                ``minmax:0,100``,
                ``zscore[:MEAN,SD]``, ``rank``, ``percentile``,          ``zscore:10,2``,
                ``goalposts[:SCALE]``, ``goalposts:LO,HI`` (every %      ``goalposts``,
                indicator on [LO, HI]), ``dist2target``, ``none``, or a  ``goalposts:0,100``
                mapping ``{method: ..., lo: ..}``
treatment       ``none``/``off``/``0``, ``jrc``, ``jrc:WINMAX``, WINMAX  ``off``, ``5``
imputation      ``none``, ``mean``, ``median``, ``mean-by:COL``,         as given
                ``median-by:COL``, ``locf``
aggregation     ``arithmetic``, ``geometric``, ``harmonic``,             ``genmean:0.5``
                ``genmean:P`` (COINr ``a_amean``, ``a_gmean``,
                ``a_hmean`` too)
weights         :data:`WEIGHT_SCHEMES` (``framework`` = the weights      as given
                written in the framework YAML or the iMeta ``Weight``)
=============== ======================================================= =====================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import MethodError
from .arrays import AGG_POWER, NORMALISATIONS

#: The steps of a composite pipeline, by name.
STEPS = ("denominate", "impute", "screen", "treat", "normalise", "aggregate")
#: The default order: screen on the raw (denominated) data, then impute among the kept units.
DEFAULT_ORDER = ("denominate", "screen", "impute", "treat", "normalise", "aggregate")
#: COINr's example (``build_example_coin``): impute over every unit, then screen.
COINR_EXAMPLE_ORDER = ("denominate", "impute", "screen", "treat", "normalise", "aggregate")

#: Parameters a normalisation label may carry, in label order.
NORMALISE_PARAMS = {
    "minmax": ("lo", "hi"),
    "zscore": ("mean", "sd"),
    "goalposts": ("scale",),
    "target": ("year",),
}
#: ``goalposts:LO,HI``: the framework's goalposts, but every percentage indicator on [LO, HI].
GOALPOSTS_PCT_PARAMS = ("pct_lo", "pct_hi")
#: Parameter values of a label that does not give them (COINr defaults, the wide pipeline's).
NORMALISE_DEFAULTS = {
    "minmax": {"lo": 0.0, "hi": 100.0},
    "zscore": {"mean": 0.0, "sd": 1.0},
    "goalposts": {"scale": 1.0},
    "target": {"year": 2025.0},
}
#: Years of the national targets a framework may carry (``target_2025``, ``target_2030``).
TARGET_YEARS = (2025, 2030)
#: Scales on which a gap has an absolute zero (every commune on the same fixed yardstick);
#: the others (min-max, z-score, rank, percentile) place a commune among the others.
ABSOLUTE_SCALES = ("target", "goalposts", "dist2target", "none")
#: Imputation methods (``*-by:COL`` impute within the groups of column COL).
IMPUTATIONS = ("none", "mean", "median", "mean-by:COL", "median-by:COL", "locf")
#: Aggregation methods (``genmean`` needs a power).
AGGREGATIONS = ("arithmetic", "geometric", "harmonic", "genmean")
_AGG_ALIASES = {
    "a_amean": "arithmetic",
    "a_gmean": "geometric",
    "a_hmean": "harmonic",
    "amean": "arithmetic",
    "gmean": "geometric",
    "hmean": "harmonic",
}
_POWER_NAMES = {v: k for k, v in AGG_POWER.items()}
#: Weight schemes: ``framework`` (the framework's / iMeta weights), ``equal``, ``custom`` (a
#: mapping over the framework weights), ``dti`` (DTI point budgets), ``pca`` (PC1 loadings).
WEIGHT_SCHEMES = ("framework", "equal", "custom", "dti", "pca")
#: Default winsorisation limit of the JRC treatment (COINr ``winmax``).
DEFAULT_WINMAX = 5


def _fmt(x: float) -> str:
    return f"{float(x):g}"


def _at(where: str) -> str:
    return f"{where}: " if where else ""


# --------------------------------------------------------------------------- order
def parse_order(value=None, *, where: str = "order") -> tuple[str, ...]:
    """The step order: every step of :data:`STEPS` once, ``normalise, aggregate`` last.

    ``denominate``, ``impute``, ``screen`` and ``treat`` may come in any order (a step that is
    switched off, e.g. ``screen`` without a threshold, does nothing where it stands).

    >>> parse_order("denominate, impute, screen, treat, normalise, aggregate")[:3]
    ('denominate', 'impute', 'screen')
    >>> parse_order() == DEFAULT_ORDER
    True
    """
    if value is None:
        return DEFAULT_ORDER
    items = value.split(",") if isinstance(value, str) else list(value)
    steps = tuple(str(s).strip().lower() for s in items if str(s).strip())
    rule = (
        f"give each of {', '.join(STEPS)} once, with normalise and aggregate last, "
        f"e.g. {','.join(COINR_EXAMPLE_ORDER)} (default {','.join(DEFAULT_ORDER)})"
    )
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise MethodError(f"{_at(where)}unknown step(s) {unknown} in {value!r}; {rule}")
    missing = [s for s in STEPS if s not in steps]
    repeated = sorted({s for s in steps if steps.count(s) > 1})
    if missing or repeated:
        what = f"missing {missing}" if missing else f"repeated {repeated}"
        raise MethodError(f"{_at(where)}order {value!r}: {what}; {rule}")
    if steps[-2:] != ("normalise", "aggregate"):
        raise MethodError(
            f"{_at(where)}order {value!r}: normalise and aggregate must be the last two steps "
            f"(the data steps work on indicator units); {rule}"
        )
    return steps


def order_label(value=None) -> str:
    """Comma-separated canonical order.

    >>> order_label(["denominate", "impute", "screen", "treat", "normalise", "aggregate"])
    'denominate,impute,screen,treat,normalise,aggregate'
    """
    return ",".join(parse_order(value))


# --------------------------------------------------------------------------- normalisation
def parse_normalisation(value, *, where: str = "normalise") -> tuple[str, dict]:
    """``(method, params)`` of a normalisation label or mapping; params only as given.

    >>> parse_normalisation("minmax:1,100")
    ('minmax', {'lo': 1.0, 'hi': 100.0})
    >>> parse_normalisation("zscore")
    ('zscore', {})
    >>> parse_normalisation({"method": "goalposts", "scale": 100})
    ('goalposts', {'scale': 100.0})
    >>> parse_normalisation("target:2030"), parse_normalisation("goalposts:0,100")
    (('target', {'year': 2030.0}), ('goalposts', {'pct_lo': 0.0, 'pct_hi': 100.0}))
    """
    accepted = (
        "target[:YEAR], minmax[:LO,HI], zscore[:MEAN,SD], rank, percentile, goalposts[:SCALE], "
        "goalposts:LO,HI, dist2target or none"
    )
    if isinstance(value, Mapping):
        d = dict(value)
        method = str(d.pop("method", "")).strip()
        keys = NORMALISE_PARAMS.get(method, ())
        if method == "goalposts":
            keys = (*keys, *GOALPOSTS_PCT_PARAMS)
        bad = sorted(set(d) - set(keys))
        if method not in NORMALISATIONS or bad:
            raise MethodError(f"{_at(where)}normalisation {value!r} not understood; use {accepted}")
        try:
            params = {k: float(d[k]) for k in keys if k in d}
        except (TypeError, ValueError):
            raise MethodError(
                f"{_at(where)}normalisation {value!r}: parameters must be numbers"
            ) from None
    else:
        method, _, arg = str(value).strip().partition(":")
        method = method.strip()
        keys = NORMALISE_PARAMS.get(method, ())
        if method not in NORMALISATIONS or (arg and not keys):
            raise MethodError(f"{_at(where)}normalisation {value!r} not understood; use {accepted}")
        params = {}
        if arg:
            try:
                nums = [float(x) for x in arg.split(",")]
            except ValueError:
                nums = []
            if method == "goalposts" and len(nums) == 2:
                keys = GOALPOSTS_PCT_PARAMS
            if len(nums) != len(keys):
                example = {"minmax": "minmax:0,100", "zscore": "zscore:10,2"}.get(
                    method, "goalposts:100"
                )
                raise MethodError(
                    f"{_at(where)}normalisation {value!r}: expected {len(keys)} number(s) after ':', e.g. {example}"
                )
            params = dict(zip(keys, nums, strict=True))
    if method == "zscore" and params.get("sd", 1.0) <= 0:
        raise MethodError(f"{_at(where)}zscore sd must be > 0, got {value!r}")
    if method == "target" and "year" in params and int(params["year"]) not in TARGET_YEARS:
        raise MethodError(
            f"{_at(where)}normalisation {value!r}: national targets exist for {TARGET_YEARS}; "
            "use target:2025 or target:2030"
        )
    pct = [k for k in GOALPOSTS_PCT_PARAMS if k in params]
    if pct and (len(pct) != 2 or "scale" in params or params["pct_hi"] <= params["pct_lo"]):
        raise MethodError(
            f"{_at(where)}normalisation {value!r}: goalposts:LO,HI needs LO < HI (every "
            "percentage indicator on [LO, HI]); it does not combine with a scale"
        )
    return method, params


def normalisation_spec(value, *, where: str = "normalise") -> dict:
    """``{"method": ..., **params}`` with the COINr defaults filled in (the wide pipeline's).

    >>> normalisation_spec("minmax")
    {'method': 'minmax', 'lo': 0.0, 'hi': 100.0}
    """
    method, params = parse_normalisation(value, where=where)
    defaults = NORMALISE_DEFAULTS.get(method, {})
    if "pct_lo" in params:
        defaults = {}
    return {"method": method, **defaults, **params}


def is_absolute_scale(value) -> bool:
    """True for scales on which a gap has a common zero (:data:`ABSOLUTE_SCALES`).

    >>> is_absolute_scale("target:2030"), is_absolute_scale("zscore")
    (True, False)
    """
    return parse_normalisation(value)[0] in ABSOLUTE_SCALES


def normalisation_label(value, *, where: str = "normalise") -> str:
    """Canonical label: defaults written out (``minmax`` -> ``minmax:0,100``), scale 1 omitted.

    >>> normalisation_label("minmax"), normalisation_label("goalposts:1"), normalisation_label("zscore:10,2")
    ('minmax:0,100', 'goalposts', 'zscore:10,2')
    >>> normalisation_label("target"), normalisation_label("goalposts:0,100")
    ('target:2025', 'goalposts:0,100')
    """
    s = normalisation_spec(value, where=where)
    m = s["method"]
    if m == "target":
        return f"target:{int(s['year'])}"
    if m == "goalposts" and "pct_lo" in s:
        return f"goalposts:{_fmt(s['pct_lo'])},{_fmt(s['pct_hi'])}"
    if m == "minmax":
        return f"minmax:{_fmt(s['lo'])},{_fmt(s['hi'])}"
    if m == "zscore":
        return f"zscore:{_fmt(s['mean'])},{_fmt(s['sd'])}"
    if m == "goalposts":
        return "goalposts" if s["scale"] == 1 else f"goalposts:{_fmt(s['scale'])}"
    return m


# --------------------------------------------------------------------------- treatment
def parse_treatment(value, *, default_winmax: int = DEFAULT_WINMAX, where: str = "treat"):
    """Winsorisation limit of the JRC outlier treatment, or None for no treatment.

    ``none``, ``off``, ``0``, False and None mean no treatment; ``jrc`` is the JRC rule with
    ``default_winmax``; ``jrc:N`` or ``N`` with winmax N.

    >>> parse_treatment("jrc:3"), parse_treatment("jrc"), parse_treatment("off"), parse_treatment(4)
    (3, 5, None, 4)
    """
    v = value
    if v is None or v is False or (isinstance(v, str) and v.strip().lower() in ("off", "none", "")):
        return None
    if isinstance(v, str) and v.strip().lower().startswith("jrc"):
        head, _, arg = v.strip().partition(":")
        if head.lower() != "jrc":
            raise MethodError(f"{_at(where)}treatment {value!r}: use none, jrc or jrc:WINMAX")
        v = arg if arg else default_winmax
    try:
        w = int(v)
    except (TypeError, ValueError):
        raise MethodError(
            f"{_at(where)}treatment {value!r}: use none (off), jrc, jrc:WINMAX or WINMAX (an integer, e.g. jrc:5)"
        ) from None
    if w < 0 or float(v) != w:
        raise MethodError(
            f"{_at(where)}treatment {value!r}: winmax must be a non-negative integer (0 or off = no treatment)"
        )
    return None if w == 0 else w


def treatment_label(value, *, where: str = "treat") -> str:
    """``off`` or the winmax as text.

    >>> treatment_label("jrc"), treatment_label(None), treatment_label("2")
    ('5', 'off', '2')
    """
    w = parse_treatment(value, where=where)
    return "off" if w is None else str(w)


# --------------------------------------------------------------------------- imputation
def parse_imputation(value, *, where: str = "impute") -> tuple[str, str | None]:
    """``(method, group column)``: method in ``none, mean, median, locf``.

    >>> parse_imputation("mean-by:EurAsia_group"), parse_imputation(None)
    (('mean', 'EurAsia_group'), ('none', None))
    """
    label = imputation_label(value)
    if ":" in label:
        base, col = label.split(":", 1)
        if base not in ("mean-by", "median-by") or not col.strip():
            raise MethodError(
                f"{_at(where)}unknown imputation {value!r}; choose one of {list(IMPUTATIONS)}"
            )
        return base.split("-")[0], col.strip()
    if label not in ("none", "mean", "median", "locf"):
        raise MethodError(
            f"{_at(where)}unknown imputation {value!r}; choose one of {list(IMPUTATIONS)}"
        )
    return label, None


def imputation_label(value) -> str:
    """``none`` for None, False or empty text, else the stripped text."""
    if value is None or value is False or not str(value).strip():
        return "none"
    return str(value).strip()


# --------------------------------------------------------------------------- aggregation
def parse_aggregation(value, *, where: str = "aggregate") -> tuple[str, float | None]:
    """``(method, power)``; ``genmean:P`` with P in {1, 0, -1} is the named mean.

    >>> parse_aggregation("a_gmean"), parse_aggregation("genmean:0.5"), parse_aggregation("genmean:1")
    (('geometric', 0.0), ('genmean', 0.5), ('arithmetic', 1.0))
    >>> parse_aggregation("genmean")
    ('genmean', None)
    """
    s = str(value).strip()
    s = _AGG_ALIASES.get(s, s)
    if s in AGG_POWER:
        return s, AGG_POWER[s]
    if s == "genmean":
        return s, None
    if s.startswith("genmean:"):
        try:
            p = float(s.split(":", 1)[1])
        except ValueError:
            pass
        else:
            name = _POWER_NAMES.get(p)
            return (name, p) if name else ("genmean", p)
    raise MethodError(
        f"{_at(where)}aggregation {value!r} not understood; use arithmetic, geometric, harmonic or genmean:P"
    )


def aggregation_label(value, *, where: str = "aggregate") -> str:
    """Canonical label; needs the power for a generalised mean.

    >>> aggregation_label("amean"), aggregation_label("genmean:0.50")
    ('arithmetic', 'genmean:0.5')
    """
    method, p = parse_aggregation(value, where=where)
    if p is None:
        raise MethodError(f"{_at(where)}aggregation {value!r}: give the power, e.g. genmean:0.5")
    return method if method != "genmean" else f"genmean:{_fmt(p)}"


def aggregation_power(value, *, where: str = "aggregate") -> float:
    """The generalised-mean power of an aggregation label (1 arithmetic, 0 geometric, -1 harmonic).

    >>> aggregation_power("geometric"), aggregation_power("genmean:2")
    (0.0, 2.0)
    """
    method, p = parse_aggregation(value, where=where)
    if p is None:
        raise MethodError(f"{_at(where)}aggregation {value!r}: give the power, e.g. genmean:0.5")
    return p


# --------------------------------------------------------------------------- weights
def parse_weights(value, *, allowed: Sequence[str] = WEIGHT_SCHEMES, where: str = "weights") -> str:
    """A weight scheme name, checked against ``allowed``.

    >>> parse_weights("framework")
    'framework'
    """
    s = str(value).strip()
    if s not in allowed:
        hint = (
            " ('meta' is now called 'framework': the weights written in the framework or the iMeta)"
            if s == "meta"
            else ""
        )
        raise MethodError(f"{_at(where)}unknown weights {value!r}; use {', '.join(allowed)}{hint}")
    return s
