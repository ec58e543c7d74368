"""The notebooks' generated Markdown: one ``describe_*`` function per paragraph.

Each reads the numbers of a run (:class:`analysis.loaders.Inputs`, :class:`analysis.results.Results`
or a table) and words them with the ``notebook.*`` strings of :mod:`analysis.i18n`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import config
from ..i18n import format_interval, format_level, format_number, format_p, t
from ..status import table_status
from .brief import commune_key_message, district_key_message, points, units_noun
from .facts import claims_of, commune_facts, thin_pillars
from .method import method_paragraph, run_method
from .names import compared_kind, group_kind, pillar_names, unit_names

if TYPE_CHECKING:
    from ..loaders import Inputs
    from ..results import Results


def describe_status(inputs: Inputs, lang: str = "vi") -> str:
    """One paragraph on where the data come from and whether they are synthetic."""
    obs = inputs.observations
    periods = sorted(obs["period"].unique())
    head = t(
        "notebook.status",
        lang,
        n_obs=format_number(len(obs), lang, 0),
        n_units=obs["unit_code"].nunique(),
        n_periods=len(periods),
        span=f"{periods[0]}–{periods[-1]}" if periods else "–",
        source=Path(inputs.paths["observations"]).name,
    )
    return head + ("\n\n" + t("notebook.status_synthetic", lang) if inputs.is_synthetic else "")


def describe_coverage(coverage: pd.DataFrame, lang: str = "vi") -> str:
    """Coverage summary from a :func:`analysis.schema.compute_coverage` table (by indicator)."""
    total = 100 * coverage["n_present"].sum() / coverage["n_expected"].sum()
    by_ind = coverage.groupby("indicator")[["n_present", "n_expected"]].sum()
    share = (100 * by_ind["n_present"] / by_ind["n_expected"]).sort_values()
    return t(
        "notebook.coverage",
        lang,
        total=format_number(total, lang, 1),
        indicator=share.index[0],
        share=format_number(share.iloc[0], lang, 1),
    )


def describe_pillars(res: Results, lang: str = "vi") -> str:
    """District medians of the three pillars in the current period, on the 0-100 scale."""
    now = res.pillars[res.pillars["period"] == res.period]
    parts = ", ".join(
        f"{t(f'pillar.{p}', lang).lower()} {points(now[p].median(), lang)}"
        for p in config.PILLARS
        if p in now and now[p].notna().any()
    )
    return t("notebook.pillars", lang, period=res.period, n=len(now), parts=parts)


def describe_method(res: Results, inputs: Inputs, lang: str = "vi") -> str:
    """The method that ran (scale, weights, aggregation, imputation, intervals, Monte Carlo), as
    the brief's method box words it."""
    return (
        t("notebook.method", lang)
        + "\n\n"
        + method_paragraph(run_method(res, inputs), inputs.framework, lang)
    )


def describe_diagnostics(diag: dict[str, pd.DataFrame], lang: str = "vi") -> str:
    """Cronbach's alpha per pillar, in words."""
    cr = diag["cronbach"]
    cr = cr[cr["group"].isin(config.PILLARS)]
    parts = ", ".join(
        f"{g} α = {format_number(a, lang)}" for g, a in zip(cr["group"], cr["alpha"], strict=True)
    )
    return t("notebook.diagnostics", lang, parts=parts)


def _test_lines(res: Results, kind: str, lang: str) -> list[str]:
    """One bullet per paired test of G against E and S: the share of units (Wilson interval),
    then the Wilcoxon test and its effect size, unless every unit has the same sign (then the
    p-value adds nothing to the count and the effect-size interval is degenerate)."""
    tests = res.tests[res.tests["period"] == res.period].set_index("comparison")
    level = format_level(res.params["ci_level"], lang)
    lines = []
    for key in ("economy", "society"):
        hits = [c for c in tests.index if key in str(c)]
        if not hits or pd.isna(tests.loc[hits[0], "share_greater"]):
            continue
        row = tests.loc[hits[0]]
        fields = dict(
            versus=t(f"notebook.versus_{key}", lang),
            share=format_number(100 * row["share_greater"], lang, 0),
            level=level,
            ci=format_interval(
                100 * row["share_greater_lo"], 100 * row["share_greater_hi"], lang, 0
            ),
            units=units_noun(kind, lang),
            k=int(row["n_greater"]),
            n=int(row["n"]),
        )
        if int(row["n_greater"]) in (0, int(row["n"])):
            lines.append(t("notebook.gaps_test_one_sign", lang, **fields))
            continue
        p = row["p_holm"] if "p_holm" in row.index else row["p_value"]
        lines.append(
            t(
                "notebook.gaps_test",
                lang,
                p=format_p(p, lang, 4, relation=True),
                r=format_number(row["rank_biserial"], lang),
                r_ci=format_interval(row["rank_biserial_lo"], row["rank_biserial_hi"], lang),
                **fields,
            )
        )
    return lines


def describe_gaps(res: Results, lang: str = "vi", inputs: Inputs | None = None) -> str:
    """The district answer: the brief's key message (counts, joint bounds, sign shares), then
    the paired tests."""
    now = res.gaps[res.gaps["period"] == res.period]
    framework = inputs.framework if inputs is not None else None
    kind = group_kind(inputs.units) if inputs is not None else "xã"
    method = run_method(res, inputs) if inputs is not None else {}
    msg = district_key_message(
        now,
        pillar_names(framework, lang),
        float(res.params["ci_level"]),
        lang,
        claims=claims_of(res, res.period),
        kind=kind,
        synthetic=table_status(res.gaps) == "synthetic",
        thin=thin_pillars(framework),
        scale=str((method.get("scale") or {}).get("normalise", "")),
    )
    head = t("notebook.gaps", lang, period=res.period, n=len(now)) + " " + " ".join(msg)
    return head + "\n\n" + "\n".join(_test_lines(res, kind, lang))


def describe_robustness(res: Results, sensitivity: pd.DataFrame, lang: str = "vi") -> str:
    """Width of the rank intervals and the method choice that matters most."""
    rs = res.rank_stats
    width = (rs["q95"] - rs["q05"]).median()
    s = sensitivity[sensitivity["target"] == "mean_abs_rank_shift"].sort_values(
        "STi", ascending=False
    )
    txt = t("notebook.robustness", lang, width=format_number(width, lang, 1), n=len(rs))
    if len(s):
        top = s.iloc[0]
        choice = str(top["choice"])
        txt += " " + t(
            "notebook.robustness_top",
            lang,
            choice=t(f"choice.{choice}", lang, default=choice.replace("_", " ")).lower(),
            sti=format_number(top["STi"], lang),
        )
    return txt


def describe_merger(merged: Inputs, table: pd.DataFrame, lang: str = "vi") -> str:
    """How many old communes went into how many new ones."""
    n_old = table["old_code"].nunique() if "old_code" in table else len(table)
    return t("notebook.merger", lang, n_old=n_old, n_new=merged.units["unit_code"].nunique())


def describe_commune(res: Results, inputs: Inputs, unit_code: str, lang: str = "vi") -> str:
    """Key message of one commune: the same sentences as its brief."""
    facts = commune_facts(res, inputs, unit_code)
    unit = unit_names(inputs.units, facts.unit_code, lang)
    scale = str((run_method(res, inputs).get("scale") or {}).get("normalise", ""))
    msg = commune_key_message(
        facts,
        unit,
        pillar_names(inputs.framework, lang),
        lang,
        synthetic=inputs.is_synthetic,
        scale=scale,
        group=compared_kind(inputs.units, facts.gaps),
    )
    return " ".join(msg)
