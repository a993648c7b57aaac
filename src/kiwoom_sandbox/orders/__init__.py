"""Paper trading in the sandbox: an order engine and one account behind the order APIs.

* ``engine.OrderEngine``: orders answered like Kiwoom, matched on the seeded intraday path at
  the sandbox clock's time, with partial fills, tick sizes, daily limits and hours;
* ``views``: the account APIs (미체결 ka10075, 체결 ka10076, 예수금 kt00001, 주문체결내역 kt00007,
  계좌평가잔고 kt00018, US 당일 주문체결 ust21510) answered from the same account;
* ``clock.SandboxClock``: Korea time that tests set and advance (``Sandbox.clock``);
* ``config.TradingConfig`` / ``MarketHours`` / ``Fees``: the knobs (``SandboxConfig.trading``);
* ``rejections``: every refusal with its code and where the code comes from;
* ``realtime.connect(rest, ws)``: 00 주문체결 / 04 잔고 frames on the WebSocket sandbox (US
  orders: F4 주문 확인 / F5 체결).
"""

from kiwoom_sandbox.orders.clock import SandboxClock
from kiwoom_sandbox.orders.config import MOCK_FEES, PROD_FEES, Fees, MarketHours, TradingConfig
from kiwoom_sandbox.orders.engine import OrderEngine, OrderEvent

__all__ = [
    "MOCK_FEES",
    "PROD_FEES",
    "Fees",
    "MarketHours",
    "OrderEngine",
    "OrderEvent",
    "SandboxClock",
    "TradingConfig",
]
