"""Publication-grade figures in Vietnamese and English (seaborn-style API).

Conventions (seaborn's contract):

* every ``plot_*(data, *, ..., ax=None, lang="vi", status=None) -> Axes`` draws into ``ax`` (a new
  figure is created only when ``ax`` is None; :func:`matplotlib.pyplot.gca` is never used);
  multi-panel ``figure_*(...) -> Figure``; nothing here saves or shows a figure;
* style is applied by an explicit :func:`set_style` call (font with full Vietnamese coverage,
  colour-blind-safe palette, SVG text kept as text);
* the three pillars always have the colours of :data:`PILLAR_COLORS` (Okabe–Ito);
* scores and gaps read in points of a 0–100 scale, as in the text and the notebook tables: the
  artists keep the tables' 0–1 values as data coordinates, only ticks and printed numbers are
  scaled (``_common.POINTS``, ``_PointsFormatter``, ``_points_text``); ranks, sensitivity
  indices and % of target keep their own scale;
* titles, axes and legends come from :mod:`analysis.i18n`; text from data (unit and indicator
  names, labels, ids) is drawn literally (never as mathtext) and bounded in size;
* when the data are synthetic (``status="synthetic"`` or a ``status`` column containing
  ``synthetic``) the mark "Dữ liệu minh họa / Illustrative data" is tiled over every plot
  area, light and under the data, so that no crop loses it (text artists with
  ``gid="watermark"``);
* :func:`save_figure` writes PNG (300 dpi), and SVG or PDF on request, atomically, with
  deterministic metadata;
* the kinds drawn for every commune (profile, distance to targets, trend) are split into a
  shared part and a unit part (``*_parts``), so :class:`UnitFigures` draws thousands of them
  from one template, each byte-identical to a fresh draw.

Input tables: gap table (:mod:`analysis.gaps`), pillar table and scores (:mod:`analysis.composite`),
rank stats and sensitivity (:mod:`analysis.robustness`), units. Synthetic tables for a gallery:
:func:`analysis.demo.example_plot_data`.

Modules, one job each: ``_style`` (palette, fonts, :func:`set_style`), ``_save``
(:func:`save_figure`), ``_reuse`` (:class:`UnitFigures`), ``_text`` (text from data),
``_labels`` (label placement), ``_common`` (shared helpers), and one per family: ``heatmap``,
``gaps``, ``scatter``, ``profile``, ``targets``, ``trends``, ``uncertainty``, ``maps``,
``distributions``.
"""

from __future__ import annotations

from ._common import MAX_UNITS
from ._reuse import FigureParts, UnitFigures
from ._save import save_figure
from ._style import (
    FONT_FAMILY,
    OKABE_ITO,
    PILLAR_COLORS,
    TYPOLOGY_COLORS,
    WATERMARK_GID,
    register_fonts,
    set_style,
)
from .distributions import figure_indicator_distributions
from .gaps import plot_gap_dumbbell, plot_gap_trend
from .heatmap import plot_pillar_heatmap
from .maps import plot_map
from .profile import plot_commune_profile, profile_parts
from .scatter import figure_pillar_scatter, plot_pillar_scatter, typology_regions
from .targets import plot_distance_to_targets, targets_parts
from .trends import figure_trends, plot_pillar_trend, trend_parts
from .uncertainty import plot_rank_uncertainty, plot_sensitivity

__all__ = [
    "OKABE_ITO",
    "PILLAR_COLORS",
    "TYPOLOGY_COLORS",
    "FONT_FAMILY",
    "WATERMARK_GID",
    "register_fonts",
    "set_style",
    "save_figure",
    "plot_pillar_heatmap",
    "plot_gap_dumbbell",
    "plot_pillar_scatter",
    "figure_pillar_scatter",
    "typology_regions",
    "plot_commune_profile",
    "plot_rank_uncertainty",
    "plot_sensitivity",
    "figure_trends",
    "plot_pillar_trend",
    "plot_gap_trend",
    "plot_distance_to_targets",
    "plot_map",
    "figure_indicator_distributions",
    "MAX_UNITS",
    "FigureParts",
    "UnitFigures",
    "profile_parts",
    "targets_parts",
    "trend_parts",
]
