# Two entry points for a fresh machine: `make run` (the app) and `make test` (the test suite).
# Each sets up its own virtualenv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# axe-core, which the browser tests inject to check accessibility (pinned in the lock file).
AXE := tests/e2e/node_modules/axe-core/axe.min.js

.PHONY: setup run test bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	touch $(AXE)

setup: $(STAMP)

# The app and its embedded batch worker, both stopped by Ctrl-C (studio/batch/serve.py).
run: setup
	$(PY) -m studio init-db
	$(PY) -m studio serve

test: setup $(AXE)
	$(PY) -m pytest

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache
