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


# =========================================================================== narrative (generated from the numbers)
def _fmt(x, lang: str, digits: int = 2) -> str:
    from .i18n import format_number

    return format_number(x, lang, digits)


def _fmt_p(p, lang: str) -> str:
    """A p-value as read in a report: ``< 0,0001`` rather than ``0,0000``.

    >>> _fmt_p(3e-6, "vi"), _fmt_p(0.0123, "en")
    ('< 0,0001', '0.0123')
    """
    return f"< {_fmt(1e-4, lang, 4)}" if p < 1e-4 else _fmt(p, lang, 4)


def _ival(lo, hi, lang: str, digits: int = 2) -> str:
    from .i18n import format_interval

    return format_interval(lo, hi, lang, digits)


def describe_status(inputs: Inputs, lang: str = "vi") -> str:
    """One paragraph on where the data come from and whether they are synthetic."""
    n_obs, n_units = len(inputs.observations), inputs.observations["unit_code"].nunique()
    periods = sorted(inputs.observations["period"].unique())
    span = f"{periods[0]}–{periods[-1]}" if periods else "–"
    if lang == "vi":
        head = f"**Dữ liệu:** {_fmt(n_obs, lang, 0)} quan sát, {n_units} đơn vị, {len(periods)} kỳ ({span}); nguồn `{Path(inputs.paths['observations']).name}`."
        warn = (
            "\n\n> **DỮ LIỆU MINH HỌA** — bộ số liệu tổng hợp (synthetic), không phải số liệu chính thức; kết quả dưới đây chỉ minh họa phương pháp, không phải phát hiện."
            if inputs.is_synthetic
            else ""
        )
    else:
        head = f"**Data:** {_fmt(n_obs, lang, 0)} observations, {n_units} units, {len(periods)} periods ({span}); source `{Path(inputs.paths['observations']).name}`."
        warn = (
            "\n\n> **ILLUSTRATIVE DATA** — a synthetic panel, not official statistics; the results below illustrate the method and are not findings."
            if inputs.is_synthetic
            else ""
        )
    return head + warn


def describe_coverage(coverage: pd.DataFrame, lang: str = "vi") -> str:
    """Coverage summary from a :func:`analysis.schema.compute_coverage` table (by indicator)."""
    total = 100 * coverage["n_present"].sum() / coverage["n_expected"].sum()
    by_ind = coverage.groupby("indicator")[["n_present", "n_expected"]].sum()
    share = (100 * by_ind["n_present"] / by_ind["n_expected"]).sort_values()
    low = share.index[0]
    if lang == "vi":
        return f"Độ bao phủ chung {_fmt(total, lang, 1)}%. Chỉ số thiếu nhiều nhất: `{low}` ({_fmt(share.iloc[0], lang, 1)}%). Giá trị thiếu không được điền (phương pháp mặc định), chỉ báo cáo."
    return f"Overall coverage {_fmt(total, lang, 1)}%. Least covered indicator: `{low}` ({_fmt(share.iloc[0], lang, 1)}%). Missing values are not imputed by default, only reported."


def describe_pillars(res: Results, lang: str = "vi") -> str:
    """District medians of the three pillars in the current period."""
    now = res.pillars[res.pillars["period"] == res.period]
    from .i18n import t

    parts = ", ".join(
        f"{t(f'pillar.{p}', lang).lower()} {_fmt(now[p].median(), lang)}"
        for p in config.PILLARS
        if p in now and now[p].notna().any()
    )
    if lang == "vi":
        return f"Kỳ {res.period}, trung vị của {len(now)} đơn vị: {parts} (thang 0–1)."
    return f"Period {res.period}, medians over {len(now)} units: {parts} (0–1 scale)."


def compute_period_diagnostics(
    scores: pd.DataFrame, framework: Framework, period: str
) -> dict[str, pd.DataFrame]:
    """Composite diagnostics (coverage, correlations, Cronbach's alpha, PCA) for one period."""
    from .composite import Tree, compute_diagnostics

    s = scores[scores["period"] == period]
    wide = s.pivot_table(index="unit_code", columns="name", values="value", aggfunc="first")
    return compute_diagnostics(wide, Tree.from_imeta(framework.to_imeta()))


