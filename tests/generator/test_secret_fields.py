"""Fields of kind ``secret`` (credentials in the token TRs) never show in a model's repr."""

from __future__ import annotations

import importlib

import pytest

from codegen.loader import load_specs
from codegen.spec import Field, ValueKind
from tests.conftest import SPECS

SPEC_SET = load_specs(SPECS)
SECRET_TRS = sorted(
    api_id
    for api_id, spec in SPEC_SET.specs.items()
    if any(f.kind is ValueKind.SECRET for f in (*spec.request.body, *spec.response.body))
)


def _values(fields: tuple[Field, ...]) -> dict[str, str]:
    return {(f.python_name or f.element): f"v-{f.element}-0123456789" for f in fields}


def test_the_token_trs_mark_their_credentials() -> None:
    assert SECRET_TRS == ["au10001", "au10002"]


@pytest.mark.parametrize("api_id", SECRET_TRS)
def test_secret_fields_are_absent_from_reprs(api_id: str) -> None:
    spec = SPEC_SET.specs[api_id]
    module = importlib.import_module(f"kiwoom_typed.tr.{api_id}")
    info = module.INFO
    request = info.request_type(**_values(spec.request.body))
    response = info.response_type.from_dict(
        {f.element: f"v-{f.element}-0123456789" for f in spec.response.body}
    )
    for model, fields in ((request, spec.request.body), (response, spec.response.body)):
        text = repr(model) + str(model)
        for field in fields:
            value = f"v-{field.element}-0123456789"
            if field.kind is ValueKind.SECRET:
                assert value not in text, (
                    f"{api_id} {field.element} shows in {type(model).__name__}"
                )
            else:
                assert value in text, f"{api_id} {field.element} should show"
