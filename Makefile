# audit-kit — `make demo` and `make test` do all the set-up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: venv demo test lint bench samples clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

## The main job on the bundled sample data: read every sample, show its tables and a summary line.
demo: venv
	$(BIN)/audit-kit show data/samples/*

## Lint, then the whole test suite (the real-report corpus is used when ../shared is present).
test: venv lint
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check src tests benchmarks

bench: venv
	$(BIN)/python benchmarks/run.py

samples: venv
	$(BIN)/python -m audit_kit.samples data/samples

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
