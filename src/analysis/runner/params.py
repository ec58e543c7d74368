"""Notebook parameters: what a notebook declares, strict typing, and the values it allows.

A notebook declares its parameters in one cell tagged ``parameters``: literals with a type
annotation and a trailing ``# help`` comment. That cell is the single source of truth for the
runner, which reads it without starting a kernel (the notebook is read as JSON: no nbformat,
no jsonschema on the planning path):

* the **type** comes from the annotation (``n: int = 3``, ``code: str | None = None``,
  ``langs: list[str] = ["vi"]``), else from the default's literal type;
* the **allowed values** come from the help comment, in one of two forms:

  - ``a | b | c`` as the comment's last part (after its last ``:``): the value, or each item
    of a list, must be one of them::

        normalise: str = "goalposts"  # goalposts | minmax | zscore | rank | percentile
        lang: str = "vi"  # language of labels: vi | en

  - ``a COLUMN of DATASET`` where ``DATASET`` is another parameter of the notebook naming a
    file: the value must appear in that column of the file (checked when it is a CSV, read
    with the csv module; other formats are left to the notebook's own validation)::

        unit_code: str = "20527"  # commune code (GSO), a unit_code of units_path
        period: str = ""  # cross-section shown, a period of observations_path; empty: latest

  The default value is always allowed (``""`` above means "the latest period").

Every value is checked before any kernel starts; an error names the parameter, the value and
the allowed values.
"""

from __future__ import annotations

import ast
import csv
import datetime as _dt
import functools
import io
import json
import os
import re
import tokenize
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import ParameterError

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
        allowed: The values the help comment allows (see :func:`parse_allowed`), or None.
    """

    name: str
    type: _Type
    default: Any
    default_source: str
    help: str = ""
    allowed: Allowed | None = None


# --------------------------------------------------------------------------- reading notebooks
@functools.lru_cache(maxsize=64)
def _read_notebook_cached(path: str, stamp: tuple[int, int]) -> dict:
    try:
        with open(path, "rb") as fh:
            nb = json.loads(fh.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParameterError(f"notebook {path} is not a valid .ipynb file (JSON): {exc}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        if isinstance(nb, dict) and nb.get("nbformat", 4) < 4:  # pragma: no cover - old files
            import nbformat

            return dict(nbformat.read(path, as_version=4))
        raise ParameterError(f"notebook {path} has no cells: not a notebook in format 4")
    return nb


def read_notebook(path: str | Path) -> dict:
    """A notebook as plain JSON (cached while the file is unchanged).

    Read with the json module, not nbformat: importing nbformat pulls in jsonschema and its
    format checkers (seconds on a loaded machine), which a run that has nothing to do, or
    only plans, does not need.

    Raises:
        ParameterError: If the file is missing or not a notebook.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise ParameterError(
            f"notebook {p} does not exist; check the edition's notebooks list"
        ) from None
    if not p.is_file():
        raise ParameterError(f"notebook {p} is not a file; check the edition's notebooks list")
    return _read_notebook_cached(str(p), (st.st_mtime_ns, st.st_size))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_kernel(path: str | Path) -> str:
    """Name of the kernel a notebook asks for (its kernelspec; ``python3`` if none)."""
    meta = read_notebook(path).get("metadata") or {}
    return (meta.get("kernelspec") or {}).get("name") or "python3"


def _parameters_source(nb: dict) -> str | None:
    for cell in nb["cells"]:
        tags = (cell.get("metadata") or {}).get("tags") or []
        if cell.get("cell_type") == "code" and "parameters" in tags:
            return _source(cell)
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
    ``langs: list[str] = ["vi"]``) and otherwise from the literal type of the default; allowed
    values from the help comments (see the module docstring).

    Args:
        notebook: Path of the ``.ipynb`` file.

    Returns:
        Mapping name -> :class:`NotebookParameter`, in cell order; empty if the notebook has
        no ``parameters`` cell.

    Raises:
        ParameterError: If the file is missing or its parameters cell is not valid Python.
    """
    path = Path(notebook)
    source = _parameters_source(read_notebook(path))
    if source is None:
        return {}
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
    names = frozenset(params)
    return {name: replace(p, allowed=parse_allowed(p.help, names)) for name, p in params.items()}


# --------------------------------------------------------------------------- coercion
_TRUE = {"true", "yes", "on", "1", "y", "t"}
_FALSE = {"false", "no", "off", "0", "n", "f"}


class _CoercionError(ValueError):
    pass


def _yaml_or_text(text: str) -> Any:
    """``text`` read as a YAML literal (``[a, b]``, ``{k: 1}``, ``3``), or itself if it is not one."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


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
            parsed = _yaml_or_text(value) if value.strip() else value
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
            parsed = _yaml_or_text(value) if from_text else value
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
            value = _yaml_or_text(value)
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


