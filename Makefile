# The two commands of the README's quick start: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.stamp-runtime
TEST_STAMP    := $(VENV)/.stamp-test

.PHONY: serve test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)

## make serve: set everything up and run the server on SQLite with the demo counties.
serve: $(RUNTIME_STAMP)
	$(BIN)/yidi serve

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy engine dsl forms admin server.py

## make test: set everything up and run every test (lint, types, unit, BDD, browser),
## on SQLite, then again on PostgreSQL when YIDI_TEST_DATABASE_URL is set (see .ci/run).
test: lint
	@test -x /usr/bin/chromium || echo "注意 / NOTE: /usr/bin/chromium is missing, browser tests will be skipped (apt-get install chromium; .ci/run installs it)."
	@echo "== yidi test suite on SQLite"
	env -u YIDI_TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$YIDI_TEST_DATABASE_URL" ]; then \
		echo "== yidi test suite on PostgreSQL ($$YIDI_TEST_DATABASE_URL)"; \
		$(BIN)/pytest -q; \
	else echo "== PostgreSQL run skipped: YIDI_TEST_DATABASE_URL is not set (.ci/run sets it)"; fi

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts
