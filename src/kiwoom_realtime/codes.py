"""Stock codes as the WebSocket sends them.

Condition search answers codes with a one-letter prefix (``A005930``: A stock, J ELW, Q ETN),
while REG items and most REAL frames use the bare code (``005930``). The session keeps codes
exactly as received; these helpers convert when you need to.
"""

from __future__ import annotations

from kiwoom_runtime.errors import ArgumentError

__all__ = ["CODE_PREFIXES", "split_code_prefix", "strip_code_prefix"]

#: Prefix letter -> what the instrument is.
CODE_PREFIXES = {"A": "stock", "J": "ELW", "Q": "ETN"}


def split_code_prefix(code: str) -> tuple[str, str]:
    """``"A005930"`` -> ``("A", "005930")``; a code without a known prefix -> ``("", code)``.

    Only a 7-character code starting with A, J or Q is split: a bare 6-character code such as
    ``"0015N0"`` or a US ticker such as ``"AAPL"`` is left whole.
    """
    if not isinstance(code, str):
        raise ArgumentError("code", f"expected a str, got {type(code).__name__}")
    base = code.partition("_")[0]
    if len(base) == 7 and base[0] in CODE_PREFIXES and base[1:].isalnum():
        return code[0], code[1:]
    return "", code


def strip_code_prefix(code: str) -> str:
    """``"A005930"`` -> ``"005930"``; codes without a prefix come back unchanged."""
    return split_code_prefix(code)[1]
