"""Figures of one commune: its indicator profile against the district median and the 2025
targets, and its distance to the national targets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .. import i18n
from ..errors import ParameterError
from ..frameworks import load_framework
from ..status import is_synthetic
from ._common import (
    _PILLARS,
    _check_lang,
    _codes,
    _default_framework,
    _finish,
    _indicator_label,
    _name,
    _new_axes,
    _number_formatter,
    _pillar_of,
    _require,
    _select_period,
    _unit_names,
)
from ._style import _DARK, _NEUTRAL, _TARGET_2025, _TARGET_2030, PILLAR_COLORS
from ._text import data_text


def plot_commune_profile(
    scores: pd.DataFrame,
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
    """Dot plot of one commune's normalised indicators, the district median and the 2025 targets.

    Targets are put on the normalised scale with the framework's goalposts
    (``(target − lo) / (hi − lo)``, reversed for direction −1).

    Args:
        scores: score table (indicator rows are used).
        unit_code: the commune.
        period: period to show (default: latest).
        framework: indicator framework (default: the commune framework).
        units: units table for the commune's name.
        indicator_labels: optional ``{indicator id: label}``.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (``gid`` ``commune_points``, ``median_points``, ``target_points``).
    """
    _check_lang(lang)
    _require(scores, ["unit_code", "level", "name", "value"], "score table")
    unit_code = str(unit_code)
    data, period = _select_period(scores, period, "score table")
    ind = data.loc[data["level"] == "indicator"].assign(unit_code=lambda d: _codes(d["unit_code"]))
    if unit_code not in set(ind["unit_code"]):
        raise ParameterError(
            f"unit_code={unit_code!r} has no indicator scores in period {period}; known: {', '.join(sorted(set(ind['unit_code'])))}"
        )
    fw = framework if framework is not None else _default_framework(ind["name"].unique())
    median = ind.groupby("name")["value"].median()
    mine = ind.loc[ind["unit_code"] == unit_code].groupby("name")["value"].mean()
    if fw is not None:
        order = [i for i in fw.indicator_ids if i in mine.index]
        meta = fw.indicators.set_index("id")
    else:
        rank = {p: k for k, p in enumerate(_PILLARS)}
        order = sorted(mine.index, key=lambda c: (rank.get(_pillar_of(c, None), 9), c))
        meta = None
    rows = _rows_with_pillar_headers(order, fw)
    n = len(rows)
    ax = _new_axes(ax, (7.4, 0.28 * n + 1.6))
    ypos = {r: n - 1 - k for k, r in enumerate(rows)}
    ind_rows = [r for r in rows if r[0] == "indicator"]
    yy = np.array([ypos[r] for r in ind_rows], float)
    vals = np.array([mine[r[1]] for r in ind_rows], float)
    meds = np.array([median[r[1]] for r in ind_rows], float)
    cols = [PILLAR_COLORS.get(_pillar_of(r[1], fw), _NEUTRAL) for r in ind_rows]
    ax.hlines(yy, np.minimum(vals, meds), np.maximum(vals, meds), color="#CCCCCC", lw=1.6, zorder=1)
    ax.scatter(
        meds,
        yy,
        marker="|",
        s=160,
        color=_DARK,
        linewidth=1.6,
        zorder=2,
        gid="median_points",
        label=i18n.t("legend.district_median", lang),
    )
    tgt_x, tgt_y = _targets_on_scale(meta, [r[1] for r in ind_rows], yy)
    ax.scatter(
        tgt_x,
        tgt_y,
        marker="D",
        s=34,
        facecolor="none",
        edgecolor=_TARGET_2025,
        linewidth=1.3,
        zorder=3,
        gid="target_points",
        label=i18n.t("legend.target_2025", lang),
    )
    ax.scatter(
        vals, yy, s=50, color=cols, edgecolor="white", linewidth=0.6, zorder=4, gid="commune_points"
    )
    ax.set_yticks(yy, [_indicator_label(r[1], fw, lang, 46, indicator_labels) for r in ind_rows])
    for tick, c in zip(ax.get_yticklabels(), cols, strict=True):
        tick.set_color(c)
    _pillar_headers(ax, [(r[1], ypos[r]) for r in rows if r[0] == "header"], lang)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(-0.03, 1.03)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(_number_formatter(lang, 1))
    ax.set_xlabel(i18n.t("axis.normalised", lang))
    _profile_legend(ax, lang)
    name = _name(unit_code, _unit_names(units))
    ax.set_title(
        i18n.t("title.profile", lang, name=name) + f" · {i18n.format_period(period, lang)}"
        if period
        else i18n.t("title.profile", lang, name=name),
        pad=24,
    )
    return _finish(ax, title=None, synthetic=is_synthetic(status, scores))


def _rows_with_pillar_headers(order: Sequence[str], fw: Any | None) -> list[tuple[str, str]]:
    """Rows of the profile, top to bottom: ``("header", pillar)`` before each pillar's
    ``("indicator", id)`` rows."""
    rows: list[tuple[str, str]] = []
    last = None
    for ind_id in order:
        p = _pillar_of(ind_id, fw)
        if p != last:
            rows.append(("header", p))
            last = p
        rows.append(("indicator", ind_id))
    return rows


def _targets_on_scale(
    meta: pd.DataFrame | None, indicators: Sequence[str], yy: np.ndarray
) -> tuple[list[float], list[float]]:
    """The 2025 target of each indicator that has one, on the normalised scale of its
    goalposts (reversed for direction −1, clipped to [0, 1]), at the indicator's row."""
    tgt_x: list[float] = []
    tgt_y: list[float] = []
    if meta is None:
        return tgt_x, tgt_y
    for ind_id, y in zip(indicators, yy, strict=True):
        m = meta.loc[ind_id]
        t25 = m.get("target_2025")
        if t25 is not None and pd.notna(t25):
            lo_g, hi_g = float(m["goalpost_lo"]), float(m["goalpost_hi"])
            v = (float(t25) - lo_g) / (hi_g - lo_g)
            if float(m.get("direction", 1)) < 0:
                v = 1 - v
            tgt_x.append(min(max(v, 0.0), 1.0))
            tgt_y.append(y)
    return tgt_x, tgt_y


