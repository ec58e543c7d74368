"""Map of the gap: bubbles at the communes' coordinates (with the post-2025 communes outlined)
or a choropleth from GeoJSON polygons; a scale bar and a diverging colour scale centred at 0."""

from __future__ import annotations

import json
import math
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import Colormap, TwoSlopeNorm
from matplotlib.patches import Patch, Polygon
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import i18n
from ..errors import DataValidationError, ParameterError, RenderError
from ..status import is_synthetic
from ._common import (
    MAX_UNITS,
    _check_lang,
    _codes,
    _finish,
    _name,
    _new_axes,
    _note,
    _PointsFormatter,
    _require,
    _select_period,
    _unit_names,
)
from ._labels import _place_labels
from ._style import _DARK
from ._text import data_text

_BUBBLE_MAX = 700.0  # marker area (pt²) of the most populous commune
_GAP_CMAP = "PuOr"  # diverging, colour-blind safe; purple = government ahead (gap > 0)


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
    purple = government ahead; the colour bar reads in points of a 0–100 scale); the post-2025 communes (``successor_code``) are outlined by a
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
        ax, lang, status: see :func:`~analysis.plots.plot_pillar_heatmap`.

    Returns:
        The axes (``gid`` ``bubbles``, ``successor_<code>``, ``unit_<code>``, ``scale_bar``).
    """
    _check_lang(lang)
    _require(gaps, ["unit_code", gap], "gap table")
    _require(units, ["unit_code"], "units table")
    if geojson is None:
        _check_coordinates(units)
    data, period = _select_period(gaps, period, "gap table")
    data = data.assign(unit_code=_codes(data["unit_code"]))
    u = units.assign(unit_code=_codes(units["unit_code"]))
    values = data.groupby("unit_code")[gap].mean()
    norm, cmap = _gap_colour_scale(values)
    ax = _new_axes(ax, (7.6, 6.0))
    names = _unit_names(u)
    if geojson is None:
        bubbles = _draw_bubbles(ax, u, values, period, norm, cmap, successors=successors)
        _size_legend(ax, bubbles, lang)
        lat0, mappable = bubbles.lat0, bubbles.collection
    else:
        lat0 = _draw_choropleth(ax, geojson, values, id_property, norm, cmap, names, label, lang)
        mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
    _geographic_axes(ax, lat0, lang)
    cbar = ax.figure.colorbar(mappable, ax=ax, shrink=0.7, pad=0.02)
    cbar.set_label(_note("axis_gap", lang, gap=i18n.t(f"gap.{gap}", lang, default=data_text(gap))))
    cbar.ax.yaxis.set_major_formatter(_PointsFormatter(lang))
    cbar.outline.set_visible(False)
    title = i18n.t("title.map", lang)
    if period:
        title += f" · {i18n.format_period(period, lang)}"
    ax.set_title(title)
    if geojson is None:
        _label_bubbles(ax, bubbles, names, label, values)
    return _finish(ax, title=None, synthetic=is_synthetic(status, gaps))


def _check_coordinates(units: pd.DataFrame) -> None:
    have = [c for c in ("lat", "lon") if c in units.columns]
    coords = units[have].apply(pd.to_numeric, errors="coerce") if have else None
    if len(have) < 2 or not coords.notna().all(axis=1).any():
        raise ParameterError(
            "plot_map: the units table has no coordinates (columns 'lat' and 'lon' "
            + ("are all empty" if len(have) == 2 else "missing")
            + "); pass geojson=<polygons of the units> or skip the map"
        )


def _gap_colour_scale(values: pd.Series) -> tuple[TwoSlopeNorm, Colormap]:
    """Diverging scale centred at 0, symmetric around the largest absolute gap."""
    finite = values.to_numpy(float)
    finite = finite[np.isfinite(finite)]
    m = float(np.max(np.abs(finite))) if finite.size else 1.0
    m = m if m > 0 else 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-m, vmax=m), mpl.colormaps[_GAP_CMAP]


def _geographic_axes(ax: Axes, lat0: float, lang: str) -> None:
    """Aspect corrected for latitude (1 / cos φ), degree ticks, axis names and a scale bar."""
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


# ---- bubble mode ------------------------------------------------------------------------------


@dataclass
class _Bubbles:
    """What the bubble map drew, for its legend and its labels."""

    codes: list[str]
    lon: np.ndarray
    lat: np.ndarray
    sizes: np.ndarray
    has_pop: bool
    pop_max: float
    lat0: float
    collection: PathCollection
    successor_labels: list[tuple[float, float, str]]
    bubble_max: float = _BUBBLE_MAX  # marker area of the largest population


def _draw_bubbles(
    ax: Axes,
    units: pd.DataFrame,
    values: pd.Series,
    period: str | None,
    norm: TwoSlopeNorm,
    cmap: Colormap,
    *,
    successors: bool,
) -> _Bubbles:
    """One bubble per unit at (lon, lat), area ∝ population, colour = gap; the post-2025
    communes outlined; axis limits around the bubbles."""
    merged = units.merge(values.rename("gapv").reset_index(), on="unit_code", how="inner")
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
    # many units (a province, the country): smaller bubbles, so that they stay apart
    bmax = _BUBBLE_MAX * min(1.0, MAX_UNITS / len(merged))
    sizes = bmax * pop / pmax if has_pop else np.full(len(merged), 0.35 * bmax)
    sc = ax.scatter(
        lon,
        lat,
        s=sizes,
        c=merged["gapv"].to_numpy(float),
        cmap=cmap,
        norm=norm,
        edgecolor=_DARK,
        linewidth=0.6 if len(merged) <= MAX_UNITS else 0.15,
        zorder=4,
        gid="bubbles",
    )
    lat0 = float(np.nanmean(lat))
    succ_labels = []
    if successors and "successor_code" in merged.columns:
        succ_labels = _draw_successors(ax, merged, math.cos(math.radians(lat0)))
    pad_x = 0.06 * (np.nanmax(lon) - np.nanmin(lon)) + 0.02
    pad_y = 0.08 * (np.nanmax(lat) - np.nanmin(lat)) + 0.02
    ax.set_xlim(np.nanmin(lon) - pad_x, np.nanmax(lon) + pad_x)
    ax.set_ylim(np.nanmin(lat) - pad_y * 1.8, np.nanmax(lat) + pad_y * 1.4)
    return _Bubbles(
        list(merged["unit_code"]), lon, lat, sizes, has_pop, pmax, lat0, sc, succ_labels, bmax
    )


def _draw_successors(ax: Axes, merged: pd.DataFrame, k: float) -> list[tuple[float, float, str]]:
    """Each post-2025 commune as a padded hull around its former communes; returns the
    (lon, lat, name) of each hull's top, where its name goes."""
    labels = []
    for code, grp in merged.groupby("successor_code", sort=True):
        ring = _padded_hull(grp["lon"].to_numpy(float), grp["lat"].to_numpy(float), k, radius=0.016)
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
            grp["successor_name_vi"].iloc[0] if "successor_name_vi" in grp.columns else str(code)
        )
        top = ring[np.argmax(ring[:, 1])]
        labels.append(
            (float(top[0]), float(top[1]), data_text(unicodedata.normalize("NFC", str(sname))))
        )
    return labels


