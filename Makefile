# Two commands for a newcomer: `make run` serves the API, `make test` proves it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
SOAK_SECONDS ?= 60

.PHONY: run test lint install clean fuzz soak bench image types typecheck lint-js format-js screenshots

run: $(STAMP)  ## install (first time), migrate, seed if empty, serve on http://127.0.0.1:8000
	$(BIN)/python -m app serve

test: $(STAMP) lint  ## lint, type-check, then the whole test suite (SQLite and PostgreSQL)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/mypy app

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

fuzz: $(STAMP)  ## schemathesis with 2,000 cases per operation (CI runs 120)
	FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest tests/test_fuzz.py -q

soak: $(STAMP)  ## 60 s at 200 connections over the main endpoints, on loopback
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.soak --seconds $(SOAK_SECONDS) --connections 200

image:  ## the Docker image where no registry is reachable (with one: docker build -t article-facts .)
	deploy/start-dockerd.sh
	deploy/build-local-images.sh

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache node_modules tmp

# The explorer (app/explorer) is plain JavaScript served as it is; Node.js is only a tool here:
# types from the OpenAPI document, and a strict type check of the explorer against them.
NODE_STAMP := node_modules/.package-lock.json

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

types: $(STAMP) $(NODE_STAMP)  ## TypeScript types of the API from its OpenAPI document, in tmp/types/ (starts no server)
	mkdir -p tmp/types
	$(BIN)/python -c "import json; from app.main import create_app; print(json.dumps(create_app().openapi()))" > tmp/types/openapi.json
	node_modules/.bin/openapi-typescript tmp/types/openapi.json --output tmp/types/openapi.d.ts

typecheck: types  ## the explorer's JavaScript (// @ts-check, JSDoc) checked against those types
	node_modules/.bin/tsc --project tsconfig.json --noEmit --strict --checkJs

lint-js: $(NODE_STAMP)  ## the explorer's files as prettier writes them (the JavaScript ruff format)
	node_modules/.bin/prettier --check app/explorer

format-js: $(NODE_STAMP)
	node_modules/.bin/prettier --write app/explorer

screenshots: $(STAMP)  ## the README's pictures of the explorer, docs/explorer-*.png (headless chromium)
	EXPLORER_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_explorer.py -k screenshot -q

BENCH_EVENTS ?= 1000000
BENCH_DB := bench/out/bench.db
# The PostgreSQL case: a store of 100,000 events there, made on the first run (left out if no
# PostgreSQL answers).
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench

bench: $(STAMP)  ## bench/results.md: 1M events, the server as users start it vs Datasette and FastAPI's ceiling
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	test -x bench/out/venv/bin/datasette || ($(PYTHON) -m venv bench/out/venv && bench/out/venv/bin/pip install -q "datasette==0.65.*")
	test -x $(BIN)/py-spy || $(BIN)/pip install -q "py-spy>=0.3"
	$(BIN)/python -m bench.generate --if-stale --events $(BENCH_EVENTS) --database-url sqlite:///$(BENCH_DB)
	DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m app migrate
	$(BIN)/python -m bench.run --database $(BENCH_DB) --postgres-url $(BENCH_PG_URL) $(BENCH_ARGS)
