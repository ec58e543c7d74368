# Digital-gap analysis toolkit. `make help` lists the targets.
# Every target that needs Python sets up .venv itself: no manual step.

PYTHON ?= python3
# In the conda environment of environment.yml (`conda activate dgap`) every target runs there
# instead of in .venv: `make kernel` then `make lab` (see environment.yml). An environment
# created under another name: `make lab CONDA_ENV=<name>`.
CONDA_ENV ?= dgap
ifeq ($(CONDA_DEFAULT_ENV),$(CONDA_ENV))
CONDA  := 1
VENV   := $(CONDA_PREFIX)
STAMP  := $(VENV)/.dgap-installed
else
VENV   := .venv
STAMP  := $(VENV)/.installed
endif
PY     := $(VENV)/bin/python
EDITION ?= dai_loc
WORKERS ?=
KERNEL := dgap

.DEFAULT_GOAL := help
.PHONY: help setup kernel report test test-fast lab data lint format bench clean

help:  ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
ifdef CONDA
	$(PY) -m pip install --quiet --no-deps -e .
else
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dev,dask]"
endif
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (dgap)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)  ## create .venv, install the package and the Jupyter kernel "dgap"

kernel: $(STAMP)  ## (re)register the Jupyter kernel "dgap" (in the conda env dgap when active)
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (dgap)"

report: $(STAMP)  ## run the main job: edition $(EDITION) into reports/$(EDITION)/
	$(VENV)/bin/dgap report --edition $(EDITION) $(if $(WORKERS),--workers $(WORKERS),)

test: $(STAMP)  ## run the whole test suite (what CI runs)
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP)  ## run the tests not marked slow
	$(PY) -m pytest -n 2 -m "not slow"

lab: $(STAMP)  ## open JupyterLab on the project with the dgap kernel (.venv or conda env dgap)
	$(VENV)/bin/jupyter lab --notebook-dir=.

data: $(STAMP)  ## rebuild derived data (the synthetic demo panel) byte-identically
	$(VENV)/bin/dgap data

lint: $(STAMP)  ## ruff lint + format check (notebooks included), notebooks stripped
	$(VENV)/bin/ruff check src tests benchmarks notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks notebooks
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

format: $(STAMP)  ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix src tests benchmarks notebooks
	$(VENV)/bin/ruff format src tests benchmarks notebooks

bench: $(STAMP)  ## run the benchmarks in benchmarks/ (results in benchmarks/results/)
	$(PY) -m benchmarks

clean:  ## remove generated reports and caches (never touches data/raw/)
	find reports -mindepth 1 -maxdepth 1 -type d ! -name templates -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache build src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