# --------------------------------------------------------------------------- allowed values
@dataclass(frozen=True)
class Allowed:
    """The values a parameter allows, as its help comment states them.

    Attributes:
        choices: Literal alternatives (``a | b | c``), or empty.
        column: With ``dataset``: the value must be in this column ...
        dataset: ... of the CSV file named by this parameter of the same notebook.
    """

    choices: tuple[str, ...] = ()
    column: str | None = None
    dataset: str | None = None


#: ``a | b | c`` at the end of a help comment (after its last ``:``, if any)
_CHOICES = re.compile(r"(?:^|:)\s*([^\s|:]+(?:\s*\|\s*[^\s|:]+)+)\s*$")
#: ``a COLUMN of DATASET`` anywhere in a help comment
_FROM_DATA = re.compile(r"\ban? ([A-Za-z_]\w*) of ([A-Za-z_]\w*)\b")


def parse_allowed(
    help_text: str, declared: set[str] | frozenset[str] = frozenset()
) -> Allowed | None:
    """The allowed values a help comment states (see the module docstring), or None.

    Args:
        help_text: The parameter's trailing comment, without ``#``.
        declared: Names of the notebook's parameters: ``DATASET`` must be one of them.

    Examples:
        >>> parse_allowed("language of labels: vi | en").choices
        ('vi', 'en')
        >>> parse_allowed("commune code (GSO), a unit_code of units_path", {"units_path"})
        Allowed(choices=(), column='unit_code', dataset='units_path')
        >>> parse_allowed("a list of values; empty: none", {"units_path"}) is None
        True
    """
    m = _CHOICES.search(help_text)
    if m:
        return Allowed(choices=tuple(c.strip() for c in m.group(1).split("|")))
    for m in _FROM_DATA.finditer(help_text):
        if m.group(2) in declared:
            return Allowed(column=m.group(1), dataset=m.group(2))
    return None


@functools.lru_cache(maxsize=32)
def _column_values_cached(path: str, column: str, stamp: tuple[int, int]) -> tuple[str, ...] | None:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if column not in (reader.fieldnames or []):
                return None
            values = (unicodedata.normalize("NFC", (row[column] or "").strip()) for row in reader)
            return tuple(dict.fromkeys(v for v in values if v))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def column_values(path: Any, column: str) -> tuple[str, ...] | None:
    """The distinct values of ``column`` in the CSV file ``path``, in file order.

    None when they cannot be known here: no path, not a ``.csv`` file, unreadable, no such
    column (the notebook's own validation then reports the problem with its location).
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        return None
    p = Path(path)
    if p.suffix.lower() != ".csv":
        return None
    try:
        st = p.stat()
    except OSError:
        return None
    return _column_values_cached(str(p), column, (st.st_mtime_ns, st.st_size))


def _listing(values: tuple[str, ...], limit: int = 25) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def check_allowed(param: NotebookParameter, value: Any, values: Mapping[str, Any]) -> None:
    """Raise if ``value`` is not among the values ``param`` allows.

    Args:
        param: The declared parameter (its ``allowed`` says what is allowed).
        value: The typed value the task would get.
        values: Every parameter value of the task (``DATASET`` is looked up there).

    Raises:
        ParameterError: Naming the parameter, the value and the allowed values.

    Examples:
        >>> p = NotebookParameter("lang", _Type("str"), "vi", '"vi"', "language: vi | en",
        ...                       Allowed(choices=("vi", "en")))
        >>> check_allowed(p, "en", {})
        >>> check_allowed(p, "fr", {})
        Traceback (most recent call last):
        ...
        analysis.errors.ParameterError: parameter 'lang': 'fr' is not allowed; choose one of: vi, en
    """
    allowed = param.allowed
    if allowed is None or value is None or value == param.default:
        return
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if allowed.choices:
        bad = [v for v in items if str(v) not in allowed.choices]
        if bad:
            raise ParameterError(
                f"parameter {param.name!r}: {bad[0]!r} is not allowed; choose one of: "
                + ", ".join(allowed.choices)
            )
        return
    source = values.get(allowed.dataset or "")
    known = column_values(source, allowed.column or "")
    if known is None:
        return
    bad = [v for v in items if unicodedata.normalize("NFC", str(v).strip()) not in known]
    if bad:
        raise ParameterError(
            f"parameter {param.name!r}: {bad[0]!r} is not a {allowed.column} of {allowed.dataset} "
            f"({source}); choose one of: {_listing(known)}"
        )
