# Factdesk: `make run` starts the app, `make test` runs the whole test suite.
# Needs only Python 3.11+ and make; everything else is installed into .venv from requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local runs use DEBUG (a generated SECRET_KEY under var/, plain HTTP); production sets DEBUG=0.
DEBUG ?= 1
export HOST PORT DEBUG

.PHONY: help install run test lint format migrate seeds bench clean

help:
	@echo "make run    start Factdesk (web + worker) on http://$(HOST):$(PORT)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff check and format check, import layers (lint-imports)"

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Factdesk needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

# The browser tests' npm packages (axe-core, package-lock.json), fetched and checked against the
# lock file's sha512 by a standard-library script: no npm needed (tools/npm_fetch.py).
node_modules/.installed: package-lock.json | $(VENV)/.installed
	$(BIN)/python tools/npm_fetch.py
	@touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seeds: migrate
	$(BIN)/python manage.py loadseeds

run: seeds
	$(BIN)/python manage.py createdemo
	@echo ""
	@echo "  Factdesk is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.local start

# Tests run in parallel (pytest-xdist): TEST_PROCESSES=1 runs them in one process. Tests that
# start processes of their own (browser, worker, gunicorn) run one at a time in one group.
TEST_PROCESSES ?= 3

test: install
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/test-* var/broker
