# SEND Family Portal. Two commands do everything on a fresh machine:
#   make run   set up, migrate, load demo data and serve on http://127.0.0.1:5000
#   make test  set up, lint, then the whole test suite on SQLite and on PostgreSQL (side by side)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/portal_test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup assets lint test-sqlite test-postgres coverage test-browser screenshots audit clean bench-load

$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/dist/main.css: node_modules/.installed $(shell find assets -type f)
	npm run build

setup: $(BIN)/.installed static/dist/main.css

assets: node_modules/.installed
	npm run build

# Development only: demo staff skip two-factor sign-in unless you run `make run DEV_SKIP_TWO_FACTOR=0`.
DEV_SKIP_TWO_FACTOR ?= 1
# The links in the emails `make run` writes open the server it starts, whatever HOST and PORT are.
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: setup
	mkdir -p instance
	$(BIN)/flask db upgrade
	DEV_SKIP_TWO_FACTOR=$(DEV_SKIP_TWO_FACTOR) $(BIN)/flask seed-demo
	@echo "Emails are written to instance/mail/ by the outbox worker. Open http://$(HOST):$(PORT) to start."
	@# The outbox worker runs beside the web server; Ctrl-C stops both.
	$(BIN)/flask notifications work & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEV_SKIP_TWO_FACTOR=$(DEV_SKIP_TWO_FACTOR) $(BIN)/flask run --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check portal tests migrations config.py wsgi.py scripts bench

# With BOTH_DATABASES=1 (set by `make test` when PostgreSQL answers) the walks marked postgres_run
# are left to the PostgreSQL run.
test-sqlite: setup
	env -u TEST_DATABASE_URL $(BIN)/pytest $(if $(filter 1,$(BOTH_DATABASES)),-m "not postgres_run")

# The SQLite run with branch coverage: about 75% slower, so not part of `make test`.
coverage: setup
	env -u TEST_DATABASE_URL $(BIN)/pytest --cov --cov-report=term

# Runs where PostgreSQL answers; REQUIRE_POSTGRES=1 (CI) makes a missing server an error.
# The browser tests run once, in the SQLite run: they serve their own SQLite database.
test-postgres: setup
	@status=0; $(BIN)/python scripts/ensure_test_database.py || status=$$?; \
	if [ $$status -eq 3 ] && [ "$${REQUIRE_POSTGRES:-0}" != 1 ]; then \
		echo "Skipping the PostgreSQL run: no server at $(TEST_DATABASE_URL)"; exit 0; \
	elif [ $$status -ne 0 ]; then exit $$status; fi; \
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -m "not browser and not sqlite_run" -p no:cacheprovider

# The two runs go side by side (this machine has two CPUs); each one's output is printed whole
# when it ends, and `make test` fails if either fails.
# A long walk runs in one of the two (marked sqlite_run or postgres_run): CI time.
test: lint setup
	@both=0; TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python scripts/ensure_test_database.py >/dev/null 2>&1 && both=1; \
	BOTH_DATABASES=$$both $(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# Only the real-browser tests (tests/browser): journeys, axe-core, the Nu Html Checker, keyboard
# and reflow, in Debian's chromium (`apt-get install chromium`; skipped without it).
test-browser: setup
	env -u TEST_DATABASE_URL $(BIN)/pytest -m browser tests/browser

# The load benchmark: gunicorn with production settings on PostgreSQL, driven by wrk (apt-get
# install wrk); makes the 100,000-case data set first if the database has fewer. See docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1/portal_bench
bench-load: setup
	@command -v wrk >/dev/null || { echo "The load benchmark needs wrk: apt-get install wrk"; exit 1; }
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.load

# PNGs of the key pages for each role, for the README.
screenshots: setup
	@test -x /usr/bin/chromium || { echo "Screenshots need Debian's chromium: apt-get install chromium"; exit 1; }
	env -u TEST_DATABASE_URL SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -m browser -p no:cacheprovider \
		tests/browser/test_screenshots.py

audit: $(BIN)/.installed
	$(BIN)/pip-audit --strict --skip-editable

clean:
	rm -rf $(VENV) node_modules static/dist .pytest_cache .ruff_cache .coverage
