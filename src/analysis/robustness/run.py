"""``dgap robustness``: read a COINr iData/iMeta pair, run the analyses, write the outputs."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from .. import __version__, config
from ..composite.coinr import input_hashes, load_coinr, write_run_json
from ..io import save_table
from .design import _prepare
from .sensitivity import _sensitivity_core
from .uncertainty import run_uncertainty

#: What run.json's ``elapsed_s`` measures (written beside it as ``elapsed_covers``).
ELAPSED_COVERS = (
    "wall-clock seconds from reading the iData/iMeta CSVs to the last statistic: reading and "
    "checking the two files and the spec (and any replay or weight-sets file), data preparation "
    "(denominate, impute, screen, outlier treatment, normalisation variants), the Monte Carlo "
    "(and Sobol) runs and their rank/gap statistics; not Python start-up, module imports, or "
    "writing the output tables and run.json"
)


def run_robustness(
    idata: str | Path,
    imeta: str | Path,
    out: str | Path,
    *,
    spec: str | Path | None = None,
    base: Mapping | None = None,
    draws: int = 1000,
    sobol: bool = False,
    sobol_n: int | None = None,
    seed: int | None = None,
    top_k: int | None = None,
    replay: str | Path | None = None,
    weight_sets: str | Path | None = None,
    method: str = "auto",
) -> dict[str, Path]:
    """``dgap robustness``: read a COINr iData/iMeta pair, run the analysis, write the outputs.

    Writes (atomically) into ``out``: ``rank_stats.csv`` (``uCode, nominal, mean, median, q05,
    q95, mean_abs_shift, p_top_k, p_bottom_k``), ``runs.csv`` (choices of every run),
    ``scores.csv`` (``uCode`` x run), ``weight_sets.csv`` (when weights vary),
    ``sensitivity.csv`` (with ``sobol``: ``choice, target, Si, Si_lo, Si_hi, STi, STi_lo,
    STi_hi``), ``gap_stats.csv`` (when the tree has gap pillars) and ``run.json`` (the step
    order, the resolved spec, seed, number of runs, ``elapsed_s`` with ``elapsed_covers`` =
    :data:`ELAPSED_COVERS`, ``timings`` (``read_s`` of the CSVs, then the uncertainty
    analysis's ``prep_s`` / ``eval_s`` / ``stats_s``), input hashes).

    Returns:
        Mapping output name -> path.
    """
    # imports are not compute time: SALib, and what pandas imports on its first CSV with text
    # columns (pyarrow-backed strings) and BOM-aware decoding
    import encodings.utf_8_sig  # noqa: F401

    import pyarrow.pandas_compat  # noqa: F401
    import pyarrow.vendored.version  # noqa: F401
    import SALib.analyze.sobol  # noqa: F401
    import SALib.sample.sobol  # noqa: F401

    t0 = time.perf_counter()
    coin = load_coinr(idata, imeta)
    read_s = time.perf_counter() - t0
    seed = config.DEFAULT_SEED if seed is None else int(seed)
    res = run_uncertainty(
        coin.data,
        coin.tree,  # built once by load_coinr
        spec,
        draws=draws,
        seed=seed,
        top_k=top_k,
        base=base,
        replay=replay,
        weight_sets=weight_sets,
        method=method,
    )
    sens = sens_runs = None
    if sobol:
        d = _prepare(coin.data, coin.tree, res.spec, weight_sets=weight_sets, seed=seed)
        sens, sens_runs, _, _ = _sensitivity_core(
            d,
            n=int(sobol_n or draws),
            seed=seed,
            second_order=False,
            num_resamples=100,
            conf_level=0.95,
            method=method,
            chunk_size=None,
            targets="all",
        )
    elapsed = time.perf_counter() - t0
    out = Path(out)
    paths = _write_tables(res, sens, sens_runs, out)
    n_sens = 0 if sens_runs is None else int(len(sens_runs))
    paths["run"] = write_run_json(
        out / "run.json",
        {
            "command": "dgap robustness",
            "order": ",".join(res.spec["base"]["order"]),
            "spec": res.spec,
            "seed": seed,
            "n_runs": res.n_runs + n_sens,
            "n_uncertainty_runs": res.n_runs,
            "n_sensitivity_runs": n_sens,
            "sobol_n": int(sobol_n or draws) if sobol else None,
            "replay": str(replay) if replay is not None else None,
            "n_units": int(len(res.rank_stats)),
            "method": res.method,
            "elapsed_s": round(elapsed, 6),
            "elapsed_covers": ELAPSED_COVERS,
            "timings": {k: round(v, 6) for k, v in {"read_s": read_s, **res.timings}.items()},
            "inputs": input_hashes(idata=idata, imeta=imeta),
            "package_version": __version__,
        },
    )
    return paths


def _write_tables(res, sens, sens_runs, out: Path) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    rs = res.rank_stats.rename(columns={"unit_code": "uCode"})
    paths["rank_stats"] = save_table(rs, out / "rank_stats.csv")
    paths["runs"] = save_table(res.runs, out / "runs.csv")
    sc = res.scores.copy()
    sc.index.name = "uCode"
    paths["scores"] = save_table(sc.reset_index(), out / "scores.csv")
    if res.weight_sets is not None:
        paths["weight_sets"] = save_table(res.weight_sets, out / "weight_sets.csv")
    if res.gap_stats is not None:
        paths["gap_stats"] = save_table(
            res.gap_stats.rename(columns={"unit_code": "uCode"}), out / "gap_stats.csv"
        )
    if sens is not None:
        paths["sensitivity"] = save_table(sens, out / "sensitivity.csv")
        paths["sensitivity_runs"] = save_table(sens_runs, out / "sensitivity_runs.csv")
    return paths
