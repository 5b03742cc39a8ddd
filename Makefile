# One entry point for set-up, demo and tests. `make demo` and `make test`
# work on a fresh machine: both build .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck prompts clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ivr demo

test: $(STAMP)
	scripts/install_system.sh
	$(BIN)/ruff check ivr tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check ivr tests bench scripts
	$(BIN)/ruff format --check ivr tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

prompts: $(STAMP)
	$(BIN)/python scripts/render_prompts.py

clean:
	rm -rf $(VENV) build *.egg-info
