"""One figure kind drawn for many units (3,321 communes × 2 languages at national scale): the
artists and layout every unit shares are drawn once, each unit only redraws its own.

A kind that allows it is split into :class:`FigureParts`: ``static()`` draws everything that
does not depend on the unit (axes, ticks, labels, headers, legend, district medians, the
watermark) and returns the figure; ``unit(fig, code)`` draws one unit's artists into it (its
values, its name) and returns them. The public ``plot_*`` function of the kind is exactly
``static()`` then ``unit()``, so a fresh draw and a reused one run the same code.

:class:`UnitFigures` keeps one figure as a template. For each unit it removes the previous
unit's artists, draws the new ones and checks that they leave the layout as it was (every
unit artist that counts for the layout stays inside the room the shared artists take, or
keeps the exact height of the template's, e.g. a one-line title); if not, it draws that unit
afresh. The PNG is then drawn from a copy of the shared part's pixels, captured once, with only
the unit's artists drawn over it: the same pixels, hence the same bytes, as a fresh
:func:`~analysis.plots.save_figure` of a fresh figure (tested for every commune), because
a kind keeps its unit artists above every shared artist they touch. SVG and PDF are drawn in
full (vector formats cannot start from pixels), still without building a new figure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ..errors import ParameterError
from ..outputs import write_bytes
from . import _save


class FigureParts(NamedTuple):
    """A figure kind split for reuse across units (see the module docstring)."""

    #: draws what every unit shares; returns its axes (a new figure, or the ``ax`` given)
    static: Callable[[], Axes]
    #: draws one unit into those axes; returns the artists it drew or changed
    unit: Callable[[Axes, str], list[Artist]]
    #: the units it can draw
    codes: frozenset[str]


class _Layer(Artist):
    """The shared part's pixels: captured at the end of one draw (``capture``), restored at
    the start of the next ones (drawn first, below everything)."""

    def __init__(self, *, capture: bool) -> None:
        super().__init__()
        self.capture = capture
        self.region: Any = None
        self.set_in_layout(False)
        self.set_zorder(float("inf") if capture else float("-inf"))

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        if self.capture:
            self.region = renderer.copy_from_bbox(
                Bbox.from_bounds(0, 0, renderer.width, renderer.height)
            )
        elif self.region is not None:
            renderer.restore_region(self.region)


def _clear(artist: Artist) -> None:
    """Take a unit's artist out of the figure (an axes title stays: the next unit sets it)."""
    try:
        artist.remove()
    except NotImplementedError:
        artist.set_text("")


def _counts_for_layout(artist: Artist) -> bool:
    """Whether ``artist`` can change the layout or the saved box (drawn, in the layout and not
    clipped to its axes)."""
    if not (artist.get_visible() and artist.get_in_layout()):
        return False
    return not (artist.axes is not None and artist._fully_clipped_to_axes())


