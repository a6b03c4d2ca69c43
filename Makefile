# Kotae — the two quick-start commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test chat migrate package lint bench-knowledge bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP_RUN) $@

## run: install, then run the bot on the embedded defaults (SQLite, dev mode, http://127.0.0.1:3978)
run: $(STAMP_RUN)
	KOTAE_DEV_MODE=$${KOTAE_DEV_MODE:-true} $(BIN)/python app.py

## test: install with the development tools, then run the whole test suite
test: $(STAMP_DEV)
	$(BIN)/python -m pytest

## chat: talk to the running bot (`make run` in another terminal) from this terminal
chat: $(STAMP_RUN)
	$(BIN)/python -m bot.devtools.chat

## migrate: apply the database migrations (the bot also applies them on start)
migrate: $(STAMP_RUN)
	$(BIN)/python -m bot migrate

## package: build the Teams app package into build/ (APP_ID=<guid> overrides MicrosoftAppId)
package: $(STAMP_DEV)
	$(BIN)/python -m manifest build --out build $(if $(APP_ID),--app-id $(APP_ID))

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
