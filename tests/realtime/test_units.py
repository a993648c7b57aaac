"""The pieces without a socket: decoders, codes, URLs, token sources."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

import attrs
import pytest

from kiwoom_realtime import (
    CONDITION_TYPES,
    DEFAULT_DECODERS,
    AsyncRealtimeSession,
    ConditionChange,
    DecoderRegistry,
    RealtimeClosedError,
    RealtimeData,
    decode_condition_change,
    decode_frame,
    split_code_prefix,
    strip_code_prefix,
    token_provider,
)
from kiwoom_realtime.decoders import default_decoders
from kiwoom_runtime import ArgumentError, TokenError
from kiwoom_sandbox.realtime import RealtimeSandbox
from kiwoom_sandbox.realtime_fields import DEFAULT_FIELD_TABLE, ValueSource, base_price
from tests.realtime.conftest import IssuingTokens, next_of, session

FRAME = json.dumps(
    {
        "trnm": "REAL",
        "data": [
            {
                "type": "0B",
                "name": "주식체결",
                "item": "005930",
                "values": {"20": "165208", "10": "-20800", "99999": "new field"},
            },
            {
                "values": {"841": "4", "9001": "005930", "843": "I", "20": "152028", "907": "2"},
                "type": "02",
                "name": "조건검색",
                "item": "005930",
            },
            {"type": "FE", "name": "미국체결", "item": "NVDA", "values": {}, "stexTp": "ND"},
        ],
    },
    ensure_ascii=False,
)


#: The session's registry without the generated typed models: every record stays generic.
RAW = DecoderRegistry(dict.fromkeys(CONDITION_TYPES, decode_condition_change))


def test_generic_events_keep_raw_strings_and_unknown_fields() -> None:
    trade, change, us = decode_frame(FRAME, RAW)
    assert trade == RealtimeData("0B", "주식체결", "005930", trade.values)
    assert trade.values["10"] == "-20800" and trade.get("99999") == "new field"
    assert isinstance(change, ConditionChange)
    assert (change.seq, change.code, change.action, change.inserted) == ("4", "005930", "I", True)
    assert isinstance(us, RealtimeData) and us.extra == {"stexTp": "ND"}


@attrs.frozen
class Trade:
    item: str
    price: str

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Trade:
        return cls(record["item"], record["values"]["10"])


def test_a_registered_decoder_builds_the_event() -> None:
    registry = DEFAULT_DECODERS.copy()
    registry.register("0B", Trade.from_record)
    assert decode_frame(FRAME, registry)[0] == Trade("005930", "-20800")
    with pytest.raises(ArgumentError) as info:
        registry.register("0B", lambda r: r)
    assert info.value.argument == "type_code"
    registry.register("0B", lambda r: r, replace=True)
    assert "0B" in registry and DEFAULT_DECODERS.get("0B") is not registry.get("0B")
    registry.unregister("0B")
    assert registry.get("0B") is None


def test_by_default_records_decode_to_the_generated_typed_models() -> None:
    """kiwoom_typed declares its DECODERS under the kiwoom_realtime.decoders entry point: a
    session (and decode_frame) without decoders= builds StockTrade for 0B; 02 stays the
    ConditionChange the condition API relies on; unknown field ids are kept."""
    from kiwoom_typed.realtime import StockTrade, USExecutionPrice

    trade, change, us = decode_frame(FRAME)
    assert isinstance(trade, StockTrade) and isinstance(change, ConditionChange)
    assert trade.cur_prc == trade.values["10"] == "-20800"
    assert trade.typed.cur_prc is not None and trade.typed.cur_prc.price == 20800
    assert trade.extra == {"99999": "new field"} and trade.get("99999") == "new field"
    assert isinstance(us, USExecutionPrice) and us.record_extra == {"stexTp": "ND"}
    assert us.to_record()["stexTp"] == "ND"


def test_a_registered_decoder_replaces_a_generated_default_without_replace() -> None:
    registry = default_decoders().copy()
    registry.register("0B", Trade.from_record)  # a default gives way; a hand-registered one not
    assert decode_frame(FRAME, registry)[0] == Trade("005930", "-20800")
    with pytest.raises(ArgumentError):
        registry.register("0B", lambda r: r)


def test_a_failing_decoder_falls_back_to_the_generic_event_and_warns_once(
    sandbox: RealtimeSandbox, tokens: IssuingTokens, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kiwoom_runtime")
    registry = DecoderRegistry()

    def broken(record: Mapping[str, Any]) -> object:
        raise KeyError("310")

    registry.register("0B", broken)

    async def main() -> list[object]:
        async with session(sandbox, tokens.manager, decoders=registry) as rt:
            await rt.subscribe("005930", "0B")
            sandbox.burst(3)
            events = [await next_of(rt, RealtimeData) for _ in range(3)]
            assert rt.stats.decode_errors == 3
            return list(events)

    assert len(asyncio.run(main())) == 3
    assert len([r for r in caplog.records if "decoder for type 0B failed" in r.getMessage()]) == 1


def test_code_prefixes() -> None:
    assert strip_code_prefix("A005930") == "005930"
    assert split_code_prefix("J123456") == ("J", "123456")
    assert split_code_prefix("Q500001") == ("Q", "500001")
    for code in ("005930", "AAPL", "0015N0", "005930_NX", "B005930"):
        assert strip_code_prefix(code) == code
    with pytest.raises(ArgumentError):
        strip_code_prefix(5930)  # type: ignore[arg-type]


def test_urls() -> None:
    def url(**kwargs: Any) -> str:
        return AsyncRealtimeSession("fixed-token-123", **kwargs).url

    assert url(env="prod") == "wss://api.kiwoom.com:10000/api/dostk/websocket"
    assert url(env="mock", market="us") == "wss://mockapi.kiwoom.com:10000/api/us/websocket"
    assert url(url="ws://127.0.0.1:9") == "ws://127.0.0.1:9/api/dostk/websocket"
    assert url(url="ws://127.0.0.1:9/x") == "ws://127.0.0.1:9/x"
    for kwargs, argument in [
        ({}, "env"),
        ({"env": "custom"}, "url"),
        ({"url": "http://127.0.0.1:9"}, "url"),
        ({"env": "prod", "market": "jp"}, "market"),
        ({"env": "prod", "queue_sise": 3}, "queue_sise"),
    ]:
        with pytest.raises(ArgumentError) as info:
            url(**kwargs)
        assert info.value.argument == argument


def test_a_sandbox_session_takes_the_websocket_url_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIWOOM_SANDBOX_WS_URL", "ws://127.0.0.1:9")
    session = AsyncRealtimeSession("fixed-token-123", env="sandbox", market="us")
    assert session.url == "ws://127.0.0.1:9/api/us/websocket"
    monkeypatch.setenv("KIWOOM_SANDBOX_WS_URL", "http://127.0.0.1:9")
    with pytest.raises(ArgumentError) as info:
        AsyncRealtimeSession("fixed-token-123", env="sandbox")
    assert info.value.argument == "KIWOOM_SANDBOX_WS_URL"


def test_token_sources() -> None:
    with pytest.raises(ArgumentError) as info:
        token_provider(42)
    assert info.value.argument == "tokens"
    fixed = token_provider("fixed-token-abcdef")
    assert "fixed-token" not in repr(fixed)
    assert fixed.invalidate("fixed-token-abcdef") and not fixed.can_renew
    with pytest.raises(TokenError):
        asyncio.run(fixed.get())


def test_synthetic_values_follow_their_kinds() -> None:
    source = ValueSource(7, "005930", "0B", DEFAULT_FIELD_TABLE["0B"].fields)
    again = ValueSource(7, "005930", "0B", DEFAULT_FIELD_TABLE["0B"].fields)
    first, second = source.next_values(), again.next_values()
    assert first["10"] == second["10"]  # deterministic per seed
    assert base_price(7, "005930") == source.base
    assert first["10"].lstrip("+-").isdigit()
    assert first["25"] in {"2", "3", "5"}
    assert len(first["20"]) == 6 and first["20"].isdigit()
    assert first["12"].lstrip("+-").replace(".", "").isdigit()
    book = ValueSource(7, "005930", "0D", DEFAULT_FIELD_TABLE["0D"].fields).next_values()
    assert all(book[str(41 + i)].lstrip("+-").isdigit() for i in range(10))


def test_a_session_must_be_open_to_be_used() -> None:
    async def main() -> None:
        rt = AsyncRealtimeSession("fixed-token-123", url="ws://127.0.0.1:9")
        with pytest.raises(RealtimeClosedError):
            await rt.subscribe("005930", "0B")
        with pytest.raises(RealtimeClosedError):
            await rt.__anext__()
        await rt.aclose()
        with pytest.raises(RealtimeClosedError):
            await rt.open()

    asyncio.run(main())