def describe_diagnostics(diag: dict[str, pd.DataFrame], lang: str = "vi") -> str:
    """Cronbach's alpha per pillar, in words."""
    cr = diag["cronbach"]
    cr = cr[cr["group"].isin(config.PILLARS)]
    parts = ", ".join(
        f"{g} α = {_fmt(a, lang)}" for g, a in zip(cr["group"], cr["alpha"], strict=True)
    )
    if lang == "vi":
        return f"Độ nhất quán nội tại (Cronbach's alpha) theo trụ cột: {parts}. α dưới 0,7 cho thấy các chỉ số trong trụ cột đo những khía cạnh khác nhau."
    return f"Internal consistency (Cronbach's alpha) per pillar: {parts}. An α below 0.7 means the pillar's indicators measure different aspects."


def typology_counts(gaps: pd.DataFrame) -> pd.DataFrame:
    """Number of communes per typology class and period."""
    out = gaps.groupby(["period", "typology"], dropna=False).size().rename("n_units").reset_index()
    out["status"] = table_status(gaps)
    return out


def describe_gaps(res: Results, lang: str = "vi") -> str:
    """The district answer: median gap with its interval, the paired tests and the typology."""
    now = res.gaps[res.gaps["period"] == res.period]
    tests = res.tests[res.tests["period"] == res.period].set_index("comparison")
    n = len(now)
    n_lead = int((now["gap_mean_lo"] > 0).sum())
    lines = []
    for key in ("economy", "society"):
        hits = [c for c in tests.index if key in str(c)]
        if not hits or pd.isna(tests.loc[hits[0], "share_greater"]):
            continue
        row = tests.loc[hits[0]]
        sh, lo, hi, p = (
            row["share_greater"],
            row["share_greater_lo"],
            row["share_greater_hi"],
            row["p_value"],
        )
        if lang == "vi":
            name = {"economy": "kinh tế số", "society": "xã hội số"}[key]
            lines.append(
                f"- Chính quyền số cao hơn {name} ở {_fmt(100 * sh, lang, 0)}% số xã (KTC {int(res.params['ci_level'] * 100)}%: {_ival(100 * lo, 100 * hi, lang, 0)}%); kiểm định Wilcoxon p {'' if p < 1e-4 else '= '}{_fmt_p(p, lang)}, hệ số rank-biserial {_fmt(row['rank_biserial'], lang)} ({_ival(row['rank_biserial_lo'], row['rank_biserial_hi'], lang)})."
            )
        else:
            name = {"economy": "the digital economy", "society": "the digital society"}[key]
            lines.append(
                f"- Digital government exceeds {name} in {_fmt(100 * sh, lang, 0)}% of communes ({int(res.params['ci_level'] * 100)}% CI: {_ival(100 * lo, 100 * hi, lang, 0)}%); Wilcoxon p {'' if p < 1e-4 else '= '}{_fmt_p(p, lang)}, rank-biserial {_fmt(row['rank_biserial'], lang)} ({_ival(row['rank_biserial_lo'], row['rank_biserial_hi'], lang)})."
            )
    med = now["gap_mean"].median()
    others = [p for p in ("economy", "society") if now[p].notna().any()]
    vi_names = {"economy": "kinh tế số", "society": "xã hội số"}
    en_names = {"economy": "the digital economy", "society": "the digital society"}
    vs_vi = (
        " và ".join(vi_names[p] for p in others)
        if len(others) == 1
        else "trung bình kinh tế số, xã hội số"
    )
    vs_en = en_names[others[0]] if len(others) == 1 else "the mean of economy and society"
    has_ci = now["gap_mean_lo"].notna().any()
    if lang == "vi":
        head = f"Kỳ {res.period}: khoảng cách trung vị giữa chính quyền số và {vs_vi} là {_fmt(med, lang)} điểm ({n} đơn vị); "
        head += (
            f"ở {n_lead}/{n} đơn vị khoảng tin cậy của khoảng cách nằm hoàn toàn trên 0."
            if has_ci
            else "chỉ có ước lượng điểm (một trụ cột có dưới 2 chỉ số nên không có khoảng tin cậy bootstrap)."
        )
    else:
        head = f"Period {res.period}: the median gap between digital government and {vs_en} is {_fmt(med, lang)} points ({n} units); "
        head += (
            f"in {n_lead} of {n} units the gap's interval lies entirely above 0."
            if has_ci
            else "point gaps only (a pillar has fewer than 2 indicators, so there is no bootstrap interval)."
        )
    warn = ""
    if table_status(res.gaps) == "synthetic":
        warn = (
            "\n\n*Dữ liệu minh họa: không phải phát hiện.*"
            if lang == "vi"
            else "\n\n*Illustrative data: not a finding.*"
        )
    return head + "\n\n" + "\n".join(lines) + warn


