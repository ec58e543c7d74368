"""Papermill batch runner: editions of parametrised notebooks, run in parallel, resumable.

An *edition* (``notebooks/params/<name>.yaml``) lists notebooks, shared and per-notebook
parameters, a parameter grid and the datasets it depends on. :func:`run_edition` expands it
into tasks, checks every parameter against the notebooks' declared parameters, executes the
tasks in a process pool (or on a Dask cluster) with warm kernels, and writes the executed
notebooks, HTML copies and a ``run.json`` manifest under ``reports/<edition>/``.

``WarmEngine`` is also registered as the papermill engine ``warm`` (``papermill --engine warm``).
"""

from __future__ import annotations


def __getattr__(name: str):
    # Papermill loads the entry point ``analysis.runner:WarmEngine`` while ``papermill.engines``
    # is still being imported; when that import was itself triggered from here, this module is
    # only partially initialised and the engine is resolved lazily.
    if name == "WarmEngine":
        from .engine import WarmEngine

        return WarmEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


import papermill.engines  # noqa: E402,F401  (registers the engine entry points first)

from .edition import (  # noqa: E402
    Edition,
    NotebookParameter,
    Task,
    coerce_parameter,
    inspect_parameters,
    load_edition,
    load_override_file,
    parse_override,
    plan_edition,
)
from .engine import WarmEngine, shutdown_warm_kernels  # noqa: E402
from .run import RunResult, TaskResult, format_failures, run_edition  # noqa: E402

__all__ = [
    "Edition",
    "NotebookParameter",
    "RunResult",
    "Task",
    "TaskResult",
    "WarmEngine",
    "coerce_parameter",
    "format_failures",
    "inspect_parameters",
    "load_edition",
    "load_override_file",
    "parse_override",
    "plan_edition",
    "run_edition",
    "shutdown_warm_kernels",
]
