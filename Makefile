# Socius developer commands. `make demo` to try it, `make test` before every commit.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOCIUS := $(BIN)/socius
VENDOR := src/socius/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve worker test lint typecheck migrations-check pytest messages browser clean

install: $(VENV)/.installed $(VENDOR)/.installed src/socius/locale/fr/LC_MESSAGES/django.mo browser

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $@

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.min.js $(VENDOR)/htmx-ext-sse.js
	cp node_modules/jsqr/dist/jsQR.js $(VENDOR)/jsQR.js
	touch $@

src/socius/locale/fr/LC_MESSAGES/django.mo: src/socius/locale/fr/LC_MESSAGES/django.po $(VENV)/.installed
	cd src/socius && ../../$(SOCIUS) compilemessages --ignore '.venv' -v 0

# Browser tests drive Debian's Chromium; install it when missing and allowed to.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

demo: export SOCIUS_COMPANY_NAME ?= Parc des Lumières
demo: install
	$(SOCIUS) migrate --noinput -v 0
	$(SOCIUS) demo_data --if-empty
	@trap 'kill 0' EXIT INT TERM; \
	  $(SOCIUS) worker & \
	  $(SOCIUS) serve --host $(HOST) --port $(PORT)

serve: install
	$(SOCIUS) serve --host $(HOST) --port $(PORT)

worker: install
	$(SOCIUS) worker

lint: install
	$(BIN)/ruff check src $(wildcard bench)
	$(BIN)/ruff format --check src $(wildcard bench)

typecheck: install
	$(BIN)/mypy src

migrations-check: install
	$(SOCIUS) makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

messages: install
	cd src/socius && ../../$(SOCIUS) makemessages -l fr --no-obsolete --ignore 'tests/*'

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
