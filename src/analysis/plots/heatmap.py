"""Heatmap of the normalised indicators: communes × indicators grouped by pillar."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch, Rectangle

from .. import i18n
from ..errors import DataValidationError
from ..status import is_synthetic
from ._common import (
    _DEFAULT_TOP_N,
    _PILLARS,
    MAX_UNITS,
    _check_lang,
    _codes,
    _default_framework,
    _finish,
    _gap_from_scores,
    _indicator_label,
    _mark_omitted,
    _max_lines,
    _name,
    _new_axes,
    _pillar_of,
    _PointsFormatter,
    _require,
    _select_period,
    _unit_names,
)
from ._style import _DARK, _NEUTRAL, PILLAR_COLORS
from ._text import data_text

#: colour of a cell without a value (explained in the legend under the colour bar)
_MISSING = "#DDDDDD"


def plot_pillar_heatmap(
    scores: pd.DataFrame,
    *,
    period: str | None = None,
    gaps: pd.DataFrame | None = None,
    framework: Any | None = None,
    units: pd.DataFrame | None = None,
    indicator_labels: Mapping[str, str] | None = None,
    cmap: str = "viridis",
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Heatmap of normalised indicators: communes (rows) × indicators (columns, grouped by pillar).

    Communes are ordered by the gap ``G − mean(E, S)``, largest at the top (from ``gaps`` if
    given, else from the pillar rows of ``scores``). More than ``MAX_UNITS`` communes (a
    province, the country): the 10 with the largest and the 10 with the smallest gap, the
    others counted on a dotted line between them.

    Args:
        scores: score table (``unit_code, period, level, name, value[, status]``); rows with
            ``level == "indicator"`` are drawn.
        period: period to show (default: latest).
        gaps: optional gap table to order communes by ``gap_mean``.
        framework: indicator framework (pillar of each indicator, names); default: the commune
            framework when it knows every indicator.
        units: units table for commune names.
        indicator_labels: optional ``{indicator id: label}`` overriding framework names.
        cmap: colour map of the 0–1 values (the colour bar reads in points of a 0–100 scale).
        ax: axes to draw into; a new figure if None.
        lang: ``"vi"`` or ``"en"``.
        status: data status; ``"synthetic"`` adds the watermark.

    Indicator names are shown in full, wrapped on two lines. Cells without a value are grey,
    explained by a legend entry under the colour bar (``gid="missing_legend"``).

    Returns:
        The axes (the image has ``gid="heatmap"``).
    """
    _check_lang(lang)
    _require(scores, ["unit_code", "level", "name", "value"], "score table")
    data, period = _select_period(scores, period, "score table")
    ind = data.loc[data["level"] == "indicator"]
    if ind.empty:
        raise DataValidationError(["no rows with level == 'indicator'"], source="score table")
    matrix, fw = _indicator_matrix(ind, framework)
    matrix = matrix.loc[_rows_by_gap(matrix.index, data, gaps, period)]
    n_total = len(matrix)
    pos = np.arange(n_total)
    if n_total > MAX_UNITS:  # a province, the country: the ends of the gap order only
        pos = np.r_[pos[:_DEFAULT_TOP_N], pos[-_DEFAULT_TOP_N:]]
        matrix = matrix.iloc[pos]

    n_rows, n_cols = matrix.shape
    labels = [_indicator_label(c, fw, lang, 40, indicator_labels) for c in matrix.columns]
    # a column must be as wide as its label's lines, slanted at 60°
    col_w = max(0.32, 0.19 * _max_lines(labels))
    ax = _new_axes(ax, (max(6.5, col_w * n_cols + 3.2), max(4.5, 0.27 * n_rows + 2.9)))
    cm = mpl.colormaps[cmap].with_extremes(bad=_MISSING)
    values = matrix.to_numpy(float)
    im = ax.imshow(
        np.ma.masked_invalid(values),
        aspect="auto",
        cmap=cm,
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    im.set_gid("heatmap")
    names = _unit_names(units)
    ax.set_yticks(range(n_rows), [_name(c, names) for c in matrix.index])
    ax.set_xticks(range(n_cols), labels, rotation=60, ha="right", rotation_mode="anchor")
    ax.grid(False)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    _draw_pillar_groups(ax, [_pillar_of(c, fw) for c in matrix.columns], lang)
    if len(pos) < n_total:
        _mark_omitted(ax, pos, n_total, lang)
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.6, pad=0.02)
    cbar.set_label(i18n.t("axis.normalised", lang))
    cbar.ax.yaxis.set_major_formatter(_PointsFormatter(lang))
    cbar.outline.set_visible(False)
    if np.isnan(values).any():  # grey cells: say what they are, under the colour bar
        cbar.ax.legend(
            handles=[
                Patch(facecolor=_MISSING, edgecolor="none", label=i18n.t("legend.no_data", lang))
            ],
            loc="upper left",
            bbox_to_anchor=(0.0, -0.03),
            borderaxespad=0.0,
            handlelength=1.2,
            handleheight=1.2,
        ).set_gid("missing_legend")
    ax.set_title(i18n.t("title.heatmap", lang), pad=26)
    return _finish(ax, title=None, synthetic=is_synthetic(status, scores, gaps))


