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
from .brief import commune_key_message
from .facts import commune_facts, pillar_names, unit_names

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
    """District medians of the three pillars in the current period."""
    now = res.pillars[res.pillars["period"] == res.period]
    parts = ", ".join(
        f"{t(f'pillar.{p}', lang).lower()} {format_number(now[p].median(), lang)}"
        for p in config.PILLARS
        if p in now and now[p].notna().any()
    )
    return t("notebook.pillars", lang, period=res.period, n=len(now), parts=parts)


def describe_diagnostics(diag: dict[str, pd.DataFrame], lang: str = "vi") -> str:
    """Cronbach's alpha per pillar, in words."""
    cr = diag["cronbach"]
    cr = cr[cr["group"].isin(config.PILLARS)]
    parts = ", ".join(
        f"{g} α = {format_number(a, lang)}" for g, a in zip(cr["group"], cr["alpha"], strict=True)
    )
    return t("notebook.diagnostics", lang, parts=parts)


def _test_lines(res: Results, lang: str) -> list[str]:
    """One bullet per paired test of G against E and S: share of communes, Wilcoxon, effect size."""
    tests = res.tests[res.tests["period"] == res.period].set_index("comparison")
    level = format_level(res.params["ci_level"], lang)
    lines = []
    for key in ("economy", "society"):
        hits = [c for c in tests.index if key in str(c)]
        if not hits or pd.isna(tests.loc[hits[0], "share_greater"]):
            continue
        row = tests.loc[hits[0]]
        lines.append(
            t(
                "notebook.gaps_test",
                lang,
                versus=t(f"notebook.versus_{key}", lang),
                share=format_number(100 * row["share_greater"], lang, 0),
                level=level,
                ci=format_interval(
                    100 * row["share_greater_lo"], 100 * row["share_greater_hi"], lang, 0
                ),
                p=format_p(row["p_value"], lang, 4, relation=True),
                r=format_number(row["rank_biserial"], lang),
                r_ci=format_interval(row["rank_biserial_lo"], row["rank_biserial_hi"], lang),
            )
        )
    return lines


def describe_gaps(res: Results, lang: str = "vi") -> str:
    """The district answer: median gap with its interval, the paired tests and the typology."""
    now = res.gaps[res.gaps["period"] == res.period]
    n = len(now)
    others = [p for p in ("economy", "society") if now[p].notna().any()]
    versus = (
        t(f"notebook.versus_{others[0]}", lang)
        if len(others) == 1
        else t("notebook.gaps_versus_mean", lang)
    )
    head = t(
        "notebook.gaps",
        lang,
        period=res.period,
        versus=versus,
        median=format_number(now["gap_mean"].median(), lang),
        n=n,
    )
    if now["gap_mean_lo"].notna().any():
        head += " " + t(
            "notebook.gaps_above_zero", lang, k=int((now["gap_mean_lo"] > 0).sum()), n=n
        )
    else:
        head += " " + t("notebook.gaps_point_only", lang)
    warn = ""
    if table_status(res.gaps) == "synthetic":
        warn = "\n\n" + t("notebook.not_a_finding", lang)
    return head + "\n\n" + "\n".join(_test_lines(res, lang)) + warn


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
        txt += " " + t(
            "notebook.robustness_top",
            lang,
            choice=top["choice"],
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
    return " ".join(commune_key_message(facts, unit, pillar_names(inputs.framework, lang), lang))
