"""Editions (YAML), overrides and task expansion (parameters: :mod:`.params`).

Edition file schema (``notebooks/params/<edition>.yaml``; every key but ``notebooks`` is
optional)::

    edition: dai_loc                 # name; default: the file name without .yaml
    description: Full run, every commune in Vietnamese and English
    output_dir: reports/dai_loc      # default: reports/<edition>
    notebooks_dir: notebooks         # where ``name:`` entries are looked up
    seed: 20250701                   # recorded in run.json; passed as ``seed`` if declared
    kernel: dgap                     # kernel name (default: the notebook's kernelspec)
    timeout: 1200                    # per-cell timeout in seconds (default: none)
    datasets:                        # hashed for resume/provenance; passed by key if declared
      observations_path: data/demo/observations.csv
      units_path: data/raw/units/dai_loc_units.csv
    parameters:                      # shared: given to every notebook that declares them
      period: 2025H1
    notebooks:
      - 00_data_quality              # a plain name is {name: 00_data_quality}
      - name: 30_commune_profile     # notebooks_dir/30_commune_profile.ipynb (or path: ...)
        id: 30_commune_profile       # task name prefix (default: name)
        parameters: {top_k: 3}       # per-notebook parameters (strict)
        grid:                        # cartesian product, one task per combination
          unit_code: {csv: data/raw/units/dai_loc_units.csv, column: unit_code}
          lang: [vi, en]

Relative paths in an edition are resolved against the project root (``analysis.config.ROOT``,
or the ``root`` argument of :func:`load_edition`); relative paths given with ``-p``/``-f`` for a
dataset or any parameter named ``*_path`` against the folder dgap is run from
(:func:`resolve_relative_paths`). The runner also passes ``output_dir`` (the
edition's output folder, absolute) and ``edition`` (its name) to every notebook that
declares them; these two cannot be set as parameters.

Precedence, lowest first: notebook default < edition ``parameters`` < notebook
``parameters`` < ``grid`` < ``-f`` files < ``-p`` flags. An override of a grid name replaces
that grid axis by the single value. An override ``NOTEBOOK.NAME`` targets one notebook.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .. import __version__, config
from ..errors import ParameterError
from ..outputs import slug
from .params import (  # noqa: F401  (re-exported: the runner's public names)
    NotebookParameter,
    check_allowed,
    coerce_parameter,
    inspect_parameters,
)

#: Parameters supplied by the runner itself.
RESERVED = ("output_dir", "edition")

_EDITION_KEYS = {
    "edition",
    "description",
    "output_dir",
    "notebooks_dir",
    "seed",
    "kernel",
    "timeout",
    "datasets",
    "parameters",
    "notebooks",
}
_ENTRY_KEYS = {"name", "path", "id", "parameters", "grid", "kernel", "timeout"}


# --------------------------------------------------------------------------- YAML files
def read_yaml(path: Path, what: str) -> Any:
    """Parse a YAML file given by the user; every problem is a located :class:`ParameterError`.

    Args:
        path: The file.
        what: What the file is, for the message (``"edition"``, ``"parameters file (-f)"``).

    Raises:
        ParameterError: The file is unreadable, not UTF-8 (the byte and its line are named) or
            not valid YAML (``FILE:LINE:COLUMN``, the problem and its context).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{what} {path}: cannot read it ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParameterError(
            f"{path}:{line}: {what} is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
            "save it as UTF-8 (any editor's 'Save with encoding')"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        detail = "; ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise ParameterError(f"{where}: {what} is not valid YAML: {detail}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: {what} is not valid YAML: {exc}") from None


# --------------------------------------------------------------------------- overrides
@dataclass(frozen=True)
class Override:
    """One ``-p``/``-f`` value: ``notebook`` is None for all notebooks that declare ``name``."""

    name: str
    value: Any
    source: str
    notebook: str | None = None
    from_text: bool = False


def _split_name(name: str) -> tuple[str | None, str]:
    if "." in name:
        nb, _, pname = name.rpartition(".")
        return nb, pname
    return None, name


def parse_override(name: str, value: str) -> Override:
    """An override from ``-p NAME VALUE`` (``NAME`` may be ``NOTEBOOK.NAME``).

    Examples:
        >>> parse_override("30_commune_profile.lang", "en").notebook
        '30_commune_profile'
    """
    nb, pname = _split_name(name)
    return Override(pname, value, f"-p {name} {value}", nb, from_text=True)


def load_override_file(path: str | Path) -> list[Override]:
    """Overrides from a ``-f PARAMS.yaml`` file: a flat mapping ``name: value``.

    Raises:
        ParameterError: If the file is missing or not a mapping.
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"parameters file {p} does not exist (given with -f)")
    data = read_yaml(p, "parameters file (-f)") or {}
    if not isinstance(data, dict):
        raise ParameterError(
            f"parameters file {p} must hold a mapping name: value, got {type(data).__name__}"
        )
    out = []
    for name, value in data.items():
        nb, pname = _split_name(str(name))
        out.append(Override(pname, value, f"-f {p} ({name})", nb))
    return out


# --------------------------------------------------------------------------- edition
@dataclass(frozen=True)
class NotebookEntry:
    """One notebook of an edition (see the module docstring for the YAML keys)."""

    name: str
    path: Path
    id: str
    parameters: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, list[Any]] = field(default_factory=dict)
    kernel: str | None = None
    timeout: int | None = None


@dataclass(frozen=True)
class Edition:
    """A parsed edition file."""

    name: str
    source: Path | None
    root: Path
    output_dir: Path
    notebooks: tuple[NotebookEntry, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    datasets: dict[str, Path] = field(default_factory=dict)
    seed: int | None = None
    kernel: str | None = None
    timeout: int | None = None
    description: str = ""


def _resolve(root: Path, value: str | Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (root / p)


def _edition_path(edition: str | Path) -> Path:
    p = Path(edition)
    if p.suffix in (".yaml", ".yml") or p.exists() or len(p.parts) > 1:
        return p
    return config.PARAMS / f"{edition}.yaml"


def _grid_values(key: str, spec: Any, root: Path, where: str) -> list[Any]:
    if isinstance(spec, list):
        if not spec:
            raise ParameterError(f"{where}: grid {key!r} is an empty list")
        return list(spec)
    if isinstance(spec, dict) and "csv" in spec:
        path = _resolve(root, spec["csv"])
        column = spec.get("column", key)
        if not path.is_file():
            raise ParameterError(f"{where}: grid {key!r} reads {path}, which does not exist")
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if column not in (reader.fieldnames or []):
                raise ParameterError(
                    f"{where}: grid {key!r}: column {column!r} not in {path} (columns: {', '.join(reader.fieldnames or [])})"
                )
            values = [row[column] for row in reader if row[column] not in ("", None)]
        return list(dict.fromkeys(values))
    if isinstance(spec, (str, int, float, bool)):
        return [spec]
    raise ParameterError(
        f"{where}: grid {key!r} must be a list or {{csv: PATH, column: NAME}}, got {spec!r}"
    )


def load_edition(edition: str | Path, *, root: str | Path | None = None) -> Edition:
    """Read and check an edition file.

    Args:
        edition: An edition name (``notebooks/params/<name>.yaml``) or a path to a YAML file.
        root: Folder relative paths in the file are resolved against (default: project root).

    Returns:
        The :class:`Edition`.

    Raises:
        ParameterError: If the file is missing or malformed; the message names the key.
    """
    path = _edition_path(edition)
    if not path.is_file():
        avail = (
            sorted(p.stem for p in config.PARAMS.glob("*.yaml")) if config.PARAMS.is_dir() else []
        )
        raise ParameterError(
            f"edition {edition!r}: no file {path}; available editions: {', '.join(avail) or '(none)'}"
        )
    data = read_yaml(path, "edition") or {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: an edition must be a YAML mapping")
    unknown = set(data) - _EDITION_KEYS
    if unknown:
        raise ParameterError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_EDITION_KEYS))}"
        )
    base = Path(root) if root is not None else config.ROOT
    name = str(data.get("edition") or path.stem)
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ParameterError(
            f"{path}: edition name {name!r} must use letters, digits, '.', '_' or '-'"
        )
    nb_dir = _resolve(base, data.get("notebooks_dir", "notebooks"))
    raw_nbs = data.get("notebooks")
    if not raw_nbs or not isinstance(raw_nbs, list):
        raise ParameterError(
            f"{path}: 'notebooks' must be a non-empty list of notebook names or mappings"
        )
    entries = []
    for i, raw in enumerate(raw_nbs):
        where = f"{path} notebooks[{i}]"
        if isinstance(raw, str):
            raw = {"name": raw}
        if not isinstance(raw, dict) or not (raw.get("name") or raw.get("path")):
            raise ParameterError(
                f"{where}: each notebook is a name or a mapping with 'name' or 'path'"
            )
        bad = set(raw) - _ENTRY_KEYS
        if bad:
            raise ParameterError(
                f"{where}: unknown key(s) {', '.join(sorted(bad))}; allowed: {', '.join(sorted(_ENTRY_KEYS))}"
            )
        nb_path = (
            _resolve(base, raw["path"]) if raw.get("path") else nb_dir / f"{raw['name']}.ipynb"
        )
        nb_name = str(raw.get("name") or nb_path.stem)
        params = raw.get("parameters") or {}
        grid = raw.get("grid") or {}
        if not isinstance(params, dict) or not isinstance(grid, dict):
            raise ParameterError(f"{where}: 'parameters' and 'grid' must be mappings")
        entries.append(
            NotebookEntry(
                name=nb_name,
                path=nb_path,
                id=str(raw.get("id") or nb_name),
                parameters=dict(params),
                grid={str(k): _grid_values(str(k), v, base, where) for k, v in grid.items()},
                kernel=raw.get("kernel"),
                timeout=raw.get("timeout"),
            )
        )
    datasets = data.get("datasets") or {}
    shared = data.get("parameters") or {}
    if not isinstance(datasets, dict) or not isinstance(shared, dict):
        raise ParameterError(f"{path}: 'datasets' and 'parameters' must be mappings")
    for key in RESERVED:
        if key in shared or any(key in e.parameters or key in e.grid for e in entries):
            raise ParameterError(
                f"{path}: {key!r} is set by the runner (output folder reports/<edition>, edition name); "
                "use the edition's 'output_dir'/'edition' keys instead"
            )
    if data.get("output_dir"):
        out = _resolve(base, data["output_dir"])
    else:  # outside a clone the project root is the installed package: write to ./reports
        out = base / "reports" / name if root is not None else config.edition_dir(name).absolute()
    seed = data.get("seed", config.DEFAULT_SEED)
    return Edition(
        name=name,
        source=path.resolve(),
        root=base,
        output_dir=out,
        notebooks=tuple(entries),
        parameters=dict(shared),
        datasets={str(k): _resolve(base, v) for k, v in datasets.items()},
        seed=None if seed is None else int(seed),
        kernel=data.get("kernel"),
        timeout=data.get("timeout"),
        description=str(data.get("description") or ""),
    )


# --------------------------------------------------------------------------- tasks
@dataclass(frozen=True)
class Task:
    """One notebook execution: a notebook with fully resolved, typed parameters."""

    id: str
    notebook: str
    path: Path
    parameters: dict[str, Any]
    grid: dict[str, Any]
    fingerprint: str
    kernel: str | None = None
    timeout: int | None = None


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_datasets(datasets: Mapping[str, Path]) -> dict[str, dict[str, str]]:
    """SHA-256 of each dataset file (a folder hashes its files' names and contents).

    Raises:
        ParameterError: If a dataset path does not exist.
    """
    out = {}
    for key, path in datasets.items():
        if path.is_file():
            digest = _sha256_file(path)
        elif path.is_dir():
            h = hashlib.sha256()
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                h.update(str(f.relative_to(path)).encode() + b"\0" + _sha256_file(f).encode())
            digest = h.hexdigest()
        else:
            raise ParameterError(
                f"dataset {key!r}: {path} does not exist; check the path given with -p/-f "
                "or the edition's 'datasets'"
            )
        out[key] = {"path": str(path), "sha256": digest}
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=1)
def package_digest() -> str:
    """SHA-256 over the package's source files and templates: with an editable install the
    version number rarely changes while the code does, and a changed method must rerun."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(__version__.encode())
    files = sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".py", ".yaml", ".typ") and "__pycache__" not in p.parts
    )
    for extra in (config.TEMPLATES,):
        if extra.is_dir():
            files += sorted(extra.rglob("*.typ"))
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _fingerprint(nb_hash: str, params: dict, data_hashes: dict, kernel: str | None) -> str:
    payload = {
        "notebook": nb_hash,
        "parameters": _jsonable(params),
        "data": {k: v["sha256"] for k, v in sorted(data_hashes.items())},
        "package_version": __version__,
        "package_source": package_digest(),
        "kernel": kernel,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _known(declared: Mapping[str, NotebookParameter]) -> str:
    return ", ".join(declared) or "(none: the notebook has no cell tagged 'parameters')"


def _matches(entry: NotebookEntry, only: Sequence[str] | None) -> bool:
    if not only:
        return True
    import fnmatch

    return any(
        fnmatch.fnmatch(entry.name, pat)
        or fnmatch.fnmatch(entry.id, pat)
        or entry.name.startswith(pat)
        for pat in only
    )


def _is_path_name(name: str, datasets: Iterable[str]) -> bool:
    return name in datasets or name.endswith("_path")


def resolve_relative_paths(
    overrides: Iterable[Override], datasets: Iterable[str], cwd: str | Path | None = None
) -> list[Override]:
    """Make relative file paths given with ``-p``/``-f`` absolute, from the folder dgap runs in.

    A value of a dataset (``observations_path``...) or of any parameter whose name ends in
    ``_path`` is a file the user names from where they are: the notebooks run elsewhere (in
    ``notebooks/``) and read what they are given, so they get the absolute path, and
    ``run.json`` hashes the same file.

    >>> ov = resolve_relative_paths([parse_override("observations_path", "my.csv")], [], "/data")
    >>> ov[0].value
    '/data/my.csv'
    """
    names = set(datasets)
    base = Path(cwd) if cwd is not None else Path.cwd()
    out = []
    for ov in overrides:
        if _is_path_name(ov.name, names) and isinstance(ov.value, str) and ov.value.strip():
            p = Path(ov.value.strip()).expanduser()
            ov = replace(ov, value=str(p if p.is_absolute() else base / p))
        out.append(ov)
    return out


def _check_names(
    edition: Edition,
    overrides: Sequence[Override],
    declared_by: dict[str, dict[str, NotebookParameter]],
    where: str,
) -> None:
    """Every shared name and override is declared by a notebook it can reach."""
    by_name = {e.name: e for e in edition.notebooks} | {e.id: e for e in edition.notebooks}
    for name in edition.parameters:
        if not any(name in d for d in declared_by.values()):
            raise ParameterError(_unknown_shared(name, f"{where} parameters", edition, declared_by))
    for ov in overrides:
        if ov.name in RESERVED:
            raise ParameterError(
                f"{ov.source}: {ov.name!r} is set by the runner; use --output to change the output folder"
            )
        if ov.notebook is not None:
            if ov.notebook not in by_name:
                raise ParameterError(
                    f"{ov.source}: no notebook {ov.notebook!r} in edition {edition.name}; notebooks: "
                    + ", ".join(e.id for e in edition.notebooks)
                )
            entry = by_name[ov.notebook]
            if ov.name not in declared_by[entry.id]:
                raise ParameterError(
                    f"{ov.source}: notebook {entry.name} has no parameter {ov.name!r}; known parameters: "
                    + _known(declared_by[entry.id])
                )
        elif not any(ov.name in d for d in declared_by.values()):
            raise ParameterError(_unknown_shared(ov.name, ov.source, edition, declared_by))
    for entry in edition.notebooks:
        declared = declared_by[entry.id]
        for name in list(entry.parameters) + list(entry.grid):
            if name not in declared:
                raise ParameterError(
                    f"{where}: notebook {entry.name} has no parameter {name!r}; known parameters: {_known(declared)}"
                )


class _Values:
    """The typed values of one notebook's tasks, each with where it came from."""

    def __init__(self, entry: NotebookEntry, declared: Mapping[str, NotebookParameter]):
        self.entry, self.declared = entry, declared
        self.values: dict[str, Any] = {}
        self.origin: dict[str, str] = {}

    def put(self, name: str, value: Any, source: str, from_text: bool = False) -> Any:
        try:
            typed = coerce_parameter(value, self.declared[name], from_text=from_text)
        except ParameterError as exc:
            raise ParameterError(f"{source}: notebook {self.entry.name}: {exc}") from None
        self.values[name], self.origin[name] = typed, source
        return typed

    def check(self, values: Mapping[str, Any], origin: Mapping[str, str]) -> None:
        """Each value is one the notebook allows (choices, codes and periods of its data)."""
        for name, value in values.items():
            try:
                check_allowed(self.declared[name], value, values)
            except ParameterError as exc:
                raise ParameterError(
                    f"{origin.get(name, 'default')}: notebook {self.entry.name}: {exc}"
                ) from None


def _base_values(
    entry: NotebookEntry,
    declared: Mapping[str, NotebookParameter],
    edition: Edition,
    out: Path,
    where: str,
) -> _Values:
    vals = _Values(entry, declared)
    if "output_dir" in declared:
        vals.values["output_dir"], vals.origin["output_dir"] = str(out.resolve()), "--output"
    if "edition" in declared:
        vals.values["edition"], vals.origin["edition"] = edition.name, f"{where} edition"
    if "seed" in declared and edition.seed is not None:
        vals.put("seed", edition.seed, f"{where} seed")
    for key, p in edition.datasets.items():
        if key in declared:
            vals.values[key], vals.origin[key] = str(p.resolve()), f"{where} datasets.{key}"
    for name, value in edition.parameters.items():
        if name in declared:
            vals.put(name, value, f"{where} parameters.{name}")
    for name, value in entry.parameters.items():
        vals.put(name, value, f"{where} {entry.name}.parameters.{name}")
    return vals


def _grid_axes(
    vals: _Values, overrides: Sequence[Override], where: str
) -> tuple[list[tuple[str, list[tuple[Any, str]]]], _Values]:
    """The grid axes (typed values with their origin) and the late (override) values."""
    entry, declared = vals.entry, vals.declared
    grid: dict[str, list] = {k: list(v) for k, v in entry.grid.items()}
    late = _Values(entry, declared)
    for ov in overrides:
        if ov.notebook is not None and ov.notebook not in (entry.name, entry.id):
            continue
        if ov.name not in declared:
            continue
        if ov.name in grid:
            grid[ov.name] = [ov]
        else:
            late.put(ov.name, ov.value, ov.source, ov.from_text)
    axes = []
    for key, values in grid.items():
        typed = []
        for v in values:
            tmp = _Values(entry, declared)
            if isinstance(v, Override):
                typed.append((tmp.put(key, v.value, v.source, v.from_text), v.source))
            else:
                source = f"{where} {entry.name}.grid.{key}"
                typed.append((tmp.put(key, v, source), source))
        axes.append((key, typed))
    return axes, late


def plan_edition(
    edition: Edition,
    *,
    overrides: Iterable[Override] = (),
    only: Sequence[str] | None = None,
    output_dir: str | Path | None = None,
    data_hashes: dict | None = None,
) -> list[Task]:
    """Expand an edition into tasks with checked, typed parameters. Nothing is executed.

    Args:
        edition: The edition.
        overrides: ``-f`` then ``-p`` overrides, in order of increasing precedence.
        only: Keep only notebooks whose name or id matches one of these (prefix or glob).
        output_dir: Output folder (default: the edition's).
        data_hashes: Precomputed :func:`hash_datasets` result (computed if None).

    Returns:
        The tasks, in edition order (grid in row-major order).

    Raises:
        ParameterError: For any unknown parameter (naming the notebook and its known
            parameters), a value of the wrong type or one the notebook does not allow (naming
            the allowed values), a missing notebook or duplicate task names.
    """
    overrides = list(overrides)
    out = Path(output_dir) if output_dir is not None else edition.output_dir
    hashes = hash_datasets(edition.datasets) if data_hashes is None else data_hashes
    where = str(edition.source or edition.name)
    declared_by = {e.id: inspect_parameters(e.path) for e in edition.notebooks}
    _check_names(edition, overrides, declared_by, where)

    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for entry in edition.notebooks:
        if not _matches(entry, only):
            continue
        base = _base_values(entry, declared_by[entry.id], edition, out, where)
        axes, late = _grid_axes(base, overrides, where)
        nb_hash = _sha256_file(entry.path)
        kernel = entry.kernel or edition.kernel
        for combo in itertools.product(*[vals for _, vals in axes]) if axes else [()]:
            grid_values = {key: val for (key, _), (val, _) in zip(axes, combo, strict=True)}
            params = {**base.values, **grid_values, **late.values}
            origin = {
                **base.origin,
                **{key: src for (key, _), (_, src) in zip(axes, combo, strict=True)},
                **late.origin,
            }
            base.check(params, origin)
            tid = slug(entry.id) + "".join(f"__{k}-{slug(v)}" for k, v in grid_values.items())
            if tid in seen:
                raise ParameterError(
                    f"{where}: two tasks are named {tid} ({seen[tid]} and {entry.name}); give one an 'id'"
                )
            seen[tid] = entry.name
            tasks.append(
                Task(
                    id=tid,
                    notebook=entry.name,
                    path=entry.path,
                    parameters=params,
                    grid=grid_values,
                    fingerprint=_fingerprint(nb_hash, params, hashes, kernel),
                    kernel=kernel,
                    timeout=entry.timeout if entry.timeout is not None else edition.timeout,
                )
            )
    if only and not tasks:
        raise ParameterError(
            f"--only {' '.join(only)}: no notebook matches; notebooks: "
            + ", ".join(e.id for e in edition.notebooks)
        )
    return tasks


def _unknown_shared(name: str, source: str, edition: Edition, declared_by: dict) -> str:
    lines = [
        f"{source}: parameter {name!r} is declared by no notebook of edition {edition.name}; known parameters:"
    ]
    for entry in edition.notebooks:
        lines.append(f"  {entry.name}: {_known(declared_by[entry.id])}")
    return "\n".join(lines)
