"""analysis.io: tables read and written (CSV, XLSX, Parquet) with codes kept as text."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import DataValidationError
from analysis.io import normalise_code, read_table, save_table


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_tables_round_trip_with_codes_as_text(tmp_path, suffix):
    df = pd.DataFrame({"unit_code": ["00501", "20500"], "name_vi": ["Xã Đại Lộc", "Ái Nghĩa"]})
    path = save_table(df, tmp_path / f"t{suffix}", status="observed")
    back = read_table(path)
    assert back["unit_code"].tolist() == ["00501", "20500"]  # leading zero kept
    assert back["name_vi"].tolist() == ["Xã Đại Lộc", "Ái Nghĩa"]
    assert back["status"].tolist() == ["observed", "observed"]


def test_csv_is_written_with_unix_newlines_and_read_with_a_bom(tmp_path):
    path = save_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert path.read_bytes() == b"a\n1\n"
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffunit_code,value\n20500,\n".encode())
    back = read_table(bom)
    assert list(back.columns) == ["unit_code", "value"] and back["value"].isna().all()


def test_read_and_write_errors_name_the_file(tmp_path):
    with pytest.raises(DataValidationError, match="missing.csv: file not found"):
        read_table(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="empty.csv: the file is empty"):
        read_table(empty)
    other = tmp_path / "t.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(DataValidationError, match="unsupported format '.json'"):
        read_table(other)
    with pytest.raises(DataValidationError, match="unsupported table format '.txt'"):
        save_table(pd.DataFrame({"a": [1]}), tmp_path / "t.txt")


def test_codes_typed_as_numbers_become_text():
    assert [normalise_code(v) for v in (20500.0, "20500.00", " 20500 ", None, float("nan"))] == [
        "20500",
        "20500",
        "20500",
        None,
        None,
    ]


def test_writes_are_recorded_for_the_runner_only_when_asked(tmp_path, monkeypatch):
    """Every finished write of the package lands in the task's output log (the runner reruns a
    task whose files are gone); the compute cache does not; outside the runner nothing is logged."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from analysis import plots
    from analysis.outputs import ENV_VAR, atomic_write, read_output_log

    log = tmp_path / "task.log"
    save_table(pd.DataFrame({"a": [1]}), tmp_path / "before.csv")  # no log asked for
    assert not log.exists()
    monkeypatch.setenv(ENV_VAR, str(log))
    save_table(pd.DataFrame({"a": [1]}), tmp_path / "tables" / "t.csv")
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1])
    plots.save_figure(fig, tmp_path / "figures" / "f")
    plt.close(fig)
    with atomic_write(tmp_path / "cache" / "c.pkl", "wb", encoding=None, record=False) as fh:
        fh.write(b"x")
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "tables" / "broken.csv") as fh:
        fh.write("half")
        raise RuntimeError("crash while writing")
    assert read_output_log(log, tmp_path) == ["figures/f.png", "figures/f.svg", "tables/t.csv"]
