"""The indicator tree (COINr iMeta ``Level``/``iCode``/``Parent``), any depth, as index arrays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import FrameworkError

_TREE_TYPES = ("Indicator", "Aggregate")


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
        or value is pd.NA
    )


@dataclass(frozen=True, eq=False)
class Tree:
    """An indicator tree as flat arrays, ready for batched aggregation.

    Attributes:
        indicators: indicator codes, in iMeta order (the column order of every ``X`` array).
        nodes: every code: indicators first, then aggregates by level, alphabetical in a level.
        level: ``(n_nodes,)`` iMeta Level of each node.
        parent: ``(n_nodes,)`` index of the parent node, -1 for the root.
        directions: ``(n_indicators,)`` +1 / -1.
        weights: ``(n_nodes,)`` iMeta weights (relative within each sibling group).
        targets: ``(n_indicators,)`` iMeta Target (NaN if absent).
        denominators: indicator code -> denominator column (only indicators that have one).
        names: code -> display name (iName).
    """

    indicators: tuple[str, ...]
    nodes: tuple[str, ...]
    level: np.ndarray
    parent: np.ndarray
    directions: np.ndarray
    weights: np.ndarray
    targets: np.ndarray
    denominators: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_imeta(cls, imeta: pd.DataFrame, *, source: str = "iMeta") -> Tree:
        """Build the tree from a COINr ``iMeta`` table.

        Rows whose ``Type`` is not Indicator/Aggregate (groups, denominators) are ignored. If there
        is no ``Type`` column, rows with a Level are used and Level 1 means indicator.

        Raises:
            FrameworkError: unknown parent, several roots, cycles, missing columns.
        """
        if isinstance(imeta, Tree):
            return imeta
        for col in ("Level", "iCode", "Parent"):
            if col not in imeta.columns:
                raise FrameworkError(
                    f"{source}: missing column {col!r}; iMeta needs Level, iCode, Parent (and Type)"
                )
        m = imeta.copy()
        if "Type" in m.columns:
            m = m[m["Type"].astype(str).isin(_TREE_TYPES)]
            is_ind = (m["Type"].astype(str) == "Indicator").to_numpy()
        else:
            m = m[pd.to_numeric(m["Level"], errors="coerce").notna()]
            is_ind = (pd.to_numeric(m["Level"]) == 1).to_numpy()
        m = m.reset_index(drop=True)
        codes = m["iCode"].astype(str).tolist()
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise FrameworkError(f"{source}: duplicate iCode(s) {dup}")
        levels = pd.to_numeric(m["Level"], errors="coerce")
        if levels.isna().any():
            bad = [codes[i] for i in np.flatnonzero(levels.isna().to_numpy())]
            raise FrameworkError(f"{source}: Level missing or not a number for {bad}")
        levels = levels.astype(int).to_numpy()
        ind_rows = np.flatnonzero(is_ind)
        agg_rows = np.flatnonzero(~is_ind)
        if len(ind_rows) == 0:
            raise FrameworkError(f"{source}: no indicator rows (Type == 'Indicator')")
        agg_sorted = sorted(agg_rows, key=lambda r: (levels[r], codes[r]))
        order = list(ind_rows) + list(agg_sorted)
        nodes = tuple(codes[r] for r in order)
        pos = {c: i for i, c in enumerate(nodes)}
        parent = np.full(len(nodes), -1, dtype=np.int64)
        par_col = m["Parent"].tolist()  # plain lists: scalar .loc on text columns is slow
        for i, r in enumerate(order):
            par = par_col[r]
            if _blank(par):
                continue
            par = str(par)
            if par not in pos:
                raise FrameworkError(
                    f"{source}: row {codes[r]!r} has Parent {par!r}, which is not an Aggregate iCode; fix the Parent or add the aggregate row"
                )
            if pos[par] < len(ind_rows):
                raise FrameworkError(
                    f"{source}: row {codes[r]!r} has Parent {par!r}, which is an indicator; parents must be aggregates"
                )
            parent[i] = pos[par]
        level = levels[order]
        roots = [nodes[i] for i in range(len(nodes)) if parent[i] < 0]
        if len(roots) != 1:
            raise FrameworkError(
                f"{source}: expected exactly one node without Parent (the index), found {roots}"
            )
        for i in range(len(nodes)):
            if parent[i] >= 0 and level[parent[i]] <= level[i]:
                raise FrameworkError(
                    f"{source}: {nodes[i]!r} (Level {level[i]}) has parent {nodes[parent[i]]!r} at Level {level[parent[i]]}; a parent needs a higher Level"
                )
        n_ind = len(ind_rows)
        childless = [nodes[j] for j in range(n_ind, len(nodes)) if not np.any(parent == j)]
        if childless:
            raise FrameworkError(f"{source}: aggregate(s) {childless} have no children")

        def col(name, default, rows):
            if name not in m.columns:
                return np.full(len(rows), default, dtype=float)
            v = pd.to_numeric(m.loc[rows, name], errors="coerce").to_numpy(dtype=float)
            return np.where(np.isnan(v), default, v)

        directions = col("Direction", 1.0, ind_rows)
        if not np.all(np.isin(directions, (-1.0, 1.0))):
            bad = [
                codes[r] for r, d in zip(ind_rows, directions, strict=True) if d not in (-1.0, 1.0)
            ]
            raise FrameworkError(f"{source}: Direction must be 1 or -1; fix {bad}")
        weights = col("Weight", 1.0, order)
        if np.any(weights < 0):
            raise FrameworkError(
                f"{source}: negative Weight for {[nodes[i] for i in np.flatnonzero(weights < 0)]}"
            )
        targets = col("Target", np.nan, ind_rows)
        denominators = {}
        if "Denominator" in m.columns:
            den_col = m["Denominator"].tolist()
            for r in ind_rows:
                d = den_col[r]
                if not _blank(d):
                    denominators[codes[r]] = str(d)
        names = {}
        if "iName" in m.columns:
            name_col = m["iName"].tolist()
            names = {
                codes[r]: (str(name_col[r]) if not _blank(name_col[r]) else codes[r]) for r in order
            }
        return cls(
            indicators=tuple(codes[r] for r in ind_rows),
            nodes=nodes,
            level=level,
            parent=parent,
            directions=directions,
            weights=weights,
            targets=targets,
            denominators=denominators,
            names=names,
        )

    # ------------------------------------------------------------------ properties
    @property
    def n_indicators(self) -> int:
        return len(self.indicators)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def root(self) -> str:
        return self.nodes[int(np.flatnonzero(self.parent < 0)[0])]

    @property
    def aggregates(self) -> tuple[str, ...]:
        return self.nodes[self.n_indicators :]

    def index_of(self, code: str) -> int:
        """Position of ``code`` in :attr:`nodes`."""
        try:
            return self._pos[code]
        except KeyError:
            raise FrameworkError(
                f"tree has no node {code!r}; nodes are {list(self.nodes)}"
            ) from None

    @property
    def _pos(self) -> dict:
        cache = self.__dict__.get("_pos_cache")
        if cache is None:
            cache = {c: i for i, c in enumerate(self.nodes)}
            object.__setattr__(self, "_pos_cache", cache)
        return cache

    def children(self, code: str) -> tuple[str, ...]:
        j = self.index_of(code)
        return tuple(self.nodes[i] for i in np.flatnonzero(self.parent == j))

    def leaves_under(self, code: str) -> tuple[str, ...]:
        j = self.index_of(code)
        out = []
        for i in range(self.n_indicators):
            k = i
            while k >= 0:
                if k == j:
                    out.append(self.nodes[i])
                    break
                k = self.parent[k]
        return tuple(out)

    def parent_of(self, code: str) -> str | None:
        p = self.parent[self.index_of(code)]
        return None if p < 0 else self.nodes[p]

    def ancestor_at(self, code: str, level: int) -> str | None:
        """The ancestor of ``code`` whose Level is ``level`` (None if the path skips it)."""
        k = self.index_of(code)
        while k >= 0:
            if self.level[k] == level:
                return self.nodes[k]
            k = self.parent[k]
        return None

    def aggregation_steps(self) -> list[tuple[int, np.ndarray]]:
        """Bottom-up steps: ``(level, parent_node_indices)`` for every aggregate level."""
        aggs = np.arange(self.n_indicators, self.n_nodes)
        return [
            (int(lv), aggs[self.level[aggs] == lv]) for lv in sorted(set(self.level[aggs].tolist()))
        ]

    def weight_vector(
        self, mapping: Mapping[str, float] | None = None, base: str = "framework"
    ) -> np.ndarray:
        """Node weights ``(n_nodes,)``: ``base`` (``framework`` = the iMeta weights, ``equal`` =
        ones), overridden by ``mapping``."""
        if base == "framework":
            w = self.weights.astype(float).copy()
        elif base == "equal":
            w = np.ones(self.n_nodes)
        else:
            raise FrameworkError(f"weight base {base!r} unknown; use 'framework' or 'equal'")
        for code, value in (mapping or {}).items():
            if float(value) < 0:
                raise FrameworkError(f"weight of {code!r} is {value}; weights must be >= 0")
            w[self.index_of(code)] = float(value)
        return w

    def to_imeta(self) -> pd.DataFrame:
        """Back to an iMeta-like table (Level, iCode, iName, Direction, Weight, Parent, Type)."""
        n_ind = self.n_indicators
        rows = []
        for i, c in enumerate(self.nodes):
            rows.append(
                {
                    "Level": int(self.level[i]),
                    "iCode": c,
                    "iName": self.names.get(c, c),
                    "Direction": int(self.directions[i]) if i < n_ind else 1,
                    "Weight": float(self.weights[i]),
                    "Parent": None if self.parent[i] < 0 else self.nodes[self.parent[i]],
                    "Type": "Indicator" if i < n_ind else "Aggregate",
                    "Denominator": self.denominators.get(c),
                }
            )
        return pd.DataFrame(rows)
