# Mantelzorg — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
# `make run` serves with gunicorn, without Django's debug mode, on plain http (development env); its
# access log goes through config/gunicorn.conf.py (tokens and full postcodes redacted);
# without debug the static files are served as in production (config/settings.py, "Static files").
RUN_ENV := DJANGO_DEBUG=0
# Type-checked with mypy in `make test` (house style): every app's services and selectors, and the
# shared mechanisms (audit, consent, personal data, idempotency, API errors and paging).
TYPED := $(wildcard mantelzorg/*/services.py mantelzorg/*/selectors.py) \
	mantelzorg/directory/search.py mantelzorg/assessment/registry.py mantelzorg/assessment/evaluation.py \
	mantelzorg/assessment/local_offers.py mantelzorg/assessment/fhir_r4.py \
	mantelzorg/core/audit.py mantelzorg/core/mail.py mantelzorg/core/personal_data.py mantelzorg/core/idempotency.py \
	mantelzorg/accounts/consent.py mantelzorg/api/errors.py mantelzorg/api/pagination.py
TYPED += mantelzorg/accounts/ratelimit.py mantelzorg/accounts/validators.py
TYPED += mantelzorg/declaration/codec.py mantelzorg/declaration/keys.py mantelzorg/declaration/status_list.py
TYPED += mantelzorg/respite/availability.py mantelzorg/respite/index.py
# Indented by djhtml (house style): `make test` checks, `.venv/bin/djhtml $(TEMPLATES)` fixes.
TEMPLATES := $(shell find mantelzorg -path '*/templates/*' -name '*.html')
# Sources of the collected static files: a change in one of these collects them again.
STATIC_SOURCES := $(shell find mantelzorg -path '*/static/*' -type f)

.PHONY: help install run dev test lint audit bandit openapi fuzz messages chromium bench clean

help:
	@echo "make run   - install everything, prepare the database and start Mantelzorg on http://$(HOST):$(PORT)"
	@echo "make test  - lint, bandit, migration and OpenAPI checks, unit/integration and browser tests"
	@echo "make dev   - Django's development server (auto reload)"
	@echo "make fuzz  - schemathesis against a live server on 127.0.0.1 (docs/api/fuzzing.md)"
	@echo "make bench - benchmarks (see bench/README.md)"
	@echo "make audit - pip-audit of every locked package (needs network; fails when it could not audit)"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"' \
		|| { echo "Mantelzorg needs Python 3.11 (python3.11 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(PY) pyproject.toml uv.lock
	$(VENV)/bin/uv sync --locked --inexact --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Mantelzorg needs Node.js and npm to install the NL Design System CSS."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/.built: node_modules/.installed scripts/build-static.mjs $(wildcard static/src/*) \
		$(wildcard mantelzorg/declaration/static/declaration/*.js)
	node scripts/build-static.mjs
	@touch $@

install: $(VENV)/.synced static/dist/.built

# Hashed names, gzip + brotli copies (var/static); only when a source changed, so a second
# `make run` starts in seconds.
var/static/staticfiles.json: $(VENV)/.synced static/dist/.built $(STATIC_SOURCES)
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --clear -v 0

run: install var/static/staticfiles.json
	@$(RUN_ENV) $(PY) manage.py prepare
	@echo
	@echo "Mantelzorg runs on http://$(HOST):$(PORT)/   (stop with Ctrl-C)"
	@echo
	@$(RUN_ENV) exec $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi:application --bind $(HOST):$(PORT) \
		--workers $(WORKERS) --access-logfile - --graceful-timeout 5 --no-control-socket

dev: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_data
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Security lint (quality bar 13), also part of `make test`: medium severity and confidence, tests and
# migrations excluded ([tool.bandit] in pyproject.toml); a `# nosec` needs its reason on the line.
bandit: install
	$(VENV)/bin/bandit -c pyproject.toml -r mantelzorg config --severity-level medium --confidence-level medium -q

# Known vulnerabilities in the locked dependencies (quality bar 13). Needs the network (PyPI / OSV),
# so it is not part of `make test`; it FAILS when any locked package could not be audited
# (pip-audit alone says "No known vulnerabilities found" after skipping them all). scripts/audit.py.
audit: install
	$(PY) scripts/audit.py

openapi: install
	$(PY) manage.py spectacular --file docs/api/openapi.yaml --validate

# API fuzzing (quality bar 8): a fresh database in var/fuzz/, gunicorn on 127.0.0.1, schemathesis with
# every check, >= 100 cases per operation; stops the server itself. Not in `make test` (~2.5 min);
# CI runs it (.ci/run). docs/api/fuzzing.md
fuzz: install
	$(PY) scripts/fuzz_api.py

chromium:
	@if command -v chromium >/dev/null || [ -n "$$CHROMIUM" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium: run 'sudo apt-get install -y chromium' (Debian/Ubuntu) or set CHROMIUM=/path/to/chromium."; \
		exit 1; \
	fi

test: install chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(TYPED)
	$(VENV)/bin/djhtml --check $(TEMPLATES)
	$(VENV)/bin/bandit -c pyproject.toml -r mantelzorg config --severity-level medium --confidence-level medium -q
	$(PY) manage.py makemigrations --check --dry-run
	@mkdir -p var
	$(PY) manage.py spectacular --file var/openapi.check.yaml --validate
	@diff -u docs/api/openapi.yaml var/openapi.check.yaml \
		|| { echo "docs/api/openapi.yaml is out of date: run 'make openapi' and commit it."; exit 1; }
	MZ_ALL_PAGES=1 $(PY) -m pytest  # also: every page template checked in the browser (tests/browser.py)

# Translations: every app with its own catalogue (mantelzorg/<app>/locale) gets a run from inside
# its directory; the project catalogue (locale/) gets the rest. Tests are never extracted ("tests"
# too: inside an app its tests/ directory has no parent in the path).
APP_CATALOGUES := $(patsubst %/locale,%,$(wildcard mantelzorg/*/locale))
LANGUAGES := -l nl -l en
messages: install
	$(PY) manage.py makemessages $(LANGUAGES) --ignore=.venv --ignore=node_modules --ignore=tests --ignore='*/tests/*' \
		$(foreach app,$(APP_CATALOGUES),--ignore='$(app)/*')
	@set -e; for app in $(APP_CATALOGUES); do \
		echo "cd $$app && makemessages"; \
		(cd $$app && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages $(LANGUAGES) --ignore=tests --ignore='*/tests/*'); \
	done
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: install  ## see bench/README.md and BENCHMARKS.md (production server on 127.0.0.1 only)
	SQLITE_PATH=var/bench.sqlite3 $(PY) bench/run.py --load-reference-data \
		--url / --url '/sociale-kaart/?postcode=3511&radius=10'
	SQLITE_PATH=var/bench.sqlite3 $(PY) bench/pagesize.py --start --no-prepare /

clean:
	rm -rf $(VENV) node_modules static/dist var test-artifacts
