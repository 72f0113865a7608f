# Gloss: every set-up step lives here, so a fresh machine needs only `make run` / `make test`.
PYTHON_VERSION := 3.13
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Two pytest workers: the machines have two cores.
PYTEST_WORKERS ?= 2

.PHONY: run test lint format check bench browser axe serve soak clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13), f"Gloss needs Python 3.13, $(PYTHON) is {sys.version.split()[0]}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# A local settings file with a generated secret key (never committed).
.env: | $(BIN)/python
	@printf 'DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' "$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (debug on, new secret key) for local development."

run: $(VENV)/.installed .env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo --host http://$(HOST):$(PORT)
	@# The background worker (imports from /workspace/import/) runs beside the server and
	@# stops with it, however the server ends (Ctrl-C included). It does not reload on code
	@# changes (one process, so stopping it stops it): restart `make run` after editing tasks.
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
browser:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# axe-core from npm for the accessibility checks in the browser tests (package.json pins it;
# the lock file records no download address). Node.js and npm come from Debian if missing.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Installing Debian's nodejs and npm for axe-core"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --silent
	@touch $@

axe: node_modules/axe-core/axe.min.js

test: $(VENV)/.installed browser axe
	DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY=test-key-$$$$-$$RANDOM \
	  $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production checks: deploy settings and no missing migrations.
check: $(VENV)/.installed
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=gloss.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Production configuration (cms/gunicorn.conf.py: gthread workers, see why there) with
# debug forced off, the secret key from the environment or .env, and WhiteNoise serving
# the compressed, hashed static files collected first. Plain HTTP on loopback by default:
# behind a TLS proxy set DJANGO_HTTPS=1 DJANGO_BEHIND_PROXY=1 and DJANGO_ALLOWED_HOSTS.
SERVE_ENV = DJANGO_DEBUG=0 DJANGO_PLAIN_STATIC=0 \
  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-$(HOST),localhost}" \
  DJANGO_HTTPS="$${DJANGO_HTTPS:-0}" GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}"

serve: $(VENV)/.installed .env
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(SERVE_ENV) $(BIN)/python manage.py migrate --no-input
	$(SERVE_ENV) exec $(BIN)/gunicorn --config cms/gunicorn.conf.py cms.wsgi

# Speed goals at archive scale against PostgreSQL (how and why: tests/bench/run.py);
# BENCH_SCALE=small for a quick run. Results: bench/results.json and a printed table.
# On a fresh machine the local PostgreSQL is installed and started first (.ci/postgres),
# unless BENCH_DATABASE_URL names another server. GLOSS_BENCH=1 installs the development-only
# app tests/bench (generate_corpus, /bench/ping) in the bench's processes, debug off.
bench: $(VENV)/.installed .env
	@if [ -z "$$BENCH_DATABASE_URL" ]; then bash .ci/postgres; fi
	GLOSS_BENCH=1 $(BIN)/python tests/bench/run.py

# Concurrency soak (not part of `make test`): 20 annotators against gunicorn + PostgreSQL
# for SOAK_SECONDS (120); see tests/soak/soak.py. Needs PostgreSQL on 127.0.0.1:5432.
soak: $(VENV)/.installed
	$(BIN)/python tests/soak/soak.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
