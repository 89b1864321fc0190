# wholeplace: the two commands a fresh machine needs are `make demo` and `make test`.
#   make demo   virtualenv with pinned dependencies, GOV.UK Frontend assets, the real published
#               data loaded into DuckDB, and the web app at http://127.0.0.1:8000
#   make test   everything the tests need (Python packages, npm assets, Debian's Chromium),
#               then the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export WHOLEPLACE_DB ?= data/wholeplace.duckdb
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo demo-accounts demo-content install assets load serve test test-deps browser postgresql java lint bench lock \
	clean catalogues catalogues-update

demo: install assets load demo-accounts demo-content serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(MAKE) catalogues
	touch $@

# Message catalogues (Babel): only the .po files are in git; .mo files are compiled here (the app
# also compiles a missing or stale .mo in memory). catalogues-update re-extracts the messages of
# the translated pages (babel.cfg) and merges them into each language's .po for translators.
LOCALES := src/wholeplace/web/locales
catalogues:
	$(BIN)/pybabel -q compile -d $(LOCALES) -D messages

catalogues-update:
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel -q update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-fuzzy-matching
	rm -f $(LOCALES)/messages.pot

install: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	bash scripts/vendor_assets.sh

load: install
	$(BIN)/wholeplace load
	$(BIN)/wholeplace db upgrade

# The demonstration runs on http://127.0.0.1 as a development server: a generated secret and a
# session cookie sent over plain http. A real deployment sets WHOLEPLACE_SECRET_KEY and HTTPS.
serve: install assets
	WHOLEPLACE_ENV=$${WHOLEPLACE_ENV:-development} WHOLEPLACE_COOKIE_SECURE=$${WHOLEPLACE_COOKIE_SECURE:-0} \
	  WHOLEPLACE_HUB_WRITABLE=$${WHOLEPLACE_HUB_WRITABLE:-1} \
	  $(BIN)/wholeplace serve --host $(HOST) --port $(PORT)

# Demonstration organisations and accounts (clearly marked; their password works only in
# development): printed with how to sign in.
demo-accounts: install
	WHOLEPLACE_ENV=development $(BIN)/wholeplace admin demo

# Demonstration content, each clearly marked as such and idempotent: a published budget
# consultation for Peterborough from its real budget lines and council tax, a five-year plan for
# Cambridge, Cambridgeshire and its combined authority from their real outturn and council tax
# (with the falls-prevention example applied), and a residents index of SYNTHETIC people.
demo-content: demo-accounts
	WHOLEPLACE_ENV=development $(BIN)/wholeplace consult demo
	WHOLEPLACE_ENV=development $(BIN)/wholeplace plans demo
	WHOLEPLACE_ENV=development $(BIN)/wholeplace residents demo

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-liberation >/dev/null; \
	fi
	@/usr/bin/chromium --version

# Debian's PostgreSQL server programs: the application-database tests run against SQLite and a
# throwaway PostgreSQL cluster they start themselves (tests/pg.py); nothing is left running.
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi
	@ls /usr/lib/postgresql/*/bin/initdb

# Splink's Spark backend (pyspark, the residents tests) needs a Java 17+ runtime: Debian's,
# installed only when the machine has none.
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; \
	fi
	@java -version 2>&1 | head -n 1

test-deps: install assets browser postgresql java

# ruff and mypy (strict on the newer packages; settings in pyproject.toml) over src/.
lint: install
	$(BIN)/ruff check src
	$(BIN)/mypy

test: test-deps lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Speed and memory targets (benchmarks/README.md): load, pages, comparator groups, flags, profile,
# budgeting (plan engine, prevention Monte Carlo), residents linkage (SYNTHETIC records, FEBRL4).
bench: install assets
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.neighbours
	$(BIN)/python -m benchmarks.flags
	$(BIN)/python -m benchmarks.profile
	$(BIN)/python -m benchmarks.residents
	$(BIN)/python -m benchmarks.budget

# Re-pin dependencies after changing pyproject.toml (writes requirements.lock).
lock:
	rm -rf /tmp/wholeplace-lock && $(PYTHON) -m venv /tmp/wholeplace-lock
	/tmp/wholeplace-lock/bin/pip install --quiet '.[test]'
	/tmp/wholeplace-lock/bin/pip freeze --exclude wholeplace | sort > requirements.lock

clean:
	rm -rf $(VENV) node_modules src/wholeplace/web/static/govuk src/wholeplace/web/static/vendor
