"""What a notebook shows: figures inline (and saved), tables in the reader's language, files by
their place in the edition folder.

The notebooks call these (re-exported by :mod:`analysis.workflow`) instead of leaving a
DataFrame or a list of paths as a cell's result, so that JupyterLab and the HTML copies of a run
(:func:`analysis.runner.execute.render_html`) show what was computed:

* **figures**: :func:`show_figure` saves a figure (PNG 300 dpi and SVG, :func:`plots.save_figure`)
  and shows the saved PNG, halved to 150 dpi and reduced to 256 colours (:func:`inline_png`): no
  second drawing, the same pixels as the file, sharp on high-density screens, about 50 kB; the
  figure's title is its alternative text, and a caption names the files written;
* **tables**: :func:`style_table` / :func:`show_table` show one of the :data:`VIEWS` of a table:
  the columns a reader needs, headers from the ``table.*`` strings of :mod:`analysis.i18n`,
  numbers, intervals, p-values and periods through its ``format_*`` functions, unit names beside
  their codes, no pandas index, every row; the caption names the full table saved beside it;
* **paths** relative to the edition folder (:func:`shown_path`), never a machine's absolute path.
"""

from __future__ import annotations

import functools
import html
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import config
from .i18n import (
    POINTS,
    format_interval,
    format_level,
    format_number,
    format_p,
    format_pct,
    format_period,
    format_points,
    t,
)
from .io import nfc
from .status import table_status

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

    from .frameworks import Framework

__all__ = [
    "DISPLAY_DPI",
    "VIEWS",
    "Column",
    "figure_title",
    "inline_png",
    "shown_path",
    "show_figure",
    "show_files",
    "show_image",
    "show_table",
    "style_table",
]

#: pixels per inch of a figure shown inline (the 300-dpi file halved)
DISPLAY_DPI = 150
#: CSS pixels per inch of a figure shown inline: 1.5 image pixels per CSS pixel
_CSS_DPI = 100
#: resolution assumed for a PNG that does not record one (save_figure writes 300)
_SOURCE_DPI = 300


