"""What a run leaves behind and how the next run trusts it: run records, file integrity, the store.

* **Records.** A full run of an edition writes ``<output>/run.json``: the edition's provenance
  (parameters, data hashes, package, git revision, seed) and every task's outcome. A *partial*
  run (``--only``, or overrides that select a subset of the tasks) writes its own record
  ``<output>/runs/<sequence>-<time>.json`` and leaves ``run.json`` alone. Records carry a
  ``sequence`` number; the state the next run resumes from is ``run.json`` overlaid by every
  partial record made after it (:func:`load_state`).
* **Integrity.** Each task's entry lists the files it wrote (``files``: path -> size, sha256,
  mtime). A task is finished only if every one of them is still what was written: the size
  must match, and a file whose modification time changed is hashed again
  (:func:`check_file`). A file written by several tasks is checked against its latest write.
* **The store.** ``<output>/store/`` (and the legacy ``<output>/cache/``) hold computed results
  keyed on inputs, parameters and the package source; ``--force`` empties them
  (:func:`clear_store`) and each record lists the store files present (:func:`list_store`).

Light on purpose: json, hashlib and os only.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..outputs import write_text

log = logging.getLogger("analysis.runner")

MANIFEST = "run.json"
RUNS_DIR = "runs"
#: the results store and its predecessor, both emptied by --force
STORE_DIRS = ("store", "cache")
MANIFEST_VERSION = 2
_PARTIAL_NAME = re.compile(r"^(\d+)-[0-9TZ]+-\d+\.json$")


# --------------------------------------------------------------------------- files
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_record(path: Path) -> dict | None:
    """Size, SHA-256 and modification time of a file (None if it is not there)."""
    try:
        st = path.stat()
        digest = sha256_file(path)
    except OSError:
        return None
    return {"size": st.st_size, "sha256": digest, "mtime_ns": st.st_mtime_ns}


def check_file(path: Path, record: dict) -> str | None:
    """Why ``path`` is no longer what ``record`` says was written, or None if it still is.

    A different size (a truncated file) is enough; an unchanged size and modification time
    are trusted; otherwise the content is hashed (a copied or touched file that is the same
    is fine, an edited one is not). ``record["mtime_ns"]`` is updated when the content is the
    same.
    """
    try:
        st = path.stat()
    except OSError:
        return "is gone"
    size = record.get("size")
    if size != st.st_size:
        return f"changed size since it was written ({size} -> {st.st_size} bytes)"
    if record.get("mtime_ns") == st.st_mtime_ns:
        return None
    try:
        same = sha256_file(path) == record.get("sha256")
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not same:
        return "changed content since it was written"
    record["mtime_ns"] = st.st_mtime_ns
    return None


def task_files(out: Path, relpaths: list[str]) -> dict[str, dict]:
    """:func:`file_record` of each file (relative to ``out``, or absolute) that exists."""
    files = {}
    for rel in relpaths:
        rec = file_record(out / rel)
        if rec is not None:
            files[rel] = rec
    return files


# --------------------------------------------------------------------------- records
def now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def read_record(path: Path) -> dict:
    """A run record, or {} if it is missing or unreadable (then every task will run)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        log.warning("ignoring unreadable %s (%s): every task will run", path, exc)
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("tasks"), dict) else {}


def write_record(path: Path, record: dict) -> None:
    """Write a run record atomically (a crash leaves the previous version whole)."""
    text = json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n"
    write_text(path, text, record=False)


def _partial_records(out: Path) -> list[tuple[int, Path]]:
    runs = out / RUNS_DIR
    if not runs.is_dir():
        return []
    found = []
    for p in runs.iterdir():
        m = _PARTIAL_NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found)


@dataclass
class State:
    """What earlier runs left in an output folder.

    Attributes:
        full: The last full run's record (``run.json``), or {}.
        tasks: Each task's latest entry (``run.json`` overlaid by later partial records).
        latest: Each file's latest record (its last write, by any task).
        sequence: The highest record sequence number seen.
        running: Records left ``running`` (their run died), by path.
    """

    full: dict = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)
    latest: dict[str, dict] = field(default_factory=dict)
    sequence: int = 0
    running: dict[Path, dict] = field(default_factory=dict)


def load_state(out: Path) -> State:
    """The state the next run of ``out`` resumes from (see the module docstring)."""
    full = read_record(out / MANIFEST)
    state = State(full=full, sequence=int(full.get("sequence") or 0))
    records = [(out / MANIFEST, full)] if full else []
    base = state.sequence
    for seq, path in _partial_records(out):
        state.sequence = max(state.sequence, seq)
        if seq > base:
            rec = read_record(path)
            if rec:
                records.append((path, rec))
    for path, rec in records:
        if rec.get("status") == "running":
            state.running[path] = rec
        for tid, entry in rec["tasks"].items():
            if isinstance(entry, dict):
                state.tasks[tid] = entry
                for rel, frec in (entry.get("files") or {}).items():
                    state.latest[rel] = frec
    return state


def mark_interrupted(state: State) -> None:
    """Records left ``running`` by a run that died: now ``interrupted`` (the lock is ours)."""
    for path, rec in state.running.items():
        rec["status"] = "interrupted"
        rec["interrupted_detected"] = now()
        for entry in rec["tasks"].values():
            if isinstance(entry, dict) and entry.get("status") == "pending":
                entry["status"] = "interrupted"
        write_record(path, rec)
        log.warning(
            "the run started %s (pid %s) did not finish: it was killed or crashed; %s marked interrupted",
            rec.get("started"),
            (rec.get("runner") or {}).get("pid", "?"),
            path.name,
        )


def partial_record_path(out: Path, sequence: int) -> Path:
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return out / RUNS_DIR / f"{sequence:06d}-{stamp}-{os.getpid()}.json"


# --------------------------------------------------------------------------- stale outputs
def remove_stale(out: Path, stale: list[str]) -> list[str]:
    """Delete files (relative to ``out``, inside it) a failed task left from an earlier run."""
    base = out.resolve()
    removed = []
    for rel in stale:
        path = (out / rel).resolve()
        if Path(rel).is_absolute() or base not in path.parents:
            continue  # never delete outside the output folder
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(rel)
    return removed


# --------------------------------------------------------------------------- store
def clear_store(out: Path) -> list[str]:
    """Empty the results store (``store/``) and the legacy ``cache/``; the folders emptied."""
    cleared = []
    for name in STORE_DIRS:
        folder = out / name
        if folder.is_dir() and any(folder.iterdir()):
            shutil.rmtree(folder)
            folder.mkdir()
            cleared.append(name)
    return cleared


def method_records(out: Path) -> dict[str, dict]:
    """The method that produced each results folder of a run: every ``tables/method.json`` under
    ``out`` (written by the notebooks from ``Results.method``), keyed by its folder relative to
    ``out`` (``"."``, ``"post2025"``...). An unreadable file is reported, not skipped silently."""
    found = {}
    for path in sorted(out.rglob("tables/method.json")):
        rel = path.parent.parent.relative_to(out).as_posix()
        if rel.split("/", 1)[0] in STORE_DIRS:
            continue
        try:
            found[rel] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            found[rel] = {"error": f"unreadable: {exc}"}
    return found


def list_store(out: Path) -> list[dict]:
    """The files of ``<out>/store/``: path (relative to ``out``) and size."""
    folder = out / STORE_DIRS[0]
    if not folder.is_dir():
        return []
    return [
        {"path": p.relative_to(out).as_posix(), "size": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    ]