def _pillar_headers(ax: Axes, headers: Sequence[tuple[str, float]], lang: str) -> None:
    """The pillar's name in capitals, left of the axes, on each header row."""
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    for pillar, y in headers:
        label = i18n.t(f"pillar.{pillar}", lang, default=data_text(pillar)).upper()
        ax.text(-0.02, y, label, ha="right", va="center", transform=trans,
                color=PILLAR_COLORS.get(pillar, _NEUTRAL), fontweight="bold", fontsize=mpl.rcParams["font.size"] - 0.5)  # fmt: skip


def _profile_legend(ax: Axes, lang: str) -> None:
    """Legend above the axes: commune value, district median, 2025 target."""
    handles = [
        Line2D([], [], marker="o", ls="", color=_DARK, markeredgecolor="white", markersize=7, label=i18n.t("legend.commune_value", lang)),
        Line2D([], [], marker="|", ls="", color=_DARK, markersize=10, markeredgewidth=1.6, label=i18n.t("legend.district_median", lang)),
        Line2D([], [], marker="D", ls="", markerfacecolor="none", markeredgecolor=_TARGET_2025, markersize=6, label=i18n.t("legend.target_2025", lang)),
    ]  # fmt: skip
    ax.legend(
        handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, borderaxespad=0.3
    )


