"""Every string shown to a reader, in Vietnamese and English, and the number formats.

Two languages: ``vi`` (default) and ``en``. Every string is stored NFC-normalised.

* The strings are one table keyed by id, ``strings.toml`` beside this module (loaded on first
  use); :func:`t` looks one up (``"pillar.government"``, ``"brief.key_message"``...) and fills
  its ``{placeholders}``. Labels of figures, the brief templates' fixed strings, the parts of the
  generated sentences (assembled by :mod:`analysis.narrative`): all live there.
* :func:`format_number`, :func:`format_interval`, :func:`format_pct`, :func:`format_p`,
  :func:`format_level` and :func:`format_period` write numbers, intervals, p-values, interval
  levels and periods the way readers of each language expect: Vietnamese uses a decimal comma
  and a thousands dot (``141.851`` people, ``0,78``), English the reverse (``141,851``, ``0.78``).
  They are the only number formatters of the package.
* :func:`parse_number` reads numbers typed by users, Vietnamese decimal commas included.

Missing values are shown as an en dash ``–``; negative numbers use the true minus sign ``−``
(U+2212), like matplotlib's tick labels.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from ..errors import ParameterError
from ..periods import is_period, parse_period

__all__ = [
    "POINTS",
    "format_points",
    "format_points_interval",
    "LANGS",
    "LABELS",
    "MISSING",
    "NumberParseError",
    "t",
    "has_label",
    "labels_of",
    "format_number",
    "format_interval",
    "format_pct",
    "format_p",
    "format_level",
    "format_period",
    "parse_number",
    "translate_mapping",
]

#: Supported languages, default first.
LANGS: tuple[str, ...] = ("vi", "en")

#: What a missing value (NaN, None) is written as.
MISSING = "–"

_MINUS = "−"  # U+2212


class NumberParseError(ParameterError, ValueError):
    """A user-typed number could not be read."""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


#: The string table (TOML): ``{group: {id: {vi = ..., en = ...}}}``.
STRINGS_FILE = Path(__file__).with_name("strings.toml")


def _flatten(table: Mapping, prefix: str, out: dict[str, dict[str, str]]) -> None:
    for key, value in table.items():
        path = f"{prefix}{key}"
        if not isinstance(value, Mapping):
            raise ParameterError(
                f"{STRINGS_FILE}: entry {path!r} must be a table {{ vi = ..., en = ... }}"
            )
        if set(value) == set(LANGS):
            out[path] = {lang: _nfc(str(value[lang])) for lang in LANGS}
        else:
            _flatten(value, f"{path}.", out)


@functools.cache
def _labels() -> dict[str, dict[str, str]]:
    """``{key: {"vi": ..., "en": ...}}`` from :data:`STRINGS_FILE`, NFC-normalised."""
    with open(STRINGS_FILE, "rb") as fh:
        table = tomllib.load(fh)
    out: dict[str, dict[str, str]] = {}
    _flatten(table, "", out)
    return out


def __getattr__(name: str):
    if name == "LABELS":  # loaded on first use: importing i18n (e.g. to parse numbers) stays light
        return _labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ParameterError(
            f"parameter lang={lang!r} is not supported; use one of {', '.join(LANGS)}"
        )
    return lang


def has_label(key: str) -> bool:
    """Whether ``key`` has a label.

    >>> has_label("pillar.economy"), has_label("pillar.nope")
    (True, False)
    """
    return key in _labels()


def t(key: str, lang: str = "vi", default: str | None = None, **fields: object) -> str:
    """Label of ``key`` in ``lang``; ``{placeholders}`` are filled from ``fields``.

    Args:
        key: dotted key, e.g. ``"pillar.government"``, ``"typology.balanced_high"``.
        lang: ``"vi"`` or ``"en"``.
        default: returned (NFC) when ``key`` is unknown; without it an unknown key is an error.
        **fields: values for ``{name}`` placeholders in the label.

    Returns:
        The NFC label.

    Raises:
        ParameterError: unknown language, or unknown key and no ``default``.

    >>> t("pillar.government", "vi")
    'Chính quyền số'
    >>> t("pillar.society", "en")
    'Digital society'
    >>> t("title.profile", "en", name="Ái Nghĩa")
    'Indicator profile: Ái Nghĩa'
    >>> t("typology.new_class", "en", default="new class")
    'new class'
    """
    _check_lang(lang)
    labels = _labels()
    entry = labels.get(key)
    if entry is None:
        if default is None:
            close = sorted(k for k in labels if k.split(".")[0] == key.split(".")[0])
            hint = f" (known in this group: {', '.join(close)})" if close else ""
            raise ParameterError(f"no label for key {key!r}{hint}; add it to {STRINGS_FILE}")
        return _nfc(default)
    text = entry[lang]
    if fields:
        text = text.format(**fields)
    return _nfc(text)


def labels_of(group: str, lang: str = "vi") -> dict[str, str]:
    """Every label of a group, by id: ``labels_of("brief", "en")["key_message"]``.

    >>> labels_of("pillar_letter", "en")
    {'government': 'G', 'economy': 'E', 'society': 'S'}
    """
    _check_lang(lang)
    prefix = f"{group}."
    return {k[len(prefix) :]: v[lang] for k, v in _labels().items() if k.startswith(prefix)}


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _separators(lang: str) -> tuple[str, str]:
    """(decimal, thousands) separators of ``lang``."""
    return (",", ".") if _check_lang(lang) == "vi" else (".", ",")


def format_number(
    x: float | int | None, lang: str = "vi", digits: int = 2, *, missing: str = MISSING
) -> str:
    """Write a number for readers of ``lang``.

    Integers (Python or NumPy integer types) are written without decimals; floats with
    ``digits`` decimals. Thousands are grouped. Missing values give ``missing`` (``–``; the
    briefs leave a missing number blank with ``missing=""``).

    Args:
        x: the number (``None`` and NaN are missing).
        lang: ``"vi"`` (decimal comma, thousands dot) or ``"en"``.
        digits: decimals for non-integers.
        missing: the text of a missing value.

    >>> format_number(141851, "vi"), format_number(141851, "en")
    ('141.851', '141,851')
    >>> format_number(0.7812, "vi"), format_number(0.7812, "en")
    ('0,78', '0.78')
    >>> format_number(1234.5, "vi", digits=1)
    '1.234,5'
    >>> format_number(-0.5, "en", digits=1), format_number(-0.001, "vi")
    ('−0.5', '0,00')
    >>> format_number(float("nan"), "vi"), format_number(None, "en", missing="")
    ('–', '')
    """
    dec, thou = _separators(lang)
    if _is_missing(x):
        return missing
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        body = f"{abs(int(x)):,d}"
        negative = int(x) < 0
    else:
        value = float(x)  # type: ignore[arg-type]
        if math.isinf(value):
            return "∞" if value > 0 else _MINUS + "∞"
        body = f"{abs(value):,.{int(digits)}f}"
        negative = value < 0 and float(body.replace(",", "")) != 0.0
    body = body.replace(",", "\x00").replace(".", dec).replace("\x00", thou)
    return (_MINUS if negative else "") + body


#: scores and gaps are stored on 0-1 and written in points of a 0-100 scale (issue 15)
POINTS = 100


def format_points(
    x: float | None, lang: str = "vi", digits: int | None = 0, *, missing: str | None = None
) -> str:
    """A score or gap of the 0-1 scale in points of the 0-100 scale, the way every output writes
    it; ``digits=None``: as many decimals (up to 2) as the value needs.

    >>> format_points(0.47, "en"), format_points(-0.052, "vi"), format_points(0.125, "vi", None)
    ('47', '−5', '12,5')
    >>> format_points(None, "vi", missing="")
    ''
    """
    if _is_missing(x):
        return format_number(None, lang) if missing is None else missing
    v = POINTS * float(x)  # type: ignore[arg-type]
    if digits is None:
        digits = next((d for d in (0, 1) if abs(round(v, d) - v) < 1e-9), 2)
    return format_number(v, lang, digits)


def format_points_interval(
    lo: float | None,
    hi: float | None,
    lang: str = "vi",
    digits: int = 0,
    *,
    missing: str | None = None,
) -> str:
    """An interval of the 0-1 scale in points of the 0-100 scale: ``22–40``, ``−5 đến 19``.

    >>> format_points_interval(-0.05, 0.19, "vi"), format_points_interval(0.22, 0.4, "en")
    ('−5 đến 19', '22–40')
    """
    scaled = [None if _is_missing(v) else POINTS * float(v) for v in (lo, hi)]  # type: ignore[arg-type]
    return format_interval(scaled[0], scaled[1], lang, digits, missing=missing)


def format_interval(
    lo: float | None,
    hi: float | None,
    lang: str = "vi",
    digits: int = 2,
    *,
    missing: str | None = None,
) -> str:
    """Write an interval ``lo–hi``; with a negative bound ``lo đến hi`` / ``lo to hi``
    (a dash next to a minus sign misreads).

    Args:
        missing: the text of an interval with a missing bound; by default each missing bound
            is written ``–``.

    >>> format_interval(0.22, 0.40, "vi")
    '0,22–0,40'
    >>> format_interval(0.22, 0.40, "en")
    '0.22–0.40'
    >>> format_interval(-0.1, 0.2, "en", digits=1), format_interval(-0.1, 0.2, "vi", digits=1)
    ('−0.1 to 0.2', '−0,1 đến 0,2')
    >>> format_interval(None, 0.2, "en", missing="")
    ''
    """
    if missing is not None and (_is_missing(lo) or _is_missing(hi)):
        return missing
    a = format_number(lo, lang, digits)
    b = format_number(hi, lang, digits)
    if a.startswith(_MINUS) or b.startswith(_MINUS):
        return f"{a} {t('format.to', lang)} {b}"
    return f"{a}–{b}"


def format_pct(
    x: float | None, lang: str = "vi", digits: int = 1, *, from_fraction: bool = False
) -> str:
    """Write a percentage (``85,5%`` in Vietnamese, ``85.5%`` in English).

    Args:
        x: the value, in percent (``85.5``), or a fraction (``0.855``) with ``from_fraction``.
        lang: ``"vi"`` or ``"en"``.
        digits: decimals.
        from_fraction: multiply ``x`` by 100 first.

    >>> format_pct(85.5, "vi"), format_pct(0.855, "en", from_fraction=True)
    ('85,5%', '85.5%')
    >>> format_pct(None, "en")
    '–'
    """
    if _is_missing(x):
        return MISSING
    value = float(x) * (100.0 if from_fraction else 1.0)  # type: ignore[arg-type]
    return format_number(value, lang, digits) + "%"


def format_p(
    p: float | None,
    lang: str = "vi",
    digits: int = 3,
    *,
    relation: bool = False,
    missing: str = MISSING,
) -> str:
    """Write a p-value with ``digits`` decimals, ``< 0,001`` below the smallest one written.

    Args:
        relation: prefix ``= `` unless the value is written ``< ...``, so that ``"p " + text``
            reads ``p = 0,031`` or ``p < 0,001``.
        missing: the text of a missing p-value.

    >>> format_p(0.0004, "vi"), format_p(0.0312, "en"), format_p(3e-6, "vi", 4)
    ('< 0,001', '0.031', '< 0,0001')
    >>> "p " + format_p(0.0312, "en", relation=True), "p " + format_p(1e-5, "en", relation=True)
    ('p = 0.031', 'p < 0.001')
    """
    if _is_missing(p):
        return ("= " if relation else "") + missing
    floor = 10.0**-digits
    if float(p) < floor:  # type: ignore[arg-type]
        return "< " + format_number(floor, lang, digits)
    return ("= " if relation else "") + format_number(p, lang, digits)


def format_level(level: float, lang: str = "vi") -> str:
    """An interval's level in percent, as in "90% confidence interval".

    >>> format_level(0.9, "vi"), format_level(0.975, "vi"), format_level(0.975, "en")
    ('90', '97,5', '97.5')
    """
    return f"{level * 100:g}".replace(".", _separators(lang)[0])


_ROMAN = ("I", "II", "III", "IV")


def format_period(period: str, lang: str = "vi", *, long: bool = False) -> str:
    """Write a period code (``"2024H1"``, ``"2023Q2"``, ``"2023"``) for display: short for axes
    and titles, ``long`` (written out) for the briefs. Anything else is returned as is.

    >>> format_period("2024H1", "vi"), format_period("2024H1", "en"), format_period("2023", "vi")
    ('H1/2024', '2024 H1', '2023')
    >>> format_period("2023Q2", "vi"), format_period("2023Q2", "en")
    ('Q2/2023', '2023 Q2')
    >>> format_period("2025H1", "vi", long=True), format_period("2024H2", "en", long=True)
    ('6 tháng đầu năm 2025', 'second half of 2024')
    >>> format_period("2023Q2", "vi", long=True), format_period("2023", "vi", long=True)
    ('quý II/2023', 'năm 2023')
    """
    _check_lang(lang)
    if not is_period(period):
        return _nfc(str(period))
    year, kind, part = parse_period(period)
    if not long:
        return t("period.short", lang, year=year, kind=kind, part=part) if kind else str(year)
    if not kind:
        return t("period.year", lang, year=year)
    if kind == "H":
        return t(f"period.half_{part}", lang, year=year)
    return t("period.quarter", lang, year=year, quarter=part, roman=_ROMAN[int(part) - 1])


_MISSING_TEXT = {"", "–", "—", "-", "na", "n/a", "nan", "none", "null"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+)?(\.\d+)?$")


def parse_number(text: str | float | int | None, *, lang: str | None = None) -> float:
    """Read a number typed by a user, Vietnamese decimal commas included.

    Rules, in order: whitespace (also non-breaking and thin spaces) and a trailing ``%`` are
    dropped; ``−`` and ``-`` are minus signs; empty text, ``–`` or ``NA`` give NaN. With
    ``lang="vi"`` a comma is the decimal mark and dots group thousands; with ``lang="en"`` the
    reverse. Without ``lang`` (the default) the mark that comes last is the decimal mark when both
    appear; a lone comma is a decimal comma (``"85,5"``); a mark that appears twice or more
    groups thousands (``"1.234.567"``, ``"1,234,567"``); a lone dot is a decimal point.

    Args:
        text: the typed value (numbers pass through as floats).
        lang: force the Vietnamese (``"vi"``) or English (``"en"``) convention.

    Returns:
        The value as a float (percentages are returned in percent: ``"85,5%"`` -> 85.5).

    Raises:
        NumberParseError: the text is not a number in any accepted form.

    >>> parse_number("85,5"), parse_number("1.234,5"), parse_number("85,5%")
    (85.5, 1234.5, 85.5)
    >>> parse_number("1,234.5"), parse_number("141.851", lang="vi"), parse_number("−0,25")
    (1234.5, 141851.0, -0.25)
    >>> parse_number(" 1 234,5 ")
    1234.5
    """
    if text is None:
        return math.nan
    if isinstance(text, numbers.Number) and not isinstance(text, bool):
        return float(text)  # type: ignore[arg-type]
    if not isinstance(text, str):
        raise NumberParseError(
            f"cannot read a number from {text!r} (type {type(text).__name__}); give a str or number"
        )
    if lang is not None:
        _check_lang(lang)
    raw = text
    s = _nfc(text).strip()
    for space in (" ", "\u00a0", "\u202f", "\u2009", "'"):
        s = s.replace(space, "")
    s = s.removesuffix("%")
    if s.lower() in _MISSING_TEXT:
        return math.nan
    s = s.replace(_MINUS, "-")
    if lang == "vi":
        dec, thou = ",", "."
    elif lang == "en":
        dec, thou = ".", ","
    elif "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
    elif s.count(",") >= 2:
        dec, thou = ".", ","
    elif s.count(".") >= 2:
        dec, thou = ",", "."
    elif "," in s:
        dec, thou = ",", "."
    else:
        dec, thou = ".", ","
    if s.count(dec) > 1:
        raise NumberParseError(
            f"cannot read {raw!r} as a number: decimal mark {dec!r} appears more than once; "
            "write e.g. 1.234,5 (Vietnamese) or 1,234.5 (English)"
        )
    int_part = s.split(dec)[0].lstrip("+-")
    if thou in int_part:
        groups = int_part.split(thou)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise NumberParseError(
                f"cannot read {raw!r} as a number: thousands separator {thou!r} must group digits by three "
                "(e.g. 1.234.567,5 in Vietnamese or 1,234,567.5 in English)"
            )
    normalised = s.replace(thou, "").replace(dec, ".")
    if not _NUMBER_RE.match(normalised) or normalised in {"", "+", "-", ".", "+.", "-."}:
        raise NumberParseError(
            f"cannot read {raw!r} as a number; expected e.g. 85,5 or 1.234,5 (Vietnamese), "
            "85.5 or 1,234.5 (English), optionally with a trailing %"
        )
    return float(normalised)


def translate_mapping(mapping: Mapping[str, str], lang: str) -> dict[str, str]:
    """Translate the values of ``mapping`` (label keys) into ``lang``.

    >>> translate_mapping({"g": "pillar.government"}, "en")
    {'g': 'Digital government'}
    """
    return {k: t(v, lang) for k, v in mapping.items()}
