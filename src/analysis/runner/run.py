"""Run an edition: plan, skip finished tasks, execute the rest in parallel, write run.json."""

from __future__ import annotations

import concurrent.futures as cf
import datetime as _dt
import json
import logging
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__, config
from ..errors import ParameterError, RunError
from ..outputs import clean_temp_files, write_text
from .edition import (
    Edition,
    Override,
    Task,
    hash_datasets,
    load_edition,
    load_override_file,
    parse_override,
    plan_edition,
)
from .execute import execute_task, init_worker

log = logging.getLogger("analysis.runner")

MANIFEST = "run.json"
_MANIFEST_VERSION = 1


@dataclass(frozen=True)
class TaskResult:
    """Outcome of one task in one run.

    Attributes:
        task: The task.
        status: ``"ok"`` or ``"failed"`` (state of its outputs).
        action: ``"ran"`` or ``"skipped"`` (resumed: unchanged and finished earlier).
        error: For failures: ``ename``, ``evalue``, ``cell`` (index in the executed notebook),
            ``execution_count``.
        duration_s: Wall time of the execution (of the earlier run when skipped).
        notebook_path: The executed notebook.
        html_path: Its HTML copy (code hidden).
    """

    task: Task
    status: str
    action: str
    error: dict | None
    duration_s: float | None
    notebook_path: Path
    html_path: Path


@dataclass
class RunResult:
    """Everything :func:`run_edition` did."""

    edition: str
    output_dir: Path
    manifest_path: Path
    results: list[TaskResult] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def failures(self) -> list[TaskResult]:
        """The failed tasks."""
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        """True if every task succeeded."""
        return not self.failures

    @property
    def n_ran(self) -> int:
        """Number of tasks executed in this run."""
        return sum(r.action == "ran" for r in self.results)

    @property
    def n_skipped(self) -> int:
        """Number of tasks skipped because they were finished and unchanged."""
        return sum(r.action == "skipped" for r in self.results)


# --------------------------------------------------------------------------- helpers
def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _git_revision(root: Path) -> dict[str, Any]:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if rev.returncode != 0:
            return {"revision": None, "dirty": None}
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return {
            "revision": rev.stdout.strip(),
            "dirty": bool(dirty.stdout.strip()) if dirty.returncode == 0 else None,
        }
    except (OSError, subprocess.SubprocessError):
        return {"revision": None, "dirty": None}


def _read_manifest(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        log.warning("ignoring unreadable %s (%s): every task will run", path, exc)
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("tasks"), dict) else {}


def _write_manifest(path: Path, manifest: dict) -> None:
    write_text(
        path, json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", record=False
    )


#: per-task logs of the files a notebook wrote (read back into run.json, then deleted)
_OUTPUT_LOGS = ".dgap-outputs"


def _is_finished(
    task: Task, prev: dict | None, nb_path: Path, html_path: Path, html: bool, out: Path
) -> bool:
    """Finished and unchanged: same fingerprint, status ok, and every file it wrote (executed
    notebook, HTML copy, and the tables, figures and briefs recorded in its output log) is
    still there."""
    return bool(
        prev
        and prev.get("status") == "ok"
        and prev.get("fingerprint") == task.fingerprint
        and nb_path.is_file()
        and (html_path.is_file() or not html)
        and all((out / rel).is_file() for rel in prev.get("outputs") or ())
    )


def _task_entry(task: Task, out: Path) -> dict:
    return {
        "notebook": str(task.path),
        "parameters": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in task.parameters.items()
        },
        "grid": task.grid,
        "fingerprint": task.fingerprint,
        "output": f"notebooks/{task.id}.ipynb",
        "html": f"html/{task.id}.html",
    }


def format_failures(results: Iterable[TaskResult]) -> str:
    """A plain-text table of failed tasks: notebook, parameters, cell, error."""
    rows = []
    for r in results:
        if r.status == "ok":
            continue
        err = r.error or {}
        params = ", ".join(f"{k}={v}" for k, v in r.task.grid.items()) or "-"
        if err.get("execution_count") is not None:
            cell = f"In [{err['execution_count']}]"
        elif err.get("cell") is not None:
            cell = f"cell {err['cell']}"
        else:
            cell = "-"
        message = f"{err.get('ename', '?')}: {err.get('evalue', '')}".strip().splitlines()
        rows.append((r.task.notebook, params, cell, (message[0] if message else "?")[:120]))
    if not rows:
        return ""
    head = ("notebook", "parameters", "cell", "error")
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  " + head[3]]
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    ]
    return "\n".join(lines)