class _Attainment(NamedTuple):
    """One bar of the distance-to-targets figure."""

    indicator: str
    pillar: str
    value: float  # the commune's raw value
    pct: float  # attainment of the reference target (2025, else 2030), in %
    mark_2030: float  # the 2030 target on the same scale (NaN without both targets)
    unit: str  # the indicator's unit
    target_2025: float
    target_2030: float


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

    Only indicators with a national target are shown. The 2025 target is the line at 100%
    (``gid="target_2025_line"``, plus markers ``target_2025_points``); the 2030 target is a
    marker at ``target_2030 / target_2025 × 100`` (``gid="target_2030_points"``). For an
    indicator with only a 2030 target, that target is the 100% reference. For direction −1
    (lower is better) attainment is ``target / value``. The raw value is printed by each bar.

    Args:
        observations: observation table (``unit_code, period, indicator, value[, status]``).
        unit_code: the commune.
        period: period to show (default: latest).
        framework: indicator framework with targets (default: the commune framework).
        units: units table for the commune's name.
        indicator_labels: optional ``{indicator id: label}``.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (bars ``gid="attainment_bar"``).
    """
    _check_lang(lang)
    _require(observations, ["unit_code", "indicator", "value"], "observation table")
    unit_code = str(unit_code)
    data, period = _select_period(observations, period, "observation table")
    data = data.assign(unit_code=_codes(data["unit_code"]))
    fw = load_framework() if framework is None else framework
    meta = fw.indicators.set_index("id")
    if not meta[["target_2025", "target_2030"]].notna().any().any():
        raise ParameterError(
            f"framework {fw.id!r} has no 2025 or 2030 target for any indicator: there is no "
            "distance-to-target figure for it; skip this figure (e.g. the EGDI, DESI and DTI editions)"
        )
    mine = data.loc[data["unit_code"] == unit_code].groupby("indicator")["value"].mean()
    if mine.empty:
        raise ParameterError(f"unit_code={unit_code!r} has no observations in period {period}")
    rows = _attainment_rows(mine, fw, meta)
    if not rows:
        raise ParameterError(
            f"no indicator with a 2025 or 2030 target has a value for unit_code={unit_code!r}"
        )
    n = len(rows)
    ax = _new_axes(ax, (7.4, 0.42 * n + 1.7))
    yy = np.arange(n)[::-1]
    colors = [PILLAR_COLORS.get(r.pillar, _NEUTRAL) for r in rows]
    xmax = _draw_attainment(ax, rows, yy, colors)
    _target_value_column(ax, rows, yy, lang)
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(yy, [_indicator_label(r.indicator, fw, lang, 46, indicator_labels) for r in rows])
    for tick, c in zip(ax.get_yticklabels(), colors, strict=True):
        tick.set_color(c)
    ax.xaxis.set_major_formatter(_number_formatter(lang, 0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.t("axis.pct_of_target", lang))
    handles = [
        Line2D([], [], color=_TARGET_2025, lw=1.3, label=i18n.t("legend.target_2025", lang) + " (100%)"),
        Line2D([], [], marker="D", ls="", markerfacecolor="white", markeredgecolor=_TARGET_2030, markersize=6, markeredgewidth=1.6, label=i18n.t("legend.target_2030", lang)),
    ]  # fmt: skip
    ax.legend(
        handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, borderaxespad=0.3
    )
    name = _name(unit_code, _unit_names(units))
    title = i18n.t("title.distance_to_targets", lang, name=name)
    if period:
        title += f" · {i18n.format_period(period, lang)}"
    ax.set_title(title, pad=24)
    return _finish(ax, title=None, synthetic=is_synthetic(status, observations))


def _attainment_rows(mine: pd.Series, fw: Any, meta: pd.DataFrame) -> list[_Attainment]:
    """Attainment of each indicator with a national target, in framework order. For direction
    −1 (lower is better) attainment is ``target / value``; with only a 2030 target, that
    target is the reference."""
    rows = []
    for ind_id in fw.indicator_ids:
        if ind_id not in mine.index:
            continue
        m = meta.loc[ind_id]
        t25, t30 = m.get("target_2025"), m.get("target_2030")
        t25 = float(t25) if t25 is not None and pd.notna(t25) else math.nan
        t30 = float(t30) if t30 is not None and pd.notna(t30) else math.nan
        ref = t25 if np.isfinite(t25) else t30
        if not np.isfinite(ref) or ref == 0:
            continue
        v = float(mine[ind_id])
        negative = float(m.get("direction", 1)) < 0
        att = (ref / v * 100 if v else math.inf) if negative else v / ref * 100
        m30 = (
            ((ref / t30) * 100 if negative else t30 / ref * 100)
            if np.isfinite(t30) and np.isfinite(t25)
            else math.nan
        )
        rows.append(
            _Attainment(
                ind_id, _pillar_of(ind_id, fw), v, att, m30, str(m.get("unit", "")), t25, t30
            )
        )
    return rows


def _draw_attainment(
    ax: Axes, rows: Sequence[_Attainment], yy: np.ndarray, colors: Sequence[str]
) -> float:
    """Bars of attainment, the 100% line of the 2025 target and the 2030 marks; returns the
    right end of the x axis."""
    att = np.array([r.pct for r in rows], float)
    bars = ax.barh(yy, np.minimum(att, 1e6), height=0.62, color=colors, alpha=0.9, zorder=2)
    for b in bars:
        b.set_gid("attainment_bar")
    ax.axvline(100, color=_TARGET_2025, lw=1.3, zorder=3, gid="target_2025_line")
    m30 = np.array([r.mark_2030 for r in rows], float)
    ok30 = np.isfinite(m30)
    ax.scatter(
        m30[ok30],
        yy[ok30],
        marker="D",
        s=34,
        facecolor="white",
        edgecolor=_TARGET_2030,
        linewidth=1.6,
        zorder=5,
        gid="target_2030_points",
    )
    return max(
        120.0,
        np.nanmax(np.where(np.isfinite(att), att, 0)) * 1.22,
        np.nanmax(np.where(ok30, m30, 0)) * 1.1,
    )


def _target_value_column(ax: Axes, rows: Sequence[_Attainment], yy: np.ndarray, lang: str) -> None:
    """Right-hand column: the raw value, then the 2025 and 2030 targets in the indicator's unit."""
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    small = mpl.rcParams["font.size"] - 1
    ax.text(1.02, len(rows) - 0.45, i18n.t("legend.commune_value", lang) + f" ({i18n.t('legend.target_2025', lang).lower()} · 2030)",
            transform=trans, ha="left", va="bottom", fontsize=small, fontweight="bold", color=_DARK)  # fmt: skip
    for y, r in zip(yy, rows, strict=True):
        value = (
            i18n.format_pct(r.value, lang, 1)
            if r.unit == "%"
            else f"{i18n.format_number(r.value, lang, 1)} {data_text(r.unit, max_lines=1)}"
        )
        ax.text(
            1.02,
            y,
            f"{value}  ({_target_text(r.target_2025, r.unit, lang)} · {_target_text(r.target_2030, r.unit, lang)})",
            transform=trans,
            va="center",
            ha="left",
            fontsize=small,
            color=_DARK,
            gid="value_text",
        )


def _target_text(v: float, unit: str, lang: str) -> str:
    """A target in its unit's format (a dash when there is none)."""
    if not np.isfinite(v):
        return i18n.MISSING
    digits = 1 if v % 1 else 0
    return i18n.format_pct(v, lang, digits) if unit == "%" else i18n.format_number(v, lang, digits)
