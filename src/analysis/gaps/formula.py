"""The gap formula, one owner: how far digital government runs ahead of the other pillars.

With pillar scores G (government), E (economy) and S (society)::

    gap_econ = G - E        gap_soc = G - S        gap_mean = G - mean(comparison pillars)

The comparison pillars are economy and society, or the one of them a framework has (the UN
EGDI has no economy pillar: ``gap_mean = G - S``). NaN rules: a missing pillar value gives a
missing gap (no pillar is skipped row by row: the definition does not change from unit to
unit); a comparison mean is NaN where any comparison pillar is NaN, and NaN without any.

Works on anything that supports ``-``, ``+`` and ``/`` (floats, numpy arrays of any shape,
pandas Series), so the per-commune table, the bootstrap draws and the Monte Carlo draws of
:mod:`analysis.robustness` use the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import config

GOV, ECON, SOC = config.GOV, config.ECON, config.SOC
PILLARS = (GOV, ECON, SOC)
#: The gaps, in table order.
GAP_SERIES = ("gap_econ", "gap_soc", "gap_mean")


def comparison_pillars(has_data: Mapping[str, bool]) -> list[str]:
    """The non-government pillars a gap compares with: economy and/or society, those with data.

    >>> comparison_pillars({"economy": False, "society": True})
    ['society']
    """
    return [p for p in (ECON, SOC) if has_data.get(p, False)]


def comparison_mean(pillars: Mapping, comparison: Sequence[str]):
    """Mean of the comparison pillars (NaN where any is NaN; NaN when there is none).

    >>> float(comparison_mean({"economy": 0.4, "society": 0.6}, ["economy", "society"]))
    0.5
    """
    if not comparison:
        return np.nan
    return sum(pillars[p] for p in comparison) / len(comparison)


def gap_values(pillars: Mapping, comparison: Sequence[str] = (ECON, SOC)) -> dict:
    """``{"gap_econ": G - E, "gap_soc": G - S, "gap_mean": G - mean(comparison)}``.

    ``pillars`` maps ``government``, ``economy``, ``society`` to values of one shape (a pillar
    the framework lacks may be NaN); ``comparison`` lists the pillars ``gap_mean`` compares with.

    >>> g = gap_values({"government": 0.7, "economy": 0.4, "society": 0.5})
    >>> {k: round(v, 2) for k, v in g.items()}
    {'gap_econ': 0.3, 'gap_soc': 0.2, 'gap_mean': 0.25}
    """
    g = pillars[GOV]
    return {
        "gap_econ": g - pillars[ECON],
        "gap_soc": g - pillars[SOC],
        "gap_mean": g - comparison_mean(pillars, comparison),
    }


def add_gap_columns(table):
    """A copy of a table with pillar columns, plus ``gap_econ``, ``gap_soc``, ``gap_mean``.

    A pillar column the table lacks is added as NaN; ``gap_mean`` compares with the pillars of
    economy and society that have any value in the table.
    """
    missing = [p for p in PILLARS if p not in table.columns]
    t = table.assign(**{p: np.nan for p in missing}) if missing else table.copy()
    cmp = comparison_pillars({p: bool(t[p].notna().any()) for p in (ECON, SOC)})
    return t.assign(**gap_values({p: t[p] for p in PILLARS}, cmp))
