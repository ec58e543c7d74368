"""COINr files in and out: read an ``iData``/``iMeta`` pair, run ``dgap index`` on it, and write
the provenance (``run.json``) of a command that reads such a pair.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError
from ._tree import Tree
from .index import compute_index
from .spec import (
    aggregation_label,
    imputation_label,
    normalisation_label,
    order_label,
    parse_normalisation,
    parse_order,
    parse_treatment,
    parse_weights,
    treatment_label,
)


# =========================================================================== COINr reader
@dataclass(frozen=True, eq=False)
class CoinData:
    """A COINr ``iData`` + ``iMeta`` pair.

    Attributes:
        idata: iData as read (``uCode`` as str).
        imeta: iMeta as read.
        tree: the indicator tree.
        data: iData indexed by ``uCode``.
        groups: group columns (``*_group`` or iMeta Type ``Group``).
        denominators: denominator columns (iMeta Type ``Denominator``).
        units: ``uCode, uName`` table.
    """

    idata: pd.DataFrame
    imeta: pd.DataFrame
    tree: Tree
    data: pd.DataFrame
    groups: list[str]
    denominators: list[str]
    units: pd.DataFrame


def _read_pair(idata_path: Path, imeta_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    for p in (idata_path, imeta_path):
        if not p.exists():
            raise DataValidationError([f"{p}: file not found"], source=str(p))
    idata = pd.read_csv(idata_path, dtype={"uCode": str}, encoding="utf-8-sig")
    imeta = pd.read_csv(imeta_path, encoding="utf-8-sig")
    if "uCode" not in idata.columns:
        raise DataValidationError(
            [
                f"{idata_path}: no 'uCode' column; iData needs uCode (unit code) and one column per indicator"
            ],
            source=str(idata_path),
        )
    if "iCode" in imeta.columns:
        imeta["iCode"] = imeta["iCode"].astype(str)
    for col in ("uCode", "uName"):
        if col in idata.columns:
            idata[col] = idata[col].map(
                lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
            )
    dup = idata["uCode"][idata["uCode"].duplicated()].tolist()
    if dup:
        raise DataValidationError(
            [f"{idata_path}: duplicated uCode {dup}; each unit needs one row"],
            source=str(idata_path),
        )
    return idata, imeta


def _numeric_indicators(idata: pd.DataFrame, tree: Tree, idata_path: Path, imeta_path: Path):
    """Indicator columns as floats, in place; a located message for every non-number."""
    missing = [c for c in tree.indicators if c not in idata.columns]
    if missing:
        raise DataValidationError(
            [
                f"{idata_path}: indicator column(s) {missing} listed in {imeta_path.name} are missing"
            ],
            source=str(idata_path),
        )
    problems = []
    for c in tree.indicators:
        if idata[c].dtype == np.float64:
            continue  # already numbers
        v = pd.to_numeric(idata[c], errors="coerce")
        bad = idata[c].notna() & v.isna()
        if bad.any():
            r = int(np.flatnonzero(bad.to_numpy())[0])
            problems.append(
                f"{idata_path}: row {r + 2}, column {c!r}: {idata[c].iloc[r]!r} is not a number"
            )
        idata[c] = v.astype(float)
    if problems:
        raise DataValidationError(problems, source=str(idata_path))


def load_coinr(idata_path: str | Path, imeta_path: str | Path) -> CoinData:
    """Read a COINr ``iData``/``iMeta`` pair (CSV) such as ``shared/datasets/asem/``.

    Raises:
        DataValidationError: missing ``uCode``, duplicated codes, indicator columns absent
            from iData, non-numeric indicator values.
        FrameworkError: malformed iMeta tree.
    """
    idata_path, imeta_path = Path(idata_path), Path(imeta_path)
    idata, imeta = _read_pair(idata_path, imeta_path)
    tree = Tree.from_imeta(imeta, source=str(imeta_path))
    _numeric_indicators(idata, tree, idata_path, imeta_path)
    typ = imeta["Type"].astype(str) if "Type" in imeta.columns else pd.Series("", index=imeta.index)
    groups = [c for c in idata.columns if c.endswith("_group")]
    groups += [
        c for c in imeta.loc[typ == "Group", "iCode"] if c in idata.columns and c not in groups
    ]
    dens = [c for c in imeta.loc[typ == "Denominator", "iCode"] if c in idata.columns]
    data = idata.set_index("uCode", drop=False)
    data.index = data.index.astype(str)
    data.index.name = "uCode"
    units = idata[[c for c in ("uCode", "uName") if c in idata.columns]]
    return CoinData(
        idata=idata,
        imeta=imeta,
        tree=tree,
        data=data,
        groups=groups,
        denominators=dens,
        units=units,
    )


# =========================================================================== provenance
def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_hashes(**paths: str | Path) -> dict:
    """``{name: {"path": ..., "sha256": ...}}`` for the input files of a command."""
    return {k: {"path": str(p), "sha256": file_sha256(p)} for k, p in paths.items()}


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def write_run_json(path: str | Path, meta: Mapping) -> Path:
    """Write a command's provenance as indented UTF-8 JSON, atomically."""
    from ..outputs import atomic_write

    path = Path(path)
    with atomic_write(path) as fh:
        json.dump(dict(meta), fh, ensure_ascii=False, indent=2, default=_json_default)
        fh.write("\n")
    return path


