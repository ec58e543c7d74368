"""Benchmark: honest timings at every scale, as a user's commands get them (issue #20).

Every step runs the user's command in a fresh process (``dgap report ...`` or a short Python
script), in one run on this machine, and records wall time, the load average before and after,
and memory:

- ``dai_loc_first``: the default edition into an empty folder (empty results store), what
  ``make report`` does after ``make setup`` on a fresh clone;
- ``dai_loc_force``: the same, ``--force`` (every task reruns, the store is emptied);
- ``dai_loc_noop``: the same again, everything up to date;
- ``national_compute``: scores, gaps with intervals and the Monte Carlo for the 3,321 units
  (defaults: 2,000 resamples, 1,000 draws), peak RSS of the process;
- ``pre2025_compute``: the same for the 10,035 former communes;
- ``national``: the national edition (notebooks 00-40 and a brief in vi and en for every unit,
  two shards on two workers); per-task times and peak kernel memory from its run.json;
- ``province``: the national edition for one province (Đà Nẵng, 94 units);
- ``dask_1`` / ``dask_2``: the national bulk briefs of ``--dask-units`` units on a Dask
  LocalCluster of 1 and 2 workers (results taken from the national run's store), and their ratio.

    python -m benchmarks.bench_scale [--skip-national] [--dask-units 400]

Results: ``benchmarks/results/scale.json``. Goals (2 cores): first run ≤ 30 s, no-op ≤ 2 s,
national compute ≤ 60 s and ≤ 4 GiB, every national brief ≤ 15 min, Dask 2 workers ≥ 1.7× 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import __version__, config

OUT = Path(__file__).parent / "results" / "scale.json"
DGAP = [sys.executable, "-m", "analysis"]

COMPUTE = """
import json, resource, time
from analysis import workflow
from analysis.loaders import load_inputs
t = time.perf_counter()
inputs = load_inputs("data/demo/national.yaml", "data/raw/units/{units}")
load_s = time.perf_counter() - t
t = time.perf_counter()
res = workflow.compute_results(inputs)
print(json.dumps(dict(units=int(inputs.units.shape[0]), load_s=round(load_s, 2),
                      compute_s=round(time.perf_counter() - t, 2),
                      peak_rss_gib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2))))
