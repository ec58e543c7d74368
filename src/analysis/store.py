"""The results store: one computation per run, shared by every notebook, in a safe format.

:func:`analysis.workflow.compute_results` is deterministic for its inputs and parameters, and
the notebooks of an edition all ask for the same results. The store keeps each computed
:class:`~analysis.results.Results` under ``<output>/store/<key>/``:

* the key is a digest of the inputs' digest, the parameters and the package source
  (:func:`analysis.runner.edition.package_digest`), so a code change reaches the numbers on the
  next run without ``--force`` (which also clears the folder);
* every table is a Parquet file and everything else one ``meta.json``: nothing is unpickled, so
  a file someone put in the output folder cannot run code;
* an entry is written to a temporary folder and renamed into place (atomic), under an exclusive
  lock per key: when two workers ask for the same results at once, one computes and the other
  waits and reads, instead of both computing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .results import Results
from .runner.edition import package_digest

#: bump when the layout of an entry changes (old entries are then ignored, not misread)
FORMAT = "dgap.results/1"
_META = "meta.json"


class StoreError(AnalysisError):
    """A store entry cannot be read (it is ignored and recomputed)."""


def results_key(inputs_digest: str, params: dict[str, Any]) -> str:
    """Key of one computation: inputs, parameters and the package source.

    >>> len(results_key("abc", {"draws": 10}))
    24
    """
    payload = json.dumps(
        {"inputs": inputs_digest, "params": params, "source": package_digest(), "format": FORMAT},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    raise TypeError(f"cannot store a {type(obj).__name__} in meta.json: {obj!r}")


def _write_entry(folder: Path, res: Results) -> None:
    meta: dict[str, Any] = {"format": FORMAT, "tables": {}, "values": {}}
    for f in dataclasses.fields(res):
        value = getattr(res, f.name)
        if isinstance(value, pd.DataFrame):
            value.to_parquet(folder / f"{f.name}.parquet", index=False)
            meta["tables"][f.name] = {"attrs": _jsonable(dict(value.attrs))}
        else:
            meta["values"][f.name] = _jsonable(value)
    (folder / _META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def _read_entry(folder: Path) -> Results:
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{folder}: unreadable store entry ({exc})") from exc
    if meta.get("format") != FORMAT:
        raise StoreError(f"{folder}: store format {meta.get('format')!r}, expected {FORMAT!r}")
    kwargs: dict[str, Any] = dict(meta["values"])
    for name, info in meta["tables"].items():
        df = pd.read_parquet(folder / f"{name}.parquet")
        df.attrs = info["attrs"]
        kwargs[name] = df
    names = {f.name for f in dataclasses.fields(Results)}
    if set(kwargs) != names:
        raise StoreError(f"{folder}: fields {sorted(set(kwargs) ^ names)} do not match Results")
    return Results(**kwargs)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def load(store_dir: str | os.PathLike[str], key: str) -> Results | None:
    """The stored results of ``key``, or None (absent, or unreadable: then recomputed)."""
    folder = Path(store_dir) / key
    if not (folder / _META).is_file():
        return None
    try:
        return _read_entry(folder)
    except (StoreError, OSError, ValueError, KeyError):
        return None


def save(store_dir: str | os.PathLike[str], key: str, res: Results) -> Path:
    """Write ``res`` under ``store_dir/key/`` atomically (a complete folder or nothing)."""
    final = Path(store_dir) / key
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".tmp", dir=final.parent))
    try:
        _write_entry(tmp, res)
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def get_or_compute(
    store_dir: str | os.PathLike[str] | None, key: str, compute: Callable[[], Results]
) -> Results:
    """Stored results of ``key``, computing and storing them once if absent.

    Concurrent callers (the workers of one run) serialise on a lock per key: the first
    computes, the others then read its entry. Without ``store_dir`` it just computes.
    """
    if store_dir is None:
        return compute()
    store = Path(store_dir)
    with _locked(store / f".{key}.lock"):
        res = load(store, key)
        if res is None:
            save(store, key, compute())
            # every task reads the same stored bytes, whichever of them computed
            res = load(store, key)
            if res is None:
                raise StoreError(f"{store / key}: just written and unreadable")
    return res
