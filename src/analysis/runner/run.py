"""Run an edition: plan, skip finished tasks, execute the rest in parallel, record the run.

The planning path (edition, parameters, allowed values, the up-to-date check) imports neither
papermill, nbconvert, jsonschema nor pandas: a run with nothing to do returns in a fraction of
a second. Records, file integrity and the store: :mod:`.records`; the output lock: :mod:`.lock`;
where tasks run: :mod:`.executors`.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__, config
from ..errors import ParameterError, RunError
from ..outputs import clean_temp_files
from .edition import (
    Edition,
    Override,
    Task,
    hash_datasets,
    load_edition,
    load_override_file,
    parse_override,
    plan_edition,
    resolve_relative_paths,
)
from .lock import acquire_output_lock
from .records import (
    MANIFEST,
    MANIFEST_VERSION,
    State,
    check_file,
    clear_store,
    list_store,
    load_state,
    mark_interrupted,
    method_records,
    now,
    partial_record_path,
    remove_stale,
    write_record,
)

log = logging.getLogger("analysis.runner")

#: per-task logs of the files a notebook wrote (read back into run.json, then deleted)
_OUTPUT_LOGS = ".dgap-outputs"
#: output sub-folders made before a run
_SUBFOLDERS = ("notebooks", "html", "tables", "figures", "briefs")


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
    partial: bool = False
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
def unfinished_reason(
    task: Task, prev: dict | None, latest: dict[str, dict], out: Path, html: bool
) -> str | None:
    """Why ``task`` must run, or None if it is finished and unchanged: same fingerprint,
    status ok, and every file it wrote (executed notebook, HTML copy, and the tables, figures
    and briefs of its output log) still what was written (size, and the hash when the
    modification time changed; a file several tasks write is checked against its last write).
    """
    if not prev:
        return "not run before"
    if prev.get("status") != "ok":
        return f"{prev.get('status')} before"
    if prev.get("fingerprint") != task.fingerprint:
        return "notebook, parameters, data or package changed"
    files = prev.get("files")
    if not isinstance(files, dict):
        return "no size and hash recorded for its files (an older run)"
    needed = [f"notebooks/{task.id}.ipynb"] + ([f"html/{task.id}.html"] if html else [])
    for rel in needed:
        if rel not in files:
            return f"{rel} was not written"
    for rel, rec in files.items():
        why = check_file(out / rel, latest.get(rel, rec))
        if why:
            return f"{rel} {why}"
    return None


def _task_entry(task: Task) -> dict:
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
    from jupyter_client.kernelspec import KernelSpecManager

    from .params import notebook_kernel

    needed: dict[str, str] = {}
    for t in tasks:
        needed.setdefault(t.kernel or notebook_kernel(t.path), t.notebook)
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


# --------------------------------------------------------------------------- planning
def _overrides(
    ed: Edition, parameter_files: Sequence[str | Path], parameters: Sequence[tuple[str, str]]
) -> list[Override]:
    """``-f`` then ``-p`` overrides; relative file paths made absolute from the current folder."""
    overrides: list[Override] = []
    for f in parameter_files:
        overrides += load_override_file(f)
    overrides += [parse_override(name, value) for name, value in parameters]
    return resolve_relative_paths(overrides, ed.datasets)


def _datasets(ed: Edition, overrides: Iterable[Override]) -> dict[str, Path]:
    """The edition's datasets, with the files ``-p``/``-f`` name instead: what the notebooks
    read is what gets hashed for resume and provenance."""
    datasets = dict(ed.datasets)
    for ov in overrides:
        if ov.notebook is None and ov.name in datasets and isinstance(ov.value, str) and ov.value:
            datasets[ov.name] = Path(ov.value)
    return datasets


def _is_partial(
    ed: Edition,
    tasks: list[Task],
    only: Sequence[str] | None,
    overrides: Sequence[Override],
    out: Path,
    data_hashes: dict,
) -> bool:
    """A run of a subset of the edition's tasks (``--only``, or an override of a grid axis)."""
    grid_names = {k for e in ed.notebooks for k in e.grid}
    if not only and not any(ov.name in grid_names for ov in overrides):
        return False
    try:
        full = plan_edition(ed, output_dir=out, data_hashes=data_hashes)
    except ParameterError:  # the edition alone does not plan: this run is not the edition's
        return True
    return {t.id for t in tasks} != {t.id for t in full}


