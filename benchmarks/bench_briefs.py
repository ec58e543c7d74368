"""Benchmark: render every brief of an edition (18 communes x 2 languages + the district x 2).

Inputs are the real pipeline on the demo panel (``data/demo/observations.csv``: scores, gaps with
bootstrap intervals, district tests, rank intervals from the Monte Carlo uncertainty analysis) and
figures from :mod:`analysis.plots` (trend per commune, dumbbell and map for the district); a seeded
stand-in is used if the demo panel is missing. Compares, in the same run:

- ``warm``: :func:`analysis.briefs.render_brief` (one warm Typst compiler, fonts loaded once;
  includes figure staging, the atomic PDF write and the JSON beside it);
- ``cold`` (baseline): a fresh ``typst.compile()`` per brief (fonts loaded every time), same
  template, root and inputs; the PDFs must be byte-identical to the warm ones;
- ``dgap brief``: re-rendering one brief from its saved JSON, in-process and as a new process.

Goal: under 0.1 s per brief on average; ``dgap brief`` well under a second.

    python -m benchmarks.bench_briefs
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import briefs, config
from analysis.frameworks import load_framework
from analysis.outputs import write_bytes
from analysis.periods import period_to_time
from analysis.units import load_units

OUT = Path(__file__).parent / "results" / "briefs.json"


def _pipeline_tables() -> dict:
    """Tables of one edition from the real pipeline on the demo panel."""
    from analysis import gaps as G
    from analysis.composite.pipeline import compute_scores, pillar_table
    from analysis.loaders import load_observations
    from analysis.robustness import run_uncertainty_tidy

    obs = load_observations(config.DEMO_OBSERVATIONS)
    units, fw = load_units(), load_framework()
    scores = compute_scores(obs, fw, units)
    gp = G.compute_gaps(scores, fw, n_boot=1000)
    period = max(gp["period"].unique(), key=period_to_time)
    unc = run_uncertainty_tidy(obs, fw, units, period=period, draws=500)
    return {
        "source": "demo panel through the pipeline",
        "period": period,
        "obs": obs,
        "units": units,
        "framework": fw,
        "scores": scores,
        "pillars": pillar_table(scores),
        "gaps": gp,
        "tests": G.test_pillar_gaps(gp, n_boot=1000),
        "correlations": G.compute_pillar_correlations(gp, n_boot=1000),
        "weakest": G.weakest_indicators(scores, fw),
        "rank_stats": unc.rank_stats,
    }


def _seeded_tables(seed: int = config.DEFAULT_SEED) -> dict:
    """Stand-in tables (contracts of HELPERS.md) when the demo panel is absent."""
    rng = np.random.default_rng(seed)
    units, fw = load_units(), load_framework()
    codes = units["unit_code"].tolist()
    n = len(codes)
    g, e, s = rng.uniform(0.55, 0.9, n), rng.uniform(0.2, 0.6, n), rng.uniform(0.3, 0.7, n)
    gp = pd.DataFrame(
        {
            "unit_code": codes,
            "period": "2025H1",
            "government": g,
            "economy": e,
            "society": s,
            "gap_econ": g - e,
            "gap_econ_lo": g - e - 0.1,
            "gap_econ_hi": g - e + 0.1,
            "gap_soc": g - s,
            "gap_soc_lo": g - s - 0.1,
            "gap_soc_hi": g - s + 0.1,
            "typology": "government_led",
            "status": "synthetic",
        }
    )
    pillars = gp[["unit_code", "period", "government", "economy", "society", "status"]].assign(
        index=(g + e + s) / 3
    )
    nominal = pillars["index"].rank(ascending=False).astype(int)
    rank_stats = pd.DataFrame(
        {
            "unit_code": codes,
            "nominal": nominal,
            "q05": np.maximum(1, nominal - 2),
            "q95": np.minimum(n, nominal + 2),
            "mean_abs_shift": 1.0,
        }
    )
    return {
        "source": "seeded stand-in",
        "period": "2025H1",
        "obs": None,
        "units": units,
        "framework": fw,
        "scores": None,
        "pillars": pillars,
        "gaps": gp,
        "tests": None,
        "correlations": None,
        "weakest": None,
        "rank_stats": rank_stats,
    }


def _figures(T: dict, folder: Path) -> dict:
    """PNG figures from analysis.plots (trend per commune; dumbbell and map for the district)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis import plots

    plots.set_style()
    folder.mkdir(parents=True, exist_ok=True)
    out: dict = {}
    gp, units, pt = T["gaps"], T["units"], T["pillars"]
    for code in units["unit_code"]:
        fig = plots.figure_trends(pt, units=units, unit_codes=[code], ncols=1, lang="vi")
        fig.set_size_inches(7, 3.4)
        out[code] = plots.save_figure(fig, folder / f"{code}__trend", formats=("png",), dpi=150)[0]
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 5))
    plots.plot_gap_dumbbell(gp, period=T["period"], units=units, ax=ax, lang="vi")
    out["dumbbell"] = plots.save_figure(
        fig, folder / "district__dumbbell", formats=("png",), dpi=150
    )[0]
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    plots.plot_map(gp, units=units, period=T["period"], ax=ax, lang="vi")
    out["map"] = plots.save_figure(fig, folder / "district__map", formats=("png",), dpi=150)[0]
    plt.close(fig)
    return out