"""


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _run(cmd: list[str], label: str) -> dict:
    before = _load()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=config.ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    row = dict(step=label, wall_s=round(wall, 2), load_before=before, load_after=_load(),
               rc=proc.returncode, command=" ".join(cmd[2:] if cmd[:2] == DGAP[:2] else cmd))  # fmt: skip
    if proc.returncode:
        row["stderr"] = proc.stderr[-2000:]
    last = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
    if last and last[0].startswith("{"):  # a compute step prints its own numbers
        row["result"] = json.loads(last[0])
    print(f"{label:18s} {wall:8.1f} s  load {before} -> {row['load_after']}  rc {proc.returncode}",
          flush=True)  # fmt: skip
    return row


def _manifest(out: Path) -> dict:
    m = json.loads((out / "run.json").read_text(encoding="utf-8"))
    tasks = {k: dict(execute_s=v.get("execute_s"), peak_rss_mib=v.get("peak_rss_mib"))
             for k, v in m.get("tasks", {}).items()}  # fmt: skip
    return dict(wall_s=m.get("wall_s"), summary=m.get("summary"), tasks=tasks)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-national", action="store_true", help="only the default edition")
    ap.add_argument("--dask-units", type=int, default=400, help="units of the Dask comparison")
    ap.add_argument("--dask-only", metavar="OUTPUT", default="",
                    help="only the Dask comparison, on the results store of a national run's "
                         "output folder (e.g. after dgap report --edition national --only 10)")  # fmt: skip
    args = ap.parse_args(argv)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        tmp = Path(tmp)
        if args.dask_only:
            rows += _dask(Path(args.dask_only), tmp, args.dask_units)
        else:
            rows += _all(tmp, args)
    _report(rows, "scale_dask.json" if args.dask_only else "scale.json")
    return 0 if all(r["rc"] == 0 for r in rows) else 1


def _dask(nat: Path, tmp: Path, n_units: int) -> list[dict]:
    """The national bulk briefs of ``n_units`` units on a Dask LocalCluster of 1, then 2 workers,
    each from a copy of the results store in ``nat``."""
    import pandas as pd

    codes = pd.read_csv(config.ROOT / "data/raw/units/vn_units_2025.csv",
                        dtype={"unit_code": str})["unit_code"].sort_values()  # fmt: skip
    pick = ",".join(codes.iloc[:: max(1, len(codes) // n_units)].iloc[:n_units])
    rows = []
    for n in (1, 2):
        d = tmp / f"dask{n}"
        shutil.copytree(nat / "store", d / "store")
        before = {p.name for p in (d / "store").iterdir() if p.is_dir()}
        row = _run([*DGAP, "report", "--edition", "national", "--only", "35_commune_briefs",
                    "-p", "35_commune_briefs.unit_codes", pick, "--scheduler", "local",
                    "--workers", str(n), "--output", str(d)], f"dask_{n}")  # fmt: skip
        # The comparison is of rendering briefs from one computed result. A new store entry
        # means the results were recomputed (the package source or the parameters changed
        # since the national run: its key no longer matched), and the ratio then measures that.
        row["store_recomputed"] = sorted(
            p.name for p in (d / "store").iterdir() if p.is_dir() and p.name not in before
        )
        if row["store_recomputed"]:
            print(f"   WARNING dask_{n} recomputed the results: the ratio is not comparable",
                  flush=True)  # fmt: skip
        row["briefs_s"] = _cell_seconds(d, "bulk.render_commune_briefs")
        rows.append(row)
    return rows


def _cell_seconds(out: Path, needle: str) -> list[float]:
    """Seconds of the cell containing ``needle`` in each executed notebook of ``out``."""
    found = []
    for nb in sorted((out / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8")).get("cells", []):
            if needle in "".join(cell.get("source", "")):
                found.append(round(cell["metadata"].get("papermill", {}).get("duration") or 0, 1))
    return found


def _all(tmp: Path, args) -> list[dict]:
    rows: list[dict] = []
    dai = tmp / "dai_loc"
    rows.append(_run([*DGAP, "report", "--edition", "dai_loc", "--output", str(dai)], "dai_loc_first"))  # fmt: skip
    rows.append(_run([*DGAP, "report", "--edition", "dai_loc", "--output", str(dai), "--force"], "dai_loc_force"))  # fmt: skip
    rows.append(_run([*DGAP, "report", "--edition", "dai_loc", "--output", str(dai)], "dai_loc_noop"))  # fmt: skip
    if not args.skip_national:
        for label, units in (("national_compute", "vn_units_2025.csv"),
                             ("pre2025_compute", "vn_units_pre2025.csv")):  # fmt: skip
            rows.append(_run([sys.executable, "-c", COMPUTE.format(units=units)], label))
            print("   ", rows[-1].get("result"), flush=True)
        nat = tmp / "national"
        row = _run([*DGAP, "report", "--edition", "national", "--output", str(nat)], "national")
        if nat.joinpath("run.json").is_file():
            row["run"] = _manifest(nat)
        rows.append(row)
        prov = tmp / "province"
        row = _run([*DGAP, "report", "--edition", "national", "-p", "province",
                    "Thành phố Đà Nẵng", "--output", str(prov)], "province")  # fmt: skip
        if prov.joinpath("run.json").is_file():
            row["run"] = _manifest(prov)
        rows.append(row)
        if nat.joinpath("store").is_dir():
            rows += _dask(nat, tmp, args.dask_units)
    return rows


def _report(rows: list[dict], name: str) -> None:
    by = {r["step"]: r for r in rows}
    result = dict(
        benchmark="scale",
        package_version=__version__,
        machine=dict(
            platform=platform.platform(), python=platform.python_version(), cpus=os.cpu_count()
        ),  # fmt: skip
        steps=rows,
    )
    if "dask_1" in by and "dask_2" in by and by["dask_2"]["wall_s"]:
        result["dask_speedup"] = round(by["dask_1"]["wall_s"] / by["dask_2"]["wall_s"], 2)
        result["dask_comparable"] = not (
            by["dask_1"].get("store_recomputed") or by["dask_2"].get("store_recomputed")
        )
        print(f"Dask 2 workers vs 1: {result['dask_speedup']}x"
              + ("" if result["dask_comparable"] else " (NOT comparable: results recomputed)"))  # fmt: skip
    result["children_peak_rss_gib"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20, 2
    )
    out = OUT.with_name(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(config.ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
