"""Field meanings come from value kinds and names, so any spec is served without TR code."""

from __future__ import annotations

import attrs
import pytest

from codegen.kinds import kind_problem
from codegen.loader import load_specs
from codegen.spec import Field, ValueKind
from kiwoom_sandbox.market import Market
from kiwoom_sandbox.meaning import YEAR_TO_DATE, Role, classify, infer_kind, is_symbol_field
from kiwoom_sandbox.synth import compile_plan, generate_body
from tests.sandbox._helpers import SPECS


def _field(element: str, korean: str, kind: str | None, **extra: object) -> Field:
    return Field(
        element=element,
        korean=korean,
        type="String",
        required=False,
        length=20,
        kind=None if kind is None else ValueKind(kind),
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("element", "korean", "kind", "role"),
    [
        ("stk_cd", "종목코드", "code", Role.SYMBOL_CODE),
        ("stk_nm", "종목명", "text", Role.SYMBOL_NAME),
        ("cur_prc", "현재가", "signed_price", Role.PRICE),
        ("close_pric", "종가", "signed_price", Role.PRICE),
        ("open_pric", "시가", "signed_price", Role.OPEN),
        ("high_pric", "고가", "signed_price", Role.HIGH),
        ("low_pric", "저가", "signed_price", Role.LOW),
        ("base_pric", "기준가", "signed_price", Role.PREVIOUS_CLOSE),
        ("upl_pric", "상한가", "signed_price", Role.UPPER_LIMIT),
        ("lst_pric", "하한가", "signed_price", Role.LOWER_LIMIT),
        ("sel_fpr_bid", "매도최우선호가", "signed_price", Role.ASK),
        ("buy_2th_pre_bid", "매수2차선호가", "signed_price", Role.BID),
        ("250hgst", "250최고", "signed_price", Role.WINDOW_HIGH),
        ("oyr_lwst", "연중최저", "signed_price", Role.WINDOW_LOW),
        ("250hgst_pric_dt", "250최고가일", "date", Role.WINDOW_HIGH_DATE),
        ("250lwst_pric_pre_rt", "250최저가대비율", "decimal", Role.WINDOW_LOW_RATE),
        ("pred_pre", "전일대비", "signed_number", Role.CHANGE),
        ("pre", "대비", "signed_number", Role.CHANGE),
        ("flu_rt", "등락률", "decimal", Role.CHANGE_RATE),
        ("flu_rt", "등락율", "decimal", Role.CHANGE_RATE),
        ("pre_sig", "대비기호", "sign_code", Role.SIGN),
        ("trde_qty", "거래량", "number", Role.VOLUME),
        ("trde_prica", "거래대금", "number", Role.TRADE_VALUE),
        ("date", "날짜", "date", Role.DATE),
        ("cntr_tm", "체결시간", "time", Role.TIME),
        ("setl_mm", "결산월", "number", Role.MONTH),
        ("ord_qty", "주문수량", "number", Role.QUANTITY),
        ("tot_amt", "총금액", "number", Role.AMOUNT),
        ("crd_rt", "신용비율", "decimal", Role.RATIO),
        ("for_netprps", "외인순매수", "signed_number", Role.SIGNED),
        ("inds_nm", "업종명", "text", Role.NAME),
        # unannotated fields still get a meaning and a kind from their names
        ("cur_prc", "현재가", None, Role.PRICE),
        ("ord_qty", "주문수량", None, Role.QUANTITY),
        ("rcpy_amt", "상환금액", None, Role.AMOUNT),
        ("trde_cnt", "체결건수", None, Role.COUNT),
        ("brnch_nm", "회원사명", None, Role.NAME),
        ("rcv_dt", "접수일자", None, Role.DATE),
        ("prft_rt", "수익률", None, Role.RATIO),
        ("crd_yn", "신용여부", None, Role.FLAG),
    ],
)
def test_roles_from_kinds_and_names(
    element: str, korean: str, kind: str | None, role: Role
) -> None:
    assert classify(_field(element, korean, kind)).role is role


def test_windows_and_levels() -> None:
    assert classify(_field("oyr_hgst", "연중최고", "signed_price")).window == YEAR_TO_DATE
    assert classify(_field("250hgst", "250최고", "signed_price")).window == 250
    assert classify(_field("sel_10th_pre_bid", "매도10차선호가", "signed_price")).level == 10


def test_documented_values_win() -> None:
    field = _field("mrkt_tp", "시장구분", "code", values={"0": "코스피", "10": "코스닥"})
    assert classify(field).role is Role.CHOICE


def test_market_cap_is_not_an_open_price() -> None:
    assert classify(_field("mac", "시가총액", "number")).role is Role.AMOUNT


@pytest.mark.parametrize(
    ("element", "korean", "kind"),
    [
        ("cur_prc", "현재가", ValueKind.SIGNED_PRICE),
        ("ord_qty", "주문수량", ValueKind.NUMBER),
        ("flu_rt", "등락률", ValueKind.DECIMAL),
        ("rcv_dt", "접수일자", ValueKind.DATE),
        ("cntr_tm", "체결시간", ValueKind.TIME),
        ("pre_sig", "대비기호", ValueKind.SIGN_CODE),
        ("stk_cd", "종목코드", ValueKind.CODE),
        ("stk_nm", "종목명", ValueKind.TEXT),
    ],
)
def test_inferred_kinds(element: str, korean: str, kind: ValueKind) -> None:
    assert infer_kind(_field(element, korean, None)) is kind


def test_symbol_fields() -> None:
    assert is_symbol_field(_field("stk_cd", "종목코드", "code"))
    assert is_symbol_field(_field("stk_cd", "종목코드", None))
    assert not is_symbol_field(_field("inds_cd", "업종코드", "code"))


def _all_fields() -> list[tuple[str, Field]]:
    out: list[tuple[str, Field]] = []

    def walk(api_id: str, fields: tuple[Field, ...]) -> None:
        for field in fields:
            out.append((api_id, field))
            walk(api_id, field.items)

    for spec in load_specs(SPECS):
        walk(spec.api_id, spec.response.body)
    return out


def test_every_spec_field_has_a_meaning() -> None:
    for _api_id, field in _all_fields():
        if not field.is_list:
            classify(field)  # never raises: every field gets a role


def test_unannotated_fields_get_plausible_strings() -> None:
    """Drop every kind annotation: the values must still fit the kinds the names suggest."""
    for spec in load_specs(SPECS):
        fields = tuple(_strip_kinds(f) for f in spec.response.body)
        body = generate_body(
            fields, api_id=spec.api_id, request={}, market=Market(), plan=compile_plan(fields)
        )
        _check(fields, body)


def _strip_kinds(field: Field) -> Field:
    return attrs.evolve(field, kind=None, items=tuple(_strip_kinds(f) for f in field.items))


def _check(fields: tuple[Field, ...], body: dict[str, object]) -> None:
    for field in fields:
        value = body[field.element]
        if field.is_list:
            assert isinstance(value, list)
            for row in value:
                _check(field.items, row)
            continue
        assert isinstance(value, str)
        assert field.length is None or len(value) <= field.length
        inferred = attrs.evolve(field, kind=infer_kind(field))
        assert kind_problem(inferred, value) is None, (field.element, value)
