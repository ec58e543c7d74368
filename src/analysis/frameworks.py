"""Indicator frameworks: load and validate the YAML, expose it as tables.

A framework names the pillars (government / economy / society, extensible) and, for every
indicator, its names in Vietnamese and English, unit, direction (+1 higher is better, -1 lower
is better), kind (``rate`` | ``count`` | ``score``), goalposts, national targets with their
source, weight, and how it re-aggregates when communes merge (``reaggregate_by``).

:meth:`Framework.to_imeta` returns the same tree in COINr's ``iMeta`` layout (``Level, iCode,
iName, Direction, Weight, Parent, Type``), so that one composite engine serves both.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import config
from .errors import FrameworkError

KINDS = ("rate", "count", "score")
_REQUIRED_INDICATOR_KEYS = (
    "id",
    "pillar",
    "name_vi",
    "name_en",
    "unit",
    "direction",
    "kind",
    "goalposts",
    "weight",
)


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Framework:
    """A loaded, validated indicator framework.

    Attributes:
        id: short identifier (``commune``).
        name_vi, name_en: display names.
        index: dict with ``id``, ``name_vi``, ``name_en`` of the top aggregate.
        pillars: one row per pillar: ``id, name_vi, name_en, weight, dti_points``.
        indicators: one row per indicator, columns as in the YAML with goalposts split into
            ``goalpost_lo`` and ``goalpost_hi``.
        path: the YAML file it came from (None for presets built in code).
    """

    id: str
    name_vi: str
    name_en: str
    version: str
    index: dict
    pillars: pd.DataFrame
    indicators: pd.DataFrame
    path: Path | None = field(default=None, compare=False)

    @property
    def indicator_ids(self) -> list[str]:
        return self.indicators["id"].tolist()

    @property
    def pillar_ids(self) -> list[str]:
        return self.pillars["id"].tolist()

    def pillar_of(self) -> dict[str, str]:
        """Map indicator id -> pillar id."""
        return dict(zip(self.indicators["id"], self.indicators["pillar"], strict=True))

    def name(self, code: str, lang: str = "vi") -> str:
        """Display name of an indicator, pillar or the index in ``lang`` (``vi`` or ``en``)."""
        col = f"name_{lang}"
        for table in (self.indicators, self.pillars):
            hit = table.loc[table["id"] == code, col]
            if len(hit):
                return hit.iloc[0]
        if code == self.index["id"]:
            return self.index[col]
        raise FrameworkError(f"framework {self.id!r} has no indicator, pillar or index {code!r}")

    def to_imeta(self, weights: str = "framework") -> pd.DataFrame:
        """The framework as a COINr ``iMeta`` table.

        Args:
            weights: ``framework`` (weights as written), ``equal`` (all 1), or ``dti`` (pillar
                weights from the DTI point budget ``dti_points``; indicators equal within pillar).
        """
        ind = self.indicators
        if weights not in ("framework", "equal", "dti"):
            raise FrameworkError(
                f"unknown weights preset {weights!r}; expected framework, equal or dti"
            )
        iw = (
            ind["weight"].astype(float)
            if weights == "framework"
            else pd.Series(1.0, index=ind.index)
        )
        if weights == "dti":
            if self.pillars["dti_points"].isna().any():
                raise FrameworkError(
                    f"framework {self.id!r}: weights='dti' needs dti_points on every pillar"
                )
            pw = self.pillars["dti_points"].astype(float)
        elif weights == "equal":
            pw = pd.Series(1.0, index=self.pillars.index)
        else:
            pw = self.pillars["weight"].astype(float)
        rows = [
            pd.DataFrame(
                {
                    "Level": 1,
                    "iCode": ind["id"],
                    "iName": ind["name_en"],
                    "Direction": ind["direction"].astype(int),
                    "Weight": iw.values,
                    "Parent": ind["pillar"],
                    "Type": "Indicator",
                    "Denominator": ind.get("denominator"),
                }
            ),
            pd.DataFrame(
                {
                    "Level": 2,
                    "iCode": self.pillars["id"],
                    "iName": self.pillars["name_en"],
                    "Direction": 1,
                    "Weight": pw.values,
                    "Parent": self.index["id"],
                    "Type": "Aggregate",
                }
            ),
            pd.DataFrame(
                [
                    {
                        "Level": 3,
                        "iCode": self.index["id"],
                        "iName": self.index["name_en"],
                        "Direction": 1,
                        "Weight": 1.0,
                        "Parent": None,
                        "Type": "Aggregate",
                    }
                ]
            ),
        ]
        return pd.concat(rows, ignore_index=True)

    def targets(self) -> pd.DataFrame:
        """Indicators that have a 2025 or 2030 target: ``indicator, target_2025, target_2030, target_source``."""
        t = self.indicators[["id", "target_2025", "target_2030", "target_source"]].rename(
            columns={"id": "indicator"}
        )
        return t[t["target_2025"].notna() | t["target_2030"].notna()].reset_index(drop=True)


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and validate a framework YAML (default: ``data/frameworks/commune.yaml``).

    Raises:
        FrameworkError: naming the file, the indicator and the key to fix.
    """
    path = Path(path) if path is not None else config.COMMUNE_FRAMEWORK
    if not path.exists():
        raise FrameworkError(f"{path}: framework file not found")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: not valid YAML ({exc})") from exc
    return framework_from_dict(doc, source=str(path), path=path)


