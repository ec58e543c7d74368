"""The indicator profile of one commune: its normalised indicators against the district median
and the 2025 targets (a kind drawn for every commune, split for reuse: :func:`profile_parts`)."""

from __future__ import annotations

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
from ..status import is_synthetic
from ._common import (
    _PILLARS,
    _add_watermark,
    _check_lang,
    _codes,
    _default_framework,
    _indicator_label,
    _legend_above,
    _max_lines,
    _name,
    _new_axes,
    _pillar_of,
    _PointsFormatter,
    _require,
    _select_period,
    _unit_names,
)
from ._reuse import FigureParts
from ._style import _DARK, _NEUTRAL, _TARGET_2025, PILLAR_COLORS
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

    One row per indicator of the period (a commune without a value has an empty row), grouped
    under pillar headers, with the indicator's full name (wrapped). Targets are put on the
    normalised scale with the framework's goalposts (``(target − lo) / (hi − lo)``, reversed
    for direction −1). The x axis is 0–1, or wider when some commune's values are outside it;
    its ticks read in points of a 0–100 scale.

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
    parts = profile_parts(scores, period=period, framework=framework, units=units,
                          indicator_labels=indicator_labels, ax=ax, lang=lang, status=status)  # fmt: skip
    _check_unit(parts, unit_code, "score table")
    out = parts.static()
    parts.unit(out, str(unit_code))
    return out


def _check_unit(parts: FigureParts, unit_code: str, table: str) -> None:
    if str(unit_code) not in parts.codes:
        raise ParameterError(
            f"unit_code={str(unit_code)!r} has no rows in the {table} for the period drawn; "
            f"known: {', '.join(sorted(parts.codes)[:40])}"
        )


