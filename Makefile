# The two commands: `make demo` and `make test`. Both install what they need into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS ?= cpu,serve,ray,dev

.PHONY: setup browser demo test lint fmt-check goldens clean

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
	$(BIN)/python -m pytest

goldens: setup  # rewrite the stdlib templates' golden renderings (tests/goldens/)
	$(BIN)/python tools/update_goldens.py

lint: setup
	$(BIN)/ruff check ddm_lang tests tools benchmarks training

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache .hypothesis