# =========================================================================== paths
def shown_path(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> str:
    """``path`` as a reader sees it: relative to ``root`` (the edition folder), ``/``-separated;
    a path outside ``root`` (or without one) shows its file name only, never a machine path.

    >>> shown_path("/srv/reports/dai_loc/figures/20527__profile_vi.png", "/srv/reports/dai_loc")
    'figures/20527__profile_vi.png'
    >>> shown_path("/home/someone/elsewhere/x.csv", "/srv/reports/dai_loc"), shown_path("/a/b.pdf")
    ('x.csv', 'b.pdf')
    """
    p = Path(os.path.abspath(path))
    if root is not None:
        try:
            return p.relative_to(Path(os.path.abspath(root))).as_posix()
        except ValueError:
            pass
    return p.name


def safe_markdown(text: str) -> str:
    """Markdown whose text came (partly) from data, made inert for the notebook and its HTML copy:
    ``&`` and ``<`` are written as entities, so a unit name like ``<img onerror=...>`` shows as
    typed and never becomes a tag (Markdown passes raw HTML through). ``>`` is kept: alone it
    opens no tag, and at a line start it is Markdown's quote.

    >>> safe_markdown("Xã <img src=x onerror=alert(1)> & p < 0,001")
    'Xã &lt;img src=x onerror=alert(1)> &amp; p &lt; 0,001'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def show_text(text: str) -> None:
    """Show a generated paragraph (Markdown) in the notebook, with data made inert
    (:func:`safe_markdown`)."""
    from IPython.display import Markdown, display

    display(Markdown(safe_markdown(text)))


def _files_text(paths: Iterable[str | os.PathLike[str]], root) -> str:
    return ", ".join(f"`{shown_path(p, root)}`" for p in paths)


def show_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    lang: str = "vi",
    root: str | os.PathLike[str] | None = None,
) -> None:
    """Show the files a cell wrote (briefs, figures) by their path in the edition folder."""
    paths = list(paths)
    if paths:
        show_text(t("table_note.written", lang, files=_files_text(paths, root)))


# =========================================================================== figures
def figure_title(fig: Figure) -> str:
    """The title of a figure (its suptitle, else the first axes title), on one line; ``""``
    without one. Used as the alternative text of the image shown inline."""
    titles = [fig.get_suptitle()] + [
        ax.get_title(loc) for ax in fig.axes for loc in ("center", "left", "right")
    ]
    return next((" ".join(s.split()) for s in titles if s and s.strip()), "")


def inline_png(path: str | os.PathLike[str], *, dpi: int = DISPLAY_DPI) -> tuple[bytes, int]:
    """The saved PNG at ``path`` made light enough to show inline: reduced to about ``dpi``
    pixels per inch by averaging whole blocks of pixels (no redraw, no resampling artefacts)
    and to 256 colours.

    Returns:
        The PNG bytes and the width, in CSS pixels (100 per inch), to show it at.
    """
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        source = float(im.info.get("dpi", (_SOURCE_DPI,))[0]) or _SOURCE_DPI
        factor = max(1, round(source / dpi))
        small = (im if im.mode in ("RGB", "RGBA") else im.convert("RGBA")).reduce(factor)
    buf = io.BytesIO()
    # zlib level 3, as save_figure: 2.5x faster than the default for 20% more bytes
    small.quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, format="png", compress_level=3)
    return buf.getvalue(), round(small.width * _CSS_DPI * factor / source)


def show_image(
    png: str | os.PathLike[str],
    *,
    alt: str = "",
    saved: Iterable[str | os.PathLike[str]] = (),
    lang: str = "vi",
    root: str | os.PathLike[str] | None = None,
) -> None:
    """Show a saved PNG inline (:func:`inline_png`), ``alt`` as its alternative text, then a
    caption naming the ``saved`` files relative to ``root``."""
    from IPython.display import Image, display

    data, width = inline_png(png)
    meta = {"needs_background": "light"}  # dark themes put the white figure on a light card
    display(Image(data=data, format="png", width=width, alt=alt or None, metadata=meta))
    saved = list(saved)
    if saved:
        show_text(t("table_note.figure_saved", lang, files=_files_text(saved, root)))


def show_figure(
    fig: Figure,
    path: str | os.PathLike[str],
    *,
    lang: str = "vi",
    root: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = ("png",),
) -> None:
    """Save ``fig`` as ``path``.png and the other ``formats`` asked for (``svg``, ``pdf``;
    :func:`analysis.plots.save_figure`), show it inline with a caption naming the files (relative
    to ``root``), and close it (so that the inline backend does not show it a second time).
    Returns nothing: a cell's result is no machine path."""
    import matplotlib.pyplot as plt

    from .plots import save_figure

    paths = save_figure(fig, path, formats=["png", *(f for f in formats if f != "png")])
    png = next(p for p in paths if p.suffix == ".png")
    show_image(png, alt=figure_title(fig), saved=paths, lang=lang, root=root)
    plt.close(fig)


# =========================================================================== tables
@dataclass(frozen=True)
class Column:
    """One column of a table view.

    Attributes:
        header: i18n id of the header (``pillar.*`` headers use the framework's pillar names).
        kind: how the values are written, a key of :data:`_FORMATS`.
        sources: the columns read, as alternatives: the first whose columns are all present is
            used (one column, ``(lo, hi)`` for an interval, ``(value, lo, hi)`` for an estimate
            with its interval); a view column with no present source is left out.
        digits: decimals of numbers.
    """

    header: str
    kind: str
    sources: tuple[tuple[str, ...], ...]
    digits: int = 2

    def source(self, columns: Iterable[str]) -> tuple[str, ...] | None:
        have = set(columns)
        return next((s for s in self.sources if set(s) <= have), None)


@dataclass(frozen=True)
class View:
    """The columns of a table a reader needs, and the note its caption carries."""

    columns: tuple[Column, ...]
    sort: tuple[str, ...] = ()  #: sort by these columns (a leading ``-``: descending)
    note: str = ""  #: i18n id of the caption's note about brackets (with ``{level}``)


def _c(header: str, kind: str, *sources: str | tuple[str, ...], digits: int = 2) -> Column:
    return Column(header, kind, tuple((s,) if isinstance(s, str) else s for s in sources), digits)


def _gap(gap: str, header: str) -> Column:
    """A gap with its indicator-selection interval (``g_sel_lo/hi``), or alone without one."""
    return _c(header, "points_estimate", (gap, f"{gap}_sel_lo", f"{gap}_sel_hi"), gap, digits=0)


_UNIT = (_c("table.code", "code", "unit_code"), _c("table.unit", "unit", "unit_code"))
_PILLARS = tuple(_c(f"pillar.{p}", "points", p, digits=0) for p in config.PILLARS)
_GAPS = (
    _gap("gap_econ", "gap_short.gap_econ"),
    _gap("gap_soc", "gap_short.gap_soc"),
    _gap("gap_mean", "table.gap_mean"),
    _c("table.typology", "typology", "typology"),
)
_SELECTION = "table_note.selection_interval"

#: table views by name: what each notebook table shows
VIEWS: dict[str, View] = {
    "coverage_by_period": View(
        (
            _c("table.period", "period", "period"),
            _c("table.n_expected", "int", "n_expected"),
            _c("table.n_present", "int", "n_present"),
            _c("table.coverage_pct", "pct", "coverage_pct", digits=1),
        )
    ),
    "pillar_scores": View((*_UNIT, *_PILLARS, _c("pillar.index", "points", "index", digits=0))),
    "cronbach": View(
        (
            _c("table.group", "pillar", "group"),
            _c("table.k", "int", "k"),
            _c("table.n_complete", "int", "n_complete"),
            _c("table.alpha", "num", "alpha"),
        )
    ),
    "gaps": View(
        (
            *_UNIT,
            *_PILLARS,
            *_GAPS[:3],
            # how often the mean gap stays positive across simulated method choices
            _c("table.share_positive", "share", "gap_mean_share_positive", digits=0),
            _GAPS[3],
        ),
        sort=("-gap_mean",),
        note=_SELECTION,
    ),
    "commune_gaps": View(
        (_c("table.period", "period", "period"), *_PILLARS, *_GAPS), note=_SELECTION
    ),
    "tests": View(
        (
            _c("table.comparison", "comparison", "comparison"),
            _c("table.n", "int", "n"),
            _c("table.n_greater", "int", "n_greater"),
            _c("table.median_diff", "points", "median_diff", digits=0),
            _c("table.p_value", "p", "p_value"),
            _c("table.p_holm", "p", "p_holm"),
            _c(
                "table.rank_biserial",
                "estimate",
                ("rank_biserial", "rank_biserial_lo", "rank_biserial_hi"),
            ),
        ),
        note="table_note.bootstrap_interval",
    ),
    "brief_failures": View(
        (
            *_UNIT,
            _c("table.language", "text", "lang"),
            _c("table.error", "text", "error"),
        )
    ),
    "weakest": View(
        (
            _c("table.order", "int", "rank"),
            _c("axis.indicator", "indicator", "indicator"),
            _c("table.pillar", "pillar", "pillar"),
            _c("table.value_normalised", "points", "value", digits=0),
            _c("legend.district_median", "points", "district_value", digits=0),
            _c("table.shortfall", "points", "shortfall", digits=0),
        )
    ),
    "targets": View(
        (
            _c("axis.indicator", "indicator", "indicator"),
            _c("table.value", "num", "value", digits=1),
            _c("table.target", "num", "target", digits=1),
            _c("table.target_year", "code", "target_year"),
            _c("table.distance", "num", "distance", digits=1),
            _c("table.is_met", "bool", "is_met"),
        ),
        sort=("target_year", "distance"),
    ),
    "rank_stats": View(
        (
            *_UNIT,
            _c("legend.nominal_rank", "int", "nominal"),
            _c("legend.median_rank", "num", "median", digits=1),
            _c("legend.rank_interval", "interval", ("q05", "q95"), digits=0),
            _c("table.mean_abs_shift", "num", "mean_abs_shift"),
        ),
        sort=("nominal",),
    ),
    "constituents": View(
        (
            _c("table.new_unit", "text", "new_name"),
            _c("table.old_unit", "text", "old_name"),
            _c("legend.population", "int", "population"),
            _c("table.households", "int", "households"),
            _c("table.weight_population", "share", "weight_population", digits=1),
            _c("table.weight_households", "share", "weight_households", digits=1),
        )
    ),
}


@dataclass
class _Context:
    lang: str
    names: Mapping[str, str] = field(default_factory=dict)
    pillars: Mapping[str, str] = field(default_factory=dict)
    framework: Framework | None = None


def _num(v: Any, c: _Context, digits: int) -> str:
    return format_number(v, c.lang, digits)


def _int(v: Any, c: _Context, digits: int) -> str:
    return format_number(v if pd.isna(v) else int(v), c.lang, 0)


def _points(v: Any, c: _Context, digits: int) -> str:
    """A score or gap of the 0-1 scale in points of the 0-100 scale, as the text and the briefs
    write it (``0.47`` -> ``47``)."""
    return format_points(None if pd.isna(v) else v, c.lang, digits)


def _points_estimate(row: tuple, c: _Context, digits: int) -> str:
    return _estimate(tuple(None if pd.isna(x) else POINTS * x for x in row), c, digits)


def _estimate(row: tuple, c: _Context, digits: int) -> str:
    value = format_number(row[0], c.lang, digits)
    if len(row) < 3 or pd.isna(row[1]) or pd.isna(row[2]):
        return value
    return f"{value} ({format_interval(row[1], row[2], c.lang, digits)})"


def _pillar(v: Any, c: _Context, digits: int) -> str:
    return c.pillars.get(str(v)) or t(f"pillar.{v}", c.lang, default=str(v))


def _indicator(v: Any, c: _Context, digits: int) -> str:
    fw = c.framework
    if fw is not None and str(v) in set(fw.indicators["id"]):
        return nfc(fw.name(str(v), c.lang))
    return str(v)


def _comparison(v: Any, c: _Context, digits: int) -> str:
    a, _, b = str(v).partition("_vs_")
    if not b:
        return str(v)
    return " − ".join(t(f"pillar_short.{p}", c.lang, default=p) for p in (a, b))


#: how each kind of column is written: (value or tuple of values, context, digits) -> text
_FORMATS: dict[str, Callable[[Any, _Context, int], str]] = {
    "text": lambda v, c, d: "" if pd.isna(v) else nfc(str(v)),
    "code": lambda v, c, d: "" if pd.isna(v) else str(v),
    "unit": lambda v, c, d: c.names.get(str(v), str(v)),
    "period": lambda v, c, d: format_period(str(v), c.lang),
    "int": _int,
    "num": _num,
    "pct": lambda v, c, d: format_pct(v, c.lang, d),
    "share": lambda v, c, d: format_pct(v, c.lang, d, from_fraction=True),
    "p": lambda v, c, d: format_p(v, c.lang),
    "estimate": _estimate,
    "points": _points,
    "points_estimate": _points_estimate,
    "interval": lambda v, c, d: format_interval(v[0], v[1], c.lang, d),
    "bool": lambda v, c, d: t("table_note.yes" if v is True or v == 1 else "table_note.no", c.lang),
    "pillar": _pillar,
    "indicator": _indicator,
    "typology": lambda v, c, d: t(f"typology.{v}", c.lang, default=str(v)),
    "comparison": _comparison,
}
#: kinds whose values are tuples of the source columns (an estimate with its interval, ...)
_TUPLES = {"estimate", "points_estimate", "interval"}
_TEXT_KINDS = {
    "text",
    "code",
    "unit",
    "period",
    "pillar",
    "indicator",
    "typology",
    "comparison",
    "bool",
}


def _header(col: Column, c: _Context) -> str:
    group, _, key = col.header.partition(".")
    if group == "pillar" and key in c.pillars:
        return c.pillars[key]
    return t(col.header, c.lang)


def _context(lang: str, units: pd.DataFrame | None, framework: Framework | None) -> _Context:
    names = {}
    if units is not None and {"unit_code", "name_vi"} <= set(units.columns):
        names = {
            str(k): nfc(str(v)) for k, v in zip(units["unit_code"], units["name_vi"], strict=True)
        }
    pillars = {}
    if framework is not None:
        pillars = {
            str(p["id"]): nfc(str(p[f"name_{lang}"])) for _, p in framework.pillars.iterrows()
        }
    return _Context(lang, names, pillars, framework)


def _caption(
    df: pd.DataFrame, view: View, c: _Context, *, period, points: bool, level: float, saved, root
) -> str:
    """The caption (HTML; the fixed strings are trusted, what comes from data is escaped):
    data status, period, what brackets hold, where the full table is."""
    esc, lang = html.escape, c.lang
    parts = []
    if "status" in df.columns and len(df) and table_status(df) == "synthetic":
        parts.append(t("misc.status_synthetic", lang))
    if period is not None:
        parts.append(t("table_note.period", lang, period=esc(format_period(str(period), lang))))
    if points:
        parts.append(t("table_note.points", lang))
    if view.note:
        parts.append(t(view.note, lang, level=format_level(level, lang)))
    if saved is not None:
        code = f"<code>{esc(shown_path(saved, root))}</code>"
        parts.append(t("table_note.saved", lang, path=code))
    return " · ".join(parts)


def _rows(df: pd.DataFrame, view: View, period) -> pd.DataFrame:
    if period is not None and "period" in df.columns:
        df = df[df["period"].astype(str) == str(period)]
    keys = [(k.lstrip("-"), not k.startswith("-")) for k in view.sort]
    keys = [(k, up) for k, up in keys if k in df.columns]
    if keys:
        by, ascending = zip(*keys, strict=True)
        df = df.sort_values(list(by), ascending=list(ascending), kind="stable")
    return df


#: rows a notebook table shows in full; a longer one shows both ends (the CSV has every row)
MAX_ROWS = 60


def style_table(
    df: pd.DataFrame,
    view: str,
    *,
    lang: str = "vi",
    units: pd.DataFrame | None = None,
    framework: Framework | None = None,
    period: str | None = None,
    level: float = config.DEFAULT_CI_LEVEL,
    saved: str | os.PathLike[str] | None = None,
    root: str | os.PathLike[str] | None = None,
) -> Styler:
    """One of the :data:`VIEWS` of ``df`` as a styled table in ``lang``.

    Args:
        df: the table (as computed or saved: the view picks its columns).
        view: a key of :data:`VIEWS`.
        units: the units table, for unit names beside codes.
        framework: for indicator and pillar names.
        period: show only the rows of this period (None: every row).
        level: level of the intervals the caption names.
        saved: where the full table was saved; the caption names it relative to ``root``.

    Every row is shown up to ``MAX_ROWS``; a longer table (3,321 communes) shows the first and
    the last ``MAX_ROWS / 2`` rows of its order and counts the others between them. Values are
    text written by :mod:`analysis.i18n` (HTML-escaped); the
    caption says whether the data are synthetic, which period, what brackets hold, and where
    the full table is.
    """
    if view not in VIEWS:
        from .errors import ParameterError

        raise ParameterError(f"unknown table view {view!r}; known views: {', '.join(VIEWS)}")
    spec, c = VIEWS[view], _context(lang, units, framework)
    rows = _rows(df, spec, period)
    shown: dict[str, list[str]] = {}
    right: list[str] = []
    for col in spec.columns:
        src = col.source(rows.columns)
        if src is None:
            continue
        write = _FORMATS[col.kind]
        values = zip(*(rows[s] for s in src), strict=True) if col.kind in _TUPLES else rows[src[0]]
        header = _header(col, c)
        shown[header] = [write(v, c, col.digits) for v in values]
        if col.kind not in _TEXT_KINDS:
            right.append(header)
    table = pd.DataFrame(shown, index=pd.RangeIndex(len(rows)))
    if len(table) > MAX_ROWS:  # a province, the country: both ends of the order, and a count
        k = MAX_ROWS // 2
        gap = {h: "" for h in table.columns}
        gap[table.columns[0]] = t(
            "table.more_rows", lang, n=format_number(len(table) - 2 * k, lang)
        )
        table = pd.concat([table.iloc[:k], pd.DataFrame([gap]), table.iloc[-k:]], ignore_index=True)
    points = any(col.kind.startswith("points") and col.source(rows.columns) for col in spec.columns)
    caption = _caption(
        df, spec, c, period=period, points=points, level=level, saved=saved, root=root
    )
    # numbers to the right; a header may wrap, but not into one word a line
    side = {h: "right; min-width: 5em" if h in right else "left" for h in table.columns}
    head = "padding: 0.2em 0.6em; vertical-align: bottom; text-align: "
    cell = "padding: 0.2em 0.6em; white-space: nowrap; text-align: "
    return (
        _styler_class()(table, uuid=f"dgap-{view}", caption=caption)
        .hide(axis="index")
        .format(escape="html")
        .format_index(escape="html", axis=1)
        .set_table_attributes('style="border-collapse: collapse"')
        .apply(lambda col: [cell + side[col.name]] * len(col))
        .map_index(lambda h: head + side[h], axis=1)
    )


#: a Styler's HTML with every style inline (``style="..."``) and no ``<style>`` block:
#: JupyterLab drops ``<style>`` from the outputs of a notebook it does not trust (an executed
#: notebook opened as a file) but keeps inline styles, and nbconvert's HTML copy keeps both
_INLINE_TABLE = """{%- set css = {} -%}
{%- for s in cellstyle + cellstyle_columns -%}{%- for sel in s.selectors -%}
{%- set _ = css.update({sel: s.props}) -%}
{%- endfor -%}{%- endfor -%}
{%- macro cells(row) -%}
{%- for c in row if c.is_visible != False %}
<{{c.type}} class="{{c.class}}" style="{% for p, v in css.get(c.id, []) %}{{p}}: {{v}}; {% endfor %}">{{c.display_value}}</{{c.type}}>
{%- endfor -%}
{%- endmacro -%}
<table id="T_{{uuid}}"{% if table_attributes %} {{table_attributes}}{% endif %}>
{%- if caption %}
<caption style="caption-side: bottom; text-align: left; font-size: 0.9em; padding-top: 0.4em; opacity: 0.8">{{caption}}</caption>
{%- endif %}
<thead>
{%- for r in head %}
<tr style="border-bottom: 1px solid">{{ cells(r) }}</tr>
{%- endfor %}
</thead>
<tbody>
{%- for r in body %}
<tr>{{ cells(r) }}</tr>
{%- endfor %}
</tbody>
</table>
"""


@functools.cache
def _styler_class() -> type[Styler]:
    """pandas' Styler with :data:`_INLINE_TABLE` as its HTML table template (the documented
    way: ``Styler.from_custom_template`` sets the same class attributes)."""
    import jinja2
    from pandas.io.formats.style import Styler

    templates = {"dgap_table.tpl": _INLINE_TABLE, "dgap_style.tpl": ""}
    loader = jinja2.ChoiceLoader([jinja2.DictLoader(templates), Styler.loader])
    env = jinja2.Environment(loader=loader, trim_blocks=True)

    class InlineStyler(Styler):
        template_html_table = env.get_template("dgap_table.tpl")
        template_html_style = env.get_template("dgap_style.tpl")

    return InlineStyler


def show_table(df: pd.DataFrame | None, view: str, **kwargs: Any) -> None:
    """Show :func:`style_table` ``(df, view, **kwargs)``; nothing for a table that does not apply
    (None, e.g. the post-2025 communes of units without successors)."""
    from IPython.display import display

    if df is not None:
        display(style_table(df, view, **kwargs))