def _prepare_output(out: Path) -> None:
    """Create the output folders; a folder that cannot be written is a clear error."""
    try:
        for sub in _SUBFOLDERS:
            (out / sub).mkdir(parents=True, exist_ok=True)
        for folder in (out, *(out / sub for sub in _SUBFOLDERS)):
            if not os.access(folder, os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied", str(folder))
    except OSError as exc:
        failed = Path(exc.filename or out)
        while not failed.exists() and failed != failed.parent:
            failed = failed.parent  # the folder that refused: the nearest existing one
        raise RunError(
            f"cannot write the output folder {out}: {failed} is not writable ({exc.strerror}); "
            f"make it writable (chmod -R u+w {failed}) or choose another folder with --output DIR"
        ) from None


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

    A full run records itself in ``<output>/run.json``; a partial run (``--only``, or an
    override of a grid axis that leaves tasks out) in ``<output>/runs/<sequence>-<time>.json``,
    leaving the edition's ``run.json`` as it was (see :mod:`.records`).

    Args:
        edition: Edition name, YAML path, or a loaded :class:`Edition`.
        parameters: ``-p NAME VALUE`` overrides (``NAME`` may be ``NOTEBOOK.NAME``), applied last.
        parameter_files: ``-f PARAMS.yaml`` files, applied after the edition, before ``parameters``.
        workers: Worker processes (default: the number of CPUs available).
        scheduler: ``None`` (local process pool), ``"local"`` (a Dask LocalCluster) or the
            address of a Dask scheduler. The same tasks run either way.
        force: Rerun every task even if finished and unchanged, and empty the results store.
        cold: Start a fresh kernel per notebook (plain papermill) instead of warm kernels.
        only: Run only notebooks whose name or id matches (prefix or glob).
        output_dir: Output folder (default: the edition's, ``reports/<edition>``); a relative
            one is relative to the current folder.
        html: Also write HTML copies with code hidden.
        progress: Progress bar (True), one log line per task (False); default: bar if
            stderr is a terminal.
        dry_run: Check parameters and plan, report what would run, execute nothing.

    Returns:
        A :class:`RunResult`.

    Raises:
        ParameterError: Before anything runs, for any unknown or ill-typed parameter, or a
            value the notebook does not allow.
        RunError: Before anything runs, if the output folder is not writable or another run
            holds it; after all tasks finished, if any failed (``exc.result`` holds the
            :class:`RunResult` and the message the failures table).
    """
    t_start = time.perf_counter()
    ed = edition if isinstance(edition, Edition) else load_edition(edition)
    overrides = _overrides(ed, parameter_files, parameters)
    out = Path(output_dir if output_dir is not None else ed.output_dir).expanduser().resolve()
    data_hashes = hash_datasets(_datasets(ed, overrides))
    tasks = plan_edition(
        ed, overrides=overrides, only=only, output_dir=out, data_hashes=data_hashes
    )
    partial = _is_partial(ed, tasks, only, overrides, out, data_hashes)
    state = load_state(out)
    prev_tasks = {} if force else state.tasks
    to_run: list[Task] = []
    skipped: list[Task] = []
    for t in tasks:
        why = unfinished_reason(t, prev_tasks.get(t.id), state.latest, out, html)
        if why is None:
            skipped.append(t)
        else:
            to_run.append(t)
            prev = prev_tasks.get(t.id) or {}
            if prev.get("status") == "ok" and prev.get("fingerprint") == t.fingerprint:
                log.info("%s runs again: %s", t.id, why)  # its files changed since written
            else:
                log.debug("%s runs: %s", t.id, why)
    to_run = _longest_first(to_run, state.tasks)
    n_workers = _resolve_workers(workers, max(1, len(to_run)))
    engine = "cold" if cold else "warm"
    result = RunResult(ed.name, out, out / MANIFEST, partial=partial)
    if dry_run:
        skip_ids = {t.id for t in skipped}
        for t in tasks:
            state_word = "skip" if t.id in skip_ids else "run "
            print(f"{state_word} {t.id}  {json.dumps(t.grid, ensure_ascii=False)}")
        print(
            f"{len(to_run)} to run, {len(skipped)} finished and unchanged; {n_workers} worker(s), engine {engine}"
            + ("; a partial run (recorded in runs/, run.json kept)" if partial else "")
        )
        return result
    if to_run:
        _check_kernels(to_run)
    seed = ed.seed
    for o in overrides:
        if o.name == "seed" and o.notebook is None:
            try:
                seed = int(o.value)
            except (TypeError, ValueError):
                pass  # plan_edition already rejected a bad seed for notebooks that declare one
    _prepare_output(out)
    lock = acquire_output_lock(out)
    try:
        plan = _Plan(ed, tasks, to_run, skipped, overrides, out, seed, state, prev_tasks,
                     data_hashes, engine, n_workers, scheduler, only, force, html, progress,
                     partial)  # fmt: skip
        return _run_locked(plan, result, t_start, lock.fd)
    finally:
        lock.release()


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
    state: State
    prev_tasks: dict[str, dict]
    data_hashes: dict
    engine: str
    n_workers: int
    scheduler: str | None
    only: Sequence[str] | None
    force: bool
    html: bool
    progress: bool | None
    partial: bool


# --------------------------------------------------------------------------- running
def _start_clean(p: _Plan) -> None:
    """With the lock held: what an interrupted run left behind, and ``--force``'s store."""
    removed = clean_temp_files(p.out)  # the whole output folder, sub-folders included
    if removed:
        log.info("removed %d temporary file(s) of interrupted writes in %s", len(removed), p.out)
    shutil.rmtree(p.out / _OUTPUT_LOGS, ignore_errors=True)
    mark_interrupted(p.state)
    if p.force:
        cleared = clear_store(p.out)
        if cleared:
            log.info("--force: emptied %s of %s", " and ".join(f"{c}/" for c in cleared), p.out)


def _new_manifest(p: _Plan, record: Path) -> dict[str, Any]:
    planned = {t.id for t in p.tasks}
    return {
        "manifest_version": MANIFEST_VERSION,
        "edition": p.ed.name,
        "edition_file": str(p.ed.source) if p.ed.source else None,
        "description": p.ed.description,
        "status": "running",
        "partial": p.partial,
        "record": record.relative_to(p.out).as_posix(),
        "sequence": p.state.sequence + 1,
        "started": now(),
        "finished": None,
        "runner": {"pid": os.getpid(), "host": socket.gethostname()},
        "package": "analysis",
        "package_version": __version__,
        "git": _git_revision(config.ROOT) if config.IS_CLONE else {"revision": None, "dirty": None},
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
        # a full run lists every task of the edition (tasks no longer in it are dropped);
        # a partial run only what it planned
        "tasks": {} if p.partial else {k: v for k, v in p.state.tasks.items() if k in planned},
        "summary": None,
        "store": None,
    }


class _Recorder:
    """Keeps the run's record up to date as tasks finish (written after each one)."""

    def __init__(self, p: _Plan, result: RunResult):
        self.p, self.result = p, result
        self.by_id = {t.id: t for t in p.tasks}
        self.path = (
            partial_record_path(p.out, p.state.sequence + 1) if p.partial else p.out / MANIFEST
        )
        result.manifest_path = self.path
        self.manifest = _new_manifest(p, self.path)
        self.done = 0
        self.bar = None

    def _task_result(self, t: Task, status: str, action: str, error, duration) -> TaskResult:
        nb_dir, html_dir = self.p.out / "notebooks", self.p.out / "html"
        return TaskResult(t, status, action, error, duration, nb_dir / f"{t.id}.ipynb",
                          html_dir / f"{t.id}.html")  # fmt: skip

    def start(self) -> None:
        tasks = self.manifest["tasks"]
        for t in self.p.skipped:
            entry = dict(self.p.prev_tasks[t.id], action="skipped")
            entry["files"] = {
                rel: self.p.state.latest.get(rel, rec) for rel, rec in entry["files"].items()
            }
            tasks[t.id] = entry
            self.result.results.append(
                self._task_result(t, "ok", "skipped", None, entry.get("duration_s"))
            )
        for t in self.p.to_run:  # not finished until a worker says so (a crash leaves 'pending')
            prev = self.p.state.tasks.get(t.id) or {}
            earlier = set(prev.get("outputs") or ()) | set(prev.get("previous_outputs") or ())
            tasks[t.id] = {**_task_entry(t), "status": "pending", "action": "queued"}
            if earlier:
                tasks[t.id]["previous_outputs"] = sorted(earlier)
        self.write()

    def write(self) -> None:
        write_record(self.path, self.manifest)

    def _stale(self, t: Task, entry: dict) -> list[str]:
        """Files a failed task wrote in an earlier run and not in this one: removed, unless
        another finished task also wrote them."""
        prev = self.manifest["tasks"].get(t.id) or {}
        earlier = set(prev.get("previous_outputs") or ())
        others = {**self.p.state.tasks, **self.manifest["tasks"]}
        claimed = {
            rel
            for tid, e in others.items()
            if tid != t.id and e.get("status") == "ok"
            for rel in e.get("outputs") or ()
        }
        removed = remove_stale(
            self.p.out, sorted(earlier - set(entry.get("outputs") or ()) - claimed)
        )
        if removed:
            log.warning(
                "%s failed: removed %d file(s) it wrote in an earlier run, which would no longer "
                "match the code, data or parameters: %s",
                t.id,
                len(removed),
                ", ".join(removed[:8]) + (", ..." if len(removed) > 8 else ""),
            )
        return removed

    def on_result(self, res: dict) -> None:
        t = self.by_id[res["id"]]
        self.done += 1
        entry = {**_task_entry(t), **{k: v for k, v in res.items() if k != "id"}, "action": "ran"}
        files = entry.get("files") or {}
        for tid, other in self.manifest["tasks"].items():  # a file several tasks write:
            shared = files.keys() & (other.get("files") or {}).keys()  # its last write counts
            for rel in shared if tid != t.id else ():
                other["files"][rel] = dict(files[rel])
        self.p.state.latest.update(files)
        if res["status"] != "ok":
            entry["removed_stale"] = self._stale(t, entry)
        self.manifest["tasks"][t.id] = entry
        self.write()
        self.result.results.append(
            self._task_result(t, res["status"], "ran", res.get("error"), res.get("duration_s"))
        )
        self._report(t, res)

    def _report(self, t: Task, res: dict) -> None:
        if self.bar is not None:
            self.bar.update(1)
            if res["status"] != "ok":
                self.bar.write(f"failed: {t.id}")
            return
        err = res.get("error") or {}
        log.info(
            "[%d/%d] %s %s (%.1f s)%s",
            self.done,
            len(self.p.to_run),
            res["status"],
            t.id,
            res.get("duration_s") or 0.0,
            f": {err.get('ename')}: {err.get('evalue')}" if err else "",
        )

    def start_bar(self) -> None:  # after the workers started: tqdm runs a monitor thread
        show = sys.stderr.isatty() if self.p.progress is None else self.p.progress
        if show and self.p.to_run:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=len(self.p.to_run),
                unit="nb",
                desc=f"{self.p.ed.name} ({self.p.engine}, {self.p.n_workers} workers)",
                file=sys.stderr,
            )

    def finish(self, status: str, wall_s: float) -> None:
        if self.bar is not None:
            self.bar.close()
        r, m = self.result, self.manifest
        m.update(status=status, finished=now(), wall_s=round(wall_s, 3))
        m["summary"] = {
            "tasks": len(self.p.tasks),
            "ran": r.n_ran,
            "skipped": r.n_skipped,
            "ok": sum(x.status == "ok" for x in r.results),
            "failed": len(r.failures),
            "not_finished": len(self.p.tasks) - len(r.results),
            # the largest memory a notebook's kernel held (warm kernels on Linux), per worker
            "peak_rss_mib": max(
                (t["peak_rss_mib"] for t in m["tasks"].values() if t.get("peak_rss_mib")),
                default=None,
            ),
        }
        m["store"] = list_store(self.p.out)
        m["method"] = method_records(self.p.out)
        self.write()


def _spec(p: _Plan, t: Task) -> dict:
    nb_dir, html_dir = p.out / "notebooks", p.out / "html"
    return {
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


def _run_locked(p: _Plan, result: RunResult, t_start: float, lock_fd: int = -1) -> RunResult:
    _start_clean(p)
    rec = _Recorder(p, result)
    rec.start()
    log.info(
        "edition %s: %d task(s), %d to run, %d finished and unchanged; %d worker(s), %s kernels%s%s",
        p.ed.name,
        len(p.tasks),
        len(p.to_run),
        len(p.skipped),
        p.n_workers,
        p.engine,
        f", scheduler {p.scheduler}" if p.scheduler else "",
        f"; partial run, recorded in {rec.path.relative_to(p.out)}" if p.partial else "",
    )
    specs = [_spec(p, t) for t in p.to_run]
    status = "interrupted"
    try:
        if specs:
            from .executors import run_dask, run_pool

            if p.scheduler:
                run_dask(specs, p.scheduler, p.n_workers, rec.on_result, rec.start_bar)
            else:
                fds = (lock_fd,) if lock_fd >= 0 else ()
                run_pool(specs, p.n_workers, rec.on_result, rec.start_bar, close_fds=fds)
        status = "ok" if result.ok else "failed"
    finally:
        result.wall_s = time.perf_counter() - t_start
        order = {t.id: i for i, t in enumerate(p.tasks)}
        result.results.sort(key=lambda r: order.get(r.task.id, 0))
        rec.finish(status, result.wall_s)
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
            f"{p.out / 'notebooks'}; details in {rec.path}):\n{format_failures(result.failures)}"
        )
        err.result = result
        raise err
    return result
