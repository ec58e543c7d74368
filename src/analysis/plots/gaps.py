"""Figures of the gap: the dumbbell of the three pillars, government against economy or
society (scatter with typology quadrants), and the gap over time."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from .. import i18n
from ..errors import DataValidationError, ParameterError
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
    _mark_omitted,
    _name,
    _new_axes,
    _no_data,
    _number_formatter,
    _require,
    _row_range,
    _select_period,
    _select_rows,
    _unit_names,
)
from ._labels import _place_labels, _shared_label_layout
from ._style import _DARK, _NEUTRAL, OKABE_ITO, PILLAR_COLORS, TYPOLOGY_COLORS, _tint
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

    The right-hand column prints the gap and its indicator-selection interval (``<gap>_sel_lo``,
    ``<gap>_sel_hi``) as numbers in the chosen language (the number alone where the interval is NaN,
    e.g. pillars with a single indicator). A pillar with no value in the period (economy for the
    UN EGDI) is left out, legend included.

    Many units (more than ``max_units``, e.g. 193 countries) or ``top_n`` given: only the
    ``top_n`` (default 10) units with the largest and the smallest gap are drawn, plus the
    ``highlight`` units wherever they rank; a dotted line with "… n others" marks each skipped run.

    Args:
        gaps: gap table (``unit_code, period, government, economy, society, <gap>[, _sel_lo, _sel_hi]``).
        gap: which gap orders the communes: ``gap_mean``, ``gap_econ`` or ``gap_soc``.
        period: period to show (default: latest).
        units: units table for commune names.
        show_ci: print the gap and its indicator-selection interval at the right.
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
    ax.xaxis.set_major_formatter(_number_formatter(lang, 1))
    finite = vals[np.isfinite(vals)]
    lo_v, hi_v = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    ax.set_xlim(min(0.0, lo_v - 0.02), max(1.0, hi_v + 0.02))
    if show_ci:
        _gap_ci_column(ax, data, yy, gap, lang)
    if shown:
        ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=len(shown),
            borderaxespad=0.3,
            handletextpad=0.2,
            columnspacing=1.2,
        )
    ax.set_title(i18n.t("title.dumbbell", lang), pad=26)
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


def _gap_ci_column(ax: Axes, data: pd.DataFrame, yy: np.ndarray, gap: str, lang: str) -> None:
    """Right-hand column: the gap of each row and its interval (the number alone where the
    interval is NaN), under a bold header."""
    n = len(data)
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    has_ci = (
        f"{gap}_sel_lo" in data.columns
        and f"{gap}_sel_hi" in data.columns
        and bool((data[f"{gap}_sel_lo"].notna() & data[f"{gap}_sel_hi"].notna()).any())
    )
    ax.text(1.02, n - 0.3, i18n.t(f"gap_short.{gap}", lang) + (f" ({i18n.t('misc.ci90', lang)})" if has_ci else ""),
            transform=trans, ha="left", va="bottom", fontsize=mpl.rcParams["font.size"] - 1, fontweight="bold", color=_DARK)  # fmt: skip
    for y, (_, row) in zip(yy, data.iterrows(), strict=True):
        txt = i18n.format_number(row[gap], lang, 2)
        if has_ci and pd.notna(row[f"{gap}_sel_lo"]) and pd.notna(row[f"{gap}_sel_hi"]):
            txt += (
                f"  [{i18n.format_interval(row[f'{gap}_sel_lo'], row[f'{gap}_sel_hi'], lang, 2)}]"
            )
        ax.text(
            1.02,
            y,
            txt,
            transform=trans,
            ha="left",
            va="center",
            fontsize=mpl.rcParams["font.size"] - 1,
            color=_DARK,
            gid="gap_ci_text",
        )


def plot_pillar_scatter(
    gaps: pd.DataFrame,
    *,
    y: str = "economy",
    period: str | None = None,
    units: pd.DataFrame | None = None,
    thresholds: tuple[float, float] | None = None,
    label: bool = True,
    highlight: Sequence[str] | str | None = None,
    max_labels: int = MAX_UNITS,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Scatter of digital government (x) against economy or society (y).

    With more than ``max_labels`` units (e.g. 193 countries) only the ``highlight`` units are
    named; highlighted points are drawn with a dark edge (``gid="highlight_points"``) and bold
    names. A ``y`` pillar with no value in the period (economy for the UN EGDI) gives an empty
    panel saying so (``gid="no_data"``).

    Drawn: the 45° parity line (``gid="identity_line"``); each commune's point; a vertical
    whisker showing the indicator-selection interval of its gap (``G − y``): the whisker spans
    ``G − gap_sel_hi`` to ``G − gap_sel_lo``, so it crosses the 45° line exactly when the
    interval covers 0; quadrants shaded
    by typology (split at ``thresholds``, default the district medians of x and y); commune
    labels placed without overlap.

    Args:
        gaps: gap table.
        y: ``"economy"`` or ``"society"``.
        period: period to show (default: latest).
        units: units table for commune names.
        thresholds: ``(x, y)`` split of the quadrants; default the medians.
        label: write the commune names (all when there are at most ``max_labels`` units,
            otherwise only the highlighted ones).
        highlight: unit code(s) to emphasise and always name.
        max_labels: above this many units only highlighted units are named.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (points ``gid="points"``, whiskers ``gid="ci_whiskers"``, labels ``gid="label"``).
    """
    _check_lang(lang)
    if y not in ("economy", "society"):
        raise ParameterError(f"plot_pillar_scatter: y={y!r}; use 'economy' or 'society'")
    gcol = "gap_econ" if y == "economy" else "gap_soc"
    _require(gaps, ["unit_code", "government"], "gap table")
    data, period = _select_period(gaps, period, "gap table")
    data = data.assign(unit_code=_codes(data["unit_code"])).sort_values("unit_code")
    hl = _highlight_codes(highlight, gaps["unit_code"].astype(str), "gap table", data["unit_code"])
    ax = _new_axes(ax, (6.2, 6.2))
    if y not in data.columns or not data[y].notna().any():
        _no_data(ax, lang, i18n.t(f"pillar.{y}", lang))
        ax.set_title(i18n.t("title.scatter", lang, y=i18n.t(f"pillar.{y}", lang)))
        return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))
    xv = data["government"].to_numpy(float)
    yv = data[y].to_numpy(float)
    many = len(data) > max_labels
    has_ci = f"{gcol}_sel_lo" in data.columns and f"{gcol}_sel_hi" in data.columns
    w_lo = xv - data[f"{gcol}_sel_hi"].to_numpy(float) if has_ci else yv
    w_hi = xv - data[f"{gcol}_sel_lo"].to_numpy(float) if has_ci else yv
    lo, hi = _equal_limits(xv, yv, w_lo, w_hi)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal", adjustable="box")
    tx, ty = (
        thresholds if thresholds is not None else (float(np.nanmedian(xv)), float(np.nanmedian(yv)))
    )
    _draw_quadrants(ax, y, lo, hi, tx, ty, lang)
    ax.plot(
        [lo, hi],
        [lo, hi],
        ls="--",
        lw=1.0,
        color="#444444",
        zorder=2,
        gid="identity_line",
        label=i18n.t("legend.parity", lang),
    )
    color = PILLAR_COLORS[y]
    if has_ci:
        ax.vlines(
            xv,
            w_lo,
            w_hi,
            color=color,
            alpha=0.55,
            lw=1.3,
            zorder=3,
            gid="ci_whiskers",
            label=i18n.t("legend.gap_ci", lang),
        )
    ax.scatter(xv, yv, s=16 if many else 34, color=color, edgecolor="white", linewidth=0.5 if many else 0.7,
               zorder=5, gid="points")  # fmt: skip
    is_hl = data["unit_code"].isin(hl).to_numpy()
    if is_hl.any():
        ax.scatter(xv[is_hl], yv[is_hl], s=46, color=color, edgecolor=_DARK, linewidth=1.4, zorder=5.2,
                   gid="highlight_points")  # fmt: skip
    ax.set_xlabel(i18n.t("pillar.government", lang) + " (0–1)")
    ax.set_ylabel(i18n.t(f"pillar.{y}", lang) + " (0–1)")
    ax.xaxis.set_major_formatter(_number_formatter(lang, 1))
    ax.yaxis.set_major_formatter(_number_formatter(lang, 1))
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.95), fontsize=mpl.rcParams["font.size"] - 1)
    ax.set_title(i18n.t("title.scatter", lang, y=i18n.t(f"pillar.{y}", lang)))
    if label:
        _label_points(ax, data, xv, yv, units, hl, many)
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


