"""Benchmark: figures, per kind and per commune, fresh and drawn from a template.

Inputs are the :class:`~analysis.results.Results` of the real pipeline on the demo panel (18
communes of Đại Lộc, 7 half-years). Measured in the same run:

- ``kinds``: each figure kind for one unit, drawn fresh (new figure, layout, every artist) and
  saved as PNG (300 dpi) and as SVG, separately: draw, PNG and SVG seconds (median of 3);
- ``commune_set``: the three figures of a commune (indicator profile, distance to targets,
  trend) in one language, for all 18 communes:
  * ``fresh_png_svg``: the former way, a fresh figure per kind saved as PNG and SVG;
  * ``fresh_png`` (baseline): a fresh figure per kind, PNG only
    (:func:`analysis.workflow.save_commune_figures`);
  * ``reused_png``: :func:`analysis.workflow.save_all_commune_figures`, one template per kind
    and language (:class:`analysis.plots.UnitFigures`), the template's first draw included;
  the best of 2 interleaved rounds after a warm-up, and checks that ``reused_png`` wrote the
  same bytes as ``fresh_png``.

Goal: a commune's three figures in one language well under 0.15 s (``reused_png``).

    python -m benchmarks.bench_figures
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis import plots, workflow  # noqa: E402
from analysis.outputs import write_bytes  # noqa: E402

OUT = Path(__file__).parent / "results" / "figures.json"
GOAL_S = 0.15
REPEAT = 3
ROUNDS = 2


def _run() -> tuple:
    inputs = workflow.load_inputs()
    return workflow.compute_results(inputs, n_boot=500, draws=200), inputs


def _kinds(res, inputs, code: str, lang: str) -> dict:
    """Each figure kind of one unit (commune kinds) or of the district, as a fresh figure."""
    st, units, fw, per = inputs.status, inputs.units, inputs.framework, res.period
    return {
        "profile": lambda: plots.plot_commune_profile(res.scores, code, period=per, framework=fw, units=units, lang=lang, status=st).figure,
        "targets": lambda: plots.plot_distance_to_targets(inputs.observations, code, period=per, framework=fw, units=units, lang=lang, status=st).figure,
        "trend": lambda: plots.plot_pillar_trend(res.pillars, code, units=units, lang=lang, status=st).figure,
        "dumbbell": lambda: plots.plot_gap_dumbbell(res.gaps, period=per, units=units, lang=lang, status=st).figure,
        "scatter": lambda: plots.figure_pillar_scatter(res.gaps, period=per, units=units, lang=lang, status=st),
        "map": lambda: plots.plot_map(res.gaps, units=units, period=per, lang=lang, status=st).figure,
        "gap_trend": lambda: plots.plot_gap_trend(res.gaps, units=units, highlight=code, lang=lang, status=st).figure,
        "heatmap": lambda: plots.plot_pillar_heatmap(res.scores, period=per, gaps=res.gaps, framework=fw, units=units, lang=lang, status=st).figure,
        "pillar_trends": lambda: plots.figure_trends(res.pillars, units=units, lang=lang, status=st),
        "rank_uncertainty": lambda: plots.plot_rank_uncertainty(res.rank_stats, units=units, lang=lang, status=st).figure,
        "distributions": lambda: plots.figure_indicator_distributions(inputs.observations, framework=fw, lang=lang, status=st),
    }  # fmt: skip


def _time_kind(make, folder: Path) -> dict:
    """Median seconds of a fresh draw, its PNG and its SVG (each format saved on its own)."""
    draw, png, svg = [], [], []
    for k in range(REPEAT):
        for fmt, bucket in (("png", png), ("svg", svg)):
            t0 = time.perf_counter()
            fig = make()
            t1 = time.perf_counter()
            plots.save_figure(fig, folder / f"k{k}", formats=(fmt,))
            t2 = time.perf_counter()
            plt.close(fig)
            draw.append(t1 - t0)
            bucket.append(t2 - t1)
    return {
        "draw_s": round(statistics.median(draw), 4),
        "png_s": round(statistics.median(png), 4),
        "svg_s": round(statistics.median(svg), 4),
    }


def _commune_sets(res, inputs, codes: list[str], folder: Path) -> dict:
    """Seconds per commune (three figures, one language) by each way (the best of
    :data:`ROUNDS` interleaved rounds, after a warm-up), and the byte check."""
    modes = ("fresh_png_svg", "fresh_png", "reused_png")
    workflow.save_commune_figures(
        res, inputs, workflow.output_paths(str(folder / "warm")), codes[0]
    )
    timings: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
    for k in range(ROUNDS):
        for mode in modes:
            paths = workflow.output_paths(str(folder / f"{mode}{k}"))
            t0, c0 = time.perf_counter(), time.process_time()
            if mode == "reused_png":
                workflow.save_all_commune_figures(res, inputs, paths, codes, langs=("vi",))
            else:
                formats = ("png", "svg") if mode == "fresh_png_svg" else ("png",)
                for code in codes:
                    workflow.save_commune_figures(
                        res, inputs, paths, code, lang="vi", formats=formats
                    )
            timings[mode].append((time.perf_counter() - t0, time.process_time() - c0))
    best = {m: (min(t[0] for t in ts), min(t[1] for t in ts)) for m, ts in timings.items()}
    out: dict = {
        m: {
            "s_per_commune": round(w / len(codes), 4),
            "cpu_s_per_commune": round(c / len(codes), 4),
        }
        for m, (w, c) in best.items()
    }
    fresh = sorted((folder / "fresh_png0" / "figures").glob("*.png"))
    reused = folder / "reused_png0" / "figures"
    out["identical_bytes"] = all(p.read_bytes() == (reused / p.name).read_bytes() for p in fresh)
    out["n_files_compared"] = len(fresh)
    base, new = best["fresh_png"], best["reused_png"]
    out["speedup_reused_vs_fresh_png"] = round(base[0] / new[0], 2)
    out["speedup_cpu_reused_vs_fresh_png"] = round(base[1] / new[1], 2)
    out["speedup_reused_vs_fresh_png_svg"] = round(best["fresh_png_svg"][0] / new[0], 2)
    return out


def main() -> dict:
    plots.set_style()
    t0 = time.perf_counter()
    res, inputs = _run()
    setup_s = time.perf_counter() - t0
    codes = [str(c) for c in inputs.units["unit_code"]]
    with tempfile.TemporaryDirectory(prefix="bench-figures-") as tmp:
        kinds = {
            name: _time_kind(make, Path(tmp) / "kinds" / name)
            for name, make in _kinds(res, inputs, "20527", "vi").items()
        }
        sets = _commune_sets(res, inputs, codes, Path(tmp) / "sets")
    reused = sets["reused_png"]["s_per_commune"]
    result = {
        "inputs": "demo panel through the pipeline (18 communes, 7 half-years)",
        "period": res.period,
        "dpi": 300,
        "setup_pipeline_s": round(setup_s, 3),
        "kinds_one_unit_fresh": kinds,
        "commune_set_one_language": sets,
        "goal_s_per_commune": GOAL_S,
        "meets_goal": bool(reused < GOAL_S),
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "note": "wall times are sensitive to other processes on the machine; cpu times are "
        "steadier. Each file is written atomically (fsync), included in the times.",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(OUT, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