def describe_robustness(res: Results, sensitivity: pd.DataFrame, lang: str = "vi") -> str:
    """Width of the rank intervals and the method choice that matters most."""
    rs = res.rank_stats
    width = (rs["q95"] - rs["q05"]).median()
    s = sensitivity[sensitivity["target"] == "mean_abs_rank_shift"].sort_values(
        "STi", ascending=False
    )
    top = s.iloc[0] if len(s) else None
    if lang == "vi":
        txt = f"Khoảng xếp hạng 5–95% có độ rộng trung vị {_fmt(width, lang, 1)} bậc trên {len(rs)} xã."
        if top is not None:
            txt += f" Lựa chọn ảnh hưởng nhiều nhất đến thứ hạng: `{top['choice']}` (chỉ số tổng STi = {_fmt(top['STi'], lang)})."
    else:
        txt = f"The 5–95% rank intervals have a median width of {_fmt(width, lang, 1)} places over {len(rs)} communes."
        if top is not None:
            txt += f" The choice that moves ranks most: `{top['choice']}` (total index STi = {_fmt(top['STi'], lang)})."
    return txt


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


# =========================================================================== mergers
def describe_merger(merged: Inputs, table: pd.DataFrame, lang: str = "vi") -> str:
    """How many old communes went into how many new ones."""
    n_new, n_old = (
        merged.units["unit_code"].nunique(),
        table["old_code"].nunique() if "old_code" in table else len(table),
    )
    if lang == "vi":
        return f"{n_old} xã, thị trấn cũ được sắp xếp thành {n_new} xã mới (Nghị quyết 1659/NQ-UBTVQH15). Chỉ số tỷ lệ được tính lại theo trọng số dân số hoặc số hộ năm 2019, chỉ số đếm được cộng dồn; điểm tổng hợp được tính lại từ các chỉ số đã gộp."
    return f"{n_old} former communes became {n_new} new communes (Resolution 1659/NQ-UBTVQH15). Rates are re-aggregated with 2019 population or household weights, counts are summed, and composite scores are recomputed from the re-aggregated indicators."


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
    merged=None,
    sensitivity=None,
) -> dict:
    """The district brief (see :mod:`analysis.briefs`), with the post-2025 section when ``merged`` is given."""
    from .briefs import build_district_brief

    kw = {}
    if merged is not None:
        res_new, inputs_new = merged
        kw = dict(
            post2025_gaps=res_new.gaps,
            post2025_pillars=res_new.pillars,
            post2025_rank_stats=res_new.rank_stats,
            post2025_units=inputs_new.units,
        )
    return build_district_brief(
        res.gaps,
        lang=lang,
        period=res.period,
        edition=edition,
        pillars=res.pillars,
        rank_stats=res.rank_stats,
        framework=inputs.framework,
        units=inputs.units,
        tests=res.tests,
        correlations=res.correlations,
        sensitivity=sensitivity,
        figures=figures,
        ci_level=res.params["ci_level"],
        data_status=inputs.status,
        **kw,
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


def describe_commune(res: Results, inputs: Inputs, unit_code: str, lang: str = "vi") -> str:
    """Key message of one commune (the same sentences as its brief)."""
    from .briefs import build_commune_brief

    b = build_commune_brief(
        res.gaps,
        str(unit_code),
        lang=lang,
        period=unit_period(res, unit_code),
        pillars=res.pillars,
        rank_stats=res.rank_stats,
        framework=inputs.framework,
        units=inputs.units,
        indicators=inputs.observations,
        weakest=res.weakest,
        ci_level=res.params["ci_level"],
        data_status=inputs.status,
    )
    msg = b.get("key_message")
    return " ".join(msg) if isinstance(msg, list) else str(msg)


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
    from .briefs import build_commune_brief

    return build_commune_brief(
        res.gaps,
        str(unit_code),
        lang=lang,
        period=unit_period(res, unit_code),
        edition=edition,
        pillars=res.pillars,
        rank_stats=res.rank_stats,
        framework=inputs.framework,
        units=inputs.units,
        indicators=inputs.observations,
        scores=res.scores,
        weakest=res.weakest,
        figures=figures,
        ci_level=res.params["ci_level"],
        data_status=inputs.status,
    )


def render_commune_brief(
    brief: dict, out: OutputPaths, unit_code: str, *, lang: str = "vi"
) -> Path:
    """Render ``briefs/<unit>_<lang>.pdf`` (JSON saved beside it, for ``dgap brief``)."""
    from .briefs import render_brief

    return render_brief(brief, out.briefs / f"{unit_code}_{lang}.pdf")
