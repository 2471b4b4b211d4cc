# Two commands: `make run` installs and starts the application; `make test` installs and runs the tests.
# Python 3.12 or newer (packaging/find-python.sh says why 3.11 is refused).
# PYTHON_VERSION=3.13 asks for exactly that version (test-py313 does).
PYTHON_VERSION ?=
PYTHON ?= $(shell bash packaging/find-python.sh $(PYTHON_VERSION))
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run demo test test-py313 bench bench-scale docs system-deps venv install install-test package package-check clean

system-deps:
	@bash packaging/install-system-deps.sh

# A venv made with an older Python (an earlier checkout allowed 3.11), or with another
# version than PYTHON_VERSION, is replaced.
venv:
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; v = "%d.%d" % sys.version_info[:2]; \
	  sys.exit(sys.version_info < (3, 12) or v != ("$(PYTHON_VERSION)" or v))'; then \
	  echo 'Replacing $(VENV): it was made with another Python'; rm -rf $(VENV); fi
	@if [ ! -x $(BIN)/python ]; then \
	  test -n "$(PYTHON)" || { echo 'Python $(or $(PYTHON_VERSION),3.12 or newer) is needed' >&2; exit 1; }; \
	  $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet --upgrade pip; fi

install: system-deps venv
	$(BIN)/pip install --quiet -e .

install-test: system-deps venv
	$(BIN)/pip install --quiet -e ".[test]"

run: install
	$(BIN)/infoshare-desktop $(ARGS)

# Try the application on a store of clearly fictional cases (created on first use).
demo: install
	@[ -e demo-data/keystore.json ] || $(BIN)/infoshare-desktop demo --data-dir demo-data --cases 60 --records 600
	$(BIN)/infoshare-desktop --data-dir demo-data

# A crashed worker ends the run (--max-worker-restart 0): pytest-xdist 3.8 can hang for
# good when it replaces a crashed worker under --dist loadfile (pytest-xdist#784).
test: install-test
	$(BIN)/python -m pytest -n 2 --dist loadfile --max-worker-restart 0 $(PYTEST_ARGS)

# The fast tests (all but `slow`) on the other Python the project declares, in .venv-3.13.
test-py313:
	$(MAKE) --no-print-directory test VENV=.venv-3.13 PYTHON_VERSION=3.13 PYTEST_ARGS='-m "not slow" $(PYTEST_ARGS)'

# Regenerate the tables in docs/domain.md from the domain (tests/test_docs.py checks them).
docs: install-test
	$(BIN)/python -m tests.docs_tables

# Benchmarks, on demand only (never in `make test`): each figure beside a same-run floor.
bench: install-test
	$(BIN)/python -m pytest tests/benchmarks --benchmark-only -p no:xdist --timeout 0 $(PYTEST_ARGS)

# Issue 13's table at 10k, 100k and 1M records: the demo stores are built once and cached
# in .bench-cache/ (rebuilt when the demo or the schema changes; 1M takes minutes), then
# tests/benchmarks/scale runs and prints the table in markdown. SIZES=10k for one size.
SIZES ?= 10k,100k,1M
bench-scale: install-test
	INFOSHARE_SCALE_SIZES=$(SIZES) $(BIN)/python -m pytest tests/benchmarks/scale \
	  --benchmark-only -p no:xdist --timeout 0 -o faulthandler_timeout=0 -s $(PYTEST_ARGS)

# The Linux package (build/package/): the application folder frozen by PyInstaller from the
# wheel, and a Debian package installing it under /opt (packaging/linux/build-deb.sh).
package: system-deps venv
	$(BIN)/pip install --quiet build
	$(BIN)/python packaging/freeze.py --out build/package
	bash packaging/linux/build-deb.sh build/package/dist/infoshare-desktop build/package

# Install that package on this machine, start it under Xvfb (screenshot in build/package/),
# purge it and check a user's data folder survives. Needs root; CI runs it.
package-check: package install
	PYTHON=$(BIN)/python bash packaging/linux/check-deb.sh build/package/infoshare-desktop_*.deb \
	  build/package/first-run-xvfb.png

clean:
	rm -rf $(VENV) .venv-3.13 build *.egg-info
