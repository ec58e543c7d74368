"""Pre-normalisation steps on one wide table (rows = units, or unit x period): denominate,
impute, screen, outlier treatment. COINr conventions: see ``docs/composite.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataValidationError, MethodError
from ._tree import Tree
from .arrays import kurt, skew
from .spec import parse_imputation


# --------------------------------------------------------------------------- denominate
def denominate(data: pd.DataFrame, imeta, *, scale: dict | None = None) -> pd.DataFrame:
    """Divide every indicator that has a ``Denominator`` by that unit-level column (COINr ``Denominate``).

    Args:
        data: wide table holding the indicator columns and the denominator columns.
        imeta: iMeta-like table or :class:`Tree` (uses its ``Denominator`` entries).
        scale: optional indicator -> factor applied after dividing (e.g. 1000 for "per 1,000").

    Returns:
        A copy of ``data`` with the denominated indicator columns.

    Raises:
        DataValidationError: a denominator column is missing from ``data``.
    """
    tree = Tree.from_imeta(imeta)
    out = data.copy()
    missing = sorted(
        {d for i, d in tree.denominators.items() if i in out.columns and d not in out.columns}
    )
    if missing:
        raise DataValidationError(
            [
                f"denominator column(s) {missing} named in iMeta 'Denominator' are not columns of the data; add them to iData"
            ]
        )
    pairs = [(i, d) for i, d in tree.denominators.items() if i in out.columns]
    if not pairs:
        return out
    cols = list(dict.fromkeys(c for pair in pairs for c in pair))
    A = dict(zip(cols, _as_float(out[cols]).T, strict=True))
    new: dict[str, np.ndarray] = {}  # in iMeta order: a denominated column may be a denominator
    for ind, den in pairs:
        d = new.get(den, A[den])
        d = np.where(d != 0, d, np.nan)
        new[ind] = new.get(ind, A[ind]) / d * (1.0 if scale is None else float(scale.get(ind, 1.0)))
    out[list(new)] = np.column_stack(list(new.values()))  # whole float columns, one call
    return out


def _as_float(frame: pd.DataFrame) -> np.ndarray:
    """``frame`` as a float array, non-numbers as NaN (``pd.to_numeric(errors="coerce")``)."""
    if (frame.dtypes == np.float64).all():
        return frame.to_numpy(dtype=float)
    return frame.apply(pd.to_numeric, errors="coerce").astype(float).to_numpy()


# --------------------------------------------------------------------------- impute
def impute(
    data: pd.DataFrame,
    indicators: Sequence[str],
    method: str = "none",
    *,
    groups: pd.Series | None = None,
    unit_col: str | None = None,
    time_col: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing indicator values (COINr ``Impute``: ``i_mean``, ``i_median``, ``i_*_grp``; plus LOCF).

    Args:
        data: wide table.
        indicators: the columns to impute.
        method: ``none | mean | median | mean-by:COL | median-by:COL | locf``.
        groups: for ``*-by:COL``, a Series aligned with ``data`` (default: ``data[COL]``).
        unit_col: for ``locf``, the column holding the unit code (default: the index).
        time_col: ``locf``: the period column (sorted by :func:`analysis.periods.period_to_time`
            when it parses, else lexically). For ``mean``/``median`` in a panel, imputation is done
            within each period when ``time_col`` is given.

    Returns:
        ``(imputed data, mask)``: mask is True where a value was filled in.
    """
    base, col = parse_imputation(method)
    inds = list(indicators)
    X = data[inds]
    if not (X.dtypes == np.float64).all():
        X = X.apply(pd.to_numeric, errors="coerce").astype(float)
    out = data.copy()
    if base == "none":
        return out, pd.DataFrame(False, index=data.index, columns=inds)
    if base in ("mean", "median"):
        keys = []
        if time_col is not None:
            keys.append(data[time_col].to_numpy())
        if col is not None:
            g = groups if groups is not None else (data[col] if col in data.columns else None)
            if g is None:
                raise DataValidationError(
                    [
                        f"imputation {method!r}: group column {col!r} not found; columns are {list(data.columns)}"
                    ]
                )
            keys.append(np.asarray(g))
        if keys:
            fill = X.groupby(keys, dropna=False, sort=False).transform(base)
        else:
            fill = pd.DataFrame(
                np.broadcast_to(getattr(X, base)().to_numpy(), X.shape), index=X.index, columns=inds
            )
        # fill's rows and columns are X's: fill by position (as fillna, without aligning)
        Xv = X.to_numpy(dtype=float)
        filled = pd.DataFrame(
            np.where(np.isnan(Xv), fill.to_numpy(dtype=float), Xv), index=X.index, columns=inds
        )
    else:  # locf
        units = data[unit_col] if unit_col is not None else pd.Series(data.index, index=data.index)
        if time_col is None:
            raise MethodError(
                "imputation 'locf' needs time_col (the period column) and a panel with several periods per unit"
            )
        order = _time_order(data[time_col])
        Xs = X.assign(__u=units.to_numpy(), __t=order).sort_values(["__u", "__t"], kind="stable")
        filled = Xs.groupby("__u", sort=False)[inds].ffill().reindex(X.index)
    mask = X.isna() & filled.notna()
    out[inds] = filled
    return out, mask


