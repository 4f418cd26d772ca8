# Horseshoe: `make run` serves the demo community, `make test` runs every test (SQLite, then PostgreSQL).
PYTHON ?= python3
VENV := .venv
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
# Test processes per database run (pytest-xdist); each gets its own SQLite file or PostgreSQL schema.
TEST_WORKERS ?= 2
HORSESHOE_DATA_DIR ?= instance
export HORSESHOE_DATA_DIR

.PHONY: install browser screenshots run test test-sqlite test-postgres audit contracts bench lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium and the pinned axe-core for tests/browser (skipped without them unless HORSESHOE_REQUIRE_BROWSER=1).
browser:
	scripts/ensure-browser

run: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "Serving Horseshoe on http://127.0.0.1:$(PORT) (Ctrl-C stops the site and its worker)"
	@trap 'kill $$worker_pid 2>/dev/null' EXIT INT TERM; \
	$(FLASK) worker & worker_pid=$$!; \
	$(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

test: install audit contracts test-sqlite test-postgres

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

# Refresh docs/screenshots/ (desktop and phone) from a small seeded community in headless Chromium.
screenshots: install browser
	HORSESHOE_SCREENSHOTS=1 $(VENV)/bin/pytest tests/browser/test_accessibility.py -k screenshots

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
