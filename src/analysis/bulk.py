"""A brief and a figure set for every commune of a run, in bulk (issue #20).

At national scale a notebook per commune is too slow (3,321 units × 2 languages); what a
researcher needs is the national and provincial notebooks plus a brief and a figure set for
every commune, rendered from the one computed result of the run. :func:`render_commune_briefs`
does that, in chunks of units:

* the figures of a chunk are drawn from one template per figure kind and language
  (:func:`analysis.workflow.save_all_commune_figures`); a chunk that fails is redrawn unit by
  unit, so one bad unit never costs the others their figures;
* each brief is built and rendered on its own; a failure is recorded (unit, language, error)
  and the next unit goes on;
* progress (units done, rate, time left) is printed after each chunk;
* the list of briefs and the list of failures are written as tables (atomically), one pair
  per shard.

Shards split the units between processes or machines: ``shard="2/4"`` takes every fourth
unit of the sorted codes, starting with the second, so that ``1/4 .. 4/4`` cover every unit
once. The notebook ``35_commune_briefs`` is the entry point; editions run the shards as a grid.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence

import pandas as pd

from . import i18n
from .briefs.validate import check_lang
from .display import shown_path
from .errors import ParameterError
from .io import save_table
from .loaders import Inputs
from .results import Results
from .workflow import (
    FIGURE_FORMATS,
    OutputPaths,
    commune_brief,
    render_commune_brief,
    save_all_commune_figures,
    save_commune_figures,
)

#: units whose figures are drawn together (one template per kind and language per chunk)
CHUNK = 500

BRIEF_COLUMNS = ("unit_code", "lang", "brief", "figures", "outcome", "error")


def parse_shard(shard: str) -> tuple[int, int]:
    """``"k/K"`` (1 ≤ k ≤ K) -> ``(k, K)``; ``""`` -> ``(1, 1)`` (every unit).

    >>> parse_shard("2/4"), parse_shard("")
    ((2, 4), (1, 1))
    """
    text = str(shard or "").strip()
    if not text:
        return 1, 1
    m = re.fullmatch(r"(\d+)\s*/\s*(\d+)", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ParameterError(
            f"shard={shard!r}: expected k/K with 1 <= k <= K, e.g. 1/4 (the first of 4 shards); "
            "leave it empty for every unit"
        )
    return int(m.group(1)), int(m.group(2))


def shard_codes(codes: Sequence[str], shard: str) -> list[str]:
    """The codes of one shard: every K-th of the sorted codes, from the k-th.

    >>> shard_codes(["c", "a", "d", "b", "e"], "2/2")
    ['b', 'd']
    """
    k, n = parse_shard(shard)
    return sorted(str(c) for c in codes)[k - 1 :: n]


def shard_suffix(shard: str) -> str:
    """``""`` for every unit, else ``_<k>of<K>`` (file names of the shard's tables)."""
    k, n = parse_shard(shard)
    return "" if n == 1 else f"_{k}of{n}"


def _figures_of_chunk(res, inputs, out, chunk, lang, formats, failed) -> dict[str, dict]:
    """``{code: {name: path}}`` for the chunk; unit by unit (failures noted) if the chunk fails."""
    try:
        made = save_all_commune_figures(res, inputs, out, chunk, langs=(lang,), formats=formats)
        return {c: made[c].get(lang, {}) for c in chunk}
    except Exception:  # noqa: BLE001 - isolate the unit that fails, keep the others
        figs = {}
        for code in chunk:
            try:
                figs[code] = save_commune_figures(
                    res, inputs, out, code, lang=lang, formats=formats
                )
            except Exception as exc:  # noqa: BLE001
                failed[(code, lang)] = f"figures: {type(exc).__name__}: {exc}"
        return figs


def render_commune_briefs(
    res: Results,
    inputs: Inputs,
    out: OutputPaths,
    *,
    unit_codes: Sequence[str] | None = None,
    langs: Sequence[str] = ("vi", "en"),
    edition: str = "lab",
    shard: str = "",
    formats: Sequence[str] = FIGURE_FORMATS,
    chunk: int = CHUNK,
    progress: Callable[[str], None] | None = print,
) -> pd.DataFrame:
    """Figures and a PDF brief for every commune of the shard, in every language.

    Args:
        unit_codes: the units (default: every unit of ``inputs``), before sharding.
        langs: languages of the figures and briefs.
        shard: ``"k/K"``: this process's share of the units (:func:`shard_codes`).
        chunk: units whose figures are drawn together.
        progress: called with a line after each chunk (None: silent).

    Returns:
        One row per unit and language: ``unit_code, lang, brief`` (path relative to the
        edition folder), ``figures`` (how many), ``outcome`` (``ok`` / ``failed``), ``error``.
        Also written to ``tables/commune_briefs<suffix>.csv``, and the failed rows to
        ``tables/brief_failures<suffix>.csv`` (empty when none failed, so that no failure list
        of an earlier run is left behind).
    """
    for lang in langs:
        check_lang(lang)
    known = set(inputs.units["unit_code"].astype(str))
    wanted = list(known) if unit_codes is None else [str(c) for c in unit_codes]
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise ParameterError(
            f"unit_codes: {len(unknown)} code(s) not in the units table, e.g. {unknown[:5]}"
        )
    codes = shard_codes(wanted, shard)
    failed: dict[tuple[str, str], str] = {}
    rows: list[dict] = []
    total, done, t0 = len(codes) * len(langs), 0, time.perf_counter()
    for lang in langs:
        for start in range(0, len(codes), max(1, int(chunk))):
            part = codes[start : start + max(1, int(chunk))]
            figs = _figures_of_chunk(res, inputs, out, part, lang, formats, failed)
            for code in part:
                row = dict(unit_code=code, lang=lang, brief="", figures=len(figs.get(code, {})))
                if (code, lang) not in failed:
                    try:
                        brief = commune_brief(
                            res, inputs, code, figs.get(code, {}), lang=lang, edition=edition
                        )
                        pdf = render_commune_brief(brief, out, code, lang=lang)
                        row["brief"] = shown_path(pdf, out.edition_root)
                    except Exception as exc:  # noqa: BLE001 - record it, go on with the next unit
                        failed[(code, lang)] = f"brief: {type(exc).__name__}: {exc}"
                row["outcome"] = "failed" if (code, lang) in failed else "ok"
                row["error"] = failed.get((code, lang), "")
                rows.append(row)
            done += len(part)
            if progress is not None:
                rate = (time.perf_counter() - t0) / done
                progress(
                    i18n.t(
                        "bulk.progress",
                        langs[0],
                        done=i18n.format_number(done, langs[0]),
                        total=i18n.format_number(total, langs[0]),
                        rate=i18n.format_number(rate, langs[0], digits=2),
                        left=i18n.format_number(rate * (total - done) / 60, langs[0], digits=1),
                        failed=i18n.format_number(len(failed), langs[0]),
                    )
                )
    table = pd.DataFrame(rows, columns=list(BRIEF_COLUMNS))
    suffix = shard_suffix(shard)
    save_table(table, out.tables / f"commune_briefs{suffix}.csv", status=inputs.status)
    save_table(
        table[table["outcome"] == "failed"],
        out.tables / f"brief_failures{suffix}.csv",
        status=inputs.status,
    )
    return table


def summary_text(table: pd.DataFrame, out: OutputPaths, lang: str, shard: str = "") -> str:
    """One sentence: how many briefs were made, for how many units, and how many failed and
    where they are listed (or that none failed)."""
    failures = out.tables / f"brief_failures{shard_suffix(shard)}.csv"
    failed = int((table["outcome"] == "failed").sum())
    return i18n.t(
        "bulk.summary" if failed else "bulk.summary_ok",
        lang,
        ok=i18n.format_number(int((table["outcome"] == "ok").sum()), lang),
        units=i18n.format_number(table["unit_code"].nunique(), lang),
        langs=", ".join(sorted(table["lang"].unique())),
        failed=i18n.format_number(failed, lang),
        failures=shown_path(failures, out.edition_root),
    )
