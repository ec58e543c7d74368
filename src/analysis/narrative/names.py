"""How units, groups of units and pillars are named in a language.

A unit's *kind* decides its wording: commune-level units of Viet Nam (``xã``, ``thị trấn``,
``phường``: the ``unit_type.*`` strings) are named with their type ("xã Đại Thạnh" / "Đại Thạnh
commune"); provinces, countries and other units by their name alone ("Quảng Nam", "Thái Lan" /
"Thailand"). Country names come from the source's ``name_<lang>`` column or from the Unicode CLDR
(through Babel), in the order the ``naming.country`` string gives for the language: the UN's own
English names for the EGDI ("Viet Nam", "Republic of Korea"), CLDR's Vietnamese names
("Hàn Quốc", "Campuchia"), because the loaders fill a missing ``name_vi`` with the English name.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import config
from ..errors import RenderError
from ..i18n import format_number, has_label, t

if TYPE_CHECKING:
    import pandas as pd

    from ..frameworks import Framework

#: ``unit_type`` of the units table -> the kind of a unit that is not commune-level
_KIND_OF_TYPE = {
    "tỉnh": "province",
    "province": "province",
    "province_2025": "province",
    "thành phố": "city",
    "country": "country",
    "mean": "mean",
    "aggregate": "aggregate",
}


def nfc(s: object) -> str:
    """``s`` as NFC text (``""`` for None)."""
    return unicodedata.normalize("NFC", str(s)) if s is not None else ""


def equals(column: pd.Series, value: object) -> pd.Series:
    """Boolean mask ``column == value`` comparing as text (codes and periods are str by contract;
    the cast is skipped when the column already holds strings)."""
    import pandas as pd

    if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
        column = column.astype(str)
    return column == str(value)


def as_float(x: object) -> float | None:
    """Float or None (NaN, NA and None become None).

    >>> as_float("0.5"), as_float(float("nan")), as_float(None), as_float("x")
    (0.5, None, None, None)
    """
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _text(row: Any, column: str) -> str:
    v = row.get(column)
    return nfc(v) if isinstance(v, str) and v else ""


@functools.cache
def _alpha2_of() -> dict[str, str]:
    """ISO 3166 alpha-3 -> alpha-2 (CLDR territory aliases, shipped with Babel)."""
    from babel.core import get_global

    return {k: v[0] for k, v in get_global("territory_aliases").items() if len(k) == 3 and v}


def cldr_country_name(codes: list[str], lang: str) -> str:
    """The CLDR name of the first code (ISO alpha-3 or alpha-2) CLDR knows, ``""`` if none.

    >>> cldr_country_name(["VNM"], "vi"), cldr_country_name(["KOR"], "vi"), cldr_country_name(["GR"], "en")
    ('Việt Nam', 'Hàn Quốc', 'Greece')
    """
    from babel import Locale

    names = Locale.parse(lang).territories
    for code in codes:
        code = str(code).upper()
        alpha2 = _alpha2_of().get(code, code) if len(code) == 3 else code
        if len(alpha2) == 2 and alpha2 in names:
            return nfc(names[alpha2])
    return ""


def _country_name(row: Any, lang: str) -> str:
    """A country's name in ``lang``: source column and CLDR in the order of ``naming.country``."""
    own = _text(row, f"name_{lang}")
    cldr = cldr_country_name([c for c in (_text(row, "iso3"), str(row["unit_code"])) if c], lang)
    order = (cldr, own) if t("naming.country", lang) == "cldr" else (own, cldr)
    return next((x for x in order if x), "")


@dataclass(frozen=True)
class UnitNames:
    """How a unit is named in one language."""

    code: str
    name: str  #: "Đại Thạnh", "Thái Lan" / "Thailand"
    full: str  #: "Xã Đại Thạnh" / "Đại Thạnh commune"; not commune-level: its name
    subject: str  #: in a sentence: "xã Đại Thạnh" / "Đại Thạnh commune"; not a commune: its name
    type_vi: str  #: "xã", "thị trấn", "country", ... (lower case, as in the units table)
    kind: str  #: "xã", "thị trấn", "phường", "province", "country", "mean", ... (``unit_kind.*``)
    is_commune: bool  #: a Vietnamese commune-level unit (its type has a ``unit_type.*`` string)
    district: str  #: former district ("" if none)
    province: str  #: province of a post-2025 commune ("" if none)
    population: int | None


def unit_kind(unit_type: str) -> str:
    """The kind of a unit from its ``unit_type``: the type itself for commune-level units.

    >>> unit_kind("xã"), unit_kind("country"), unit_kind("province_2025"), unit_kind("ấp")
    ('xã', 'country', 'province', 'other')
    """
    if has_label(f"unit_type.{unit_type}"):
        return unit_type
    return _KIND_OF_TYPE.get(unit_type, "other")


