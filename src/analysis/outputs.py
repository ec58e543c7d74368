"""Writing output files: the one owner of atomic writes, output paths and the output log.

* :func:`atomic_write` / :func:`write_bytes` / :func:`write_text`: every file the package
  writes goes to a temporary file in the target folder and is renamed into place, so a crash
  never leaves a half-written file that looks finished. Files get the modes the user's umask
  gives (``mkstemp`` alone would make them 0600).
* :func:`slug` and :func:`output_path`: names built from anything a user typed (unit codes,
  names, parameters) are slugged, and the resolved path must stay inside the output folder.
* :func:`record_output` / :func:`read_output_log`: which files did a notebook write? The
  runner gives each task a log file (``DGAP_OUTPUT_LOG``); every finished write appends its
  path, and on resume a task reruns if any file it wrote is gone. Outside the runner
  (JupyterLab, scripts) the variable is unset and nothing is recorded.
* :func:`clean_temp_files`: temporary files of an interrupted write, removed at the next run.

Kept free of heavy imports: the runner and ``dgap brief`` use it without loading pandas.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .errors import ParameterError

#: environment variable naming the log file of the running task
ENV_VAR = "DGAP_OUTPUT_LOG"
#: suffix of every temporary file :func:`atomic_write` creates (``.<name>.<random>.tmp``)
TMP_SUFFIX = ".tmp"
_MAX_SLUG = 80


# --------------------------------------------------------------------------- modes
def _file_mode() -> int:
    """0666 minus the process umask (what ``open()`` would have given the file)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# --------------------------------------------------------------------------- atomic writes
@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    encoding: str | None = "utf-8",
    *,
    record: bool = True,
) -> Iterator:
    """Open a temporary file next to ``path``; rename it onto ``path`` only if the block succeeds.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_write(d / "x.txt") as f:
    ...     _ = f.write("ok")
    >>> (d / "x.txt").read_text(), [p.name for p in d.iterdir()]
    ('ok', ['x.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    kwargs = {} if "b" in mode else {"encoding": encoding, "newline": ""}
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
        if record:  # the batch runner checks on resume that what a task wrote still exists
            record_output(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes, *, record: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    with atomic_write(path, "wb", encoding=None, record=record) as fh:
        fh.write(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str, *, record: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    with atomic_write(path, "w", record=record) as fh:
        fh.write(text)
    return Path(path)


def clean_temp_files(folder: str | os.PathLike[str], *, recursive: bool = True) -> list[Path]:
    """Remove temporary files an interrupted :func:`atomic_write` left in ``folder``, and the
    temporary folders (``.<name>.<random>.tmp/``) of an interrupted folder write (the results
    store writes an entry that way).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / ".x.csv.ab12.tmp").write_text("half")
    4
    >>> (d / "store" / ".k.cd34.tmp").mkdir(parents=True)
    >>> sorted(p.name for p in clean_temp_files(d)), sorted(p.name for p in d.rglob("*"))
    (['.k.cd34.tmp', '.x.csv.ab12.tmp'], ['store'])
    """
    root = Path(folder)
    if not root.is_dir():
        return []
    found = []
    for pattern in (f".*{TMP_SUFFIX}", f".*{TMP_SUFFIX}.*"):  # also papermill's .x.tmp.ipynb
        found += root.rglob(pattern) if recursive else root.glob(pattern)
    removed = []
    for p in sorted(set(found)):
        if p.is_dir() and p.name.endswith(TMP_SUFFIX):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
        elif p.is_file():
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                removed.append(p)
    return removed


# --------------------------------------------------------------------------- safe names
def slug(value: object) -> str:
    """A file-name part from anything a user typed: ASCII letters, digits, ``. + -``, ``_``.

    Vietnamese letters lose their marks (``Đại Lộc`` -> ``Dai_Loc``); anything else becomes
    ``_``; no leading dot, at most 80 characters; never empty.

    >>> slug("20527"), slug("Đại Lộc"), slug("../../etc/passwd"), slug("")
    ('20527', 'Dai_Loc', 'etc_passwd', '_')
    """
    text = unicodedata.normalize("NFKD", str(value).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9._+-]+", "_", text)
    text = re.sub(r"\.{2,}", "_", text).strip("_.")
    return text[:_MAX_SLUG] or "_"


def output_path(root: str | os.PathLike[str], *parts: object) -> Path:
    """``root/part/...`` with each user-supplied part slugged; refuses to leave ``root``.

    Parts that are already safe names (``20527__profile_vi.png``) are kept as they are.

    >>> output_path("/tmp/out", "figures", "20527__profile_vi.png").as_posix()
    '/tmp/out/figures/20527__profile_vi.png'
    >>> output_path("/tmp/out", "briefs", "../../x_vi.pdf").name
    'x_vi.pdf'
    """
    base = Path(root).resolve()
    names = [slug(p) for p in parts]
    path = base.joinpath(*names).resolve()
    if path != base and base not in path.parents:
        raise ParameterError(f"output path {path} is outside the output folder {base}")
    return path


# --------------------------------------------------------------------------- output log
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
