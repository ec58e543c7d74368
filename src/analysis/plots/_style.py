"""Palette, fonts and the matplotlib style of every figure (applied by an explicit call).

The three pillars always have the colours of :data:`PILLAR_COLORS` (Okabe–Ito, colour-blind
safe); the font is Be Vietnam Pro (full Vietnamese coverage) with DejaVu Sans as fallback.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.colors import to_rgb

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
