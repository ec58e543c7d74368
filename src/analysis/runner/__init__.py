"""Papermill batch runner: editions of parametrised notebooks, run in parallel, resumable.

An *edition* (``notebooks/params/<name>.yaml``) lists notebooks, shared and per-notebook
parameters, a parameter grid and the datasets it depends on. :func:`run_edition` expands it
into tasks, checks every parameter (name, type, allowed value) against the notebooks' declared
parameters, executes the tasks in a process pool (or on a Dask cluster) with warm kernels, and
writes the executed notebooks, HTML copies and a ``run.json`` manifest under
``reports/<edition>/``.

``WarmEngine`` is also registered as the papermill engine ``warm`` (``papermill --engine warm``).

Importing this package is light: papermill, nbconvert, jsonschema and pandas are imported only
when a notebook is about to run, so planning, ``--dry-run`` and a run with nothing to do stay
fast. The public names below are loaded on first use.
"""

from __future__ import annotations

import importlib

#: public name -> submodule that defines it
_API = {
    "Edition": "edition",
    "Task": "edition",
    "load_edition": "edition",
    "load_override_file": "edition",
    "parse_override": "edition",
    "plan_edition": "edition",
    "NotebookParameter": "params",
    "coerce_parameter": "params",
    "inspect_parameters": "params",
    "RunResult": "run",
    "TaskResult": "run",
    "format_failures": "run",
    "run_edition": "run",
    "WarmEngine": "papermill_engine",
    "shutdown_warm_kernels": "engine",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module in ("papermill_engine", "engine"):
        # papermill registers its engines' entry points (``analysis.runner:WarmEngine``) at the
        # end of importing papermill.engines: import it first, so that the registration, which
        # comes back here, finds papermill.engines' classes already defined
        import papermill.engines  # noqa: F401
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
