"""The glue the notebooks share: load the inputs, compute the results once, know where outputs go.

A notebook is thin: parameters, then ``inputs = load_inputs(...)``, ``res = compute_results(inputs,
...)``, then tables, figures and briefs from ``res``. :func:`compute_results` is deterministic
for its arguments and is computed once per run (``<output_dir>/store/``, see :mod:`analysis.store`), so the
36 commune-profile notebooks of an edition reuse the district computation instead of redoing
it, whichever worker runs first; a warm kernel reuses the in-memory copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config, store
from .frameworks import Framework
from .io import save_table
from .loaders import Inputs, constituents, has_successors, load_inputs, merge_inputs, resolve_path  # noqa: F401  (the notebooks' entry points)
from .narrative import (  # noqa: F401  (the notebooks' Markdown: workflow.describe_*)
    describe_commune,
    describe_coverage,
    describe_diagnostics,
    describe_gaps,
    describe_merger,
    describe_method,
    describe_pillars,
    describe_robustness,
    describe_status,
)
from .results import Results, unit_period
from .status import table_status

_MEMO: dict[str, Results] = {}
#: Rank intervals need a cross-section; below this many units the Monte Carlo is skipped.
MIN_UNITS_FOR_RANKS = 3


@dataclass
class OutputPaths:
    """Folders of one edition: ``tables/``, ``figures/``, ``briefs/``, ``store/``."""

    root: Path
    tables: Path
    figures: Path
    briefs: Path
    store: Path

    def sub(self, name: str) -> OutputPaths:
        """The same layout in a subfolder, e.g. ``post2025/`` for the merged communes, whose GSO
        codes reuse old ones (20500 was Ái Nghĩa town, is now Đại Lộc commune)."""
        return output_paths(str(self.root / name))


def parse_codes(text: str) -> list[str]:
    """Unit codes from a comma-separated parameter: ``"VNM, THA"`` -> ``["VNM", "THA"]``.

    >>> parse_codes(" VNM, THA ,"), parse_codes("")
    (['VNM', 'THA'], [])
    """
    return [c.strip() for c in str(text).split(",") if c.strip()]


def has_coordinates(units: pd.DataFrame) -> bool:
    """True if every unit has a latitude and longitude (maps and distances need them)."""
    return {"lat", "lon"} <= set(units.columns) and units[["lat", "lon"]].notna().all().all()


def output_paths(output_dir: str = "", edition: str = "lab") -> OutputPaths:
    """Create and return the output folders (default ``reports/<edition>/``)."""
    root = resolve_path(output_dir, config.edition_dir(edition or "lab"))
    out = OutputPaths(root, root / "tables", root / "figures", root / "briefs", root / "store")
    for p in (out.tables, out.figures, out.briefs, out.store):
        p.mkdir(parents=True, exist_ok=True)
    return out


def compute_results(
    inputs: Inputs,
    *,
    period: str = "",
    normalise: str = "goalposts",
    aggregate: str = "arithmetic",
    weights: str = "framework",
    impute: str = "none",
    ci_level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    draws: int = 1000,
    seed: int = config.DEFAULT_SEED,
    store_dir: str | Path | None = None,
) -> Results:
    """Scores, gaps with intervals, district tests, trends and rank uncertainty for ``inputs``.

    Computed once per inputs, parameters and package source: a warm kernel keeps the results in
    memory, and with ``store_dir`` (the notebooks pass ``<output>/store``) every notebook of a
    run reads the one stored computation (:mod:`analysis.store`).

    Args:
        period: the cross-section shown as "current" (default: the latest period).
        normalise, aggregate, weights, impute: method choices of the composite engine.
        ci_level: level of every interval (default 0.90).
        n_boot: bootstrap resamples for gap intervals and district statistics.
        draws: Monte Carlo draws over method choices (rank intervals, method intervals of gaps).
        seed: random seed; the same arguments give the same results.
        store_dir: folder of the results store (None: memory only).
    """
    params = dict(
        period=period,
        normalise=normalise,
        aggregate=aggregate,
        weights=weights,
        impute=impute,
        ci_level=ci_level,
        n_boot=n_boot,
        draws=draws,
        seed=seed,
    )
    key = store.results_key(inputs.digest, params)
    if key not in _MEMO:
        _MEMO[key] = store.get_or_compute(store_dir, key, lambda: _compute(inputs, **params))
    return _MEMO[key]


def _compute(
    inputs: Inputs,
    *,
    period: str = "",
    normalise: str = "goalposts",
    aggregate: str = "arithmetic",
    weights: str = "framework",
    impute: str = "none",
    ci_level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    draws: int = 1000,
    seed: int = config.DEFAULT_SEED,
) -> Results:
    """The computation behind :func:`compute_results` (always computes)."""
    from .composite import compute_scores, pillar_table
    from .gaps import (
        compute_convergence,
        compute_covariate_associations,
        compute_gap_contributions,
        compute_gaps,
        compute_inequality,
        compute_pillar_correlations,
        compute_trends,
        distance_to_targets,
        test_pillar_gaps,
        weakest_indicators,
    )
    from .robustness import add_method_intervals, run_uncertainty_tidy

    params = dict(
        period=period,
        normalise=normalise,
        aggregate=aggregate,
        weights=weights,
        impute=impute,
        ci_level=ci_level,
        n_boot=n_boot,
        draws=draws,
        seed=seed,
    )
    obs, fw, units = inputs.observations, inputs.framework, inputs.units
    scores = compute_scores(
        obs, fw, units, normalise=normalise, aggregate=aggregate, weights=weights, impute=impute
    )
    pillars = pillar_table(scores)
    periods = sorted(pillars["period"].unique())
    current = period or periods[-1]
    n_units = pillars.loc[pillars["period"] == current, "unit_code"].nunique()
    # one way: scores -> gaps -> robustness (which adds the method intervals to the gaps)
    gaps = compute_gaps(scores, fw, level=ci_level, n_boot=n_boot, seed=seed)
    unc = None
    if n_units >= MIN_UNITS_FOR_RANKS:
        unc = run_uncertainty_tidy(
            obs, fw, units, period=current, draws=draws, seed=seed, weights=weights
        )
        gaps = add_method_intervals(gaps, unc, level=ci_level)
    now = gaps[gaps["period"] == current]
    empty = pd.DataFrame({"status": pd.Series(dtype=str)})
    res = Results(
        params=params | {"period": current, "digest": inputs.digest},
        scores=scores,
        pillars=pillars,
        gaps=gaps,
        period=current,
        rank_stats=unc.rank_stats if unc is not None else empty,
        gap_rank_stats=unc.gap_rank_stats if unc is not None else None,
        gap_stats=unc.gap_stats if unc is not None else None,
        tests=test_pillar_gaps(pillars, level=ci_level, n_boot=n_boot, seed=seed),
        correlations=compute_pillar_correlations(pillars, level=ci_level, n_boot=n_boot, seed=seed),
        inequality=compute_inequality(pillars, level=ci_level, n_boot=n_boot, seed=seed),
        covariates=compute_covariate_associations(now, units, level=ci_level),
        trends=compute_trends(gaps, level=ci_level),
        convergence=compute_convergence(pillars, level=ci_level),
        contributions=compute_gap_contributions(scores, fw),
        weakest=weakest_indicators(scores, fw, n=3),
        targets=distance_to_targets(obs, fw),
    )
    return res


def save_tables(tables: dict[str, pd.DataFrame], out: OutputPaths, *, status: str) -> list[Path]:
    """Save named tables as CSV under ``tables/`` (atomic), each with a ``status`` column.

    A table that does not apply (None, e.g. gap draws for a framework without all three
    pillars) is skipped."""
    return [
        save_table(df, out.tables / f"{name}.csv", status=status)
        for name, df in tables.items()
        if df is not None
    ]


# =========================================================================== diagnostics
def compute_period_diagnostics(
    scores: pd.DataFrame, framework: Framework, period: str
) -> dict[str, pd.DataFrame]:
    """Composite diagnostics (coverage, correlations, Cronbach's alpha, PCA) for one period."""
    from .composite import Tree, compute_diagnostics

    s = scores[scores["period"] == period]
    wide = s.pivot_table(index="unit_code", columns="name", values="value", aggfunc="first")
    return compute_diagnostics(wide, Tree.from_imeta(framework.to_imeta()))


def typology_counts(gaps: pd.DataFrame) -> pd.DataFrame:
    """Number of communes per typology class and period."""
    out = gaps.groupby(["period", "typology"], dropna=False).size().rename("n_units").reset_index()
    out["status"] = table_status(gaps)
    return out


def compute_sensitivity(
    inputs: Inputs,
    *,
    period: str,
    n: int = 256,
    seed: int = config.DEFAULT_SEED,
    weights: str = "framework",
    spec: str = "commune",
) -> pd.DataFrame:
    """Sobol indices of the method choices (preset spec ``commune``) on the ranks and gaps of ``period``."""
    from .robustness import run_sensitivity, tidy_to_wide

    wide, imeta, goalposts = tidy_to_wide(
        inputs.observations, inputs.framework, inputs.units, period=period, weights=weights
    )
    out = run_sensitivity(wide, imeta, spec, n=n, seed=seed, goalposts=goalposts)
    out.insert(0, "period", period)
    out["status"] = inputs.status
    return out


# =========================================================================== figures and briefs
def _slug_path(out: OutputPaths, unit: str, slug: str, lang: str) -> Path:
    return out.figures / f"{unit}__{slug}_{lang}"


def _save_all(specs: dict, out: OutputPaths, unit: str, lang: str) -> dict[str, str]:
    """Draw each figure of ``specs`` (name -> callable returning a Figure), save it as
    ``figures/<unit>__<name>_<lang>.png/.svg``, close it; return ``{name: png path}``."""
    import matplotlib.pyplot as plt

    from . import plots

    made = {}
    for name, make in specs.items():
        fig = make()
        paths = plots.save_figure(fig, _slug_path(out, unit, name, lang))
        plt.close(fig)
        made[name] = str(next(p for p in paths if p.suffix == ".png"))
    return made


def save_district_figures(
    res: Results, inputs: Inputs, out: OutputPaths, *, lang: str = "vi", highlight: str = ""
) -> dict[str, str]:
    """Dumbbell, map, scatter and gap trend of the district; returns ``{name: png path}``.

    ``highlight``: comma-separated unit codes shown in bold (and kept when only the top and
    bottom units of a long list are drawn)."""

    from . import plots

    st = inputs.status
    specs = {
        "dumbbell": lambda: (
            plots.plot_gap_dumbbell(
                res.gaps, period=res.period, units=inputs.units, highlight=hl, lang=lang, status=st
            ).figure
        ),
        "map": lambda: (
            plots.plot_map(
                res.gaps, units=inputs.units, period=res.period, lang=lang, status=st
            ).figure
        ),
        "scatter": lambda: plots.figure_pillar_scatter(
            res.gaps, period=res.period, units=inputs.units, highlight=hl, lang=lang, status=st
        ),
        "gap_trend": lambda: (
            plots.plot_gap_trend(
                res.gaps,
                units=inputs.units,
                highlight=hl[0] if len(hl) == 1 else hl or None,
                lang=lang,
                status=st,
            ).figure
        ),
    }
    hl = parse_codes(highlight)
    present = res.gaps.loc[res.gaps["period"] == res.period, "unit_code"]
    if not has_coordinates(inputs.units[inputs.units["unit_code"].isin(present)]):
        del specs[
            "map"
        ]  # no coordinates, no map (a GeoJSON can be passed to plots.plot_map directly)
    return _save_all(specs, out, "district", lang)


def district_brief(
    res: Results,
    inputs: Inputs,
    figures: dict,
    *,
    lang: str = "vi",
    edition: str = "lab",
    merged: tuple[Results, Inputs] | None = None,
    sensitivity: pd.DataFrame | None = None,
) -> dict:
    """The district brief (see :mod:`analysis.briefs`), with the post-2025 section when ``merged``
    (the post-2025 results and inputs) is given."""
    from .briefs.district import build_district_brief

    return build_district_brief(
        res,
        inputs,
        lang=lang,
        edition=edition,
        figures=figures,
        post2025=merged,
        sensitivity=sensitivity,
    )


def render_district_brief(brief: dict, out: OutputPaths, *, lang: str = "vi") -> Path:
    """Render the district brief to ``briefs/district_<lang>.pdf`` (JSON saved beside it)."""
    from .briefs import render_brief

    return render_brief(brief, out.briefs / f"district_{lang}.pdf")


def commune_tables(res: Results, inputs: Inputs, unit_code: str) -> dict[str, pd.DataFrame]:
    """The rows of one commune: gaps over time, weakest indicators and targets (current period)."""
    unit_code = str(unit_code)
    if unit_code not in set(inputs.units["unit_code"]):
        from .errors import ParameterError

        raise ParameterError(
            f"unit_code={unit_code!r} is not in the units table; known codes: {sorted(inputs.units['unit_code'])}"
        )
    per = unit_period(res, unit_code)
    g = res.gaps[res.gaps["unit_code"] == unit_code]
    w = res.weakest[(res.weakest["unit_code"] == unit_code) & (res.weakest["period"] == per)]
    t = (
        res.targets[(res.targets["unit_code"] == unit_code) & (res.targets["period"] == per)]
        if len(res.targets)
        else res.targets
    )
    return {"gaps": g, "weakest": w, "targets": t}


def save_commune_figures(
    res: Results, inputs: Inputs, out: OutputPaths, unit_code: str, *, lang: str = "vi"
) -> dict[str, str]:
    """Profile, distance to targets and trend figures of one commune; returns ``{name: png path}``."""

    from . import plots

    st, code = inputs.status, str(unit_code)
    per = unit_period(res, code)
    specs = {
        "profile": lambda: (
            plots.plot_commune_profile(
                res.scores,
                code,
                period=per,
                framework=inputs.framework,
                units=inputs.units,
                lang=lang,
                status=st,
            ).figure
        ),
        "targets": lambda: (
            plots.plot_distance_to_targets(
                inputs.observations,
                code,
                period=per,
                framework=inputs.framework,
                units=inputs.units,
                lang=lang,
                status=st,
            ).figure
        ),
        "trend": lambda: plots.figure_trends(
            res.pillars, units=inputs.units, unit_codes=[code], ncols=1, lang=lang, status=st
        ),
    }
    if inputs.framework.targets().empty:
        del specs["targets"]  # the framework sets no national target
    return _save_all(specs, out, code, lang)


def commune_brief(
    res: Results,
    inputs: Inputs,
    unit_code: str,
    figures: dict,
    *,
    lang: str = "vi",
    edition: str = "lab",
) -> dict:
    """The commune brief (see :mod:`analysis.briefs`)."""
    from .briefs.commune import build_commune_brief

    return build_commune_brief(res, inputs, unit_code, lang=lang, edition=edition, figures=figures)


def render_commune_brief(
    brief: dict, out: OutputPaths, unit_code: str, *, lang: str = "vi"
) -> Path:
    """Render ``briefs/<unit>_<lang>.pdf`` (JSON saved beside it, for ``dgap brief``)."""
    from .briefs import render_brief

    return render_brief(brief, out.briefs / f"{unit_code}_{lang}.pdf")
