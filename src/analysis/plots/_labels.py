"""Deterministic label placement: point labels without overlap (greedy choice, then repulsion).

Works in display pixels once the figure layout is resolved. No randomness: ties are broken by
order, so the same figure always gets the same label positions (and the same bytes).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._style import _DARK


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
    ``avoid`` (e.g. other texts) are obstacles too. ``texts`` are drawn as given: text from
    data must already be literal and bounded (see :mod:`._text`).
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
    n = len(texts)
    if n == 0:
        return []
    styles = list(styles) if styles is not None else [{} for _ in range(n)]
    if not _layout_done:
        ax.figure.draw_without_rendering()
    layout = _LabelLayout(ax, x, y, texts, fontsize=fontsize, radii=radii, styles=styles)
    layout.add_obstacles(avoid)
    layout.place_greedily()
    layout.repel(max_iter)
    return [layout.annotate(i, x[i], y[i], texts[i], styles[i], fontsize) for i in range(n)]


class _LabelLayout:
    """Label boxes (centre, width, height in display pixels) around their anchors, inside
    the axes, and the obstacles they must avoid."""

    def __init__(
        self,
        ax: Axes,
        x: Sequence[float],
        y: Sequence[float],
        texts: Sequence[str],
        *,
        fontsize: float,
        radii: float | Sequence[float],
        styles: Sequence[Mapping[str, Any]],
    ) -> None:
        fig = ax.figure
        n = len(texts)
        self.ax = ax
        self.renderer = fig.canvas.get_renderer()
        self.dpi_scale = fig.dpi / 72.0
        self.anchors = ax.transData.transform(
            np.column_stack([np.asarray(x, float), np.asarray(y, float)])
        )
        self.rad = np.broadcast_to(np.asarray(radii, float), (n,)) * self.dpi_scale
        self.w, self.h = self._measure(texts, styles, fontsize)
        self.box = ax.get_window_extent(self.renderer)
        self.pad = 3.0 * self.dpi_scale
        self.obstacles = [k for k in range(n) if self.rad[k] > 0]
        self.boxes: list[tuple[float, float, float, float]] = []
        self.centres = np.zeros((n, 2))

    def _measure(
        self, texts: Sequence[str], styles: Sequence[Mapping[str, Any]], fontsize: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Width and height (pixels, with a small margin) of each label as it will be drawn."""
        sizes = []
        for s, st in zip(texts, styles, strict=True):
            probe = self.ax.text(
                0,
                0,
                s,
                fontsize=st.get("fontsize", fontsize),
                fontweight=st.get("fontweight", "normal"),
                style=st.get("style", "normal"),
            )
            bb = probe.get_window_extent(self.renderer)
            probe.remove()
            sizes.append((bb.width + 2 * self.dpi_scale, bb.height + 1 * self.dpi_scale))
        return np.array([s[0] for s in sizes]), np.array([s[1] for s in sizes])

    def add_obstacles(self, artists: Sequence[Any]) -> None:
        """Boxes of other artists (texts, the legend) that labels must not cover."""
        d = self.dpi_scale
        for artist in artists:
            bb = artist.get_window_extent(self.renderer)
            self.boxes.append(
                ((bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2, bb.width + 2 * d, bb.height + 2 * d)
            )

    def _me(self, i: int, c: np.ndarray | None = None) -> tuple[float, float, float, float]:
        c = self.centres[i] if c is None else c
        return (c[0], c[1], self.w[i], self.h[i])

    def _anchor_box(self, k: int) -> tuple[float, float, float, float]:
        a, r = self.anchors[k], self.rad[k]
        return (a[0], a[1], 2 * r, 2 * r)

    def clamp(self, i: int, c: np.ndarray) -> np.ndarray:
        """``c`` moved so that label ``i`` stays inside the axes."""
        box, w, h = self.box, self.w, self.h
        c[0] = min(max(c[0], box.x0 + w[i] / 2 + 1), box.x1 - w[i] / 2 - 1)
        c[1] = min(max(c[1], box.y0 + h[i] / 2 + 1), box.y1 - h[i] / 2 - 1)
        return c

    def cost(self, i: int, c: np.ndarray, placed: list[int]) -> float:
        """Penalty of label ``i`` centred at ``c``: overlaps with placed labels and obstacles."""
        me = self._me(i, c)
        total = 0.0
        for j in placed:
            dx, dy = _overlap(me, self._me(j))
            if dx > 0 and dy > 0:
                total += 1e4 + 10 * dx * dy
        for k in self.obstacles:
            dx, dy = _overlap(me, self._anchor_box(k))
            if dx > 0 and dy > 0:
                total += 5e3 + 5 * dx * dy
        for b in self.boxes:
            dx, dy = _overlap(me, b)
            if dx > 0 and dy > 0:
                total += 5e3 + 5 * dx * dy
        return total

    def candidates(self, i: int) -> list[tuple[int, tuple[float, float]]]:
        """(ring, centre) of the 8 positions around point ``i``, on 4 rings further out."""
        ax_, ay_ = self.anchors[i]
        w, h, r, pad = self.w[i], self.h[i], self.rad[i], self.pad
        out = []
        for ring, extra in enumerate((0.0, 6.0, 14.0, 24.0)):
            e = extra * self.dpi_scale
            dxs, dys = w / 2 + r + pad + e, h / 2 + r + pad + e
            dxd, dyd = (w / 2 + 0.7 * r + pad + 0.7 * e, h / 2 + 0.7 * r + pad + 0.7 * e)
            for cand in (
                (ax_ + dxs, ay_), (ax_ - dxs, ay_), (ax_, ay_ + dys), (ax_, ay_ - dys),
                (ax_ + dxd, ay_ + dyd), (ax_ - dxd, ay_ + dyd), (ax_ + dxd, ay_ - dyd), (ax_ - dxd, ay_ - dyd),
            ):  # fmt: skip
                out.append((ring, cand))
        return out

    def place_greedily(self) -> None:
        """Each label, left to right, at its cheapest candidate (nearer rings preferred)."""
        n = len(self.w)
        order = sorted(range(n), key=lambda i: (self.anchors[i, 0], self.anchors[i, 1], i))
        placed: list[int] = []
        for i in order:
            best, best_cost = None, math.inf
            for rank, (ring, cand) in enumerate(self.candidates(i)):
                c = self.clamp(i, np.array(cand, float))
                value = self.cost(i, c, placed) + ring * 2.0 * self.dpi_scale**2 + rank * 1e-3
                if value < best_cost - 1e-9:
                    best, best_cost = c, value
            self.centres[i] = best
            placed.append(i)

    def repel(self, max_iter: int) -> None:
        """Push apart what still overlaps until nothing moves (or ``max_iter`` rounds)."""
        for _ in range(max_iter):
            before = self.centres.copy()
            moved = False
            for i in range(len(self.w)):
                moved |= self._push(i)
            if not moved or np.array_equal(self.centres, before):
                break  # nothing overlaps, or a conflict the axes edge undoes: a fixed point

    def _push(self, i: int) -> bool:
        """One repulsion step of label ``i`` against later labels, points and obstacle boxes."""
        centres, moved = self.centres, False
        for j in range(i + 1, len(self.w)):
            dx, dy = _overlap(self._me(i), self._me(j))
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
        for k in self.obstacles:
            dx, dy = _overlap(self._me(i), self._anchor_box(k))
            if dx > 0 and dy > 0:
                moved = True
                axis, d = (1, dy) if dy <= dx else (0, dx)
                sign = 1.0 if centres[i, axis] >= self.anchors[k, axis] else -1.0
                centres[i, axis] += (d + 0.5) * sign
        for b in self.boxes:
            dx, dy = _overlap(self._me(i), b)
            if dx > 0 and dy > 0:
                moved = True
                axis, d = (1, dy) if dy <= dx else (0, dx)
                sign = 1.0 if centres[i, axis] >= b[axis] else -1.0
                centres[i, axis] += (d + 0.5) * sign
        centres[i] = self.clamp(i, centres[i])
        return moved

    def annotate(
        self, i: int, x: float, y: float, text: str, style: Mapping[str, Any], fontsize: float
    ) -> Any:
        """Label ``i`` as an annotation offset (points) from its point, with a leader line
        when it was pushed away."""
        st = dict(style)
        d, rad = self.dpi_scale, self.rad[i]
        offset = (self.centres[i] - self.anchors[i]) / d  # points
        far = np.hypot(*offset) > (max(self.w[i], self.h[i]) / d) / 2 + rad / d + 6
        return self.ax.annotate(
            text,
            xy=(float(x), float(y)),
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
            arrowprops=dict(arrowstyle="-", color="#999999", lw=0.5, shrinkA=0, shrinkB=rad / d)
            if far and rad >= 0
            else None,
            **st,
        )
