"""Figures of the gap: the dumbbell of the three pillars and the gap over time (the scatter of
government against the other pillars is in :mod:`.scatter`)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .. import i18n
from ..errors import ParameterError
from ..periods import period_to_time, sort_periods
from ..status import is_synthetic
from ._common import (
    _PILLARS,
    MAX_UNITS,
    _check_lang,
    _codes,
    _emphasise_ticks,
    _finish,
    _highlight_codes,
    _interval,
    _interval_level,
    _legend_above,
    _mark_omitted,
    _name,
    _new_axes,
    _no_data,
    _note,
    _period_axis,
    _points_interval,
    _points_text,
    _PointsFormatter,
    _require,
    _row_range,
    _select_period,
    _select_rows,
    _unit_names,
)
from ._style import _DARK, _NEUTRAL, OKABE_ITO, PILLAR_COLORS
from ._text import data_text


def plot_gap_dumbbell(
    gaps: pd.DataFrame,
    *,
    gap: str = "gap_mean",
    period: str | None = None,
    units: pd.DataFrame | None = None,
    show_ci: bool = True,
    highlight: Sequence[str] | str | None = None,
    top_n: int | None = None,
    max_units: int = MAX_UNITS,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Dumbbell: G, E and S of each commune on one line, communes sorted by the gap.

    Scores and gaps are shown in points of a 0–100 scale (the table's 0–1 values times 100).
    The right-hand column prints the gap and its indicator-selection interval (``<gap>_sel_lo``,
    ``<gap>_sel_hi``) in points, in the chosen language's number format (the number alone where
    the interval is NaN, e.g. pillars with a single indicator). A pillar with no value in the period (economy for the
    UN EGDI) is left out, legend included.

    Many units (more than ``max_units``, e.g. 193 countries) or ``top_n`` given: only the
    ``top_n`` (default 10) units with the largest and the smallest gap are drawn, plus the
    ``highlight`` units wherever they rank; a dotted line with "… n others" marks each skipped run.

    Args:
        gaps: gap table (``unit_code, period, government, economy, society, <gap>[_sel_lo,
            <gap>_sel_hi]``).
        gap: which gap orders the communes: ``gap_mean``, ``gap_econ`` or ``gap_soc``.
        period: period to show (default: latest).
        units: units table for commune names.
        show_ci: print the gap and its interval at the right.
        highlight: unit code(s) always shown, with a bold name and a shaded row.
        top_n: units shown at each end of the order (default: all when <= ``max_units``, else 10).
        max_units: above this many units, only the ends and the highlighted units are shown.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes; the points of pillar ``p`` are the collection with ``gid=f"points_{p}"``
        (``omitted_text`` / ``highlight_<code>`` for skipped runs and highlighted rows).
    """
    _check_lang(lang)
    _require(gaps, ["unit_code", gap], "gap table")
    data, period = _select_period(gaps, period, "gap table")
    data = data.assign(unit_code=_codes(data["unit_code"]))
    for p in _PILLARS:
        if p not in data.columns:
            data = data.assign(**{p: np.nan})
    data = data.sort_values([gap, "unit_code"], ascending=[True, True])
    hl = _highlight_codes(highlight, gaps["unit_code"].astype(str), "gap table", data["unit_code"])
    n_total = len(data)
    data, pos = _select_rows(data, gap, top_n=top_n, highlight=hl, max_units=max_units)
    n = len(data)
    ax = _new_axes(ax, (7.0, max(3.5, 0.3 * n + 1.6)))
    yy = np.arange(n)
    shown = [p for p in _PILLARS if data[p].notna().any()]
    vals = data[shown].to_numpy(float) if shown else np.full((n, 1), np.nan)
    lo_row, hi_row = _row_range(vals)
    ax.hlines(yy, lo_row, hi_row, color="#C8C8C8", lw=2.2, zorder=1, gid="dumbbell_bars")
    for p in shown:
        ax.scatter(
            data[p].to_numpy(float), yy, s=42, color=PILLAR_COLORS[p], edgecolor="white", linewidth=0.6, zorder=3,
            label=i18n.t(f"pillar.{p}", lang), gid=f"points_{p}",
        )  # fmt: skip
    codes = list(data["unit_code"])
    for y, code in zip(yy, codes, strict=True):
        if code in hl:
            ax.axhspan(y - 0.45, y + 0.45, color="#F3EBC9", lw=0, zorder=0, gid=f"highlight_{code}")
    names = _unit_names(units)
    ax.set_yticks(yy, [_name(c, names) for c in codes])
    _emphasise_ticks(ax, codes, hl)
    if len(pos) < n_total:
        _mark_omitted(ax, pos, n_total, lang)
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.t("axis.score", lang))
    ax.xaxis.set_major_formatter(_PointsFormatter(lang))
    finite = vals[np.isfinite(vals)]
    lo_v, hi_v = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    ax.set_xlim(min(0.0, lo_v - 0.02), max(1.0, hi_v + 0.02))
    if show_ci:
        _gap_ci_column(ax, data, yy, gap, lang)
    handles, _ = ax.get_legend_handles_labels()
    _legend_above(ax, handles, i18n.t("title.dumbbell", lang), ncol=len(shown))
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


