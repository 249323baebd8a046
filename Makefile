# MonoPod: `make run` serves it, `make test` tests it. Both set up what they need on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe
PROD_CHECK_ENV := DJANGO_SETTINGS_MODULE=monopod.settings.production \
	SECRET_KEY=check-only-$$(head -c 48 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') \
	DATABASE_URL=postgres://monopod@127.0.0.1:5432/monopod ALLOWED_HOSTS=.example.com \
	REDIS_URL=redis://127.0.0.1:6379/0 BROKER_URL=amqp://monopod@127.0.0.1:5672// \
	EMAIL_URL=smtp://127.0.0.1:25

.PHONY: help run test check messages bench db db-stop install lock clean

help:
	@echo "make run     serve MonoPod on http://demo.localhost:$${PORT:-8000}/ (web, worker, beat)"
	@echo "make test    run the whole test suite"
	@echo "make check   ruff, import contracts, mypy, migrations, deploy checks and OpenAPI drift"
	@echo "make messages update the translation catalogues in locale/ and compile them (needs gettext)"
	@echo "make bench   run the benchmarks in tests/bench/ (ratios against same-run baselines)"
	@echo "make db      start the private PostgreSQL cluster (when DATABASE_URL is unset)"
	@echo "make db-stop stop it"

$(INSTALLED): requirements/base.txt requirements/dev.txt requirements/pgserver.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "monopod: Python 3.11 or newer is required, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	@# PostgreSQL binaries for the private cluster come from the system when it has them.
	@if [ -z "$$DATABASE_URL" ] && ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		$(PY) -m pip install --quiet -r requirements/pgserver.txt; fi
	@touch $@

install: $(INSTALLED)

run: $(INSTALLED)
	$(PY) -m monopod.launcher

db: $(INSTALLED)
	@if [ -z "$$DATABASE_URL" ]; then $(PY) -m monopod.embedded_pg start; fi

db-stop: $(INSTALLED)
	@$(PY) -m monopod.embedded_pg stop

test: db
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=monopod.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=monopod.settings.test $(PY) manage.py events_catalog --check
	DJANGO_SETTINGS_MODULE=monopod.settings.test $(PY) -m monopod.translations check
	$(PROD_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	@# The committed OpenAPI schema must match the code: regenerate it and compare.
	@schema=$$(mktemp) && trap 'rm -f "$$schema"' EXIT && \
		DJANGO_SETTINGS_MODULE=monopod.settings.test $(PY) manage.py spectacular --urlconf monopod.urls_tenant \
			--file "$$schema" --validate --fail-on-warn && \
		diff -u docs/openapi.yaml "$$schema" || { echo "docs/openapi.yaml is out of date; regenerate it (docs/api.md)"; exit 1; }

messages: $(INSTALLED)
	DJANGO_SETTINGS_MODULE=monopod.settings.test $(PY) -m monopod.translations update

bench: db
	$(PY) -m tests.bench

lock: $(INSTALLED)
	cd requirements && ../$(PIP_COMPILE) base.in -o base.txt && ../$(PIP_COMPILE) dev.in -o dev.txt \
		&& ../$(PIP_COMPILE) pgserver.in -o pgserver.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
