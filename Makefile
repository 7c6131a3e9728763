# Rencontres — `make run` serves the demo community, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The production environment the README documents, with placeholder secrets: `make check`
# proves that `manage.py check --deploy` passes with it.
DEPLOY_ENV := DEBUG=false SECRET_KEY=check-deploy-placeholder-secret-key-0123456789abcdefghij \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/unused ALLOWED_HOSTS=rencontres.example \
	CSRF_TRUSTED_ORIGINS=https://rencontres.example SITE_URL=https://rencontres.example \
	SECURE_COOKIES=true BEHIND_HTTPS_PROXY=true SECURE_SSL_REDIRECT=true HSTS_SECONDS=31536000 \
	HSTS_PRELOAD=true EMAIL_HOST=smtp.rencontres.example

.PHONY: run test install chromium check fmt messages bench clean-db

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Rencontres needs Python 3.12 or newer (found %s)." % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock  # the project runs from the checkout
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	@# The web server and the job worker (emails, fetches), started and stopped together.
	exec $(BIN)/python manage.py serve $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; install it when it is missing (never a downloaded build).
chromium:
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null; then exit 0; fi; \
	if command -v apt-get >/dev/null; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "Install Chromium and set CHROMIUM_PATH to its executable for the browser tests." >&2; exit 1; \
	fi

# The suite runs on every core (pytest-xdist: one test database per worker).
PYTEST_ARGS ?= -n auto
test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(BIN)/python manage.py collectstatic --no-input -v 0
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l fr -l en --no-location --ignore ".venv/*" --ignore "staticfiles/*"
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"

bench: install
	$(BIN)/python bench/pages.py
