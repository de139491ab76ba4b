# Two commands for a newcomer: `make demo` (main job on the bundled mock fleet) and `make test`.
# Both create .venv themselves from pyproject.toml; only Python 3.11+ and make are needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean

$(STAMP): pyproject.toml mock_devices/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./mock_devices
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fleetreg demo

test: $(STAMP)
	scripts/ensure-browser
	$(BIN)/python -m pytest -q -n 4 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	scripts/typecheck

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache
