"""kiwoom_runtime.arguments: request checks name the argument and never echo credentials."""

from __future__ import annotations

import pytest

from kiwoom_runtime import ArgumentError
from kiwoom_runtime.arguments import check_argument, check_arguments, request_from_wire


def test_check_argument_accepts_valid_and_missing_optional() -> None:
    check_argument("ka10001", "stk_cd", "stk_cd", "005930", required=True, length=20)
    check_argument("ka10001", "stk_cd", "stk_cd", None, required=False, length=20)
    check_argument("ka1", "qry_tp", "qry_tp", "1", required=True, length=1, values={"1": "전체"})


def test_check_argument_required() -> None:
    with pytest.raises(ArgumentError) as exc:
        check_argument("ka10001", "stk_cd", "stk_cd", None, required=True, length=20)
    assert exc.value.argument == "stk_cd" and "required (ka10001 'stk_cd')" in str(exc.value)


def test_check_argument_type_length_values() -> None:
    with pytest.raises(ArgumentError, match=r"expected str, got int 5") as exc:
        check_argument("ka10001", "stk_cd", "stk_cd", 5, required=True, length=20)
    assert exc.value.argument == "stk_cd"
    with pytest.raises(ArgumentError, match=r"'12345' is 5 characters; at most 3 allowed"):
        check_argument("ka10001", "stk_cd", "stk_cd", "12345", required=True, length=3)
    with pytest.raises(ArgumentError, match=r"'9' is not one of '1' \(전체\), '2' \(코스피\)"):
        check_argument(
            "ka1",
            "qry_tp",
            "qry_tp",
            "9",
            required=True,
            length=None,
            values={"1": "전체", "2": "코스피"},
        )


def test_check_argument_names_the_wire_key_when_it_differs() -> None:
    with pytest.raises(ArgumentError) as exc:
        check_argument("ka10001", "hgst_250", "250hgst", None, required=True, length=None)
    assert exc.value.argument == "hgst_250" and "wire key '250hgst'" in str(exc.value)


@pytest.mark.parametrize("key", ["appkey", "secretkey", "token"])
def test_check_argument_never_echoes_credentials(key: str) -> None:
    secret = "SECRET-VALUE-0123456789"
    with pytest.raises(ArgumentError) as too_long:
        check_argument("au10001", key, key, secret, required=True, length=5)
    with pytest.raises(ArgumentError) as not_allowed:
        check_argument("au10001", key, key, secret, required=True, length=None, values={"x": "y"})
    with pytest.raises(ArgumentError) as wrong_type:
        check_argument("au10001", key, key, [secret], required=True, length=None)
    for exc in (too_long, not_allowed, wrong_type):
        assert secret not in str(exc.value) and "***" in str(exc.value)


def test_check_arguments_unknown_and_missing() -> None:
    names = ("stk_cd", "qry_tp")
    check_arguments("ka1", {"stk_cd": "1"}, names, ("stk_cd",))
    with pytest.raises(ArgumentError) as unknown:
        check_arguments("ka1", {"stk_cd": "1", "bogus": "x"}, names, ("stk_cd",))
    assert unknown.value.argument == "bogus" and "arguments: stk_cd, qry_tp" in str(unknown.value)
    with pytest.raises(ArgumentError) as missing:
        check_arguments("ka1", {"qry_tp": "1"}, names, ("stk_cd",))
    assert missing.value.argument == "stk_cd" and "required by ka1" in str(missing.value)
    with pytest.raises(ArgumentError, match="arguments: none"):
        check_arguments("ka2", {"x": 1}, (), ())


def test_request_from_wire() -> None:
    wire = {"250hgst": "hgst_250", "stk_cd": "stk_cd"}
    assert request_from_wire("ka1", {"250hgst": "1", "stk_cd": "2"}, wire) == {
        "hgst_250": "1",
        "stk_cd": "2",
    }
    with pytest.raises(ArgumentError) as exc:
        request_from_wire("ka1", {"bogus": "1"}, wire)
    assert exc.value.argument == "bogus" and "ka1 has no request field 'bogus'" in str(exc.value)
