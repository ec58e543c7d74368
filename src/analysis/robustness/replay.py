"""Replay: evaluate exactly the runs of a ``runs.csv`` (one column per choice) again."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError
from .spec import RUN_COLUMNS


def read_replay(replay) -> pd.DataFrame:
    """A runs table (CSV path or DataFrame) with ``run`` and known choice columns, as text."""
    if isinstance(replay, pd.DataFrame):
        table = replay.copy()
        src = "replay table"
    else:
        path = Path(replay)
        if not path.exists():
            raise DataValidationError([f"replay file {path} not found"])
        src = str(path)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        if not rows:
            raise DataValidationError(
                [f"{src}: empty file; expected a header run,<choice columns>"]
            )
        header = [h.strip() for h in rows[0]]
        body = []
        for r_i, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) == len(header) + 1 and "normalisation" in header:
                # unquoted "zscore:10,2": glue the parameter pair back together
                j = header.index("normalisation")
                row = row[:j] + [row[j] + "," + row[j + 1]] + row[j + 2 :]
            if len(row) != len(header):
                raise DataValidationError(
                    [
                        f'{src}: row {r_i} has {len(row)} fields but the header has {len(header)}; quote values with commas ("zscore:10,2")'
                    ]
                )
            body.append([c.strip() for c in row])
        table = pd.DataFrame(body, columns=header, dtype=str)
    known = set(RUN_COLUMNS.values()) | {"run"}
    unknown = [c for c in table.columns if c not in known]
    if unknown:
        raise DataValidationError(
            [
                f"{src}: column(s) {unknown} are not choices; expected run and any of {sorted(set(RUN_COLUMNS.values()))}"
            ]
        )
    if "run" not in table.columns:
        table.insert(0, "run", np.arange(1, len(table) + 1))
    for c in table.columns:
        table[c] = table[c].astype(str)
    if len(table) == 0:
        raise DataValidationError([f"{src}: no runs listed"])
    return table.reset_index(drop=True)
