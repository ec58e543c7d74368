"""Publication-grade figures in Vietnamese and English (seaborn-style API).

Conventions (seaborn's contract):

* every ``plot_*(data, *, ..., ax=None, lang="vi", status=None) -> Axes`` draws into ``ax`` (a new
  figure is created only when ``ax`` is None; :func:`matplotlib.pyplot.gca` is never used);
  multi-panel ``figure_*(...) -> Figure``; nothing here saves or shows a figure;
* style is applied by an explicit :func:`set_style` call (font with full Vietnamese coverage,
  colour-blind-safe palette, SVG text kept as text);
* the three pillars always have the colours of :data:`PILLAR_COLORS` (Okabe–Ito);
* titles, axes and legends come from :mod:`analysis.i18n`;
* when the data are synthetic (``status="synthetic"`` or a ``status`` column containing
  ``synthetic``) every figure carries the visible mark "Dữ liệu minh họa / Illustrative data"
  (a text artist with ``gid="watermark"``);
* :func:`save_figure` writes PNG (300 dpi) and SVG atomically, with deterministic metadata.

Input tables follow the contracts of HELPERS.md: gap table (``analysis.gaps``), pillar table,
scores, rank stats and sensitivity (``analysis.robustness``), units. :func:`example_data`
fabricates a synthetic set of those tables (flagged ``status="synthetic"``) for the gallery.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import os
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox

from . import config, i18n
from .errors import DataValidationError, FrameworkError, ParameterError, RenderError
from .periods import period_to_time, sort_periods
from .status import is_synthetic

__all__ = [
    "OKABE_ITO",
    "PILLAR_COLORS",
    "TYPOLOGY_COLORS",
    "FONT_FAMILY",
    "WATERMARK_GID",
    "register_fonts",
    "set_style",
    "save_figure",
    "example_data",
    "plot_pillar_heatmap",
    "plot_gap_dumbbell",
    "plot_pillar_scatter",
    "figure_pillar_scatter",
    "plot_commune_profile",
    "plot_rank_uncertainty",
    "plot_sensitivity",
    "figure_trends",
    "plot_gap_trend",
    "plot_distance_to_targets",
    "plot_map",
    "MAX_UNITS",
]

# --------------------------------------------------------------------------------------------
# palette and style
# --------------------------------------------------------------------------------------------

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: One colour per pillar, used in every figure and in the briefs.
PILLAR_COLORS: dict[str, str] = {
    "government": OKABE_ITO["blue"],
    "economy": OKABE_ITO["orange"],
    "society": OKABE_ITO["bluish_green"],
    "index": "#333333",
}

_NEUTRAL = "#8C8C8C"
_DARK = "#333333"
_TARGET_2025 = OKABE_ITO["vermillion"]
_TARGET_2030 = OKABE_ITO["reddish_purple"]
_BUBBLE_MAX = 700.0  # marker area (pt²) of the most populous commune
_GAP_CMAP = "PuOr"  # diverging, colour-blind safe; purple = government ahead (gap > 0)


def _tint(color: str, amount: float) -> tuple[float, float, float]:
    """Mix ``color`` with white (``amount`` = share of white)."""
    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


#: Light fills for the typology quadrants of the pillar scatter.
TYPOLOGY_COLORS: dict[str, tuple[float, float, float]] = {
    "government_led": _tint(PILLAR_COLORS["government"], 0.85),
    "economy_society_led": _tint(OKABE_ITO["orange"], 0.85),
    "balanced_high": _tint("#7F7F7F", 0.80),
    "balanced_low": _tint("#7F7F7F", 0.93),
}

#: Family set by :func:`set_style` (``Be Vietnam Pro``, or ``DejaVu Sans`` when absent).
FONT_FAMILY = "Be Vietnam Pro"
_FALLBACK_FAMILY = "DejaVu Sans"
#: ``gid`` of the synthetic-data mark.
WATERMARK_GID = "watermark"
_FONT_FILES = (
    "Regular",
    "Italic",
    "Medium",
    "SemiBold",
    "SemiBoldItalic",
    "Bold",
    "BoldItalic",
    "Light",
)
_PILLARS = config.PILLARS


def _be_vietnam_pro_dir() -> Path | None:
    """Folder with the Be Vietnam Pro .ttf files of ``fontpkg-be-vietnam-pro``, if installed."""
    try:
        import fontpkg_be_vietnam_pro as pkg  # type: ignore[import-not-found]
    except ImportError:
        return None
    root = Path(getattr(pkg, "ROOT", Path(pkg.__file__).parent))
    for candidate in (root / "files", root):
        if any(candidate.glob("BeVietnamPro-*.ttf")):
            return candidate
    return None


def register_fonts() -> str:
    """Register Be Vietnam Pro with matplotlib; return the family to use.

    Returns ``"Be Vietnam Pro"`` when the PyPI package ``fontpkg-be-vietnam-pro`` is installed,
    else ``"DejaVu Sans"`` (bundled with matplotlib, full Vietnamese coverage). Idempotent.
    """
    registered = {f.name for f in font_manager.fontManager.ttflist}
    if FONT_FAMILY in registered:
        return FONT_FAMILY
    folder = _be_vietnam_pro_dir()
    if folder is None:
        return _FALLBACK_FAMILY
    for style in _FONT_FILES:
        path = folder / f"BeVietnamPro-{style}.ttf"
        if path.exists():
            font_manager.fontManager.addfont(str(path))
    return (
        FONT_FAMILY
        if FONT_FAMILY in {f.name for f in font_manager.fontManager.ttflist}
        else _FALLBACK_FAMILY
    )


def set_style(*, font_scale: float = 1.0) -> str:
    """Apply the project style to matplotlib (call it once, explicitly, before plotting).

    Registers the font (Be Vietnam Pro, fallback DejaVu Sans for any missing glyph), sets the
    Okabe–Ito colour cycle, light grids, no top/right spines, ``svg.fonttype='none'`` (SVG keeps
    text as text), TrueType fonts in PDF, 300-dpi saving and a fixed SVG hash salt.

    Args:
        font_scale: multiply all font sizes (e.g. 1.3 for slides).

    Returns:
        The font family in use.
    """
    family = register_fonts()
    families = [family] if family == _FALLBACK_FAMILY else [family, _FALLBACK_FAMILY]
    base = 9.0 * font_scale
    mpl.rcParams.update(
        {
            "font.family": families,
            "font.size": base,
            "axes.titlesize": base + 2,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.titlepad": 8,
            "axes.labelsize": base,
            "axes.labelcolor": _DARK,
            "axes.edgecolor": "#555555",
            "axes.linewidth": 0.8,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.axisbelow": True,
            "axes.unicode_minus": True,
            "axes.prop_cycle": mpl.cycler(
                color=[
                    OKABE_ITO[k]
                    for k in (
                        "blue",
                        "orange",
                        "bluish_green",
                        "vermillion",
                        "reddish_purple",
                        "sky_blue",
                        "yellow",
                        "black",
                    )
                ]
            ),
            "grid.color": "#E6E6E6",
            "grid.linewidth": 0.6,
            "xtick.labelsize": base - 1,
            "ytick.labelsize": base - 1,
            "xtick.color": "#555555",
            "ytick.color": "#555555",
            "xtick.labelcolor": _DARK,
            "ytick.labelcolor": _DARK,
            "legend.fontsize": base - 1,
            "legend.title_fontsize": base - 1,
            "legend.frameon": False,
            "figure.titlesize": base + 3,
            "figure.titleweight": "bold",
            "figure.dpi": 100,
            "figure.facecolor": "white",
            "image.cmap": "viridis",
            "savefig.dpi": 300,
            "savefig.facecolor": "white",
            "svg.fonttype": "none",
            "svg.hashsalt": "analysis",
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
        }
    )
    return family


# --------------------------------------------------------------------------------------------
# saving
# --------------------------------------------------------------------------------------------

_KNOWN_SUFFIXES = (".png", ".svg", ".pdf")


def save_figure(
    fig: Figure,
    path: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("png", "svg"),
    dpi: int = 300,
) -> list[Path]:
    """Write ``fig`` as PNG (``dpi``) and SVG next to each other, atomically.

    Each file is written to a temporary file in the same folder, then renamed onto its final
    name, so a crash never leaves a half-written figure. Metadata are deterministic (no date;
    a fixed ``Software`` entry; fixed SVG hash salt), so the same figure gives the same bytes.
    SVG text stays text (``svg.fonttype='none'``), so the Vietnamese words remain editable and
    searchable.

    Args:
        fig: the figure.
        path: file name without suffix (a ``.png``/``.svg``/``.pdf`` suffix is dropped);
            parent folders are created.
        formats: any of ``png``, ``svg``, ``pdf``.
        dpi: resolution of raster output.

    Returns:
        The written paths, in the order of ``formats``.
    """
    from . import __version__

    base = str(path)
    for suffix in _KNOWN_SUFFIXES:
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    software = f"analysis {__version__} (matplotlib)"
    formats = [f.lower().lstrip(".") for f in formats]
    for fmt in formats:
        if fmt not in ("png", "svg", "pdf"):
            raise ParameterError(
                f"save_figure: format {fmt!r} is not supported; use png, svg or pdf"
            )
    written: list[Path] = []
    # One layout pass for every format: resolve the layout and the tight bounding box once,
    # freeze them, and hand the box to each savefig (``bbox_inches="tight"`` would draw the
    # whole figure once more per format just to measure it). Text is drawn unhinted: hinting
    # snaps glyphs to a screen's pixel grid, pointless at 300 dpi, and it makes text metrics
    # depend on the resolution (so one box would not fit every format exactly).
    # A layout engine needs only the artists' extents, not a draw: run it alone, as
    # Figure.draw would before drawing (a full draw_without_rendering cost twice as much, and
    # gives the same bytes for every figure of the default edition).
    engine = fig.get_layout_engine()
    with mpl.rc_context(_SAVE_RC):
        if engine is None or not fig.axes:
            fig.draw_without_rendering()  # what bbox_inches="tight" does first
        else:
            try:
                engine.execute(fig)
            except ValueError:  # what Figure.draw does when a layout cannot be made
                pass
        if engine is not None:
            fig.set_layout_engine(None)  # not "none": a placeholder engine makes savefig draw twice
            # a re-run layout drifts by ~1e-14; rounding makes repeated saves byte-identical
            for a in fig.axes:
                a.set_position(
                    [round(v, 9) for v in a.get_position(original=True).bounds], which="original"
                )
        try:
            tight = fig.get_tightbbox().padded(_PAD_INCHES)
            box = Bbox.from_extents(*(round(v, 6) for v in tight.extents))
            _save_formats(fig, base, formats, dpi, software, box, written)
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)
    return written


_PAD_INCHES = 0.08
_SAVE_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "analysis",
    "pdf.fonttype": 42,
    "text.hinting": "no_hinting",
}
#: zlib level for PNG data (see _write_png)
_PNG_COMPRESS_LEVEL = 3


def _save_formats(
    fig: Figure,
    base: str,
    formats: Sequence[str],
    dpi: int,
    software: str,
    box: Bbox,
    written: list[Path],
) -> None:
    from .outputs import atomic_write

    for fmt in formats:
        fmt = fmt.lower().lstrip(".")
        if fmt == "svg":
            metadata: dict[str, Any] = {"Date": None, "Creator": software}
        else:  # pdf (png: see _write_png)
            metadata = {
                "CreationDate": None,
                "ModDate": None,
                "Producer": software,
                "Creator": software,
            }
        target = Path(f"{base}.{fmt}")
        with atomic_write(target, "wb") as fh:
            if fmt == "png":
                _write_png(fig, fh, dpi=dpi, box=box, software=software)
            else:
                fig.savefig(fh, format=fmt, dpi=dpi, metadata=metadata, bbox_inches=box)
        written.append(target)


class _BufferSink:
    """File-like target for ``savefig(format="rgba")`` that keeps the renderer's buffer
    without copying it (matplotlib writes it with a single ``write``)."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []

    def write(self, b) -> int:
        part = np.frombuffer(b, np.uint8)
        self._parts.append(part)
        return part.size

    def seek(self, *args) -> int:  # matplotlib only accepts targets that have one
        return 0

    def data(self) -> np.ndarray:
        return self._parts[0] if len(self._parts) == 1 else np.concatenate(self._parts)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _write_png(fig: Figure, fh, *, dpi: int, box: Bbox, software: str) -> None:
    """Render ``fig`` with Agg and write it as an 8-bit PNG (RGB, or RGBA if anything is
    transparent) with its resolution (pHYs) and a ``Software`` text chunk.

    Same pixels as ``savefig(format="png")``, about 4x faster to encode: matplotlib hands an
    RGBA image to Pillow, whose per-row adaptive filtering costs more than drawing the figure
    (0.12 s for a 7 x 8 inch figure at 300 dpi). A chart is mostly flat colour: unfiltered RGB
    rows at zlib level 3 take 0.03 s and the file is still smaller than matplotlib's (439 kB
    against 477 kB for a commune profile).
    """
    sink = _BufferSink()
    fig.savefig(sink, format="rgba", dpi=dpi, bbox_inches=box)
    raw = sink.data()
    # the Agg canvas is int(width * dpi) x int(height * dpi) pixels (matplotlib's RendererAgg)
    w, h = int(box.width * dpi), int(box.height * dpi)
    n_px = raw.size // 4
    if w * h != n_px:
        candidates = [
            (ww, n_px // ww)
            for ww in (w, w - 1, w + 1)
            if ww > 0 and n_px % ww == 0 and abs(n_px // ww - h) <= 1
        ]
        if not candidates:
            raise RenderError(
                f"save_figure: cannot tell the size of the rendered image ({raw.size} bytes, "
                f"expected {w}x{h} RGBA); save with fig.savefig(..., format='png') instead"
            )
        w, h = candidates[0]
    rgba = raw.reshape(h, w, 4)
    opaque = bool(rgba[..., 3].min() == 255)
    channels = 3 if opaque else 4
    rows = np.empty((h, 1 + w * channels), np.uint8)
    rows[:, 0] = 0  # filter type None on every row
    rows[:, 1:].reshape(h, w, channels)[...] = rgba[..., :channels]
    ppm = round(dpi / 0.0254)
    fh.write(b"\x89PNG\r\n\x1a\n")
    fh.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2 if opaque else 6, 0, 0, 0)))
    fh.write(_png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)))
    fh.write(_png_chunk(b"tEXt", b"Software\x00" + software.encode("latin-1", "replace")))
    fh.write(_png_chunk(b"IDAT", zlib.compress(rows, _PNG_COMPRESS_LEVEL)))
    fh.write(_png_chunk(b"IEND", b""))


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------


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
            source=f"{table} (see the contracts in HELPERS.md)",
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
    return names.get(str(code), str(code))


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
        from .frameworks import load_framework

        fw = load_framework()
    except (ImportError, OSError):
        return None
    known = set(fw.indicator_ids)
    return fw if set(indicators) <= known else None


