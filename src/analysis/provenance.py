"""Where each dataset of a run comes from: one record per dataset, for run metadata and briefs.

Every folder of shipped data documents itself in a ``SOURCE.md`` (``README.md`` for the demo
panel) that starts with a small YAML header between ``---`` lines::

    ---
    datasets:
      - id: egdi
        title: ...
        producer: ...
        date: "2010-2024"
        url: ...
        licence: ...
        status: published          # observed | published | synthetic | user-supplied
        citation_en: ...
        citation_vi: ...
        files: {egdi-2010.csv: <sha256>, ...}
    ---

:func:`dataset_record` finds the record of a file or folder from that header (the record whose
``files`` name it); a file outside the shipped folders is a user's file: its producer and date
come from the data-entry template's fields, else it is "user-supplied, unpublished". Records are
plain JSON-able dicts (the keys of :data:`RECORD_KEYS`, plus ``role``, ``path`` and ``files``);
:func:`analysis.loaders.load_inputs` collects them into ``Inputs.provenance``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import yaml

from . import config
from .errors import DataValidationError

#: Keys of every record (contract §5), in order.
RECORD_KEYS = (
    "id",
    "title",
    "producer",
    "date",
    "url",
    "licence",
    "status",
    "citation_vi",
    "citation_en",
)
#: Status of a dataset (not of an observation: see :mod:`analysis.status`).
DATASET_STATUSES = ("observed", "published", "synthetic", "user-supplied")
#: Names of the documentation file a data folder may hold, in the order they are looked for.
SOURCE_FILES = ("SOURCE.md", "README.md")
USER_SUPPLIED = "user-supplied, unpublished"
_PACKAGE = Path(__file__).resolve().parent
_HEADER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.S)


def read_header(path: str | Path) -> list[dict]:
    """The dataset records in the YAML header of one ``SOURCE.md`` (empty if it has none).

    Raises:
        DataValidationError: the header is not valid YAML, or a record lacks a key of
            :data:`RECORD_KEYS` or has an unknown status.
    """
    return [dict(r) for r in _read_header(str(Path(path).resolve()))]


@functools.cache
def _read_header(path: str) -> tuple[dict, ...]:
    text = Path(path).read_text(encoding="utf-8")
    m = _HEADER.match(text)
    if not m:
        return ()
    try:
        doc = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DataValidationError([f"{path}: the YAML header cannot be read ({exc})"]) from exc
    records = doc.get("datasets") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        raise DataValidationError([f"{path}: the header needs a list 'datasets:'"])
    problems = []
    for i, rec in enumerate(records):
        missing = [k for k in RECORD_KEYS if not isinstance(rec, dict) or k not in rec]
        if missing:
            problems.append(f"{path}: datasets[{i}] lacks {missing}")
        elif rec["status"] not in DATASET_STATUSES:
            problems.append(
                f"{path}: datasets[{i}] status {rec['status']!r}: use one of {DATASET_STATUSES}"
            )
    if problems:
        raise DataValidationError(problems, source=path)
    return tuple(records)


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _shown_path(path: Path) -> str:
    """A path as a record shows it, the same in a clone and an installed wheel: a file of the
    package as ``analysis/...``, a shipped data file relative to the project's files
    (``data/raw/egdi``), anything else by its name only (no machine paths in outputs)."""
    resolved, root = path.resolve(), config.ROOT.resolve()
    in_package = resolved.is_relative_to(_PACKAGE)
    if resolved.is_relative_to(root) and (not in_package or root.is_relative_to(_PACKAGE)):
        return resolved.relative_to(root).as_posix()
    if in_package:
        return resolved.relative_to(_PACKAGE.parent).as_posix()
    return path.name


def _documented(path: Path) -> tuple[dict, Path] | None:
    """The shipped record naming ``path`` (a file, or a folder whose files it lists)."""
    folder = path if path.is_dir() else path.parent
    for name in SOURCE_FILES:
        doc = folder / name
        if not doc.is_file():
            continue
        for rec in read_header(doc):
            files = rec.get("files") or {}
            if path.is_dir() or path.name in files:
                return rec, doc
    return None


def dataset_record(path: str | Path, role: str, *, fields: dict | None = None) -> dict:
    """The provenance record of one dataset a run used.

    Args:
        path: the file or folder read.
        role: what the run used it for: ``observations``, ``units``, ``framework``,
            ``crosswalk``...
        fields: the producer and date typed in the data-entry template (a user's workbook).

    Returns:
        The documented record (from the folder's ``SOURCE.md`` header) with ``role`` and
        ``path``; for a file that no header names, a user's record: producer and date from
        ``fields``, else "user-supplied, unpublished", with the file's SHA-256.
    """
    path = Path(path)
    found = _documented(path)
    if found is not None:
        rec, _ = found
        out = {k: rec[k] for k in RECORD_KEYS}
        out.update(role=role, path=_shown_path(path), files=dict(rec.get("files") or {}))
        if "retrieved" in rec:
            out["retrieved"] = rec["retrieved"]
        return out
    return user_record(path, role, fields=fields)


def user_record(path: str | Path, role: str, *, fields: dict | None = None) -> dict:
    """The record of a user's file: who produced it and when, as typed in the template, else
    "user-supplied, unpublished"; the file's name and SHA-256 identify it."""
    path = Path(path)
    fields = {k: str(v).strip() for k, v in (fields or {}).items() if str(v).strip()}
    producer = fields.get("producer") or USER_SUPPLIED
    date = fields.get("date", "")
    files = (
        {p.name: sha256_file(p) for p in sorted(path.iterdir()) if p.is_file()}
        if path.is_dir()
        else {path.name: sha256_file(path)}
        if path.is_file()
        else {}
    )
    when = f", {date}" if date else ""
    return {
        "id": re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem) or "data",
        "title": path.name,
        "producer": producer,
        "date": date,
        "url": "",
        "licence": "",
        "status": "user-supplied",
        "citation_vi": f"{producer}{when}: tệp {path.name}",
        "citation_en": f"{producer}{when}: file {path.name}",
        "role": role,
        "path": _shown_path(path),
        "files": files,
    }


def source_record(path: str | Path, source: str, role: str) -> dict:
    """The record of a real published source (EGDI, DESI, DTI) read from ``path``.

    The shipped copy (``data/raw/<source>/``) has its own record. A download of the same source
    elsewhere keeps the source's citation, producer and licence, lists the files actually read
    with their SHA-256, and says it is not the shipped copy.
    """
    path = Path(path)
    found = _documented(path)
    if found is not None:
        return dataset_record(path, role)
    shipped = config.RAW / source
    base = _documented(shipped) if shipped.is_dir() else None
    if base is None:
        return user_record(path, role)
    rec = dataset_record(shipped, role)
    rec.update(
        path=_shown_path(path),
        files=user_record(path, role)["files"],
        retrieved="a download by the user (not the copy shipped with the package)",
    )
    return rec
