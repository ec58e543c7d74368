"""Editions (YAML), notebook parameter inspection, strict typing and task expansion.

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

Relative paths are resolved against the project root (``analysis.config.ROOT``, or the
``root`` argument of :func:`load_edition`). The runner also passes ``output_dir`` (the
edition's output folder, absolute) and ``edition`` (its name) to every notebook that
declares them; these two cannot be set as parameters.

Precedence, lowest first: notebook default < edition ``parameters`` < notebook
``parameters`` < ``grid`` < ``-f`` files < ``-p`` flags. An override of a grid name replaces
that grid axis by the single value. An override ``NOTEBOOK.NAME`` targets one notebook.
"""

from __future__ import annotations

import ast
import csv
import datetime as _dt
import functools
import hashlib
import io
import itertools
import json
import re
import tokenize
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from .. import __version__, config
from ..errors import ParameterError

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
_MISSING = object()


# --------------------------------------------------------------------------- parameter types
@dataclass(frozen=True)
class _Type:
    """A small type description: kind in str/int/float/bool/list/tuple/dict/any."""

    kind: str = "any"
    item: _Type | None = None
    optional: bool = False

    def __str__(self) -> str:
        s = self.kind if self.item is None else f"{self.kind}[{self.item}]"
        return f"{s} | None" if self.optional and self.kind != "any" else s


_SCALARS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "list": "list",
    "List": "list",
    "tuple": "tuple",
    "Tuple": "tuple",
    "dict": "dict",
    "Dict": "dict",
    "Any": "any",
    "object": "any",
}


def _type_from_annotation(node: ast.expr | None) -> _Type | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return _Type()
    if isinstance(node, ast.Constant) and node.value is None:
        return _Type("none")
    if isinstance(node, ast.Name) or isinstance(node, ast.Attribute):
        name = node.id if isinstance(node, ast.Name) else node.attr
        return _Type(_SCALARS.get(name, "any"))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts = [_type_from_annotation(node.left), _type_from_annotation(node.right)]
        return _merge_union([p for p in parts if p is not None])
    if isinstance(node, ast.Subscript):
        base = (
            node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
        )
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional":
            inner = _type_from_annotation(args[0]) or _Type()
            return _Type(inner.kind, inner.item, True)
        if base == "Union":
            return _merge_union([_type_from_annotation(a) or _Type() for a in args])
        kind = _SCALARS.get(base, "any")
        if kind in ("list", "tuple") and args:
            item = _type_from_annotation(args[0])
            if (
                kind == "tuple"
                and len(args) > 1
                and not (isinstance(args[-1], ast.Constant) and args[-1].value is Ellipsis)
            ):
                item = None
            return _Type(kind, item if item and item.kind != "none" else None)
        return _Type(kind)
    return _Type()


def _merge_union(parts: list[_Type]) -> _Type:
    optional = any(p.kind == "none" or p.optional for p in parts)
    real = [p for p in parts if p.kind != "none"]
    if len(real) == 1:
        return _Type(real[0].kind, real[0].item, optional)
    return _Type("any", None, optional)


def _type_from_default(value: Any) -> _Type:
    if value is None or value is _MISSING:
        return _Type("any", None, True)
    for kind in ("bool", "int", "float", "str", "dict"):
        if type(value).__name__ == kind:
            return _Type(kind)
    if isinstance(value, (list, tuple)):
        kinds = {type(v).__name__ for v in value}
        item = (
            _Type(kinds.pop())
            if len(kinds) == 1 and value and not isinstance(value[0], (list, dict, tuple))
            else None
        )
        return _Type("list" if isinstance(value, list) else "tuple", item)
    return _Type()


@dataclass(frozen=True)
class NotebookParameter:
    """One declared parameter of a notebook's ``parameters`` cell.

    Attributes:
        name: Variable name.
        type: Expected type, from the annotation if any, else from the default's literal type.
        default: The default value (a Python literal), or ``None`` if not a literal.
        default_source: The default as written in the cell.
        help: The trailing ``# comment`` of the line, if any.
    """

    name: str
    type: _Type
    default: Any
    default_source: str
    help: str = ""


