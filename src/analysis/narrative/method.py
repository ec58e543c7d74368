"""The method that ran, in words: the method box of every brief and the notebooks' method paragraph.

Everything is worded from one dict, the method of the run: ``Results.method``, which the
methods layer records from the spec that actually ran (:func:`analysis.results.method_record`). Keys
present are what ran: a choice the Monte Carlo did not vary is not in ``monte_carlo.varied``, and
the text then says it was kept fixed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..i18n import format_level, format_number, t
from .names import nfc, pillar_names

if TYPE_CHECKING:
    from ..frameworks import Framework
    from ..loaders import Inputs
    from ..results import Results

#: the choices a reader expects the Monte Carlo to vary (said to be fixed when it does not)
_MAIN_CHOICES = ("scale", "weights", "aggregation", "imputation")


# --------------------------------------------------------------------------- the dict
def run_method(res: Results, inputs: Inputs | None = None) -> dict:
    """The method of a run: ``Results.method``, built by the methods layer from what ran.

    Raises:
        ValueError: results without a method record (not made by ``compute_results``).
    """
    method = res.method
    if not method:
        raise ValueError(
            "these results carry no method record (Results.method): compute them with "
            "analysis.workflow.compute_results, which records the method that ran"
        )
    return dict(method)


# --------------------------------------------------------------------------- words
def _join(items: list[str], lang: str) -> str:
    """``a, b và c`` / ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('format.and', lang)} {items[-1]}"


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def _number(x: float, lang: str, digits: int = 2) -> str:
    """``2`` for a whole number, else with ``digits`` decimals: ``2,5``."""
    x = round(float(x), digits)
    return format_number(x, lang, 0 if x.is_integer() else digits)


def _agg_name(label: str, lang: str) -> str:
    kind, _, power = str(label).partition(":")
    return t(f"method.agg_{kind}", lang, p=power, default=label)


def _impute_option(label: str, lang: str) -> str:
    return t(f"method.option_impute_{label}", lang, default=label)


def _scale_option(label: str, lang: str) -> str:
    """``target:2025`` -> ``mục tiêu 2025``; ``goalposts:0,100`` -> ``ngưỡng 0–100``."""
    kind, _, arg = str(label).partition(":")
    arg = arg.replace(",", "–")
    key = f"method.option_{kind}" + ("_arg" if arg else "")
    return t(key, lang, arg=arg, default=label)


def scale_text(scale: Mapping, lang: str) -> str:
    """What the pillar scale is, with the numbers of the target scale: how many indicators have
    a target (none: every indicator on its goalposts), how many are reversed, the capped share."""
    kind = str(scale.get("normalise", "goalposts"))
    if kind == "goalposts" and scale.get("pct_goalposts"):
        lo, hi = scale["pct_goalposts"]
        return t("method.scale_goalposts_pct", lang, lo=_number(lo, lang), hi=_number(hi, lang))
    if kind != "target":
        return t(f"method.scale_{kind}", lang, default=t("method.scale_other", lang, name=kind))
    year, n = scale.get("target_year", 2025), scale.get("n_indicators", "")
    if scale.get("n_with_target") == 0:
        return t("method.scale_target_none", lang, year=year, n=n)
    parts = [
        t(
            "method.scale_target",
            lang,
            year=year,
            n_target=scale.get("n_with_target", ""),
            n=n,
            n_goalposts=scale.get("n_goalposts", ""),
        )
    ]
    if scale.get("n_lower_is_better"):
        parts.append(t("method.scale_lower", lang, n_lower=scale["n_lower_is_better"]))
    parts.append(t("method.scale_points", lang))
    if scale.get("capped_share") is not None:
        capped = format_number(100 * float(scale["capped_share"]), lang, 0)
        parts.append(t("method.scale_capped", lang, capped=capped))
    return " ".join(parts)


def weights_text(weights: Mapping, names: Mapping[str, str], lang: str) -> str:
    """The weights as applied: per pillar (when unequal, in the framework's pillar order) and
    within pillars."""
    pillars = weights.get("pillars")
    if not pillars:
        return t("method.weights_other", lang, scheme=weights.get("scheme", ""))
    if len(set(pillars.values())) <= 1:
        head = t("method.weights_equal_pillars", lang)
    else:
        order = [p for p in names if p in pillars] + [p for p in pillars if p not in names]
        parts = [f"{names.get(p, p)} {_number(pillars[p], lang)}" for p in order]
        head = t("method.weights_pillars", lang, weights=", ".join(parts))
    within = t(f"method.within_{weights.get('within', 'framework')}", lang)
    return f"{head}; {within}."


def aggregation_text(aggregation: Mapping, lang: str) -> str:
    within = _agg_name(aggregation.get("within_pillars", "arithmetic"), lang)
    across = _agg_name(aggregation.get("across_pillars", "arithmetic"), lang)
    return t("method.aggregation", lang, within=_capital(within), across=across)


def imputation_text(imputation: str, lang: str) -> str:
    kind, _, col = str(imputation).partition("-by:")
    if col:
        return t("method.impute_by", lang, how=_agg_name(kind, lang), col=col)
    return t(f"method.impute_{kind}", lang, default=t("method.impute_other", lang, name=kind))


