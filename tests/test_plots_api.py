"""The public API of analysis.plots (plots/__init__): the contract every figure kind keeps, and
the gallery notebook that shows them all. Tests check artists, not pixels."""

from __future__ import annotations

import json
import re
import unicodedata

import matplotlib.pyplot as plt
import matplotlib.text as mtext
import pytest

from analysis import config, plots
from analysis.errors import DataValidationError, ParameterError

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]

WATERMARK = "Dữ liệu minh họa / Illustrative data"


def _texts(fig):
    return [t.get_text() for t in fig.findobj(mtext.Text)]


def test_public_names_are_reexported():
    for name in plots.__all__:
        assert getattr(plots, name) is not None, name
    public = {n for n in dir(plots) if n.startswith(("plot_", "figure_"))}
    assert public <= set(plots.__all__)
    assert not hasattr(plots, "example_data")  # synthetic data live in analysis.demo


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_draws_with_watermark_and_localised_text(plot_tables, plot_kind, lang):
    name, make = plot_kind
    fig = make(plot_tables, lang)
    fig.canvas.draw()
    texts = _texts(fig)
    marks = [t for t in fig.findobj(mtext.Text) if t.get_gid() == plots.WATERMARK_GID]
    assert marks and all(m.get_text() == WATERMARK and m.get_visible() for m in marks)
    joined = "\n".join(texts)
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    decimal_point = re.compile(r"\d\.\d{1,2}(?!\d)")  # 0.78 (not the thousands group of 2.000)
    decimal_comma = re.compile(r"\d,\d{1,2}(?!\d)")
    if lang == "vi":
        assert not decimal_point.search(joined), "no English decimal point in a vi figure"
        if name not in ("rank",):  # the rank figure has no decimals
            assert decimal_comma.search(joined), "Vietnamese decimal comma expected"
    else:
        assert not decimal_comma.search(joined), "no Vietnamese decimal comma in an en figure"


def test_no_watermark_on_observed_data(plot_tables_observed, plot_kind):
    _name, make = plot_kind
    fig = make(plot_tables_observed, "vi")
    fig.canvas.draw()
    assert WATERMARK not in _texts(fig)
    fig2 = make(plot_tables_observed, "vi", status="synthetic")
    assert WATERMARK in _texts(fig2)


def test_draws_into_given_ax_and_never_uses_gca(plot_tables):
    fig, (a1, a2) = plt.subplots(1, 2)
    plt.sca(a1)
    n_before = len(plt.get_fignums())
    out = plots.plot_gap_dumbbell(plot_tables["gaps"], ax=a2, units=plot_tables["units"])
    assert out is a2 and len(plt.get_fignums()) == n_before
    assert not a1.collections and not a1.lines  # the current axes were not touched
    out2 = plots.plot_rank_uncertainty(plot_tables["rank_stats"])
    assert out2.figure is not fig and len(plt.get_fignums()) == n_before + 1
    with pytest.raises(ParameterError, match="ax must be a matplotlib Axes"):
        plots.plot_sensitivity(plot_tables["sensitivity"], ax=fig)


def test_errors_name_the_problem(plot_tables):
    data = plot_tables
    with pytest.raises(DataValidationError, match="gap_mean"):
        plots.plot_gap_dumbbell(data["gaps"].drop(columns="gap_mean"))
    with pytest.raises(ParameterError, match="2099H1.*2022H1"):
        plots.plot_gap_dumbbell(data["gaps"], period="2099H1")
    with pytest.raises(ParameterError, match="lang='fr'"):
        plots.plot_sensitivity(data["sensitivity"], lang="fr")
    with pytest.raises(ParameterError, match="y='index'"):
        plots.plot_pillar_scatter(data["gaps"], y="index")
    with pytest.raises(ParameterError, match="99999"):
        plots.plot_commune_profile(data["scores"], "99999")


# ------------------------------------------------------------------ gallery notebook
GALLERY = config.NOTEBOOKS / "90_gallery.ipynb"


def test_gallery_notebook_structure():
    nb = json.loads(GALLERY.read_text(encoding="utf-8"))
    cells = [{**c, "source": "".join(c["source"])} for c in nb["cells"]]
    params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    lines = [ln for ln in params[0]["source"].splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines and all(re.match(r"^\w+: \w+ = .+  # \S", ln) for ln in lines), lines
    for c in cells:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
            assert not re.search(r"^\s*(def|class) ", c["source"], re.M)
    src = "\n".join(c["source"] for c in cells)
    assert "demo.example_plot_data(" in src
    for fn in ("plot_pillar_heatmap", "plot_gap_dumbbell", "figure_pillar_scatter", "plot_commune_profile", "plot_rank_uncertainty",
               "plot_sensitivity", "figure_trends", "plot_gap_trend", "plot_distance_to_targets", "plot_map"):  # fmt: skip
        assert fn in src, fn


@pytest.mark.slow
def test_gallery_notebook_runs(tmp_path):
    pm = pytest.importorskip("papermill")
    out_dir = tmp_path / "figs"
    pm.execute_notebook(str(GALLERY), str(tmp_path / "out.ipynb"), parameters={"lang": "en", "output_dir": str(out_dir)},
                        kernel_name="python3", progress_bar=False, cwd=str(config.NOTEBOOKS))  # fmt: skip
    pngs = sorted(p.name for p in out_dir.glob("*.png"))
    assert len(pngs) >= 10 and len(list(out_dir.glob("*.svg"))) == len(pngs)
