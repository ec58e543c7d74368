"""Digital government against the other pillars: the typology scatter, whose regions are the
typology's own rule, and one scatter per compared pillar."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from .. import i18n
from ..errors import DataValidationError, ParameterError
from ..status import is_synthetic
from ._common import (
    MAX_UNITS,
    _check_lang,
    _codes,
    _finish,
    _highlight_codes,
    _interval,
    _interval_level,
    _legend_below,
    _name,
    _new_axes,
    _no_data,
    _note,
    _points_text,
    _PointsFormatter,
    _require,
    _select_period,
    _unit_names,
)
from ._labels import _place_labels, _shared_label_layout
from ._style import _DARK, PILLAR_COLORS, TYPOLOGY_COLORS

#: ``y`` of :func:`plot_pillar_scatter`: the mean of the compared pillars, or one of them
_Y_CHOICES = ("comparison", "economy", "society")
_GAP_OF = {"comparison": "gap_mean", "economy": "gap_econ", "society": "gap_soc"}
#: where each typology region is named: the corner of its polygon furthest along this direction
_LABEL_DIRECTION = {
    "government_led": (1.0, -1.0),
    "economy_society_led": (-1.0, 1.0),
    "balanced_high": (1.0, 1.0),
    "balanced_low": (-1.0, -1.0),
}


#: above this many units the scatter draws points without their interval whiskers
MAX_WHISKERS = 200


def typology_thresholds(gaps: pd.DataFrame) -> tuple[float, float]:
    """``(delta, high)`` of the typology that classified ``gaps`` (its ``attrs``, as
    :func:`analysis.gaps.compute_gaps` records them; the package defaults for a table read from
    a file)."""
    delta, high = gaps.attrs.get("delta"), gaps.attrs.get("high")
    if delta is None or high is None:
        from ..gaps import DEFAULT_DELTA, DEFAULT_HIGH

        delta = DEFAULT_DELTA if delta is None else delta
        high = DEFAULT_HIGH if high is None else high
    return float(delta), float(high)


def comparison_pillars(gaps: pd.DataFrame, data: pd.DataFrame | None = None) -> list[str]:
    """The pillars ``gap_mean`` compares government with: ``attrs["comparison_pillars"]``, else
    economy and society where they have values."""
    cmp = gaps.attrs.get("comparison_pillars")
    if cmp:
        return [str(p) for p in cmp]
    data = gaps if data is None else data
    return [p for p in ("economy", "society") if p in data.columns and data[p].notna().any()]


def typology_regions(
    delta: float, high: float, n_compared: int, box: tuple[float, float]
) -> dict[str, np.ndarray]:
    """The typology's classes as polygons of the plane (government x, mean of the compared
    pillars y), inside the square ``box = (lo, hi)``; a class with no area there is left out.

    The rule of :func:`analysis.gaps.compute_gaps`, with ``gap = x - y`` and mean level
    ``m = (x + n_compared * y) / (1 + n_compared)``: ``government_led`` where gap >= delta,
    ``economy_society_led`` where gap <= -delta, otherwise ``balanced_high`` where m >= high and
    ``balanced_low`` below.

    >>> r = typology_regions(0.1, 0.5, 2, (0.0, 1.0))
    >>> sorted(r), r["government_led"].round(2).tolist()
    (['balanced_high', 'balanced_low', 'economy_society_led', 'government_led'], [[0.1, 0.0], [1.0, 0.0], [1.0, 0.9]])
    """
    lo, hi = box
    square = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], float)
    k = float(n_compared)
    # half-planes a*x + b*y <= c
    gov = (-1.0, 1.0, -delta)  # y <= x - delta
    eco = (1.0, -1.0, -delta)  # y >= x + delta
    band_lo, band_hi = (1.0, -1.0, delta), (-1.0, 1.0, delta)
    low = (1.0, k, (1 + k) * high)  # x + k y <= (1 + k) high  (m <= high)
    high_side = (-1.0, -k, -(1 + k) * high)
    shapes = {
        "government_led": [gov],
        "economy_society_led": [eco],
        "balanced_high": [band_lo, band_hi, high_side],
        "balanced_low": [band_lo, band_hi, low],
    }
    out = {}
    for cls, planes in shapes.items():
        poly = square
        for plane in planes:
            poly = _clip(poly, *plane)
        if len(poly) >= 3 and _area(poly) > 1e-12:
            out[cls] = poly
    return out


def _clip(poly: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """The part of a convex polygon where ``a*x + b*y <= c`` (Sutherland–Hodgman)."""
    if len(poly) == 0:
        return poly
    side = poly @ np.array([a, b]) - c
    out = []
    for i in range(len(poly)):
        p, q, sp, sq = poly[i], poly[(i + 1) % len(poly)], side[i], side[(i + 1) % len(poly)]
        if sp <= 0:
            out.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            out.append(p + (q - p) * (sp / (sp - sq)))
    return np.array(out, float).reshape(-1, 2)


def _area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def plot_pillar_scatter(
    gaps: pd.DataFrame,
    *,
    y: str = "comparison",
    period: str | None = None,
    units: pd.DataFrame | None = None,
    label: bool = True,
    highlight: Sequence[str] | str | None = None,
    max_labels: int = MAX_UNITS,
    legend: bool = True,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Digital government (x) against the other pillars (y), each commune a point.

    ``y="comparison"`` (default) is the typology panel: y is the mean of the compared pillars
    (economy and society; the one of them a framework has), so the gap ``gap_mean`` is the
    vertical distance to the 45° line, and the plane is shaded by the typology's own rule with
    the thresholds that classified the table (``gaps.attrs`` ``delta`` and ``high``, see
    :func:`typology_regions`): every commune lies in the region named like its ``typology``.
    ``y="economy"`` or ``"society"`` compares with one pillar (no regions: a class depends on
    both). A ``y`` pillar with no value in the period gives an empty panel saying so
    (``gid="no_data"``).

    Each point carries a vertical whisker, the indicator-selection interval of its gap: it spans
    ``G − hi`` to ``G − lo``, so it crosses the 45° line exactly when the interval covers 0. On
    the 0–1 scale a whisker is cut at 0 and 1 and the cut end is marked with an arrowhead
    (``gid="ci_clipped"``, explained in the legend). The data are drawn on the table's 0–1
    scale; ticks and the thresholds in the legend read in points of a 0–100 scale. With more than ``max_labels`` units only
    the ``highlight`` units are named; highlighted points have a dark edge.

    Args:
        gaps: gap table (``unit_code, period, government, economy, society, gap_*`` and their
            intervals; ``attrs`` as :func:`analysis.gaps.compute_gaps` sets them).
        y: ``"comparison"``, ``"economy"`` or ``"society"``.
        period: period to show (default: latest).
        units: units table for commune names.
        label: write the unit names (all up to ``max_labels`` units, else the highlighted ones).
        highlight: unit code(s) to emphasise and always name.
        max_labels: above this many units only highlighted units are named.
        legend: draw the legend (below the axes); without it, a panel with a cut interval
            still explains the arrowhead.
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (points ``gid="points"``, whiskers ``gid="ci_whiskers"``, regions
        ``gid="region_<class>"`` (polygons in data coordinates), labels ``gid="label"``).
    """
    _check_lang(lang)
    if y not in _Y_CHOICES:
        raise ParameterError(f"plot_pillar_scatter: y={y!r}; use one of {', '.join(_Y_CHOICES)}")
    _require(gaps, ["unit_code", "government"], "gap table")
    data, period = _select_period(gaps, period, "gap table")
    data = data.assign(unit_code=_codes(data["unit_code"])).sort_values("unit_code")
    hl = _highlight_codes(highlight, gaps["unit_code"].astype(str), "gap table", data["unit_code"])
    ax = _new_axes(ax, (6.2, 6.6))
    cmp = comparison_pillars(gaps, data)
    ycols = cmp if y == "comparison" else [y]
    title = _scatter_title(y, cmp, lang)
    if not ycols or any(c not in data.columns or not data[c].notna().any() for c in ycols):
        _no_data(ax, lang, i18n.t(f"pillar.{y}", lang) if y != "comparison" else title)
        ax.set_title(title)
        return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))
    xv = data["government"].to_numpy(float)
    yv = data[ycols].mean(axis=1, skipna=False).to_numpy(float)
    color = PILLAR_COLORS[y] if y != "comparison" else _DARK
    box, cuts = _draw_points(ax, data, xv, yv, _GAP_OF[y], color, len(data) > max_labels, hl)
    handles = [
        Line2D([], [], ls="--", lw=1.0, color="#444444", label=i18n.t("legend.parity", lang))
    ]
    if _interval(data, _GAP_OF[y]) is not None and len(data) <= MAX_WHISKERS:
        handles.append(Line2D([], [], color=color, alpha=0.55, lw=1.3,
                              label=i18n.t("plots.selection_interval", lang, level=i18n.format_level(_interval_level(gaps), lang))))  # fmt: skip
    cut = None
    if cuts:  # the arrowheads drawn, as drawn
        marks = tuple(Line2D([], [], ls="", marker=m, markersize=5, color=color) for m in cuts)
        cut = (marks if len(marks) > 1 else marks[0], i18n.t("plots.clipped", lang))
    if y == "comparison":
        delta, high = typology_thresholds(gaps)
        _draw_regions(ax, typology_regions(delta, high, len(cmp), box), delta, lang)
        handles.append(Patch(facecolor=TYPOLOGY_COLORS["balanced_high"], edgecolor="none",
                             label=_note("typology_rule", lang, delta=_points_text(delta, lang, None),
                                         high=_points_text(high, lang, None))))  # fmt: skip
    ax.set_xlabel(_note("axis_pillar", lang, pillar=i18n.t("pillar.government", lang)))
    ax.set_ylabel(
        _note("axis_comparison", lang)
        if y == "comparison" and len(cmp) > 1
        else _note("axis_pillar", lang, pillar=i18n.t(f"pillar.{ycols[0]}", lang))
    )
    ax.xaxis.set_major_formatter(_PointsFormatter(lang))
    ax.yaxis.set_major_formatter(_PointsFormatter(lang))
    ax.grid(False)
    ax.set_title(title)
    entries = [(h, h.get_label()) for h in handles] if legend else []
    entries += [cut] if cut else []  # a cut interval is always explained where it is drawn
    if entries:
        _legend_below(ax, [h for h, _ in entries], ncol=1, labels=[t for _, t in entries])
    if label:
        _label_points(ax, data, xv, yv, units, hl, len(data) > max_labels)
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


