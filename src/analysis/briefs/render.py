"""Render a brief (a JSON-serialisable dict, see :mod:`analysis.briefs`) to PDF with Typst.

Light on purpose: no pandas, no analysis results, so that ``dgap brief`` re-renders a saved
brief (``reports/<edition>/briefs/<unit>_<lang>.json``) in about a tenth of a second.

Safety: the brief reaches Typst **only** as a JSON string in ``sys.inputs`` (decoded in the
template with ``json(bytes(...))``); nothing is pasted into markup, so a commune name such as
``#read("/etc/passwd")`` or ``*bold* $x$`` is printed literally. The Typst root is a private
staging folder holding only the template files and the brief's figures (copied under
content-hash names), so a template cannot read anything else either. Fonts: Be Vietnam Pro from
the ``fontpkg-be-vietnam-pro`` package, embedded (system fonts are ignored). The PDF creation
date is the last day of the data period, so the same brief gives the same PDF bytes.
"""

from __future__ import annotations

import atexit
import datetime as _dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from .. import config
from ..errors import RenderError
from ..outputs import write_bytes
from .validate import FIGURE_SUFFIXES, check_lang, validate_brief

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- fonts
def _font_dir() -> Path:
    """Folder of the Be Vietnam Pro TTF files shipped by ``fontpkg-be-vietnam-pro``."""
    try:
        import fontpkg_be_vietnam_pro as pkg
    except ImportError as exc:
        raise RenderError("font package missing: pip install fontpkg-be-vietnam-pro") from exc
    folder = Path(pkg.ROOT) / "files"
    if not any(folder.glob("BeVietnamPro-*.ttf")):
        raise RenderError(
            f"{folder}: no BeVietnamPro-*.ttf files; reinstall fontpkg-be-vietnam-pro"
        )
    return folder


#: briefs compiled by one Typst compiler before a fresh one (bounded memory in bulk)
RENEW_AFTER = 100


