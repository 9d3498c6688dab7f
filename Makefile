# `make html` builds the site, `make test` runs every check; both create .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The project needs Python 3.11 or newer; say so before anything is installed.
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3] if sys.version_info >= (3, 11) else "old")' 2>/dev/null)
ifeq ($(PY_VERSION),)
$(error $(PYTHON) was not found: install Python 3.11 or newer, or name it with PYTHON=python3.11)
endif
ifeq ($(PY_VERSION),old)
$(error $(PYTHON) is older than Python 3.11: install Python 3.11 or newer, or name it with PYTHON=python3.11)
endif
# The stamp names the content of requirements.txt and the Python version, so a fresh clone reuses a
# matching .venv, a change to the pins reinstalls, and a .venv made by another Python is made anew.
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-16)-py$(PY_VERSION)
BSS2_BACKEND ?= emulator
NOTEBOOKS := $(wildcard tutorials/*.md)

.PHONY: html test lint sync-check pytest results benchmark lab clean

$(STAMP):
	@if [ -x $(BIN)/python ] && [ "$$($(BIN)/python -c 'import platform; print(platform.python_version())')" != "$(PY_VERSION)" ]; then \
	  echo "$(VENV) was made by another Python: making it anew with Python $(PY_VERSION)"; rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -r requirements.txt
	# .venv/bin/python finds this checkout's packages from any folder (python -m helpers outside the root).
	$(BIN)/python -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "bss2_tutorials.pth").write_text("$(CURDIR)\n")'
	# The notebooks name the EBRAINS Lab's kernel; locally that name runs this environment.
	$(BIN)/python -m ipykernel install --sys-prefix --name ebrains-experimental \
	  --display-name "EBRAINS-experimental (local)" >/dev/null
	# The "BrainScaleS-2 (emulator)" kernel, for the official catalogue's notebooks; into .venv only.
	$(BIN)/python -c 'from bss2_emulator.kernel import install; install("$(VENV)")' >/dev/null
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

html: $(STAMP)
	$(BIN)/python -m sphinx -j auto -W --keep-going -b html . _build/html

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
	BSS2_RECORD=1 $(BIN)/python -m helpers refresh --backend $(BSS2_BACKEND) $(if $(FORCE),--force)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/emulator_full_chip.py
	$(BIN)/python benchmarks/emulator_network.py
	$(BIN)/python benchmarks/emulator_fidelity.py
	$(BIN)/python benchmarks/queue_overhead.py
	$(BIN)/python benchmarks/site_build.py

# JupyterLab with the tutorial, running every job on the local emulator.
lab: $(STAMP)
	$(BIN)/python -m pip install -qq -r requirements-lab.txt
	BSS2_BACKEND=emulator $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) tutorials/queue_runner.ipynb

clean:
	rm -rf _build
