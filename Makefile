# `make html` builds the site, `make test` runs every check; both create .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp names the content of requirements.txt, so a fresh clone reuses a matching .venv
# and any change to the pins reinstalls.
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-16)
BSS2_BACKEND ?= emulator
NOTEBOOKS := $(wildcard tutorials/*.md)

.PHONY: html test lint sync-check pytest results benchmark lab clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

html: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html . _build/html

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Deterministic pairing check: the committed .ipynb must convert to exactly the committed .md.
sync-check: $(STAMP)
	@for md in $(NOTEBOOKS); do \
	  $(BIN)/jupytext --quiet --to md:myst -o - "$${md%.md}.ipynb" | diff -u "$$md" - || \
	  { echo "$${md%.md}.ipynb is out of sync with $$md: run $(BIN)/jupytext --to ipynb $$md"; exit 1; }; \
	done

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint sync-check html pytest

# Re-record every experiment of the tutorial into results/ with BSS2_BACKEND (emulator or nmpi).
results: $(STAMP)
	BSS2_RECORD=1 $(BIN)/python -m helpers refresh --backend $(BSS2_BACKEND)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/emulator_full_chip.py
	$(BIN)/python benchmarks/queue_overhead.py
	$(BIN)/python benchmarks/site_build.py

# JupyterLab with the tutorial, running every job on the local emulator.
lab: $(STAMP)
	$(BIN)/python -m pip install -qq -r requirements-lab.txt
	BSS2_BACKEND=emulator $(BIN)/jupyter lab tutorials/queue_runner.ipynb

clean:
	rm -rf _build
