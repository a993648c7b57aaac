"""What the sandbox can be told to do: ``SandboxConfig``, rate limits and faults.

The configuration is a frozen attrs class on purpose: the server takes one snapshot per request,
and a test changes behaviour while the server runs by swapping in an evolved copy under a lock
(``Sandbox.configure``). A request therefore never sees half of a change.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import attrs

from kiwoom_sandbox.market import DEFAULT_MARKET_DATE
from kiwoom_sandbox.orders.config import TradingConfig
from kiwoom_sandbox.symbols import DEFAULT_UNIVERSE, Universe

Mode = Literal["prod", "mock"]
SymbolPolicy = Literal["listed", "any"]


@attrs.frozen
class RateLimit:
    """A token bucket: ``rate`` requests per second on average, at most ``burst`` at once."""

    rate: float
    burst: int = 1

    def __attrs_post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError(f"a rate limit needs rate > 0 and burst >= 1, got {self}")


def shipped_dir(packaged: str, in_repo: str) -> Path:
    """Where the specs (or fixtures) the client was generated from are.

    Why: ``kiwoom-typed sandbox`` must serve the same specs as the installed client, whatever
    the working directory. A wheel carries them inside this package; a checkout has them at the
    repository root; failing both, the path relative to the working directory.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / packaged, here.parents[1] / in_repo):
        if candidate.is_dir():
            return candidate
    return Path(in_repo)