def _equal_limits(*values: np.ndarray) -> tuple[float, float]:
    """One range for both axes: every finite value with an 8% margin, inside [0, 1] when the
    values are."""
    allv = np.concatenate(values)
    allv = allv[np.isfinite(allv)]
    span = max(allv.max() - allv.min(), 0.1)
    lo = max(0.0, allv.min() - 0.08 * span) if allv.min() >= 0 else allv.min() - 0.08 * span
    hi = min(1.0, allv.max() + 0.08 * span) if allv.max() <= 1 else allv.max() + 0.08 * span
    return lo, hi


def _draw_quadrants(
    ax: Axes, y: str, lo: float, hi: float, tx: float, ty: float, lang: str
) -> None:
    """Typology quadrants split at (``tx``, ``ty``), shaded and named in their far corners."""
    quadrants = {
        "government_led": (tx, lo, hi - tx, ty - lo),
        "economy_society_led": (lo, ty, tx - lo, hi - ty),
        "balanced_high": (tx, ty, hi - tx, hi - ty),
        "balanced_low": (lo, lo, tx - lo, ty - lo),
    }
    ex, ey = 0.012 * (hi - lo), 0.012 * (hi - lo)
    corner = {  # corners away from the 45° line
        "government_led": (hi - ex, lo + ey, "right", "bottom"),
        "economy_society_led": (lo + ex, hi - ey, "left", "top"),
        "balanced_high": (hi - ex, ty + ey, "right", "bottom"),
        "balanced_low": (lo + ex, ty - ey, "left", "top"),
    }
    for cls, (x0, y0, w, h) in quadrants.items():
        fill = (
            _tint(PILLAR_COLORS[y], 0.85) if cls == "economy_society_led" else TYPOLOGY_COLORS[cls]
        )
        ax.add_patch(
            Rectangle(
                (x0, y0), w, h, facecolor=fill, edgecolor="none", zorder=0, gid=f"quadrant_{cls}"
            )
        )
        cx, cy, ha, va = corner[cls]
        ax.text(cx, cy, i18n.t(f"typology.{cls}", lang), ha=ha, va=va,
                fontsize=mpl.rcParams["font.size"] - 1.5, color="#6B6B6B", style="italic", zorder=1, gid=f"quadrant_label_{cls}")  # fmt: skip


def _label_points(
    ax: Axes,
    data: pd.DataFrame,
    xv: np.ndarray,
    yv: np.ndarray,
    units: pd.DataFrame | None,
    hl: Sequence[str],
    many: bool,
) -> None:
    """Unit names by their points (only the highlighted units when there are ``many``),
    clear of the quadrant names and the legend."""
    names = _unit_names(units)
    avoid = [t for t in ax.texts if (t.get_gid() or "").startswith("quadrant_label_")]
    legend = ax.get_legend()
    is_hl = data["unit_code"].isin(hl).to_numpy()
    sel = (is_hl if many else np.ones(len(data), bool)) & np.isfinite(xv) & np.isfinite(yv)
    codes = data["unit_code"].to_numpy()[sel]
    _place_labels(
        ax,
        xv[sel],
        yv[sel],
        [_name(c, names) for c in codes],
        styles=[{"fontweight": "bold"} if c in hl else {} for c in codes],
        avoid=[*avoid, *([legend] if legend else [])],
    )


def figure_pillar_scatter(
    gaps: pd.DataFrame,
    *,
    period: str | None = None,
    units: pd.DataFrame | None = None,
    highlight: Sequence[str] | str | None = None,
    max_labels: int = MAX_UNITS,
    lang: str = "vi",
    status: str | None = None,
) -> Figure:
    """Government against economy, and against society (see :func:`plot_pillar_scatter`).

    One panel per pillar that has values in the period: a framework without economy (the UN
    EGDI) gives the society panel only.

    Raises:
        DataValidationError: neither economy nor society has a value in the period.
    """
    data, chosen = _select_period(gaps, period, "gap table")
    ys = [y for y in ("economy", "society") if y in data.columns and data[y].notna().any()]
    if not ys:
        raise DataValidationError(
            [f"period {chosen}: no economy or society value, nothing to plot against government"],
            source="gap table",
        )
    fig, axes = plt.subplots(
        1, len(ys), figsize=(5.9 * len(ys) - 0.3, 6.0), layout="constrained", squeeze=False
    )
    with _shared_label_layout(fig):
        for ax, y in zip(axes[0], ys, strict=True):
            plot_pillar_scatter(gaps, y=y, period=period, units=units, highlight=highlight, max_labels=max_labels,
                                ax=ax, lang=lang, status=status)  # fmt: skip
    return fig


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
    and highlighted communes in colour with their indicator-selection interval band when the table has one.

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
    for code in wide.columns:
        ax.plot(
            xs, wide[code].to_numpy(float), color="#BDBDBD", lw=0.8, zorder=1, gid=f"commune_{code}"
        )
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
        _draw_highlighted(ax, data, wide, xs, periods, gap, highlight, names)
    _period_ticks(ax, periods, lang, every=1 if len(periods) <= 8 else 2)
    ax.yaxis.set_major_formatter(_number_formatter(lang, 2))
    ax.set_ylabel(i18n.t(f"gap.{gap}", lang, default=data_text(gap)))
    ax.set_xlabel(i18n.t("axis.period", lang))
    handles, _ = ax.get_legend_handles_labels()
    handles.insert(
        0, Line2D([], [], color="#BDBDBD", lw=0.8, label=i18n.t("legend.all_communes", lang))
    )
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=min(4, len(handles)),
        borderaxespad=0.3,
    )
    ax.set_title(i18n.t("title.gap_trend", lang), pad=24)
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
) -> None:
    """Highlighted units in colour (with their selection-interval band when there is one unit and the table
    has intervals), named in the legend."""
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
        if len(codes) == 1 and f"{gap}_sel_lo" in sub.columns and f"{gap}_sel_hi" in sub.columns:
            ax.fill_between(
                xs,
                sub[f"{gap}_sel_lo"].to_numpy(float),
                sub[f"{gap}_sel_hi"].to_numpy(float),
                color=color,
                alpha=0.15,
                lw=0,
                zorder=3,
                gid=f"ci_band_{code}",
            )
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


def _period_ticks(ax: Axes, periods: Sequence[str], lang: str, every: int = 1) -> None:
    xs = [period_to_time(p) for p in periods]
    ax.set_xticks(xs[::every], [i18n.format_period(p, lang) for p in periods[::every]])
