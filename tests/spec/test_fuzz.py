"""Property tests: the loader and the importer either succeed or raise a located SpecError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.errors import SpecError
from codegen.importer import parse_extract
from codegen.loader import load_spec_text
from tests.conftest import SEED, SPECS

if not SEED.is_file():
    pytest.skip(f"the seed extract is not at {SEED}", allow_module_level=True)
SPEC_TEXT = (SPECS / "ka10005.yaml").read_text("utf-8")
SEED_LINES = SEED.read_text("utf-8").splitlines()
SPEC_LINES = SPEC_TEXT.splitlines()

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutate(lines: list[str], data: st.DataObject) -> str:
    out = list(lines)
    for _ in range(data.draw(st.integers(1, 6))):
        if not out:
            break
        i = data.draw(st.integers(0, len(out) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "truncate"]))
        if action == "delete":
            del out[i]
        elif action == "duplicate":
            out.insert(i, out[i])
        elif action == "swap":
            j = data.draw(st.integers(0, len(out) - 1))
            out[i], out[j] = out[j], out[i]
        elif action == "replace":
            out[i] = data.draw(st.text(max_size=30))
        else:
            out[i] = out[i][: data.draw(st.integers(0, len(out[i])))]
    return "\n".join(out)


def _loads_or_located(text: str) -> None:
    try:
        load_spec_text(text, "specs/ka10005.yaml")
    except SpecError as exc:
        assert exc.file == "specs/ka10005.yaml"
        assert str(exc).startswith("specs/ka10005.yaml")


def _imports_or_located(text: str) -> None:
    try:
        parse_extract(text, "manual.txt")
    except SpecError as exc:
        assert exc.file == "manual.txt"
        assert exc.line is None or exc.line >= 1


@FUZZ
@given(st.text(max_size=400))
def test_loader_on_arbitrary_text(text: str) -> None:
    _loads_or_located(text)


@FUZZ
@given(st.data())
def test_loader_on_mutated_specs(data: st.DataObject) -> None:
    _loads_or_located(_mutate(SPEC_LINES, data))


@FUZZ
@given(st.text(max_size=400))
def test_importer_on_arbitrary_text(text: str) -> None:
    _imports_or_located(text)


@FUZZ
@given(st.data())
def test_importer_on_mutated_extract(data: st.DataObject) -> None:
    _imports_or_located(_mutate(SEED_LINES, data))


def test_deep_nesting_is_a_located_error() -> None:
    for text in ["[" * 5000, "- " * 3000 + "x"]:
        _loads_or_located(text)
