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
    plots.save_figure(fig, tmp_path / "figures" / "f", formats=("png", "svg"))
    plt.close(fig)
    with atomic_write(tmp_path / "cache" / "c.pkl", "wb", encoding=None, record=False) as fh:
        fh.write(b"x")
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "tables" / "broken.csv") as fh:
        fh.write("half")
        raise RuntimeError("crash while writing")
    assert read_output_log(log, tmp_path) == ["figures/f.png", "figures/f.svg", "tables/t.csv"]


# --- formula injection (issue 19): one escaping helper for every CSV/XLSX table written
HOSTILE = ["=cmd|' /C calc'!A0", "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_formula_prefixes_a_quote_to_text_a_spreadsheet_would_run(value):
    from analysis.io import escape_formula

    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value", [-3.5, 0, 12, "-3.5", "-3,5", "+84", "-1e-3", "-12%", "Đại Lộc", "a=b", None]
)
def test_numbers_negative_numbers_and_plain_text_are_never_escaped(value):
    from analysis.io import escape_formula

    assert escape_formula(value) == value


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_table_written_escapes_text_cells_only(tmp_path, suffix):
    import openpyxl

    df = pd.DataFrame(
        {
            "unit_code": ["=2+3", "20500"],
            "name_vi": ["@SUM(1+1)", "Ái Nghĩa"],
            "gap": [-0.25, 0.1],  # numbers, negative ones included, stay numbers
            "mixed": ["-x", -2.0],  # object column: only its text is escaped
        }
    )
    path = save_table(df, tmp_path / f"t{suffix}")
    if suffix == ".csv":
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[1] == "'=2+3,'@SUM(1+1),-0.25,'-x"
        assert lines[2] == "20500,Ái Nghĩa,0.1,-2.0"
    else:
        ws = openpyxl.load_workbook(path).active
        cells = [c for row in ws.iter_rows(min_row=2) for c in row]
        assert not [c for c in cells if c.data_type == "f"]
        assert [c.value for c in cells] == [
            "'=2+3",
            "'@SUM(1+1)",
            -0.25,
            "'-x",
            "20500",
            "Ái Nghĩa",
            0.1,
            -2,
        ]
    assert df["unit_code"].tolist() == ["=2+3", "20500"]  # the caller's frame is not changed


def test_parquet_keeps_values_as_they_are(tmp_path):
    df = pd.DataFrame({"unit_code": ["=2+3"]})
    assert read_table(save_table(df, tmp_path / "t.parquet"))["unit_code"].tolist() == ["=2+3"]
