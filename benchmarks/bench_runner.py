"""Benchmark: the papermill batch runner (process pool, warm kernels) against plain papermill.

On one edition (argument; default: a synthetic edition of N copies of the plotting test
notebook ``tests/notebooks/plot.ipynb``, which imports pandas/matplotlib/seaborn, writes a table
and saves a figure), in the same run:

- ``baseline``: serial plain papermill, one ``papermill.execute_notebook`` per task, each with
  a fresh kernel (what a shell loop over ``papermill`` does, minus process start-up);
- ``runner_cold``: ``run_edition(cold=True)``: same fresh kernel per notebook, all workers;
- ``runner_warm``: ``run_edition()``: warm kernels (one per worker, reset between notebooks);
- ``empty_notebook``: a bare papermill run of an empty notebook (the fixed cost of a kernel).

Both runner modes include what the baseline does not: HTML copies, run.json, atomic writes.
Goal on 2 cores: warm >= 5x and cold >= 1.7x faster than the baseline.

    python -m benchmarks.bench_runner [EDITION] [--n 12] [--workers W]

Results: ``benchmarks/results/runner.json`` (synthetic edition) or ``runner_<edition>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis import __version__, config
from analysis.runner import load_edition, plan_edition, run_edition

OUT = Path(__file__).parent / "results" / "runner.json"
TEST_NOTEBOOKS = config.ROOT / "tests" / "notebooks"


def _synthetic_edition(folder: Path, n: int) -> Path:
    codes = [str(20500 + 3 * i) for i in range(n)]
    path = folder / "bench.yaml"
    path.write_text(
        "edition: bench\n"
        f"notebooks_dir: {TEST_NOTEBOOKS}\n"
        f"output_dir: {folder / 'unused'}\n"
        "notebooks:\n"
        "  - name: plot\n"
        f"    grid: {{unit_code: {json.dumps(codes)}, lang: [vi]}}\n",
        encoding="utf-8",
    )
    return path


def _empty_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    return path


def _time_papermill(
    path: Path, out: Path, parameters: dict, cwd: Path, kernel: str | None = None
) -> float:
    import papermill as pm

    t0 = time.perf_counter()
    pm.execute_notebook(
        str(path),
        str(out),
        parameters=parameters,
        progress_bar=False,
        cwd=str(cwd),
        kernel_name=kernel,
    )
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_runner", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "edition", nargs="?", default=None, help="edition YAML or name (default: synthetic)"
    )
    parser.add_argument(
        "--n", type=int, default=12, help="copies of the plotting notebook (synthetic edition)"
    )
    parser.add_argument("--workers", type=int, default=None, help="workers (default: CPU count)")
    args = parser.parse_args(argv or [])
    import logging

    logging.getLogger("papermill").setLevel(logging.WARNING)
    workers = args.workers or len(os.sched_getaffinity(0))
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="bench_runner_") as tmp:
        tmp = Path(tmp)
        ed_path = Path(args.edition) if args.edition and Path(args.edition).exists() else None
        edition = (
            load_edition(ed_path or args.edition)
            if args.edition
            else load_edition(_synthetic_edition(tmp, args.n))
        )
        tasks = plan_edition(edition, output_dir=tmp / "baseline")
        n = len(tasks)
        print(f"edition {edition.name}: {n} notebooks, {workers} workers", flush=True)

        empty = _empty_notebook(tmp)
        _time_papermill(empty, tmp / "empty_out.ipynb", {}, tmp)  # first run: imports, caches
        empty_s = statistics.median(
            _time_papermill(empty, tmp / "empty_out.ipynb", {}, tmp) for _ in range(3)
        )
        print(f"bare papermill, empty notebook: {empty_s:.2f} s", flush=True)

        (tmp / "baseline" / "nb").mkdir(parents=True)
        t0 = time.perf_counter()
        for t in tasks:
            params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in t.parameters.items()}
            _time_papermill(
                t.path, tmp / "baseline" / "nb" / f"{t.id}.ipynb", params, t.path.parent, t.kernel
            )
        baseline_s = time.perf_counter() - t0
        print(f"baseline (serial papermill): {baseline_s:.1f} s", flush=True)

        modes = {}
        for mode, cold in (("runner_cold", True), ("runner_warm", False)):
            res = run_edition(
                edition,
                workers=workers,
                cold=cold,
                force=True,
                output_dir=tmp / mode,
                progress=False,
            )
            manifest = json.loads(res.manifest_path.read_text())
            durations = [
                e["duration_s"] for e in manifest["tasks"].values() if e.get("action") == "ran"
            ]
            modes[mode] = {
                "wall_s": round(res.wall_s, 3),
                "per_notebook_s": round(res.wall_s / n, 3),
                "speedup_vs_baseline": round(baseline_s / res.wall_s, 2),
                "per_notebook_vs_empty_notebook": round(res.wall_s / n / empty_s, 2),
                "mean_task_s_in_worker": round(statistics.mean(durations), 3),
                "failed": len(res.failures),
            }
            print(
                f"{mode}: {res.wall_s:.1f} s, speed-up {baseline_s / res.wall_s:.2f}x", flush=True
            )

    result = {
        "benchmark": "runner",
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "note": "other processes on the machine share the CPUs: see load_average (ideal: < 0.5)",
        "edition": edition.name,
        "notebooks": n,
        "workers": workers,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "package_version": __version__,
        "empty_notebook_s": round(empty_s, 3),
        "baseline": {
            "what": "serial papermill.execute_notebook, fresh kernel per notebook",
            "wall_s": round(baseline_s, 3),
            "per_notebook_s": round(baseline_s / n, 3),
            "per_notebook_vs_empty_notebook": round(baseline_s / n / empty_s, 2),
        },
        **modes,
        "goals": {
            "warm_speedup_ge_5": modes["runner_warm"]["speedup_vs_baseline"] >= 5,
            "cold_speedup_ge_1.7": modes["runner_cold"]["speedup_vs_baseline"] >= 1.7,
        },
    }
    out = OUT if not args.edition else OUT.with_name(f"runner_{edition.name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
