"""The output folder's lock: one run writes to a folder at a time, and a dead run's lock is taken over.

``<output>/.lock`` is held with ``flock`` for the whole run and records its owner (process id,
process start time, host, since when). The lock goes away with the process that holds it, but
the open file can outlive its owner in processes that inherited it; so when the lock is busy,
its recorded owner is looked at: if that process is gone (or its pid now names another process,
told by the start time), the lock is stale and is taken over (the file is replaced, under a
lock on the folder itself so that two new runs cannot both take over), and the log says so.
A lock owned by a live process, or by another host (a shared folder), is respected.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from ..errors import RunError
from .lifetime import is_alive

log = logging.getLogger("analysis.runner")

LOCK_NAME = ".lock"


def process_start_time(pid: int) -> int | None:
    """Start time of process ``pid`` in clock ticks since boot (Linux ``/proc``), else None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after its last ')'
    fields = stat[stat.rfind(b")") + 2 :].split()
    try:
        return int(fields[19])  # field 22 of stat(5)
    except (IndexError, ValueError):  # pragma: no cover - unexpected /proc format
        return None


def owner_record() -> dict:
    """What a lock records about its holder (this process)."""
    import datetime as _dt

    return {
        "pid": os.getpid(),
        "start_time": process_start_time(os.getpid()),
        "host": socket.gethostname(),
        "since": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


def owner_is_gone(owner: dict) -> bool:
    """True if the process recorded in ``owner`` no longer runs on this host.

    A lock recorded by another host, or without an owner, is never considered gone: its
    owner cannot be checked from here.
    """
    pid = owner.get("pid")
    if not isinstance(pid, int) or owner.get("host") != socket.gethostname():
        return False
    if not is_alive(pid):
        return True
    recorded, current = owner.get("start_time"), process_start_time(pid)
    return recorded is not None and current is not None and recorded != current  # pid reused


def _read_owner(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(owner: dict) -> str:
    if not owner.get("pid"):
        return "a run that did not record itself"
    return f"pid {owner['pid']} on {owner.get('host', '?')} since {owner.get('since', '?')}"


@dataclass
class OutputLock:
    """A held output lock; :meth:`release` (or leaving a ``with`` block) frees it."""

    path: Path
    fd: int

    def release(self) -> None:
        if self.fd < 0:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)  # no owner recorded: nobody holds it
        os.close(self.fd)  # closing the last descriptor releases the flock
        self.fd = -1

    def __enter__(self) -> OutputLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _try_lock(path: Path) -> int | None:
    """Open and flock ``path``; the descriptor, or None if another process holds it."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    try:  # a run taking over a stale lock may have replaced the file meanwhile: retry then
        same = os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return _try_lock(path)
    return fd


def _take_over(out: Path, path: Path, owner: dict) -> bool:
    """Replace a stale lock file; False if someone else changed it first."""
    import fcntl

    dir_fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(dir_fd, fcntl.LOCK_EX)  # one taker at a time
        if _read_owner(path) != owner:
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # holders of the old file keep a lock on nothing
        return True
    finally:
        os.close(dir_fd)


def acquire_output_lock(out: Path) -> OutputLock:
    """Hold ``<out>/.lock`` for a run (``out`` must exist).

    Raises:
        RunError: If a live run (or one on another host) holds it; the message names it.
    """
    path = out / LOCK_NAME
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover - Windows: no lock
        return OutputLock(path, -1)
    for _ in range(3):
        fd = _try_lock(path)
        if fd is not None:
            os.ftruncate(fd, 0)
            os.write(fd, (json.dumps(owner_record()) + "\n").encode())
            os.fsync(fd)
            return OutputLock(path, fd)
        owner = _read_owner(path)
        if not owner_is_gone(owner):
            hint = (
                f"; if no dgap run is active, delete {path}"
                if not owner.get("pid") or owner.get("host") != socket.gethostname()
                else ""
            )
            raise RunError(
                f"another run is writing to {out} ({_describe(owner)}; lock {path}); "
                f"wait for it or use --output{hint}"
            )
        if _take_over(out, path, owner):
            log.warning(
                "the lock %s belonged to a run that is gone (%s); taking it over",
                path,
                _describe(owner),
            )
    raise RunError(f"could not take the lock {path}: other runs keep taking it; try again")
