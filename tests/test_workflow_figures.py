"""analysis.workflow, the figure-saving part: the formats an edition asks for, a figure set per
commune, the batch path byte-identical to the one-commune path, panels left out rather than
drawn empty."""

from __future__ import annotations

import dataclasses

import pytest

from analysis import workflow
from analysis.errors import ParameterError

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The default inputs with small samples (the figures do not depend on their size)."""
    inputs = workflow.load_inputs()
    store = tmp_path_factory.mktemp("store")
    return workflow.compute_results(inputs, n_boot=100, draws=20, store_dir=store), inputs


def test_one_commune_gets_png_only_unless_asked(run, tmp_path):
    res, inputs = run
    out = workflow.output_paths(str(tmp_path / "a"))
    figs = workflow.save_commune_figures(res, inputs, out, "20527", lang="vi")
    assert sorted(figs) == ["profile", "targets", "trend"]
    assert sorted(p.name for p in out.figures.iterdir()) == [
        "20527__profile_vi.png",
        "20527__targets_vi.png",
        "20527__trend_vi.png",
    ]
    assert all(p.endswith(".png") for p in figs.values())
    out2 = workflow.output_paths(str(tmp_path / "b"))
    both = workflow.save_commune_figures(
        res, inputs, out2, "20527", lang="en", formats=["png", "svg"]
    )
    assert len(list(out2.figures.glob("*.svg"))) == 3 and all(
        p.endswith(".png") for p in both.values()
    )
    svg_only = workflow.save_commune_figures(res, inputs, out2, "20500", lang="en", formats=["svg"])
    assert all(p.endswith(".svg") for p in svg_only.values())  # what a brief can still embed
    with pytest.raises(ParameterError, match="99999"):
        workflow.save_commune_figures(res, inputs, out2, "99999")


def test_all_communes_from_templates_equal_one_by_one(run, tmp_path):
    res, inputs = run
    codes = ["20500", "20527"]
    one = workflow.output_paths(str(tmp_path / "one"))
    many = workflow.output_paths(str(tmp_path / "many"))
    made = workflow.save_all_commune_figures(res, inputs, many, codes, langs=("en",))
    assert sorted(made) == codes and sorted(made["20527"]) == ["en"]
    for code in codes:
        for lang in ("en",):
            single = workflow.save_commune_figures(res, inputs, one, code, lang=lang)
            assert sorted(made[code][lang]) == sorted(single)
            for name, path in single.items():
                with open(path, "rb") as a, open(made[code][lang][name], "rb") as b:
                    assert a.read() == b.read(), (code, lang, name)


def test_district_figures_leave_out_what_cannot_be_drawn(run, tmp_path):
    res, inputs = run
    out = workflow.output_paths(str(tmp_path / "d"))
    figs = workflow.save_district_figures(res, inputs, out, lang="en")
    assert sorted(figs) == ["dumbbell", "gap_trend", "map", "scatter"]
    assert not list(out.figures.glob("*.svg"))
    plain = dataclasses.replace(inputs, units=inputs.units.assign(lat=float("nan")))
    figs = workflow.save_district_figures(res, plain, out, lang="vi", formats=["svg"])
    assert sorted(figs) == ["dumbbell", "gap_trend", "scatter"]  # no empty map panel
    assert all(p.endswith(".svg") for p in figs.values())