def _scatter_title(y: str, cmp: Sequence[str], lang: str) -> str:
    if y == "comparison" and len(cmp) > 1:
        return i18n.t("plots.title_typology", lang)
    pillar = y if y != "comparison" else (cmp[0] if cmp else "society")
    return i18n.t("title.scatter", lang, y=i18n.t(f"pillar.{pillar}", lang))


def _draw_points(
    ax: Axes,
    data: pd.DataFrame,
    xv: np.ndarray,
    yv: np.ndarray,
    gap: str,
    color: str,
    many: bool,
    hl: Sequence[str],
) -> tuple[tuple[float, float], list[str]]:
    """Parity line, whiskers (cut to the 0–1 scale, cut ends marked) and points; sets equal
    limits. Returns the limits and the arrowheads drawn at cut ends (``"v"``, ``"^"``).

    More than ``MAX_WHISKERS`` units (a province, the country): points only, small and
    translucent, since thousands of whiskers hide the cloud they belong to."""
    interval = _interval(data, gap) if len(data) <= MAX_WHISKERS else None
    w_lo, w_hi = (xv - interval[1], xv - interval[0]) if interval is not None else (yv, yv)
    finite = np.concatenate([v[np.isfinite(v)] for v in (xv, yv)])
    bounded = finite.size > 0 and finite.min() >= 0 and finite.max() <= 1
    cut_lo = bounded & (w_lo < 0)
    cut_hi = bounded & (w_hi > 1)
    if bounded:
        w_lo, w_hi = np.clip(w_lo, 0.0, 1.0), np.clip(w_hi, 0.0, 1.0)
    lo, hi = _equal_limits(bounded, xv, yv, w_lo, w_hi)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal", adjustable="box")
    ax.plot([lo, hi], [lo, hi], ls="--", lw=1.0, color="#444444", zorder=2, gid="identity_line")
    if interval is not None:
        ax.vlines(xv, w_lo, w_hi, color=color, alpha=0.55, lw=1.3, zorder=3, gid="ci_whiskers")
        for cut, ends, marker in ((cut_lo, w_lo, "v"), (cut_hi, w_hi, "^")):
            if cut.any():
                ax.scatter(xv[cut], ends[cut], marker=marker, s=22, color=color, linewidth=0,
                           zorder=3.1, clip_on=False, gid="ci_clipped")  # fmt: skip
    if len(data) > MAX_WHISKERS:
        ax.scatter(xv, yv, s=5, color=color, alpha=0.45, linewidth=0, zorder=5, gid="points")
    else:
        ax.scatter(xv, yv, s=16 if many else 34, color=color, edgecolor="white", linewidth=0.5 if many else 0.7,
                   zorder=5, gid="points")  # fmt: skip
    is_hl = data["unit_code"].isin(hl).to_numpy()
    if is_hl.any():
        ax.scatter(xv[is_hl], yv[is_hl], s=46, color=color, edgecolor=_DARK, linewidth=1.4, zorder=5.2,
                   gid="highlight_points")  # fmt: skip
    cuts = [m for cut, m in ((cut_lo, "v"), (cut_hi, "^")) if interval is not None and cut.any()]
    return (lo, hi), cuts