class _Renderer:
    """A warm Typst compiler over a private staging root (template files + staged figures).

    Fonts are loaded once; each brief is one ``compile`` with new ``sys_inputs``. Figures are
    copied into ``<root>/fig/<sha>.<ext>`` so the root holds nothing else and names never go stale.
    """

    def __init__(self, template: Path):

        self.template = template
        self.pid = os.getpid()
        self.signature = _template_signature(template.parent)
        _sweep_stale_staging()
        self.root = Path(tempfile.mkdtemp(prefix=f"dgap-typst-{self.pid}-"))
        for f in template.parent.iterdir():
            if f.is_file() and f.suffix.lower() in (".typ", ".png", ".svg", ".jpg", ".jpeg"):
                shutil.copy2(f, self.root / f.name)
        (self.root / "fig").mkdir()
        self.compiler = self._new_compiler()
        self.compiles = 0
        self.lock = threading.RLock()  # held across staging and compiling a brief
        atexit.register(self._cleanup_at_exit)

    def _new_compiler(self):
        import typst

        return typst.Compiler(
            str(self.root / self.template.name),
            root=str(self.root),
            font_paths=[str(_font_dir())],
            ignore_system_fonts=True,
        )

    def renew_if_due(self) -> None:
        """Before staging a brief's figures: a fresh compiler every ``RENEW_AFTER`` briefs."""
        if self.compiles >= RENEW_AFTER:
            self._renew()

    def _renew(self) -> None:
        """A fresh compiler and an empty figure folder: Typst keeps every file it has read, so
        briefs in bulk (3,321 communes, three figures each) would otherwise hold gigabytes."""
        self.compiler = self._new_compiler()
        for f in (self.root / "fig").iterdir():
            f.unlink(missing_ok=True)
        self.compiles = 0

    def _cleanup_at_exit(self) -> None:
        if os.getpid() == self.pid:
            shutil.rmtree(self.root, ignore_errors=True)

    def stage_figure(self, path: Path) -> str:
        data = path.read_bytes()
        name = hashlib.sha256(data).hexdigest()[:20] + path.suffix.lower()
        target = self.root / "fig" / name
        if not target.exists():
            target.write_bytes(data)
        return f"/fig/{name}"

    def compile(self, brief_json: str, figures_json: str, timestamp: _dt.datetime) -> bytes:
        import typst

        global _TYPST_PID
        if _TYPST_PID is not None and _TYPST_PID != os.getpid():
            raise RenderError(
                f"this process (pid {os.getpid()}) was forked from pid {_TYPST_PID} after that one rendered a "
                "brief; Typst's thread pool does not survive fork and the compile would hang. Start workers "
                "with multiprocessing 'spawn' or 'forkserver', or fork before rendering any brief"
            )
        with self.lock:
            _TYPST_PID = os.getpid()  # from here on Typst's thread pool runs in this process
            self.compiles += 1
            try:
                pdf = self.compiler.compile(
                    format="pdf",
                    sys_inputs={"brief": brief_json, "figures": figures_json},
                    timestamp=timestamp,
                )
            except typst.TypstError as exc:
                hints = "; ".join(getattr(exc, "hints", []) or [])
                raise RenderError(
                    f"Typst could not render {self.template.name}: {getattr(exc, 'message', exc)}"
                    f"{' (' + hints + ')' if hints else ''}; check the template and the brief fields"
                ) from exc
        return pdf

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _sweep_stale_staging() -> None:
    """Remove staging folders left by processes that ended without running ``atexit``
    (pool workers leave through ``os._exit``). Folders of live processes are kept."""
    for d in Path(tempfile.gettempdir()).glob("dgap-typst-*-*"):
        pid = d.name.split("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except PermissionError:  # alive, another user's
            continue


#: pid of the process in which Typst has compiled (its Rust thread pool is running). A process
#: forked from it inherits a dead pool and would hang on its first compile, so it fails fast instead.
_TYPST_PID: int | None = None

_RENDERERS: dict[Path, _Renderer] = {}
_RENDERERS_LOCK = threading.Lock()


def _template_signature(folder: Path) -> tuple:
    return tuple(
        sorted(
            (f.name, f.stat().st_mtime_ns, f.stat().st_size)
            for f in folder.iterdir()
            if f.is_file()
        )
    )


def _renderer(template: Path) -> _Renderer:
    template = template.resolve()
    with _RENDERERS_LOCK:
        r = _RENDERERS.get(template)
        if r is not None and r.pid != os.getpid():
            r = None  # inherited through fork: never share a compiler (or its folder) with the parent
        elif r is not None and (
            r.signature != _template_signature(template.parent) or not (r.root / "fig").is_dir()
        ):  # templates edited, or the staging folder removed (tmp cleaner): start afresh
            r.close()
            r = None
        if r is None:
            r = _RENDERERS[template] = _Renderer(template)
        return r


def _brief_json(brief: Mapping) -> str:
    try:
        return json.dumps(brief, ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise RenderError(
            f"brief is not JSON-serialisable ({exc}); build it with build_*_brief"
        ) from exc


def render_brief(
    brief: Mapping,
    out_pdf: str | os.PathLike,
    *,
    template: str | os.PathLike | None = None,
    save_json: bool = True,
) -> Path:
    """Render a brief to PDF (atomic write) and save the brief as JSON next to it.

    Args:
        brief: the brief dict (see the module docstring).
        out_pdf: output path, conventionally ``reports/<edition>/briefs/<unit>_<lang>.pdf``.
        template: a ``.typ`` file (default ``reports/templates/<kind>.typ``); its folder's
            ``.typ``/image files are available to it, nothing else.
        save_json: also write ``out_pdf`` with suffix ``.json`` (figure paths made relative to
            the PDF folder) so that :func:`render_saved_brief` can re-render it.

    Returns:
        The PDF path.

    Raises:
        RenderError: invalid brief, missing template, or a Typst error.
    """
    validate_brief(brief)
    out_pdf = Path(out_pdf)
    meta = brief["meta"]
    template = Path(template) if template is not None else config.TEMPLATES / f"{meta['kind']}.typ"
    if not template.is_file():
        raise RenderError(
            f"template {template} not found; expected a .typ file in {config.TEMPLATES}"
        )
    r = _renderer(template)
    base = out_pdf.resolve().parent
    staged, saved = {}, {}
    with r.lock:  # staging and compiling together: a renewal never removes a staged figure
        r.renew_if_due()
        pdf = _stage_and_compile(r, brief, base, staged, saved)
    write_bytes(out_pdf, pdf)
    if save_json:
        doc = dict(brief, figures=saved)
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, sort_keys=True, indent=1) + "\n"
        write_bytes(out_pdf.with_suffix(".json"), text.encode("utf-8"))
    return out_pdf


def _stage_and_compile(r: _Renderer, brief: dict, base: Path, staged: dict, saved: dict) -> bytes:
    meta = brief["meta"]
    for name, p in brief.get("figures", {}).items():
        path = Path(p) if Path(p).is_absolute() else base / p
        if path.suffix.lower() not in FIGURE_SUFFIXES:
            raise RenderError(f"brief.figures.{name}={p!r}: expected one of {FIGURE_SUFFIXES}")
        if not path.is_file():
            log.warning(
                "brief %s_%s: figure %s not found at %s; rendered without it",
                meta["unit_code"],
                meta["lang"],
                name,
                path,
            )
            saved[name] = str(p)
            continue
        staged[name] = r.stage_figure(path)
        saved[name] = os.path.relpath(path.resolve(), base)
    d = _dt.date.fromisoformat(meta["date"])
    stamp = _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.UTC)
    return r.compile(_brief_json(brief), json.dumps(staged, sort_keys=True), stamp)


