"""kiwoom_realtime: Kiwoom's WebSocket (real-time data and condition search), beside the REST
client and sharing its token, errors and logging.

Needs the ``realtime`` extra (``pip install 'kiwoom-typed[realtime]'``, for ``websockets``).
:class:`AsyncRealtimeSession` is the asyncio session, :class:`RealtimeSession` its blocking
mirror. Events are :class:`RealtimeData` (or the model a decoder registered in
:data:`DEFAULT_DECODERS` builds), :class:`ConditionChange`, and the control events
:class:`Gap`, :class:`Dropped`, :class:`ConditionSnapshot`, :class:`SystemNotice`.
"""

from kiwoom_realtime.codes import CODE_PREFIXES, split_code_prefix, strip_code_prefix
from kiwoom_realtime.config import MOCK_WS_URL, PROD_WS_URL, RealtimeConfig, ws_path
from kiwoom_realtime.decoders import (
    CONDITION_TYPES,
    DEFAULT_DECODERS,
    Decoder,
    DecoderRegistry,
    decode_condition_change,
    decode_generic,
)
from kiwoom_realtime.errors import (
    ConnectionRestrictedError,
    RealtimeAuthenticationError,
    RealtimeClosedError,
    RealtimeError,
    RealtimeSystemError,
)
from kiwoom_realtime.events import (
    ConditionChange,
    ConditionSnapshot,
    Dropped,
    Gap,
    Item,
    RealtimeData,
    Subscription,
    SystemNotice,
    UnknownMessage,
)
from kiwoom_realtime.session import (
    AsyncRealtimeSession,
    Condition,
    ConditionSearchResult,
    RealtimeStats,
    decode_frame,
)
from kiwoom_realtime.sync import RealtimeSession
from kiwoom_realtime.tokens import StaticToken, TokenProvider, token_provider

__all__ = [
    "CODE_PREFIXES",
    "CONDITION_TYPES",
    "DEFAULT_DECODERS",
    "MOCK_WS_URL",
    "PROD_WS_URL",
    "AsyncRealtimeSession",
    "Condition",
    "ConditionChange",
    "ConditionSearchResult",
    "ConditionSnapshot",
    "ConnectionRestrictedError",
    "Decoder",
    "DecoderRegistry",
    "Dropped",
    "Gap",
    "Item",
    "RealtimeAuthenticationError",
    "RealtimeClosedError",
    "RealtimeConfig",
    "RealtimeData",
    "RealtimeError",
    "RealtimeSession",
    "RealtimeStats",
    "RealtimeSystemError",
    "StaticToken",
    "Subscription",
    "SystemNotice",
    "TokenProvider",
    "UnknownMessage",
    "decode_condition_change",
    "decode_frame",
    "decode_generic",
    "split_code_prefix",
    "strip_code_prefix",
    "token_provider",
    "ws_path",
]
