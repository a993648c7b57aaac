"""Which routes the engine answers, found from what the specs say.

Order APIs are found by their facts, never by id: a TR the rules mark unsafe to resend whose
method name the rules made ``place_<product>_<buy|sell>_order`` or
``<modify|cancel>_<product>_order`` (names come from the API 명: 매수/매도/정정/취소 주문), the
product from the same name (``stock``, ``credit``, ``us``). Its request fields
are read by their documented names (``ord_qty``, ``ord_uv``, ``orig_ord_no``, ``mdfy_qty``, ...).

The account APIs differ in every field (the same LIST key even names a domestic and a gold
list), so each answer is written for its API: ``ACCOUNT_VIEWS`` is the one table that names
them by id, and ``views.py`` fills each documented field it knows (the others get a neutral
value by their documentation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import attrs

from codegen.spec import Field, TrSpec
from kiwoom_sandbox.orders.kinds import OrderKind, order_kinds

Action = Literal["buy", "sell", "modify", "cancel"]
Product = Literal["stock", "credit", "us"]

_PLACE = re.compile(r"^place_(?P<product>\w+?)_(?P<action>buy|sell)_order$")
_CHANGE = re.compile(r"^(?P<action>modify|cancel)_(?P<product>\w+?)_order$")
_PRODUCTS: Mapping[str, Product] = {
    "stock": "stock",
    "credit": "credit",
    "us": "us",
}
"""Products the engine trades; gold spot (금현물, kt50000-kt50003) is not modelled: its codes
(``M04020000``) are not in the sandbox's universe and answer 1901."""

#: api_id -> the account view that answers it (see views.py).
ACCOUNT_VIEWS: Mapping[str, str] = {
    "ka10075": "open_orders",  # 미체결요청
    "ka10076": "fills",  # 체결요청
    "kt00001": "deposit",  # 예수금상세현황요청
    "kt00007": "order_history",  # 계좌별주문체결내역상세요청
    "kt00018": "balance",  # 계좌평가잔고내역요청
    "ust21510": "us_orders",  # 미국주식 당일 주문체결 확인
}


@attrs.frozen
class OrderApi:
    """One order TR as the engine understands it."""

    api_id: str
    action: Action
    product: Product
    fields: frozenset[str]
    """Wire keys of the request."""
    response: tuple[Field, ...]
    kinds: Mapping[str, OrderKind]
    """``trde_tp`` code -> kind (empty for modify / cancel, which have no trde_tp)."""
    exchange_field: str | None
    """``dmst_stex_tp`` (KRX/NXT/SOR), ``stex_tp`` (US exchanges), or None (gold)."""

    @property
    def side(self) -> Literal["buy", "sell"] | None:
        if self.action == "buy" or self.action == "sell":
            return self.action
        return None


def order_api(spec: TrSpec) -> OrderApi | None:
    """The order API ``spec`` describes, or None if it is not one (by the rules' facts)."""
    facts = spec.facts
    if facts.retry_safe or facts.role is not None:
        return None
    match = _PLACE.match(facts.python_name) or _CHANGE.match(facts.python_name)
    product = _PRODUCTS.get(match.group("product")) if match else None
    if match is None or product is None:
        return None
    fields = {f.element: f for f in spec.request.body}
    kind_field = fields.get("trde_tp")
    exchange = next((k for k in ("dmst_stex_tp", "stex_tp") if k in fields), None)
    return OrderApi(
        api_id=spec.api_id,
        action=match.group("action"),  # type: ignore[arg-type]
        product=product,
        fields=frozenset(fields),
        response=spec.response.body,
        kinds=order_kinds(kind_field) if kind_field is not None else {},
        exchange_field=exchange,
    )


def find_order_apis(specs: Mapping[str, TrSpec]) -> dict[str, OrderApi]:
    found = {}
    for api_id, spec in specs.items():
        api = order_api(spec)
        if api is not None:
            found[api_id] = api
    return found
