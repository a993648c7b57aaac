"""The answers the engine refuses orders with, in one table, with where each comes from.

Order refusals come as HTTP 200, ``return_code`` 20 and ``return_msg`` ``[2000](CODE:text)``:
the mock host's ``[2000](RC4058:모의투자 장종료)`` is recorded (shared/live-responses/kt10000).
``evidence`` says, per answer, whether the code and text were recorded, reported by other
clients' authors (quoted in their code and notes), or are the sandbox's choice. The mock host
prefixes texts with ``모의투자``; in mode "prod" the sandbox drops the prefix (the live texts
reported for 800033 / 855056 carry none) and uses the live codes where they are known.
"""

from __future__ import annotations

from typing import Any

import attrs

RETURN_CODE = 20
FAMILY = "2000"


@attrs.frozen
class Rejection:
    code: str
    text: str
    """Without the ``모의투자`` prefix."""
    evidence: str
    prod_code: str | None = None
    prod_text: str | None = None
    mock_text: str | None = None
    """The mock host's text when it is not ``모의투자 `` + ``text``."""

    def body(self, mode: str, detail: str = "") -> dict[str, Any]:
        if mode == "mock":
            code, text = self.code, self.mock_text or f"모의투자 {self.text}"
        else:
            code, text = self.prod_code or self.code, self.prod_text or self.text
        return {"return_code": RETURN_CODE, "return_msg": f"[{FAMILY}]({code}:{text}{detail})"}


RECORDED = "recorded from the mock host"
REPORTED = "reported by other clients"
CHOICE = "sandbox choice"

BEFORE_OPEN = Rejection("RC4057", "장시작전", REPORTED)
CLOSED = Rejection("RC4058", "장종료", RECORDED)
HOLIDAY = Rejection("RC4010", "영업일이 아닙니다", REPORTED)
OFF_TICK = Rejection("RC4003", "호가단위 오류입니다.", REPORTED)
OUT_OF_LIMITS = Rejection("RC4027", "상/하한가 오류", REPORTED)
NO_CASH = Rejection(
    "RC4025",
    "주문가능금액을 확인하세요.",
    REPORTED,
    prod_code="855056",
    prod_text="매수증거금이 부족합니다.",
)
NO_SHARES = Rejection("800033", "매도가능수량이 부족합니다.", REPORTED)
NO_ORIGINAL = Rejection("RC4032", "원주문번호가 존재하지 않습니다", REPORTED)
NOTHING_LEFT = Rejection("RC4034", "정정/취소할 수량이 없습니다", CHOICE)
SAME_PRICE = Rejection("RC4035", "정정가격이 원주문가격과 같습니다", CHOICE)
BAD_QUANTITY = Rejection("RC4001", "주문수량을 확인하세요.", CHOICE)
BAD_PRICE = Rejection("RC4002", "주문단가를 확인하세요.", CHOICE)
BAD_KIND = Rejection("RC4004", "매매구분을 확인하세요.", CHOICE)
NOT_OFFERED = Rejection(
    "RC9000",
    "해당업무가 제공되지 않습니다.",
    REPORTED,
    mock_text="모의투자에서는 해당업무가 제공되지 않습니다.",
)
"""NXT and SOR orders on the mock host (``모의투자에서는 ...``)."""
OTHER_EXCHANGE = Rejection(
    "571412", "SOR정정 및 취소주문은 원주문이 SOR주문인 경우 가능합니다.", REPORTED
)
"""A modify or cancel naming another exchange than its original (reported from live)."""

ALL: tuple[Rejection, ...] = (
    BEFORE_OPEN,
    CLOSED,
    HOLIDAY,
    OFF_TICK,
    OUT_OF_LIMITS,
    NO_CASH,
    NO_SHARES,
    NO_ORIGINAL,
    NOTHING_LEFT,
    SAME_PRICE,
    BAD_QUANTITY,
    BAD_PRICE,
    BAD_KIND,
    NOT_OFFERED,
    OTHER_EXCHANGE,
)


class Refused(Exception):
    """Raised inside the engine; the handler answers ``rejection.body(mode, detail)``."""

    def __init__(self, rejection: Rejection, detail: str = "") -> None:
        self.rejection = rejection
        self.detail = detail
        super().__init__(f"{rejection.code}: {rejection.text}{detail}")
