# elp-warehouse — two commands for a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 0.02
SEED ?= 20250623
export ELP_RAW_DIR ?= $(CURDIR)/data/raw
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE :=

.PHONY: install demo generate build test lint bench clean report browser superset-install superset \
	spark-install build-spark test-spark

$(BIN)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --python $(BIN)/python --compile-bytecode --quiet requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps --compile-bytecode --quiet -e .
	touch $@

install: $(BIN)/.installed

generate: install
	$(BIN)/elp generate --scale $(SCALE) --seed $(SEED) --out $(ELP_RAW_DIR)

build: install
	$(BIN)/elp build

demo: generate build
	$(BIN)/elp report
	@$(BIN)/elp where

lint: install
	$(BIN)/ruff check src tests scripts publish
	$(BIN)/ruff format --check src tests scripts publish
	$(BIN)/mypy
	$(BIN)/sqlfluff lint models macros

# Debian's chromium for the report's browser test (idempotent; skips without root/apt-get)
browser:
	bash scripts/install_chromium.sh

# The Python tests are mostly dbt builds in subprocesses, which spend much of their time in
# dbt's single-threaded Python: two pytest-xdist workers took the suite from 18.7 to 10.2 min
# on 2 cores (docs/benchmark.md). TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: install browser lint superset-install
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# the study's figures as one HTML page, from the published snapshot (after `make build`)
report: install
	$(BIN)/elp report

# Superset in its own virtualenv from its own lock: Superset 6.1.0 needs SQLAlchemy < 2, the
# project runs SQLAlchemy 2 (docs/bi.md, "Superset"). `make superset` serves the dashboard
# "ELP key indicators" on the published snapshot of ELP_WAREHOUSE_DIR (default warehouse/).
SUPERSET_VENV := .venv-superset
SUPERSET_HOME ?= $(CURDIR)/superset-home
SUPERSET_PORT ?= 8088
SUPERSET_SNAPSHOT ?= $(or $(ELP_WAREHOUSE_DIR),$(CURDIR)/warehouse)/published.duckdb

$(SUPERSET_VENV)/.installed: publish/superset/requirements.lock | $(BIN)/.installed
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(BIN)/uv pip sync --python $(SUPERSET_VENV)/bin/python --require-hashes --compile-bytecode \
		--quiet publish/superset/requirements.lock
	touch $@

superset-install: $(SUPERSET_VENV)/.installed

superset: superset-install
	$(SUPERSET_VENV)/bin/python publish/superset/superset_dashboard.py serve \
		--home $(SUPERSET_HOME) --snapshot $(SUPERSET_SNAPSHOT) --port $(SUPERSET_PORT)

# Spark in its own virtualenv from its own lock (docs/engines.md): dbt-spark with the `session`
# method runs a local pyspark (~630 MB installed) inside dbt, which needs a Java runtime: the
# machine's `java` when there is one, else Debian's OpenJDK 17 headless JRE (with sudo when
# not root). pyspark 4 needs Java 17 or 21.
SPARK_VENV := .venv-spark
SPARK_SCALE ?= 0.005

$(SPARK_VENV)/.installed: requirements-spark.lock | $(BIN)/.installed
	@command -v java >/dev/null 2>&1 || { \
		echo "java not found: installing openjdk-17-jre-headless"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			openjdk-17-jre-headless; }
	java -version 2>&1 | head -1
	$(PYTHON) -m venv $(SPARK_VENV)
	$(BIN)/uv pip sync --python $(SPARK_VENV)/bin/python --require-hashes --compile-bytecode \
		--quiet requirements-spark.lock
	touch $@

spark-install: $(SPARK_VENV)/.installed

# the project on Spark, on ELP_RAW_DIR into ELP_WAREHOUSE_DIR (default warehouse-spark/), then
# the BI snapshot from its marts
build-spark: install spark-install
	ELP_WAREHOUSE_DIR=$${ELP_WAREHOUSE_DIR:-$(CURDIR)/warehouse-spark} \
		$(BIN)/python -m elp_warehouse.spark_engine build
	ELP_WAREHOUSE_DIR=$${ELP_WAREHOUSE_DIR:-$(CURDIR)/warehouse-spark} \
		$(BIN)/python -m elp_warehouse.spark_engine publish

# a small generated extract built on Spark and on DuckDB, every published mart compared
# (tests/python/test_spark_engines.py; its time is in docs/engines.md)
test-spark: install spark-install
	ELP_SPARK_TESTS=1 ELP_SPARK_SCALE=$(SPARK_SCALE) $(BIN)/python -m pytest \
		tests/python/test_spark_engines.py

bench: install
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf warehouse target logs dbt_packages data/raw superset-home