def _indicator_matrix(ind: pd.DataFrame, framework: Any | None) -> tuple[pd.DataFrame, Any]:
    """Communes × indicators (mean value), columns in framework order (or by pillar, then id
    without a framework); and the framework used."""
    matrix = ind.assign(unit_code=_codes(ind["unit_code"])).pivot_table(
        index="unit_code", columns="name", values="value", aggfunc="mean"
    )
    fw = framework if framework is not None else _default_framework(matrix.columns)
    if fw is not None:
        order = [i for i in fw.indicator_ids if i in matrix.columns]
        order += [c for c in matrix.columns if c not in order]
    else:
        rank = {p: k for k, p in enumerate(_PILLARS)}
        order = sorted(matrix.columns, key=lambda c: (rank.get(_pillar_of(c, None), 9), c))
    return matrix[order], fw


def _rows_by_gap(
    codes: pd.Index, data: pd.DataFrame, gaps: pd.DataFrame | None, period: str | None
) -> pd.Index:
    """``codes`` by gap ``G − mean(E, S)``, largest first (from ``gaps`` if given, else from
    the pillar rows of the score table ``data``); units without a gap last."""
    if gaps is not None:
        _require(gaps, ["unit_code", "gap_mean"], "gap table")
        g, _ = _select_period(gaps, period if "period" in gaps.columns else None, "gap table")
        gap = g.set_index(_codes(g["unit_code"]))["gap_mean"]
    else:
        gap = _gap_from_scores(data.assign(unit_code=_codes(data["unit_code"])))
    gap = gap.reindex(codes)
    return gap.sort_values(ascending=False, na_position="last").index


def _draw_pillar_groups(ax: Axes, pillars: Sequence[str], lang: str) -> None:
    """Pillar groups of the columns: tick colours, white separators, a coloured strip and the
    pillar's name above its columns."""
    n_cols = len(pillars)
    for tick, p in zip(ax.get_xticklabels(), pillars, strict=True):
        tick.set_color(PILLAR_COLORS.get(p, _DARK))
    trans = mpl.transforms.blended_transform_factory(ax.transData, ax.transAxes)
    start = 0
    for k in range(1, n_cols + 1):
        if k == n_cols or pillars[k] != pillars[start]:
            p = pillars[start]
            color = PILLAR_COLORS.get(p, _NEUTRAL)
            ax.add_patch(
                Rectangle(
                    (start - 0.5, 1.005),
                    k - start,
                    0.018,
                    transform=trans,
                    color=color,
                    clip_on=False,
                    gid=f"pillar_strip_{p}",
                )
            )
            label = i18n.t(f"pillar.{p}", lang, default=data_text(p))
            ax.text(
                (start + k - 1) / 2,
                1.03,
                label,
                transform=trans,
                ha="center",
                va="bottom",
                color=color,
                fontweight="bold",
                fontsize=mpl.rcParams["font.size"],
            )
            if k < n_cols:
                ax.axvline(k - 0.5, color="white", lw=2.5)
            start = k
