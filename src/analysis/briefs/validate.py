"""The brief schema: its constants and :func:`validate_brief` (light, no pandas).

The schema itself is described in :mod:`analysis.briefs`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

from ..errors import RenderError

SCHEMA = "dgap.brief/1"
KINDS = ("commune", "district")
LANGS = ("vi", "en")
DATA_STATUSES = ("synthetic", "observed", "mixed")
FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")


def check_lang(lang: str) -> None:
    """Raises RenderError unless ``lang`` is a language of the briefs."""
    if lang not in LANGS:
        raise RenderError(f"lang={lang!r}: expected one of {LANGS}")


def validate_brief(brief: Mapping) -> None:
    """Check the parts of a brief that the templates rely on.

    Raises:
        RenderError: naming the field, the bad value and what is expected.
    """
    if not isinstance(brief, Mapping):
        raise RenderError(f"a brief must be a dict, got {type(brief).__name__}")
    if brief.get("schema") != SCHEMA:
        raise RenderError(f"brief.schema={brief.get('schema')!r}: expected {SCHEMA!r}")
    meta = brief.get("meta")
    if not isinstance(meta, Mapping):
        raise RenderError(
            "brief.meta is missing; build the brief with build_commune_brief/build_district_brief"
        )
    for key in (
        "kind",
        "lang",
        "period",
        "date",
        "title",
        "unit_code",
        "data_status",
        "keywords",
        "edition",
    ):
        if key not in meta:
            raise RenderError(f"brief.meta.{key} is missing")
    if meta["kind"] not in KINDS:
        raise RenderError(f"brief.meta.kind={meta['kind']!r}: expected one of {KINDS}")
    if meta["lang"] not in LANGS:
        raise RenderError(f"brief.meta.lang={meta['lang']!r}: expected one of {LANGS}")
    if meta["data_status"] not in DATA_STATUSES:
        raise RenderError(
            f"brief.meta.data_status={meta['data_status']!r}: expected one of {DATA_STATUSES}"
        )
    try:
        _dt.date.fromisoformat(str(meta["date"]))
    except ValueError as exc:
        raise RenderError(
            f"brief.meta.date={meta['date']!r}: expected an ISO date YYYY-MM-DD"
        ) from exc
    if not isinstance(brief.get("labels"), Mapping):
        raise RenderError("brief.labels is missing")
    if not isinstance(brief.get("key_message"), list):
        raise RenderError("brief.key_message must be a list of sentences")
    figs = brief.get("figures", {})
    if not isinstance(figs, Mapping):
        raise RenderError(f"brief.figures must be a dict name -> path, got {type(figs).__name__}")
