"""Composite presets: a plain table (``data/frameworks/presets.yaml``) beside the frameworks.

A preset names a framework and the method defaults that reproduce the index it stands for
(``commune``, ``egdi``, ``desi2022``, ``dti_provincial``, ``dti_pillars``). This module reads the
table; :func:`analysis.composite.get_preset` turns an entry into a runnable preset (the
framework's iMeta with goalposts). Nothing registers itself on import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from . import config
from .errors import FrameworkError
from .frameworks import Framework, load_framework

#: The preset table.
PRESETS_YAML = config.FRAMEWORKS / "presets.yaml"
_OPTION_KEYS = ("normalise", "normalise_params", "aggregate", "weights")
_KEYS = {"framework", "description", *_OPTION_KEYS}


@dataclass(frozen=True)
class PresetSpec:
    """One row of the preset table.

    Attributes:
        name: preset id.
        framework_path: the framework's YAML file.
        options: keyword defaults for :func:`analysis.composite.compute_index` (``normalise``,
            ``normalise_params``, ``aggregate``, ``weights``).
        description: one line.
    """

    name: str
    framework_path: Path
    options: dict
    description: str

    def load_framework(self) -> Framework:
        return load_framework(self.framework_path)


def _table(path: Path) -> dict[str, PresetSpec]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FrameworkError(f"{path}: cannot read the preset table ({exc})") from exc
    rows = doc.get("presets") if isinstance(doc, dict) else None
    if not isinstance(rows, dict) or not rows:
        raise FrameworkError(f"{path}: expected a mapping 'presets: {{name: {{framework: ...}}}}'")
    out = {}
    for name, row in rows.items():
        where = f"{path}: preset {name!r}"
        if not isinstance(row, dict) or "framework" not in row:
            raise FrameworkError(f"{where}: give at least 'framework: <file>.yaml'")
        unknown = sorted(set(row) - _KEYS)
        if unknown:
            raise FrameworkError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(_KEYS)}")
        fw_path = path.parent / row["framework"]
        if not fw_path.is_file():
            raise FrameworkError(f"{where}: framework file {fw_path} not found")
        options = {k: row[k] for k in _OPTION_KEYS if k in row}
        out[name] = PresetSpec(name, fw_path, options, str(row.get("description", "")))
    return out


def list_presets(path: str | Path | None = None) -> list[str]:
    """Names of the presets in the table (default ``data/frameworks/presets.yaml``).

    >>> list_presets()
    ['commune', 'desi2022', 'dti_pillars', 'dti_provincial', 'egdi']
    """
    return sorted(_table(Path(path) if path is not None else PRESETS_YAML))


def load_preset(name: str, path: str | Path | None = None) -> PresetSpec:
    """The table's entry for ``name``.

    Raises:
        FrameworkError: unknown preset (the message lists the known ones) or a malformed table.

    >>> load_preset("egdi").options["aggregate"]
    'arithmetic'
    """
    table = _table(Path(path) if path is not None else PRESETS_YAML)
    if name not in table:
        raise FrameworkError(f"unknown preset {name!r}; available: {sorted(table)}")
    return table[name]
