"""Where the data of a run come from: the records of the datasets it used, and the brief's source
list printed from them.

``Inputs.provenance`` (a list of records ``{id, title, producer, year, url, licence, status,
citation_vi, citation_en}``, built by the data layer from each dataset's SOURCE.md header: see
:mod:`analysis.provenance`) is the one source of the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..loaders import Inputs


def provenance_of(*inputs: Inputs) -> list[dict]:
    """The records of every dataset the inputs used (``Inputs.provenance``, built by the data
    layer: :mod:`analysis.provenance`), each once."""
    out: list[dict] = []
    for i in inputs:
        for r in i.provenance:
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
