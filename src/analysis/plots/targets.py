"""Distance to the national targets of one commune: each indicator's raw value as a share of its
2025 target, on a scale shared by every commune of the period (a kind drawn for every commune,
split for reuse: :func:`targets_parts`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .. import i18n
from ..errors import ParameterError
from ..frameworks import load_framework
from ..status import is_synthetic
from ._common import (
    _add_watermark,
    _check_lang,
    _codes,
    _indicator_label,
    _legend_below,
    _max_lines,
    _name,
    _new_axes,
    _number_formatter,
    _pillar_of,
    _require,
    _select_period,
    _unit_names,
)
from ._reuse import FigureParts
from ._style import _DARK, _NEUTRAL, _TARGET_2025, _TARGET_2030, PILLAR_COLORS
from ._text import data_text

#: the shared scale runs to at least this attainment (%), and cuts bars beyond this one (%)
#: (unless a 2030 target lies further: it stays on the scale)
_SCALE_MIN, _SCALE_CAP = 120.0, 250.0


def plot_distance_to_targets(
    observations: pd.DataFrame,
    unit_code: str,
    *,
    period: str | None = None,
    framework: Any | None = None,
    units: pd.DataFrame | None = None,
    indicator_labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Bars per indicator: the commune's raw value as a percentage of its 2025 target.

    Rows are the indicators with a national target that some commune reports in the period
    (a commune without a value has an empty row and a dash). The 2025 target is the line at
    100% (``gid="target_2025_line"``); the 2030 target is a marker at
    ``target_2030 / target_2025 × 100`` (``gid="target_2030_points"``). For an indicator with
    only a 2030 target, that target is the 100% reference. For direction −1 (lower is better)
    attainment is ``target / value``. The raw value and both targets are printed at the right.

    The x axis is the same for every commune of the period (so that two communes' figures
    compare at a glance): up to 12% beyond the largest attainment or 2030 mark of any commune,
    at least 120%; a bar beyond 250% (or beyond the last 2030 mark) is cut at the edge and
    marked with an arrowhead (``gid="beyond_scale"``), explained in the legend.

    Args:
        observations: observation table (``unit_code, period, indicator, value[, status]``).
        unit_code: the commune.
        period: period to show (default: latest).
        framework: indicator framework with targets (default: the commune framework).
        units: units table for the commune's name.
        indicator_labels: optional ``{indicator id: label}``.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (bars ``gid="attainment_bar"``, values ``gid="value_text"``).
    """
    parts = targets_parts(observations, period=period, framework=framework, units=units,
                          indicator_labels=indicator_labels, ax=ax, lang=lang, status=status)  # fmt: skip
    if str(unit_code) not in parts.codes:
        raise ParameterError(
            f"unit_code={str(unit_code)!r} has no observations in the period drawn"
        )
    out = parts.static()
    parts.unit(out, str(unit_code))
    return out


