"""Processes that die with the run: worker processes and their kernels never outlive the runner.

When ``dgap report`` is killed (``kill -9``, the OOM killer, a closed laptop lid) nothing in
the runner gets to stop its workers, and a worker nobody stops keeps its kernels and the output
folder's lock: every later run would find "another run is writing". So every process the
runner starts is tied to its parent:

* Linux: ``prctl(PR_SET_PDEATHSIG)`` (through ctypes) asks the kernel to send a signal to the
  process the moment its parent exits. A worker gets ``SIGTERM`` (its handler stops its
  kernels, then it exits); a kernel gets ``SIGTERM`` through a tiny launcher
  (:func:`kernel_command`) that sets the signal and then ``exec``\\ s the kernel, so the kernel
  itself is unchanged.
* Elsewhere (macOS, or if prctl is refused): a watchdog thread in each worker checks every
  second whether the runner is still there; kernels have ipykernel's own parent poller
  (``JPY_PARENT_PID``, which jupyter_client sets), which does the same.

A process whose parent died in the instant between its start and the prctl call would never get
the signal: both paths check right after arming and exit at once if the parent is gone.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

#: prctl option (linux/prctl.h)
PR_SET_PDEATHSIG = 1
#: seconds between two checks of the watchdog
WATCHDOG_INTERVAL = 1.0


def _prctl_pdeathsig(sig: int) -> bool:
    """Arm ``PR_SET_PDEATHSIG``; False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc symbol
        return False


def is_alive(pid: int) -> bool:
    """True if a process ``pid`` exists (one of another user counts as alive)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watchdog(runner_pid: int, parent_pid: int, on_orphaned) -> None:
    while True:
        time.sleep(WATCHDOG_INTERVAL)
        if os.getppid() != parent_pid or not is_alive(runner_pid):
            on_orphaned()
            return


def die_with_parent(runner_pid: int, on_orphaned=None, *, sig: int = signal.SIGTERM) -> str:
    """Make this process end when the run that started it ends.

    Args:
        runner_pid: The runner's process id (the parent, or the parent of a fork server).
        on_orphaned: Called by the watchdog when the runner is gone (default: send ``sig`` to
            this process, so that the same handler runs as with prctl).
        sig: The signal this process gets when its parent exits.

    Returns:
        ``"prctl"`` or ``"watchdog"``: how the process is tied to its parent (``"none"`` on
        Windows, where a parent's death cannot be watched this way).
    """
    if os.name == "nt":  # pragma: no cover - no prctl, no signal to forward
        return "none"
    parent = os.getppid()

    def orphaned() -> None:
        if on_orphaned is not None:
            on_orphaned()
        else:
            os.kill(os.getpid(), sig)

    how = "prctl" if _prctl_pdeathsig(sig) else "watchdog"
    if how == "watchdog":
        threading.Thread(
            target=_watchdog, args=(runner_pid, parent, orphaned), name="dgap-watchdog", daemon=True
        ).start()
    if not is_alive(runner_pid) or parent == 1:  # the runner died before we were armed
        orphaned()
    return how


#: Run by :func:`kernel_command` before the kernel: arm the signal, check the parent, exec.
_LAUNCHER = (
    "import ctypes, os, sys\n"
    "parent = int(sys.argv[1])\n"
    "try:\n"
    "    ctypes.CDLL(None).prctl(1, 15, 0, 0, 0)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != parent:\n"
    "    sys.exit(1)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def kernel_command(cmd: list[str]) -> list[str]:
    """``cmd`` (a kernel's command line) started so that the kernel dies with this process.

    On Linux the command is prefixed by a few lines of Python run in an isolated interpreter
    (``-I -S``: about 10 ms) that arm ``PR_SET_PDEATHSIG`` with ``SIGTERM`` and ``exec`` the
    kernel: same process, same arguments. Elsewhere ``cmd`` is returned unchanged (ipykernel's
    parent poller stops the kernel when this process is gone).
    """
    if not sys.platform.startswith("linux") or not cmd:
        return list(cmd)
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(os.getpid()), *cmd]
