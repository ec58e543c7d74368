"""Warm kernels: one started kernel per worker, reset between notebooks (``WarmEngine``'s core).

A cold papermill run starts a kernel and re-imports pandas/matplotlib/seaborn for every
notebook. The warm engine keeps one started kernel per (process, thread, kernel name) and,
before each further notebook, restores the state a fresh kernel would have:

- user namespace, ``In``/``Out`` caches and execution counter (``InteractiveShell.reset``),
- working directory (the notebook's ``cwd``), ``os.environ`` (plus the runner's per-task
  ``DGAP_OUTPUT_LOG``, as a fresh kernel would inherit it), ``sys.path``, warning filters,
- matplotlib: all figures closed, every rcParam except the backend back to the values read
  from matplotlibrc at import (plus the inline backend's rc), so a notebook's
  ``set_style()``/``set_theme()`` does not leak. One documented difference: the inline
  backend turns ``interactive`` on when it activates at the first figure of a fresh kernel;
  it does not activate again, so in a reused kernel ``interactive`` stays on from the start
  (figures are displayed exactly as in a cold kernel),
- pandas options, and random state (``random`` and numpy's global RNG re-seeded from
  entropy, exactly as in a new interpreter; notebooks that need reproducibility seed
  themselves, as they must for cold runs too).

Imported modules stay imported: that is the point. What survives a reset is frozen out of
the garbage collector (``gc.freeze``), so later resets and collections do not walk the whole
heap of pandas/matplotlib/scipy again. A kernel that dies, times out or fails to
reset is shut down and replaced by a fresh one.
"""

from __future__ import annotations

import atexit
import glob
import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field

from jupyter_client.manager import AsyncKernelManager
from nbclient.util import run_sync

from .lifetime import kernel_command

log = logging.getLogger(__name__)

#: Code run once in a new kernel: snapshot of the interpreter state to restore later.
_SNAPSHOT_CODE = r"""
def __dgap_install():
    import gc, os, sys, types, warnings

    mod = types.ModuleType("_dgap_warm")
    mod.environ = dict(os.environ)
    mod.path = list(sys.path)
    mod.filters = list(warnings.filters)

    def reset(cwd, forwarded=None):
        import random

        ip = get_ipython()  # noqa: F821
        ip.reset(new_session=True)
        os.chdir(cwd)
        if dict(os.environ) != mod.environ:
            os.environ.clear()
            os.environ.update(mod.environ)
        for k, v in (forwarded or {}).items():  # what a fresh kernel would inherit now
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        sys.path[:] = mod.path
        warnings.filters[:] = mod.filters
        warnings._filters_mutated()
        random.seed()
        np = sys.modules.get("numpy")
        if np is not None:
            np.random.seed()
        mpl = sys.modules.get("matplotlib")
        if mpl is not None:
            plt = sys.modules.get("matplotlib.pyplot")
            if plt is not None:
                plt.close("all")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mpl.rcParams.update({
                    k: v for k, v in mpl.rcParamsOrig.items() if k not in ("backend", "backend_fallback")
                })
            inline = sys.modules.get("matplotlib_inline.config")
            if inline is not None and inline.InlineBackend.initialized():
                mpl.rcParams.update(inline.InlineBackend.instance().rc)
            if "matplotlib_inline.backend_inline" in sys.modules:
                # the inline backend switched interactive mode on when it was activated (at the
                # first figure of a fresh kernel); it is not activated again, so keep it on
                mpl.interactive(True)
        pd = sys.modules.get("pandas")
        if pd is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pd.reset_option("all")
        # What survives a reset (imported modules, their caches) survives every later one:
        # move it out of the collector's sight. Otherwise each reset's full collection walks
        # the ~300k objects of pandas/matplotlib/scipy again (0.13 s per notebook, measured).
        gc.collect()
        try:  # Linux: restart the kernel's peak-RSS count, so each notebook reports its own
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            pass
        gc.freeze()
        return True

    mod.reset = reset
    sys.modules["_dgap_warm"] = mod


__dgap_install()
del __dgap_install
"""

_RESET_CODE = "__import__('sys').modules['_dgap_warm'].reset({cwd!r}, {forwarded!r})"

#: per-task variables a warm kernel gets at each reset, as a kernel started with them would
#: (the batch runner's output log, see analysis.outputs); any other is reset to the snapshot
_FORWARDED_ENV = ("DGAP_OUTPUT_LOG",)


@dataclass
class _WarmKernel:
    km: AsyncKernelManager
    kc: object
    kernel_name: str
    n_notebooks: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


