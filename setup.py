"""Build hook: copy the project's data, notebooks and templates into the wheel.

Everything else about the package is in ``pyproject.toml``. The repository's top-level folders
(``data/``, ``notebooks/``, ``reports/templates/``) stay the one source of truth; a non-editable
build copies the files listed in :data:`RESOURCES` into ``analysis/_resources/`` (same relative
layout), where :mod:`analysis.config` finds them with :mod:`importlib.resources` when the package
is not in a clone. An editable install copies nothing: the clone's folders are used directly.
Why a copy at build time rather than symlinks or package-dir mappings: ``docs/architecture.md``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: (folder, glob patterns) copied into ``analysis/_resources/<folder>``; keep MANIFEST.in in step
#: (tests/test_packaging.py checks both against the tree).
RESOURCES = (
    ("data/frameworks", ("*.yaml", "*.md")),
    ("data/demo", ("*.csv", "*.md")),
    ("data/raw", ("*/*.csv", "*/*.md")),
    ("notebooks", ("*.ipynb",)),
    ("notebooks/params", ("*.yaml",)),
    ("reports/templates", ("*.typ",)),
)
TARGET = Path("analysis") / "_resources"


def resource_files(root: Path = HERE) -> list[Path]:
    """The files copied into the wheel, relative to ``root`` (sorted)."""
    out = set()
    for folder, patterns in RESOURCES:
        for pattern in patterns:
            out.update(p.relative_to(root) for p in (root / folder).glob(pattern) if p.is_file())
    return sorted(out)


class BuildWithResources(build_py):
    """``build_py`` that also copies :data:`RESOURCES` (not in editable mode)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for rel in resource_files():
            dest = Path(self.build_lib) / TARGET / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / rel, dest)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(Path(self.build_lib) / TARGET / rel) for rel in resource_files()]


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildWithResources})
