"""Helpers shared by the figure families: table checks, period and row selection, unit and
indicator names, the synthetic-data watermark, number formatters and short notes.

Every name or label that comes from data goes through :mod:`._text` (literal, bounded).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter

from .. import config, i18n
from ..errors import DataValidationError, FrameworkError, ParameterError
from ..frameworks import load_framework
from ..periods import parse_period, period_to_time, sort_periods
from ._style import _DARK, _NEUTRAL, WATERMARK_GID
from ._text import data_text

_PILLARS = config.PILLARS


def _require(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataValidationError(
            [f"expected a pandas DataFrame, got {type(df).__name__}"], source=table
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataValidationError(
            [
                f"column {c!r} is missing (present: {', '.join(map(str, df.columns))})"
                for c in missing
            ],
            source=table,
        )


def _select_period(
    df: pd.DataFrame, period: str | None, table: str
) -> tuple[pd.DataFrame, str | None]:
    """Rows of ``period`` (default: the latest)."""
    if "period" not in df.columns:
        return df, period
    periods = sort_periods(df["period"].dropna())
    if not periods:
        raise DataValidationError(["no rows with a period"], source=table)
    chosen = periods[-1] if period is None else str(period)
    if chosen not in periods:
        raise ParameterError(
            f"period={period!r} is not in the {table}; available: {', '.join(periods)}"
        )
    return df.loc[df["period"].astype(str) == chosen], chosen


def _codes(series: pd.Series) -> pd.Series:
    return series.astype(str)


def _unit_names(units: pd.DataFrame | None) -> dict[str, str]:
    """unit_code -> display name (proper nouns keep their diacritics in both languages)."""
    if units is None:
        return {}
    _require(units, ["unit_code"], "units table")
    col = "name_vi" if "name_vi" in units.columns else None
    if col is None:
        return {}
    return {
        str(c): unicodedata.normalize("NFC", str(n))
        for c, n in zip(units["unit_code"].astype(str), units[col], strict=True)
    }


def _name(code: str, names: Mapping[str, str]) -> str:
    """Display name of a unit (its code when it has none), literal and bounded."""
    return data_text(names.get(str(code), str(code)))


#: the synthetic-data mark is tiled over each axes: about one mark per this many inches
_MARK_CELL = (2.3, 1.45)
#: its colour, opacity and z-order: light enough to read the data through, drawn under the data
#: marks (above fills, images and grid lines), never part of the layout
_MARK_STYLE = dict(color="#6E6E6E", alpha=0.2, fontweight="bold", zorder=0.8)


def _add_watermark(target: Axes | Figure) -> None:
    """The visible synthetic-data mark, tiled over the plot area so that no crop loses it.

    Each data axes (of ``target``, or every visible axes of a figure but its colour bars) gets
    a staggered grid of at least 2 x 2 diagonal marks, clipped to the axes, sized to their
    cells; every mark is a text artist with ``gid='watermark'`` ("Dữ liệu minh họa /
    Illustrative data" on two lines).
    """
    axes = (
        [target]
        if isinstance(target, Axes)
        else [a for a in target.axes if a.get_visible() and not hasattr(a, "_colorbar")]
    )
    for ax in axes:
        _tile_marks(ax)


def _tile_marks(ax: Axes) -> None:
    """A staggered grid of marks over ``ax`` (its size is read from the figure as laid out now)."""
    text = i18n.t("watermark", "vi").replace(" / ", "\n")
    fig = ax.figure
    pos = ax.get_position()
    w_in, h_in = pos.width * fig.get_figwidth(), pos.height * fig.get_figheight()
    nx = max(2, round(w_in / _MARK_CELL[0]))
    ny = max(2, round(h_in / _MARK_CELL[1]))
    cell_w = w_in / nx
    # two lines of ~17 characters: about 0.55 em per character, ~70% of the cell's width
    size = float(np.clip(0.7 * cell_w * 72 / (17 * 0.55), 4.5, 11.0))
    for j in range(ny):
        shift = 0.25 if j % 2 else -0.25  # stagger the rows: no straight empty lane
        for i in range(nx):
            t = ax.text((i + 0.5 + shift) / nx, (j + 0.5) / ny, text, transform=ax.transAxes,
                        ha="center", va="center", rotation=28, rotation_mode="anchor",
                        fontsize=size, linespacing=1.1, clip_on=True, gid=WATERMARK_GID,
                        **_MARK_STYLE)  # fmt: skip
            t.set_in_layout(False)


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        if not isinstance(ax, Axes):
            raise ParameterError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
        return ax
    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def _finish(ax: Axes, *, title: str | None, synthetic: bool) -> Axes:
    if title:
        ax.set_title(title)
    if synthetic:
        _add_watermark(ax)
    return ax


def _check_lang(lang: str) -> None:
    if lang not in i18n.LANGS:
        raise ParameterError(
            f"parameter lang={lang!r} is not supported; use one of {', '.join(i18n.LANGS)}"
        )


def _number_formatter(lang: str, digits: int) -> FuncFormatter:
    """Tick labels of a scale that is not a score (ranks, indices, % of target): the value with
    ``digits`` decimals in the language's number format."""
    return FuncFormatter(lambda v, _pos=None: i18n.format_number(float(v), lang, digits))


#: Scores and gaps are stored on the 0–1 scale (the tables' contract) and shown to readers in
#: points of a 0–100 scale, as the text and the notebook tables write them ("47 points"). The
#: figures keep the 0–1 values as data coordinates (their limits, margins, typology regions and
#: label placement are written for it, and artists can be checked against the tables); only
#: what is printed is scaled, by :class:`_PointsFormatter` (ticks) and :func:`_points_text`.
POINTS = i18n.POINTS


def _points_text(x: float | None, lang: str, digits: int | None = 0) -> str:
    """A score or gap as points of the 0–100 scale: :func:`analysis.i18n.format_points`."""
    return i18n.format_points(x if x is None or np.isfinite(x) else None, lang, digits)


def _points_interval(lo: float, hi: float, lang: str) -> str:
    """An interval in whole points: :func:`analysis.i18n.format_points_interval`."""
    return i18n.format_points_interval(lo, hi, lang)


class _PointsFormatter(Formatter):
    """Tick labels of a score or gap axis (data on the 0–1 scale) in points of the 0–100 scale:
    ``0.5`` -> ``50``; every tick of the axis with the decimals the finest one needs (0 to 2).

    >>> _PointsFormatter("vi").format_ticks([0.0, 0.025, 0.05])
    ['0,0', '2,5', '5,0']
    >>> _PointsFormatter("en").format_ticks([-0.1, 0.0, 0.1, 0.3])
    ['−10', '0', '10', '30']
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.digits = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        points = [POINTS * float(v) for v in locs if np.isfinite(v)]
        self.digits = max(
            (next((d for d in (0, 1) if abs(round(v, d) - v) < 1e-6), 2) for v in points),
            default=0,
        )

    def __call__(self, x: float, pos: int | None = None) -> str:
        return i18n.format_number(POINTS * float(x), self.lang, self.digits)


def _interval(data: pd.DataFrame, gap: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The indicator-selection interval of ``gap`` (columns ``<gap>_sel_lo``, ``<gap>_sel_hi``)
    as float arrays, or None when the table has none (e.g. the UN EGDI).

    >>> d = pd.DataFrame({"gap_mean": [0.2], "gap_mean_sel_lo": [0.1], "gap_mean_sel_hi": [0.3]})
    >>> _interval(d, "gap_mean"), _interval(d, "gap_econ")
    ((array([0.1]), array([0.3])), None)
    """
    lo, hi = f"{gap}_sel_lo", f"{gap}_sel_hi"
    if lo not in data.columns or hi not in data.columns:
        return None
    return data[lo].to_numpy(float), data[hi].to_numpy(float)


def _interval_level(data: pd.DataFrame) -> float:
    """Level of the table's intervals (``attrs["level"]``, default the package's)."""
    level = data.attrs.get("level") if hasattr(data, "attrs") else None
    return float(level) if level is not None else float(config.DEFAULT_CI_LEVEL)


def _pillar_of(indicator: str, framework: Any | None) -> str:
    if framework is not None:
        mapping = framework.pillar_of()
        if indicator in mapping:
            return mapping[indicator]
    for prefix, pillar in (("gov_", "government"), ("econ_", "economy"), ("soc_", "society")):
        if indicator.startswith(prefix):
            return pillar
    return "other"


def _default_framework(indicators: Iterable[str]) -> Any | None:
    """The default commune framework if it knows every indicator, else None."""
    try:
        fw = load_framework()
    except OSError:
        return None
    known = set(fw.indicator_ids)
    return fw if set(indicators) <= known else None


def _indicator_label(
    ind: str,
    framework: Any | None,
    lang: str,
    width: int,
    labels: Mapping[str, str] | None,
    max_lines: int = 2,
) -> str:
    """Label of an indicator: ``labels[ind]``, else its framework name without a leading
    "Tỷ lệ", else its id; wrapped to lines of ``width`` characters, literal and bounded.

    The full name is shown (wrapped, never cut) when it fits in ``max_lines`` lines, as every
    name of the shipped frameworks does at the widths the figures use; only a longer text
    (a pasted paragraph) is cut, with "…".
    """
    if labels and ind in labels:
        return data_text(unicodedata.normalize("NFC", str(labels[ind])), width, max_lines)
    if framework is None:
        return data_text(ind, width, max_lines)
    try:
        name = framework.name(ind, lang)
    except FrameworkError:
        return data_text(ind, width, max_lines)
    if lang == "vi":
        for prefix in ("Tỷ lệ ", "Tỷ trọng "):
            if name.startswith(prefix):
                name = name[len(prefix) :]
                name = name[:1].upper() + name[1:]
                break
    return data_text(unicodedata.normalize("NFC", name), width, max_lines)


def _max_lines(labels: Iterable[str]) -> int:
    """Most lines of any of ``labels`` (1 for none)."""
    return max((s.count("\n") + 1 for s in labels), default=1)


def _gap_from_scores(scores: pd.DataFrame) -> pd.Series:
    """G − mean(E, S) per unit from pillar rows of a score table (or indicator means)."""
    pil = scores.loc[scores["level"] == "pillar"]
    if pil.empty:
        ind = scores.loc[scores["level"] == "indicator"].copy()
        ind["pillar"] = [_pillar_of(n, None) for n in ind["name"]]
        wide = ind.groupby(["unit_code", "pillar"])["value"].mean().unstack()
    else:
        wide = pil.pivot_table(index="unit_code", columns="name", values="value", aggfunc="mean")
    for p in _PILLARS:
        if p not in wide.columns:
            wide[p] = np.nan
    return wide["government"] - wide[["economy", "society"]].mean(axis=1)


#: More units than this (e.g. the 193 EGDI countries) and the dumbbell / rank plots show only the
#: ``top_n`` units at each end plus the highlighted ones; the scatter labels only highlighted units.
MAX_UNITS = 40
_DEFAULT_TOP_N = 10


def _note(key: str, lang: str, **fields: object) -> str:
    """A short note of a figure (``plots.<key>`` in the string table)."""
    return i18n.t(f"plots.{key}", lang, **fields)


def _highlight_codes(
    highlight: Sequence[str] | str | None,
    known: Iterable[str],
    table: str,
    present: Iterable[str] | None = None,
    *,
    strict: bool = True,
) -> list[str]:
    """Highlighted unit codes; a code unknown to the whole table (``known``) is an error (unless
    not ``strict``), one missing from the rows drawn (``present``, e.g. no data in that period)
    is skipped."""
    if highlight is None:
        return []
    codes = [str(highlight)] if isinstance(highlight, str) else [str(c) for c in highlight]
    known = set(map(str, known))
    bad = [c for c in codes if c not in known]
    if bad and strict:
        raise ParameterError(f"highlight={bad!r}: not a unit_code of the {table}")
    here = known if present is None else set(map(str, present))
    return [c for c in codes if c in here]


def _select_rows(
    data: pd.DataFrame,
    key: str,
    *,
    top_n: int | None,
    highlight: Sequence[str],
    max_units: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of ``data`` (already in display order, sorted by ``key``) to draw.

    All rows when there are at most ``max_units`` and ``top_n`` is None; otherwise the ``top_n``
    (default 10) rows at each end of the order (rows with a missing ``key`` left out) plus the
    highlighted units, in display order. Returns the rows and their positions in ``data``.
    """
    n = len(data)
    if top_n is not None and (
        not isinstance(top_n, int | np.integer) or isinstance(top_n, bool) or top_n < 1
    ):
        raise ParameterError(
            f"top_n={top_n!r}: expected a positive integer (units shown at each end)"
        )
    if top_n is None and n <= max_units:
        return data, np.arange(n)
    k = _DEFAULT_TOP_N if top_n is None else int(top_n)
    codes = data["unit_code"].astype(str).to_numpy()
    ok = np.flatnonzero(data[key].notna().to_numpy())
    keep = set(ok[:k]) | set(ok[-k:]) | set(np.flatnonzero(np.isin(codes, list(highlight))))
    pos = np.array(sorted(keep), dtype=int)
    return data.iloc[pos], pos


def _mark_omitted(ax: Axes, pos: np.ndarray, n_total: int, lang: str) -> None:
    """A dotted line and "… n others" between shown rows that are not neighbours in the full order."""
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    gaps = [
        (i, int(pos[i + 1] - pos[i] - 1)) for i in range(len(pos) - 1) if pos[i + 1] - pos[i] > 1
    ]
    if len(pos) and pos[0] > 0:
        gaps.insert(0, (-1, int(pos[0])))
    if len(pos) and pos[-1] < n_total - 1:
        gaps.append((len(pos) - 1, int(n_total - 1 - pos[-1])))
    for i, m in gaps:
        y = i + 0.5
        ax.plot(
            [0, 1],
            [y, y],
            transform=trans,
            ls=":",
            lw=0.8,
            color=_NEUTRAL,
            zorder=0.5,
            gid="omitted_separator",
        )
        ax.text(0.005, y, _note("omitted", lang, n=i18n.format_number(m, lang)), transform=trans, ha="left",
                va="center", fontsize=mpl.rcParams["font.size"] - 2, style="italic", color="#6B6B6B",
                gid="omitted_text", bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none"))  # fmt: skip


def _emphasise_ticks(ax: Axes, codes: Sequence[str], highlight: Sequence[str]) -> None:
    hl = set(highlight)
    for tick, code in zip(ax.get_yticklabels(), codes, strict=True):
        if code in hl:
            tick.set_fontweight("bold")
            tick.set_color(_DARK)


def _no_data(ax: Axes, lang: str, what: str) -> None:
    ax.text(0.5, 0.5, _note("no_data", lang, what=what), transform=ax.transAxes, ha="center",
            va="center", color="#6B6B6B", style="italic", gid="no_data")  # fmt: skip
    ax.set_xticks([])
    ax.set_yticks([])


def _row_range(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise nanmin / nanmax (NaN for an all-NaN row, without numpy's warning)."""
    empty = np.isnan(vals).all(axis=1)
    safe = np.where(empty[:, None], 0.0, vals)
    return (
        np.where(empty, np.nan, np.nanmin(safe, axis=1)),
        np.where(empty, np.nan, np.nanmax(safe, axis=1)),
    )


def _period_axis(
    ax: Axes, periods: Sequence[str], lang: str, *, per_period: int = 8, max_years: int = 8
) -> None:
    """Ticks of a time axis whose points sit at :func:`~analysis.periods.period_to_time`.

    Up to ``per_period`` periods: one labelled tick per period (``H1/2024``, ``Q3/2024``).
    More: a minor tick at every period and one label per year (at most ``max_years``, evenly
    thinned): annual periods at their tick, half-years and quarters centred under that year's
    periods, without vertical grid lines (they would fall between the points).
    """
    periods = list(periods)
    xs = [period_to_time(p) for p in periods]
    ax.set_xticks([], minor=True)
    if len(periods) <= per_period:
        ax.set_xticks(xs, [i18n.format_period(p, lang) for p in periods])
        return
    parsed = [parse_period(p) for p in periods]
    years = sorted({year for year, _, _ in parsed})
    centres = [
        float(np.mean([x for x, (yr, _, _) in zip(xs, parsed, strict=True) if yr == y]))
        for y in years
    ]
    step = math.ceil(len(years) / max(1, max_years))
    ax.set_xticks(centres[::step], [str(y) for y in years[::step]])
    ax.set_xticks(xs, minor=True)
    ax.tick_params(axis="x", which="minor", length=2.5)
    if any(kind for _, kind, _ in parsed):
        ax.tick_params(axis="x", which="major", length=0)
        ax.grid(axis="x", visible=False)


def _points(size: object) -> float:
    """A font size from rcParams (a number or a name such as ``"medium"``) in points."""
    return float(mpl.font_manager.FontProperties(size=size).get_size_in_points())


def _legend_below(
    ax: Axes, handles: Sequence[Any], *, ncol: int = 1, labels: Sequence[str] | None = None
) -> Any:
    """A legend under the axes, below its x tick labels and x label: never over the data,
    the headers or the title (constrained layout makes room for it)."""
    rc = mpl.rcParams
    label_lines = max(1, ax.get_xlabel().count("\n") + 1) if ax.get_xlabel() else 0
    drop = (
        rc["xtick.major.size"]
        + rc["xtick.major.pad"]
        + 1.3 * _points(rc["xtick.labelsize"])
        + (rc["axes.labelpad"] + 1.3 * _points(rc["axes.labelsize"]) * label_lines)
        + 6.0
    )
    offset = mpl.transforms.ScaledTranslation(0, -drop / 72, ax.figure.dpi_scale_trans)
    return ax.legend(
        handles=handles,
        labels=labels,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        bbox_transform=ax.transAxes + offset,
        ncol=ncol,
        borderaxespad=0.0,
        handlelength=1.8,
    )


def _legend_above(ax: Axes, handles: Sequence[Any], title: str, *, ncol: int) -> float:
    """A legend in rows just above the axes, and ``title`` above it (the title's pad is made for
    the legend's rows, so the two never overlap). Returns the pad, for a title set later
    (``ax.set_title(text, pad=pad)``)."""
    rows = 0
    if handles:
        ncol = max(1, min(ncol, len(handles)))
        rows = math.ceil(len(handles) / ncol)
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=ncol,
                  borderaxespad=0.3, handletextpad=0.4, columnspacing=1.2)  # fmt: skip
    size = _points(mpl.rcParams["legend.fontsize"])
    pad = float(mpl.rcParams["axes.titlepad"]) + (size * (1.75 * rows + 0.9) if rows else 0.0)
    ax.set_title(title, pad=pad)
    return pad
