# Horseshoe: `make run` serves the demo community, `make test` runs every test (SQLite, then PostgreSQL).
PYTHON ?= python3
VENV := .venv
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
# Test processes per database run (pytest-xdist); each gets its own SQLite file or PostgreSQL schema.
# Three on two cores: the tests wait on PostgreSQL, Chromium and subprocesses much of the time (2026-12-07:
# the PostgreSQL run took 24:44 with two workers, 13:14 with three; SQLite about 16 and 9 minutes).
TEST_WORKERS ?= 3
HORSESHOE_DATA_DIR ?= instance
export HORSESHOE_DATA_DIR

.PHONY: install browser screenshots run test test-sqlite test-postgres audit contracts translations bench lint clean

# `make run` installs what serving needs; `make test` and the developer targets add the test extra to the
# same .venv. pip's output is shown only when an install fails.
QUIETLY = out=$$($(1) 2>&1) || { printf '%s\n' "$$out"; exit 1; }

$(VENV)/bin/python:
	@echo "Creating $(VENV)..."
	@$(PYTHON) -m venv $(VENV)
	@$(call QUIETLY,$(VENV)/bin/pip install --quiet --upgrade pip)

# Serving on PostgreSQL (HORSESHOE_DATABASE_URL=postgresql...) also needs its driver: the postgres extra.
RUN_EXTRA := $(if $(filter postgresql%,$(HORSESHOE_DATABASE_URL)),postgres)
RUN_INSTALLED := $(VENV)/.installed-run$(if $(RUN_EXTRA),-$(RUN_EXTRA))

$(RUN_INSTALLED): pyproject.toml | $(VENV)/bin/python
	@echo "Installing Horseshoe into $(VENV) (a minute or two the first time)..."
	@$(call QUIETLY,$(VENV)/bin/pip install --quiet -e '.$(if $(RUN_EXTRA),[$(RUN_EXTRA)])')
	@touch $@

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	@echo "Installing Horseshoe and its test tools into $(VENV)..."
	@$(call QUIETLY,$(VENV)/bin/pip install --quiet -e '.[test]')
	@touch $@ $(VENV)/.installed-run $(VENV)/.installed-run-postgres

install: $(VENV)/.installed

# Debian's Chromium and the pinned axe-core for tests/browser (skipped without them unless HORSESHOE_REQUIRE_BROWSER=1).
browser:
	scripts/ensure-browser

# Quiet until the address: migrations print only when they fail, the demo seeding shows a progress bar
# (once) and the sign-ins; after the address, the worker's log (where emails go without
# HORSESHOE_MAIL_SERVER) and one JSON line per request (forum.http.request_log; gunicorn's own access log would
# repeat it). gunicorn reads gunicorn.conf.py from here: /metrics sums both workers' counts.
run: $(RUN_INSTALLED)
	@$(call QUIETLY,$(FLASK) db upgrade)
	@$(FLASK) demo --if-empty
	@echo "Serving Horseshoe on http://127.0.0.1:$(PORT) (Ctrl-C stops the site and its worker)"
	@export HORSESHOE_BASE_URL=$${HORSESHOE_BASE_URL:-http://127.0.0.1:$(PORT)}; \
	trap 'kill $$worker_pid 2>/dev/null' EXIT INT TERM; \
	$(FLASK) worker & worker_pid=$$!; \
	$(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --log-level warning wsgi:app

test: install audit contracts translations test-sqlite test-postgres

# Every text marked for translation, messages.pot what the code holds, German and Spanish complete
# (forum/cli/catalogues.py); `flask translations update` refreshes the catalogues after text changes.
translations: install
	$(FLASK) translations check

# The import rules of docs/architecture.md (contracts in pyproject.toml).
contracts: install
	$(VENV)/bin/lint-imports --no-cache

# bandit must be clean; pip-audit too when its vulnerability service is reachable (scripts/audit).
audit: install
	scripts/audit

test-sqlite: install browser
	scripts/ensure-redis
	HORSESHOE_TEST_REDIS_URL=redis://127.0.0.1:6379/15 $(VENV)/bin/pytest -n $(TEST_WORKERS)

test-postgres: install browser
	scripts/ensure-redis
	HORSESHOE_TEST_REDIS_URL=redis://127.0.0.1:6379/15 scripts/with-postgres $(VENV)/bin/pytest -n $(TEST_WORKERS)

# Refresh docs/screenshots/: every role's main pages, desktop and phone, from a seeded demo in headless Chromium.
screenshots: install browser
	HORSESHOE_SCREENSHOTS=1 $(VENV)/bin/pytest tests/browser/test_screenshots.py

# HTTP benchmark against the shared ceiling app, with the issue's targets (bench/README.md); `bench/run --large` adds 400,000 posts.
# The shared corpus generator and ceiling app live in the team's shared directory (bench/shared_tools.py).
BENCH_SHARED ?= ../shared
bench: install
	$(VENV)/bin/pip install --quiet -e '.[test,bench]'
	HORSESHOE_BENCH_SHARED=$${HORSESHOE_BENCH_SHARED:-$(BENCH_SHARED)} bench/run

lint: install
	$(VENV)/bin/ruff check forum moderation search tests bench

clean:
	rm -rf $(VENV) .pytest_cache .browser/node_modules