def _gap_ci_column(ax: Axes, data: pd.DataFrame, yy: np.ndarray, gap: str, lang: str) -> None:
    """Right-hand column: the gap of each row and its indicator-selection interval in points
    (the number alone where the interval is NaN), under a bold header."""
    n = len(data)
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    interval = _interval(data, gap)
    has_ci = interval is not None and bool(
        (np.isfinite(interval[0]) & np.isfinite(interval[1])).any()
    )
    header = i18n.t(f"gap_short.{gap}", lang)
    if has_ci:
        level = i18n.format_level(_interval_level(data), lang)
        header = i18n.t("plots.gap_interval_header", lang, gap=header, level=level)
    small = mpl.rcParams["font.size"] - 1
    ax.text(1.02, n - 0.3, header, transform=trans, ha="left", va="bottom", fontsize=small,
            fontweight="bold", color=_DARK, linespacing=1.15, gid="gap_ci_header")  # fmt: skip
    values = data[gap].to_numpy(float)
    for k, y in enumerate(yy):
        txt = _points_text(values[k], lang)
        if has_ci and np.isfinite(interval[0][k]) and np.isfinite(interval[1][k]):
            txt += f"  [{_points_interval(interval[0][k], interval[1][k], lang)}]"
        ax.text(1.02, y, txt, transform=trans, ha="left", va="center", fontsize=small, color=_DARK,
                gid="gap_ci_text")  # fmt: skip


#: above this many units the gap trend draws the 10-90% band instead of one line per unit
MAX_LINES = 200


