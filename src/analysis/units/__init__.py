"""Administrative units and the 2025 commune crosswalk (old -> new), with re-aggregation.

Since 1 July 2025 Vietnam has no district level and about 10,040 communes (10,035 in
``vietnamadminunits``, 10,047 in dvhcvn, plus 5 island districts) were rearranged into 3,321
(Resolutions 1654..1687/NQ-UBTVQH15). Đại Lộc district's 18 communes became 5 communes of Đà Nẵng
city (Resolution 1659/NQ-UBTVQH15, clauses 66-70). Historical data sit on the old units; decisions
are now taken on the new ones. The package:

* :mod:`~analysis.units.registry`: the unit tables (:func:`load_units`, :func:`load_units_2025`)
  and "the communes of former Đại Lộc district" on any table (:func:`select_former_district`);
* :mod:`~analysis.units.crosswalk`: an old -> new crosswalk (:func:`load_crosswalk`) from the
  resolution-checked Đại Lộc table, the PyPI package ``vietnamadminunits``, the dvhcvn/20250701
  JSON or a user CSV; split shares (:func:`apply_split_shares`, :func:`shares_template`);
  disagreements between two crosswalks listed, not hidden (:func:`compare_crosswalks`);
* :mod:`~analysis.units.weights`: constituent weights (:func:`compute_constituent_weights`) and
  the table for notebooks and briefs (:func:`constituents_table`);
* :mod:`~analysis.units.reaggregate`: observations re-aggregated to the new units by indicator
  kind (:func:`reaggregate_observations`), with coverage and partial flags.
"""

from __future__ import annotations

from .crosswalk import (
    CROSSWALK_COLUMNS,
    MissingSharesError,
    UnitsWarning,
    apply_split_shares,
    compare_crosswalks,
    crosswalk_record,
    load_crosswalk,
    shares_template,
)
from .reaggregate import reaggregate_observations
from .registry import (
    haversine_km,
    load_units,
    load_units_2025,
    select_former_district,
    select_province,
)
from .weights import compute_constituent_weights, constituents_table

__all__ = [
    "CROSSWALK_COLUMNS",
    "MissingSharesError",
    "UnitsWarning",
    "apply_split_shares",
    "compare_crosswalks",
    "compute_constituent_weights",
    "crosswalk_record",
    "constituents_table",
    "haversine_km",
    "load_crosswalk",
    "load_units",
    "load_units_2025",
    "reaggregate_observations",
    "select_former_district",
    "select_province",
    "shares_template",
]