def _build_all(T: dict, figs: dict, edition: str) -> list[dict]:
    out = []
    for lang in briefs.LANGS:
        for code in T["units"]["unit_code"]:
            out.append(
                briefs.build_commune_brief(
                    T["gaps"],
                    code,
                    lang=lang,
                    period=T["period"],
                    edition=edition,
                    pillars=T["pillars"],
                    rank_stats=T["rank_stats"],
                    framework=T["framework"],
                    units=T["units"],
                    indicators=T["obs"],
                    scores=T["scores"],
                    weakest=T["weakest"],
                    figures={"trend": figs.get(code)} if code in figs else None,
                )
            )
        out.append(
            briefs.build_district_brief(
                T["gaps"],
                lang=lang,
                period=T["period"],
                edition=edition,
                pillars=T["pillars"],
                rank_stats=T["rank_stats"],
                framework=T["framework"],
                units=T["units"],
                tests=T["tests"],
                correlations=T["correlations"],
                figures={k: figs[k] for k in ("dumbbell", "map") if k in figs},
            )
        )
    return out


def main() -> dict:
    have_demo = config.DEMO_OBSERVATIONS.exists()
    t0 = time.perf_counter()
    T = _pipeline_tables() if have_demo else _seeded_tables()
    setup_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="bench-briefs-") as tmp:
        reports = Path(tmp) / "reports"
        edition = "bench"
        figs = _figures(T, reports / edition / "figures")
        t0 = time.perf_counter()
        all_briefs = _build_all(T, figs, edition)
        build_s = (time.perf_counter() - t0) / len(all_briefs)
        out_dir = reports / edition / "briefs"
        paths = [out_dir / f"{b['meta']['unit_code']}_{b['meta']['lang']}.pdf" for b in all_briefs]

        # warm: first pass includes creating the compiler (fonts) once; report all passes
        warm_passes, warm_cpu = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            for b, p in zip(all_briefs, paths, strict=True):
                briefs.render_brief(b, p)
            warm_passes.append((time.perf_counter() - t0) / len(all_briefs))
            warm_cpu.append((time.process_time() - c0) / len(all_briefs))
        warm_bytes = [p.read_bytes() for p in paths]

        # cold baseline: a fresh typst.compile per brief, same template/root/inputs
        import typst

        cold_times, cold_cpu, identical = [], [], True
        for b, p, wb in zip(all_briefs, paths, warm_bytes, strict=True):
            tpl = (config.TEMPLATES / f"{b['meta']['kind']}.typ").resolve()
            r = briefs._renderer(tpl)
            staged = {
                k: r.stage_figure(Path(v))
                for k, v in b["figures"].items()
                if v and Path(v).is_file()
            }
            d = (
                pd.Timestamp(b["meta"]["date"])
                .to_pydatetime()
                .replace(tzinfo=__import__("datetime").UTC)
            )
            t0, c0 = time.perf_counter(), time.process_time()
            pdf = typst.compile(
                str(r.root / tpl.name),
                root=str(r.root),
                font_paths=[str(briefs._font_dir())],
                ignore_system_fonts=True,
                sys_inputs={
                    "brief": briefs._brief_json(b),
                    "figures": json.dumps(staged, sort_keys=True),
                },
                timestamp=d,
            )
            write_bytes(p.with_suffix(".cold.pdf"), pdf)
            cold_times.append(time.perf_counter() - t0)
            cold_cpu.append(time.process_time() - c0)
            identical &= pdf == wb

        # dgap brief: in-process and as a new process
        code = str(T["units"]["unit_code"].iloc[0])
        t0 = time.perf_counter()
        briefs.render_saved_brief(code, "vi", edition=edition, reports_dir=reports)
        rerender_inproc = time.perf_counter() - t0
        (reports / "templates").symlink_to(config.TEMPLATES.resolve(), target_is_directory=True)
        env = dict(os.environ, DGAP_ROOT=str(Path(tmp)))
        cli_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "analysis.cli",
                    "brief",
                    "--unit",
                    code,
                    "--lang",
                    "vi",
                    "--edition",
                    edition,
                ],
                check=True,
                env=env,
                capture_output=True,
                cwd=tmp,
            )
            cli_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import analysis.cli"], check=True, env=env, capture_output=True
        )
        python_import_s = time.perf_counter() - t0
        pages = {
            k: len(__import__("pypdf").PdfReader(out_dir / f"{c}_vi.pdf").pages)
            for k, c in (("commune", code), ("district", all_briefs[18]["meta"]["unit_code"]))
        }

    warm = statistics.median(warm_passes[1:])
    cold = statistics.mean(cold_times)
    result = {
        "inputs": T["source"],
        "period": T["period"],
        "n_briefs": len(all_briefs),
        "pages": pages,
        "setup_pipeline_s": round(setup_s, 3),
        "build_s_per_brief": round(build_s, 5),
        "warm_s_per_brief_first_pass": round(warm_passes[0], 5),
        "warm_s_per_brief": round(warm, 5),
        "cold_baseline_s_per_brief": round(cold, 5),
        "speedup_warm_vs_cold": round(cold / warm, 2),
        "warm_cpu_s_per_brief": round(statistics.median(warm_cpu[1:]), 5),
        "cold_baseline_cpu_s_per_brief": round(statistics.mean(cold_cpu), 5),
        "speedup_cpu_warm_vs_cold": round(
            statistics.mean(cold_cpu) / statistics.median(warm_cpu[1:]), 2
        ),
        "pdf_identical_warm_vs_cold": bool(identical),
        "goal_s_per_brief": 0.1,
        "meets_goal": bool(warm_passes[0] < 0.1 and warm < 0.1),
        "rerender_inprocess_s": round(rerender_inproc, 4),
        "dgap_brief_cli_s_median": round(statistics.median(cli_times), 3),
        "python_import_cli_s": round(python_import_s, 3),
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "note": "wall times are sensitive to other processes on the machine; cpu times (all threads) are steadier",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(OUT, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