@attrs.frozen(kw_only=True)
class SandboxConfig:
    """Every knob of the sandbox. All have defaults that behave like a healthy live service."""

    specs_dir: Path = attrs.field(factory=lambda: shipped_dir("specs", "specs"), converter=Path)
    """Read once at start: the route table and the response shapes come from here."""
    fixtures_dir: Path | None = attrs.field(
        factory=lambda: shipped_dir("fixtures", "tests/fixtures")
    )
    """``<dir>/<api_id>/*.json`` recorded answers; None to serve examples and synthetic data."""
    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free ephemeral port (see ``Sandbox.base_url``)."""
    mode: Mode = "prod"
    """"mock" imitates mockapi.kiwoom.com: KRX only (``_NX``/``_AL`` refused), and TRs whose
    spec says ``mock_supported: false`` answer 1999."""
    token_lifetime: float = 86400.0
    """Seconds from issue to expiry; ``expires_dt`` (Korea time) reflects it."""
    invalidate_previous_token: bool = False
    """Reported live behaviour: a new token for an appkey makes the older ones answer 8005."""
    valid_keys: Mapping[str, str] | None = None
    """appkey -> secretkey accepted by au10001/au10002; None accepts any pair."""
    global_limit: RateLimit | None = None
    """One bucket shared by every request (published terms: 5/s)."""
    per_api_limit: RateLimit | None = None
    """A separate bucket per api-id (measured live: about RateLimit(1, burst=2))."""
    api_limits: Mapping[str, RateLimit] = attrs.field(factory=dict)
    """Overrides of ``per_api_limit`` for named api-ids."""
    rate_limit_status: int = 200
    """HTTP status of the 1700 answer: the live service has used 200 and 429."""
    rows_per_page: int = 3
    """Rows of each LIST field in synthetic answers."""
    synthetic_pages: int = 1
    """Pages of synthetic answers of paged TRs (``annotations.paged``) that have a LIST."""
    pages_for: Mapping[str, int] = attrs.field(factory=dict)
    """api_id -> number of synthetic pages. Naming an api-id here forces synthetic data for
    it, even when a fixture or a documentation example exists (benchmarks rely on this)."""
    seed: int = 0
    """Synthetic data is a pure function of (seed, api_id, request body, page); the price
    path of each symbol of (seed, symbol, day)."""
    market_date: dt.date = DEFAULT_MARKET_DATE
    """The trading day answers describe: current prices are its close, daily rows go back
    from it. Fixed by default so answers are reproducible; ``--date today`` on the command
    line uses the current Korean date."""
    symbol_policy: SymbolPolicy = "listed"
    """Which stock codes exist. "listed": the codes of ``universe`` (with ``_NX``/``_AL``);
    any other code answers ``[1901:...]`` (``UnknownSymbolError``). "any": every well-formed
    code (six digits or capitals, optional suffix) is served, with a made-up name."""
    universe: Universe = DEFAULT_UNIVERSE
    """The listed symbols (``Universe.default().with_symbols({"123450": "샌드박스전자"})``)."""
    account_number: str = "5012345610"
    """What fields of kind ``account`` answer (cut to the field's length); a test of recording
    puts a canary here to prove it never reaches a file."""
    chart_history: bool = True
    """Serve chart TRs (menu 차트) from the price path as history (``history.py``): rows end
    at ``base_dt`` (or the market date) and page back, period by period, to the symbol's
    listing date or ``history_start``; False gives them generic synthetic pages."""
    chart_page_rows: int = 600
    """Rows of a daily, weekly, monthly or yearly chart page (live: 600)."""
    intraday_page_rows: int = 900
    """Rows of a minute or tick chart page (live: 900)."""
    history_start: dt.date = dt.date(2000, 1, 4)
    """The oldest day any chart reaches; a symbol listed later starts at its listing date
    (``Symbol.listed_on``)."""
    use_fixtures: bool = True
    use_examples: bool = True
    """Serve the documentation example for the request it documents, when every value of it
    fits its field (kind and length) and no fixture matches; otherwise synthesize."""
    paper_trading: bool = True
    """Answer the order APIs and the account APIs the engine covers from one paper account
    (``kiwoom_sandbox.orders``); False: stateless synthetic answers, as for any other TR."""
    trading: TradingConfig = attrs.field(factory=TradingConfig)
    """The paper account and the engine: cash, fees, hours, clock start, fill speed."""
    state_file: Path | None = attrs.field(default=None, converter=attrs.converters.optional(Path))
    """Save the paper account here (JSON) after every change and load it at start, so it
    survives a restart; None keeps it in memory. Read when the sandbox starts."""

    def __attrs_post_init__(self) -> None:
        if self.mode not in ("prod", "mock"):
            raise ValueError(f"mode must be 'prod' or 'mock', got {self.mode!r}")
        if self.rows_per_page < 0:
            raise ValueError("rows_per_page must be >= 0")
        if any(n < 1 for n in self.pages_for.values()):
            raise ValueError("pages_for values must be >= 1")
        if self.token_lifetime <= 0:
            raise ValueError("token_lifetime must be > 0")
        if self.synthetic_pages < 1:
            raise ValueError("synthetic_pages must be >= 1")
        if self.chart_page_rows < 1 or self.intraday_page_rows < 1:
            raise ValueError("chart_page_rows and intraday_page_rows must be >= 1")
        if self.symbol_policy not in ("listed", "any"):
            raise ValueError(f"symbol_policy must be 'listed' or 'any', got {self.symbol_policy!r}")


class FaultKind(enum.Enum):
    """A misbehaviour the sandbox can inject, by api-id, for the next N calls."""

    HTTP_ERROR = "http_error"
    """An HTTP error status (``status``: 500, 502, 503, ...) with an HTML body."""
    DELAY = "delay"
    """Sleep ``delay`` seconds, then answer normally (to push a call past the client timeout)."""
    RESET = "reset"
    """Send the headers and half the body, then reset the connection (RST)."""
    HTML = "html"
    """HTTP 200 with an HTML error page instead of JSON, as a proxy in front would answer."""
    TRUNCATED_JSON = "truncated_json"
    """HTTP 200 with the JSON cut in half (Content-Length matches the cut body)."""
    ERROR = "error"
    """HTTP 200 with ``return_code`` / ``return_msg`` of your choice (1634, 8005, 1511, ...)."""
    EXPIRE_TOKEN = "expire_token"
    """The token this call carries expires now, so this call (and later ones) answer 8005."""
    REPEAT_NEXT_KEY = "repeat_next_key"
    """Paging bug: the answer says cont-yn Y with the next-key the request sent (or, on a
    first page, the key of the page itself), so a naive client asks for the same page again."""
    MISSING_LIST = "missing_list"
    """The answer lacks its LIST key(s) altogether."""
    STRING_RETURN_CODE = "string_return_code"
    """``return_code`` as a string (``return_code_text``: "0" or "0000")."""


@attrs.frozen(kw_only=True)
class Fault:
    """One injected misbehaviour; the parameters that do not apply to ``kind`` are ignored."""

    kind: FaultKind = attrs.field(converter=FaultKind)
    count: int = 1
    status: int = 500
    delay: float = 0.0
    return_code: int | str = 5
    return_msg: str = (
        "요청 개수를 초과하였습니다[1634:한번에 조회 가능한 종목코드 개수를 초과하였습니다]"
    )
    return_code_text: str = "0"
    http_status: int = 200
    """HTTP status of an ERROR answer."""

    def __attrs_post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("a fault needs count >= 1")
