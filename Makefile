# orgmap: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# The first Python >= 3.12 on PATH (Django 6.1 needs it).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$p; break; fi; done)
STAMP := $(VENV)/.installed
# Test processes (pytest-xdist): one per core; TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto

.PHONY: run test install lint check clean help prod-local

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + beat"
	@echo "make test   - install test tools and run the whole test suite"
	@echo "make lint   - ruff"
	@echo "make check  - deploy checks and migration checks"
	@echo "make prod-local - the production topology without containers (gunicorn, worker, beat; settings from .env)"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "orgmap needs Python 3.12 or newer (python3.12/python3.13 on PATH); none found." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input -v 0
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python -m orgmap.devrun

test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
		ALLOWED_HOSTS=orgmap.example.com CSRF_TRUSTED_ORIGINS=https://orgmap.example.com \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# The production topology without containers: gunicorn, a prefork Celery worker and beat
# with DEBUG off, against DATABASE_URL and REDIS_URL from $(ENV_FILE) (see .env.example and
# README.md, "Production without containers"). Collects static files and migrates first.
ENV_FILE ?= .env
prod-local: install
	@if [ ! -f "$(ENV_FILE)" ]; then echo "prod-local reads its settings from $(ENV_FILE): cp .env.example .env and fill it in." >&2; exit 1; fi
	@if grep -Eiq '^[[:space:]]*DEBUG=[[:space:]]*(1|true|yes|on)' "$(ENV_FILE)"; then echo "prod-local runs with DEBUG off: remove DEBUG from $(ENV_FILE)." >&2; exit 1; fi
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -e "$(ENV_FILE)" run python manage.py collectstatic --no-input -v 0
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -e "$(ENV_FILE)" run env DATABASE_STATEMENT_TIMEOUT=0 python manage.py migrate --no-input -v 0
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho -e "$(ENV_FILE)" -f Procfile start

clean:
	rm -rf $(VENV) var staticfiles
