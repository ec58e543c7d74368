"""The results store: exact round trip, keyed on the package source, computed once, no pickle."""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import time

import pandas as pd
import pytest

from analysis import store
from analysis.results import Results


def _results(value: float = 1.0) -> Results:
    frame = pd.DataFrame(
        {
            "unit_code": pd.Series(["20500", "20503"], dtype="str"),
            "value": [value, float("nan")],
            "n": pd.array([1, None], dtype="Int64"),
            "flag": pd.array([True, None], dtype="boolean"),
            "status": ["synthetic", "synthetic"],
        }
    )
    frame.attrs = {"level": 0.9, "n_indicators": {"government": 6}, "pillars": ["economy"]}
    tables = {
        f.name: frame.copy()
        for f in dataclasses.fields(Results)
        if f.name not in ("params", "period", "extra")
    }
    for name in tables:
        tables[name].attrs = dict(frame.attrs)
    return Results(params={"draws": 10, "digest": "abc"}, period="2025H1", extra={}, **tables)


def test_round_trip_is_exact(tmp_path):
    res = _results()
    store.save(tmp_path, "k", res)
    back = store.load(tmp_path, "k")
    for f in dataclasses.fields(Results):
        a, b = getattr(res, f.name), getattr(back, f.name)
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True)
            assert a.attrs == b.attrs
        else:
            assert a == b


def test_key_changes_with_the_package_source(monkeypatch):
    a = store.results_key("d", {"draws": 10})
    monkeypatch.setattr(store, "package_digest", lambda: "another source")
    assert store.results_key("d", {"draws": 10}) != a
    assert store.results_key("d", {"draws": 11}) != a


def test_unreadable_or_foreign_entries_are_recomputed_never_unpickled(tmp_path):
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "meta.json").write_text("{not json")
    (tmp_path / "k" / "results.pkl").write_bytes(b"cos\nsystem\n(S'touch /tmp/pwned'\ntR.")
    calls = []

    def compute():
        calls.append(1)
        return _results(2.0)

    res = store.get_or_compute(tmp_path, "k", compute)
    assert calls == [1] and res.gaps["value"].iloc[0] == 2.0
    assert store.load(tmp_path, "k") is not None  # the entry was rewritten
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def _worker(folder, log):
    def compute():
        with open(log, "a") as fh:
            fh.write("computed\n")
        time.sleep(0.5)
        return _results(3.0)

    res = store.get_or_compute(folder, "shared", compute)
    assert res.gaps["value"].iloc[0] == 3.0


def test_concurrent_callers_compute_once(tmp_path):
    log = tmp_path / "log.txt"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_worker, args=(tmp_path / "store", log)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert log.read_text().count("computed") == 1


def test_a_type_the_store_cannot_hold_fails_loudly(tmp_path):
    res = _results()
    res.extra = {"obj": object()}
    with pytest.raises(TypeError, match="cannot store"):
        store.save(tmp_path, "k", res)
    assert not (tmp_path / "k").exists()