def _short(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:(")
    return cut + "…"


def _indicator_label(
    ind: str, framework: Any | None, lang: str, width: int, labels: Mapping[str, str] | None
) -> str:
    if labels and ind in labels:
        return unicodedata.normalize("NFC", labels[ind])
    if framework is None:
        return ind
    try:
        name = framework.name(ind, lang)
    except FrameworkError:
        return ind
    if lang == "vi":
        for prefix in ("Tỷ lệ ", "Tỷ trọng "):
            if name.startswith(prefix):
                name = name[len(prefix) :]
                name = name[:1].upper() + name[1:]
                break
    return _short(unicodedata.normalize("NFC", name), width)


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
_AUTO_PANELS = 6  # figure_trends with too many units: 6 largest + 6 smallest latest gaps
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


# --------------------------------------------------------------------------------------------
# deterministic label repulsion
# --------------------------------------------------------------------------------------------


def _overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Overlap (dx, dy) of two boxes given as (cx, cy, w, h); non-positive = no overlap."""
    dx = (a[2] + b[2]) / 2 - abs(a[0] - b[0])
    dy = (a[3] + b[3]) / 2 - abs(a[1] - b[1])
    return dx, dy


#: label placements waiting for one shared layout pass (see _shared_label_layout)
_PENDING_LABELS: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "_PENDING_LABELS", default=None
)


@contextlib.contextmanager
def _shared_label_layout(fig: Figure) -> Iterator[None]:
    """Defer the label placement of every panel drawn in the block, then resolve the layout
    once and place them all (each placement would otherwise lay out the whole figure again;
    labels stay inside their axes, so they do not change the layout)."""
    token = _PENDING_LABELS.set([])
    try:
        yield
        pending = _PENDING_LABELS.get()
    finally:
        _PENDING_LABELS.reset(token)
    if pending:
        fig.draw_without_rendering()
        for place in pending:
            place()


def _place_labels(
    ax: Axes,
    x: Sequence[float],
    y: Sequence[float],
    texts: Sequence[str],
    *,
    fontsize: float = 7.5,
    radii: float | Sequence[float] = 4.0,
    styles: Sequence[Mapping[str, Any]] | None = None,
    avoid: Sequence[Any] = (),
    max_iter: int = 400,
    _layout_done: bool = False,
) -> list[Any]:
    """Label points without overlap: greedy choice among 8 positions, then repulsion.

    Deterministic (no randomness; ties broken by order). Works in display pixels after the
    layout has been resolved; each point is an obstacle of radius ``radii`` (points; 0 = a bare
    anchor, not an obstacle); labels are kept inside the axes and become annotations with an
    offset in points (and a thin leader line when pushed away from their point). Artists in
    ``avoid`` (e.g. other texts) are obstacles too.
    """
    pending = _PENDING_LABELS.get()
    if pending is not None:
        pending.append(
            lambda: _place_labels(
                ax, x, y, texts, fontsize=fontsize, radii=radii, styles=styles, avoid=avoid,
                max_iter=max_iter, _layout_done=True,
            )
        )  # fmt: skip
        return []
    fig = ax.figure
    n = len(texts)
    if n == 0:
        return []
    styles = list(styles) if styles is not None else [{} for _ in range(n)]
    if not _layout_done:
        fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    dpi_scale = fig.dpi / 72.0
    anchors = ax.transData.transform(np.column_stack([np.asarray(x, float), np.asarray(y, float)]))
    rad = np.broadcast_to(np.asarray(radii, float), (n,)) * dpi_scale
    sizes = []
    for s, st in zip(texts, styles, strict=True):
        probe = ax.text(
            0,
            0,
            s,
            fontsize=st.get("fontsize", fontsize),
            fontweight=st.get("fontweight", "normal"),
            style=st.get("style", "normal"),
        )
        bb = probe.get_window_extent(renderer)
        probe.remove()
        sizes.append((bb.width + 2 * dpi_scale, bb.height + 1 * dpi_scale))
    w = np.array([s[0] for s in sizes])
    h = np.array([s[1] for s in sizes])
    box = ax.get_window_extent(renderer)
    pad = 3.0 * dpi_scale
    obstacles = [k for k in range(n) if rad[k] > 0]
    boxes = []
    for artist in avoid:
        bb = artist.get_window_extent(renderer)
        boxes.append(
            (
                (bb.x0 + bb.x1) / 2,
                (bb.y0 + bb.y1) / 2,
                bb.width + 2 * dpi_scale,
                bb.height + 2 * dpi_scale,
            )
        )

    def clamp(i: int, c: np.ndarray) -> np.ndarray:
        c[0] = min(max(c[0], box.x0 + w[i] / 2 + 1), box.x1 - w[i] / 2 - 1)
        c[1] = min(max(c[1], box.y0 + h[i] / 2 + 1), box.y1 - h[i] / 2 - 1)
        return c

    def cost(i: int, c: np.ndarray, placed: list[int], centres: np.ndarray) -> float:
        me = (c[0], c[1], w[i], h[i])
        total = 0.0
        for j in placed:
            dx, dy = _overlap(me, (centres[j, 0], centres[j, 1], w[j], h[j]))
            if dx > 0 and dy > 0:
                total += 1e4 + 10 * dx * dy
        for k in obstacles:
            dx, dy = _overlap(me, (anchors[k, 0], anchors[k, 1], 2 * rad[k], 2 * rad[k]))
            if dx > 0 and dy > 0:
                total += 5e3 + 5 * dx * dy
        for b in boxes:
            dx, dy = _overlap(me, b)
            if dx > 0 and dy > 0:
                total += 5e3 + 5 * dx * dy
        return total

    centres = np.zeros((n, 2))
    order = sorted(range(n), key=lambda i: (anchors[i, 0], anchors[i, 1], i))
    placed: list[int] = []
    for i in order:
        ax_, ay_ = anchors[i]
        candidates = []
        for ring, extra in enumerate((0.0, 6.0, 14.0, 24.0)):
            e = extra * dpi_scale
            dxs, dys = w[i] / 2 + rad[i] + pad + e, h[i] / 2 + rad[i] + pad + e
            dxd, dyd = (
                w[i] / 2 + 0.7 * rad[i] + pad + 0.7 * e,
                h[i] / 2 + 0.7 * rad[i] + pad + 0.7 * e,
            )
            for cand in (
                (ax_ + dxs, ay_), (ax_ - dxs, ay_), (ax_, ay_ + dys), (ax_, ay_ - dys),
                (ax_ + dxd, ay_ + dyd), (ax_ - dxd, ay_ + dyd), (ax_ + dxd, ay_ - dyd), (ax_ - dxd, ay_ - dyd),
            ):  # fmt: skip
                candidates.append((ring, cand))
        best, best_cost = None, math.inf
        for rank, (ring, cand) in enumerate(candidates):
            c = clamp(i, np.array(cand, float))
            value = cost(i, c, placed, centres) + ring * 2.0 * dpi_scale**2 + rank * 1e-3
            if value < best_cost - 1e-9:
                best, best_cost = c, value
        centres[i] = best
        placed.append(i)

    # repulsion for what is left
    for _ in range(max_iter):
        moved = False
        before = centres.copy()
        for i in range(n):
            for j in range(i + 1, n):
                dx, dy = _overlap(
                    (centres[i, 0], centres[i, 1], w[i], h[i]),
                    (centres[j, 0], centres[j, 1], w[j], h[j]),
                )
                if dx > 0 and dy > 0:
                    moved = True
                    axis, d = (1, dy) if dy <= dx else (0, dx)
                    sign = (
                        1.0
                        if centres[i, axis] > centres[j, axis]
                        or (centres[i, axis] == centres[j, axis] and i < j)
                        else -1.0
                    )
                    step = (d / 2 + 0.5) * sign
                    centres[i, axis] += step
                    centres[j, axis] -= step
            for k in obstacles:
                dx, dy = _overlap(
                    (centres[i, 0], centres[i, 1], w[i], h[i]),
                    (anchors[k, 0], anchors[k, 1], 2 * rad[k], 2 * rad[k]),
                )
                if dx > 0 and dy > 0:
                    moved = True
                    axis, d = (1, dy) if dy <= dx else (0, dx)
                    sign = 1.0 if centres[i, axis] >= anchors[k, axis] else -1.0
                    centres[i, axis] += (d + 0.5) * sign
            for b in boxes:
                dx, dy = _overlap((centres[i, 0], centres[i, 1], w[i], h[i]), b)
                if dx > 0 and dy > 0:
                    moved = True
                    axis, d = (1, dy) if dy <= dx else (0, dx)
                    sign = 1.0 if centres[i, axis] >= b[axis] else -1.0
                    centres[i, axis] += (d + 0.5) * sign
            centres[i] = clamp(i, centres[i])
        if not moved or np.array_equal(centres, before):
            break  # nothing overlaps, or a conflict the axes edge undoes: a fixed point

    artists = []
    for i in range(n):
        st = dict(styles[i])
        offset = (centres[i] - anchors[i]) / dpi_scale  # points
        far = np.hypot(*offset) > (max(w[i], h[i]) / dpi_scale) / 2 + rad[i] / dpi_scale + 6
        ann = ax.annotate(
            texts[i],
            xy=(float(x[i]), float(y[i])),
            xytext=(float(offset[0]), float(offset[1])),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=st.pop("fontsize", fontsize),
            color=st.pop("color", _DARK),
            zorder=st.pop("zorder", 6),
            gid=st.pop("gid", "label"),
            # a light box instead of a path-effect halo: path effects turn SVG text into outlines
            bbox=dict(boxstyle="square,pad=0.05", facecolor="white", edgecolor="none", alpha=0.6),
            arrowprops=dict(
                arrowstyle="-", color="#999999", lw=0.5, shrinkA=0, shrinkB=rad[i] / dpi_scale
            )
            if far and rad[i] >= 0
            else None,
            **st,
        )
        artists.append(ann)
    return artists


# --------------------------------------------------------------------------------------------
# the figures
# --------------------------------------------------------------------------------------------


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
    given, else from the pillar rows of ``scores``).

    Args:
        scores: score table (``unit_code, period, level, name, value[, status]``); rows with
            ``level == "indicator"`` are drawn.
        period: period to show (default: latest).
        gaps: optional gap table to order communes by ``gap_mean``.
        framework: indicator framework (pillar of each indicator, names); default: the commune
            framework when it knows every indicator.
        units: units table for commune names.
        indicator_labels: optional ``{indicator id: label}`` overriding framework names.
        cmap: colour map of the 0–1 values.
        ax: axes to draw into; a new figure if None.
        lang: ``"vi"`` or ``"en"``.
        status: data status; ``"synthetic"`` adds the watermark.

    Returns:
        The axes (the image has ``gid="heatmap"``).
    """
    _check_lang(lang)
    _require(scores, ["unit_code", "level", "name", "value"], "score table")
    data, period = _select_period(scores, period, "score table")
    ind = data.loc[data["level"] == "indicator"]
    if ind.empty:
        raise DataValidationError(["no rows with level == 'indicator'"], source="score table")
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
    matrix = matrix[order]
    if gaps is not None:
        _require(gaps, ["unit_code", "gap_mean"], "gap table")
        g, _ = _select_period(gaps, period if "period" in gaps.columns else None, "gap table")
        gap = g.set_index(_codes(g["unit_code"]))["gap_mean"]
    else:
        gap = _gap_from_scores(data.assign(unit_code=_codes(data["unit_code"])))
    gap = gap.reindex(matrix.index)
    rows = gap.sort_values(ascending=False, na_position="last").index
    matrix = matrix.loc[rows]

    n_rows, n_cols = matrix.shape
    ax = _new_axes(ax, (max(6.5, 0.32 * n_cols + 3.2), max(4.5, 0.27 * n_rows + 2.6)))
    cm = mpl.colormaps[cmap].with_extremes(bad="#DDDDDD")
    im = ax.imshow(
        np.ma.masked_invalid(matrix.to_numpy(float)),
        aspect="auto",
        cmap=cm,
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    im.set_gid("heatmap")
    names = _unit_names(units)
    ax.set_yticks(range(n_rows), [_name(c, names) for c in matrix.index])
    ax.set_xticks(
        range(n_cols),
        [_indicator_label(c, fw, lang, 34, indicator_labels) for c in matrix.columns],
        rotation=60,
        ha="right",
        rotation_mode="anchor",
    )
    ax.grid(False)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # pillar groups: separators, coloured strip and pillar name above the columns
    pillars = [_pillar_of(c, fw) for c in matrix.columns]
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
            label = i18n.t(f"pillar.{p}", lang, default=p)
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
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.6, pad=0.02)
    cbar.set_label(i18n.t("axis.normalised", lang))
    cbar.ax.yaxis.set_major_formatter(_number_formatter(lang, 1))
    cbar.outline.set_visible(False)
    ax.set_title(i18n.t("title.heatmap", lang), pad=26)
    return _finish(ax, title=None, synthetic=is_synthetic(status, scores, gaps))


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

    The right-hand column prints the gap and its confidence interval (``<gap>_lo``,
    ``<gap>_hi``) as numbers in the chosen language (the number alone where the interval is NaN,
    e.g. pillars with a single indicator). A pillar with no value in the period (economy for the
    UN EGDI) is left out, legend included.

    Many units (more than ``max_units``, e.g. 193 countries) or ``top_n`` given: only the
    ``top_n`` (default 10) units with the largest and the smallest gap are drawn, plus the
    ``highlight`` units wherever they rank; a dotted line with "… n others" marks each skipped run.

    Args:
        gaps: gap table (``unit_code, period, government, economy, society, <gap>[, _lo, _hi]``).
        gap: which gap orders the communes: ``gap_mean``, ``gap_econ`` or ``gap_soc``.
        period: period to show (default: latest).
        units: units table for commune names.
        show_ci: print the gap and its CI at the right.
        highlight: unit code(s) always shown, with a bold name and a shaded row.
        top_n: units shown at each end of the order (default: all when <= ``max_units``, else 10).
        max_units: above this many units, only the ends and the highlighted units are shown.
        ax, lang, status: see :func:`plot_pillar_heatmap`.

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
        trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
        has_ci = (
            f"{gap}_lo" in data.columns
            and f"{gap}_hi" in data.columns
            and bool((data[f"{gap}_lo"].notna() & data[f"{gap}_hi"].notna()).any())
        )
        ax.text(1.02, n - 0.3, i18n.t(f"gap_short.{gap}", lang) + (f" ({i18n.t('misc.ci90', lang)})" if has_ci else ""),
                transform=trans, ha="left", va="bottom", fontsize=mpl.rcParams["font.size"] - 1, fontweight="bold", color=_DARK)  # fmt: skip
        for y, (_, row) in zip(yy, data.iterrows(), strict=True):
            txt = i18n.format_number(row[gap], lang, 2)
            if has_ci and pd.notna(row[f"{gap}_lo"]) and pd.notna(row[f"{gap}_hi"]):
                txt += f"  [{i18n.format_interval(row[f'{gap}_lo'], row[f'{gap}_hi'], lang, 2)}]"
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
    whisker showing the CI of its gap (``G − y``): the whisker spans ``G − gap_hi`` to
    ``G − gap_lo``, so it crosses the 45° line exactly when the CI covers 0; quadrants shaded
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
        ax, lang, status: see :func:`plot_pillar_heatmap`.

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
    has_ci = f"{gcol}_lo" in data.columns and f"{gcol}_hi" in data.columns
    w_lo = xv - data[f"{gcol}_hi"].to_numpy(float) if has_ci else yv
    w_hi = xv - data[f"{gcol}_lo"].to_numpy(float) if has_ci else yv
    allv = np.concatenate([xv, yv, w_lo, w_hi])
    allv = allv[np.isfinite(allv)]
    span = max(allv.max() - allv.min(), 0.1)
    lo = max(0.0, allv.min() - 0.08 * span) if allv.min() >= 0 else allv.min() - 0.08 * span
    hi = min(1.0, allv.max() + 0.08 * span) if allv.max() <= 1 else allv.max() + 0.08 * span
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal", adjustable="box")
    tx, ty = (
        thresholds if thresholds is not None else (float(np.nanmedian(xv)), float(np.nanmedian(yv)))
    )
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
        names = _unit_names(units)
        avoid = [t for t in ax.texts if (t.get_gid() or "").startswith("quadrant_label_")]
        legend = ax.get_legend()
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
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


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
        ax, lang, status: see :func:`plot_pillar_heatmap`.

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
    # y positions, top to bottom, with a header row per pillar
    rows: list[tuple[str, str]] = []  # (kind, id)
    last = None
    for ind_id in order:
        p = _pillar_of(ind_id, fw)
        if p != last:
            rows.append(("header", p))
            last = p
        rows.append(("indicator", ind_id))
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
    tgt_x, tgt_y = [], []
    if meta is not None:
        for r, y in zip(ind_rows, yy, strict=True):
            m = meta.loc[r[1]]
            t25 = m.get("target_2025")
            if t25 is not None and pd.notna(t25):
                lo_g, hi_g = float(m["goalpost_lo"]), float(m["goalpost_hi"])
                v = (float(t25) - lo_g) / (hi_g - lo_g)
                if float(m.get("direction", 1)) < 0:
                    v = 1 - v
                tgt_x.append(min(max(v, 0.0), 1.0))
                tgt_y.append(y)
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
    labels = []
    for r in ind_rows:
        labels.append(_indicator_label(r[1], fw, lang, 46, indicator_labels))
    ax.set_yticks(yy, labels)
    for tick, c in zip(ax.get_yticklabels(), cols, strict=True):
        tick.set_color(c)
    for r in rows:
        if r[0] == "header":
            ax.text(-0.02, ypos[r], i18n.t(f"pillar.{r[1]}", lang, default=r[1]).upper(), ha="right", va="center",
                    transform=mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData),
                    color=PILLAR_COLORS.get(r[1], _NEUTRAL), fontweight="bold", fontsize=mpl.rcParams["font.size"] - 0.5)  # fmt: skip
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(-0.03, 1.03)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(_number_formatter(lang, 1))
    ax.set_xlabel(i18n.t("axis.normalised", lang))
    handles = [
        Line2D([], [], marker="o", ls="", color=_DARK, markeredgecolor="white", markersize=7, label=i18n.t("legend.commune_value", lang)),
        Line2D([], [], marker="|", ls="", color=_DARK, markersize=10, markeredgewidth=1.6, label=i18n.t("legend.district_median", lang)),
        Line2D([], [], marker="D", ls="", markerfacecolor="none", markeredgecolor=_TARGET_2025, markersize=6, label=i18n.t("legend.target_2025", lang)),
    ]  # fmt: skip
    ax.legend(
        handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, borderaxespad=0.3
    )
    name = _name(unit_code, _unit_names(units))
    ax.set_title(
        i18n.t("title.profile", lang, name=name) + f" · {i18n.format_period(period, lang)}"
        if period
        else i18n.t("title.profile", lang, name=name),
        pad=24,
    )
    return _finish(ax, title=None, synthetic=is_synthetic(status, scores))


def plot_rank_uncertainty(
    rank_stats: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    highlight: Sequence[str] | str | None = None,
    top_n: int | None = None,
    max_units: int = MAX_UNITS,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Median rank with its 5–95% interval per commune (the JRC plot), nominal rank marked.

    Communes are sorted by median rank (best at the top), ties by nominal rank. More than
    ``max_units`` units (or ``top_n`` given): the ``top_n`` (default 10) best and worst plus the
    ``highlight`` units, as in :func:`plot_gap_dumbbell`.

    Args:
        rank_stats: ``unit_code, nominal, median, q05, q95`` (``analysis.robustness``).
        units: units table for commune names.
        highlight: unit code(s) always shown, in bold.
        top_n: units shown at each end (default: all when <= ``max_units``, else 10).
        max_units: above this many units, only the ends and the highlighted units are shown.
        ax, lang, status: see :func:`plot_pillar_heatmap`.

    Returns:
        The axes (``gid`` ``rank_intervals``, ``median_ranks``, ``nominal_ranks``).
    """
    _check_lang(lang)
    _require(rank_stats, ["unit_code", "nominal", "median", "q05", "q95"], "rank stats table")
    full = rank_stats.assign(unit_code=_codes(rank_stats["unit_code"])).sort_values(
        ["median", "nominal", "unit_code"], ascending=[False, False, False]
    )
    hl = _highlight_codes(highlight, full["unit_code"], "rank stats table", strict=False)
    data, pos = _select_rows(full, "median", top_n=top_n, highlight=hl, max_units=max_units)
    n = len(data)
    ax = _new_axes(ax, (6.4, max(3.5, 0.3 * n + 1.5)))
    yy = np.arange(n)
    ax.hlines(
        yy,
        data["q05"],
        data["q95"],
        color=_NEUTRAL,
        lw=3.2,
        alpha=0.55,
        zorder=1,
        gid="rank_intervals",
        label=i18n.t("legend.rank_interval", lang),
    )
    ax.scatter(
        data["median"],
        yy,
        s=40,
        color=PILLAR_COLORS["government"],
        zorder=3,
        gid="median_ranks",
        label=i18n.t("legend.median_rank", lang),
    )
    ax.scatter(
        data["nominal"],
        yy,
        marker="x",
        s=36,
        color=OKABE_ITO["vermillion"],
        linewidth=1.4,
        zorder=4,
        gid="nominal_ranks",
        label=i18n.t("legend.nominal_rank", lang),
    )
    names = _unit_names(units)
    ax.set_yticks(yy, [_name(c, names) for c in data["unit_code"]])
    _emphasise_ticks(ax, list(data["unit_code"]), hl)
    if len(pos) < len(full):
        _mark_omitted(ax, pos, len(full), lang)
    ax.set_ylim(-0.7, n - 0.3)
    n_units = int(max(len(full), np.nanmax(full[["q95", "nominal"]].to_numpy(float))))
    ax.set_xlim(0.4, n_units + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.t("axis.rank", lang))
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, borderaxespad=0.3)
    ax.set_title(i18n.t("title.rank_uncertainty", lang), pad=24)
    return _finish(ax, title=None, synthetic=is_synthetic(status, rank_stats))


def plot_sensitivity(
    sensitivity: pd.DataFrame,
    *,
    target: str | None = None,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """First-order (Si) and total (STi) Sobol indices per method choice, with their CIs.

    Args:
        sensitivity: ``choice, target, Si, Si_lo, Si_hi, STi, STi_lo, STi_hi``.
        target: which ``target`` to show (default: the first one in the table).
        ax, lang, status: see :func:`plot_pillar_heatmap`.

    Returns:
        The axes (bars ``gid`` ``si_bar`` and ``sti_bar``).
    """
    _check_lang(lang)
    _require(sensitivity, ["choice", "Si", "STi"], "sensitivity table")
    data = sensitivity
    if "target" in data.columns:
        targets = list(dict.fromkeys(data["target"].astype(str)))
        chosen = targets[0] if target is None else str(target)
        if chosen not in targets:
            raise ParameterError(
                f"target={target!r} is not in the sensitivity table; available: {', '.join(targets)}"
            )
        data = data.loc[data["target"].astype(str) == chosen]
    else:
        chosen = target
    data = data.sort_values(["STi", "choice"], ascending=[True, True])
    n = len(data)
    ax = _new_axes(ax, (6.4, max(2.8, 0.55 * n + 1.5)))
    yy = np.arange(n)
    hgt = 0.38
    for key, offset, color, gid in (
        ("Si", hgt / 2, "#BDBDBD", "si_bar"),
        ("STi", -hgt / 2, "#4D4D4D", "sti_bar"),
    ):
        v = data[key].to_numpy(float)
        err = None
        if f"{key}_lo" in data.columns and f"{key}_hi" in data.columns:
            err = np.vstack(
                [
                    np.clip(v - data[f"{key}_lo"].to_numpy(float), 0, None),
                    np.clip(data[f"{key}_hi"].to_numpy(float) - v, 0, None),
                ]
            )
        bars = ax.barh(yy + offset, v, height=hgt, color=color, xerr=err, error_kw=dict(ecolor="#222222", lw=0.9, capsize=2.5),
                       label=i18n.t(f"legend.{key.lower()}", lang))  # fmt: skip
        for b in bars:
            b.set_gid(gid)
    ax.set_yticks(yy, [i18n.t(f"choice.{c}", lang, default=str(c)) for c in data["choice"]])
    hi = np.nanmax(
        np.concatenate(
            [data["STi"].to_numpy(float), data.get("STi_hi", data["STi"]).to_numpy(float)]
        )
    )
    ax.set_xlim(0, max(0.1, min(1.05, hi * 1.12)) if hi <= 1 else hi * 1.1)
    ax.xaxis.set_major_formatter(_number_formatter(lang, 1))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.t("axis.sensitivity_index", lang))
    ax.legend(loc="lower right")
    title = i18n.t("title.sensitivity", lang)
    if chosen:
        title += "\n" + i18n.t(
            "title.target", lang, target=i18n.t(f"target.{chosen}", lang, default=str(chosen))
        )
    ax.set_title(title)
    return _finish(ax, title=None, synthetic=is_synthetic(status, sensitivity))


def _period_ticks(ax: Axes, periods: Sequence[str], lang: str, every: int = 1) -> None:
    xs = [period_to_time(p) for p in periods]
    ax.set_xticks(xs[::every], [i18n.format_period(p, lang) for p in periods[::every]])


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
        lang, status: see :func:`plot_pillar_heatmap`.

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
    med = data.groupby("period")[list(_PILLARS)].median().reindex(periods)
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
    years = sorted({int(x) for x in xs})
    years = years[:: math.ceil(len(years) / 5)]  # at most 5 year ticks in a small panel
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.set_visible(False)
            continue
        code = codes[k]
        sub = data.loc[data["unit_code"] == code].set_index("period").reindex(periods)
        for p in shown:
            ax.plot(
                xs,
                med[p].to_numpy(float),
                ls=(0, (2, 1.5)),
                lw=0.9,
                color=PILLAR_COLORS[p],
                alpha=0.6,
                gid=f"median_{p}",
            )
            ax.plot(
                xs,
                sub[p].to_numpy(float),
                lw=1.6,
                color=PILLAR_COLORS[p],
                marker="o",
                markersize=2.2,
                gid=f"trend_{p}",
            )
        ax.set_title(_name(code, names), fontsize=mpl.rcParams["font.size"], loc="left", pad=3,
                     fontweight="bold" if code in hl else "normal")  # fmt: skip
        ax.set_xticks(years, [str(y) for y in years])
        ax.tick_params(axis="x", labelsize=mpl.rcParams["font.size"] - 2, rotation=0)
        ax.yaxis.set_major_formatter(_number_formatter(lang, 1))
        ax.set_ylim(0, 1)
    for ax in axes[:, 0]:
        ax.set_ylabel(i18n.t("axis.score", lang))
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
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    fig.suptitle(i18n.t("title.trends", lang), x=0.01, ha="left")
    if is_synthetic(status, pillars):
        _add_watermark(fig)
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
    and highlighted communes in colour with their CI band when the table has one.

    Args:
        gaps: gap table with several periods.
        gap: ``gap_mean``, ``gap_econ`` or ``gap_soc``.
        units: units table for names.
        highlight: unit code(s) to draw in colour.
        ax, lang, status: see :func:`plot_pillar_heatmap`.

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
        _no_data(ax, lang, i18n.t(f"gap.{gap}", lang, default=gap))
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
            if len(codes) == 1 and f"{gap}_lo" in sub.columns and f"{gap}_hi" in sub.columns:
                ax.fill_between(
                    xs,
                    sub[f"{gap}_lo"].to_numpy(float),
                    sub[f"{gap}_hi"].to_numpy(float),
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
    _period_ticks(ax, periods, lang, every=1 if len(periods) <= 8 else 2)
    ax.yaxis.set_major_formatter(_number_formatter(lang, 2))
    ax.set_ylabel(i18n.t(f"gap.{gap}", lang, default=gap))
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
        ax, lang, status: see :func:`plot_pillar_heatmap`.

    Returns:
        The axes (bars ``gid="attainment_bar"``).
    """
    _check_lang(lang)
    _require(observations, ["unit_code", "indicator", "value"], "observation table")
    unit_code = str(unit_code)
    data, period = _select_period(observations, period, "observation table")
    data = data.assign(unit_code=_codes(data["unit_code"]))
    fw = framework
    if fw is None:
        from .frameworks import load_framework

        fw = load_framework()
    meta = fw.indicators.set_index("id")
    if not meta[["target_2025", "target_2030"]].notna().any().any():
        raise ParameterError(
            f"framework {fw.id!r} has no 2025 or 2030 target for any indicator: there is no "
            "distance-to-target figure for it; skip this figure (e.g. the EGDI, DESI and DTI editions)"
        )
    mine = data.loc[data["unit_code"] == unit_code].groupby("indicator")["value"].mean()
    if mine.empty:
        raise ParameterError(f"unit_code={unit_code!r} has no observations in period {period}")
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
            (
                ind_id,
                _pillar_of(ind_id, fw),
                v,
                att,
                np.isfinite(t25),
                m30,
                str(m.get("unit", "")),
                t25,
                t30,
            )
        )
    if not rows:
        raise ParameterError(
            f"no indicator with a 2025 or 2030 target has a value for unit_code={unit_code!r}"
        )
    n = len(rows)
    ax = _new_axes(ax, (7.4, 0.42 * n + 1.7))
    yy = np.arange(n)[::-1]
    att = np.array([r[3] for r in rows], float)
    colors = [PILLAR_COLORS.get(r[1], _NEUTRAL) for r in rows]
    bars = ax.barh(yy, np.minimum(att, 1e6), height=0.62, color=colors, alpha=0.9, zorder=2)
    for b in bars:
        b.set_gid("attainment_bar")
    ax.axvline(100, color=_TARGET_2025, lw=1.3, zorder=3, gid="target_2025_line")
    m30 = np.array([r[5] for r in rows], float)
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
    xmax = max(
        120.0,
        np.nanmax(np.where(np.isfinite(att), att, 0)) * 1.22,
        np.nanmax(np.where(ok30, m30, 0)) * 1.1,
    )
    # right-hand column: the raw value, then the 2025 and 2030 targets in the indicator's unit
    trans = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    small = mpl.rcParams["font.size"] - 1
    ax.text(1.02, n - 0.45, i18n.t("legend.commune_value", lang) + f" ({i18n.t('legend.target_2025', lang).lower()} · 2030)",
            transform=trans, ha="left", va="bottom", fontsize=small, fontweight="bold", color=_DARK)  # fmt: skip
    for y, r in zip(yy, rows, strict=True):
        unit = r[6]

        def fmt(v: float, unit: str = unit) -> str:
            if not np.isfinite(v):
                return i18n.MISSING
            return (
                i18n.format_pct(v, lang, 1 if v % 1 else 0)
                if unit == "%"
                else i18n.format_number(v, lang, 1 if v % 1 else 0)
            )

        value = (
            i18n.format_pct(r[2], lang, 1)
            if unit == "%"
            else f"{i18n.format_number(r[2], lang, 1)} {unit}"
        )
        ax.text(
            1.02,
            y,
            f"{value}  ({fmt(r[7])} · {fmt(r[8])})",
            transform=trans,
            va="center",
            ha="left",
            fontsize=small,
            color=_DARK,
            gid="value_text",
        )
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(yy, [_indicator_label(r[0], fw, lang, 46, indicator_labels) for r in rows])
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


# ---- map ------------------------------------------------------------------------------------


def _nice_length(span_km: float) -> float:
    target = span_km / 4
    for v in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if v >= target:
            return v
    return 1000.0


def _draw_scale_bar(ax: Axes, lat0: float, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * math.cos(math.radians(lat0))
    length_km = _nice_length((x1 - x0) * km_per_deg)
    length_deg = length_km / km_per_deg
    bx = x0 + 0.04 * (x1 - x0)
    by = y0 + 0.05 * (y1 - y0)
    tick = 0.012 * (y1 - y0)
    ax.plot(
        [bx, bx + length_deg],
        [by, by],
        color=_DARK,
        lw=2.2,
        solid_capstyle="butt",
        zorder=7,
        gid="scale_bar",
    )
    ax.plot([bx, bx], [by - tick, by + tick], color=_DARK, lw=1.0, zorder=7)
    ax.plot(
        [bx + length_deg, bx + length_deg], [by - tick, by + tick], color=_DARK, lw=1.0, zorder=7
    )
    label = f"{i18n.format_number(length_km if length_km % 1 else int(length_km), lang, 1)} {i18n.t('unit.km', lang)}"
    ax.text(
        bx + length_deg / 2,
        by + 2 * tick,
        label,
        ha="center",
        va="bottom",
        fontsize=mpl.rcParams["font.size"] - 1,
        color=_DARK,
        zorder=7,
        gid="scale_bar_label",
    )


def _padded_hull(lon: np.ndarray, lat: np.ndarray, k: float, radius: float) -> np.ndarray:
    """Convex hull (lon, lat) of the points each padded by a circle of ``radius`` degrees (lat)."""
    from scipy.spatial import ConvexHull

    ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    px = (lon[:, None] * k + radius * np.cos(ang)[None, :]).ravel()
    py = (lat[:, None] + radius * np.sin(ang)[None, :]).ravel()
    pts = np.column_stack([px, py])
    hull = ConvexHull(pts)
    ring = pts[hull.vertices]
    return np.column_stack([ring[:, 0] / k, ring[:, 1]])


def _load_geojson(geojson: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(geojson, Mapping):
        return dict(geojson)
    path = Path(geojson)
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError as exc:
        raise ParameterError(
            f"geojson={str(path)!r} does not exist; give the path of a GeoJSON FeatureCollection"
        ) from exc
    except json.JSONDecodeError as exc:
        raise RenderError(
            f"{path}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc


def _feature_rings(geometry: Mapping[str, Any], where: str) -> list[np.ndarray]:
    """Exterior rings of a Polygon or MultiPolygon (holes are not drawn)."""
    gtype = geometry.get("type") if geometry else None
    coords = geometry.get("coordinates") if geometry else None
    if gtype == "Polygon":
        return [np.asarray(coords[0], float)[:, :2]]
    if gtype == "MultiPolygon":
        return [np.asarray(poly[0], float)[:, :2] for poly in coords]
    raise RenderError(
        f"{where}: geometry type {gtype!r} is not supported; use Polygon or MultiPolygon"
    )


def plot_map(
    gaps: pd.DataFrame,
    *,
    units: pd.DataFrame,
    gap: str = "gap_mean",
    period: str | None = None,
    geojson: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    id_property: str = "unit_code",
    successors: bool = True,
    label: bool = True,
    ax: Axes | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Axes:
    """Map of the gap: communes at their coordinates or, with ``geojson``, a choropleth.

    Bubble mode (default): one bubble per commune at (lon, lat), area proportional to the 2019
    population, colour = gap on a diverging scale centred at 0 (:class:`~matplotlib.colors.TwoSlopeNorm`;
    purple = government ahead); the post-2025 communes (``successor_code``) are outlined by a
    padded convex hull of their former communes and named. Axes are lon/lat with the aspect
    corrected for latitude (1 / cos φ) and a scale bar.

    Choropleth mode: ``geojson`` (path or parsed dict) is a FeatureCollection of Polygon or
    MultiPolygon features whose ``properties[id_property]`` are unit codes; each polygon is
    filled with the commune's gap (features without data are hatched grey). Holes are not drawn.

    Args:
        gaps: gap table.
        units: units table (``unit_code, lat, lon[, population, successor_code, successor_name_vi]``;
            without populations the bubbles have equal size).
        gap: ``gap_mean``, ``gap_econ`` or ``gap_soc``.
        period: period to show (default: latest).
        geojson: optional polygons.
        id_property: feature property holding the unit code.
        successors: outline the post-2025 communes (bubble mode).
        label: write commune names (bubble mode).
        ax, lang, status: see :func:`plot_pillar_heatmap`.

    Returns:
        The axes (``gid`` ``bubbles``, ``successor_<code>``, ``unit_<code>``, ``scale_bar``).
    """
    _check_lang(lang)
    _require(gaps, ["unit_code", gap], "gap table")
    _require(units, ["unit_code"], "units table")
    if geojson is None:
        have = [c for c in ("lat", "lon") if c in units.columns]
        coords = units[have].apply(pd.to_numeric, errors="coerce") if have else None
        if len(have) < 2 or not coords.notna().all(axis=1).any():
            raise ParameterError(
                "plot_map: the units table has no coordinates (columns 'lat' and 'lon' "
                + ("are all empty" if len(have) == 2 else "missing")
                + "); pass geojson=<polygons of the units> or skip the map"
            )
    data, period = _select_period(gaps, period, "gap table")
    data = data.assign(unit_code=_codes(data["unit_code"]))
    u = units.assign(unit_code=_codes(units["unit_code"]))
    values = data.groupby("unit_code")[gap].mean()
    finite = values.to_numpy(float)
    finite = finite[np.isfinite(finite)]
    m = float(np.max(np.abs(finite))) if finite.size else 1.0
    m = m if m > 0 else 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-m, vmax=m)
    cmap = mpl.colormaps[_GAP_CMAP]
    ax = _new_axes(ax, (7.6, 6.0))
    names = _unit_names(u)
    if geojson is None:
        merged = u.merge(values.rename("gapv").reset_index(), on="unit_code", how="inner")
        if merged.empty:
            raise DataValidationError(
                ["no unit_code of the gap table is in the units table"], source="units table"
            )
        lon = pd.to_numeric(merged["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(merged["lat"], errors="coerce").to_numpy(float)
        pop = (
            pd.to_numeric(merged["population"], errors="coerce").to_numpy(float)
            if "population" in merged.columns
            else np.full(len(merged), np.nan)
        )
        if not (np.isfinite(lon) & np.isfinite(lat)).any():
            raise ParameterError(
                f"plot_map: no unit of the gap table in period {period} has coordinates (lat/lon) in "
                "the units table; pass geojson=<polygons of the units> or skip the map"
            )
        has_pop = bool(np.isfinite(pop).any())  # no population (provinces): equal bubbles
        pmax = float(np.nanmax(pop)) if has_pop else 1.0
        sizes = _BUBBLE_MAX * pop / pmax if has_pop else np.full(len(merged), 0.35 * _BUBBLE_MAX)
        sc = ax.scatter(
            lon,
            lat,
            s=sizes,
            c=merged["gapv"].to_numpy(float),
            cmap=cmap,
            norm=norm,
            edgecolor=_DARK,
            linewidth=0.6,
            zorder=4,
            gid="bubbles",
        )
        lat0 = float(np.nanmean(lat))
        k = math.cos(math.radians(lat0))
        succ_labels: list[tuple[float, float, str]] = []
        if successors and "successor_code" in merged.columns:
            for code, grp in merged.groupby("successor_code", sort=True):
                ring = _padded_hull(
                    grp["lon"].to_numpy(float), grp["lat"].to_numpy(float), k, radius=0.016
                )
                ax.add_patch(
                    Polygon(
                        ring,
                        closed=True,
                        fill=False,
                        ls=(0, (4, 2)),
                        lw=1.0,
                        edgecolor="#555555",
                        zorder=2,
                        gid=f"successor_{code}",
                    )
                )
                sname = (
                    grp["successor_name_vi"].iloc[0]
                    if "successor_name_vi" in grp.columns
                    else str(code)
                )
                top = ring[np.argmax(ring[:, 1])]
                succ_labels.append(
                    (float(top[0]), float(top[1]), unicodedata.normalize("NFC", str(sname)))
                )
        pad_x = 0.06 * (np.nanmax(lon) - np.nanmin(lon)) + 0.02
        pad_y = 0.08 * (np.nanmax(lat) - np.nanmin(lat)) + 0.02
        ax.set_xlim(np.nanmin(lon) - pad_x, np.nanmax(lon) + pad_x)
        ax.set_ylim(np.nanmin(lat) - pad_y * 1.8, np.nanmax(lat) + pad_y * 1.4)
        mappable = sc
        # size legend
        ref = [v for v in (2_000, 5_000, 10_000, 20_000, 50_000, 100_000) if v <= pmax][-3:] or [
            int(pmax)
        ]
        ref = ref if has_pop else []
        handles = [
            ax.scatter(
                [],
                [],
                s=_BUBBLE_MAX * v / pmax,
                color="white",
                edgecolor=_DARK,
                linewidth=0.6,
                label=i18n.format_number(int(v), lang),
            )
            for v in ref
        ]
        if handles:
            ax.legend(handles=handles, title=i18n.t("legend.population", lang), loc="upper center", bbox_to_anchor=(0.5, -0.1),
                      ncol=len(handles), labelspacing=1.2, handletextpad=0.6, columnspacing=1.8, borderpad=0.6)  # fmt: skip
    else:
        gj = _load_geojson(geojson)
        feats = gj.get("features")
        if not isinstance(feats, list):
            raise RenderError("geojson: expected a FeatureCollection with a 'features' list")
        all_pts = []
        matched = 0
        for i, feat in enumerate(feats):
            props = feat.get("properties") or {}
            fid = str(props.get(id_property, ""))
            rings = _feature_rings(
                feat.get("geometry") or {}, f"geojson feature {i} ({id_property}={fid!r})"
            )
            v = values.get(fid, math.nan)
            has = fid in values.index and np.isfinite(v)
            matched += has
            for ring in rings:
                all_pts.append(ring)
                if has:
                    patch = Polygon(
                        ring,
                        closed=True,
                        facecolor=cmap(norm(v)),
                        edgecolor="white",
                        lw=0.8,
                        zorder=2,
                        gid=f"unit_{fid}",
                    )
                else:
                    patch = Polygon(
                        ring,
                        closed=True,
                        facecolor="#EEEEEE",
                        edgecolor="white",
                        hatch="///",
                        lw=0.8,
                        zorder=2,
                        gid=f"unit_{fid}",
                    )
                ax.add_patch(patch)
            if label and has:
                ring = max(rings, key=len)
                ax.text(
                    ring[:, 0].mean(),
                    ring[:, 1].mean(),
                    _name(fid, names),
                    ha="center",
                    va="center",
                    fontsize=mpl.rcParams["font.size"] - 2,
                    color=_DARK,
                    zorder=3,
                    gid="label",
                )
        if matched == 0:
            keys = sorted({k for f in feats for k in (f.get("properties") or {})})
            raise ParameterError(
                f"geojson: no feature's property {id_property!r} matches a unit_code of the gap table; "
                f"feature properties are {keys}; pass id_property=<the property holding the unit code>"
            )
        pts = np.vstack(all_pts)
        lat0 = float(np.mean([pts[:, 1].min(), pts[:, 1].max()]))
        dx, dy = np.ptp(pts[:, 0]), np.ptp(pts[:, 1])
        ax.set_xlim(pts[:, 0].min() - 0.04 * dx, pts[:, 0].max() + 0.04 * dx)
        ax.set_ylim(pts[:, 1].min() - 0.1 * dy, pts[:, 1].max() + 0.04 * dy)
        mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        if any(
            str((f.get("properties") or {}).get(id_property, "")) not in values.index for f in feats
        ):
            ax.legend(
                handles=[
                    Patch(
                        facecolor="#EEEEEE",
                        hatch="///",
                        edgecolor="#999999",
                        label=i18n.t("legend.no_data", lang),
                    )
                ],
                loc="upper center",
                bbox_to_anchor=(0.5, -0.1),
            )
    ax.set_aspect(1.0 / math.cos(math.radians(lat0)))
    ax.grid(True, color="#EEEEEE")
    deg = FuncFormatter(lambda v, _p: i18n.format_number(float(v), lang, 2) + "°")
    ax.xaxis.set_major_formatter(deg)
    ax.yaxis.set_major_formatter(deg)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel(i18n.t("axis.lon", lang))
    ax.set_ylabel(i18n.t("axis.lat", lang))
    _draw_scale_bar(ax, lat0, lang)
    cbar = ax.figure.colorbar(mappable, ax=ax, shrink=0.7, pad=0.02)
    cbar.set_label(i18n.t(f"gap.{gap}", lang, default=gap))
    cbar.ax.yaxis.set_major_formatter(_number_formatter(lang, 2))
    cbar.outline.set_visible(False)
    title = i18n.t("title.map", lang)
    if period:
        title += f" · {i18n.format_period(period, lang)}"
    ax.set_title(title)
    if geojson is None:
        # every bubble is an obstacle; its name is written only when label=True
        texts = [_name(c, names) if label else "" for c in merged["unit_code"]]
        lx, ly = list(lon), list(lat)
        radii = list(np.sqrt(sizes) / 2 + 0.5)
        styles: list[dict[str, Any]] = [{} for _ in texts]
        for sx, sy, sname in succ_labels:
            texts.append(sname)
            lx.append(sx)
            ly.append(sy)
            radii.append(0.0)
            styles.append(
                {
                    "fontsize": mpl.rcParams["font.size"] - 0.5,
                    "style": "italic",
                    "fontweight": "bold",
                    "color": "#555555",
                    "gid": "successor_label",
                }
            )
        for artist in _place_labels(ax, lx, ly, texts, fontsize=7, radii=radii, styles=styles):
            if not artist.get_text():
                artist.remove()
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


# --------------------------------------------------------------------------------------------
# synthetic example tables (gallery and tests)
# --------------------------------------------------------------------------------------------


def _halfyears(n: int, start: int = 2022) -> list[str]:
    return [f"{start + k // 2}H{k % 2 + 1}" for k in range(n)]


def example_data(
    seed: int = config.DEFAULT_SEED, *, n_periods: int = 7, n_draws: int = 400
) -> dict[str, pd.DataFrame]:
    """Fabricate SYNTHETIC tables in the HELPERS.md contracts, for the gallery and tests.

    The units are the real 18 Đại Lộc communes (``data/raw/units``); every value derived from
    them here is invented (seeded) and every table carries ``status="synthetic"``. Not a
    substitute for ``analysis.demo``, ``analysis.gaps`` or ``analysis.robustness``.

    Args:
        seed: random seed.
        n_periods: number of half-years from 2022H1.
        n_draws: Monte Carlo draws of the fabricated rank statistics.

    Returns:
        ``{"units", "units_2025", "framework", "observations", "scores", "pillars", "gaps",
        "rank_stats", "sensitivity"}`` (``framework`` is the :class:`Framework` object).
    """
    from .frameworks import load_framework

    rng = np.random.default_rng(seed)
    units = pd.read_csv(
        config.UNITS_CSV, dtype={"unit_code": str, "parent_code": str, "successor_code": str}
    )
    for col in units.select_dtypes(include=["object", "string"]).columns:
        units[col] = units[col].map(
            lambda s: unicodedata.normalize("NFC", s) if isinstance(s, str) else s
        )
    units_2025_path = config.RAW / "units" / "dai_loc_units_2025.csv"
    units_2025 = (
        pd.read_csv(units_2025_path, dtype={"unit_code": str, "parent_code": str})
        if units_2025_path.exists()
        else pd.DataFrame()
    )
    fw = load_framework()
    ind = fw.indicators.reset_index(drop=True)
    codes = units["unit_code"].tolist()
    periods = _halfyears(n_periods)
    n_u, n_p, n_i = len(codes), len(periods), len(ind)
    # commune profile: bigger, closer to the town (Ái Nghĩa) -> more digital
    pop = units["population"].to_numpy(float)
    z_pop = (np.log(pop) - np.log(pop).mean()) / np.log(pop).std()
    d = np.hypot(units["lon"] - units["lon"].iloc[0], units["lat"] - units["lat"].iloc[0]).to_numpy(
        float
    )
    z_near = -(d - d.mean()) / d.std()
    urban = 0.5 * z_pop + 0.5 * z_near
    base = {
        "government": 0.66 + 0.04 * urban + rng.normal(0, 0.04, n_u),
        "economy": 0.38 + 0.09 * urban + rng.normal(0, 0.06, n_u),
        "society": 0.46 + 0.07 * urban + rng.normal(0, 0.05, n_u),
    }
    slope = {"government": 0.022, "economy": 0.016, "society": 0.019}
    ind_effect = rng.normal(0, 0.08, n_i)
    pillar_idx = ind["pillar"].to_numpy()
    t = np.arange(n_p)
    level = np.stack(
        [base[p][:, None] + slope[p] * t[None, :] for p in pillar_idx], axis=-1
    )  # (U, P, I)
    norm = np.clip(
        level + ind_effect[None, None, :] + rng.normal(0, 0.05, (n_u, n_p, n_i)), 0.02, 0.98
    )
    lo = ind["goalpost_lo"].to_numpy(float)
    hi = ind["goalpost_hi"].to_numpy(float)
    raw = lo + norm * (hi - lo)
    uu, pp, ii = np.meshgrid(np.arange(n_u), np.arange(n_p), np.arange(n_i), indexing="ij")
    observations = pd.DataFrame(
        {
            "unit_code": pd.array(np.asarray(codes)[uu.ravel()], dtype="str"),
            "period": pd.array(np.asarray(periods)[pp.ravel()], dtype="str"),
            "indicator": pd.array(ind["id"].to_numpy()[ii.ravel()], dtype="str"),
            "value": np.round(raw.ravel(), 2),
            "status": "synthetic",
            "source": "analysis.plots.example_data (synthetic)",
        }
    )
    ind_scores = observations[["unit_code", "period", "indicator"]].rename(
        columns={"indicator": "name"}
    )
    ind_scores = ind_scores.assign(level="indicator", value=norm.ravel(), status="synthetic")
    pil_vals = {p: norm[:, :, pillar_idx == p].mean(axis=-1) for p in _PILLARS}  # (U, P)
    index_vals = np.mean([pil_vals[p] for p in _PILLARS], axis=0)
    up_codes = np.repeat(np.asarray(codes), n_p)
    up_periods = np.tile(np.asarray(periods), n_u)
    pillars = pd.DataFrame(
        {
            "unit_code": pd.array(up_codes, dtype="str"),
            "period": pd.array(up_periods, dtype="str"),
            **{p: pil_vals[p].ravel() for p in _PILLARS},
            "index": index_vals.ravel(),
            "status": "synthetic",
        }
    )
    long_p = pillars.melt(
        id_vars=["unit_code", "period", "status"], value_vars=[*_PILLARS, "index"], var_name="name"
    )
    long_p["level"] = np.where(long_p["name"] == "index", "index", "pillar")
    scores = pd.concat([ind_scores, long_p], ignore_index=True)[
        ["unit_code", "period", "level", "name", "value", "status"]
    ]

    # gaps with bootstrap CIs over indicators within each pillar
    flat = norm.reshape(n_u * n_p, n_i)
    B = 300
    boot = {}
    for p in _PILLARS:
        cols = np.flatnonzero(pillar_idx == p)
        pick = cols[rng.integers(0, len(cols), (B, len(cols)))]  # (B, n_p)
        boot[p] = flat[:, pick].mean(axis=-1)  # (UP, B)
    g = pillars.copy()
    gE, gS = boot["government"] - boot["economy"], boot["government"] - boot["society"]
    gM = boot["government"] - (boot["economy"] + boot["society"]) / 2
    g["gap_econ"] = g["government"] - g["economy"]
    g["gap_soc"] = g["government"] - g["society"]
    g["gap_mean"] = g["government"] - (g["economy"] + g["society"]) / 2
    for name, arr in (("gap_econ", gE), ("gap_soc", gS), ("gap_mean", gM)):
        g[f"{name}_lo"] = np.quantile(arr, 0.05, axis=1)
        g[f"{name}_hi"] = np.quantile(arr, 0.95, axis=1)
    g["ratio_econ"] = g["government"] / g["economy"]
    g["ratio_soc"] = g["government"] / g["society"]
    by_p = g.groupby("period")
    for src, dst in (("gap_econ", "z_econ"), ("gap_soc", "z_soc"), ("gap_mean", "z_mean")):
        g[dst] = (g[src] - by_p[src].transform("mean")) / by_p[src].transform("std")
    for src, dst in (
        ("government", "rank_government"),
        ("economy", "rank_economy"),
        ("society", "rank_society"),
        ("gap_mean", "rank_gap_mean"),
    ):
        g[dst] = by_p[src].rank(ascending=False, method="min").astype(int)
    level_mean = g[list(_PILLARS)].mean(axis=1)
    level_med = pd.Series(
        0.5, index=g.index
    )  # the thresholds of analysis.gaps: delta 0.10, high 0.50
    thr = 0.10
    g["typology"] = np.select(
        [g["gap_mean"] >= thr, g["gap_mean"] <= -thr, level_mean >= level_med],
        ["government_led", "economy_society_led", "balanced_high"],
        default="balanced_low",
    )
    boot_level = (boot["government"] + boot["economy"] + boot["society"]) / 3
    boot_cls = np.where(
        gM >= thr,
        0,
        np.where(gM <= -thr, 3, np.where(boot_level >= level_med.to_numpy()[:, None], 1, 2)),
    )
    cls_code = (
        g["typology"]
        .map({"government_led": 0, "balanced_high": 1, "balanced_low": 2, "economy_society_led": 3})
        .to_numpy()
    )
    g["typology_stability"] = (boot_cls == cls_code[:, None]).mean(axis=1)
    g["status"] = "synthetic"
    gaps = g[[
        "unit_code", "period", "government", "economy", "society", "gap_econ", "gap_econ_lo", "gap_econ_hi",
        "gap_soc", "gap_soc_lo", "gap_soc_hi", "gap_mean", "gap_mean_lo", "gap_mean_hi", "ratio_econ", "ratio_soc",
        "z_econ", "z_soc", "z_mean", "rank_government", "rank_economy", "rank_society", "rank_gap_mean",
        "typology", "typology_stability", "status",
    ]].reset_index(drop=True)  # fmt: skip

    # rank stats: perturbed weights, arithmetic/geometric aggregation, leave-one-indicator-out noise
    last = np.stack([pil_vals[p][:, -1] for p in _PILLARS], axis=1)  # (U, 3)
    nominal = pd.Series(last.mean(axis=1)).rank(ascending=False, method="min").to_numpy(int)
    w = rng.uniform(0.75, 1.25, (n_draws, 3))
    w /= w.sum(axis=1, keepdims=True)
    arith = last @ w.T  # (U, D)
    geo = np.exp(np.log(np.clip(last, 1e-6, None)) @ w.T)
    use_geo = rng.random(n_draws) < 0.5
    draws = np.where(use_geo[None, :], geo, arith) + rng.normal(0, 0.015, (n_u, n_draws))
    ranks = pd.DataFrame(draws).rank(ascending=False, method="min").to_numpy()
    k_top = 3
    rank_stats = pd.DataFrame(
        {
            "unit_code": pd.array(codes, dtype="str"),
            "nominal": nominal,
            "mean": ranks.mean(axis=1),
            "median": np.median(ranks, axis=1),
            "q05": np.quantile(ranks, 0.05, axis=1),
            "q95": np.quantile(ranks, 0.95, axis=1),
            "mean_abs_shift": np.abs(ranks - nominal[:, None]).mean(axis=1),
            "p_top_k": (ranks <= k_top).mean(axis=1),
            "p_bottom_k": (ranks > n_u - k_top).mean(axis=1),
            "status": "synthetic",
        }
    )
    choices = ["weights", "aggregation", "normalisation", "imputation", "outliers"]
    si = np.array([0.34, 0.21, 0.12, 0.04, 0.015])
    sti = si + np.array([0.12, 0.10, 0.07, 0.03, 0.01])
    half = rng.uniform(0.02, 0.06, (2, len(choices)))
    sensitivity = pd.DataFrame(
        {
            "choice": choices,
            "target": "mean_abs_shift",
            "Si": si,
            "Si_lo": np.clip(si - half[0], 0, None),
            "Si_hi": si + half[0],
            "STi": sti,
            "STi_lo": np.clip(sti - half[1], 0, None),
            "STi_hi": sti + half[1],
            "status": "synthetic",
        }
    )
    return {
        "units": units,
        "units_2025": units_2025,
        "framework": fw,
        "observations": observations,
        "scores": scores,
        "pillars": pillars,
        "gaps": gaps,
        "rank_stats": rank_stats,
        "sensitivity": sensitivity,
    }


def figure_indicator_distributions(
    observations: pd.DataFrame,
    *,
    framework: Any | None = None,
    period: str | None = None,
    indicator_labels: Mapping[str, str] | None = None,
    lang: str = "vi",
    status: str | None = None,
) -> Figure:
    """Distribution of every indicator across communes, one panel per pillar.

    Raw values are put on the 0–1 scale of the framework's goalposts (reversed for direction
    −1), so indicators with different units share one axis; count indicators are shown as
    given (not denominated), also scaled by their goalposts. Each box shows the median and
    quartiles across communes and periods (or one ``period``), whiskers 1.5 IQR, points beyond.

    Args:
        observations: observations contract (``unit_code, period, indicator, value``).
        framework: indicator framework (default: the commune framework).
        period: one period, or None for all periods pooled.
        indicator_labels, lang, status: as in :func:`plot_pillar_heatmap`.

    Returns:
        The figure (one Axes per pillar; each box's ``gid`` is ``box:<indicator>``).
    """
    _check_lang(lang)
    _require(observations, ["indicator", "value"], "observations")
    data = (
        observations if period is None else _select_period(observations, period, "observations")[0]
    )
    fw = framework if framework is not None else _default_framework(data["indicator"].unique())
    if fw is None:
        raise ParameterError(
            "figure_indicator_distributions needs a framework for goalposts; pass framework="
        )
    meta = fw.indicators.set_index("id")
    d = data.loc[data["indicator"].isin(meta.index)].copy()
    lo, hi = d["indicator"].map(meta["goalpost_lo"]), d["indicator"].map(meta["goalpost_hi"])
    sign = d["indicator"].map(meta["direction"])
    d["scaled"] = np.where(sign > 0, (d["value"] - lo) / (hi - lo), (hi - d["value"]) / (hi - lo))
    pillars = [p for p in fw.pillar_ids if p in set(meta.loc[d["indicator"].unique(), "pillar"])]
    counts = [
        int((meta.loc[meta.index.isin(d["indicator"].unique()), "pillar"] == p).sum())
        for p in pillars
    ]
    fig, axes = plt.subplots(
        len(pillars),
        1,
        figsize=(8.5, 1.0 + 0.38 * sum(counts)),
        layout="constrained",
        gridspec_kw={"height_ratios": counts},
        squeeze=False,
    )
    for ax, pillar in zip(axes[:, 0], pillars, strict=True):
        ids = [
            i
            for i in fw.indicator_ids
            if meta.at[i, "pillar"] == pillar and i in set(d["indicator"])
        ]
        values = [d.loc[d["indicator"] == i, "scaled"].dropna().to_numpy() for i in ids]
        color = PILLAR_COLORS.get(pillar, _NEUTRAL)
        bp = ax.boxplot(
            values,
            orientation="horizontal",
            widths=0.6,
            patch_artist=True,
            medianprops={"color": _DARK},
            flierprops={"markersize": 3, "markeredgecolor": color},
        )
        for box, ind in zip(bp["boxes"], ids, strict=True):
            box.set_facecolor(_tint(color, 0.55))
            box.set_edgecolor(color)
            box.set_gid(f"box:{ind}")
        ax.set_yticks(
            range(1, len(ids) + 1),
            [_indicator_label(i, fw, lang, 48, indicator_labels) for i in ids],
        )
        ax.invert_yaxis()
        ax.set_xlim(-0.02, 1.02)
        ax.xaxis.set_major_formatter(_number_formatter(lang, 1))
        ax.set_title(i18n.t(f"pillar.{pillar}", lang), loc="left", color=color, fontsize="medium")
    axes[-1, 0].set_xlabel(i18n.t("axis.normalised", lang, default="0–1 (goalposts)"))
    if is_synthetic(status, data):
        _add_watermark(fig)
    return fig
