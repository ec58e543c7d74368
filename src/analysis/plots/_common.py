"""Helpers shared by the figure families: table checks, period and row selection, unit and
indicator names, the synthetic-data watermark, number formatters and short notes.

Every name or label that comes from data goes through :mod:`._text` (literal, bounded).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .. import config, i18n
from ..errors import DataValidationError, FrameworkError, ParameterError
from ..frameworks import load_framework
from ..periods import sort_periods
from ._style import _DARK, _NEUTRAL, WATERMARK_GID
from ._text import data_text, literal, shorten

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


def _add_watermark(target: Axes | Figure, fontsize: float | None = None) -> None:
    """Visible synthetic-data mark; a text artist with ``gid='watermark'``."""
    text = i18n.t("watermark", "vi")
    kwargs = dict(
        ha="center",
        va="center",
        rotation=20,
        color="#7A7A7A",
        alpha=0.35,
        fontweight="bold",
        zorder=5.5,  # above data marks, below labels
        gid=WATERMARK_GID,
        bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor="none", alpha=0.3),
    )
    if isinstance(target, Figure):
        # scale to the figure so the mark never runs off a narrow figure (≈ 0.26 in per pt)
        size = fontsize or min(26.0, 3.2 * float(target.get_figwidth()))
        t = target.text(0.5, 0.5, text, fontsize=size, transform=target.transFigure, **kwargs)
    else:
        t = target.text(
            0.5,
            0.5,
            text,
            fontsize=fontsize or 13,
            transform=target.transAxes,
            clip_on=False,
            **kwargs,
        )
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


def _number_formatter(lang: str, digits: int | None = None, suffix: str = "") -> FuncFormatter:
    def fmt(v: float, _pos: int | None = None) -> str:
        if digits is None:
            d = 0 if float(v).is_integer() else (1 if round(v, 1) == v else 2)
        else:
            d = digits
        return i18n.format_number(float(v), lang, d) + suffix

    return FuncFormatter(fmt)


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
    ind: str, framework: Any | None, lang: str, width: int, labels: Mapping[str, str] | None
) -> str:
    """Label of an indicator: ``labels[ind]``, else its framework name without a leading
    "Tỷ lệ" (cut with "…" at ``width`` characters), else its id; literal and bounded."""
    if labels and ind in labels:
        return data_text(unicodedata.normalize("NFC", str(labels[ind])), width)
    if framework is None:
        return data_text(ind, width)
    try:
        name = framework.name(ind, lang)
    except FrameworkError:
        return data_text(ind, width)
    if lang == "vi":
        for prefix in ("Tỷ lệ ", "Tỷ trọng "):
            if name.startswith(prefix):
                name = name[len(prefix) :]
                name = name[:1].upper() + name[1:]
                break
    return literal(shorten(unicodedata.normalize("NFC", name), width))


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
_NOTES = {
    "omitted": {"vi": "… {n} đơn vị khác", "en": "… {n} others"},
    "no_data": {"vi": "Không có dữ liệu: {what}", "en": "No data: {what}"},
}


def _note(key: str, lang: str, **fields: object) -> str:
    return unicodedata.normalize("NFC", _NOTES[key][lang].format(**fields))


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