def provenance_path(out: str | Path) -> Path:
    """Where ``dgap index --out X.csv`` writes its provenance: ``X.run.json`` beside the table.

    >>> provenance_path("out/scores.csv").as_posix()
    'out/scores.run.json'
    """
    out = Path(out)
    return out.with_name(f"{out.stem}.run.json")


# =========================================================================== dgap index
def run_index(
    idata: str | Path,
    imeta: str | Path,
    out: str | Path,
    *,
    denominate: bool = False,
    impute: str = "none",
    screen: float | None = None,
    treat: str = "none",
    normalise: str = "minmax",
    aggregate: str = "arithmetic",
    weights: str = "framework",
    min_coverage: float | None = None,
    nonpositive: str = "raise",
    order=None,
) -> Path:
    """``dgap index``: read a COINr iData/iMeta pair, run :func:`compute_index`, write the scores CSV.

    The CSV has ``uCode``, every normalised indicator, every aggregate (columns by iCode) and
    ``Index_rank`` (1 = best, ties share the lowest rank). Beside it, ``<name>.run.json`` records
    the step order and every method choice (canonical labels), the units screening dropped, the
    input hashes and the package version. Both written atomically.

    Args:
        normalise: a normalisation label (``minmax:0,100``, ``zscore:10,2``, ``goalposts`` ...).
        treat: ``none``, ``jrc`` or ``jrc:WINMAX``.
        order: step order (:func:`analysis.composite.spec.parse_order`; default: denominate,
            screen, impute, treat, normalise, aggregate).

    Returns:
        The path of the scores CSV.
    """
    from .. import __version__
    from ..io import save_table

    steps = parse_order(order)
    coin = load_coinr(idata, imeta)
    method, params = parse_normalisation(normalise)
    winmax = parse_treatment(treat)
    res = compute_index(
        coin.data,
        coin.imeta,
        denominate=denominate,
        impute=impute,
        screen=screen,
        treat="none" if winmax is None else "jrc",
        winmax=winmax,
        normalise=method,
        normalise_params=params,
        aggregate=aggregate,
        weights=weights,
        min_coverage=min_coverage,
        nonpositive=nonpositive,
        order=steps,
    )
    out = Path(out)
    save_table(res.to_frame(), out)  # the one CSV writer: atomic, text cells escaped
    screening = res.report.get("screening")
    dropped = [] if screening is None else screening.loc[~screening["is_kept"], "unit"].tolist()
    write_run_json(
        provenance_path(out),
        {
            "command": "dgap index",
            "order": order_label(steps),
            "parameters": {
                "denominate": bool(denominate),
                "impute": imputation_label(impute),
                "screen": screen,
                "treat": treatment_label(treat),
                "normalise": normalisation_label(normalise),
                "aggregate": aggregation_label(aggregate),
                "weights": parse_weights(weights),
                "min_coverage": min_coverage,
                "nonpositive": nonpositive,
            },
            "n_units": int(len(res.scores)),
            "units_screened_out": dropped,
            "inputs": input_hashes(idata=idata, imeta=imeta),
            "output": out.name,
            "package_version": __version__,
        },
    )
    return out
