"""Small multiples of the three pillars over time, one panel per commune."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import i18n
from ..errors import ParameterError
from ..periods import period_to_time, sort_periods
from ..status import is_synthetic
from ._common import (
    _PILLARS,
    MAX_UNITS,
    _add_watermark,
    _check_lang,
    _codes,
    _highlight_codes,
    _legend_above,
    _name,
    _new_axes,
    _period_axis,
    _PointsFormatter,
    _require,
    _unit_names,
)
from ._reuse import FigureParts
from ._style import _NEUTRAL, PILLAR_COLORS

_AUTO_PANELS = 6  # figure_trends with too many units: 6 largest + 6 smallest latest gaps


def figure_trends(
    pillars: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    unit_codes: Sequence[str] | None = None,
    ncols: int = 6,
    highlight: Sequence[str] | str | None = None,
    max_panels: int = MAX_UNITS,
    lang: str = "vi",
    status: str | None = None,
) -> Figure:
    """Small multiples: G, E and S over time for each commune, with the district medians.

    A pillar with no value at all (economy for the UN EGDI) is left out, legend included. The
    medians are over every unit of the table, also when only some panels are drawn.

    Args:
        pillars: pillar table (``unit_code, period, government, economy, society[, status]``).
        units: units table for commune names.
        unit_codes: communes to show (default: all, in code order).
        ncols: panels per row.
        highlight: with more than ``max_panels`` units and no ``unit_codes``, the panels are the
            highlighted units first, then the 6 units with the largest and the 6 with the smallest
            gap ``G − mean(E, S)`` (available pillars) in the latest period; highlighted panels
            have bold titles.
        max_panels: most panels drawn when ``unit_codes`` is not given.
        lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The figure; each commune panel has 3 commune lines (``gid`` ``trend_<pillar>``) and
        3 median lines (``gid`` ``median_<pillar>``).
    """
    _check_lang(lang)
    _require(pillars, ["unit_code", "period", "government"], "pillar table")
    data = pillars.assign(
        unit_code=_codes(pillars["unit_code"]), period=pillars["period"].astype(str)
    )
    for p in _PILLARS:
        if p not in data.columns:
            data[p] = np.nan
    shown = [p for p in _PILLARS if data[p].notna().any()]
    periods = sort_periods(data["period"])
    xs = np.array([period_to_time(p) for p in periods])
    hl = _highlight_codes(highlight, data["unit_code"], "pillar table")
    codes = _panel_codes(data, shown, periods, unit_codes, hl, max_panels)
    med = data.groupby("period")[list(_PILLARS)].median().reindex(periods)
    ylim = _score_limits(data[shown])
    n = len(codes)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(1.9 * ncols + 0.6, 1.65 * nrows + 1.2),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    names = _unit_names(units)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.set_visible(False)
            continue
        code = codes[k]
        sub = data.loc[data["unit_code"] == code].set_index("period").reindex(periods)
        _draw_medians(ax, med, xs, shown)
        _draw_commune(ax, sub, xs, shown)
        ax.set_title(_name(code, names), fontsize=mpl.rcParams["font.size"], loc="left", pad=3,
                     fontweight="bold" if code in hl else "normal")  # fmt: skip
        _trend_panel_axes(ax, periods, lang, ylim)
    for ax in axes[:, 0]:
        ax.set_ylabel(i18n.t("axis.score", lang))
    _trend_legend(fig, shown, lang)
    fig.suptitle(i18n.t("title.trends", lang), x=0.01, ha="left")
    if is_synthetic(status, pillars):
        _add_watermark(fig)
    return fig


def _panel_codes(
    data: pd.DataFrame,
    shown: Sequence[str],
    periods: Sequence[str],
    unit_codes: Sequence[str] | None,
    hl: Sequence[str],
    max_panels: int,
) -> list[str]:
    """Units with a panel: ``unit_codes``, else all in code order; more than ``max_panels``:
    the highlighted units, then the 6 largest and the 6 smallest latest gaps."""
    if unit_codes is not None:
        codes = [str(c) for c in unit_codes]
    else:
        codes = sorted(data["unit_code"].unique())
        if len(codes) > max_panels:
            last = data.loc[data["period"] == periods[-1]].set_index("unit_code")
            others = [p for p in ("economy", "society") if p in shown]
            gap = (
                (last["government"] - last[others].mean(axis=1))
                .dropna()
                .sort_values(kind="mergesort")
            )
            ends = [*gap.index[::-1][:_AUTO_PANELS], *gap.index[:_AUTO_PANELS][::-1]]
            codes = list(dict.fromkeys([*hl, *ends]))[: max(max_panels, len(hl))]
    return codes


def _score_limits(values: pd.DataFrame) -> tuple[float, float]:
    """The score axis: 0–1 (a hair wider, so a point at 0 or 1 is whole), or wider when some
    score is outside it (other scales than the default)."""
    v = values.to_numpy(float)
    v = v[np.isfinite(v)]
    lo = min(0.0, float(v.min())) if v.size else 0.0
    hi = max(1.0, float(v.max())) if v.size else 1.0
    return lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo)


def _draw_medians(ax: Axes, med: pd.DataFrame, xs: np.ndarray, shown: Sequence[str]) -> None:
    """The district medians of the pillars (dashed, light), below the commune's lines."""
    for p in shown:
        ax.plot(xs, med[p].to_numpy(float), ls=(0, (2, 1.5)), lw=0.9, color=PILLAR_COLORS[p], alpha=0.6,
                zorder=2, gid=f"median_{p}")  # fmt: skip