def unit_names(units: pd.DataFrame, unit_code: str, lang: str) -> UnitNames:
    """Name, full name, kind, district, province and population of a unit from the units table.

    Raises:
        RenderError: the unit is not in the table.
    """
    hit = units[equals(units["unit_code"], str(unit_code))]
    if hit.empty:
        raise RenderError(
            f"unit_code {unit_code!r} is not in the units table; check the code or the units file"
        )
    row = hit.iloc[0]
    type_vi = (_text(row, "unit_type") or "xã").lower()
    kind = unit_kind(type_vi)
    is_commune = has_label(f"unit_type.{type_vi}")
    name = nfc(row.get("name_vi", unit_code))
    if kind == "country":
        name = _country_name(row, lang) or name
    elif kind == "mean":
        name = t("place.mean_of_provinces", lang)
    if is_commune:
        type_text = t(f"unit_type.{type_vi}", lang)
        full = _text(row, f"full_name_{lang}") or t(
            "place.full", lang, type=type_text, Type=type_text.capitalize(), name=name
        )
        subject = t("place.named", lang, type=type_text, name=name)
    else:
        full = subject = name
    pop = as_float(row.get("population", row.get("population_2019_constituents")))
    return UnitNames(
        code=str(unit_code),
        name=name,
        full=full,
        subject=subject,
        type_vi=type_vi,
        kind=kind,
        is_commune=is_commune,
        district=_text(row, "former_district"),
        province=_text(row, "province_vi"),
        population=None if pop is None else int(pop),
    )


#: The kinds of a group of commune-level units (:func:`group_kind`): a district's communes and
#: towns (``xã``), or communes with wards and/or special zones (a province or the country after
#: 1 July 2025), each named by its own ``units_noun.*`` and ``place.n_*`` strings.
COMMUNE_GROUP_KINDS = ("xã", "xã, phường", "xã, đặc khu", "xã, phường, đặc khu")

#: commune-level types that a group's kind names beside ``xã`` (a ``thị trấn`` counts as a ``xã``)
_NAMED_TYPES = ("phường", "đặc khu")


def is_commune_group(kind: str) -> bool:
    """Whether a group's kind is commune-level (a district, or a province's or the country's
    communes, wards and special zones), as opposed to provinces, countries...

    >>> is_commune_group("xã"), is_commune_group("xã, phường"), is_commune_group("country")
    (True, True, False)
    """
    return kind in COMMUNE_GROUP_KINDS


def group_kind(units: pd.DataFrame) -> str:
    """The kind most units of a table share (``xã`` for a district, ``country``, ``province``).

    Commune-level types count as one kind (a district has communes and a town); when they
    include wards or special zones the kind says so (``xã, phường``, ``xã, phường, đặc khu``),
    so that counts and nouns name them ("94 xã, phường" / "94 communes and wards")."""
    counts: dict[str, int] = {}
    types: set[str] = set()
    if "unit_type" in units:  # by distinct type: a commune brief asks this of 3,321 units
        for u, n in units["unit_type"].value_counts().items():
            if not isinstance(u, str):
                continue
            u = nfc(u).lower()
            types.add(u)
            kind = unit_kind(u)
            kind = "xã" if has_label(f"unit_type.{kind}") else kind
            if kind not in ("mean", "aggregate", "other"):
                counts[kind] = counts.get(kind, 0) + int(n)
    kind = max(counts, key=counts.__getitem__) if counts else "xã"
    if kind == "xã":
        kind = ", ".join(["xã", *(u for u in _NAMED_TYPES if u in types)])
    return kind


def compared_kind(units: pd.DataFrame, gaps: pd.DataFrame) -> str:
    """The :func:`group_kind` of the units a gap table compares (its ``unit_code`` rows).

    Membership is tested in a Python set: ``Series.isin`` on the string dtype of pandas 3 takes
    about 25 ms for 3,321 units, and a commune brief asks this once."""
    codes = set(gaps["unit_code"].astype(str).tolist())
    keep = [c in codes for c in units["unit_code"].astype(str).tolist()]
    return group_kind(units.loc[keep, [c for c in ("unit_type",) if c in units]])


def count_units(n: int, kind: str, lang: str, *, post2025: bool = False) -> str:
    """``18 xã/thị trấn`` / ``18 communes``; ``193 quốc gia`` / ``193 countries``; communes with
    wards and special zones by their kind (``3.321 xã, phường, đặc khu`` / ``3,321 communes,
    wards and special zones``, whatever ``post2025``); thousands grouped in the language's way."""
    n = format_number(int(n), lang)
    if kind == "xã":
        return t("place.n_communes_new" if post2025 else "place.n_communes", lang, n=n)
    return t(f"place.n_{kind}", lang, n=n, default=t("place.n_units", lang, n=n))


def pillar_names(framework: Framework | None, lang: str) -> dict[str, str]:
    """Display names of the pillars: the framework's, else the default three."""
    names = {p: t(f"pillar.{p}", lang) for p in config.PILLARS}
    if framework is not None:
        for _, p in framework.pillars.iterrows():
            names[p["id"]] = nfc(p[f"name_{lang}"])
    return names
