"""Worker side: execute one task, write its notebook and HTML atomically, report the outcome.

:func:`execute_task` takes and returns plain dicts so that the same function runs in a
process pool and on Dask workers. It never raises for a failing notebook: failures are
returned (status ``failed``, with the cell and error) so that one task cannot stop the others.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
import signal
import socket
import time
from pathlib import Path
from typing import Any

from ..outputs import write_text

log = logging.getLogger(__name__)

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HTML_EXPORTER = None
#: nbconvert's lab template, with two changes: the alternative text a notebook gives an image
#: (``metadata["image/png"]["alt"]``, set by :func:`analysis.display.show_image`; nbconvert would
#: write "No description has been provided for this image", in English), and no script from a
#: CDN (require.js, MathJax, Mermaid: the notebooks use none of them), so that the copy opens
#: offline and asks no third party for anything
_HTML_TEMPLATE = """{%- extends "lab/index.html.j2" -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block data_png -%}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- if alt -%}
{{ super() | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock data_png -%}
"""


def _html_exporter():
    global _HTML_EXPORTER
    if _HTML_EXPORTER is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        # nbconvert warns once per image without alt text; one line per task is noise
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        _HTML_EXPORTER = HTMLExporter(
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            template_file="dgap.html.j2",
            extra_loaders=[DictLoader({"dgap.html.j2": _HTML_TEMPLATE})],
        )
    return _HTML_EXPORTER


def render_html(nb) -> str:
    """HTML copy of an executed notebook with the code hidden (outputs and markdown only).

    Every image is embedded (``data:image/png;base64``), with its alternative text; the page is
    UTF-8 (``<meta charset="utf-8">``), so Vietnamese text stays as it is."""
    body, _ = _html_exporter().from_notebook_node(nb)
    return body


def _jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}


def _prepare(spec: dict):
    from papermill.execute import prepare_notebook_metadata, remove_error_markers
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(spec["path"]))
    params = _jsonable_params(spec["parameters"])
    if params:
        nb = parameterize_notebook(nb, params, report_mode=False, kernel_name=spec.get("kernel"))
    nb = prepare_notebook_metadata(nb, str(spec["path"]), str(spec["out_nb"]), report_mode=False)
    return remove_error_markers(nb)


def _running_cell(nb) -> tuple[int | None, int | None]:
    for index, cell in enumerate(nb.cells):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status in ("running", "failed"):
            return index, cell.get("execution_count")
    return None, None


def _error_dict(
    ename: str, evalue: str, cell: int | None, count: int | None, tb: list[str] | None = None
) -> dict:
    tail = [_ANSI.sub("", line) for line in (tb or [])][-3:]
    return {
        "ename": ename,
        "evalue": str(evalue),
        "cell": cell,
        "execution_count": count,
        "traceback_tail": "\n".join(tail)[-2000:],
    }


def _run_notebook(nb, spec: dict, kernel_env: dict[str, str]) -> BaseException | None:
    """Execute ``nb`` in place with the spec's engine; the exception of a crash (dead kernel,
    timeout), or None (errors inside cells are marked in the notebook)."""
    from papermill.engines import NBClientEngine

    from .engine import KERNEL_ARGUMENTS, kernel_manager_with_env
    from .papermill_engine import WarmEngine  # after papermill.engines (see that module)

    kernel_name = spec.get("kernel") or NBClientEngine.nb_kernel_name(nb)
    engine = WarmEngine if spec["engine"] == "warm" else NBClientEngine
    extra = (
        {"kernel_env": kernel_env}
        if spec["engine"] == "warm"
        else {
            "kernel_manager_class": kernel_manager_with_env(kernel_env),
            "extra_arguments": list(KERNEL_ARGUMENTS),
        }
    )
    try:
        engine.execute_notebook(
            nb,
            kernel_name,
            **extra,
            output_path=None,
            progress_bar=False,
            log_output=False,
            start_timeout=spec.get("start_timeout", 60),
            execution_timeout=spec.get("timeout"),
            input_path=str(spec["path"]),
            resources={"metadata": {"path": str(spec["cwd"])}},
        )
    except Exception as exc:  # dead kernel, timeout: the notebook so far is still written
        return exc
    return None


def _write_executed(nb, crash: BaseException | None, tmp: Path):
    """Write the executed notebook to ``tmp`` (with papermill's error markers); returns the
    notebook as written and the error (None if every cell ran)."""
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors
    from papermill.iorw import load_notebook_node, write_ipynb

    try:
        raise_for_execution_errors(nb, str(tmp))  # writes tmp with the error markers
    except PapermillExecutionError as exc:
        error = _error_dict(exc.ename, exc.evalue, exc.cell_index, exc.exec_count, exc.traceback)
        return load_notebook_node(str(tmp)), error
    error = None
    if crash is not None:
        cell, count = _running_cell(nb)
        message = str(crash).strip().splitlines()[0] if str(crash).strip() else ""
        error = _error_dict(type(crash).__name__, message, cell, count)
    write_ipynb(nb, str(tmp))
    return nb, error


def _record_written(result: dict, spec: dict, log_path: Path | None) -> None:
    """``outputs`` (the task's output log) and ``files`` (size and hash of everything the task
    wrote, notebook and HTML copy included: the next run checks them before skipping it)."""
    from ..outputs import read_output_log
    from .records import task_files

    out_nb = Path(spec["out_nb"])
    root = Path(spec.get("output_root") or out_nb.parent)
    written = [out_nb, Path(spec["out_html"])] if spec.get("html", True) else [out_nb]
    if log_path is not None:
        result["outputs"] = read_output_log(log_path, root)
        log_path.unlink(missing_ok=True)
    result["files"] = task_files(
        root, [_relative(p, root) for p in written] + list(result.get("outputs") or ())
    )


def execute_task(spec: dict) -> dict:
    """Execute one notebook task.

    Args:
        spec: ``id, notebook, path, parameters, kernel, timeout, cwd, out_nb, out_html, engine``
            (``"warm"`` or ``"cold"``) and ``html`` (bool).

    Returns:
        ``id, status ("ok"|"failed"), error (None or ename/evalue/cell/execution_count),
        started, duration_s, execute_s, html_s, pid, host, engine``, ``peak_rss_mib`` (warm
        kernels on Linux: the kernel's peak resident memory during the notebook), ``files`` (path -> size,
        sha256, mtime_ns of every file written) and, when the spec names an ``output_log``,
        ``outputs``: the files the notebook wrote, relative to ``output_root``.
    """
    from ..outputs import ENV_VAR as OUTPUT_LOG_VAR

    t0 = time.perf_counter()
    out_nb = Path(spec["out_nb"])
    out_nb.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_nb.with_name(f".{out_nb.stem}.{os.getpid()}.tmp.ipynb")
    result: dict[str, Any] = {
        "id": spec["id"],
        "status": "failed",
        "error": None,
        "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "engine": spec["engine"],
        "execute_s": None,
        "html_s": None,
    }
    error = None
    # every file the notebook writes through the package is logged here (see analysis.outputs):
    # the kernel gets the variable (a cold one at start, a warm one at its reset)
    log_path = Path(spec["output_log"]).absolute() if spec.get("output_log") else None
    kernel_env = {}
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.unlink(missing_ok=True)
        kernel_env[OUTPUT_LOG_VAR] = str(log_path)
    try:
        nb = _prepare(spec)
        t1 = time.perf_counter()
        crash = _run_notebook(nb, spec, kernel_env)
        result["execute_s"] = round(time.perf_counter() - t1, 3)
        if spec["engine"] == "warm":  # the kernel's peak memory during this notebook
            from .engine import last_peak_rss_mib

            result["peak_rss_mib"] = last_peak_rss_mib()
        nb, error = _write_executed(nb, crash, tmp)
        os.replace(tmp, out_nb)
        if spec.get("html", True):
            t2 = time.perf_counter()
            write_text(Path(spec["out_html"]), render_html(nb), record=False)
            result["html_s"] = round(time.perf_counter() - t2, 3)
    except Exception as exc:  # anything else (kernel failed to start, unreadable notebook...)
        error = error or _error_dict(type(exc).__name__, str(exc), None, None)
        log.debug("task %s failed outside a cell", spec["id"], exc_info=True)
    finally:
        if tmp.exists():
            tmp.unlink()
        _record_written(result, spec, log_path)
    result["error"] = error
    result["status"] = "ok" if error is None else "failed"
    result["duration_s"] = round(time.perf_counter() - t0, 3)
    return result


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def preload() -> None:
    """Import what a task needs (papermill's execution modules, nbconvert's HTML exporter)."""
    import nbformat
    import papermill.execute  # noqa: F401
    import papermill.iorw  # noqa: F401
    import papermill.parameterize  # noqa: F401

    # the first export compiles the templates and imports the highlighters (about 1 s):
    # do it once here so that workers forked afterwards start with it done
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x = 1\nx")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "1", "text/html": "<b>1</b>"}, execution_count=1
        ),
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue="x", traceback=["ValueError: x"]
        ),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# title\n\n*text* `code`"), code]
    render_html(nb)


def _fresh_event_loop() -> None:
    """Give a forked worker its own event loop.

    A forked child inherits the parent's asyncio loop (and its epoll descriptor) if the parent
    ran papermill/nbclient in-process; jupyter_core's ``run_sync`` would reuse it. Install a new
    loop, also in jupyter_core's per-context cache.
    """
    import asyncio

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        from jupyter_core import utils as _jcu
    except ImportError:  # pragma: no cover - jupyter_core comes with papermill
        return
    cache = getattr(_jcu, "_loop", None)
    if cache is not None and hasattr(cache, "set"):
        cache.set(loop)


def init_worker(runner_pid: int | None = None, inherited_fds: tuple[int, ...] = ()) -> None:
    """Process-pool initialiser: quiet logs; Ctrl-C is the parent's job; SIGTERM stops kernels;
    the worker dies with the runner.

    Args:
        runner_pid: The runner's process id: when it exits, this worker gets SIGTERM
            (:func:`analysis.runner.lifetime.die_with_parent`).
        inherited_fds: Descriptors a forked worker inherited and must not keep open (the
            output folder's lock: a worker holding it would keep the folder locked after
            the runner died).
    """
    for fd in inherited_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    logging.getLogger("papermill").setLevel(logging.WARNING)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _fresh_event_loop()

    def _term(signum, frame):  # noqa: ARG001
        from .engine import shutdown_warm_kernels

        try:
            shutdown_warm_kernels()
        finally:
            os._exit(128 + signum)

    signal.signal(signal.SIGTERM, _term)
    if runner_pid is not None:
        from .lifetime import die_with_parent

        die_with_parent(runner_pid)
