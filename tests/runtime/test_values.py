from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiwoom_runtime import (
    ArgumentError,
    Direction,
    SignedPrice,
    ValueKindError,
    parse_date,
    parse_datetime_kst,
    parse_decimal,
    parse_int,
    parse_sign_code,
    parse_signed_int,
    parse_signed_price,
    parse_time,
    split_stock_code,
    stock_code,
    typed_value,
)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("+181400", SignedPrice(181400, Direction.UP)),
        ("-91200", SignedPrice(91200, Direction.DOWN)),
        ("72100", SignedPrice(72100, Direction.FLAT)),
        ("-0", SignedPrice(0, Direction.FLAT)),
        ("+0", SignedPrice(0, Direction.FLAT)),
        (" +000500 ", SignedPrice(500, Direction.UP)),
    ],
)
def test_signed_price(wire: str, expected: SignedPrice) -> None:
    got = parse_signed_price(wire)
    assert got == expected
    assert got is not None and got.price >= 0


def test_signed_price_is_not_negative_price() -> None:
    p = parse_signed_price("-239500")
    assert p is not None
    assert p.price == 239500
    assert p.signed == -239500
    assert str(p) == "-239500"


@pytest.mark.parametrize(
    "fn",
    [
        parse_signed_price,
        parse_signed_int,
        parse_int,
        parse_decimal,
        parse_date,
        parse_datetime_kst,
        parse_time,
    ],
)
def test_empty_is_none(fn: object) -> None:
    assert fn("") is None  # type: ignore[operator]
    assert fn("   ") is None  # type: ignore[operator]


def test_ints() -> None:
    assert parse_signed_int("-91200") == -91200
    assert parse_signed_int("+5") == 5
    assert parse_signed_int("-0") == 0
    assert parse_int("000123") == 123
    assert parse_int("+1234") == 1234


def test_decimal_keeps_sign_and_scale() -> None:
    assert parse_decimal("+26.69") == Decimal("26.69")
    assert parse_decimal("-0.50") == Decimal("-0.50")
    assert str(parse_decimal("0.00")) == "0.00"
    assert parse_decimal("-0") == 0


def test_dates_and_times() -> None:
    assert parse_date("20241107") == dt.date(2024, 11, 7)
    assert parse_time("083713") == dt.time(8, 37, 13)
    got = parse_datetime_kst("20241107083713")
    assert got == dt.datetime(2024, 11, 6, 23, 37, 13, tzinfo=dt.UTC)
    assert got is not None and got.utcoffset() == dt.timedelta(hours=9)


@pytest.mark.parametrize(
    ("fn", "bad", "kind"),
    [
        (parse_signed_price, "12.5", "signed price"),
        (parse_signed_price, "+-5", "signed price"),
        (parse_signed_int, "abc", "signed integer"),
        (parse_int, "0.00", "integer"),
        (parse_decimal, "1,00", "decimal"),  # not thousands grouping
        (parse_decimal, "+", "decimal"),
        (parse_date, "20241340", "date"),
        (parse_date, "2024-11-7", "date"),
        (parse_time, "246000", "time"),
        (parse_datetime_kst, "2024110708371", "datetime"),
    ],
)
def test_bad_values_raise_value_kind_error(fn: object, bad: str, kind: str) -> None:
    with pytest.raises(ValueKindError) as info:
        fn(bad)  # type: ignore[operator]
    assert isinstance(info.value, ValueError)
    assert repr(bad) in str(info.value)
    assert kind in str(info.value)
    assert "stk_prc" in str(info.value.with_field("stk_prc"))


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_signed_int_roundtrip(n: int) -> None:
    wire = f"{n:+d}"
    assert parse_signed_int(wire) == n
    price = parse_signed_price(wire)
    assert price is not None and price.price == abs(n) and price.signed == n


def test_stock_codes() -> None:
    assert stock_code("005930") == "005930"
    assert stock_code("005930", "NXT") == "005930_NX"
    assert stock_code("005930", "SOR") == "005930_AL"
    assert split_stock_code("005930_NX") == ("005930", "NXT")
    assert split_stock_code("005930_AL") == ("005930", "SOR")
    assert split_stock_code("005930") == ("005930", "KRX")
    with pytest.raises(ArgumentError) as info:
        stock_code("005930_NX", "NXT")
    assert info.value.argument == "code"
    with pytest.raises(ArgumentError):
        stock_code("005930", "NYSE")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        split_stock_code("005930_XX")


# -- 대비기호 and typed_value -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("1", Direction.UP),
        ("2", Direction.UP),
        ("3", Direction.FLAT),
        ("4", Direction.DOWN),
        (" 5 ", Direction.DOWN),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_parse_sign_code(wire: str | None, expected: Direction | None) -> None:
    assert parse_sign_code(wire) is expected


@pytest.mark.parametrize("bad", ["6", "+", "12", 2])
def test_parse_sign_code_rejects(bad: object) -> None:
    with pytest.raises(ValueKindError, match="sign code"):
        parse_sign_code(bad)  # type: ignore[arg-type]


def test_typed_value_names_tr_and_field() -> None:
    assert typed_value(parse_int, "+0012", "ka10001", "trde_qty") == 12
    assert typed_value(parse_int, "", "ka10001", "trde_qty") is None
    with pytest.raises(ValueKindError) as exc:
        typed_value(parse_int, "1.5", "ka10001", "trde_qty")
    assert exc.value.field == "ka10001 trde_qty" and exc.value.value == "1.5"
    assert str(exc.value) == "ka10001 trde_qty: '1.5' is not a valid integer"


def test_sign_code_zero_reads_flat() -> None:
    """'0' is in no table, yet in 7 documented examples where nothing moved."""
    assert parse_sign_code("0") is Direction.FLAT