_KERNELS: dict[tuple[int, int, str], _WarmKernel] = {}
_KERNELS_LOCK = threading.Lock()
#: pid of the process whose exit hooks stop its kernels (a forked child inherits the value
#: but not the hooks: multiprocessing clears its finalisers in a new process)
_CLEANUP_PID: int | None = None


def _silent_execute(wk: _WarmKernel, code: str, timeout: float) -> None:
    """Run ``code`` silently in the kernel; raise RuntimeError if it fails."""
    reply = run_sync(wk.kc.execute_interactive)(
        code,
        silent=True,
        store_history=False,
        allow_stdin=False,
        timeout=timeout,
        output_hook=lambda msg: None,
    )
    content = reply["content"]
    if content.get("status") != "ok":
        raise RuntimeError(
            f"warm kernel command failed: {content.get('ename')}: {content.get('evalue')}"
        )


class IPCKernelManager(AsyncKernelManager):
    """Kernel manager talking over Unix sockets where available.

    TCP ports are picked by binding to port 0 and releasing it, so kernels started at the same
    moment by several workers can collide ("Address already in use", "Kernel died before
    replying to kernel_info"). IPC sockets are files with a unique absolute prefix:
    no race, and no plain-text TCP on the machine.
    """

    def __init__(self, **kwargs):
        if os.name == "posix":
            kwargs.setdefault("transport", "ipc")
            # an absolute, unique socket prefix: the kernel runs in the notebook's folder, the
            # client in the runner's, so a relative default ("kernel-ipc") would not meet
            kwargs.setdefault(
                "ip", os.path.join(tempfile.gettempdir(), f"dgap-{uuid.uuid4().hex[:16]}")
            )
        super().__init__(**kwargs)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's command line, started so that the kernel dies with this worker
        (:func:`analysis.runner.lifetime.kernel_command`)."""
        return kernel_command(super().format_kernel_cmd(extra_arguments))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            _remove_ipc_files(self)

    cleanup_resources = _async_cleanup_resources  # as AsyncKernelManager exposes it


#: Arguments for every kernel the runner starts: history in memory (concurrent kernels would
#: otherwise share one SQLite file and lock it), and no kernel-app log lines on the terminal
#: (jupyter_client interrupts a kernel before shutting it down, and ipykernel logs
#: "KeyboardInterrupt caught in kernel" for each; a notebook's own output is unaffected).
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=CRITICAL"]


def kernel_manager_with_env(env: dict[str, str]) -> type[IPCKernelManager]:
    """An :class:`IPCKernelManager` class whose kernels start with ``env`` added to the
    environment (per task, without touching this process's ``os.environ``: several tasks may
    run in threads of one process)."""

    class _EnvKernelManager(IPCKernelManager):
        async def start_kernel(self, **kw):  # type: ignore[override]
            merged = dict(kw.pop("env", None) or os.environ)
            merged.update(env)
            return await super().start_kernel(env=merged, **kw)

    return _EnvKernelManager


_START_ATTEMPTS = 3


def _start_kernel(kernel_name: str, cwd: str, start_timeout: float) -> _WarmKernel:
    """Start a warm kernel; a start that fails (a dying or unresponsive kernel) is retried."""
    for attempt in range(1, _START_ATTEMPTS + 1):
        try:
            return _start_kernel_once(kernel_name, cwd, start_timeout)
        except RuntimeError as exc:  # jupyter_client raises RuntimeError for dead/silent kernels
            if attempt == _START_ATTEMPTS:
                raise
            log.warning(
                "kernel %s failed to start (%s); retrying (%d/%d)",
                kernel_name,
                exc,
                attempt,
                _START_ATTEMPTS,
            )
    raise AssertionError("unreachable")


def _start_kernel_once(kernel_name: str, cwd: str, start_timeout: float) -> _WarmKernel:
    km = IPCKernelManager(kernel_name=kernel_name) if kernel_name else IPCKernelManager()
    run_sync(km.start_kernel)(cwd=cwd, extra_arguments=list(KERNEL_ARGUMENTS))
    kc = km.client()
    try:
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=start_timeout)
        kc.allow_stdin = False
        wk = _WarmKernel(km=km, kc=kc, kernel_name=kernel_name)
        _silent_execute(wk, _SNAPSHOT_CODE, timeout=start_timeout)
    except BaseException:
        _shutdown(_WarmKernel(km=km, kc=kc, kernel_name=kernel_name))
        raise
    log.debug("started warm kernel %s (pid %s)", kernel_name, os.getpid())
    return wk


def _shutdown(wk: _WarmKernel) -> None:
    try:
        wk.kc.stop_channels()
    finally:
        try:
            if run_sync(wk.km.is_alive)():
                run_sync(wk.km.shutdown_kernel)(now=True)
            else:
                run_sync(wk.km.cleanup_resources)()
        except RuntimeError as exc:  # "No kernel is running!" after a crash: nothing left to stop
            log.debug("warm kernel already gone: %s", exc)
            _remove_ipc_files(wk.km)  # jupyter_client stopped before its own cleanup


def _remove_ipc_files(km) -> None:
    """Remove the kernel's socket files (jupyter_client leaves them when a kernel died or
    was stopped at interpreter exit); the prefix is unique to this kernel manager."""
    prefix = getattr(km, "ip", "")
    if getattr(km, "transport", "") != "ipc" or not os.path.isabs(prefix):
        return
    for path in glob.glob(glob.escape(prefix) + "-*"):
        try:
            os.unlink(path)
        except OSError:
            pass


def _register_cleanup() -> None:
    global _CLEANUP_PID
    if _CLEANUP_PID == os.getpid():
        return
    _CLEANUP_PID = os.getpid()
    atexit.register(shutdown_warm_kernels)
    try:  # multiprocessing workers leave through os._exit: use their finaliser hook too
        from multiprocessing import util

        util.Finalize(None, shutdown_warm_kernels, exitpriority=10)
    except ImportError:  # pragma: no cover - multiprocessing is always there on CPython
        pass


def _acquire(
    kernel_name: str, cwd: str, start_timeout: float, env: dict[str, str] | None = None
) -> _WarmKernel:
    """A clean kernel for this process and thread, started or reset, with cwd set and ``env``
    (variables of :data:`_FORWARDED_ENV`; a missing one is unset; ``None``: this process's
    values) in its environment."""
    key = (os.getpid(), threading.get_ident(), kernel_name or "")
    source = os.environ if env is None else env  # no env given: what a new kernel inherits
    forwarded = {k: source.get(k) for k in _FORWARDED_ENV}
    with _KERNELS_LOCK:
        wk = _KERNELS.pop(key, None)
        _register_cleanup()
    if wk is not None:
        try:
            if not run_sync(wk.km.is_alive)():
                raise RuntimeError("kernel died")
            _silent_execute(
                wk,
                _RESET_CODE.format(cwd=str(cwd), forwarded=forwarded),
                timeout=max(30.0, start_timeout),
            )
            return wk
        except Exception as exc:  # a kernel that cannot be reset is replaced, never reused
            log.warning("warm kernel not reusable (%s); starting a new one", exc)
            _shutdown(wk)
    wk = _start_kernel(kernel_name, str(cwd), start_timeout)
    # a new kernel gets the same reset as a reused one: cwd and forwarded variables set alike
    _silent_execute(
        wk, _RESET_CODE.format(cwd=str(cwd), forwarded=forwarded), timeout=start_timeout
    )
    return wk


#: peak resident memory (MiB) of the kernel during the last notebook of this thread (Linux)
_PEAK = threading.local()


def kernel_peak_rss_mib(wk: _WarmKernel) -> float | None:
    """The kernel's peak resident memory since its last reset, in MiB (``VmHWM`` of
    ``/proc/<pid>/status``); None where the system does not say (not Linux, no pid)."""
    pid = getattr(getattr(wk.km, "provisioner", None), "pid", None)
    try:
        with open(f"/proc/{int(pid)}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, TypeError, ValueError):
        return None
    return None


def last_peak_rss_mib() -> float | None:
    """What :func:`_release` measured for this thread's last notebook (then forgotten)."""
    value = getattr(_PEAK, "mib", None)
    _PEAK.mib = None
    return value


def _release(wk: _WarmKernel, healthy: bool) -> None:
    _PEAK.mib = kernel_peak_rss_mib(wk)
    key = (os.getpid(), threading.get_ident(), wk.kernel_name or "")
    if healthy:
        try:
            healthy = bool(run_sync(wk.km.is_alive)())
        except RuntimeError:
            healthy = False
    if not healthy:
        _shutdown(wk)
        return
    wk.n_notebooks += 1
    with _KERNELS_LOCK:
        old = _KERNELS.pop(key, None)
        _KERNELS[key] = wk
    if old is not None:  # pragma: no cover - only with re-entrant use of one thread
        _shutdown(old)


def shutdown_warm_kernels() -> int:
    """Shut down every warm kernel started by this process.

    Returns:
        The number of kernels shut down.
    """
    with _KERNELS_LOCK:
        mine = [k for k in _KERNELS if k[0] == os.getpid()]
        kernels = [_KERNELS.pop(k) for k in mine]
    for wk in kernels:
        _shutdown(wk)
    return len(kernels)


def warm_kernel_count() -> int:
    """Number of idle warm kernels held by this process (for tests and diagnostics)."""
    with _KERNELS_LOCK:
        return sum(1 for k in _KERNELS if k[0] == os.getpid())
