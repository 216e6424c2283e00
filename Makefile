# Chat Channel Studio. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install worker clean preview-bundle

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(PY) manage.py runportal

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy dataverse emulator portal wizard

bench: $(STAMP)
	$(PY) -m bench

# Rebuilds static/preview/widget.js (committed) from frontend/preview; needs Node.js and npm.
preview-bundle:
	cd frontend/preview && npm ci --no-audit --no-fund && node build.mjs

worker: $(STAMP)
	$(PY) manage.py db_worker

clean:
	rm -rf $(VENV) var staticfiles
