"""The runner under a careless or hostile user: kills, stale locks, damaged outputs, bad paths.

Issue 19's runner cases: a run killed with SIGKILL (during a task, while writing run.json,
in the middle of writing a brief) leaves no process behind and the next run proceeds at once
with every recorded output intact; a lock whose owner is gone is taken over; resume checks
size and hash of what each task wrote; a failed task's earlier outputs are removed; relative
paths mean the user's folder; the output folder that cannot be written, a broken YAML file and
a value a notebook does not allow are one clear message before anything runs; partial runs
keep the edition's run.json; ``--force`` empties the results store.

The notebooks are tests/notebooks/light.ipynb and writer.ipynb (tables, a PNG and a PDF brief
written through analysis.outputs; it can pause at a stage so that a test kills the run there).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from analysis.errors import ParameterError, RunError
from analysis.runner import load_edition, plan_edition, run_edition

NB_DIR = Path(__file__).parent / "notebooks"
PYTHON = sys.executable


def _edition(tmp_path: Path, body: str, name: str = "ed", out: Path | None = None) -> Path:
    text = (
        f"edition: {name}\nnotebooks_dir: {NB_DIR}\noutput_dir: {out or tmp_path / 'out'}\n"
        + textwrap.dedent(body)
    )
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _writer_edition(tmp_path: Path, control: Path, units=("20500", "20503", "20506")) -> Path:
    return _edition(
        tmp_path,
        f"""
        notebooks:
          - name: writer
            parameters: {{control_dir: "{control}"}}
            grid: {{unit_code: [{", ".join(f'"{u}"' for u in units)}]}}
        """,
    )


# --------------------------------------------------------------------------- processes
def _pids_with_marker(marker: str) -> set[int]:
    """Processes whose environment carries DGAP_TEST_RUN=marker: the run's runner, workers and
    kernels (they inherit it), and nobody else's (other runs on this machine)."""
    found = set()
    needle = f"DGAP_TEST_RUN={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if needle in env.split(b"\0") and stat.split(")")[-1].split()[0] != "Z":
            found.add(int(entry.name))
    return found


def _ipykernels() -> set[int]:
    res = subprocess.run(["pgrep", "-f", "ipykernel"], capture_output=True, text=True)
    return {int(x) for x in res.stdout.split()}


def _wait_until(predicate, timeout: float, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.fixture
def no_orphans():
    """Yields a marker for processes started by the test; afterwards none of them may remain
    (they are killed, by pid, if they do, and the test fails)."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to find the run's processes")
    marker = uuid.uuid4().hex
    kernels_before = _ipykernels()
    yield marker
    left = _pids_with_marker(marker)
    if left and not _wait_until(lambda: not _pids_with_marker(marker), 15):
        for pid in _pids_with_marker(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        pytest.fail(f"processes of the killed run still alive: {sorted(left)}")
    new_kernels = _ipykernels() - kernels_before
    ours = new_kernels & _pids_with_marker(marker)
    assert not ours, f"orphan kernels: {sorted(ours)}"


def _start_runner(
    ed: Path, marker: str, tmp_path: Path, *, kill_manifest_write: int = 0, workers: int = 2
):
    """``run_edition`` in a child process (the one the test kills), tagged with ``marker``.

    ``kill_manifest_write=N``: the runner kills itself with SIGKILL in the middle of its N-th
    write of run.json (half the new text written to the temporary file).
    """
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from analysis import outputs
        from analysis.runner import records, run_edition

        calls = [0]
        real = records.write_text

        def write_text(path, text, record=True):
            if path.name == "run.json":
                calls[0] += 1
                if calls[0] == {kill_manifest_write}:
                    with outputs.atomic_write(path, record=False) as fh:
                        fh.write(text[: len(text) // 2])
                        fh.flush()
                        open({str(tmp_path / "manifest_killed")!r}, "w").close()
                        os.kill(os.getpid(), signal.SIGKILL)
            return real(path, text, record=record)

        records.write_text = write_text
        run_edition({str(ed)!r}, workers={workers}, progress=False)
        """
    )
    env = {**os.environ, "DGAP_TEST_RUN": marker}
    return subprocess.Popen([PYTHON, "-c", script], env=env, cwd=tmp_path)


def _check_outputs_intact(out: Path) -> dict:
    """Every file run.json lists parses as what it is; returns run.json."""
    from PIL import Image
    from pypdf import PdfReader

    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    listed = {
        rel
        for entry in manifest["tasks"].values()
        for rel in list(entry.get("outputs") or ()) + list(entry.get("files") or {})
    }
    assert listed
    for rel in listed:
        path = out / rel
        assert path.is_file(), rel
        if path.suffix == ".pdf":
            assert len(PdfReader(path).pages) == 1, rel
        elif path.suffix == ".png":
            with Image.open(path) as im:
                im.load()
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as fh:
                assert list(csv.DictReader(fh)), rel
        elif path.suffix in (".ipynb", ".json"):
            json.loads(path.read_text(encoding="utf-8"))
    assert not [p for p in out.rglob("*") if ".tmp" in p.name], "temporary files left"
    return manifest


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["task", "manifest", "brief"])
def test_sigkill_then_rerun_at_once(tmp_path, no_orphans, stage, caplog):
    """SIGKILL of the runner during a task, during a run.json write, during a brief write:
    its workers and kernels die with it, and a rerun right away proceeds (no 'another run is
    writing'), marks the dead run, cleans its temporary files and leaves every output intact."""
    control = tmp_path / "control"
    control.mkdir()
    ed = _writer_edition(tmp_path, control)
    out = tmp_path / "out"
    if stage == "manifest":
        # first write: all pending; then one per finished task: die in the 3rd write
        proc = _start_runner(ed, no_orphans, tmp_path, kill_manifest_write=3)
        assert proc.wait(timeout=180) == -signal.SIGKILL
        assert (tmp_path / "manifest_killed").exists()
        assert list(out.glob(".run.json.*.tmp"))  # the interrupted write's temporary file
    else:
        (control / f"pause_{stage}_20503").touch()
        proc = _start_runner(ed, no_orphans, tmp_path)
        paused = control / f"paused_{stage}_20503"
        assert _wait_until(lambda: paused.exists() or proc.poll() is not None, 180)
        assert proc.poll() is None, "the run ended before the pause"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        (control / f"pause_{stage}_20503").unlink()
        if stage == "brief":
            assert list((out / "briefs").glob(".20503_vi.pdf.*.tmp"))  # half a brief
    # no process of the killed run survives it (workers, fork server, kernels)
    assert _wait_until(lambda: not _pids_with_marker(no_orphans), 15), sorted(
        _pids_with_marker(no_orphans)
    )
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    caplog.set_level(logging.INFO, logger="analysis.runner")
    res = run_edition(ed, workers=2, progress=False)  # at once, no clean-up by hand
    assert res.ok and res.n_ran >= 1
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "did not finish" in messages and "marked interrupted" in messages
    manifest = _check_outputs_intact(out)
    assert manifest["status"] == "ok" and manifest["summary"]["ok"] == 3
    assert run_edition(ed, workers=1, progress=False).n_ran == 0  # and resume works after it