def interval_text(method: Mapping, thin: list[str], names: Mapping[str, str], lang: str) -> str:
    """The indicator-selection interval (or why there is none), the method and rank intervals."""
    sel = method.get("selection_interval") or {}
    level = format_level(float(sel.get("level", 0.9)), lang)
    if thin:
        parts = [t("method.sel_none", lang, pillars=_join([names.get(p, p) for p in thin], lang))]
    else:
        n_boot = format_number(int(sel.get("n_boot", 0)), lang, 0)
        parts = [t("method.sel", lang, level=level, n_boot=n_boot)]
        meas = method.get("measurement_interval")
        if meas:
            meas_level = format_level(float(meas.get("level", sel.get("level", 0.9))), lang)
            parts.append(t("method.meas", lang, level=meas_level))
    mc = method.get("monte_carlo")
    if mc:
        lo = _number(50 * (1 - float(sel.get("level", 0.9))), lang, 1)
        hi = _number(100 - 50 * (1 - float(sel.get("level", 0.9))), lang, 1)
        draws = format_number(int(mc.get("draws", 0)), lang, 0)
        parts.append(t("method.method_interval", lang, level=level, lo=lo, hi=hi, draws=draws))
        parts.append(t("method.rank_interval", lang, lo=lo, hi=hi))
    return " ".join(parts)


def _varied_item(name: str, mc: Mapping, lang: str) -> str:
    if name == "weights" and mc.get("weights"):
        m = re.match(r"\+/-([\d/]+)%(?: at (.+) level)?", str(mc["weights"]))
        if m:
            levels = [t(f"method.level_{w}", lang, default=w) for w in (m[2] or "").split(" and ")]
            return t("method.vary_weights_by", lang, pct=m[1], levels=_join(levels, lang))
    options = mc.get({"scale": "scales"}.get(name, name))
    if isinstance(options, list) and options:
        show = {"scale": _scale_option, "imputation": _impute_option}.get(name, _agg_name)
        listed = ", ".join(show(o, lang) for o in options)
        return t(f"method.vary_{name}_list", lang, options=listed)
    return t(f"method.vary_{name}", lang, default=name.replace("_", " "))


def uncertainty_text(method: Mapping, lang: str) -> str:
    """What the Monte Carlo varied and what it kept fixed; or that it did not run."""
    mc = method.get("monte_carlo")
    if not mc:
        return t("method.mc_none", lang)
    varied = list(mc.get("varied", []))
    fixed = [t(f"method.vary_{c}", lang) for c in _MAIN_CHOICES if c not in varied]
    text = t(
        "method.mc",
        lang,
        draws=format_number(int(mc.get("draws", 0)), lang, 0),
        varied=_join([_varied_item(v, mc, lang) for v in varied], lang),
    )
    if fixed:
        text += " " + t("method.mc_fixed", lang, fixed=_join(fixed, lang))
    base = str(mc.get("base_scale", "")).split(":", 1)[0]
    if base and "scale" not in varied and base != (method.get("scale") or {}).get("normalise"):
        text += " " + t("method.mc_base", lang, base=_scale_option(str(mc["base_scale"]), lang))
    return text


def joint_text(method: Mapping, lang: str) -> str:
    """District claims: the simultaneous bounds and the multiplicity correction, if they ran."""
    joint = method.get("joint")
    if not joint:
        return ""
    text = t(
        "method.joint",
        lang,
        level=format_level(float(joint.get("level", 0.9)), lang),
        how=nfc(joint.get("method", "")),
    )
    if "Holm" in str(method.get("multiplicity", "")):
        text += " " + t("method.holm", lang)
    return text


def method_rows(
    method: Mapping,
    framework: Framework | None,
    data_text: str,
    lang: str,
) -> list[dict]:
    """The method box: ``[{"id", "label", "text"}]`` from the method dict, in reading order;
    a row with nothing to say is left out."""
    names = {k: v.lower() for k, v in pillar_names(framework, lang).items()}
    from .facts import thin_pillars

    rows = []
    if framework is not None:
        # the framework's count, and the count the run scored when data lacks some indicators
        n_all = len(framework.indicators)
        n_scored = (method.get("scale") or {}).get("n_scored", n_all)
        rows.append(
            (
                "framework",
                t(
                    "method.framework" if n_scored == n_all else "method.framework_scored",
                    lang,
                    name=nfc(getattr(framework, f"name_{lang}")),
                    version=framework.version,
                    n_pillars=len(framework.pillars),
                    n_indicators=n_all,
                    n_scored=n_scored,
                ),
            )
        )
    rows += [
        ("scale", scale_text(method.get("scale") or {}, lang)),
        ("weights", weights_text(method.get("weights") or {}, names, lang)),
        ("aggregation", aggregation_text(method.get("aggregation") or {}, lang)),
        ("imputation", imputation_text(method.get("imputation", "none"), lang)),
        ("interval", interval_text(method, thin_pillars(framework), names, lang)),
        ("uncertainty", uncertainty_text(method, lang)),
        ("joint", joint_text(method, lang)),
        ("data", data_text),
    ]
    return [
        {"id": k, "label": t(f"brief.m_{k}", lang), "text": unicodedata.normalize("NFC", v)}
        for k, v in rows
        if v
    ]


def method_paragraph(method: Mapping, framework: Framework | None, lang: str) -> str:
    """The notebooks' method paragraph: the same rows as the brief's method box."""
    rows = method_rows(method, framework, "", lang)
    return "\n".join(f"- **{r['label']}:** {r['text']}" for r in rows)
