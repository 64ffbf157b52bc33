# The team's vocabulary. Every target creates the virtual environment and installs on first use.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB := $(BIN)/python -m config.embedded_pg

.PHONY: install run test faults cluster-test live bench bench-cluster lint format db-start db-stop db-status db-shell seed-standard migrations-check clean

$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

## run: the service with demo data on 127.0.0.1:$${PORT:-8000}; Ctrl+C stops it and its database
run: $(STAMP)
	$(DB) run -- $(BIN)/python manage.py serve

## test: the whole suite (starts and stops the embedded PostgreSQL unless DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## faults: the fault suite (a database restart under load behind gunicorn, races at scale); a few minutes
faults: $(STAMP)
	$(BIN)/pytest tests/faults -m faults -v -s $(PYTEST_ARGS)

## cluster-test: the read-routing and failover tests on a fresh local primary + replica (.pgcluster-test/)
cluster-test: $(STAMP)
	PG_CLUSTER_DIR=.pgcluster-test $(BIN)/python -m config.pg_cluster run --fresh -- $(BIN)/pytest tests/cluster -m cluster $(PYTEST_ARGS)

## live: the live-channel and serving tests against real server processes (tests/live/, about a minute)
live: $(STAMP)
	$(BIN)/pytest tests/live $(PYTEST_ARGS)

## bench: seed the standard data set and print the performance report (see README)
bench: $(STAMP)
	$(DB) run -- $(BIN)/python -m bench $(BENCH_ARGS)

## bench-cluster: the figures of docs/scaling.md on a fresh local primary + replica (bench/cluster.py)
bench-cluster: $(STAMP)
	$(BIN)/python -m config.pg_cluster run --fresh -- $(BIN)/python -m bench --cluster $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP)
	$(DB) run -- $(BIN)/python manage.py makemigrations --check --dry-run

db-start: $(STAMP)
	$(DB) start

db-stop: $(STAMP)
	$(DB) stop

db-status: $(STAMP)
	$(DB) status

db-shell: $(STAMP)
	$(DB) psql

## seed-standard: the benchmark's data set (20,000 appointments, 100,000 notifications) into the dev database
seed-standard: $(STAMP)
	$(DB) run -- sh -c '$(BIN)/python manage.py migrate -v0 && $(BIN)/python manage.py seed_demo --size standard'

clean: db-stop
	-$(BIN)/python -m config.pg_cluster stop
	-PG_CLUSTER_DIR=.pgcluster-test $(BIN)/python -m config.pg_cluster stop
	rm -rf $(VENV) .pgdata .pgcluster .pgcluster-test .pytest_cache .ruff_cache
