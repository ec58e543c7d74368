"""Which files did a notebook write? A log the batch runner reads to check that they still exist.

The runner sets ``DGAP_OUTPUT_LOG`` to a file path for each task; every finished write of
the package (:func:`analysis.io.atomic_write`, figures, briefs) then appends the final path of
the file it wrote to that log, one line each. When resuming, a task is rerun if any file it
wrote is gone (deleted by hand, or the folder partly cleaned), not only its executed notebook.

Outside the runner (JupyterLab, scripts) the variable is unset and nothing is recorded.
Kept free of heavy imports: ``dgap brief`` uses it without loading pandas.
"""

from __future__ import annotations

import os
from pathlib import Path

#: environment variable naming the log file of the running task
ENV_VAR = "DGAP_OUTPUT_LOG"


def record_output(path: str | os.PathLike[str]) -> None:
    """Append ``path`` (absolute) to the output log of the running task, if there is one."""
    log = os.environ.get(ENV_VAR)
    if not log:
        return
    line = f"{Path(path).resolve()}\n"
    # one short append per file: O_APPEND writes of a line are not interleaved
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(line)


def read_output_log(log: str | os.PathLike[str], root: str | os.PathLike[str]) -> list[str]:
    """The files recorded in ``log``, relative to ``root`` when under it, sorted, unique."""
    path = Path(log)
    if not path.is_file():
        return []
    base = Path(root).resolve()
    seen = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        p = Path(line)
        try:
            seen.add(p.relative_to(base).as_posix())
        except ValueError:
            seen.add(str(p))
    return sorted(seen)
