"""analysis: measure the gap between digital government and the digital economy and society.

The small public API a notebook needs is available from the package itself, imported lazily
(``import analysis`` stays fast for the ``dgap`` command)::

    import analysis as an
    inputs = an.load_inputs()                      # validated observations, units, framework
    res = an.compute_results(inputs)               # scores, gaps with selection and method intervals, claims, tests
    an.plots.set_style(); ax = an.plots.plot_gap_dumbbell(res.gaps, units=inputs.units)

Modules: ``config``, ``errors``, ``io``, ``schema``, ``template``, ``frameworks``, ``presets``,
``sources``, ``units``, ``loaders``, ``demo``, ``composite``, ``gaps``, ``robustness``, ``plots``,
``i18n``, ``briefs``, ``runner``, ``workflow``, ``cli`` (the layers: ``docs/architecture.md``).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> module that defines it
_API = {
    "load_inputs": "loaders",
    "compute_results": "workflow",
    "output_paths": "workflow",
    "load_observations": "loaders",
    "save_table": "io",
    "load_units": "units",
    "load_crosswalk": "units",
    "reaggregate_observations": "units",
    "load_framework": "frameworks",
    "validate_file": "loaders",
    "compute_coverage": "schema",
    "compute_scores": "composite",
    "pillar_table": "composite",
    "compute_index": "composite",
    "compute_gaps": "gaps",
    "run_uncertainty_tidy": "robustness",
    "render_brief": "briefs",
    "run_edition": "runner",
    "AnalysisError": "errors",
}
_MODULES = {
    "config",
    "errors",
    "schema",
    "io",
    "units",
    "frameworks",
    "demo",
    "composite",
    "gaps",
    "robustness",
    "plots",
    "i18n",
    "briefs",
    "runner",
    "sources",
    "presets",
    "loaders",
    "workflow",
    "cli",
    "template",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_API) | _MODULES)
