"""Where the data of a run come from: the records of the datasets it used, and the brief's source
list printed from them.

``Inputs.provenance`` (a list of records ``{id, title, producer, year, url, licence, status,
citation_vi, citation_en}``) is the one source of the list. Inputs loaded before it existed get
the same records from :func:`provenance_from_inputs`, which reads what :class:`~analysis.loaders.
Inputs` already knows: the files used, the real source they hold (EGDI, DESI, DTI), the synthetic
status, the framework's targets and the crosswalk of the 2025 mergers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .. import config
from ..i18n import t
from .facts import source_of

if TYPE_CHECKING:
    from ..loaders import Inputs

#: decisions a framework may cite as the basis of its targets, by number
_DECISION = re.compile(r"(\d+/QĐ-(?:TTg|BTTTT))")
#: frameworks built on the DTI structure of Decision 922/QĐ-BTTTT
_DTI_FRAMEWORKS = ("commune", "dti_pillars", "dti_provincial")
#: documents the DTI rows cite, recognised in the observations' ``source`` column
_DTI_DOCUMENTS = {"7501-KH-UBND": "kh_7501"}


def _record(rid: str, status: str, key: str, **fields: object) -> dict:
    """One provenance record whose citations are the ``source.<key>`` strings."""
    return {
        "id": rid,
        "title": t(f"source.{key}", "en", **fields).split(",")[0],
        "status": status,
        "citation_vi": t(f"source.{key}", "vi", **fields),
        "citation_en": t(f"source.{key}", "en", **fields),
    }


def _years(inputs: Inputs) -> str:
    periods = sorted({str(p)[:4] for p in inputs.observations["period"].unique()})
    return ", ".join(periods)


def _span(inputs: Inputs) -> str:
    periods = sorted({str(p)[:4] for p in inputs.observations["period"].unique()})
    return periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"


def _observation_records(inputs: Inputs) -> list[dict]:
    source = source_of(inputs)
    path = Path(str(inputs.paths.get("observations", "")))
    if source == "egdi":
        return [_record("egdi", "published", "egdi", years=_years(inputs))]
    if source == "desi":
        return [_record("desi", "published", "desi", years=_span(inputs))]
    if source == "dti":
        out = [_record("dti", "published", "dti", years=_years(inputs))]
        cited = " ".join(inputs.observations.get("source", []).dropna().astype(str))
        out += [_record(k, "published", k) for doc, k in _DTI_DOCUMENTS.items() if doc in cited]
        return out
    if not path.name:
        return []  # the inputs name no observations file (built in memory)
    if path.resolve() == config.DEMO_OBSERVATIONS.resolve():
        return [_record("demo", "synthetic", "demo")]
    if inputs.is_synthetic:
        return [_record("observations", "synthetic", "synthetic_file", file=path.name)]
    return [_record("observations", "user-supplied", "user_file", file=path.name)]


def provenance_from_inputs(inputs: Inputs) -> list[dict]:
    """The provenance records of a run, from what its :class:`Inputs` know: the observations
    (demo panel, a real source, a user's file), the units (2019 census), the framework (the DTI
    structure, the decisions its targets cite) and the 2025 crosswalk."""
    records = _observation_records(inputs)
    fw = inputs.framework
    if fw is not None and fw.id in _DTI_FRAMEWORKS:
        records.append(_record("framework", "published", "922/QĐ-BTTTT"))
    if fw is not None and "target_source" in fw.indicators:
        cited: list[str] = []
        for s in fw.indicators["target_source"].dropna():
            cited += [d for d in _DECISION.findall(str(s)) if d not in cited]
        records += [_record(d, "published", d) for d in cited]
    units = inputs.units
    if "units" in inputs.paths and units is not None and "population" in units.columns:
        if units["population"].notna().any():
            records.append(_record("census_2019", "published", "census"))
    if "crosswalk" in inputs.paths:
        records.append(_record("crosswalk_2025", "published", "resolution_1659"))
    return records


def provenance_of(*inputs: Inputs) -> list[dict]:
    """The records of every dataset the inputs used, each once: ``Inputs.provenance`` when the
    inputs carry it, else :func:`provenance_from_inputs`."""
    out: list[dict] = []
    for i in inputs:
        own = getattr(i, "provenance", None)
        for r in own if own else provenance_from_inputs(i):
            if r not in out:
                out.append(r)
    return out


def source_list(records: list[dict], lang: str) -> list[str]:
    """The brief's source list: each record's citation in ``lang``, each once."""
    out: list[str] = []
    for r in records:
        text = r.get(f"citation_{lang}") or r.get("title") or ""
        if text and text not in out:
            out.append(text)
    return out


def data_status_of(records: list[dict], status: str) -> str:
    """What the method box says about the data: ``synthetic``, ``mixed`` (estimated or imputed
    values), else by the records: ``user`` (a user's file), ``published``, ``observed``."""
    if status in ("synthetic", "mixed"):
        return status
    kinds = {r.get("status") for r in records}
    for kind, said in (
        ("synthetic", "synthetic"),
        ("user-supplied", "user"),
        ("published", "published"),
    ):
        if kind in kinds:
            return said
    return "observed"
