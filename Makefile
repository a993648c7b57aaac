# Every target sets up .venv itself, so a fresh clone needs only python3 and make.
PY      := .venv/bin/python
STAMP   := .venv/.installed
SPECS   := specs
OUT     := generated

.PHONY: demo test check lint format types drift validate generate import bench clean

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

types: $(STAMP)
	$(PY) -m mypy

validate: $(STAMP)
	$(PY) -m codegen validate --specs $(SPECS)

generate: $(STAMP)
	$(PY) -m codegen generate --specs $(SPECS) --out $(OUT)

drift: $(STAMP)
	$(PY) -m codegen generate --specs $(SPECS) --out $(OUT) --check

import: $(STAMP)
	$(PY) -m codegen import tests/seed/kiwoom_manual_extract.txt --out $(SPECS)

check: lint types drift validate test

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache
