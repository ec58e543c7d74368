"""Figures of the uncertainty analysis: rank intervals over method choices (the JRC plot) and
the sensitivity indices of each choice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from .. import i18n
from ..errors import ParameterError
from ..status import is_synthetic
from ._common import (
    MAX_UNITS,
    _check_lang,
    _codes,
    _emphasise_ticks,
    _finish,
    _highlight_codes,
    _legend_above,
    _legend_below,
    _mark_omitted,
    _name,
    _new_axes,
    _number_formatter,
    _require,
    _select_rows,
    _unit_names,
)
from ._style import _NEUTRAL, OKABE_ITO, PILLAR_COLORS
from ._text import data_text


def plot_rank_uncertainty(
    rank_stats: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    highlight: Sequence[str] | str | None = None,
    top_n: int | None = None,
    max_units: int = MAX_UNITS,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Median rank with its 5–95% interval per commune (the JRC plot), nominal rank marked.

    Communes are sorted by median rank (best at the top), ties by nominal rank. More than
    ``max_units`` units (or ``top_n`` given): the ``top_n`` (default 10) best and worst plus the
    ``highlight`` units, as in :func:`plot_gap_dumbbell`.

    Args:
        rank_stats: ``unit_code, nominal, median, q05, q95`` (``analysis.robustness``).
        units: units table for commune names.
        highlight: unit code(s) always shown, in bold.
        top_n: units shown at each end (default: all when <= ``max_units``, else 10).
        max_units: above this many units, only the ends and the highlighted units are shown.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (``gid`` ``rank_intervals``, ``median_ranks``, ``nominal_ranks``).
    """
    _check_lang(lang)
    _require(rank_stats, ["unit_code", "nominal", "median", "q05", "q95"], "rank stats table")
    full = rank_stats.assign(unit_code=_codes(rank_stats["unit_code"])).sort_values(
        ["median", "nominal", "unit_code"], ascending=[False, False, False]
    )
    hl = _highlight_codes(highlight, full["unit_code"], "rank stats table", strict=False)
    data, pos = _select_rows(full, "median", top_n=top_n, highlight=hl, max_units=max_units)
    n = len(data)
    ax = _new_axes(ax, (6.4, max(3.5, 0.3 * n + 1.5)))
    yy = np.arange(n)
    ax.hlines(
        yy,
        data["q05"],
        data["q95"],
        color=_NEUTRAL,
        lw=3.2,
        alpha=0.55,
        zorder=1,
        gid="rank_intervals",
        label=i18n.t("legend.rank_interval", lang),
    )
    ax.scatter(
        data["median"],
        yy,
        s=40,
        color=PILLAR_COLORS["government"],
        zorder=3,
        gid="median_ranks",
        label=i18n.t("legend.median_rank", lang),
    )
    ax.scatter(
        data["nominal"],
        yy,
        marker="x",
        s=36,
        color=OKABE_ITO["vermillion"],
        linewidth=1.4,
        zorder=4,
        gid="nominal_ranks",
        label=i18n.t("legend.nominal_rank", lang),
    )
    names = _unit_names(units)
    ax.set_yticks(yy, [_name(c, names) for c in data["unit_code"]])
    _emphasise_ticks(ax, list(data["unit_code"]), hl)
    if len(pos) < len(full):
        _mark_omitted(ax, pos, len(full), lang)
    ax.set_ylim(-0.7, n - 0.3)
    n_units = int(max(len(full), np.nanmax(full[["q95", "nominal"]].to_numpy(float))))
    ax.set_xlim(0.4, n_units + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.t("axis.rank", lang))
    handles, _ = ax.get_legend_handles_labels()
    _legend_above(ax, handles, i18n.t("title.rank_uncertainty", lang), ncol=3)
    return _finish(ax, title=None, synthetic=is_synthetic(status, rank_stats))


def plot_sensitivity(
    sensitivity: pd.DataFrame,
    *,
    target: str | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """First-order (Si) and total (STi) Sobol indices per method choice, with their CIs.

    Args:
        sensitivity: ``choice, target, Si, Si_lo, Si_hi, STi, STi_lo, STi_hi``.
        target: which ``target`` to show (default: the first one in the table).
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (bars ``gid`` ``si_bar`` and ``sti_bar``).
    """
    _check_lang(lang)
    _require(sensitivity, ["choice", "Si", "STi"], "sensitivity table")
    data = sensitivity
    if "target" in data.columns:
        targets = list(dict.fromkeys(data["target"].astype(str)))
        chosen = targets[0] if target is None else str(target)
        if chosen not in targets:
            raise ParameterError(
                f"target={target!r} is not in the sensitivity table; available: {', '.join(targets)}"
            )
        data = data.loc[data["target"].astype(str) == chosen]
    else:
        chosen = target
    data = data.sort_values(["STi", "choice"], ascending=[True, True])
    n = len(data)
    ax = _new_axes(ax, (6.4, max(2.8, 0.55 * n + 1.5)))
    yy = np.arange(n)
    hgt = 0.38
    for key, offset, color, gid in (
        ("Si", hgt / 2, "#BDBDBD", "si_bar"),
        ("STi", -hgt / 2, "#4D4D4D", "sti_bar"),
    ):
        v = data[key].to_numpy(float)
        err = None
        if f"{key}_lo" in data.columns and f"{key}_hi" in data.columns:
            err = np.vstack(
                [
                    np.clip(v - data[f"{key}_lo"].to_numpy(float), 0, None),
                    np.clip(data[f"{key}_hi"].to_numpy(float) - v, 0, None),
                ]
            )
        bars = ax.barh(yy + offset, v, height=hgt, color=color, xerr=err, error_kw=dict(ecolor="#222222", lw=0.9, capsize=2.5),
                       label=i18n.t(f"legend.{key.lower()}", lang))  # fmt: skip
        for b in bars:
            b.set_gid(gid)
    ax.set_yticks(yy, [i18n.t(f"choice.{c}", lang, default=data_text(c)) for c in data["choice"]])
    hi = np.nanmax(
        np.concatenate(
            [data["STi"].to_numpy(float), data.get("STi_hi", data["STi"]).to_numpy(float)]
        )
    )
    ax.set_xlim(0, max(0.1, min(1.05, hi * 1.12)) if hi <= 1 else hi * 1.1)
    ax.xaxis.set_major_formatter(_number_formatter(lang, 1))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.t("axis.sensitivity_index", lang))
    handles, _ = ax.get_legend_handles_labels()
    _legend_below(ax, handles, ncol=2)
    title = i18n.t("title.sensitivity", lang)
    if chosen:
        title += "\n" + i18n.t(
            "title.target", lang, target=i18n.t(f"target.{chosen}", lang, default=data_text(chosen))
        )
    ax.set_title(title)
    return _finish(ax, title=None, synthetic=is_synthetic(status, sensitivity))
