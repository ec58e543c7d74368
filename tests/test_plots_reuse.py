"""analysis.plots._reuse: a figure kind drawn for many units from one template gives, for every
unit, the bytes a fresh figure gives; only the unit's own artists are drawn again."""

from __future__ import annotations

import matplotlib.axis
import matplotlib.pyplot as plt
import pytest

from analysis import plots
from analysis.errors import ParameterError

pytestmark = [
    pytest.mark.usefixtures("plot_style"),
    pytest.mark.filterwarnings(r"error:Glyph .* missing:UserWarning"),
]

#: kind -> (parts of the kind, fresh figure of one unit), from the example tables
KINDS = {
    "profile": (
        lambda d, lang: plots.profile_parts(d["scores"], units=d["units"], lang=lang),
        lambda d, code, lang: plots.plot_commune_profile(d["scores"], code, units=d["units"], lang=lang).figure,
    ),
    "targets": (
        lambda d, lang: plots.targets_parts(d["observations"], units=d["units"], lang=lang),
        lambda d, code, lang: plots.plot_distance_to_targets(d["observations"], code, units=d["units"], lang=lang).figure,
    ),
    "trend": (
        lambda d, lang: plots.trend_parts(d["pillars"], units=d["units"], lang=lang),
        lambda d, code, lang: plots.plot_pillar_trend(d["pillars"], code, units=d["units"], lang=lang).figure,
    ),
}  # fmt: skip


def _fresh_bytes(fig, path, formats=("png",), dpi=100):
    try:
        return [p.read_bytes() for p in plots.save_figure(fig, path, formats=formats, dpi=dpi)]
    finally:
        plt.close(fig)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_unit_from_the_template_is_byte_identical_to_a_fresh_figure(
    plot_tables, kind, lang, tmp_path
):
    parts, fresh = KINDS[kind]
    codes = sorted(plot_tables["units"]["unit_code"])
    with plots.UnitFigures(parts(plot_tables, lang), dpi=100) as figs:
        for code in codes:
            (png,) = figs.save(code, tmp_path / "reused" / code)
            expected = _fresh_bytes(fresh(plot_tables, code, lang), tmp_path / "fresh" / code)
            assert [png.read_bytes()] == expected, (kind, lang, code)
        assert (figs.reused, figs.fresh) == (len(codes), 0)  # every commune drawn from the template
    assert len(plt.get_fignums()) == 0  # the template is closed


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_vector_formats_and_300_dpi_from_the_template_match_too(plot_tables, kind, tmp_path):
    parts, fresh = KINDS[kind]
    with plots.UnitFigures(parts(plot_tables, "vi"), dpi=300) as figs:
        for code in ("20500", "20548"):
            got = [p.read_bytes() for p in figs.save(code, tmp_path / code, formats=("png", "svg"))]
            want = _fresh_bytes(
                fresh(plot_tables, code, "vi"), tmp_path / f"f{code}", ("png", "svg"), 300
            )
            assert got == want, (kind, code)


def test_a_unit_that_would_change_the_layout_is_drawn_afresh(plot_tables, tmp_path):
    units = plot_tables["units"].copy()
    long = "Xã có một cái tên rất dài, dài hơn bốn mươi ký tự một dòng"  # a two-line title
    units.loc[units["unit_code"] == "20509", "name_vi"] = long
    tables = {**plot_tables, "units": units}
    parts, fresh = KINDS["profile"]
    with plots.UnitFigures(parts(tables, "vi"), dpi=60) as figs:
        for code in ("20500", "20509", "20512"):
            (png,) = figs.save(code, tmp_path / code)
            assert [png.read_bytes()] == _fresh_bytes(
                fresh(tables, code, "vi"), tmp_path / f"f{code}", dpi=60
            )
        assert (figs.reused, figs.fresh) == (2, 1)
        with pytest.raises(ParameterError, match="99999"):
            figs.save("99999", tmp_path / "x")


def test_only_the_units_own_artists_are_drawn_again(plot_tables, tmp_path, monkeypatch):
    parts, _fresh = KINDS["profile"]
    calls = []
    real = matplotlib.axis.Axis.draw
    monkeypatch.setattr(  # count the axes' tick, label and grid drawings
        matplotlib.axis.Axis,
        "draw",
        lambda self, r: (calls.append(self.get_visible()), real(self, r))[1],
    )
    with plots.UnitFigures(parts(plot_tables, "en"), dpi=60) as figs:
        figs.save("20500", tmp_path / "a")  # the template: the shared part is drawn once
        n = sum(calls)
        assert n > 0
        figs.save("20503", tmp_path / "b")
        figs.save("20506", tmp_path / "c")
        assert sum(calls) == n  # ticks, labels and grid come from the captured pixels