def _draw_commune(
    ax: Axes, sub: pd.DataFrame, xs: np.ndarray, shown: Sequence[str], *, size: float = 1.0
) -> list[Artist]:
    """One commune's pillars over time, above the medians, the grid and the axes' spines."""
    return [
        ax.plot(
            xs,
            sub[p].to_numpy(float),
            lw=1.6 * size,
            color=PILLAR_COLORS[p],
            marker="o",
            markersize=2.2 * size,
            zorder=2.6,
            gid=f"trend_{p}",
        )[0]  # fmt: skip
        for p in shown
    ]


def _trend_panel_axes(
    ax: Axes, periods: Sequence[str], lang: str, ylim: tuple[float, float], *, small: bool = True
) -> None:
    """Period ticks (in a small panel: one label per year, at most 5) and the score axis (data
    on the 0–1 scale, ticks in points of the 0–100 scale)."""
    if small:
        _period_axis(ax, periods, lang, per_period=0, max_years=5)
        ax.tick_params(axis="x", labelsize=mpl.rcParams["font.size"] - 2, rotation=0)
    else:
        _period_axis(ax, periods, lang)
    ax.yaxis.set_major_formatter(_PointsFormatter(lang))
    ax.set_ylim(*ylim)


def _trend_handles(shown: Sequence[str], lang: str) -> list[Line2D]:
    """The pillars drawn and the district median."""
    handles = [
        Line2D([], [], color=PILLAR_COLORS[p], lw=1.8, label=i18n.t(f"pillar.{p}", lang))
        for p in shown
    ]
    handles.append(
        Line2D(
            [],
            [],
            color=_NEUTRAL,
            lw=1.0,
            ls=(0, (2, 1.5)),
            label=i18n.t("legend.district_median", lang),
        )
    )
    return handles


def _trend_legend(fig: Figure, shown: Sequence[str], lang: str) -> None:
    """One legend for all panels: the pillars drawn and the district median."""
    handles = _trend_handles(shown, lang)
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))


def plot_pillar_trend(
    pillars: pd.DataFrame,
    unit_code: str,
    *,
    units: pd.DataFrame | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """One commune's three pillars over time (solid) over the district medians (dashed).

    A pillar with no value at all (economy for the UN EGDI) is left out, legend included.
    Periods are labelled one by one up to 8 of them, else by year (quarters and half-years as
    minor ticks).

    Args:
        pillars: pillar table (``unit_code, period, government, economy, society[, status]``).
        unit_code: the commune.
        units: units table for the commune's name.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (``gid`` ``trend_<pillar>`` and ``median_<pillar>``).
    """
    parts = trend_parts(pillars, units=units, ax=ax, lang=lang, status=status)
    if str(unit_code) not in parts.codes:
        raise ParameterError(f"unit_code={str(unit_code)!r} is not a unit_code of the pillar table")
    out = parts.static()
    parts.unit(out, str(unit_code))
    return out


def trend_parts(
    pillars: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> FigureParts:
    """:func:`plot_pillar_trend` split for reuse across communes (see
    :mod:`analysis.plots._reuse`): axes, periods, medians and legend are shared; a commune's
    lines and title are its own."""
    _check_lang(lang)
    _require(pillars, ["unit_code", "period", "government"], "pillar table")
    data = pillars.assign(
        unit_code=_codes(pillars["unit_code"]), period=pillars["period"].astype(str)
    )
    for p in _PILLARS:
        if p not in data.columns:
            data[p] = np.nan
    shown = [p for p in _PILLARS if data[p].notna().any()]
    periods = sort_periods(data["period"])
    xs = np.array([period_to_time(p) for p in periods])
    med = data.groupby("period")[list(_PILLARS)].median().reindex(periods)
    ylim = _score_limits(data[shown])
    by_unit = {
        code: g.set_index("period").reindex(periods) for code, g in data.groupby("unit_code")
    }
    names, synthetic = _unit_names(units), is_synthetic(status, pillars)
    state: dict[str, float] = {}

    def static() -> Axes:
        a = _new_axes(ax, (6.4, 3.7))
        _draw_medians(a, med, xs, shown)
        _trend_panel_axes(a, periods, lang, ylim, small=False)
        a.set_ylabel(i18n.t("axis.score", lang))
        state["pad"] = _legend_above(a, _trend_handles(shown, lang), "", ncol=len(shown) + 1)
        if synthetic:
            _add_watermark(a)
        return a

    def unit(a: Axes, code: str) -> list[Artist]:
        title = i18n.t("plots.trend_title", lang, name=_name(code, names))
        return _draw_commune(a, by_unit[code], xs, shown, size=1.3) + [
            a.set_title(title, pad=state["pad"])
        ]

    return FigureParts(static, unit, frozenset(by_unit))
