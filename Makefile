# The two commands: `make demo` and `make test` (`make test-unit`: the fast subset). Both
# install what they need into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS ?= cpu,serve,ray,video,dev

.PHONY: setup browser demo test test-unit lint goldens clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	$(BIN)/ddm models install
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/ddm demo --out demo-out

# The editor's end-to-end test drives Debian's chromium (no browser download at run time).
browser:
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium not installed: the editor's browser test will be skipped"

test: setup browser
	$(BIN)/ruff check ddm_lang tests tools benchmarks training
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Everything but the tests that run real models or OCR, drive a browser, start Ray or an S3
# server, or are slow for another reason (markers in pyproject.toml): about a minute, where
# `make test` takes some ten.
test-unit: setup
	$(BIN)/python -m pytest -m "not (model or browser or ray or s3 or slow)"

goldens: setup  # rewrite the stdlib templates' golden renderings (tests/goldens/)
	$(BIN)/python tools/update_goldens.py

lint: setup
	$(BIN)/ruff check ddm_lang tests tools benchmarks training
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache .hypothesis
