"""Where tasks run: a local process pool (warm workers, forked or from a fork server) or Dask.

Both take plain-dict task specs (see :func:`analysis.runner.execute.execute_task`), call
``on_result`` with each outcome as it arrives, and never let one task's failure stop the
others. Workers of the local pool die with the runner (:mod:`.lifetime`).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable

from ..errors import ParameterError
from .execute import execute_task, init_worker

log = logging.getLogger("analysis.runner")


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


def run_pool(
    specs: list[dict],
    workers: int,
    on_result: Callable[[dict], None],
    on_start: Callable[[], None] = lambda: None,
    close_fds: tuple[int, ...] = (),
) -> None:
    """Run ``specs`` in a local process pool of ``workers`` processes.

    ``close_fds``: descriptors of this process a forked worker must close at once (the
    output lock).
    """
    ctx = _mp_context()
    inherited = close_fds if ctx.get_start_method() == "fork" else ()
    pool = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=init_worker,
        initargs=(os.getpid(), tuple(inherited)),
    )
    futures = {pool.submit(execute_task, spec): spec for spec in specs}  # workers start here
    try:
        on_start()
        for fut in cf.as_completed(futures):
            spec = futures[fut]
            try:
                res = fut.result()
            except cf.process.BrokenProcessPool as exc:
                res = lost(spec, f"worker process died: {exc}")
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


def lost(spec: dict, message: str) -> dict:
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


def run_dask(
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
        import dask

        if not log.isEnabledFor(logging.DEBUG):
            logging.getLogger("distributed").setLevel(logging.WARNING)
        # No dashboard, so nobody reads the workers' statistical profiler: switched off, it
        # gives each worker's core back to the notebook (measured: 1.5 s of CPU per worker
        # over 200 briefs). The nannies hand this config to the worker processes.
        with dask.config.set({"distributed.worker.profile.enabled": False}):
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
                res = lost(spec, f"{type(exc).__name__}: {exc}")
            on_result(res)
    finally:
        try:
            client.run(_shutdown_worker_kernels)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
