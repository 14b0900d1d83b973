# softmax-ce: one entry point for set-up, the site and the tests.
#   make serve   set up .venv, then serve the site on http://127.0.0.1:8000 with live reload
#   make test    set up .venv, then run every test (library, derivations, site build, browser)
#   make build   set up .venv, then build the static site into site/ with every page executed
#   make install create .venv with the pinned dependencies and the package, and nothing else
#   make clean   remove site/ and the caches (not .venv)

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MIN_PYTHON := 3.12

# MkDocs 1.6 prints a banner about MkDocs 2 on every run; it buries real warnings.
export NO_MKDOCS_2_WARNING := 1

# Find an interpreter of at least MIN_PYTHON: $(PYTHON) if given, else the first
# of python3.12, python3.13, python3.14, python3 that runs and is new enough.
# mkdocs-jupyter 0.27 needs 3.12; on 3.11 pip would quietly pick 0.26.3, whose
# notebook math is broken, so an older interpreter is an error, never a fallback.
define find_python
found=""; \
for candidate in $(or $(PYTHON),python3.12 python3.13 python3.14 python3); do \
  version=$$($$candidate -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue; \
  if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
    found=$$(command -v $$candidate); break; \
  fi; \
  echo "Skipping $$candidate: it is Python $$version, and softmax-ce needs $(MIN_PYTHON) or newer." >&2; \
done; \
if [ -z "$$found" ]; then \
  echo "Error: no Python $(MIN_PYTHON) or newer found (tried: $(or $(PYTHON),python3.12 python3.13 python3.14 python3))." >&2; \
  echo "Install Python $(MIN_PYTHON) (for example 'pyenv install $(MIN_PYTHON)' or your system's python$(MIN_PYTHON) package)," >&2; \
  echo "or name one with 'make PYTHON=/path/to/python$(MIN_PYTHON) ...'." >&2; \
  exit 1; \
fi
endef

.PHONY: help install serve build test clean

help:
	@sed -n 's/^#   //p' Makefile

# The stamp records a finished install; editing the lock or pyproject.toml redoes it.
$(STAMP): requirements.lock pyproject.toml
	@$(find_python); \
	if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  echo "Removing $(VENV): it was made with an older Python."; rm -rf $(VENV); \
	fi; \
	if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $$found"; "$$found" -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	@touch $(STAMP)

install: $(STAMP)

# Executed pages are cached under a key that includes the library's source, so
# an edit in src/ re-executes the pages that may show it (docs/_hooks/notebook_cache.py).
# The HTML link checker is off here because it doubles the time of a rebuild;
# MkDocs still reports broken links, and `make build` and `make test` run the checker.
serve: $(STAMP)
	SOFTMAX_CE_CHECK_LINKS=false $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

# No cache: every derivation and every executed page runs again.
build: $(STAMP)
	SOFTMAX_CE_NOTEBOOK_CACHE=0 $(BIN)/mkdocs build --strict --site-dir site

test: $(STAMP)
	SOFTMAX_CE_NOTEBOOK_CACHE=0 $(BIN)/python -m pytest

clean:
	rm -rf site .cache .pytest_cache .hypothesis
