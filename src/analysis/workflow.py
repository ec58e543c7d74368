"""The glue the notebooks share: load the inputs, compute the results once, know where outputs go.

A notebook is thin: parameters, then ``inputs = load_inputs(...)``, ``res = compute_results(inputs,
...)``, then tables, figures and briefs from ``res``. :func:`compute_results` is deterministic
for its arguments and is computed once per run (``<output_dir>/store/``, see :mod:`analysis.store`), so the
36 commune-profile notebooks of an edition reuse the district computation instead of redoing
it, whichever worker runs first; a warm kernel reuses the in-memory copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from . import config, loaders, store
from .display import show_figure, show_files, show_image, show_table, show_text  # noqa: F401  (the notebooks' outputs)
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
from .outputs import output_path
from .periods import period_to_time
from .results import Results, method_record, unit_period
from .status import table_status

_MEMO: dict[str, Results] = {}
#: Rank intervals need a cross-section; below this many units the Monte Carlo is skipped.
MIN_UNITS_FOR_RANKS = 3


@dataclass
class OutputPaths:
    """Folders of one edition: ``tables/``, ``figures/``, ``briefs/``, ``store/``.

    ``edition_root`` is the edition folder (``root``, or the parent's for a :meth:`sub` folder):
    paths shown to a reader are relative to it."""

    root: Path
    tables: Path
    figures: Path
    briefs: Path
    store: Path
    edition_root: Path | None = None

    def __post_init__(self) -> None:
        if self.edition_root is None:
            self.edition_root = self.root

    def sub(self, name: str) -> OutputPaths:
        """The same layout in a subfolder, e.g. ``post2025/`` for the merged communes, whose GSO
        codes reuse old ones (20500 was Ái Nghĩa town, is now Đại Lộc commune)."""
        out = output_paths(str(self.root / name))
        out.edition_root = self.edition_root
        return out


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
    normalise: str = "target",
    target_year: int = 2025,
    aggregate: str = "arithmetic",
    weights: str = "framework",
    impute: str = "none",
    ci_level: float = config.DEFAULT_CI_LEVEL,
    n_boot: int = config.DEFAULT_BOOTSTRAP,
    draws: int = 1000,
    seed: int = config.DEFAULT_SEED,
    store_dir: str | Path | None = None,
) -> Results:
    """Scores, gaps with intervals, district claims and tests, trends and rank uncertainty.

    Computed once per inputs, parameters and package source: a warm kernel keeps the results in
    memory, and with ``store_dir`` (the notebooks pass ``<output>/store``) every notebook of a
    run reads the one stored computation (:mod:`analysis.store`).

    Args:
        period: the cross-section shown as "current" (default: the latest period).
        normalise: the pillar scale (default ``target``: attainment of the national target,
            capped at 1; ``goalposts``, ``minmax``, ``zscore``, ``rank``, ``percentile``).
        target_year: the year of the national target with ``normalise="target"`` (2025, 2030).
        aggregate, weights, impute: method choices of the composite engine.
        ci_level: level of every interval (default 0.90), and of the simultaneous bounds.
        n_boot: bootstrap resamples for the selection intervals and district statistics.
        draws: Monte Carlo draws over method choices (rank intervals, method intervals, sign
            shares of the gaps; every period).
        seed: random seed; the same arguments give the same results.
        store_dir: folder of the results store (None: memory only).
    """
    params = dict(
        period=period,
        normalise=normalise,
        target_year=int(target_year),
        aggregate=aggregate,
        weights=weights,
        impute=impute,
        ci_level=ci_level,
        n_boot=n_boot,
        draws=draws,
        seed=seed,
    )
    loaders.check_analysable(inputs)  # a clear message for a single period, not a method's error
    key = store.results_key(inputs.digest, params)
    if key not in _MEMO:
        _MEMO[key] = store.get_or_compute(store_dir, key, lambda: _compute(inputs, **params))
    return _MEMO[key]


def _scale_label(normalise: str, target_year: int) -> str:
    """The run's scale label: ``target`` gets its year from ``target_year`` unless it names one."""
    from .composite.scales import tidy_scale_label
    from .composite.spec import parse_normalisation

    method, params = parse_normalisation(normalise, where="normalise")
    extra = {"year": int(target_year)} if method == "target" and "year" not in params else None
    return tidy_scale_label(normalise, extra)


def _monte_carlo(
    inputs: Inputs,
    gaps,
    pillars,
    *,
    current,
    label,
    aggregate,
    impute,
    weights,
    draws,
    seed,
    ci_level,
):
    """The Monte Carlo over method choices on every period with >= 3 units; the gap table with
    its method intervals and sign shares, the result, and its description."""
    from .composite.scales import ScaleMeta
    from .robustness import (
        add_method_intervals,
        describe_monte_carlo,
        gap_spec,
        no_method_intervals,
        run_uncertainty_tidy,
    )

    counts = pillars.groupby("period")["unit_code"].nunique()
    periods = sorted(counts.index[counts >= MIN_UNITS_FOR_RANKS], key=period_to_time)
    if not periods:
        why = f"fewer than {MIN_UNITS_FOR_RANKS} units in every period"
        return no_method_intervals(gaps, why), None, None
    fw = inputs.framework
    spec = gap_spec(
        ScaleMeta.from_framework(fw), normalise=label, aggregate=aggregate, impute=impute
    )
    done = []

    def by_period():  # one period's runs at a time: every period's gaps are 1.7 GiB at 10,035 units
        for p in periods:  # the same draws in every period (the seed), as one call over periods
            u = run_uncertainty_tidy(
                inputs.observations, fw, inputs.units, spec, period=[p], draws=draws, seed=seed,
                weights=weights, rank_periods=[current], keep_runs=False,
            )  # fmt: skip
            done.append(replace(u, _gap_parts=[]))  # only the statistics go on
            yield u
            del u

    gaps = add_method_intervals(gaps, by_period(), level=ci_level)
    if "gap_mean_share_positive" not in gaps.columns:
        gaps = no_method_intervals(gaps, "the framework lacks the pillars of the gaps")

    def cat(name):
        frames = [getattr(u, name) for u in done if getattr(u, name) is not None]
        return pd.concat(frames, ignore_index=True) if frames else None

    unc = replace(
        done[0], **{k: cat(k) for k in ("rank_stats", "gap_stats", "gap_rank_stats", "nominal")}
    )
    return gaps, unc, describe_monte_carlo(unc.spec, draws=draws, periods=periods)


def _current(table, current: str):
    """The rows of the current period (the shape the rank tables always had), or None."""
    if table is None or "period" not in table.columns:
        return table
    return table[table["period"].astype(str) == current].reset_index(drop=True)


def _method(
    inputs,
    scores,
    report,
    gaps,
    mc,
    *,
    label,
    current,
    aggregate,
    impute,
    weights,
    ci_level,
    n_boot,
):
    """``Results.method`` from what ran (the scale, the weights applied, the intervals, the
    Monte Carlo spec)."""
    import numpy as np

    from .composite import Tree
    from .composite.scales import ScaleMeta, ceiling_share, describe_scale
    from .composite.spec import parse_normalisation
    from .composite.weights import describe_weights

    fw = inputs.framework
    meta = ScaleMeta.from_framework(fw)
    bounded = parse_normalisation(label)[0] in ("target", "goalposts")
    now = (
        report["normalised"][report["periods"].index(current)]
        if current in report["periods"]
        else None
    )
    capped = ceiling_share(now) if bounded and now is not None else None
    # indicators with a normalised value in the period: the others have no data to score
    n_scored = None if now is None else int((~np.isnan(now)).any(axis=0).sum())
    tree = Tree.from_imeta(fw.to_imeta("framework"))
    sel = {"level": ci_level, "n_boot": n_boot, "method": gaps.attrs.get("sel_method", "expanded")}
    return method_record(
        scale=describe_scale(label, meta, capped_share=capped, n_scored=n_scored),
        weights=describe_weights(tree, report["node_weights"].to_numpy(float), weights),
        aggregation=aggregate,
        imputation=impute,
        selection_interval=sel,
        measurement_interval=(
            {"level": ci_level, "se": "observations' se column, independent errors"}
            if gaps.attrs.get("has_measurement")
            else None
        ),
        monte_carlo=mc,
        joint_level=ci_level,
        convergence={
            "sigma": "slope of the SD across communes, communes resampled",
            "beta": "instrumented by the first period's level",
            "cap_share_limit": 0.25,
        },
        relative_check="zscore",
    )


def _compute(
    inputs: Inputs,
    *,
    period: str = "",
    normalise: str = "target",
    target_year: int = 2025,
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
    from .composite.spec import is_absolute_scale, parse_normalisation
    from .gaps import (
        compute_convergence,
        compute_covariate_associations,
        compute_district_claims,
        compute_gap_contributions,
        compute_gaps,
        compute_inequality,
        compute_inequality_differences,
        compute_pillar_correlations,
        compute_trends,
        distance_to_targets,
        test_pillar_gaps,
        weakest_indicators,
    )

    params = dict(period=period, normalise=normalise, target_year=target_year, aggregate=aggregate,
                  weights=weights, impute=impute, ci_level=ci_level, n_boot=n_boot, draws=draws,
                  seed=seed)  # fmt: skip
    label = _scale_label(normalise, target_year)
    obs, fw, units = inputs.observations, inputs.framework, inputs.units
    method_kw = dict(aggregate=aggregate, weights=weights, impute=impute)
    scores, report = compute_scores(
        obs, fw, units, normalise=label, return_report=True, **method_kw
    )
    pillars = pillar_table(scores)
    current = period or max(pillars["period"].unique(), key=period_to_time)
    boot = dict(level=ci_level, n_boot=n_boot, seed=seed)
    # one way: scores -> gaps -> robustness (which adds the method intervals to the gaps)
    gaps = compute_gaps(scores, fw, **boot)
    gaps, unc, mc = _monte_carlo(inputs, gaps, pillars, current=current, label=label, draws=draws, seed=seed,
                                 ci_level=ci_level, **method_kw)  # fmt: skip
    relative = (
        pillars
        if not is_absolute_scale(label)
        else pillar_table(compute_scores(obs, fw, units, normalise="zscore", **method_kw))
    )
    bounded = parse_normalisation(label)[0] in ("target", "goalposts")
    empty = pd.DataFrame({"status": pd.Series(dtype=str)})
    tests = test_pillar_gaps(pillars, **boot)
    covariates = compute_covariate_associations(gaps, units, level=ci_level)
    claims = compute_district_claims(
        scores, fw, gaps=gaps, relative=relative, joint_level=ci_level, **boot
    )
    method = _method(inputs, scores, report, gaps, mc, label=label, current=current,
                     ci_level=ci_level, n_boot=n_boot, **method_kw)  # fmt: skip
    method["interval_notes"] = {
        name: notes
        for name, notes in (
            ("gaps", gaps.attrs.get("interval_notes", {})),
            ("district_tests", tests.attrs.get("interval_notes", {})),
            ("district_claims", claims.attrs.get("notes", {})),
            ("covariate_associations", covariates.attrs.get("notes", {})),
        )
        if notes
    }
    return Results(
        params=params
        | {
            "period": current,
            "scale": label,
            "digest": inputs.digest,
            "provenance": inputs.provenance,
        },
        scores=scores,
        pillars=pillars,
        gaps=gaps,
        period=current,
        rank_stats=_current(unc.rank_stats, current)
        if unc and unc.rank_stats is not None
        else empty,
        gap_rank_stats=_current(unc.gap_rank_stats, current) if unc is not None else None,
        gap_stats=_current(unc.gap_stats, current) if unc is not None else None,
        tests=tests,
        correlations=compute_pillar_correlations(pillars, **boot),
        inequality=compute_inequality(pillars, **boot),
        covariates=covariates,
        trends=compute_trends(gaps, level=ci_level),
        convergence=compute_convergence(
            pillars, indicator_scores=scores, framework=fw, bounded=bounded, **boot
        ),  # fmt: skip
        contributions=compute_gap_contributions(scores, fw),
        weakest=weakest_indicators(scores, fw, n=3),
        targets=distance_to_targets(obs, fw),
        claims=claims,
        inequality_differences=compute_inequality_differences(pillars, **boot),
        method=method,
    )


def save_method(res: Results, out: OutputPaths) -> Path:
    """Write ``Results.method`` (what ran) as ``tables/method.json`` beside the tables (atomic),
    so the run's outputs say which scale, intervals and Monte Carlo produced them."""
    import json

    from .outputs import write_text

    path = out.tables / "method.json"
    write_text(path, json.dumps(res.method, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return path


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
    normalise: str = "target",
    target_year: int = 2025,
    aggregate: str = "arithmetic",
    impute: str = "none",
) -> pd.DataFrame:
    """Sobol indices of the method choices on the ranks and gaps of ``period``.

    The spec is the one the Monte Carlo of :func:`compute_results` ran with the same method
    arguments (:func:`analysis.robustness.gap_spec`: the scale among the absolute scales,
    weights, aggregation, imputation, leave-one-out); its ``alternatives`` column lists what
    each choice was drawn among."""
    from .composite.scales import ScaleMeta
    from .robustness import gap_spec, run_sensitivity, tidy_to_wide

    wide, imeta, scales = tidy_to_wide(
        inputs.observations, inputs.framework, inputs.units, period=period, weights=weights
    )
    sp = gap_spec(
        ScaleMeta.from_framework(inputs.framework),
        normalise=_scale_label(normalise, target_year),
        aggregate=aggregate,
        impute=impute,
        spec=spec,
    )
    out = run_sensitivity(wide, imeta, sp, n=n, seed=seed, goalposts=scales)
    out.insert(0, "period", period)
    out["status"] = inputs.status
    return out


# =========================================================================== figures and briefs
#: the figure files written by default: the PNG the briefs embed (the notebooks' HTML shows
#: figures inline); SVG or PDF only when an edition asks (``figure_formats``)
FIGURE_FORMATS = ("png",)


def _slug_path(out: OutputPaths, unit: str, slug: str, lang: str) -> Path:
    """``figures/<unit>__<slug>_<lang>``; a code from data cannot leave the output folder."""
    return output_path(out.figures, f"{unit}__{slug}_{lang}")


def _brief_file(paths: list[Path]) -> str:
    """The file a brief embeds: the PNG, else the first format written."""
    return str(next((p for p in paths if p.suffix == ".png"), paths[0]))


def _show(fig, paths: list[Path], out: OutputPaths, lang: str) -> None:
    """Show a saved figure inline (its PNG, :func:`analysis.display.show_image`)."""
    from .display import figure_title

    png = next((p for p in paths if p.suffix == ".png"), None)
    if png is not None:
        show_image(png, alt=figure_title(fig), saved=paths, lang=lang, root=out.edition_root)


def _save_all(
    specs: dict, out: OutputPaths, unit: str, lang: str, formats, *, show: bool = False
) -> dict[str, str]:
    """Draw each figure of ``specs`` (name -> callable returning a Figure), save it as
    ``figures/<unit>__<name>_<lang>.<format>``, show it inline if ``show`` (the saved PNG),
    close it; return ``{name: path}`` (the PNG)."""
    import matplotlib.pyplot as plt

    from . import plots

    made = {}
    for name, make in specs.items():
        fig = make()
        try:
            paths = plots.save_figure(fig, _slug_path(out, unit, name, lang), formats=formats)
            if show:
                _show(fig, paths, out, lang)
        finally:
            plt.close(fig)
        made[name] = _brief_file(paths)
    return made


def save_district_figures(
    res: Results,
    inputs: Inputs,
    out: OutputPaths,
    *,
    lang: str = "vi",
    highlight: str = "",
    formats: Sequence[str] = FIGURE_FORMATS,
    show: bool = False,
) -> dict[str, str]:
    """Dumbbell, map, scatter and gap trend of the district; returns ``{name: path}``.

    ``highlight``: comma-separated unit codes shown in bold (and kept when only the top and
    bottom units of a long list are drawn). ``formats``: the files written (``png``, ``svg``,
    ``pdf``). ``show``: show each figure inline too. A figure that cannot be drawn (no
    coordinates: no map) is left out, not drawn empty, so a brief omits its panel."""

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
        del specs["map"]  # no coordinates, no map (a GeoJSON can be passed to plots.plot_map)
    return _save_all(specs, out, "district", lang, formats, show=show)


def district_brief(
    res: Results,
    inputs: Inputs,
    figures: dict,
    *,
    lang: str = "vi",
    edition: str = "lab",
    merged: tuple[Results, Inputs] | None = None,
    sensitivity: pd.DataFrame | None = None,
    highlight: str = "",
) -> dict:
    """The district brief (see :mod:`analysis.briefs`), with the post-2025 section when ``merged``
    (the post-2025 results and inputs) is given; ``highlight`` (``"VNM,THA"``) lists units that
    a long ranking keeps beside its top and bottom."""
    from .briefs.district import build_district_brief

    return build_district_brief(
        res,
        inputs,
        lang=lang,
        edition=edition,
        figures=figures,
        post2025=merged,
        sensitivity=sensitivity,
        highlight=highlight,
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


def _commune_parts(res: Results, inputs: Inputs, lang: str, period: str) -> dict:
    """The commune figure kinds (name -> parts for :class:`analysis.plots.UnitFigures`): indicator
    profile, distance to targets (when the framework sets national targets) and trend."""
    from . import plots

    common = dict(units=inputs.units, lang=lang, status=inputs.status)
    kinds = {
        "profile": lambda: plots.profile_parts(
            res.scores, period=period, framework=inputs.framework, **common
        ),
        "targets": lambda: plots.targets_parts(
            inputs.observations, period=period, framework=inputs.framework, **common
        ),
        "trend": lambda: plots.trend_parts(res.pillars, **common),
    }
    if inputs.framework.targets().empty:
        del kinds["targets"]  # the framework sets no national target
    return kinds


def save_commune_figures(
    res: Results,
    inputs: Inputs,
    out: OutputPaths,
    unit_code: str,
    *,
    lang: str = "vi",
    formats: Sequence[str] = FIGURE_FORMATS,
    show: bool = False,
) -> dict[str, str]:
    """Profile, distance to targets and trend figures of one commune; returns ``{name: path}``
    (the PNG). ``show``: show each figure inline too. For many communes,
    :func:`save_all_commune_figures` is several times faster."""
    import matplotlib.pyplot as plt

    from . import plots

    code = str(unit_code)
    made = {}
    for name, make in _commune_parts(res, inputs, lang, unit_period(res, code)).items():
        parts = make()
        if code not in parts.codes:
            from .errors import ParameterError

            raise ParameterError(f"unit_code={code!r} has no {name} data in period {res.period}")
        ax = parts.static()
        try:
            parts.unit(ax, code)
            paths = plots.save_figure(ax.figure, _slug_path(out, code, name, lang), formats=formats)
            if show:
                _show(ax.figure, paths, out, lang)
        finally:
            plt.close(ax.figure)
        made[name] = _brief_file(paths)
    return made


def save_all_commune_figures(
    res: Results,
    inputs: Inputs,
    out: OutputPaths,
    unit_codes: Sequence[str] | None = None,
    *,
    langs: Sequence[str] = ("vi", "en"),
    formats: Sequence[str] = FIGURE_FORMATS,
) -> dict[str, dict[str, dict[str, str]]]:
    """The figure set of many communes (default: every unit of ``inputs``), in each language:
    the files :func:`save_commune_figures` writes, byte for byte, drawn from one template per
    figure kind, language and period (:class:`analysis.plots.UnitFigures`: the shared axes,
    labels and legend are drawn once, each commune redraws only its own marks).

    Returns:
        ``{unit_code: {lang: {name: path}}}`` (the PNG paths, for the briefs).
    """
    from . import plots

    codes = [str(c) for c in (inputs.units["unit_code"] if unit_codes is None else unit_codes)]
    periods = {code: unit_period(res, code) for code in codes}
    made: dict[str, dict[str, dict[str, str]]] = {code: {} for code in codes}
    for lang in langs:
        for period in sorted(set(periods.values())):
            group = [c for c in codes if periods[c] == period]
            for name, make in _commune_parts(res, inputs, lang, period).items():
                with plots.UnitFigures(make()) as figs:
                    for code in group:
                        paths = figs.save(code, _slug_path(out, code, name, lang), formats=formats)
                        made[code].setdefault(lang, {})[name] = _brief_file(paths)
    return made


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

    return render_brief(brief, output_path(out.briefs, f"{unit_code}_{lang}.pdf"))