def targets_parts(
    observations: pd.DataFrame,
    *,
    period: str | None = None,
    framework: Any | None = None,
    units: pd.DataFrame | None = None,
    indicator_labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> FigureParts:
    """The distance to targets split for reuse across communes (see
    :mod:`analysis.plots._reuse`): rows, labels, scale, legend and column header are shared; a
    commune's bars, target marks, values and title are its own. Arguments as in
    :func:`plot_distance_to_targets`."""
    _check_lang(lang)
    _require(observations, ["unit_code", "indicator", "value"], "observation table")
    data, period = _select_period(observations, period, "observation table")
    fw = load_framework() if framework is None else framework
    meta = fw.indicators.set_index("id")
    if not meta[["target_2025", "target_2030"]].notna().any().any():
        raise ParameterError(
            f"framework {fw.id!r} has no 2025 or 2030 target for any indicator: there is no "
            "distance-to-target figure for it; skip this figure (e.g. the EGDI, DESI and DTI editions)"
        )
    wide = data.assign(unit_code=_codes(data["unit_code"])).pivot_table(
        index="unit_code", columns="indicator", values="value", aggfunc="mean", dropna=False
    )
    rows = _target_rows(fw, meta, [i for i in fw.indicator_ids if i in wide.columns])
    if not rows:
        raise ParameterError("no indicator with a 2025 or 2030 target has a value in the period")
    ids = [r["indicator"] for r in rows]
    att = _attainment(wide.reindex(columns=ids).to_numpy(float), rows)
    m30 = np.array([r["mark_2030"] for r in rows], float)
    top = np.nanmax(np.concatenate([att[np.isfinite(att)], m30[np.isfinite(m30)], [0.0]]))
    xmax = max(_SCALE_MIN, min(1.12 * top, max(_SCALE_CAP, 1.1 * np.nanmax(np.append(m30, 0.0)))))
    cut = bool((att > xmax).any())
    labels = [_indicator_label(i, fw, lang, 46, indicator_labels) for i in ids]
    n = len(rows)
    colors = [PILLAR_COLORS.get(r["pillar"], _NEUTRAL) for r in rows]
    names, synthetic = _unit_names(units), is_synthetic(status, observations)
    suffix = f" · {i18n.format_period(period, lang)}" if period else ""
    row_h = 0.42 if _max_lines(labels) == 1 else 0.5
    yy = np.arange(n)[::-1].astype(float)
    values = [[_in_unit(v, r["unit"], lang, 1) for v, r in zip(vals, rows, strict=True)]
              for vals in wide.reindex(columns=ids).to_numpy(float)]  # fmt: skip
    # the values' column is as wide as the longest value of any commune (a digit is ~0.6 em)
    value_w = (
        max(len(i18n.t("legend.commune_value", lang)), *(len(v) for vs in values for v in vs))
        * 0.6
        * (mpl.rcParams["font.size"] - 1)
    )

    def static() -> Axes:
        a = _new_axes(ax, (8.2, row_h * n + 2.3))
        a.set_xlim(0, xmax)
        a.set_ylim(-0.6, n - 0.4)
        a.set_yticks(yy, labels)
        for tick, c in zip(a.get_yticklabels(), colors, strict=True):
            tick.set_color(c)
        a.xaxis.set_major_formatter(_number_formatter(lang, 0))
        a.grid(axis="y", visible=False)
        a.axvline(100, color=_TARGET_2025, lw=1.4, zorder=2.55, gid="target_2025_line")
        a.set_xlabel(i18n.t("axis.pct_of_target", lang))
        _target_columns(a, rows, yy, value_w, lang)
        _legend_below(a, _target_handles(lang, cut, xmax), ncol=2)
        if synthetic:
            _add_watermark(a)
        return a

    def unit(a: Axes, code: str) -> list[Artist]:
        k = wide.index.get_loc(code)
        drawn = _draw_attainment(a, att[k], m30, yy, colors, xmax)
        drawn += _value_column(a, values[k], yy, value_w)
        title = i18n.t("title.distance_to_targets", lang, name=_name(code, names)) + suffix
        return drawn + [a.set_title(title, pad=_title_pad())]

    return FigureParts(static, unit, frozenset(wide.index))


def _title_pad() -> float:
    """The title's pad: above the header of the value columns (the title is left-aligned and
    may run over them)."""
    return float(mpl.rcParams["axes.titlepad"]) + 1.2 * (mpl.rcParams["font.size"] - 1) + 3


#: gap (points) between the axes and the values' column, and between the two columns
_COLUMN_GAP = 8.0


def _column(
    ax: Axes, text: str, y: float, x_pt: float, va: str = "center", **kwargs: Any
) -> Artist:
    """A text of the right-hand table at row ``y``, ``x_pt`` points right of the axes."""
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    return ax.annotate(text, xy=(1.0, y), xycoords=trans, xytext=(x_pt, 0), textcoords="offset points",
                       va=va, fontsize=mpl.rcParams["font.size"] - 1, color=_DARK, **kwargs)  # fmt: skip


def _target_columns(
    ax: Axes, rows: Sequence[dict], yy: np.ndarray, value_w: float, lang: str
) -> None:
    """The shared part of the right-hand table: both headers and each row's 2025 and 2030
    targets (in the indicator's unit), right of the values' column."""
    x_values, x_targets = _COLUMN_GAP + value_w, 2 * _COLUMN_GAP + value_w
    top = len(rows) - 0.45
    _column(
        ax,
        i18n.t("legend.commune_value", lang),
        top,
        x_values,
        va="bottom",
        ha="right",
        fontweight="bold",
        gid="value_header",
    )
    _column(
        ax,
        i18n.t("plots.targets_header", lang),
        top,
        x_targets,
        va="bottom",
        ha="left",
        fontweight="bold",
        gid="target_header",
    )
    for r, y in zip(rows, yy, strict=True):
        _column(ax, f"{_in_unit(r['t25'], r['unit'], lang)} · {_in_unit(r['t30'], r['unit'], lang)}", y, x_targets,
                ha="left", gid="target_text")  # fmt: skip


def _target_rows(fw: Any, meta: pd.DataFrame, indicators: Sequence[str]) -> list[dict]:
    """The indicators with a national target, in framework order: reference target (2025,
    else 2030), both targets, direction, unit and the 2030 mark on the attainment scale."""
    rows = []
    for ind_id in indicators:
        m = meta.loc[ind_id]
        t25, t30 = (
            float(m.get(c)) if pd.notna(m.get(c)) else math.nan
            for c in ("target_2025", "target_2030")
        )
        ref = t25 if np.isfinite(t25) else t30
        if not np.isfinite(ref) or ref == 0:
            continue
        negative = float(m.get("direction", 1)) < 0
        mark = (
            ((ref / t30 if negative else t30 / ref) * 100)
            if np.isfinite(t30) and np.isfinite(t25)
            else math.nan
        )
        rows.append(dict(indicator=ind_id, pillar=_pillar_of(ind_id, fw), ref=ref, negative=negative,
                         t25=t25, t30=t30, unit=str(m.get("unit", "")), mark_2030=mark))  # fmt: skip
    return rows


def _attainment(values: np.ndarray, rows: Sequence[dict]) -> np.ndarray:
    """Attainment (%) of each unit (rows of ``values``) and indicator: value / target, or
    target / value when lower is better (infinite for a value of 0)."""
    ref = np.array([r["ref"] for r in rows], float)
    negative = np.array([r["negative"] for r in rows], bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(negative, np.where(values == 0, np.inf, ref / values), values / ref) * 100


def _draw_attainment(
    ax: Axes, att: np.ndarray, m30: np.ndarray, yy: np.ndarray, colors: Sequence[str], xmax: float
) -> list[Artist]:
    """A commune's bars (cut at the scale's end, with an arrowhead) and the 2030 marks; above
    the grid, the mark, the axis line (2.5) and the 100% line of the 2025 target (shared, seen
    through the bars)."""
    container = ax.barh(
        yy, np.minimum(att, xmax), height=0.62, color=colors, alpha=0.85, zorder=2.6
    )
    ax.containers.remove(container)  # the bars are the unit's artists; nothing reads the container
    bars = list(container)
    for b in bars:
        b.set_gid("attainment_bar")
    over = att > xmax
    beyond = ax.scatter(np.full(int(over.sum()), xmax * 0.985), yy[over], marker=">", s=30, color="white",
                        edgecolor="none", zorder=2.7, gid="beyond_scale")  # fmt: skip
    ok = np.isfinite(m30)
    marks = ax.scatter(m30[ok], yy[ok], marker="D", s=34, facecolor="white", edgecolor=_TARGET_2030, linewidth=1.6,
                       zorder=5, gid="target_2030_points")  # fmt: skip
    return [*bars, beyond, marks]


def _value_column(ax: Axes, values: Sequence[str], yy: np.ndarray, value_w: float) -> list[Artist]:
    """A commune's raw values, right-aligned in the first column of the right-hand table."""
    return [
        _column(ax, v, y, _COLUMN_GAP + value_w, ha="right", gid="value_text")
        for v, y in zip(values, yy, strict=True)
    ]


def _in_unit(v: float, unit: str, lang: str, digits: int | None = None) -> str:
    """A value in its unit's format (a dash when there is none)."""
    if not np.isfinite(v):
        return i18n.MISSING
    d = digits if digits is not None else (1 if v % 1 else 0)
    if unit == "%":
        return i18n.format_pct(v, lang, d)
    text = i18n.format_number(v, lang, d)
    return f"{text} {data_text(unit, max_lines=1)}" if digits is not None and unit else text


def _target_handles(lang: str, cut: bool, xmax: float) -> list[Line2D]:
    handles = [
        Line2D([], [], color=_TARGET_2025, lw=1.3, label=i18n.t("legend.target_2025", lang) + " (100%)"),
        Line2D([], [], marker="D", ls="", markerfacecolor="white", markeredgecolor=_TARGET_2030, markersize=6, markeredgewidth=1.6, label=i18n.t("legend.target_2030", lang)),
    ]  # fmt: skip
    if cut:
        handles.append(Line2D([], [], marker=">", ls="", color=_NEUTRAL, markersize=6,
                              label=i18n.t("plots.beyond_scale", lang, pct=i18n.format_number(xmax, lang, 0))))  # fmt: skip
    return handles
