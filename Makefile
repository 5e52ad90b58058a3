# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address links in e-mails use: 0.0.0.0 listens everywhere but opens nowhere.
SITE_HOST = $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

.PHONY: run test lint audit prod-check serve clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pins change.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Run the app on its embedded default (SQLite, tasks in-process, demo data) on http://127.0.0.1:8000
## (HOST and PORT change the address; links in e-mails follow unless SITE_URL is set)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/"
	DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://$(SITE_HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (PostgreSQL, Redis and browser tests run when those are available)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Update the Welsh and English catalogues (locale/) from the code and compile them; then write
## the Welsh for what it lists (docs/welsh.md)
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py translations

## Lint and check that models and migrations agree
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

## Known vulnerabilities in the pinned runtime requirements (PyPI's advisory data). Every pin,
## transitive ones too, is exact, so no resolver run is needed (--no-deps). AUDIT_ARGS=--strict
## also fails on a package it could not check.
audit: $(VENV)/.installed-dev
	$(BIN)/pip-audit --requirement requirements.txt --no-deps --progress-spinner off $(AUDIT_ARGS)

## Django's deployment checks on the production profile (set the production variables first)
prod-check: $(VENV)/.installed
	DJANGO_ENV=production $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-shm db.sqlite3-wal