class UnitFigures:
    """Save one figure kind for many units from a single template (see the module docstring).

    >>> # figs = UnitFigures(plots.profile_parts(scores, lang="vi")); figs.save("20527", path)

    Args:
        parts: the kind, split by its ``*_parts`` function (e.g.
            :func:`~analysis.plots.profile_parts`).
        dpi: resolution of the PNG files.
    """

    def __init__(self, parts: FigureParts, *, dpi: int = 300) -> None:
        self.parts = parts
        self.dpi = dpi
        self._fig: Figure | None = None
        self._ax: Axes | None = None
        self._unit: list[Artist] = []
        self._shared: list[tuple[Artist, bool]] = []  # shared artists and their visibility
        self._room: dict[int, Bbox] = {}  # per axes (id): the room the shared artists take
        self._heights: list[tuple[float, float] | None] = []
        self._box: Bbox | None = None
        self._layers: tuple[_Layer, _Layer] | None = None
        self._measure: RendererAgg | None = None
        self._png: _save.PngBands | None = None  # the shared part's compressed PNG bands
        #: units drawn from the template, and afresh (the layout would have changed)
        self.reused = 0
        self.fresh = 0

    # ------------------------------------------------------------------ public
    def save(
        self, unit_code: str, path: str | os.PathLike[str], *, formats: Sequence[str] = ("png",)
    ) -> list[Path]:
        """Write ``unit_code``'s figure as ``<path>.<format>`` for each format (as
        :func:`~analysis.plots.save_figure` of a fresh figure would); returns the paths."""
        base, formats = _save._target(path, formats)
        unit_code = str(unit_code)
        if unit_code not in self.parts.codes:
            raise ParameterError(f"unit_code={unit_code!r}: not a unit this figure can draw")
        with mpl.rc_context(_save._SAVE_RC):
            if self._fig is None:
                self._start(unit_code)
            elif not self._redraw(unit_code):
                self.fresh += 1
                fig = self._draw_fresh(unit_code)
                try:
                    return _save.save_figure(fig, base, formats=formats, dpi=self.dpi)
                finally:
                    plt.close(fig)
            if self._fig is None:  # the first unit did not fit its own shared part
                self.fresh += 1
                fig = self._draw_fresh(unit_code)
                try:
                    return _save.save_figure(fig, base, formats=formats, dpi=self.dpi)
                finally:
                    plt.close(fig)
            self.reused += 1
            return self._write(base, formats)

    def close(self) -> None:
        """Close the template figure."""
        if self._fig is not None:
            plt.close(self._fig)
        self._fig = None

    def __enter__(self) -> UnitFigures:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ template
    def _draw_fresh(self, unit_code: str) -> Figure:
        ax = self.parts.static()
        self.parts.unit(ax, unit_code)
        return ax.figure

    def _start(self, unit_code: str) -> None:
        """Make the template from ``unit_code``'s figure: freeze its layout, measure the room
        of the shared artists and check that this unit's own artists fit in it."""
        self._ax = self.parts.static()
        fig = self._ax.figure
        unit = self.parts.unit(self._ax, unit_code)
        box, _engine = _save.freeze_layout(fig)
        self._fig, self._unit, self._box = fig, unit, box
        self._measure = RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)
        # the unit's extents first: measuring the axes without them moves hidden titles away
        self._heights = [self._extent(a) if _counts_for_layout(a) else None for a in unit]
        for a in unit:
            a.set_visible(False)
        self._room = {
            id(ax): ax.get_tightbbox(self._measure, for_layout_only=True) for ax in fig.axes
        }
        for a in unit:
            a.set_visible(True)
        for ax in fig.axes:  # and back where a draw puts them (matplotlib aligns the titles)
            ax.get_tightbbox(self._measure)
        self._shared = [(a, a.get_visible()) for a in self._shared_artists()]
        if not self._fits():
            self.close()
            return
        self._layers = (_Layer(capture=False), _Layer(capture=True))
        for layer in self._layers:
            fig.add_artist(layer)
        self._capture_shared()

    def _shared_artists(self) -> list[Artist]:
        """Every artist of the template that is not the unit's (nor a pixel layer), but empty
        texts: they draw nothing, and a hidden axes title would move the visible one (matplotlib
        aligns an axes' titles to the highest)."""
        fig = self._fig
        mine = {id(a) for a in self._unit}
        out: list[Artist] = []
        for child in fig.get_children():
            if child is fig.patch or isinstance(child, _Layer):
                continue
            if isinstance(child, Axes) and any(a.axes is child for a in self._unit):
                out += [c for c in child.get_children() if id(c) not in mine]
            elif id(child) not in mine:
                out.append(child)
        return [a for a in out if not (isinstance(a, Text) and not a.get_text())]

    def _capture_shared(self) -> None:
        """Draw the shared part alone once and keep its pixels."""
        back, capture = self._layers
        back.set_visible(False)
        for a in self._unit:
            a.set_visible(False)
        self._png = _save.PngBands(_save.render_rgba(self._fig, self.dpi, self._box))
        for a in self._unit:
            a.set_visible(True)
        back.region, capture.capture = capture.region, False
        capture.set_visible(False)
        back.set_visible(True)

    # ------------------------------------------------------------------ per unit
    def _redraw(self, unit_code: str) -> bool:
        """Replace the previous unit's artists by ``unit_code``'s; False (template unchanged
        but for them) when they would change the layout."""
        for a in self._unit:
            _clear(a)
        self._unit = self.parts.unit(self._ax, unit_code)
        return len(self._unit) == len(self._heights) and self._fits()

    def _extent(self, artist: Artist) -> tuple[float, float, float, float]:
        bb = artist.get_window_extent(self._measure)
        return (bb.x0, bb.y0, bb.x1, bb.y1)

    def _fits(self) -> bool:
        """Whether every unit artist that counts for the layout stays in the room of the
        shared artists of its axes: inside it, or across it with the template's height."""
        for a, ref in zip(self._unit, self._heights, strict=False):
            if not _counts_for_layout(a):
                if ref is not None:
                    return False
                continue
            if ref is None or a.axes is None:
                return False
            x0, y0, x1, y1 = self._extent(a)
            room = self._room[id(a.axes)]
            inside_x = room.x0 <= x0 and x1 <= room.x1
            inside_y = room.y0 <= y0 and y1 <= room.y1
            same_height = abs(y0 - ref[1]) < 1e-6 and abs(y1 - ref[3]) < 1e-6
            if not (inside_x and (inside_y or same_height)):
                return False
        return True

    def _write(self, base: str, formats: Sequence[str]) -> list[Path]:
        """The current unit's files: PNG over the captured shared pixels, vector formats in
        full."""
        written = []
        for fmt in formats:
            if fmt == "png":
                hidden = [*self._shared, (self._fig.patch, self._fig.patch.get_visible())]
                for a, _ in hidden:  # the figure's background too: the shared pixels cover it
                    a.set_visible(False)
                try:
                    rgba = _save.render_rgba(self._fig, self.dpi, self._box)
                finally:
                    for a, visible in hidden:
                        a.set_visible(visible)
                target = Path(f"{base}.png")
                png = _save.encode_png(rgba, self.dpi, _save.software_name(), like=self._png)
                write_bytes(target, png)
                written.append(target)
            else:
                self._layers[0].set_visible(False)
                try:
                    written += _save.save_formats(self._fig, base, [fmt], self.dpi, self._box)
                finally:
                    self._layers[0].set_visible(True)
        return written
