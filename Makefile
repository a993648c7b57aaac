# Every target sets up .venv itself, so a fresh clone needs only python3 and make.
PY      := .venv/bin/python
STAMP   := .venv/.installed
SPECS   := specs
OUT     := generated

# Keep compiled bytecode between runs: 300 generated TR modules are ~12 MB of Python, and
# compiling them anew in every test process costs more than the tests (some shells set this).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-fast check static lint format types drift validate generate import update-specs bench clean

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py
	$(PY) examples/download_history.py

# Every test, the slow real-HTTP suites included (what CI runs): on two workers, then the
# suites that measure time alone (tests/conftest.py TIMING_MODULES).
test: $(STAMP)
	$(PY) -m pytest -q -n 2 -m "not timing"
	$(PY) -m pytest -q -m timing tests/integration tests/reliability tests/sandbox

# Everything but the suites marked slow (tests/conftest.py): the quick gate, on two workers.
test-fast: $(STAMP)
	$(PY) -m pytest -q -n 2 -m "not slow"

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
	$(PY) -m codegen import ../shared/seed/000_0b9518e4a2945ffd.txt --out $(SPECS)

# The maintainer's one command when Kiwoom documents new APIs: the newest kwcli wheel from PyPI
# carries Kiwoom's JSON catalogue; import it (the report says what the documentation changed),
# regenerate, validate. Not run by CI (it reaches PyPI); the tests use ../shared/kiwoom-docs.
KWCLI_DIR := .cache/kwcli
update-specs: $(STAMP)
	rm -rf $(KWCLI_DIR)
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.13 \
		--dest $(KWCLI_DIR) kwcli
	$(PY) -m codegen import $(KWCLI_DIR)/kwcli-*.whl --out $(SPECS)
	$(MAKE) --no-print-directory generate validate

static: lint types drift validate

# The quick gate before a commit; CI runs `static` and the full `make test`.
check: static test-fast

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache
