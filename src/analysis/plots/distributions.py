"""Distribution of every indicator across communes, on the 0–1 scale of its goalposts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import i18n
from ..errors import ParameterError
from ..status import is_synthetic
from ._common import (
    _add_watermark,
    _check_lang,
    _default_framework,
    _indicator_label,
    _PointsFormatter,
    _require,
    _select_period,
)
from ._style import _DARK, _NEUTRAL, PILLAR_COLORS, _tint
from ._text import data_text


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
    given (not denominated), also scaled by their goalposts; the axis reads in points of a 0–100
    scale. Each box shows the median and quartiles across communes and periods (or one
    ``period``), whiskers 1.5 IQR, points beyond.

    Args:
        observations: observations contract (``unit_code, period, indicator, value``).
        framework: indicator framework (default: the commune framework).
        period: one period, or None for all periods pooled.
        indicator_labels, lang, status: as in :func:`~analysis.plots.plot_pillar_heatmap`.

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
    finite = d["scaled"].to_numpy(float)
    finite = finite[np.isfinite(finite)]  # beyond a goalpost: the axis goes there, nothing cut
    xlim = (min(-0.02, finite.min() - 0.02) if finite.size else -0.02,
            max(1.02, finite.max() + 0.02) if finite.size else 1.02)  # fmt: skip
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
            [_indicator_label(i, fw, lang, 50, indicator_labels) for i in ids],
        )
        ax.invert_yaxis()
        ax.set_xlim(*xlim)
        ax.xaxis.set_major_formatter(_PointsFormatter(lang))
        ax.set_title(
            i18n.t(f"pillar.{pillar}", lang, default=data_text(pillar)),
            loc="left",
            color=color,
            fontsize="medium",
        )
    axes[-1, 0].set_xlabel(i18n.t("axis.normalised", lang))
    if is_synthetic(status, data):
        _add_watermark(fig)
    return fig
