# Developer entry points; the README's `make run` and `make test` are part of the contract.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# The demo server is the only place where DEBUG is on; management commands need it (or a SECRET_KEY) to start.
DEV_ENV := DEBUG=True
# The README's address; `make run ADDR=127.0.0.1:8001` when that port is taken.
ADDR ?= 127.0.0.1:8000
LANGS := -l kk -l ru -l en
# Folders that hold no source of ours: a virtualenv, collected static files, test screenshots.
MSG_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media --ignore=test-artifacts

.PHONY: run test lint messages

# The stamp is newer than requirements.txt once they are installed, so a re-run skips pip entirely.
$(VENV)/.installed: requirements.txt
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
		$(PYTHON) -m venv $(VENV) || { \
			echo "Could not create $(VENV) with '$(PYTHON) -m venv'." >&2; \
			echo "On Debian: apt-get install python3-venv" >&2; exit 1; }; \
	fi
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	@touch $@

run: $(VENV)/.installed
	$(DEV_ENV) $(MANAGE) migrate --noinput
	$(DEV_ENV) $(MANAGE) load_demo
	$(DEV_ENV) $(MANAGE) runserver $(ADDR)

# SQLite and in-process tasks by default; DATABASE_URL and REDIS_URL from the environment when set.
# pytest-xdist spreads the tests over one process per core (each with its own test database);
# tests that share a Redis or a module's committed demo stay together (conftest.py, xdist_group).
# `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed so `make run` does not.
messages: $(VENV)/.installed
	$(DEV_ENV) $(MANAGE) makemessages $(LANGS) --no-obsolete $(MSG_IGNORE)
	$(DEV_ENV) $(MANAGE) compilemessages $(MSG_IGNORE)
