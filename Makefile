# Rushes: `make run` starts a working site with demo content; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000
# One web process with threads: rate limits and caches live in its memory, so they hold for
# every request. More processes need REDIS_URL (shared limits and caches).
WEB_WORKERS ?= 1
WEB_THREADS ?= 8
# Links in mails (sent by the worker, with no request at hand) point to the site as run here.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL
# The PostgreSQL that `make test` also runs the suite on (skipped locally when absent).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run install install-dev translations i18n migrate demo worker test test-sqlite test-postgres lint whitelist format bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# The Chromium tests' page scripts (axe-core), pinned by tests/e2e/package-lock.json.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt tests/e2e/package-lock.json $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: install  ## compile the .po catalogues into .mo files
	$(BIN)/pybabel -q compile -d app/translations

i18n: install  ## extract messages and update the catalogues (then translate app/translations/*/messages.po)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o app/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching -i app/translations/messages.pot -d app/translations

migrate: install
	$(FLASK) db upgrade

demo: migrate translations
	$(FLASK) rushes demo

run: demo  ## the site on http://$(HOST):$(PORT) with a job worker beside it
	@echo "Rushes on http://$(HOST):$(PORT)  (mail is printed here and kept in instance/mail/)"
	@$(FLASK) rushes worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --threads $(WEB_THREADS) \
	  --access-logfile - wsgi:app

worker: install
	$(FLASK) rushes worker

test: install-dev translations test-sqlite test-postgres  ## the whole suite on SQLite, then on PostgreSQL

test-sqlite:
	$(BIN)/pytest -q -p no:cacheprovider

# Media tests use no database: they ran in the SQLite pass.
test-postgres:
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -q -p no:cacheprovider -m "not media" -rs

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/vulture app vulture_whitelist.py --min-confidence 60

whitelist: install-dev  ## after reviewing what vulture reports: list the framework's names
	(head -3 vulture_whitelist.py; $(BIN)/vulture app --min-confidence 60 --make-whitelist || true) > vulture_whitelist.py.new
	mv vulture_whitelist.py.new vulture_whitelist.py

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance/rushes.db instance/jobs.db* instance/media instance/mail