def _time_order(periods: pd.Series) -> np.ndarray:
    from ..periods import period_to_time

    try:
        return periods.map(lambda v: period_to_time(str(v))).to_numpy(dtype=float)
    except ValueError:
        return pd.Series(periods).rank(method="dense").to_numpy(dtype=float)


# --------------------------------------------------------------------------- screen
def screen_units(
    data: pd.DataFrame, indicators: Sequence[str], threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop units whose share of available indicators is below ``threshold`` (COINr ``Screen(byNA)``).

    Returns:
        ``(kept rows, report)``; report columns ``unit, availability, is_kept``.
    """
    if not 0 <= threshold <= 1:
        raise MethodError(f"screen threshold must be between 0 and 1, got {threshold}")
    avail = data[list(indicators)].notna().mean(axis=1)
    keep = avail >= threshold - 1e-12
    report = pd.DataFrame(
        {
            "unit": data.index.astype(str),
            "availability": avail.to_numpy(),
            "is_kept": keep.to_numpy(),
        }
    )
    return data.loc[keep], report


# --------------------------------------------------------------------------- treat
def _check(x: np.ndarray, skew_thresh: float, kurt_thresh: float) -> tuple[bool, float, float]:
    sk = float(skew(x, axis=0))
    kt = float(kurt(x, axis=0))
    return bool((abs(sk) < skew_thresh) or (kt < kurt_thresh)), sk, kt


def _winsorise(
    x: np.ndarray, winmax: int | None, skew_thresh: float, kurt_thresh: float
) -> tuple[np.ndarray, int]:
    """COINr ``winsorise()``: repeatedly reassign the extreme point(s) on the skewed side."""
    x = x.copy()
    passing, _, _ = _check(x, skew_thresh, kurt_thresh)
    nwin = 0
    imax = imin = np.array([], dtype=int)
    below = True if winmax is None else nwin < winmax
    while (not passing) and below:
        if float(skew(x, axis=0)) >= 0:
            imax = np.flatnonzero(x == np.nanmax(x))
            rest = np.delete(x, imax)
            x[imax] = np.nanmax(rest)
        else:
            imin = np.flatnonzero(x == np.nanmin(x))
            rest = np.delete(x, imin)
            x[imin] = np.nanmin(rest)
        nwin = len(imax) + len(imin)
        below = True if winmax is None else nwin < winmax
        passing, _, _ = _check(x, skew_thresh, kurt_thresh)
    return x, nwin


def _log_ct(x: np.ndarray) -> np.ndarray:
    mn, mx = np.nanmin(x), np.nanmax(x)
    return np.log(x - mn + 0.01 * (mx - mn))


def _log_ct_plus(x: np.ndarray) -> np.ndarray:
    if float(skew(x, axis=0)) >= 0:
        return _log_ct(x)
    mn, mx = np.nanmin(x), np.nanmax(x)
    return -np.log(mx + 0.01 * (mx - mn) - x)


_F2 = {"log_CT": _log_ct, "log_CT_plus": _log_ct_plus}


def treat_outliers(
    data: pd.DataFrame,
    indicators: Sequence[str],
    *,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    f2: str = "log_CT",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """JRC outlier treatment as COINr ``Treat()``/``qTreat()`` defaults (``docs/composite.md``).

    Args:
        data: wide table (rows = units).
        indicators: columns to treat.
        winmax: maximum number of winsorised points (None = no limit).
        skew_thresh, kurt_thresh: pass if ``|skew| < skew_thresh`` or ``kurt < kurt_thresh``.
        f2: second-stage transformation of the original column: ``log_CT`` or ``log_CT_plus``.

    Returns:
        ``(treated data, details, points)``: ``details`` has one row per indicator
        (``iCode, n, skew0, kurt0, pass0, nwin, skew1, kurt1, pass1, f2, skew2, kurt2, pass2, treatment``);
        ``points`` one row per changed value (``unit, iCode, old, new, how``).
    """
    if f2 not in _F2:
        raise MethodError(f"unknown second-stage treatment {f2!r}; choose one of {sorted(_F2)}")
    inds = list(indicators)
    out = data.copy()
    X = data[inds].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    unit_labels = data.index.astype(str).to_numpy()
    n_all = np.sum(~np.isnan(X), axis=0)
    sk_all, kt_all = skew(X, axis=0), kurt(X, axis=0)  # one vectorised pass for the first check
    details, chunks = [], []

    def log_points(rows, ind, old, new, how):
        chunks.append(
            pd.DataFrame(
                {
                    "unit": unit_labels[rows],
                    "iCode": ind,
                    "old": old[rows],
                    "new": new[rows],
                    "how": how,
                }
            )
        )

    for j, ind in enumerate(inds):
        x = X[:, j]
        n = int(n_all[j])
        row = {"iCode": ind, "n": n, "treatment": "none"}
        if n < 4:
            row["treatment"] = "skipped (fewer than 4 values)"
            details.append(row)
            continue
        sk, kt = float(sk_all[j]), float(kt_all[j])
        ok = bool((abs(sk) < skew_thresh) or (kt < kurt_thresh))
        row.update(skew0=sk, kurt0=kt, pass0=ok)
        if not ok:
            xw, nwin = _winsorise(x, winmax, skew_thresh, kurt_thresh)
            ok1, sk1, kt1 = _check(xw, skew_thresh, kurt_thresh)
            row.update(nwin=nwin, skew1=sk1, kurt1=kt1, pass1=ok1)
            if ok1:
                row["treatment"] = "winsorised"
                changed = np.flatnonzero(xw != x)
                hi = changed[xw[changed] < x[changed]]
                lo = changed[xw[changed] > x[changed]]
                log_points(hi, ind, x, xw, "winhi")
                log_points(lo, ind, x, xw, "winlo")
                out[ind] = xw
            else:
                y = _F2[f2](x)
                ok2, sk2, kt2 = _check(y, skew_thresh, kurt_thresh)
                row.update(f2=f2, skew2=sk2, kurt2=kt2, pass2=ok2, treatment=f2)
                log_points(np.flatnonzero(~np.isnan(x)), ind, x, y, f2)
                out[ind] = y
        details.append(row)
    points = [c for c in chunks if len(c)]
    pts = (
        pd.concat(points, ignore_index=True)
        if points
        else pd.DataFrame(columns=["unit", "iCode", "old", "new", "how"])
    )
    cols = [
        "iCode",
        "n",
        "skew0",
        "kurt0",
        "pass0",
        "nwin",
        "skew1",
        "kurt1",
        "pass1",
        "f2",
        "skew2",
        "kurt2",
        "pass2",
        "treatment",
    ]
    det = pd.DataFrame(details).reindex(columns=cols)
    return out, det, pts