def framework_from_dict(
    doc: dict, *, source: str = "<dict>", path: Path | None = None
) -> Framework:
    """Build a :class:`Framework` from the parsed YAML structure (see ``commune.yaml``)."""
    if not isinstance(doc, dict):
        raise FrameworkError(f"{source}: expected a mapping at the top level")
    for key in ("id", "pillars", "indicators"):
        if key not in doc:
            raise FrameworkError(f"{source}: missing top-level key {key!r}")
    pillars = pd.DataFrame(
        [
            {
                "id": str(p["id"]),
                "name_vi": _nfc(p.get("name_vi", p["id"])),
                "name_en": p.get("name_en", p["id"]),
                "weight": float(p.get("weight", 1)),
                "dti_points": p.get("dti_points"),
            }
            for p in doc["pillars"]
        ]
    )
    if pillars["id"].duplicated().any():
        raise FrameworkError(
            f"{source}: duplicate pillar id(s) {sorted(pillars['id'][pillars['id'].duplicated()])}"
        )
    rows = []
    for i, ind in enumerate(doc["indicators"]):
        where = f"{source}: indicator #{i + 1} ({ind.get('id', '?')})"
        missing = [k for k in _REQUIRED_INDICATOR_KEYS if k not in ind]
        if missing:
            raise FrameworkError(f"{where}: missing key(s) {missing}")
        if ind["pillar"] not in set(pillars["id"]):
            raise FrameworkError(
                f"{where}: pillar {ind['pillar']!r} is not one of {pillars['id'].tolist()}"
            )
        if ind["direction"] not in (1, -1):
            raise FrameworkError(f"{where}: direction must be 1 or -1, got {ind['direction']!r}")
        if ind["kind"] not in KINDS:
            raise FrameworkError(f"{where}: kind must be one of {KINDS}, got {ind['kind']!r}")
        gp = ind["goalposts"]
        if not (isinstance(gp, list | tuple) and len(gp) == 2 and float(gp[0]) < float(gp[1])):
            raise FrameworkError(
                f"{where}: goalposts must be [low, high] with low < high, got {gp!r}"
            )
        if float(ind["weight"]) < 0:
            raise FrameworkError(f"{where}: weight must be >= 0, got {ind['weight']!r}")
        for t in ("target_2025", "target_2030"):
            if ind.get(t) is not None and not ind.get("target_source"):
                raise FrameworkError(
                    f"{where}: {t} is set but target_source is empty; cite the decision"
                )
        rows.append(
            {
                "id": str(ind["id"]),
                "pillar": str(ind["pillar"]),
                "name_vi": _nfc(ind["name_vi"]),
                "name_en": ind["name_en"],
                "unit": ind["unit"],
                "direction": int(ind["direction"]),
                "kind": ind["kind"],
                "goalpost_lo": float(gp[0]),
                "goalpost_hi": float(gp[1]),
                "target_2025": None
                if ind.get("target_2025") is None
                else float(ind["target_2025"]),
                "target_2030": None
                if ind.get("target_2030") is None
                else float(ind["target_2030"]),
                "target_source": _nfc(ind.get("target_source")),
                "weight": float(ind["weight"]),
                "denominator": ind.get("denominator"),
                "denominator_scale": float(ind.get("denominator_scale", 1)),
                "reaggregate_by": ind.get("reaggregate_by", "population"),
            }
        )
    indicators = pd.DataFrame(rows)
    dup = indicators["id"][indicators["id"].duplicated()]
    if len(dup):
        raise FrameworkError(f"{source}: duplicate indicator id(s) {sorted(dup)}")
    empty = [p for p in pillars["id"] if p not in set(indicators["pillar"])]
    if empty:
        raise FrameworkError(f"{source}: pillar(s) {empty} have no indicator")
    index = doc.get("index") or {"id": "index", "name_vi": "Chỉ số tổng hợp", "name_en": "Index"}
    index = {k: _nfc(v) for k, v in index.items()}
    return Framework(
        id=str(doc["id"]),
        name_vi=_nfc(doc.get("name_vi", doc["id"])),
        name_en=doc.get("name_en", doc["id"]),
        version=str(doc.get("version", "")),
        index=index,
        pillars=pillars,
        indicators=indicators,
        path=path,
    )