def profile_parts(
    scores: pd.DataFrame,
    *,
    period: str | None = None,
    framework: Any | None = None,
    units: pd.DataFrame | None = None,
    indicator_labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> FigureParts:
    """The indicator profile split for reuse across communes (see :mod:`analysis.plots._reuse`):
    the rows, labels, headers, scale and legend are shared; a commune's points, its district
    medians and targets (drawn above the grid) and its title are its own. Arguments as in
    :func:`plot_commune_profile`."""
    _check_lang(lang)
    _require(scores, ["unit_code", "level", "name", "value"], "score table")
    data, period = _select_period(scores, period, "score table")
    ind = data.loc[data["level"] == "indicator"].assign(unit_code=lambda d: _codes(d["unit_code"]))
    wide = ind.pivot_table(
        index="unit_code", columns="name", values="value", aggfunc="mean", dropna=False
    )
    fw = framework if framework is not None else _default_framework(wide.columns)
    if fw is not None:
        order = [i for i in fw.indicator_ids if i in wide.columns]
    else:
        rank = {p: k for k, p in enumerate(_PILLARS)}
        order = sorted(wide.columns, key=lambda c: (rank.get(_pillar_of(c, None), 9), c))
    wide = wide.reindex(columns=order)
    rows = _rows_with_pillar_headers(order, fw)
    labels = [_indicator_label(i, fw, lang, 50, indicator_labels) for i in order]
    n = len(rows)
    ypos = {r: n - 1 - k for k, r in enumerate(rows)}
    shared = dict(
        yy=np.array([ypos[("indicator", i)] for i in order], float),
        medians=wide.median(axis=0).to_numpy(float),
        colors=[PILLAR_COLORS.get(_pillar_of(i, fw), _NEUTRAL) for i in order],
        targets=_targets_on_scale(fw.indicators.set_index("id") if fw is not None else None, order),
    )
    names = _unit_names(units)
    synthetic = is_synthetic(status, scores)
    suffix = f" · {i18n.format_period(period, lang)}" if period else ""
    row_h = 0.28 if _max_lines(labels) == 1 else 0.36
    finite = wide.to_numpy(float)[np.isfinite(wide.to_numpy(float))]
    xlim = (min(-0.03, finite.min() - 0.03) if finite.size else -0.03,
            max(1.03, finite.max() + 0.03) if finite.size else 1.03)  # fmt: skip
    state: dict[str, float] = {}

    def static() -> Axes:
        a = _new_axes(ax, (7.4, row_h * n + 1.7))
        a.set_yticks(shared["yy"], labels)
        for tick, c in zip(a.get_yticklabels(), shared["colors"], strict=True):
            tick.set_color(c)
        _pillar_headers(a, [(p, ypos[(kind, p)]) for kind, p in rows if kind == "header"], lang)
        a.set_ylim(-0.7, n - 0.3)
        a.set_xlim(*xlim)
        a.grid(axis="y", visible=False)
        a.xaxis.set_major_formatter(_PointsFormatter(lang))
        a.set_xlabel(i18n.t("axis.normalised", lang))
        state["pad"] = _legend_above(a, _profile_handles(lang), "", ncol=3)
        if synthetic:
            _add_watermark(a)
        return a

    def unit(a: Axes, code: str) -> list[Artist]:
        vals = wide.loc[code].to_numpy(float)
        title = i18n.t("title.profile", lang, name=_name(code, names)) + suffix
        return _draw_profile_unit(a, vals, shared, lang) + [a.set_title(title, pad=state["pad"])]

    return FigureParts(static, unit, frozenset(wide.index))


def _draw_profile_unit(ax: Axes, vals: np.ndarray, shared: dict, lang: str) -> list[Artist]:
    """One commune's row marks: its values (coloured by pillar), the district medians and the
    2025 targets, joined by a grey bar from value to median; all above the grid and the mark."""
    yy, meds = shared["yy"], shared["medians"]
    with np.errstate(invalid="ignore"):
        bars = ax.hlines(
            yy, np.minimum(vals, meds), np.maximum(vals, meds), color="#CCCCCC", lw=1.6, zorder=1
        )
    median = ax.scatter(meds, yy, marker="|", s=160, color=_DARK, linewidth=1.6, zorder=2, gid="median_points",
                        label=i18n.t("legend.district_median", lang))  # fmt: skip
    tgt_k, tgt_x = shared["targets"]
    targets = ax.scatter(tgt_x, yy[tgt_k], marker="D", s=34, facecolor="none", edgecolor=_TARGET_2025, linewidth=1.3,
                         zorder=3, gid="target_points", label=i18n.t("legend.target_2025", lang))  # fmt: skip
    points = ax.scatter(vals, yy, s=50, color=shared["colors"], edgecolor="white", linewidth=0.6, zorder=4,
                        gid="commune_points")  # fmt: skip
    return [bars, median, targets, points]


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
    meta: pd.DataFrame | None, indicators: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Rows (positions in ``indicators``) with a 2025 target, and the target on the normalised
    scale of the indicator's goalposts (reversed for direction −1, clipped to [0, 1])."""
    rows: list[int] = []
    xs: list[float] = []
    if meta is not None:
        for k, ind_id in enumerate(indicators):
            m = meta.loc[ind_id]
            t25 = m.get("target_2025")
            if t25 is not None and pd.notna(t25):
                lo_g, hi_g = float(m["goalpost_lo"]), float(m["goalpost_hi"])
                v = (float(t25) - lo_g) / (hi_g - lo_g)
                if float(m.get("direction", 1)) < 0:
                    v = 1 - v
                rows.append(k)
                xs.append(min(max(v, 0.0), 1.0))
    return np.array(rows, int), np.array(xs, float)


def _pillar_headers(ax: Axes, headers: Sequence[tuple[str, float]], lang: str) -> None:
    """The pillar's name in capitals, left of the axes, on each header row."""
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    for pillar, y in headers:
        label = i18n.t(f"pillar.{pillar}", lang, default=data_text(pillar)).upper()
        ax.text(-0.02, y, label, ha="right", va="center", transform=trans,
                color=PILLAR_COLORS.get(pillar, _NEUTRAL), fontweight="bold", fontsize=mpl.rcParams["font.size"] - 0.5)  # fmt: skip


def _profile_handles(lang: str) -> list[Line2D]:
    """Legend of the profile: commune value, district median, 2025 target."""
    return [
        Line2D([], [], marker="o", ls="", color=_DARK, markeredgecolor="white", markersize=7, label=i18n.t("legend.commune_value", lang)),
        Line2D([], [], marker="|", ls="", color=_DARK, markersize=10, markeredgewidth=1.6, label=i18n.t("legend.district_median", lang)),
        Line2D([], [], marker="D", ls="", markerfacecolor="none", markeredgecolor=_TARGET_2025, markersize=6, label=i18n.t("legend.target_2025", lang)),
    ]  # fmt: skip
