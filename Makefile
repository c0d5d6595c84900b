# The two commands: `make run` (demo on the embedded default) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist processes for `make test` (0: one process, e.g. to debug with --pdb).
TEST_PROCESSES ?= 2

.PHONY: run test install install-dev assets lint worker clean bench

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime assets
install-dev: $(VENV)/.dev assets
assets: node_modules/.installed

# Web server and a Celery worker on the filesystem broker: no PostgreSQL or Redis needed. The worker
# also runs beat (--beat), so the stale-job sweeper and the daily reminders run here too.
run: install
	@mkdir -p var
	DJANGO_ENV=development $(PY) manage.py migrate --noinput
	DJANGO_ENV=development $(PY) manage.py seed_demo
	@DJANGO_ENV=development $(VENV)/bin/celery -A toolkit worker --pool=solo --beat -Q celery,pdf \
		--schedule=var/celerybeat-schedule --loglevel=INFO >var/worker.log 2>&1 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo ""; \
	echo "  Crisis Interop Toolkit is starting at http://$(HOST):$(PORT)/"; \
	echo "  Sign in as coordinator@example.org with password demo-pass-988 (other roles above)."; \
	echo "  Background worker log: var/worker.log"; \
	echo ""; \
	DJANGO_ENV=development $(PY) manage.py runserver $(HOST):$(PORT)

# Probes PostgreSQL, Redis and Chromium (required when CI=true), then runs pytest.
test: install-dev
	@env_lines=$$($(PY) .ci/test_services.py) || exit 1; eval "$$env_lines"; \
	DJANGO_ENV=test $(PY) -m pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

# Benchmarks on PostgreSQL (127.0.0.1:5432, user postgres): build the scale data (bench_scale_small, bench_scale;
# dropped and rebuilt each time, ~1.4 GB for both, ~4 min) and run each script in BENCH_SCRIPTS, which print figures
# (docs/performance.md). Run `make install-dev` once before. `make bench BENCH_SIZES=` reuses the databases.
BENCH_SIZES ?= small full
# bench/load.py: gunicorn and 50 locust users for 60 s, on its own database bench_load (built once).
BENCH_SCRIPTS ?= bench/pages_at_scale.py bench/load.py
bench:
	@for size in $(BENCH_SIZES); do DJANGO_ENV=test $(PY) bench/scale.py --size $$size || exit 1; done
	@for script in $(BENCH_SCRIPTS); do echo "== $$script"; DJANGO_ENV=test $(PY) $$script || exit 1; done

lint: install-dev
	$(VENV)/bin/ruff check .
	DJANGO_ENV=test $(PY) manage.py makemigrations --check --dry-run

worker: install
	$(VENV)/bin/celery -A toolkit worker -Q celery,pdf --loglevel=INFO

clean:
	rm -rf var test-artifacts .pytest_cache
