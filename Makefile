# Two commands: `make run` installs and starts the application; `make test` installs and runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run demo test bench system-deps install install-test clean

system-deps:
	@bash packaging/install-system-deps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: system-deps $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: system-deps $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

run: install
	$(BIN)/infoshare-desktop $(ARGS)

# Try the application on a store of clearly fictional cases (created on first use).
demo: install
	@[ -e demo-data/keystore.json ] || $(BIN)/infoshare-desktop demo --data-dir demo-data --cases 60 --records 600
	$(BIN)/infoshare-desktop --data-dir demo-data

test: install-test
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m pytest tests/benchmarks --benchmark-only -p no:xdist $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