def _check_kernels(tasks: Sequence[Task]) -> None:
    """Every kernel the tasks need is installed (else one clear error, before anything runs)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager

    needed: dict[str, str] = {}
    for t in tasks:
        name = t.kernel
        if not name:
            meta = nbformat.read(t.path, as_version=4).metadata
            name = (meta.get("kernelspec") or {}).get("name") or "python3"
        needed.setdefault(name, t.notebook)
    installed = KernelSpecManager().find_kernel_specs()
    missing = {k: nb for k, nb in needed.items() if k not in installed}
    if missing:
        k, nb = next(iter(missing.items()))
        raise ParameterError(
            f"notebook {nb} needs the Jupyter kernel {k!r}, which is not installed (installed: "
            f"{', '.join(sorted(installed)) or 'none'}); run `make setup` (installs the 'dgap' kernel), "
            f"or `python -m ipykernel install --sys-prefix --name {k}`, or set `kernel:` in the edition"
        )


def _resolve_workers(workers: int | None, n_tasks: int) -> int:
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            workers = os.cpu_count() or 1
    if workers < 1:
        raise ParameterError(f"--workers must be at least 1, got {workers}")
    return max(1, min(workers, n_tasks))


# --------------------------------------------------------------------------- executors
def _mp_context():
    """Worker processes that start fast and safely.

    With no other thread running (the ``dgap`` command), workers are forked from this process
    after it imported papermill and nbconvert, so they start at once. With threads around
    (pytest plugins, Jupyter, Dask) forking is unsafe; then a fork server that imports
    papermill once is used (``spawn`` would re-import it in every worker: about 3 s here,
    mostly jsonschema's format checkers).
    """
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        from . import execute

        execute.preload()
        return mp.get_context("fork")
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["analysis.runner._preload"])
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - Windows


def _run_pool(
    specs: list[dict],
    workers: int,
    on_result: Callable[[dict], None],
    on_start: Callable[[], None] = lambda: None,
) -> None:
    ctx = _mp_context()
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker)
    futures = {pool.submit(execute_task, spec): spec for spec in specs}  # workers start here
    try:
        on_start()
        for fut in cf.as_completed(futures):
            spec = futures[fut]
            try:
                res = fut.result()
            except cf.process.BrokenProcessPool as exc:
                res = _lost(spec, f"worker process died: {exc}")
            on_result(res)
    except BaseException:  # Ctrl-C (workers ignore SIGINT) or an error in the parent
        procs = list((getattr(pool, "_processes", None) or {}).values())
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # init_worker's SIGTERM handler stops its kernels first
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.join(timeout=10)
        raise
    pool.shutdown(wait=True)


def _lost(spec: dict, message: str) -> dict:
    return {
        "id": spec["id"],
        "status": "failed",
        "started": None,
        "duration_s": None,
        "engine": spec["engine"],
        "error": {"ename": "WorkerLost", "evalue": message, "cell": None, "execution_count": None},
    }


def _shutdown_worker_kernels() -> int:
    from .engine import shutdown_warm_kernels

    return shutdown_warm_kernels()


def _run_dask(
    specs: list[dict],
    scheduler: str,
    workers: int,
    on_result: Callable[[dict], None],
    on_start: Callable[[], None] = lambda: None,
) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ParameterError(
            "--scheduler needs dask.distributed: pip install 'analysis[dask]' (or drop --scheduler)"
        ) from exc

    def run_task(spec: dict) -> dict:
        # A local function is pickled by value: the worker imports the runner while running the
        # task. Submitting ``execute_task`` itself makes each worker import papermill while
        # unpickling, which stalls the worker's event loop (measured: +10 s per worker).
        from analysis.runner.execute import execute_task as _execute

        return _execute(spec)

    cluster = None
    if scheduler == "local":
        if not log.isEnabledFor(logging.DEBUG):
            logging.getLogger("distributed").setLevel(logging.WARNING)
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {
            client.submit(
                run_task,
                spec,
                key=f"dgap-{spec['id']}-{spec['fingerprint'][:12]}-{time.time_ns()}",
                pure=False,
            ): spec
            for spec in specs
        }
        on_start()
        for fut in as_completed(list(futures)):
            spec = futures[fut]
            try:
                res = fut.result()
            except (
                Exception
            ) as exc:  # worker lost, deserialisation error: that task failed, not the run
                res = _lost(spec, f"{type(exc).__name__}: {exc}")
            on_result(res)
    finally:
        try:
            client.run(_shutdown_worker_kernels)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


# --------------------------------------------------------------------------- main entry
def _longest_first(tasks: list[Task], old_tasks: dict) -> list[Task]:
    """Order tasks longest first, so that the slowest notebook does not start last and leave
    the other workers idle (a 10 s notebook started last costs up to 10 s of wall time).

    Expected durations are those of the previous run in the same output folder. Tasks never
    run before come first: a notebook with fewer tasks (a district-wide notebook, not one of a
    per-commune grid) before one with many, in edition order otherwise.
    """
    per_notebook = Counter(t.notebook for t in tasks)

    def key(t: Task) -> tuple:
        d = (old_tasks.get(t.id) or {}).get("duration_s")
        if isinstance(d, (int, float)):
            return (1, -float(d), 0)
        return (0, 0.0, per_notebook[t.notebook])

    return sorted(tasks, key=key)  # stable: edition order among equals


def run_edition(
    edition: str | Path | Edition,
    *,
    parameters: Sequence[tuple[str, str]] = (),
    parameter_files: Sequence[str | Path] = (),
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    cold: bool = False,
    only: Sequence[str] | None = None,
    output_dir: str | Path | None = None,
    html: bool = True,
    progress: bool | None = None,
    dry_run: bool = False,
) -> RunResult:
    """Run every task of an edition; skip those already finished and unchanged.

    Args:
        edition: Edition name, YAML path, or a loaded :class:`Edition`.
        parameters: ``-p NAME VALUE`` overrides (``NAME`` may be ``NOTEBOOK.NAME``), applied last.
        parameter_files: ``-f PARAMS.yaml`` files, applied after the edition, before ``parameters``.
        workers: Worker processes (default: the number of CPUs available).
        scheduler: ``None`` (local process pool), ``"local"`` (a Dask LocalCluster) or the
            address of a Dask scheduler. The same tasks run either way.
        force: Rerun every task even if finished and unchanged.
        cold: Start a fresh kernel per notebook (plain papermill) instead of warm kernels.
        only: Run only notebooks whose name or id matches (prefix or glob).
        output_dir: Output folder (default: the edition's, ``reports/<edition>``).
        html: Also write HTML copies with code hidden.
        progress: Progress bar (True), one log line per task (False); default: bar if
            stderr is a terminal.
        dry_run: Check parameters and plan, report what would run, execute nothing.

    Returns:
        A :class:`RunResult`.

    Raises:
        ParameterError: Before anything runs, for any unknown or ill-typed parameter.
        RunError: After all tasks finished, if any failed; ``exc.result`` holds the
            :class:`RunResult` and the message the failures table.
    """
    t_start = time.perf_counter()
    ed = edition if isinstance(edition, Edition) else load_edition(edition)
    overrides: list[Override] = []
    for f in parameter_files:
        overrides += load_override_file(f)
    overrides += [parse_override(name, value) for name, value in parameters]
    out = Path(output_dir) if output_dir is not None else ed.output_dir
    # a -p/-f override of a dataset (e.g. -p observations_path my.xlsx) is what the notebooks
    # read, so it is what gets hashed for resume and provenance
    datasets = dict(ed.datasets)
    for ov in overrides:
        if ov.notebook is None and ov.name in datasets and isinstance(ov.value, str) and ov.value:
            p = Path(ov.value).expanduser()
            datasets[ov.name] = p if p.is_absolute() or p.exists() else config.ROOT / p
    data_hashes = hash_datasets(datasets)
    tasks = plan_edition(
        ed, overrides=overrides, only=only, output_dir=out, data_hashes=data_hashes
    )

    manifest_path = out / MANIFEST
    result = RunResult(edition=ed.name, output_dir=out, manifest_path=manifest_path)
    nb_dir, html_dir = out / "notebooks", out / "html"
    previous = _read_manifest(manifest_path)
    prev_tasks: dict[str, dict] = previous.get("tasks", {}) if not force else {}
    engine = "cold" if cold else "warm"

    to_run: list[Task] = []
    skipped: list[Task] = []
    for t in tasks:
        if _is_finished(
            t,
            prev_tasks.get(t.id),
            nb_dir / f"{t.id}.ipynb",
            html_dir / f"{t.id}.html",
            html,
            out,
        ):
            skipped.append(t)
        else:
            to_run.append(t)
    to_run = _longest_first(to_run, previous.get("tasks", {}))
    n_workers = _resolve_workers(workers, max(1, len(to_run)))
    if dry_run:
        for t in tasks:
            state = "skip" if t in skipped else "run "
            print(f"{state} {t.id}  {json.dumps(t.grid, ensure_ascii=False)}")
        print(
            f"{len(to_run)} to run, {len(skipped)} finished and unchanged; {n_workers} worker(s), engine {engine}"
        )
        return result

    _check_kernels(to_run)
    seed_override = [o for o in overrides if o.name == "seed" and o.notebook is None]
    seed = ed.seed
    if seed_override:
        try:
            seed = int(seed_override[-1].value)
        except (TypeError, ValueError):
            pass  # plan_edition already rejected a bad seed for notebooks that declare one
    for sub in ("notebooks", "html", "tables", "figures", "briefs"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    lock = _lock_output(out)
    try:
        return _run_locked(
            _Plan(
                ed,
                tasks,
                to_run,
                skipped,
                overrides,
                out,
                seed,
                previous,
                prev_tasks,
                data_hashes,
                engine,
                n_workers,
                scheduler,
                only,
                force,
                html,
                progress,
            ),
            result,
            t_start,
        )
    finally:
        lock.close()


def _lock_output(out: Path):
    """Hold ``<out>/.lock`` for the run: two runs of one edition must not interleave."""
    fh = open(out / ".lock", "w")
    try:
        import fcntl

        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - Windows: no lock
        pass
    except OSError:
        fh.close()
        raise RunError(
            f"another run is writing to {out} (lock {out / '.lock'}); wait for it or use --output"
        ) from None
    return fh


@dataclass
class _Plan:
    """What :func:`run_edition` decided before anything runs (inputs of :func:`_run_locked`)."""

    ed: Edition
    tasks: list[Task]
    to_run: list[Task]
    skipped: list[Task]
    overrides: list[Override]
    out: Path
    seed: int | None
    previous: dict
    prev_tasks: dict[str, dict]
    data_hashes: dict
    engine: str
    n_workers: int
    scheduler: str | None
    only: Sequence[str] | None
    force: bool
    html: bool
    progress: bool | None


def _run_locked(p: _Plan, result: RunResult, t_start: float) -> RunResult:
    manifest_path = p.out / MANIFEST
    nb_dir, html_dir = p.out / "notebooks", p.out / "html"
    clean_temp_files(p.out)  # left by a crashed or interrupted earlier run

    planned_ids = {t.id for t in p.tasks}
    manifest: dict[str, Any] = {
        "manifest_version": _MANIFEST_VERSION,
        "edition": p.ed.name,
        "edition_file": str(p.ed.source) if p.ed.source else None,
        "description": p.ed.description,
        "status": "running",
        "started": _now(),
        "finished": None,
        "package": "analysis",
        "package_version": __version__,
        "git": _git_revision(config.ROOT),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "engine": p.engine,
        "workers": p.n_workers,
        "scheduler": p.scheduler,
        "seed": p.seed,
        "parameters": p.ed.parameters,
        "overrides": [
            {
                "name": (o.notebook + "." if o.notebook else "") + o.name,
                "value": o.value,
                "source": o.source,
            }
            for o in p.overrides
        ],
        "only": list(p.only) if p.only else None,
        "force": p.force,
        "data_hashes": p.data_hashes,
        # entries of tasks no longer in the edition are dropped (kept with --only: not planned)
        "tasks": {
            k: v for k, v in p.previous.get("tasks", {}).items() if p.only or k in planned_ids
        },
        "summary": None,
    }
    by_id = {t.id: t for t in p.tasks}
    for t in p.skipped:
        entry = dict(p.prev_tasks[t.id])
        entry["action"] = "skipped"
        manifest["tasks"][t.id] = entry
        result.results.append(
            TaskResult(
                t,
                "ok",
                "skipped",
                None,
                entry.get("duration_s"),
                nb_dir / f"{t.id}.ipynb",
                html_dir / f"{t.id}.html",
            )
        )
    for t in p.to_run:  # not finished until a worker says so (a crash leaves them 'pending')
        manifest["tasks"][t.id] = {**_task_entry(t, p.out), "status": "pending", "action": "queued"}
    _write_manifest(manifest_path, manifest)

    show_bar = sys.stderr.isatty() if p.progress is None else p.progress
    bar = None

    def start_bar() -> None:  # after the workers started: tqdm runs a monitor thread
        nonlocal bar
        if show_bar and p.to_run:
            from tqdm.auto import tqdm

            bar = tqdm(
                total=len(p.to_run),
                unit="nb",
                desc=f"{p.ed.name} ({p.engine}, {p.n_workers} workers)",
                file=sys.stderr,
            )

    log.info(
        "edition %s: %d task(s), %d to run, %d finished and unchanged; %d worker(s), %s kernels%s",
        p.ed.name,
        len(p.tasks),
        len(p.to_run),
        len(p.skipped),
        p.n_workers,
        p.engine,
        f", scheduler {p.scheduler}" if p.scheduler else "",
    )
    done = [0]

    def on_result(res: dict) -> None:
        t = by_id[res["id"]]
        done[0] += 1
        entry = {
            **_task_entry(t, p.out),
            **{k: v for k, v in res.items() if k != "id"},
            "action": "ran",
        }
        manifest["tasks"][t.id] = entry
        _write_manifest(manifest_path, manifest)
        result.results.append(
            TaskResult(
                t,
                res["status"],
                "ran",
                res.get("error"),
                res.get("duration_s"),
                nb_dir / f"{t.id}.ipynb",
                html_dir / f"{t.id}.html",
            )
        )
        if bar is not None:
            bar.update(1)
            if res["status"] != "ok":
                bar.write(f"failed: {t.id}")
        else:
            err = res.get("error") or {}
            log.info(
                "[%d/%d] %s %s (%.1f s)%s",
                done[0],
                len(p.to_run),
                res["status"],
                t.id,
                res.get("duration_s") or 0.0,
                f": {err.get('ename')}: {err.get('evalue')}" if err else "",
            )

    specs = [
        {
            "id": t.id,
            "notebook": t.notebook,
            "path": str(t.path),
            "parameters": t.parameters,
            "kernel": t.kernel,
            "timeout": t.timeout,
            "cwd": str(t.path.parent),
            "fingerprint": t.fingerprint,
            "out_nb": str(nb_dir / f"{t.id}.ipynb"),
            "out_html": str(html_dir / f"{t.id}.html"),
            "engine": p.engine,
            "html": p.html,
            "output_root": str(p.out),
            "output_log": str(p.out / _OUTPUT_LOGS / f"{t.id}.log"),
        }
        for t in p.to_run
    ]
    status = "interrupted"
    try:
        if specs:
            if p.scheduler:
                _run_dask(specs, p.scheduler, p.n_workers, on_result, start_bar)
            else:
                _run_pool(specs, p.n_workers, on_result, start_bar)
        status = "ok" if result.ok else "failed"
    finally:
        if bar is not None:
            bar.close()
        result.wall_s = time.perf_counter() - t_start
        order = {t.id: i for i, t in enumerate(p.tasks)}
        result.results.sort(key=lambda r: order.get(r.task.id, 0))
        manifest["status"] = status
        manifest["finished"] = _now()
        manifest["wall_s"] = round(result.wall_s, 3)
        manifest["summary"] = {
            "tasks": len(p.tasks),
            "ran": result.n_ran,
            "skipped": result.n_skipped,
            "ok": sum(r.status == "ok" for r in result.results),
            "failed": len(result.failures),
            "not_finished": len(p.tasks) - len(result.results),
        }
        _write_manifest(manifest_path, manifest)
    log.info(
        "edition %s: %d ran, %d skipped, %d failed in %.1f s -> %s",
        p.ed.name,
        result.n_ran,
        result.n_skipped,
        len(result.failures),
        result.wall_s,
        p.out,
    )
    if result.failures:
        err = RunError(
            f"{len(result.failures)} of {len(p.tasks)} task(s) failed (executed notebooks with the error kept in "
            f"{nb_dir}; details in {manifest_path}):\n{format_failures(result.failures)}"
        )
        err.result = result
        raise err
    return result
