"""The annotation rules: method and field names, value kinds, allowed values, TR flags.

Unit tests on hand-made fields pin each rule; catalogue-wide tests check what the rules decide
for every committed spec (whatever specs exist): every TR gets a translated, unique method name,
orders are never retry-safe, paging follows the LIST, hand annotations win.
"""

from __future__ import annotations

import re

import attrs
import pytest

from codegen.loader import load_specs
from codegen.rules import resolve, resolve_field
from codegen.rules.kinds import RULES, FieldContext, kind_for
from codegen.rules.names import field_name, method_name
from codegen.rules.values import parse_values
from codegen.spec import Annotations, Field, Hosts, Message, TrSpec, ValueKind
from tests.conftest import SPECS

README = (SPECS / "README.md").read_text("utf-8")


@pytest.fixture(scope="module")
def spec_set():  # type: ignore[no-untyped-def]
    return load_specs(SPECS)


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("주식일봉차트조회요청", "get_stock_daily_chart"),
        ("주식 매수주문", "place_stock_buy_order"),
        ("신용 정정주문", "modify_credit_order"),
        ("미국주식 취소 주문", "cancel_us_order"),
        ("종목정보 리스트", "list_stock_info"),
        ("관심종목 그룹 리스트 조회", "list_watchlist_group"),
        ("미국주식 일 차트", "get_us_daily_chart"),
        ("미국주식 당일 거래량 상위(ETF)", "get_us_top_today_volume_etf"),
        ("종목별기관매매추이요청", "get_institution_trading_trend_by_stock"),
        ("대차거래추이요청(종목별)", "get_stock_lending_trend_by_stock"),
        ("환전 신청", "apply_for_currency_exchange"),
    ],
)
def test_method_names_follow_one_scheme(name: str, expected: str) -> None:
    method, english, translated = method_name("xx00000", name)
    assert (method, translated) == (expected, True)
    assert english[0].isupper()


def test_an_unknown_word_falls_back_to_the_api_id() -> None:
    assert method_name("ka12345", "뭔가새로운요청") == ("call_ka12345", "ka12345", False)


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("stk_cd", None),
        ("250hgst", "hgst_250"),
        ("250hgst_pric_dt", "hgst_250_pric_dt"),
        ("marketCode", "market_code"),
        ("from", "from_"),
        ("list", "list_"),
        ("pred-close", "pred_close"),
    ],
)
def test_field_names(element: str, expected: str | None) -> None:
    assert field_name(element, frozenset({"list"})) == expected


def test_every_committed_tr_gets_a_translated_unique_method_name(spec_set) -> None:  # type: ignore[no-untyped-def]
    names: dict[str, str] = {}
    for api_id, spec in spec_set.specs.items():
        facts = spec.facts
        assert not facts.source["python_name"].endswith("API ID"), api_id
        for name in (facts.python_name, f"{facts.python_name}_pages"):
            assert names.setdefault(name, api_id) == api_id, (name, api_id, names[name])


def test_us_and_domestic_names_stay_apart(spec_set) -> None:  # type: ignore[no-untyped-def]
    for spec in spec_set.specs.values():
        if spec.url.startswith("/api/us/") and spec.name.startswith("미국주식"):
            assert "_us_" in f"_{spec.facts.python_name}", spec.api_id