def plot_gap_trend(
    gaps: pd.DataFrame,
    *,
    gap: str = "gap_mean",
    units: pd.DataFrame | None = None,
    highlight: Sequence[str] | str | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """The gap over time: every commune (thin grey), the district median and interquartile band,
    and highlighted communes in colour with the band of their indicator-selection interval when
    the table has one; the gap is shown in points (the table's 0–1 values times 100).

    Args:
        gaps: gap table with several periods.
        gap: ``gap_mean``, ``gap_econ`` or ``gap_soc``.
        units: units table for names.
        highlight: unit code(s) to draw in colour.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (``gid`` ``commune_<code>``, ``median_line``, ``iqr_band``, ``zero_line``).
    """
    _check_lang(lang)
    _require(gaps, ["unit_code", "period", gap], "gap table")
    data = gaps.assign(unit_code=_codes(gaps["unit_code"]), period=gaps["period"].astype(str))
    periods = sort_periods(data["period"])
    xs = np.array([period_to_time(p) for p in periods])
    ax = _new_axes(ax, (7.0, 4.2))
    if not data[gap].notna().any():  # e.g. gap_econ for the UN EGDI (no economy pillar)
        _no_data(ax, lang, i18n.t(f"gap.{gap}", lang, default=data_text(gap)))
        ax.set_title(i18n.t("title.gap_trend", lang), pad=24)
        return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))
    wide = data.pivot_table(
        index="period", columns="unit_code", values=gap, aggfunc="mean"
    ).reindex(periods)
    many = wide.shape[1] > MAX_LINES
    if many:  # a province, the country: the 10-90% band of the units instead of every line
        q10, q90 = (wide.quantile(q, axis=1).to_numpy(float) for q in (0.1, 0.9))
        ax.fill_between(xs, q10, q90, color=_NEUTRAL, alpha=0.12, lw=0, zorder=1, gid="p10_p90_band",
                        label=i18n.t("legend.p10_p90", lang, n=i18n.format_number(wide.shape[1], lang)))  # fmt: skip
    else:
        for code in wide.columns:
            ax.plot(xs, wide[code].to_numpy(float), color="#BDBDBD", lw=0.8, zorder=1,
                    gid=f"commune_{code}")  # fmt: skip
    q25, q50, q75 = (wide.quantile(q, axis=1).to_numpy(float) for q in (0.25, 0.5, 0.75))
    ax.fill_between(xs, q25, q75, color=_NEUTRAL, alpha=0.2, lw=0, zorder=2, gid="iqr_band")
    ax.plot(
        xs,
        q50,
        color=_DARK,
        lw=2.4,
        zorder=3,
        gid="median_line",
        label=i18n.t("legend.district_median", lang),
    )
    ax.axhline(0, color="#444444", lw=0.8, ls="--", zorder=2, gid="zero_line")
    names = _unit_names(units)
    if highlight is not None:
        _draw_highlighted(ax, data, wide, xs, periods, gap, highlight, names, lang)
    _period_axis(ax, periods, lang)
    ax.yaxis.set_major_formatter(_PointsFormatter(lang))
    ax.set_ylabel(_note("axis_gap", lang, gap=i18n.t(f"gap.{gap}", lang, default=data_text(gap))))
    ax.set_xlabel(i18n.t("axis.period", lang))
    handles, _ = ax.get_legend_handles_labels()
    if not many:
        handles.insert(
            0, Line2D([], [], color="#BDBDBD", lw=0.8, label=i18n.t("legend.all_communes", lang))
        )
    _legend_above(ax, handles, i18n.t("title.gap_trend", lang), ncol=min(3, len(handles)))
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


def _draw_highlighted(
    ax: Axes,
    data: pd.DataFrame,
    wide: pd.DataFrame,
    xs: np.ndarray,
    periods: Sequence[str],
    gap: str,
    highlight: Sequence[str] | str,
    names: dict[str, str],
    lang: str,
) -> None:
    """Highlighted units in colour (with the band of their indicator-selection interval when
    there is one unit and the table has intervals), named in the legend."""
    codes = [highlight] if isinstance(highlight, str) else list(highlight)
    palette = [
        PILLAR_COLORS["government"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["sky_blue"],
    ]
    for k, code in enumerate(map(str, codes)):
        if code not in wide.columns:
            raise ParameterError(f"highlight={code!r} is not a unit_code of the gap table")
        color = palette[k % len(palette)]
        sub = data.loc[data["unit_code"] == code].set_index("period").reindex(periods)
        band = _interval(sub, gap) if len(codes) == 1 else None
        if band is not None and np.isfinite(band[0]).any():
            level = i18n.format_level(_interval_level(data), lang)
            ax.fill_between(xs, band[0], band[1], color=color, alpha=0.15, lw=0, zorder=3, gid=f"ci_band_{code}",
                            label=i18n.t("plots.selection_interval", lang, level=level))  # fmt: skip
        ax.plot(
            xs,
            sub[gap].to_numpy(float),
            color=color,
            lw=2.0,
            marker="o",
            markersize=3.5,
            zorder=4,
            gid=f"highlight_{code}",
            label=_name(code, names),
        )
