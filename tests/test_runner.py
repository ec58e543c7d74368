"""Tests of analysis.runner: editions, strict parameters, parallel runs, failures, resume, warm kernels.

The notebooks are small test notebooks in tests/notebooks/ (light: no heavy imports; pollute:
leaves state behind; plot: pandas/matplotlib/seaborn figure + tables); editions are written to
tmp_path.
"""

from __future__ import annotations

import glob
import json
import os
import textwrap
from pathlib import Path

import nbformat
import pytest

from analysis.errors import ParameterError, RunError
from analysis.outputs import read_output_log
from analysis.runner import (
    WarmEngine,
    coerce_parameter,
    format_failures,
    inspect_parameters,
    load_edition,
    plan_edition,
    run_edition,
    shutdown_warm_kernels,
)
from analysis.runner.edition import load_override_file, parse_override

NB_DIR = Path(__file__).parent / "notebooks"


def _edition(tmp_path: Path, body: str, name: str = "ed") -> Path:
    text = (
        f"edition: {name}\nnotebooks_dir: {NB_DIR}\noutput_dir: {tmp_path / 'out'}\n"
        + textwrap.dedent(body)
    )
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _light_state(out: Path, unit: str, lang: str = "vi") -> dict:
    return json.loads((out / "tables" / f"light_{unit}_{lang}.json").read_text())


# --------------------------------------------------------------------------- inspection and types
def test_inspect_parameters_types_defaults_and_help():
    params = inspect_parameters(NB_DIR / "light.ipynb")
    assert list(params) == ["output_dir", "edition", "unit_code", "lang", "n", "scale", "fail_on"]
    assert str(params["unit_code"].type) == "str" and params["unit_code"].default == "20500"
    assert str(params["n"].type) == "int" and params["n"].default == 3
    assert str(params["scale"].type) == "float"  # no annotation: from the literal default
    assert params["lang"].help == "language of the outputs"