# --- allowed values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0:전체, 1:코스피, 2:코스닥", {"0": "전체", "1": "코스피", "2": "코스닥"}),
        ("1:KRX, 2:NXT 3.통합", {"1": "KRX", "2": "NXT", "3": "통합"}),
        ("KRX,NXT,SOR", {"KRX": "", "NXT": "", "SOR": ""}),
        ("0 or 1", {"0": "", "1": ""}),
        ("금액:0, 수량:1", {"0": "금액", "1": "수량"}),
        ("0 : 코스피,\n10 : 코스닥", {"0": "코스피", "10": "코스닥"}),
        ("0:전체조회, 1;천주이상", {"0": "전체조회", "1": "천주이상"}),
        ("4:관리종목,우선주제외, 5:증100제외", {"4": "관리종목,우선주제외", "5": "증100제외"}),
        ("%:(전체), KRX, NXT", {"%": "(전체)", "KRX": "", "NXT": ""}),
        ("+:상승, -:하락", {"+": "상승", "-": "하락"}),
    ],
)
def test_value_lists_are_parsed(text: str, expected: dict[str, str]) -> None:
    assert parse_values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "YYYYMMDD",
        "HH:mm:ss",
        "0:전체 10,15,20,30,50,100,300,500(1만단위) 이상 (ex. 50: 50만 이상)",
        "001:종합(KOSPI), 101:종합(KOSDAQ), 701: KRX100 나머지 ※ 업종코드 참고",
        "00:지정가 03시장가 26:VWAP지정가",  # "03" printed without its colon
        "USD 0:전체,1:5미만",
        "5:5일, 10:10일, 250:250일, 250일까지 입력가능",
        "M04020000: 금 99.99_1kg, 전체 조회는 빈값('')으로 설정",
        "0:평균, YYYY:년도",
        "Y: 가능",  # one side of a flag: recorded ka10099 answers send "N" as well
    ],
)
def test_incomplete_or_ambiguous_lists_are_not_checked(text: str) -> None:
    assert parse_values(text) is None


# --- value kinds ---------------------------------------------------------------------------------


def _field(element: str, korean: str = "", description: str = "") -> Field:
    return Field(
        element=element, korean=korean, type="String", required=False, description=description
    )


@pytest.mark.parametrize(
    ("element", "korean", "description", "side", "us", "kind"),
    [
        ("cur_prc", "현재가", "단위: 원, 부호가 포함된 숫자", "response", False, "signed_price"),
        ("cur_prc", "현재가", "단위: 원", "response", False, "signed_price"),
        (
            "cur_prc",
            "현재가",
            "단위: USD, 부호 포함 소수점 넷째 자리",
            "response",
            True,
            "decimal_price",
        ),
        (
            "pred_pre",
            "전일대비",
            "단위: 원, 부호가 포함된 숫자",
            "response",
            False,
            "signed_number",
        ),
        ("pred_pre", "전일대비", "단위: 지수, 부호가 포함된 숫자", "response", False, "decimal"),
        (
            "flu_rt",
            "등락률",
            "단위: %, 부호 포함 소수점 둘째 자리까지",
            "response",
            False,
            "decimal",
        ),
        ("trde_qty", "거래량", "단위: 1주", "response", False, "number"),
        (
            "entr",
            "예수금",
            "단위: 원, 좌측 0-padding 처리된 부호 포함 15자리 숫자",
            "response",
            False,
            "signed_number",
        ),
        ("dt", "일자", "YYYYMMDD", "response", False, "date"),
        ("cntr_tm", "체결시간", "YYYYMMDDHHmmss", "response", False, "datetime"),
        ("cntr_tm", "체결시간", "HHmmss", "response", False, "time"),
        ("cntr_tm", "체결시간", "HHmmss", "response", True, "session_time"),
        ("from", "from 년월", "YYYYMM", "request", True, "month"),
        (
            "pred_pre_sig",
            "전일대비기호",
            "1: 상한가, 2:상승, 3:보합, 4:하한가, 5:하락",
            "response",
            False,
            "sign_code",
        ),
        ("stk_cd", "종목코드", "", "request", False, "code"),
        ("stk_nm", "종목명", "", "response", False, "text"),
        (
            "iv",
            "IV",
            '소수점 제거 된 100배 값으로 제공 예) "2658"는 26.58',
            "response",
            False,
            "scaled",
        ),
        ("ord_uv", "주문단가", "단위: 원", "request", False, "number"),
        ("buy_uv", "매입단가", "", "response", False, "decimal"),
        ("appkey", "앱키", "", "request", False, "secret"),
        ("stex_tp", "거래소구분", "1:KRX, 2:NXT, 3:통합", "request", False, "text"),
    ],
)
def test_kinds_by_rule(
    element: str, korean: str, description: str, side: str, us: bool, kind: str
) -> None:
    found, rule = kind_for(FieldContext(_field(element, korean, description), side, us))
    assert found.value == kind, rule


def test_every_kind_rule_is_documented() -> None:
    for rule in RULES:
        assert f"`{rule.name}`" in README, f"specs/README.md does not list rule {rule.name}"


