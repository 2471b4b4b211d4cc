# Two commands: `make run` installs and starts the application; `make test` installs and runs the tests.
# Python 3.12 or newer (packaging/find-python.sh says why 3.11 is refused).
PYTHON ?= $(shell bash packaging/find-python.sh)
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run demo test bench system-deps venv install install-test package package-check clean

system-deps:
	@bash packaging/install-system-deps.sh

# A venv made with an older Python (an earlier checkout allowed 3.11) is replaced.
venv:
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  echo 'Replacing .venv: it was made with a Python older than 3.12'; rm -rf $(VENV); fi
	@if [ ! -x $(BIN)/python ]; then \
	  test -n "$(PYTHON)" || { echo 'Python 3.12 or newer is needed' >&2; exit 1; }; \
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

test: install-test
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m pytest tests/benchmarks --benchmark-only -p no:xdist $(PYTEST_ARGS)

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
	rm -rf $(VENV) build *.egg-info