def _parameters_cell(nb) -> Any | None:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def _comments_by_line(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return comments


def inspect_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """Read the declared parameters of a notebook (its cell tagged ``parameters``).

    Types come from annotations (``n: int = 3``, ``code: str | None = None``,
    ``langs: list[str] = ["vi"]``) and otherwise from the literal type of the default.

    Args:
        notebook: Path of the ``.ipynb`` file.

    Returns:
        Mapping name -> :class:`NotebookParameter`, in cell order; empty if the notebook has
        no ``parameters`` cell.

    Raises:
        ParameterError: If the file is missing or its parameters cell is not valid Python.
    """
    path = Path(notebook)
    if not path.is_file():
        raise ParameterError(f"notebook {path} does not exist; check the edition's notebooks list")
    nb = nbformat.read(path, as_version=4)
    cell = _parameters_cell(nb)
    if cell is None:
        return {}
    source = cell.source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(
            f"{path.name}: the parameters cell is not valid Python (line {exc.lineno}: {exc.msg})"
        ) from exc
    comments = _comments_by_line(source)
    params: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets, annotation, value = [node.target.id], node.annotation, node.value
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            targets, annotation, value = [t.id for t in node.targets], None, node.value
        else:
            continue
        default_source = ast.get_source_segment(source, value) if value is not None else ""
        try:
            default = ast.literal_eval(value) if value is not None else None
            literal = value is not None
        except (ValueError, SyntaxError, TypeError):
            default, literal = None, False
        ptype = _type_from_annotation(annotation)
        if ptype is None:
            ptype = _type_from_default(default) if literal else _Type()
        elif literal and default is None:
            ptype = _Type(ptype.kind, ptype.item, True)
        for name in targets:
            params[name] = NotebookParameter(
                name=name,
                type=ptype,
                default=default,
                default_source=default_source or "",
                help=comments.get(node.lineno, ""),
            )
    return params


# --------------------------------------------------------------------------- coercion
_TRUE = {"true", "yes", "on", "1", "y", "t"}
_FALSE = {"false", "no", "off", "0", "n", "f"}


class _CoercionError(ValueError):
    pass


def _coerce(value: Any, t: _Type, from_text: bool) -> Any:
    if value is None or (
        from_text and isinstance(value, str) and value.strip() in ("None", "null", "~")
    ):
        if t.optional or t.kind == "any":
            return None
        raise _CoercionError(f"None is not allowed (expected {t})")
    kind = t.kind
    if kind == "any":
        if from_text and isinstance(value, str):
            parsed = yaml.safe_load(value) if value.strip() else value
            return value if isinstance(parsed, (_dt.date, _dt.datetime)) else parsed
        return value
    if kind == "str":
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        if isinstance(value, bool) or isinstance(value, float):
            raise _CoercionError(
                f"{value!r} is a {type(value).__name__}, expected a string (quote it)"
            )
        if isinstance(value, int):
            return str(value)
        if isinstance(value, (_dt.date, _dt.datetime)):
            return value.isoformat()
        raise _CoercionError(f"{value!r} is a {type(value).__name__}, expected a string")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _CoercionError(f"{value!r} is not a boolean (use true/false)")
    if kind == "int":
        if isinstance(value, bool):
            raise _CoercionError(f"{value!r} is a boolean, expected an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip().replace("_", ""))
            except ValueError:
                pass
        raise _CoercionError(f"{value!r} is not an integer")
    if kind == "float":
        if isinstance(value, bool):
            raise _CoercionError(f"{value!r} is a boolean, expected a number")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            from ..i18n import NumberParseError, parse_number

            try:  # Vietnamese decimal comma accepted: -p ci_level 0,8
                number = parse_number(value)
            except NumberParseError:
                number = float("nan")
            if number == number:
                return number
        raise _CoercionError(f"{value!r} is not a number (0.8 or 0,8)")
    if kind in ("list", "tuple"):
        if isinstance(value, str):
            parsed = yaml.safe_load(value) if from_text else value
            if isinstance(parsed, list):
                value = parsed
            else:
                value = [v.strip() for v in value.split(",") if v.strip()]
            from_text = True
        if not isinstance(value, (list, tuple)):
            raise _CoercionError(f"{value!r} is not a list")
        items = list(value)
        if t.item is not None:
            items = [_coerce(v, t.item, from_text and isinstance(v, str)) for v in items]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        if isinstance(value, str) and from_text:
            value = yaml.safe_load(value)
        if not isinstance(value, dict):
            raise _CoercionError(f"{value!r} is not a mapping")
        return dict(value)
    return value


def _is_code_name(name: str) -> bool:
    return name in ("unit_code", "unit_codes") or name.endswith(("_code", "_codes"))


def coerce_parameter(value: Any, param: NotebookParameter, *, from_text: bool = False) -> Any:
    """Coerce ``value`` to the declared type of ``param``.

    Integers become strings where a string is declared (unit codes: ``20500`` -> ``"20500"``);
    a parameter named ``unit_code``/``*_code`` (``*_codes``: a list) is a string even when its
    default gives no type; text from the command line is parsed into the declared type.

    Args:
        value: The given value (from YAML: typed; from ``-p``: a string).
        param: The declared parameter.
        from_text: True if ``value`` is raw command-line text.

    Returns:
        The coerced value.

    Raises:
        ParameterError: If the value cannot be converted; the message names the parameter.

    Examples:
        >>> p = NotebookParameter("unit_code", _Type("str"), "20500", '"20500"')
        >>> coerce_parameter(20527, p)
        '20527'
        >>> coerce_parameter("3", NotebookParameter("n", _Type("int"), 1, "1"), from_text=True)
        3
    """
    ptype = param.type
    if ptype.kind == "any" and _is_code_name(param.name):  # codes are always strings
        ptype = (
            _Type("list", _Type("str"), True)
            if param.name.endswith("s")
            else _Type("str", None, True)
        )
    try:
        return _coerce(value, ptype, from_text)
    except _CoercionError as exc:
        raise ParameterError(
            f"parameter {param.name!r}: {exc} (declared {param.type}, default {param.default_source})"
        ) from None


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
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
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
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
    out = _resolve(base, data["output_dir"]) if data.get("output_dir") else base / "reports" / name
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


def _slug(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9.+-]+", "_", text).strip("_")
    return text or "_"


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
                f"dataset {key!r}: {path} does not exist; fix the edition's 'datasets'"
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
            parameters), a value of the wrong type, a missing notebook or duplicate task names.
    """
    overrides = list(overrides)
    out = Path(output_dir) if output_dir is not None else edition.output_dir
    hashes = hash_datasets(edition.datasets) if data_hashes is None else data_hashes
    where = str(edition.source or edition.name)
    declared_by = {e.id: inspect_parameters(e.path) for e in edition.notebooks}

    # shared names (edition parameters, unqualified overrides) must be declared somewhere
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

    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for entry in edition.notebooks:
        declared = declared_by[entry.id]
        for name in list(entry.parameters) + list(entry.grid):
            if name not in declared:
                raise ParameterError(
                    f"{where}: notebook {entry.name} has no parameter {name!r}; known parameters: {_known(declared)}"
                )
        if not _matches(entry, only):
            continue

        def put(
            values: dict,
            name: str,
            value: Any,
            source: str,
            from_text: bool = False,
            declared: Mapping[str, NotebookParameter] = declared,
            entry: NotebookEntry = entry,
        ) -> None:
            try:
                values[name] = coerce_parameter(value, declared[name], from_text=from_text)
            except ParameterError as exc:
                raise ParameterError(f"{source}: notebook {entry.name}: {exc}") from None

        base: dict[str, Any] = {}
        if "output_dir" in declared:
            base["output_dir"] = str(out.resolve())
        if "edition" in declared:
            base["edition"] = edition.name
        if "seed" in declared and edition.seed is not None:
            put(base, "seed", edition.seed, f"{where} seed")
        for key, p in edition.datasets.items():
            if key in declared:
                base[key] = str(p.resolve())
        for name, value in edition.parameters.items():
            if name in declared:
                put(base, name, value, f"{where} parameters.{name}")
        for name, value in entry.parameters.items():
            put(base, name, value, f"{where} {entry.name}.parameters.{name}")
        grid = {k: list(v) for k, v in entry.grid.items()}
        late: dict[str, Any] = {}
        for ov in overrides:
            if ov.notebook is not None and ov.notebook not in (entry.name, entry.id):
                continue
            if ov.name not in declared:
                continue
            if ov.name in grid:
                grid[ov.name] = [ov]
            else:
                put(late, ov.name, ov.value, ov.source, ov.from_text)
        axes = []
        for key, values in grid.items():
            typed = []
            for v in values:
                tmp: dict[str, Any] = {}
                if isinstance(v, Override):
                    put(tmp, key, v.value, v.source, v.from_text)
                else:
                    put(tmp, key, v, f"{where} {entry.name}.grid.{key}")
                typed.append(tmp[key])
            axes.append((key, typed))
        nb_hash = _sha256_file(entry.path)
        kernel = entry.kernel or edition.kernel
        for combo in itertools.product(*[vals for _, vals in axes]) if axes else [()]:
            grid_values = {key: val for (key, _), val in zip(axes, combo, strict=True)}
            params = {**base, **grid_values, **late}
            tid = entry.id + "".join(f"__{k}-{_slug(v)}" for k, v in grid_values.items())
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