def test_workers_and_kernels_die_with_their_parent(tmp_path, no_orphans):
    """prctl(PR_SET_PDEATHSIG), the watchdog where prctl is not used, and the kernel launcher:
    a child of a killed process ends by itself."""
    script = textwrap.dedent(
        """
        import os, subprocess, sys, time
        from analysis.runner import lifetime

        runner = os.getpid()
        for how in ("prctl", "watchdog"):
            pid = os.fork()
            if pid == 0:
                try:
                    if how == "watchdog":
                        lifetime._prctl_pdeathsig = lambda sig: False
                    if lifetime.die_with_parent(runner) == how:
                        time.sleep(120)
                finally:
                    os._exit(0)
            print(pid, flush=True)
        kernel = subprocess.Popen(lifetime.kernel_command([sys.executable, "-c", "import time; time.sleep(120)"]))
        print(kernel.pid, flush=True)
        time.sleep(120)
        """
    )
    env = {**os.environ, "DGAP_TEST_RUN": no_orphans}
    proc = subprocess.Popen([PYTHON, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    children = [int(proc.stdout.readline()) for _ in range(3)]
    time.sleep(0.5)  # the launcher has exec'ed the "kernel"
    assert all(_pids_with_marker(no_orphans) >= {c} for c in children)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert _wait_until(lambda: not (_pids_with_marker(no_orphans) & set(children)), 10)


# --------------------------------------------------------------------------- lock
def _hold_lock_script(out: Path, pidfile: Path, *, orphan: bool) -> str:
    """A run that takes the lock; with ``orphan`` it forks a child that keeps the lock file
    open (as the workers of a killed run did) and exits itself."""
    return textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        from analysis.runner.lock import acquire_output_lock

        lock = acquire_output_lock(Path({str(out)!r}))
        if {orphan}:
            pid = os.fork()
            if pid == 0:
                time.sleep(120)
                os._exit(0)
            Path({str(pidfile)!r}).write_text(str(pid))
            os._exit(0)
        Path({str(pidfile)!r}).write_text(str(os.getpid()))
        time.sleep(120)
        """
    )


def test_stale_lock_is_taken_over_and_a_live_one_is_not(tmp_path, no_orphans, caplog):
    from analysis.runner.lock import acquire_output_lock

    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "DGAP_TEST_RUN": no_orphans}
    pidfile = tmp_path / "pid"
    # a live run holds the lock: refused, naming it
    live = subprocess.Popen([PYTHON, "-c", _hold_lock_script(out, pidfile, orphan=False)], env=env)
    try:
        assert _wait_until(pidfile.exists, 60)
        with pytest.raises(RunError, match=rf"another run is writing to .*pid {live.pid} on "):
            acquire_output_lock(out)
    finally:
        live.kill()
        live.wait()
    pidfile.unlink()
    # the owner died; a process it left behind still holds the file: taken over
    subprocess.run(
        [PYTHON, "-c", _hold_lock_script(out, pidfile, orphan=True)], env=env, check=True
    )
    assert _wait_until(pidfile.exists, 60)
    orphan = int(pidfile.read_text())
    try:
        import fcntl

        with open(out / ".lock") as fh:  # still held by the orphan
            with pytest.raises(OSError):
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        caplog.set_level(logging.WARNING, logger="analysis.runner")
        with acquire_output_lock(out) as lock:
            owner = json.loads((out / ".lock").read_text())
            assert owner["pid"] == os.getpid() and lock.fd >= 0
        assert "belonged to a run that is gone" in caplog.text and "taking it over" in caplog.text
    finally:
        os.kill(orphan, signal.SIGKILL)


# --------------------------------------------------------------------------- integrity
def test_resume_checks_size_and_hash_and_shared_files(tmp_path, caplog):
    ed = _edition(
        tmp_path,
        """
        notebooks:
          - name: writer
            parameters: {shared: true}
            grid: {unit_code: ["20500", "20503"]}
        """,
    )
    out = tmp_path / "out"
    assert run_edition(ed, workers=1, progress=False).n_ran == 2
    entry = json.loads((out / "run.json").read_text())["tasks"]["writer__unit_code-20503"]
    pdf = "briefs/20503_vi.pdf"
    assert set(entry["files"]) >= {
        pdf,
        "tables/shared.csv",
        "notebooks/writer__unit_code-20503.ipynb",
    }
    assert (
        entry["files"][pdf]["sha256"] and entry["files"][pdf]["size"] == (out / pdf).stat().st_size
    )
    # tables/shared.csv is written by both tasks: checked against its last write, no ping-pong
    assert run_edition(ed, workers=1, progress=False).n_ran == 0
    # a truncated brief reruns its task (existence is not enough), and says why
    data = (out / pdf).read_bytes()
    (out / pdf).write_bytes(data[: len(data) // 2])
    caplog.set_level(logging.INFO, logger="analysis.runner")
    again = run_edition(ed, workers=1, progress=False)
    assert [r.task.id for r in again.results if r.action == "ran"] == ["writer__unit_code-20503"]
    assert f"{pdf} changed size since it was written" in caplog.text
    assert (out / pdf).read_bytes() == data
    # same size, other content: reruns; same content, new modification time: does not
    png = out / "figures" / "20500__square.png"
    png.write_bytes(bytes(reversed(png.read_bytes())))
    assert run_edition(ed, workers=1, progress=False).n_ran == 1
    os.utime(png, ns=(time.time_ns(), time.time_ns()))
    assert run_edition(ed, workers=1, progress=False).n_ran == 0


def test_failed_task_removes_its_earlier_outputs(tmp_path, caplog):
    ed = _edition(
        tmp_path,
        """
        notebooks:
          - name: light
            grid: {unit_code: ["20500", "20503"]}
        """,
    )
    out = tmp_path / "out"
    run_edition(ed, workers=1, progress=False)
    stale = out / "tables" / "light_20503_vi.json"
    assert stale.is_file()
    caplog.set_level(logging.WARNING, logger="analysis.runner")
    with pytest.raises(RunError):
        run_edition(ed, workers=1, progress=False, parameters=[("fail_on", "20503")])
    assert not stale.exists()  # a table from other code/parameters is not left as if current
    assert (out / "tables" / "light_20500_vi.json").is_file()
    entry = json.loads((out / "run.json").read_text())["tasks"]["light__unit_code-20503"]
    assert entry["status"] == "failed" and entry["removed_stale"] == ["tables/light_20503_vi.json"]
    assert "light__unit_code-20503 failed: removed 1 file(s)" in caplog.text


# --------------------------------------------------------------------------- paths
def test_relative_paths_are_the_users_folder(tmp_path, monkeypatch):
    """-p DATASET ./FILE from another folder reads that file (and hashes it); a relative
    --output works (the output log of each task included)."""
    repo_default = tmp_path / "default.txt"
    repo_default.write_text("default")
    ed = _edition(
        tmp_path,
        f"""
        datasets: {{data_path: {repo_default}}}
        notebooks:
          - {{name: writer, parameters: {{unit_code: "20500"}}}}
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.txt").write_text("mine")
    monkeypatch.chdir(elsewhere)
    res = run_edition(
        ed, workers=1, progress=False, output_dir="rel_out", parameters=[("data_path", "mine.txt")]
    )
    out = elsewhere / "rel_out"
    assert res.ok and res.output_dir == out
    assert (out / "tables" / "state_20500.csv").read_text().splitlines()[1] == "20500,mine"
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["data_hashes"]["data_path"]["path"] == str(elsewhere / "mine.txt")
    outputs = manifest["tasks"]["writer"]["outputs"]
    assert "tables/state_20500.csv" in outputs and "briefs/20500_vi.pdf" in outputs


def test_unwritable_output_folder_is_one_message(tmp_path, monkeypatch, capsys):
    from analysis.cli import main

    ed = _edition(tmp_path, "notebooks: [light]\n", out=tmp_path / "reports" / "ed")
    reports = tmp_path / "reports"
    reports.mkdir()
    if os.geteuid() != 0:
        reports.chmod(0o555)
    else:  # root writes anywhere: the folder refuses as a read-only one would
        real_mkdir = Path.mkdir

        def mkdir(self, *args, **kwargs):
            if self == reports / "ed" or reports / "ed" in self.parents:
                raise PermissionError(13, "Permission denied", str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    try:
        assert main(["report", "--edition", str(ed)]) == 2
    finally:
        reports.chmod(0o755)
    err = capsys.readouterr().err
    assert f"{reports} is not writable" in err and "chmod -R u+w" in err and "--output" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "content, match",
    [
        (b"n: 3\nlang: [vi,\n", r"p\.yaml:3:1: parameters file \(-f\) is not valid YAML"),
        (b"n: 3\nlang: \xff\xfeen\n", r"p\.yaml:2: parameters file \(-f\) is not UTF-8 text"),
        (b"- just\n- a list\n", "must hold a mapping name: value"),
    ],
)
def test_broken_parameters_file_is_located(tmp_path, capsys, content, match):
    from analysis.cli import main

    ed = _edition(tmp_path, "notebooks: [light]\n")
    bad = tmp_path / "p.yaml"
    bad.write_bytes(content)
    with pytest.raises(ParameterError, match=match):
        run_edition(ed, parameter_files=[bad], dry_run=True)
    assert main(["report", "--edition", str(ed), "-f", str(bad), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "p.yaml" in err


# --------------------------------------------------------------------------- allowed values
@pytest.mark.parametrize(
    "override, match",
    [
        (("lang", "fr"), r"-p lang fr: notebook 00_data_quality: parameter 'lang': 'fr' is not allowed; choose one of: vi, en"),
        (("normalise", "bogus"), r"'bogus' is not allowed; choose one of: target, goalposts, minmax, zscore, rank, percentile"),
        (("30_commune_profile.unit_code", "99999"), r"'99999' is not a unit_code of units_path \(.*dai_loc_units\.csv\); choose one of: 20500, 20503, "),
        (("period", "2031H1"), r"'2031H1' is not a period of observations_path \(.*observations\.csv\); choose one of: 2022H1, "),
        (("langs", "[vi, fr]"), r"parameter 'langs': 'fr' is not allowed; choose one of: vi, en"),
    ],
)  # fmt: skip
def test_values_a_notebook_does_not_allow_stop_before_anything_runs(tmp_path, override, match):
    with pytest.raises(ParameterError, match=match):
        run_edition("dai_loc", parameters=[override], output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing ran, nothing was created


def test_allowed_values_pass_and_the_default_is_allowed():
    ed = load_edition("smoke")
    tasks = plan_edition(ed, overrides=[])
    assert all(t.parameters.get("period", "") == "" for t in tasks)  # default "": the latest
    from analysis.runner.edition import parse_override

    ok = plan_edition(
        ed, overrides=[parse_override("period", "2024H2"), parse_override("lang", "en")]
    )
    assert {t.parameters.get("period") for t in ok} == {"2024H2", None}


# --------------------------------------------------------------------------- records, store
def test_partial_run_keeps_run_json_and_resume_sees_it(tmp_path, caplog):
    ed = _edition(
        tmp_path,
        """
        notebooks:
          - {name: light, id: a, grid: {unit_code: ["20500", "20503"]}}
          - {name: light, id: b, parameters: {unit_code: "20506"}}
        """,
    )
    out = tmp_path / "out"
    run_edition(ed, workers=1, progress=False)
    full = (out / "run.json").read_bytes()
    (out / "tables" / "light_20506_vi.json").unlink()
    part = run_edition(ed, workers=1, progress=False, only=["b"])
    assert part.partial and part.n_ran == 1
    assert (out / "run.json").read_bytes() == full  # the edition's provenance is untouched
    record = json.loads(part.manifest_path.read_text())
    assert part.manifest_path.parent == out / "runs" and record["partial"] is True
    assert record["only"] == ["b"] and list(record["tasks"]) == ["b"]
    assert record["sequence"] == json.loads(full)["sequence"] + 1
    # the next full run resumes from both records: nothing to do
    assert run_edition(ed, workers=1, progress=False).n_ran == 0
    # an override of a grid axis runs a subset: partial too
    sub = run_edition(ed, workers=1, progress=False, parameters=[("a.unit_code", "20503")])
    assert sub.partial and [r.task.id for r in sub.results] == ["a__unit_code-20503", "b"]
    # a dead run's record left 'running' is marked interrupted by the next run, partial or not
    data = json.loads((out / "run.json").read_text())
    data["status"] = "running"
    (out / "run.json").write_text(json.dumps(data))
    caplog.set_level(logging.WARNING, logger="analysis.runner")
    run_edition(ed, workers=1, progress=False, only=["b"])
    assert json.loads((out / "run.json").read_text())["status"] == "interrupted"
    assert "did not finish" in caplog.text


def test_force_empties_the_store_and_run_json_lists_it(tmp_path):
    ed = _edition(tmp_path, "notebooks: [{name: light, parameters: {unit_code: '20500'}}]\n")
    out = tmp_path / "out"
    (out / "store" / "results").mkdir(parents=True)
    (out / "store" / "results" / "scores-abc.parquet").write_bytes(b"PAR1")
    (out / "cache").mkdir()
    (out / "cache" / "results-old.pkl").write_bytes(b"x")
    run_edition(ed, workers=1, progress=False)
    store = json.loads((out / "run.json").read_text())["store"]
    assert store == [{"path": "store/results/scores-abc.parquet", "size": 4}]
    run_edition(ed, workers=1, progress=False, force=True)
    assert not list((out / "store").rglob("*.parquet")) and not list((out / "cache").iterdir())
    assert json.loads((out / "run.json").read_text())["store"] == []


# --------------------------------------------------------------------------- speed
def test_up_to_date_run_imports_nothing_heavy(tmp_path):
    """A run with nothing to do decides without papermill, nbconvert, jsonschema or pandas."""
    ed = _edition(tmp_path, "notebooks: [{name: light, parameters: {unit_code: '20500'}}]\n")
    run_edition(ed, workers=1, progress=False)
    heavy = ["papermill", "nbconvert", "nbformat", "jsonschema", "pandas", "jupyter_client"]
    code = (
        "import sys; from analysis.cli import main; "
        f"rc = main(['report', '--edition', {str(ed)!r}]); "
        f"print(rc, [m for m in {heavy!r} if m in sys.modules])"
    )
    res = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.stdout.strip() == "0 []", res.stdout + res.stderr
    assert "0 ran, 1 skipped" in res.stderr


def test_dask_threads_and_relative_output_record_each_tasks_files(tmp_path, monkeypatch):
    """Two tasks at once in two threads of one Dask worker, output folder given relative:
    each task's output log (DGAP_OUTPUT_LOG, set per kernel) records its own files."""
    distributed = pytest.importorskip("distributed")
    ed = _edition(
        tmp_path,
        """
        notebooks:
          - name: writer
            grid: {unit_code: ["20500", "20503", "20506"]}
        """,
    )
    monkeypatch.chdir(tmp_path)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        res = run_edition(ed, scheduler=cluster.scheduler_address, output_dir="rel", progress=False)
    assert res.ok and res.output_dir == tmp_path / "rel"
    tasks = json.loads((tmp_path / "rel" / "run.json").read_text())["tasks"]
    assert len({e["pid"] for e in tasks.values()}) == 1  # one worker process, two threads
    for code in ("20500", "20503", "20506"):
        assert tasks[f"writer__unit_code-{code}"]["outputs"] == [
            f"briefs/{code}_vi.pdf",
            f"figures/{code}__square.png",
            f"tables/state_{code}.csv",
        ]
    _check_outputs_intact(tmp_path / "rel")