def brief_path(
    edition: str, unit_code: str, lang: str, *, reports_dir: str | os.PathLike | None = None
) -> Path:
    """``reports/<edition>/briefs/<unit>_<lang>.pdf``."""
    base = Path(reports_dir) if reports_dir is not None else config.REPORTS
    return base / edition / "briefs" / f"{unit_code}_{lang}.pdf"


def load_brief(path: str | os.PathLike) -> dict:
    """Read a saved brief JSON and validate it.

    Raises:
        RenderError: the file is missing or not a valid brief.
    """
    path = Path(path)
    if not path.is_file():
        raise RenderError(
            f"{path}: saved brief not found; run the edition first (make report) or check --unit/--lang/--edition"
        )
    try:
        brief = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RenderError(f"{path}: not valid JSON ({exc})") from exc
    try:
        validate_brief(brief)
    except RenderError as exc:
        raise RenderError(f"{path}: {exc}") from exc
    return brief


def render_saved_brief(
    unit_code: str,
    lang: str,
    *,
    edition: str,
    reports_dir: str | os.PathLike | None = None,
    out_pdf: str | os.PathLike | None = None,
    template: str | os.PathLike | None = None,
) -> Path:
    """Re-render one brief of a finished run from ``reports/<edition>/briefs/<unit>_<lang>.json``.

    This is what ``dgap brief --unit CODE --lang vi|en --edition NAME`` calls.
    """
    check_lang(lang)
    pdf = brief_path(edition, str(unit_code), lang, reports_dir=reports_dir)
    brief = load_brief(pdf.with_suffix(".json"))
    if out_pdf is not None:
        # Figure paths in the JSON are relative to its folder: make them absolute for a new place.
        base = pdf.resolve().parent
        brief = dict(
            brief,
            figures={
                k: str(base / v) if not Path(v).is_absolute() else v
                for k, v in brief.get("figures", {}).items()
            },
        )
        return render_brief(brief, out_pdf, template=template, save_json=False)
    return render_brief(brief, pdf, template=template)
