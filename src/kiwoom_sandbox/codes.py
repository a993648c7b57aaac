"""The error answers the sandbox gives, in one table.

Kiwoom reports failures as HTTP 200 with ``return_code != 0`` and the precise reason as a
bracketed code inside ``return_msg`` (``인증에 실패했습니다[8005:Token이 유효하지 않습니다]``).
Clients must classify by the bracketed code, so the sandbox keeps every code it emits here,
with its ``return_code`` family, to make the answers consistent and easy to audit.

Codes marked *sandbox choice* are plausible guesses for situations whose live answer has not
been recorded (unknown api-id, path mismatch, bad next-key, ...); they follow the numbering of
the codes that have been seen (15xx invalid input, 8xxx authentication, 17xx rate limits).
"""

from __future__ import annotations

from typing import Any

import attrs

OK_MSG = "정상적으로 처리되었습니다"


@attrs.frozen
class Code:
    """One error answer: the envelope ``return_code`` and the bracketed code with its text."""

    return_code: int
    code: str
    prefix: str
    text: str

    def message(self, detail: str = "") -> str:
        """``prefix[code:text detail]`` as the live service formats ``return_msg``."""
        text = f"{self.text}{detail}"
        return f"{self.prefix}[{self.code}:{text}]"

    def body(self, detail: str = "") -> dict[str, Any]:
        return {"return_code": self.return_code, "return_msg": self.message(detail)}


# --- authentication (seen live) ---
TOKEN_INVALID = Code(3, "8005", "인증에 실패했습니다", "Token이 유효하지 않습니다")
BAD_APPKEY = Code(3, "8001", "인증에 실패했습니다", "App Key 검증에 실패했습니다")
BAD_SECRETKEY = Code(3, "8002", "인증에 실패했습니다", "Secret Key 검증에 실패했습니다")
# --- rate limit (seen live; the text repeats with the API ID) ---
RATE_LIMIT = Code(
    5, "1700", "허용된 요청 개수를 초과하였습니다", "허용된 요청 개수를 초과하였습니다"
)
# --- invalid input ---
MISSING_FIELD = Code(
    2, "1511", "입력 값 오류", "필수 입력 값에 값이 존재하지 않습니다"
)  # seen live
BAD_BODY = Code(2, "1517", "입력 값 오류", "입력 값 형식이 올바르지 않습니다")  # sandbox choice
NO_API_ID = Code(2, "1501", "API ID 오류", "API ID가 Null이거나 값이 없습니다")  # sandbox choice
UNKNOWN_API_ID = Code(2, "1505", "API ID 오류", "해당 API ID는 존재하지 않습니다")  # sandbox choice
WRONG_URI = Code(2, "1504", "API ID 오류", "해당 URI에서는 지원하는 API ID가 아닙니다")  # choice
BAD_NEXT_KEY = Code(2, "1518", "연속조회 오류", "연속조회키가 유효하지 않습니다")  # sandbox choice
NO_SUCH_URI = Code(2, "1500", "URI 오류", "존재하지 않는 URI입니다")  # sandbox choice, HTTP 404
# --- unknown symbol: the code is seen live (1901/1902); a client reported the text for a
# delisted code; return_code 2 (the invalid-input family) is a sandbox choice ---
UNKNOWN_SYMBOL = Code(2, "1901", "입력 값 오류", "종목 정보가 없습니다")
# --- mock environment (seen live) ---
MOCK_NOT_SUPPORTED = Code(
    20, "1999", "모의투자 오류", "모의투자에서는 해당업무가 제공되지 않습니다"
)
MOCK_KRX_ONLY = Code(20, "RC9000", "모의투자 오류", "모의투자에서는 KRX 종목만 가능합니다")


def ok(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with the success envelope appended (a copy; the input is not changed)."""
    return {**body, "return_code": 0, "return_msg": OK_MSG}