def test_inspect_parameters_annotations(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        'opt: str | None = None  # optional\ncodes: list[str] = ["1"]\nx = None\nflag: bool = False\n'
        "pair: tuple[int, int] = (1, 2)\nfrom_env = len('abc')\nratio: float = 1\n"
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    params = inspect_parameters(path)
    assert str(params["opt"].type) == "str | None"
    assert str(params["codes"].type) == "list[str]"
    assert params["x"].type.kind == "any"
    assert str(params["flag"].type) == "bool"
    assert params["pair"].type.kind == "tuple"
    assert (
        params["from_env"].type.kind == "any" and params["from_env"].default_source == "len('abc')"
    )
    assert coerce_parameter(2, params["ratio"]) == 2.0 and isinstance(
        coerce_parameter(2, params["ratio"]), float
    )
    assert coerce_parameter(None, params["opt"]) is None
    assert coerce_parameter([20500, "20503"], params["codes"]) == ["20500", "20503"]
    assert coerce_parameter("20500,20503", params["codes"], from_text=True) == ["20500", "20503"]
    assert coerce_parameter("[1, 2]", params["codes"], from_text=True) == ["1", "2"]
    assert coerce_parameter("no", params["flag"], from_text=True) is False
    untyped = {
        "unit_code": params["x"].__class__("unit_code", params["x"].type, None, "None"),
        "parent_codes": params["x"].__class__("parent_codes", params["x"].type, None, "None"),
    }
    assert coerce_parameter(20500, untyped["unit_code"]) == "20500"  # codes are strings, always
    assert coerce_parameter([506, "507"], untyped["parent_codes"]) == ["506", "507"]


def test_coercion_rules_and_errors():
    p = inspect_parameters(NB_DIR / "light.ipynb")
    assert coerce_parameter(20500, p["unit_code"]) == "20500"
    assert (
        coerce_parameter("020500", p["unit_code"], from_text=True) == "020500"
    )  # text kept verbatim
    assert coerce_parameter("7", p["n"], from_text=True) == 7
    assert coerce_parameter(7.0, p["n"]) == 7
    assert coerce_parameter("2", p["scale"], from_text=True) == 2.0
    assert coerce_parameter("0,8", p["scale"], from_text=True) == 0.8  # Vietnamese decimal comma
    assert coerce_parameter("1.234,5", p["scale"], from_text=True) == 1234.5
    for bad, param, text in [
        ("1.5", "n", True),
        (True, "n", False),
        (20500.5, "unit_code", False),
        (None, "unit_code", False),
        ("abc", "scale", True),
        ([1], "unit_code", False),
    ]:
        with pytest.raises(ParameterError, match=param):
            coerce_parameter(bad, p[param], from_text=text)


# --------------------------------------------------------------------------- planning (nothing runs)
def test_plan_grid_names_types_and_precedence(tmp_path):
    ed = load_edition(
        _edition(
            tmp_path,
            """
        seed: 11
        parameters: {n: 4}
        notebooks:
          - name: light
            parameters: {lang: en}
            grid: {unit_code: [20500, 20527]}
        """,
        )
    )
    tasks = plan_edition(ed)
    assert [t.id for t in tasks] == ["light__unit_code-20500", "light__unit_code-20527"]
    t = tasks[0]
    assert t.parameters["unit_code"] == "20500" and isinstance(t.parameters["unit_code"], str)
    assert t.parameters["n"] == 4 and t.parameters["lang"] == "en"
    assert t.parameters["output_dir"] == str((tmp_path / "out").resolve())
    assert t.parameters["edition"] == "ed"
    assert "seed" not in t.parameters  # not declared by light: not passed
    # -f after the edition, -p after -f; a grid name given as override replaces the axis
    f = tmp_path / "over.yaml"
    f.write_text("n: 5\nlang: vi\n")
    over = load_override_file(f)
    assert plan_edition(ed, overrides=over)[0].parameters["n"] == 5
    tasks = plan_edition(
        ed, overrides=over + [parse_override("n", "6"), parse_override("unit_code", "20533")]
    )
    assert [t.id for t in tasks] == ["light__unit_code-20533"]
    assert tasks[0].parameters["n"] == 6 and tasks[0].parameters["lang"] == "vi"
    # qualified override targets one notebook; fingerprint follows the parameters
    q = plan_edition(ed, overrides=[parse_override("light.n", "9")])
    assert q[0].parameters["n"] == 9 and q[0].fingerprint != plan_edition(ed)[0].fingerprint


def test_grid_from_csv_and_datasets(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("unit_code,name_vi\n20500,Ái Nghĩa\n20503,Đại Sơn\n", encoding="utf-8")
    ed = load_edition(
        _edition(
            tmp_path,
            f"""
        datasets: {{output_units: {units}}}
        notebooks:
          - name: light
            grid:
              unit_code: {{csv: {units}, column: unit_code}}
              lang: [vi, en]
        """,
        )
    )
    tasks = plan_edition(ed)
    assert [t.id for t in tasks] == [
        "light__unit_code-20500__lang-vi",
        "light__unit_code-20500__lang-en",
        "light__unit_code-20503__lang-vi",
        "light__unit_code-20503__lang-en",
    ]
    before = tasks[0].fingerprint
    units.write_text(
        "unit_code,name_vi\n20500,Ái Nghĩa\n20503,Đại Sơn\n20506,Đại Lãnh\n", encoding="utf-8"
    )
    assert plan_edition(ed)[0].fingerprint != before  # data hash is part of the fingerprint


@pytest.mark.parametrize(
    ("body", "overrides", "match"),
    [
        (
            "notebooks: [{name: light, parameters: {lnag: en}}]",
            [],
            r"light has no parameter 'lnag'; known parameters: output_dir, edition, unit_code, lang, n",
        ),
        (
            "notebooks: [{name: light, grid: {colour: [red]}}]",
            [],
            r"light has no parameter 'colour'",
        ),
        (
            "parameters: {nn: 3}\nnotebooks: [light]",
            [],
            r"'nn' is declared by no notebook.*\n  light: output_dir, edition",
        ),
        (
            "notebooks: [light]",
            [("bogus", "1")],
            r"-p bogus 1: parameter 'bogus' is declared by no notebook",
        ),
        (
            "notebooks: [light]",
            [("light.bogus", "1")],
            r"notebook light has no parameter 'bogus'; known parameters",
        ),
        ("notebooks: [light]", [("other.n", "1")], r"no notebook 'other'"),
        (
            "notebooks: [light]",
            [("n", "three")],
            r"-p n three: notebook light: parameter 'n': 'three' is not an integer",
        ),
        (
            "notebooks: [{name: light, parameters: {unit_code: 1.5}}]",
            [],
            r"unit_code.*expected a string",
        ),
        (
            "parameters: {output_dir: /x}\nnotebooks: [light]",
            [],
            r"'output_dir' is set by the runner",
        ),
        ("notebooks: [nope]", [], r"nope.ipynb does not exist"),
        ("notebooks: [light, light]", [], r"two tasks are named light"),
        ("notebook: [light]", [], r"unknown key\(s\) notebook"),
    ],
)
def test_strict_parameter_errors(tmp_path, body, overrides, match):
    with pytest.raises(ParameterError, match=match):
        ed = load_edition(_edition(tmp_path, body))
        plan_edition(ed, overrides=[parse_override(n, v) for n, v in overrides])


def test_edition_by_name_and_project_editions():
    from analysis import config

    with pytest.raises(ParameterError, match="available editions: .*smoke"):
        load_edition("no_such_edition")
    base = ["00_data_quality", "10_pillar_scores", "20_gap_analysis", "30_commune_profile"]
    expected = {  # the bulk briefs (35) run last in smoke, before the long notebooks in dai_loc
        "smoke": [*base, "40_robustness", "50_mergers", "35_commune_briefs"],
        "dai_loc": [*base, "35_commune_briefs", "40_robustness", "50_mergers"],
    }
    for name in ("smoke", "dai_loc"):
        ed = load_edition(name)
        assert [e.name for e in ed.notebooks] == expected[name], name
        assert ed.output_dir == config.ROOT / "reports" / name
    ed = load_edition("dai_loc")
    grid = ed.notebooks[3].grid  # one showcase commune; every commune's brief comes from 35
    assert grid["unit_code"] == ["20527"] and grid["lang"] == ["vi", "en"]
    assert ed.notebooks[4].grid == {"shard": ["1/2", "2/2"]}


# --------------------------------------------------------------------------- running
def test_run_outputs_manifest_and_progress_lines(tmp_path, caplog):
    ed = _edition(
        tmp_path,
        """
        seed: 5
        notebooks:
          - name: light
            parameters: {n: 2}
            grid: {unit_code: [20500, 20503], lang: [vi, en]}
        """,
    )
    caplog.set_level("INFO", logger="analysis.runner")
    res = run_edition(ed, workers=2, progress=False, parameters=[("scale", "2")])
    out = tmp_path / "out"
    assert res.ok and res.n_ran == 4 and res.n_skipped == 0
    state = _light_state(out, "20503", "en")
    assert state == {
        **state,
        "unit_code": "20503",
        "unit_code_type": "str",
        "lang": "en",
        "n": 2,
        "scale": 2.0,
        "values": [0.0, 2.0],
        "edition": "ed",
        "cwd_is_notebook_dir": True,
    }
    stem = "light__unit_code-20503__lang-en"
    assert (out / "notebooks" / f"{stem}.ipynb").is_file()
    html = (out / "html" / f"{stem}.html").read_text(encoding="utf-8")
    assert "&#39;unit_code&#39;: &#39;20503&#39;" in html or "'unit_code': '20503'" in html
    assert "import json" not in html and "Path(output_dir)" not in html  # code hidden
    assert not list((out / "notebooks").glob(".*"))  # no temporary files left
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["status"] == "ok" and manifest["seed"] == 5 and manifest["package_version"]
    summary = dict(manifest["summary"])
    peak = summary.pop("peak_rss_mib")  # the largest kernel memory of the run (Linux)
    assert peak is None or peak > 0
    assert summary == {
        "tasks": 4,
        "ran": 4,
        "skipped": 0,
        "ok": 4,
        "failed": 0,
        "not_finished": 0,
    }
    assert manifest["overrides"][0]["name"] == "scale"
    entry = manifest["tasks"][stem]
    assert entry["status"] == "ok" and entry["duration_s"] > 0 and entry["engine"] == "warm"
    assert entry["parameters"]["unit_code"] == "20503" and len(entry["fingerprint"]) == 64
    lines = [r.getMessage() for r in caplog.records if "] ok light__" in r.getMessage()]
    assert len(lines) == 4 and any(m.startswith("[4/4] ok ") for m in lines)


def test_failure_isolation_table_and_kept_notebook(tmp_path, capsys):
    from analysis.cli import main

    ed = _edition(
        tmp_path,
        """
        notebooks:
          - name: light
            parameters: {fail_on: "20503"}
            grid: {unit_code: [20500, 20503, 20506]}
        """,
    )
    with pytest.raises(RunError) as info:
        run_edition(ed, workers=2, progress=False)
    res = info.value.result
    assert [r.status for r in res.results] == ["ok", "failed", "ok"]
    out = tmp_path / "out"
    assert _light_state(out, "20500")["unit_code"] == "20500" and _light_state(out, "20506")
    table = format_failures(res.results)
    assert table.splitlines()[0].split() == ["notebook", "parameters", "cell", "error"]
    row = table.splitlines()[2]
    assert row.split()[:4] == ["light", "unit_code=20503", "In", "[4]"]
    assert "ValueError: deliberate failure for unit 20503" in row
    assert table in str(info.value)
    failed = nbformat.read(out / "notebooks" / "light__unit_code-20503.ipynb", as_version=4)
    marks = [c for c in failed.cells if "papermill-error-cell-tag" in c.metadata.get("tags", [])]
    assert len(marks) == 2 and "In [4]" in marks[0].source
    errs = [
        o
        for c in failed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errs[0].ename == "ValueError"
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["tasks"]["light__unit_code-20503"]["error"]["execution_count"] == 4
    # the CLI prints the table and exits 1; a rerun only retries the failed task
    assert main(["report", "--edition", str(ed), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "1 of 3 task(s) failed" in err and "unit_code=20503" in err
    assert json.loads((out / "run.json").read_text())["summary"]["ran"] == 1


def test_resume_skip_partial_rerun_and_force(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n")
    ed = _edition(
        tmp_path,
        f"""
        datasets: {{some_data: {data}}}
        notebooks:
          - {{name: light, id: a, grid: {{unit_code: [20500, 20503]}}}}
          - {{name: light, id: b, parameters: {{unit_code: "20506"}}}}
        """,
    )
    out = tmp_path / "out"
    first = run_edition(ed, workers=2, progress=False)
    assert first.n_ran == 3
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "notebooks").iterdir()}
    second = run_edition(ed, workers=2, progress=False)
    assert second.n_ran == 0 and second.n_skipped == 3 and second.ok
    assert {p.name: p.stat().st_mtime_ns for p in (out / "notebooks").iterdir()} == mtimes
    # a changed parameter reruns only that task
    third = run_edition(ed, workers=2, progress=False, parameters=[("b.n", "5")])
    assert [r.task.id for r in third.results if r.action == "ran"] == ["b"]
    assert _light_state(out, "20506")["n"] == 5
    # a missing output, or a task the manifest does not record as finished, reruns
    (out / "html" / "a__unit_code-20500.html").unlink()
    manifest = json.loads((out / "run.json").read_text())
    manifest["tasks"]["a__unit_code-20503"]["status"] = "pending"  # as left by a crash
    (out / "run.json").write_text(json.dumps(manifest))
    (out / "notebooks" / ".a__unit_code-20503.999.tmp.ipynb").write_text(
        "{half"
    )  # partial temp file
    fourth = run_edition(ed, workers=2, progress=False, parameters=[("b.n", "5")])
    assert sorted(r.task.id for r in fourth.results if r.action == "ran") == [
        "a__unit_code-20500",
        "a__unit_code-20503",
    ]
    assert not list((out / "notebooks").glob(".*"))
    # a file the notebook wrote (recorded in run.json) that is gone reruns its task only
    outputs = json.loads((out / "run.json").read_text())["tasks"]["a__unit_code-20503"]["outputs"]
    assert outputs == ["tables/light_20503_vi.json"]
    (out / outputs[0]).unlink()
    fifth = run_edition(ed, workers=2, progress=False, parameters=[("b.n", "5")])
    assert [r.task.id for r in fifth.results if r.action == "ran"] == ["a__unit_code-20503"]
    assert (out / outputs[0]).is_file()
    assert not list((out / ".dgap-outputs").glob("*"))  # the logs are read, then removed
    # changed data reruns everything; so does --force
    data.write_text("a\n2\n")
    assert run_edition(ed, workers=2, progress=False, parameters=[("b.n", "5")]).n_ran == 3
    assert (
        run_edition(ed, workers=2, progress=False, parameters=[("b.n", "5")], force=True).n_ran == 3
    )
    # a task removed from the edition leaves run.json; the others stay finished
    text = ed.read_text().replace(
        '  - {name: light, id: b, parameters: {unit_code: "20506"}}\n', ""
    )
    ed.write_text(text)
    assert run_edition(ed, workers=2, progress=False).n_skipped == 2
    assert sorted(json.loads((out / "run.json").read_text())["tasks"]) == [
        "a__unit_code-20500",
        "a__unit_code-20503",
    ]


def test_only_and_dry_run(tmp_path, capsys):
    ed = _edition(
        tmp_path,
        """
        notebooks:
          - {name: light, id: a}
          - {name: light, id: b, parameters: {lang: en}}
        """,
    )
    run_edition(ed, dry_run=True)
    assert capsys.readouterr().out.splitlines()[:2] == ["run  a  {}", "run  b  {}"]
    assert not (tmp_path / "out").exists()
    # with another thread alive, workers come from the fork server instead of a plain fork
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        res = run_edition(ed, only=["b"], workers=1, progress=False)
    finally:
        stop.set()
    assert [r.task.id for r in res.results] == ["b"]
    assert _light_state(tmp_path / "out", "20500", "en")["lang"] == "en"
    with pytest.raises(ParameterError, match="--only zz: no notebook matches"):
        run_edition(ed, only=["zz"])


# --------------------------------------------------------------------------- warm kernels
def test_warm_engine_is_papermill_engine_and_replaces_dead_kernel(tmp_path, monkeypatch):
    import papermill as pm
    from papermill.engines import papermill_engines

    from analysis.runner.engine import warm_kernel_count

    assert papermill_engines.get_engine("warm") is WarmEngine
    out = tmp_path / "o"
    # plain papermill use: the kernel sees this process's output-log variable, as a new one would
    monkeypatch.setenv("DGAP_OUTPUT_LOG", str(tmp_path / "outputs.log"))
    try:
        for unit in ("20500", "20503"):
            pm.execute_notebook(
                NB_DIR / "light.ipynb",
                tmp_path / f"{unit}.ipynb",
                engine_name="warm",
                parameters={"unit_code": unit, "output_dir": str(out)},
                progress_bar=False,
                cwd=str(NB_DIR),
            )
            assert warm_kernel_count() == 1
        assert _light_state(out, "20503")["has_polluted"] is False
        assert read_output_log(tmp_path / "outputs.log", out) == [
            "tables/light_20500_vi.json",
            "tables/light_20503_vi.json",
        ]
        monkeypatch.delenv("DGAP_OUTPUT_LOG")
        # what survived the reset is frozen out of the collector's sight, so a reset's full
        # collection no longer walks every imported module's objects again
        from analysis.runner.engine import _KERNELS, _silent_execute

        (wk,) = _KERNELS.values()
        prefixes = [wk.km.ip]
        assert glob.glob(prefixes[0] + "-*")  # the kernel's socket files, while it runs
        _silent_execute(wk, "import gc\nassert gc.get_freeze_count() > 1000", timeout=30)
        with pytest.raises(RuntimeError, match="AssertionError"):  # the check can fail
            _silent_execute(wk, "import gc\nassert gc.get_freeze_count() == 0", timeout=30)
        dead = nbformat.v4.new_notebook()
        dead.cells = [nbformat.v4.new_code_cell("import os\nos._exit(1)")]
        dead.metadata["kernelspec"] = {
            "name": "python3",
            "language": "python",
            "display_name": "Python 3",
        }
        nbformat.write(dead, tmp_path / "dead.ipynb")
        with pytest.raises(Exception, match="(?i)dead|died"):
            pm.execute_notebook(
                tmp_path / "dead.ipynb",
                tmp_path / "dead_out.ipynb",
                engine_name="warm",
                progress_bar=False,
            )
        assert warm_kernel_count() == 0  # the dead kernel was dropped, its sockets removed
        assert not glob.glob(prefixes[0] + "-*")
        pm.execute_notebook(
            NB_DIR / "light.ipynb",
            tmp_path / "again.ipynb",
            engine_name="warm",
            parameters={"unit_code": "20506", "output_dir": str(out)},
            progress_bar=False,
        )
        assert _light_state(out, "20506")["unit_code"] == "20506" and warm_kernel_count() == 1
        prefixes += [k.km.ip for k in _KERNELS.values()]
    finally:
        shutdown_warm_kernels()
    assert warm_kernel_count() == 0
    assert not [p for prefix in prefixes for p in glob.glob(prefix + "-*")]


def _warm_child(notebook: str, out: str, queue) -> None:
    import papermill as pm

    from analysis.runner.engine import _KERNELS

    pm.execute_notebook(
        notebook,
        os.path.join(out, "child.ipynb"),
        engine_name="warm",
        parameters={"unit_code": "20500", "output_dir": out},
        progress_bar=False,
    )
    (wk,) = _KERNELS.values()
    queue.put((wk.km.ip, wk.km.provisioner.pid))
    # the process ends normally: its exit hooks must stop the kernel it started


@pytest.mark.skipif(os.name != "posix", reason="fork")
def test_forked_worker_stops_its_kernels_at_exit(tmp_path):
    """A worker forked from a process that already registered its exit hooks (multiprocessing
    clears finalisers in the child) still stops its kernels and removes their socket files."""
    import multiprocessing as mp
    import time

    from analysis.runner.engine import _register_cleanup

    _register_cleanup()  # as a process that ran warm kernels itself before forking
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(
        target=_warm_child, args=(str(NB_DIR / "light.ipynb"), str(tmp_path), queue)
    )
    child.start()
    prefix, kernel_pid = queue.get(timeout=120)
    child.join(timeout=60)
    assert child.exitcode == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(kernel_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"kernel {kernel_pid} still running after its worker exited")
    assert not glob.glob(prefix + "-*")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in ("tables", "figures")
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


def test_warm_outputs_identical_to_cold(tmp_path):
    body = """
        notebooks:
          - pollute
          - name: plot
            grid: {unit_code: [20500, 20527], lang: [en]}
        """
    ed = _edition(tmp_path, body)
    # one worker: every plot notebook runs in the kernel the polluting notebook used
    warm = run_edition(ed, workers=1, progress=False, output_dir=tmp_path / "warm")
    cold = run_edition(ed, workers=2, progress=False, output_dir=tmp_path / "cold", cold=True)
    assert warm.ok and cold.ok
    w, c = _files(tmp_path / "warm"), _files(tmp_path / "cold")
    assert len(w) == 1 + 2 * 3 and sorted(w) == sorted(c)
    assert [k for k in w if w[k] != c[k]] == []
    state = json.loads((tmp_path / "warm" / "tables" / "20527__en__state.json").read_text())
    assert state == {
        "has_polluted": False,
        "open_figures": 0,
        "rc_changed": [],
        "cwd_is_notebook_dir": True,
        "env_polluted": False,
        "path_polluted": False,
        "display_max_rows": 60,
        "random_fresh": True,
        "numpy_fresh": True,
        "execution_count": 5,
    }
    # the executed notebooks' outputs agree too (text and images; not timings)
    for name in ("plot__unit_code-20527__lang-en.ipynb", "pollute.ipynb"):
        a = nbformat.read(tmp_path / "warm" / "notebooks" / name, as_version=4)
        b = nbformat.read(tmp_path / "cold" / "notebooks" / name, as_version=4)
        assert [(x.get("execution_count"), x.get("outputs")) for x in a.cells] == [
            (x.get("execution_count"), x.get("outputs")) for x in b.cells
        ]


def test_dask_local_scheduler_same_tasks(tmp_path):
    pytest.importorskip("distributed")
    ed = _edition(
        tmp_path,
        """
        notebooks:
          - name: light
            parameters: {fail_on: "20503"}
            grid: {unit_code: [20500, 20503, 20506]}
        """,
    )
    with pytest.raises(RunError) as info:
        run_edition(ed, workers=2, scheduler="local", progress=False)
    res = info.value.result
    assert [r.status for r in res.results] == ["ok", "failed", "ok"]
    assert _light_state(tmp_path / "out", "20506")["unit_code"] == "20506"
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    assert manifest["scheduler"] == "local" and manifest["summary"]["ok"] == 2
    # each task's recorded outputs are its own (the log variable is per kernel, not per process)
    assert {k: e.get("outputs") for k, e in manifest["tasks"].items() if e["status"] == "ok"} == {
        f"light__unit_code-{c}": [f"tables/light_{c}_vi.json"] for c in ("20500", "20506")
    }
    assert len({e["pid"] for e in manifest["tasks"].values()}) >= 1 and os.getpid() not in {
        e["pid"] for e in manifest["tasks"].values()
    }


def test_missing_kernel_and_concurrent_run_are_refused(tmp_path):
    ed = _edition(tmp_path, "kernel: no-such-kernel\nnotebooks: [light]\n")
    with pytest.raises(ParameterError, match="kernel 'no-such-kernel', which is not installed"):
        run_edition(ed, progress=False)
    import fcntl

    ok = _edition(tmp_path, "notebooks: [light]\n", name="ok")
    (tmp_path / "out").mkdir(exist_ok=True)
    with open(tmp_path / "out" / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RunError, match="another run is writing to"):
            run_edition(ok, progress=False)


@pytest.mark.slow
def test_smoke_edition_runs_and_warm_equals_cold(tmp_path):
    """The project's notebooks through the runner with params/smoke.yaml, warm and cold."""
    from analysis import config

    ed = load_edition("smoke")
    if not all(e.path.is_file() for e in ed.notebooks):
        pytest.skip("the smoke edition's notebooks are not all written yet")
    warm = run_edition(ed, progress=False, output_dir=tmp_path / "warm")
    cold = run_edition(ed, progress=False, output_dir=tmp_path / "cold", cold=True)
    assert warm.ok and cold.ok and warm.n_ran == len(plan_edition(ed)) == 11
    files = {}
    for mode in ("warm", "cold"):
        root = tmp_path / mode
        files[mode] = {
            str(p.relative_to(root)): p.read_bytes()
            for sub in ("tables", "figures", "briefs")
            for p in sorted((root / sub).rglob("*"))
            if p.is_file()
        }
    assert any(k.startswith("tables/") for k in files["warm"])
    assert any(k.startswith("figures/") for k in files["warm"])
    assert sorted(files["warm"]) == sorted(files["cold"])
    assert [k for k in files["warm"] if files["warm"][k] != files["cold"][k]] == []
    manifest = json.loads((tmp_path / "warm" / "run.json").read_text())
    assert set(manifest["data_hashes"]) >= {"observations_path", "units_path", "framework_path"}
    assert manifest["tasks"]["30_commune_profile__unit_code-20527__lang-vi"]["parameters"][
        "observations_path"
    ] == str((config.ROOT / "data" / "demo" / "observations.csv").resolve())
    # every table, figure and brief written is recorded for resume, warm and cold alike
    for mode in ("warm", "cold"):
        tasks = json.loads((tmp_path / mode / "run.json").read_text())["tasks"]
        recorded = {o for e in tasks.values() for o in e["outputs"]}
        assert recorded == set(files[mode]) | {o for o in recorded if o.startswith("post2025/")}, (
            mode
        )
        assert (
            "briefs/20527_vi.pdf"
            in tasks["30_commune_profile__unit_code-20527__lang-vi"]["outputs"]
        )


def test_overriding_a_dataset_hashes_the_file_the_notebooks_read(tmp_path):
    """-p DATASET PATH: run.json and the resume fingerprints follow the user's file, so editing
    that file reruns the tasks (the demo file named in the edition is not what they read)."""
    default, own = tmp_path / "default.csv", tmp_path / "own.csv"
    default.write_text("a\n1\n")
    own.write_text("a\n2\n")
    ed = _edition(
        tmp_path,
        f"""
        datasets: {{fail_on: {default}}}
        notebooks:
          - {{name: light, id: a, parameters: {{unit_code: "20500"}}}}
        """,
    )
    out = tmp_path / "out"
    first = run_edition(ed, workers=1, progress=False, parameters=[("fail_on", str(own))])
    assert first.n_ran == 1
    hashes = json.loads((out / "run.json").read_text())["data_hashes"]
    assert hashes["fail_on"]["path"] == str(own)
    again = run_edition(ed, workers=1, progress=False, parameters=[("fail_on", str(own))])
    assert again.n_ran == 0
    own.write_text("a\n3\n")
    assert run_edition(ed, workers=1, progress=False, parameters=[("fail_on", str(own))]).n_ran == 1


def test_longest_tasks_start_first():
    """A long notebook started last leaves the other workers idle: history orders the tasks,
    and without history district-wide notebooks (one task) go before per-commune grids."""
    from analysis.runner.edition import Task
    from analysis.runner.run import _longest_first

    def task(nb: str, unit: str = "") -> Task:
        tid = f"{nb}__{unit}" if unit else nb
        return Task(id=tid, notebook=nb, path=Path(f"{nb}.ipynb"), parameters={}, grid={},
                    fingerprint="x")  # fmt: skip

    tasks = [task("00_quality"), task("30_commune", "a"), task("30_commune", "b"), task("50_merge")]
    fresh = [t.id for t in _longest_first(tasks, {})]
    assert fresh == ["00_quality", "50_merge", "30_commune__a", "30_commune__b"]
    history = {"00_quality": {"duration_s": 0.5}, "50_merge": {"duration_s": 9.0},
               "30_commune__a": {"duration_s": 1.0}, "30_commune__b": {"duration_s": 1.2}}  # fmt: skip
    assert [t.id for t in _longest_first(tasks, history)] == [
        "50_merge",
        "30_commune__b",
        "30_commune__a",
        "00_quality",
    ]
    # a task new since the last run goes first: its duration is unknown
    del history["30_commune__a"]
    assert [t.id for t in _longest_first(tasks, history)][0] == "30_commune__a"
