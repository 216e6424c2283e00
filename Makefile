# Chat Channel Studio. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install worker clean chromium reset messages preview-bundle

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The portal queues publishes in the database and runportal starts the worker beside it, as in production.
PORT          ?= 8000
EMULATOR_PORT ?= $(if $(PORTAL_EMULATOR_PORT),$(PORTAL_EMULATOR_PORT),8443)

run: export PORTAL_TASK_BACKEND ?= django_tasks_db.DatabaseBackend
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(PY) manage.py runportal --addrport 127.0.0.1:$(PORT) --emulator-port $(EMULATOR_PORT)

chromium:
	tools/ensure-chromium

test: $(STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# Refresh the Korean catalogue from the code and templates, then compile it; the i18n tests name what is
# left untranslated.
messages: $(STAMP)
	$(PY) manage.py makemessages -l ko --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=var --ignore=build
	$(PY) manage.py compilemessages -l ko

# Forget every local channel, account and emulator org; the next `make run` starts from the demo state.
reset:
	rm -rf var

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy dataverse emulator portal wizard publishing

bench: $(STAMP)
	$(PY) -m bench

# Rebuilds static/preview/widget.js (committed) from frontend/preview; needs Node.js and npm.
preview-bundle:
	cd frontend/preview && npm ci --no-audit --no-fund && node build.mjs

worker: $(STAMP)
	$(PY) manage.py db_worker

clean:
	rm -rf $(VENV) var staticfiles