def _size_legend(ax: Axes, b: _Bubbles, lang: str) -> None:
    """Reference bubbles for up to three round populations (none without populations)."""
    pmax = b.pop_max
    ref = [v for v in (2_000, 5_000, 10_000, 20_000, 50_000, 100_000) if v <= pmax][-3:] or [
        int(pmax)
    ]
    ref = ref if b.has_pop else []
    handles = [
        ax.scatter(
            [],
            [],
            s=b.bubble_max * v / pmax,
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


#: units named at each end of the gap order on a map of more than ``MAX_UNITS`` units
_MAP_NAMES_AT_EACH_END = 5


def _label_bubbles(
    ax: Axes, b: _Bubbles, names: Mapping[str, str], label: bool, values: pd.Series
) -> None:
    """Names of the units (when ``label``) and of the post-2025 communes, placed without
    overlap; every bubble is an obstacle even when its name is not written.

    More than ``MAX_UNITS`` units (a province, the country): only the units with the largest
    and the smallest gap are named (``_MAP_NAMES_AT_EACH_END`` at each end), and only their bubbles are
    obstacles, so that placing labels stays fast for 3,321 units."""
    idx = np.arange(len(b.codes))
    if len(b.codes) > MAX_UNITS:
        v = values.reindex(b.codes).to_numpy(float)
        order = idx[np.isfinite(v)][np.argsort(v[np.isfinite(v)], kind="stable")]
        idx = np.unique(
            np.r_[order[:_MAP_NAMES_AT_EACH_END], order[-_MAP_NAMES_AT_EACH_END:]]
        ).astype(int)
    texts = [_name(b.codes[i], names) if label else "" for i in idx]
    lx, ly = list(b.lon[idx]), list(b.lat[idx])
    radii = list(np.sqrt(b.sizes[idx]) / 2 + 0.5)
    styles: list[dict[str, Any]] = [{} for _ in texts]
    for sx, sy, sname in b.successor_labels:
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


# ---- choropleth mode --------------------------------------------------------------------------


def _draw_choropleth(
    ax: Axes,
    geojson: str | os.PathLike[str] | Mapping[str, Any],
    values: pd.Series,
    id_property: str,
    norm: TwoSlopeNorm,
    cmap: Colormap,
    names: Mapping[str, str],
    label: bool,
    lang: str,
) -> float:
    """Each feature filled with its unit's gap (hatched grey without data), named when
    ``label``; axis limits around the polygons. Returns the central latitude."""
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
            ax.add_patch(_unit_polygon(ring, fid, cmap(norm(v)) if has else None))
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
    dx, dy = np.ptp(pts[:, 0]), np.ptp(pts[:, 1])
    ax.set_xlim(pts[:, 0].min() - 0.04 * dx, pts[:, 0].max() + 0.04 * dx)
    ax.set_ylim(pts[:, 1].min() - 0.1 * dy, pts[:, 1].max() + 0.04 * dy)
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
    return float(np.mean([pts[:, 1].min(), pts[:, 1].max()]))


def _unit_polygon(ring: np.ndarray, fid: str, color: Any | None) -> Polygon:
    """A unit's polygon filled with ``color``, or hatched grey when it has no data."""
    if color is not None:
        return Polygon(
            ring,
            closed=True,
            facecolor=color,
            edgecolor="white",
            lw=0.8,
            zorder=2,
            gid=f"unit_{fid}",
        )
    return Polygon(ring, closed=True, facecolor="#EEEEEE", edgecolor="white", hatch="///", lw=0.8,
                   zorder=2, gid=f"unit_{fid}")  # fmt: skip


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
