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


def test_empty_optional_value_is_no_value() -> None:
    check_argument("ka1", "qry_tp", "qry_tp", "", required=False, length=1, values={"1": "전체"})
    with pytest.raises(ArgumentError, match="required, got an empty string"):
        check_argument("ka1", "qry_tp", "qry_tp", "", required=True, length=1, values={"1": "x"})


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


# -- date / time / datetime arguments --------------------------------------------------------


def test_date_time_datetime_objects_become_wire_strings() -> None:
    import datetime as dt

    from kiwoom_runtime import KST
    from kiwoom_runtime.arguments import (
        date_arg,
        datetime_arg,
        optional_date_arg,
        optional_datetime_arg,
        optional_time_arg,
        time_arg,
    )

    assert date_arg(dt.date(2025, 1, 2)) == "20250102"
    assert date_arg(dt.date(999, 1, 2)) == "09990102"  # strftime would not pad the year
    assert date_arg(dt.datetime(2025, 1, 2, 23, 30)) == "20250102"  # naive: Korea time
    utc_evening = dt.datetime(2025, 1, 2, 20, 0, tzinfo=dt.UTC)  # 05:00 on the 3rd in Seoul
    assert date_arg(utc_evening) == "20250103"
    assert time_arg(dt.time(9, 5, 7, 123456)) == "090507"
    assert datetime_arg(dt.datetime(2025, 1, 2, 9, 5, 7)) == "20250102090507"
    assert datetime_arg(utc_evening) == "20250103050000"
    assert datetime_arg(dt.datetime(2025, 1, 2, 9, 0, tzinfo=KST)) == "20250102090000"
    for convert in (date_arg, time_arg, datetime_arg):
        assert convert("20250102") == "20250102"  # wire strings pass unchanged
    assert optional_date_arg(None) is None and optional_time_arg(None) is None
    assert optional_datetime_arg(None) is None
    assert optional_date_arg(dt.date(2025, 1, 2)) == "20250102"
    # anything else passes unchanged, for check_argument to name the argument
    assert time_arg(5) == 5  # type: ignore[arg-type, comparison-overlap]
    assert datetime_arg(dt.date(2025, 1, 2)) == dt.date(2025, 1, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("date", "20250102", ["2025-01-02", "20250230", "2025010", "202501021"]),
        ("time", "235959", ["24:00:00", "240000", "2359", "23595"]),
        ("datetime", "20250102235959", ["20250102", "20250102245959", "2025-01-02T00:00"]),
    ],
)
def test_check_argument_checks_time_kinds(kind: str, good: str, bad: list[str]) -> None:
    check_argument("ka1", "x", "x", good, required=True, length=None, kind=kind)
    check_argument("ka1", "x", "x", "", required=False, length=None, kind=kind)  # no value
    for value in bad:
        with pytest.raises(ArgumentError, match=rf"is not a valid {kind}") as exc:
            check_argument("ka1", "x", "x", value, required=True, length=None, kind=kind)
        assert exc.value.argument == "x"
    with pytest.raises(ArgumentError, match=rf"expected str or datetime\.{kind}, got int"):
        check_argument("ka1", "x", "x", 5, required=True, length=None, kind=kind)


def test_check_argument_ignores_other_kinds() -> None:
    check_argument("ka1", "x", "x", "abc", required=True, length=None, kind="number")
    check_argument("ka1", "x", "x", "abc", required=True, length=None, kind="session_time")