def test_a_written_kind_or_values_wins() -> None:
    field = attrs.evolve(
        _field("stex_tp", "거래소구분", "1:KRX, 2:NXT"), kind=ValueKind.CODE, values={}
    )
    resolved = resolve_field(field, "request", False)
    assert resolved.kind is ValueKind.CODE and resolved.values is None


# --- TR flags ------------------------------------------------------------------------------------


def _tr(name: str, url: str, *, list_response: bool, **annotations: object) -> TrSpec:
    body = (
        (
            Field(
                element="rows",
                korean="행",
                type="LIST",
                required=False,
                items=(_field("amt", "금액", "단위: 원"),),
            ),
        )
        if list_response
        else (_field("amt", "금액", "단위: 원"),)
    )
    return TrSpec(
        api_id="kt99901",
        name=name,
        menu="국내주식 > 주문 > x",
        method="POST",
        url=url,
        hosts=Hosts(prod="https://api.kiwoom.com", mock="https://mockapi.kiwoom.com"),
        format="JSON",
        content_type="application/json;charset=UTF-8",
        request=Message(body=(_field("stk_cd", "종목코드"),)),
        response=Message(body=body),
        annotations=Annotations(**annotations) if annotations else None,  # type: ignore[arg-type]
    )


def test_a_new_tr_resolves_with_no_annotations() -> None:
    facts = resolve(_tr("주식 매수주문", "/api/dostk/ordr", list_response=False)).facts
    assert (facts.python_name, facts.retry_safe, facts.paged) == (
        "place_stock_buy_order",
        False,
        False,
    )
    facts = resolve(_tr("주식일봉차트조회요청", "/api/dostk/chart", list_response=True)).facts
    assert (facts.python_name, facts.retry_safe, facts.paged) == (
        "get_stock_daily_chart",
        True,
        True,
    )


def test_hand_annotations_override_the_rules() -> None:
    spec = _tr(
        "주식일봉차트조회요청",
        "/api/dostk/chart",
        list_response=True,
        python_name="daily",
        paged=False,
        retry_safe=False,
    )
    facts = resolve(spec).facts
    assert (facts.python_name, facts.paged, facts.retry_safe) == ("daily", False, False)
    assert facts.source["python_name"] == "spec"


def test_orders_are_never_retry_safe(spec_set) -> None:  # type: ignore[no-untyped-def]
    orders = [
        s
        for s in spec_set.specs.values()
        if re.search(r"(매수|매도|정정|취소)\s*주문$", s.name) or s.name.endswith("신청")
    ]
    assert len(orders) >= 17  # 4 stock, 4 credit, 4 gold, 4 US, 1 currency exchange
    assert [s.api_id for s in orders if s.facts.retry_safe] == []
    assert {s.api_id for s in orders} >= {"kt10000", "kt10001", "kt10002", "kt10003"}


def test_every_list_response_pages(spec_set) -> None:  # type: ignore[no-untyped-def]
    for spec in spec_set.specs.values():
        has_list = any(f.is_list for f in spec.response.body)
        if spec.facts.role is None and spec.facts.source["paged"] != "spec":
            assert spec.facts.paged == has_list, spec.api_id


def test_every_scalar_field_has_a_kind(spec_set) -> None:  # type: ignore[no-untyped-def]
    def walk(fields: tuple[Field, ...]) -> None:
        for f in fields:
            assert f.is_list or f.kind is not None, f.element
            walk(f.items)

    for spec in spec_set.specs.values():
        walk(spec.request.body)
        walk(spec.response.body)


def test_the_readme_counts_are_still_true(spec_set) -> None:  # type: ignore[no-untyped-def]
    """specs/README.md quotes how many fields get which kind; it must not go stale silently."""
    match = re.search(r"(\d[\d,]*) fields stay `text`", README)
    assert match, "specs/README.md should say how many fields stay text"
    text_fields = 0

    def walk(fields: tuple[Field, ...]) -> None:
        nonlocal text_fields
        for f in fields:
            text_fields += f.kind is ValueKind.TEXT
            walk(f.items)

    for spec in spec_set.specs.values():
        walk(spec.request.body)
        walk(spec.response.body)
    assert int(match.group(1).replace(",", "")) == text_fields
