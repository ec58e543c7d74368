"""What the commune and district briefs share: the common metadata, the template labels, the data
status, figure paths and the final conversion to plain JSON."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import RenderError
from ..i18n import format_level, format_period, labels_of, t
from ..narrative.brief import units_noun
from ..narrative.method import method_rows, run_method
from ..narrative.names import is_commune_group, nfc
from ..narrative.provenance import data_status_of, provenance_of, source_list
from ..periods import period_end
from ..status import summary_status
from .validate import DATA_STATUSES, SCHEMA

if TYPE_CHECKING:
    import os

    from ..loaders import Inputs
    from ..results import Results


def data_status(*inputs: Inputs) -> str:
    """Status of a brief from the inputs it was computed from: ``synthetic`` if any is,
    ``observed`` if all are, else ``mixed``."""
    status = summary_status(i.status for i in inputs)
    if status not in DATA_STATUSES:
        raise RenderError(f"data_status={status!r}: expected one of {DATA_STATUSES}")
    return status


def template_labels(lang: str, level: float, *, is_commune: bool = True, kind: str = "xã") -> dict:
    """Every fixed string of the templates (``brief.*``); ``brief_group.*`` replaces some for
    units that are not communes (provinces, countries), and the units compared are named by
    their kind ("xã", "quốc gia" / "communes", "countries")."""
    labels = labels_of("brief", lang)
    labels["interval"] = t("brief.interval", lang, level=format_level(level, lang))
    labels["method_interval"] = t("brief.method_interval", lang, level=format_level(level, lang))
    labels["meas_interval"] = t("brief.meas_interval", lang, level=format_level(level, lang))
    if not is_commune:
        labels.update(labels_of("brief_group", lang))
        labels["col_unit"] = units_noun(kind, lang).capitalize()
    elif kind != "xã" and is_commune_group(kind):  # communes with wards or special zones
        units = units_noun(kind, lang)
        labels.update({k: v.format(units=units) for k, v in labels_of("brief_wards", lang).items()})
    return labels


def common_meta(
    kind: str,
    lang: str,
    edition: str,
    period: str,
    status: str,
    res: Results,
    inputs: list[Inputs],
) -> dict:
    """The ``meta`` fields every brief has: period, status, framework, the method box (from the
    method that ran) and the sources (from the provenance of every input); title and unit are
    the builder's."""
    framework = inputs[0].framework
    method = run_method(res, inputs[0])
    records = provenance_of(*inputs)
    data = t(f"method.data_{data_status_of(records, status)}", lang)
    level = float((method.get("selection_interval") or {}).get("level", res.params["ci_level"]))
    return {
        "kind": kind,
        "lang": lang,
        "edition": str(edition),
        "period": period,
        "period_label": format_period(period, lang, long=True),
        "date": period_end(period).isoformat(),
        "data_status": status,
        "framework": nfc(getattr(framework, f"name_{lang}")),
        "ci_level": level,
        "scale": str((method.get("scale") or {}).get("normalise", "")),
        "method": method_rows(method, framework, data, lang),
        "sources": source_list(records, lang),
    }


def figure_paths(figures: Mapping[str, str | os.PathLike | None] | None) -> dict[str, str]:
    """``{name: path}`` of the figures given (None: not drawn)."""
    return {str(k): str(v) for k, v in (figures or {}).items() if v is not None}


def assemble(context: Any, sections: Iterable[Callable[[Any], dict]]) -> dict:
    """The brief: the schema id, then the fields of each section (a builder takes the brief's
    context and returns ``{field: value}``), as plain JSON."""
    brief: dict[str, Any] = {"schema": SCHEMA}
    for section in sections:
        brief.update(section(context))
    return to_plain(brief)


def to_plain(obj: Any) -> Any:
    """Recursively NFC strings, NaN -> None, numpy scalars -> Python (JSON-safe).

    >>> import numpy as np
    >>> to_plain({"a": [np.float64("nan"), np.int64(3), "Ðại"]})
    {'a': [None, 3, 'Ðại']}
    """
    if isinstance(obj, Mapping):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_plain(v) for v in obj]
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return int(obj)
    if hasattr(obj, "item") and not isinstance(obj, float):  # numpy scalar
        return to_plain(obj.item())
    if isinstance(obj, float):
        return None if math.isnan(obj) else float(obj)
    return obj