def _equal_limits(bounded: bool, *values: np.ndarray) -> tuple[float, float]:
    """One range for both axes: every finite value with an 8% margin; on the 0–1 scale never
    more than a hair beyond it (the whiskers are cut there)."""
    allv = np.concatenate(values)
    allv = allv[np.isfinite(allv)]
    if allv.size == 0:
        return 0.0, 1.0
    span = max(allv.max() - allv.min(), 0.1)
    lo, hi = allv.min() - 0.08 * span, allv.max() + 0.08 * span
    if bounded:
        lo, hi = max(lo, -0.03), min(hi, 1.03)
    return float(lo), float(hi)


def _draw_regions(ax: Axes, regions: dict[str, np.ndarray], delta: float, lang: str) -> None:
    """The typology's regions, shaded and named inside their far corner; the two balanced
    classes along their band, beside the 45° line (at a distance of ``delta / 2``)."""
    small = mpl.rcParams["font.size"] - 1.5
    for cls, poly in regions.items():
        ax.add_patch(Polygon(poly, closed=True, facecolor=TYPOLOGY_COLORS[cls], edgecolor="white",
                             lw=0.8, zorder=0, gid=f"region_{cls}"))  # fmt: skip
        d = np.array(_LABEL_DIRECTION[cls])
        corner = poly[int(np.argmax(poly @ d))]
        along = cls.startswith("balanced")
        if along:  # from the band's tip on the box edge to the middle of its lower half
            corner = corner + (
                np.array([0.0, -delta / 2]) if d[0] > 0 else np.array([delta / 2, 0.0])
            )
        inward = -d / np.hypot(*d) * 5.0
        ax.annotate(
            i18n.t(f"typology.{cls}", lang),
            xy=corner,
            xytext=tuple(inward),
            textcoords="offset points",
            ha="right" if d[0] > 0 else "left",
            va="center" if along else ("bottom" if d[1] < 0 else "top"),
            rotation=45 if along else 0,
            rotation_mode="anchor",
            fontsize=small,
            color="#5E5E5E",
            style="italic",
            zorder=1,
            annotation_clip=False,
            gid=f"region_label_{cls}",
        )


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
    clear of the region names."""
    names = _unit_names(units)
    avoid = [t for t in ax.texts if (t.get_gid() or "").startswith("region_label_")]
    is_hl = data["unit_code"].isin(hl).to_numpy()
    sel = (is_hl if many else np.ones(len(data), bool)) & np.isfinite(xv) & np.isfinite(yv)
    codes = data["unit_code"].to_numpy()[sel]
    _place_labels(
        ax,
        xv[sel],
        yv[sel],
        [_name(c, names) for c in codes],
        styles=[{"fontweight": "bold"} if c in hl else {} for c in codes],
        avoid=avoid,
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
    """The typology panel (:func:`plot_pillar_scatter` with ``y="comparison"``), and beside it,
    when the framework compares with two pillars, government against each of them (smaller,
    only highlighted units named).

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
    common = dict(period=period, units=units, highlight=highlight, max_labels=max_labels, lang=lang, status=status)  # fmt: skip
    if len(ys) == 1 or len(comparison_pillars(gaps, data)) < 2:
        fig, ax = plt.subplots(figsize=(6.4, 7.0), layout="constrained")
        with _shared_label_layout(fig):
            plot_pillar_scatter(gaps, y="comparison", ax=ax, **common)
        return fig
    fig = plt.figure(figsize=(10.0, 7.4), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(1.9, 1.0))
    main = fig.add_subplot(grid[:, 0])
    side = [fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])]
    with _shared_label_layout(fig):
        plot_pillar_scatter(gaps, y="comparison", ax=main, **common)
        for ax, y in zip(side, ys, strict=True):
            plot_pillar_scatter(gaps, y=y, ax=ax, legend=False, **common | {"max_labels": 0})
            ax.set_title(ax.get_title(loc="left"), fontsize=mpl.rcParams["font.size"])
    return fig
