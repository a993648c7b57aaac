"""Recording answers as fixtures: ``Client(record=DIR)``, ``KIWOOM_RECORD=DIR``.

Why: the specs come from Kiwoom's documentation, which is often wrong or incomplete; what the
service really sends is the evidence that fixes them. A recording is written in the layout of
``tests/fixtures`` (``request`` + ``pages``, plus a ``recorded`` block), so
``python -m codegen validate --fixtures DIR`` checks it against the specs and
``python -m codegen promote`` turns it into a fixture the sandbox serves.

Layout: ``DIR/<api_id>/<YYYYMMDD-HHMMSS>-<hex>.json``, one file per call. A pager's pages go
into one file, in order (rewritten as each page arrives, so an interrupted pager leaves the
pages it fetched); a page asked for by hand (``cont_yn=True``) is a file of its own. Files are
created exclusively under a fresh name: nothing is ever overwritten. Error answers (a
``return_code`` other than 0, with their bracketed code) are recorded too, the first of each
(API, code) a client sees, so that a 1700 storm leaves one file, not thousands; their
``recorded.error`` names the code and the client's error class.

Masked before anything touches the disk, keeping each value's length so recordings still fit
their specs: credentials (``appkey``, ``secretkey``, ``token``) entirely; account numbers and
personal values (the keys the generated endpoint lists in ``Endpoint.sensitive``, plus
:data:`ALWAYS_MASKED`) letter and digit by ``*``, separators kept (``0000-00**`` shapes stay
visible); order numbers (:data:`ORDER_NUMBER_KEYS`) digit by ``0`` so they still read as codes.
Inside LIST rows too. Any registered secret value (an issued token, the appkey) found anywhere
else is replaced as in logs. The ``Authorization`` header is never recorded: only response
headers are, and of those only Kiwoom's own (``api-id``, ``cont-yn``, ``next-key``,
``resp-cnt``, ...), not the HTTP layer's.

Recording never breaks a call: an error (a full disk, a read-only directory) is logged once as
a warning and the call returns its answer.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import httpx

from kiwoom_runtime._logging import logger
from kiwoom_runtime._redact import SENSITIVE_KEYS, holds_secret, redact_text
from kiwoom_runtime.values import KST

if TYPE_CHECKING:
    from kiwoom_runtime.endpoint import Endpoint
    from kiwoom_runtime.errors import APIError
    from kiwoom_runtime.response import RawResponse

__all__ = [
    "ALWAYS_MASKED",
    "ORDER_NUMBER_KEYS",
    "RECORD_ENV",
    "Recorder",
    "Recording",
    "mask_body",
]

RECORD_ENV: Final = "KIWOOM_RECORD"
"""The environment variable naming a recording directory when ``record=`` is not passed."""

ALWAYS_MASKED: Final = frozenset({"acnt_no", "acctno", "acct_no", *SENSITIVE_KEYS})
"""Wire keys masked whatever the spec says (compared lower-cased): account numbers and
credentials."""

ORDER_NUMBER_KEYS: Final = frozenset({"ord_no", "orig_ord_no", "base_orig_ord_no", "fr_ord_no"})
"""Order numbers, in requests and answers: masked digit by ``0`` (they are codes)."""

# Headers of the HTTP layer rather than of Kiwoom: never recorded (set-cookie could be a
# session; the rest is noise in a fixture).
_HTTP_HEADERS: Final = frozenset(
    {
        "accept-ranges",
        "age",
        "alt-svc",
        "authorization",
        "cache-control",
        "connection",
        "content-encoding",
        "content-length",
        "content-type",
        "cookie",
        "date",
        "etag",
        "expires",
        "keep-alive",
        "last-modified",
        "pragma",
        "proxy-authorization",
        "server",
        "set-cookie",
        "strict-transport-security",
        "transfer-encoding",
        "vary",
        "via",
        "x-content-type-options",
        "x-frame-options",
        "x-xss-protection",
    }
)


def _client_version() -> str:
    from importlib import metadata  # here: only a recording names the version

    try:
        return f"kiwoom-typed {metadata.version('kiwoom-typed')}"
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        return "kiwoom-typed (not installed)"


def mask_text(value: str) -> str:
    """Every letter and digit as ``*``; separators (``-``, spaces, brackets) kept."""
    return "".join("*" if ch.isalnum() else ch for ch in value)


def _mask_credential(value: str) -> str:
    return "*" * len(value)


def _mask_order_number(value: str) -> str:
    return "".join("0" if ch.isdigit() else "X" if ch.isalnum() else ch for ch in value)


def _masker(key: str, sensitive: frozenset[str]) -> Any:
    lowered = key.lower()
    if lowered in SENSITIVE_KEYS:
        return _mask_credential
    if key in sensitive or lowered in ALWAYS_MASKED:
        return mask_text
    if lowered in ORDER_NUMBER_KEYS:
        return _mask_order_number
    return None


def _mask_all(value: Any, mask: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {k: _mask_all(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_all(v, mask) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    return mask(str(value))  # a number where a string was documented: masked all the same


def mask_body(obj: Any, sensitive: frozenset[str], masked: set[str] | None = None) -> Any:
    """A deep copy of a JSON value with every sensitive key's value masked, at any depth.

    ``sensitive`` holds the endpoint's wire keys; :data:`ALWAYS_MASKED` and
    :data:`ORDER_NUMBER_KEYS` apply whatever it says. The names of the keys that held a value
    are added to ``masked``.
    """
    found: set[str] = set() if masked is None else masked
    # One decision per key, not per value: a chart page has 600 rows of the same keys.
    decisions: dict[str, Any] = {}

    def walk(obj: Any) -> Any:
        if isinstance(obj, dict):  # JSON bodies: dict, not Mapping (an ABC check per value)
            out: dict[str, Any] = {}
            for key, value in obj.items():
                try:
                    mask = decisions[key]
                except KeyError:
                    mask = decisions[key] = _masker(str(key), sensitive)
                if mask is not None:
                    out[key] = _mask_all(value, mask)
                    if value not in (None, ""):
                        found.add(str(key))
                elif isinstance(value, (dict, list)):
                    out[key] = walk(value)
                else:
                    out[key] = value
            return out
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        return obj

    return walk(obj)


def _scrub(obj: Any) -> Any:
    """Registered secret values and bearer credentials replaced wherever they appear."""
    if isinstance(obj, Mapping):
        return {redact_text(str(k)): _scrub(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scrub(v) for v in obj]
    if isinstance(obj, str):
        return redact_text(obj)
    return obj


def _safe_dump(value: Any, indent: str) -> str:
    """``value`` as indented JSON, with any registered secret value scrubbed out."""
    text = _dump(value, indent)
    return _dump(_scrub(value), indent) if holds_secret(text) else text


def _headers(headers: httpx.Headers) -> dict[str, str]:
    """Kiwoom's response headers (api-id, cont-yn, next-key, resp-cnt, ...), names lower-case."""
    out: dict[str, str] = {}
    for name, value in headers.multi_items():
        lowered = name.lower()
        if lowered not in _HTTP_HEADERS and lowered not in SENSITIVE_KEYS:
            out[lowered] = value
    return out


def _dump(value: Any, indent: str) -> str:
    """JSON laid out for review: objects one key a line, each LIST row on one line.

    Why not ``json.dumps(indent=2)``: it runs the pure-Python encoder, ~40 ms for a 600-row
    chart page; compact rows use the C encoder, and a row a line diffs well in a pull request.
    """
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{_compact(str(k))}: {_dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"{inner}{_compact(v)}" for v in value) + f"\n{indent}]"
    return _compact(value)


_API_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def _compact(value: Any) -> str:
    return _ENCODER.encode(value)


class Recorder:
    """Writes the answers of one client under ``directory``; shared by its calls and threads."""

    def __init__(self, directory: str | os.PathLike[str], *, env: str, base_url: str) -> None:
        self.directory = Path(directory)
        self.env = env
        self.host = httpx.URL(base_url).netloc.decode("ascii")
        self.client = _client_version()
        self._lock = threading.Lock()
        self._failed = False
        self._errors: set[tuple[str, str]] = set()  # (api_id, code) recorded once

    def __repr__(self) -> str:
        return f"Recorder(directory={str(self.directory)!r}, env={self.env!r})"

    def session(self, endpoint: Endpoint, request: Mapping[str, Any]) -> Recording:
        """The file of one call (or one pager), created on its first page."""
        return Recording(self, endpoint, request)

    def error(
        self,
        endpoint: Endpoint,
        request: Mapping[str, Any],
        response: httpx.Response,
        exc: APIError,
    ) -> None:
        """Record an error answer, the first of its (API, code); never raises."""
        if not isinstance(exc.data, Mapping):
            return  # no JSON envelope: nothing a fixture could serve
        key = (endpoint.api_id, str(exc.code or exc.return_code))
        with self._lock:
            if key in self._errors:
                return
            self._errors.add(key)
        recording = Recording(self, endpoint, request)
        recording.add_error(response, exc)

    def failed(self, exc: BaseException) -> None:
        """Log a recording failure: a warning the first time, debug after (calls go on)."""
        with self._lock:
            first, self._failed = not self._failed, True
        log = logger.warning if first else logger.debug
        log(
            "recording to %s failed (%s: %s); calls go on unrecorded",
            self.directory,
            type(exc).__name__,
            exc,
        )

    def create(self, api_id: str, at: _dt.datetime, text: str) -> Path:
        """Write ``text`` to a new file under ``<directory>/<api_id>/``, never over another."""
        if not _API_ID.match(api_id):  # a directory name: never a path of its own
            raise ValueError(f"cannot record an API ID like {api_id[:20]!r}")
        folder = self.directory / api_id
        folder.mkdir(parents=True, exist_ok=True)
        stamp = at.strftime("%Y%m%d-%H%M%S")
        for _ in range(100):
            path = folder / f"{stamp}-{secrets.token_hex(3)}.json"
            try:
                with path.open("x", encoding="utf-8") as stream:
                    stream.write(text)
            except FileExistsError:
                continue
            return path
        raise FileExistsError(f"no free file name under {folder}")


class Recording:
    """One call's recording: its request and pages, masked, written as they arrive."""

    def __init__(self, recorder: Recorder, endpoint: Endpoint, request: Mapping[str, Any]) -> None:
        self.recorder = recorder
        self.endpoint = endpoint
        self.sensitive = frozenset(endpoint.sensitive)
        self.masked: set[str] = set()
        self.request = _safe_dump(mask_body(dict(request), self.sensitive, self.masked), "  ")
        self.path: Path | None = None
        self._pages: list[str] = []
        self._at: _dt.datetime | None = None
        self._lock = threading.Lock()

    def add(self, raw: RawResponse, *, first_page: bool = True) -> None:
        """Record one accepted answer; a first page after others starts a new file (a pager
        that was reset). Never raises."""
        try:
            page = {
                "headers": _headers(raw.headers),
                "body": mask_body(raw.body or {}, self.sensitive, self.masked),
            }
            text = "    " + _safe_dump(page, "    ")
            with self._lock:
                if first_page and self._pages:
                    self.path, self._pages = None, []
                self._pages.append(text)
                self._write(raw)
        except Exception as exc:  # recording must never break a call
            self.recorder.failed(exc)

    def add_error(self, response: httpx.Response, exc: APIError) -> None:
        """Record one error answer as a one-page file. Never raises."""
        try:
            page = {
                "headers": _headers(response.headers),
                "body": mask_body(
                    dict(exc.data) if isinstance(exc.data, Mapping) else {},
                    self.sensitive,
                    self.masked,
                ),
            }
            with self._lock:
                self._pages = ["    " + _safe_dump(page, "    ")]
                error = {"code": exc.code, "class": type(exc).__name__}
                self._write_file(response.status_code, complete=True, error=error)
        except Exception as failure:  # recording must never break a call
            self.recorder.failed(failure)

    def _write(self, raw: RawResponse) -> None:
        self._write_file(raw.status_code, complete=not raw.cont_yn)

    def _write_file(
        self, status: int, *, complete: bool, error: Mapping[str, Any] | None = None
    ) -> None:
        recorder, endpoint = self.recorder, self.endpoint
        if self._at is None or self.path is None:
            self._at = _dt.datetime.now(KST)
        at = self._at
        recorded = {
            "api_id": endpoint.api_id,
            "path": endpoint.path,
            "env": recorder.env,
            "host": recorder.host,
            "at": at.isoformat(timespec="seconds"),
            "client": recorder.client,
            "status": status,
            "partial": False,
            "complete": complete,
            "masked": sorted(self.masked),
        }
        if error is not None:
            recorded["error"] = dict(error)
        description = (
            f"{endpoint.api_id} {endpoint.name}: recorded from {recorder.env} ({recorder.host}) "
            f"by {recorder.client} on {at:%Y-%m-%d %H:%M} KST. Account numbers, personal "
            "values, credentials and order numbers are masked; review before promoting."
        )
        text = (
            "{\n"
            f'  "description": {_dump(description, "  ")},\n'
            f'  "recorded": {_dump(recorded, "  ")},\n'
            f'  "request": {self.request},\n'
            '  "pages": [\n' + ",\n".join(self._pages) + "\n  ]\n}\n"
        )
        if self.path is None:
            self.path = recorder.create(endpoint.api_id, at, text)
            return
        # Our own file grows by a page: replaced whole, so a reader never sees half of it.
        tmp = self.path.with_name(f".{self.path.stem}.{secrets.token_hex(3)}.tmp")
        with tmp.open("x", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, self.path)


def recorder_for(
    record: str | os.PathLike[str] | bool | None, *, env: str, base_url: str
) -> Recorder | None:
    """The client's recorder: ``record=`` if given (False: none), else ``KIWOOM_RECORD``."""
    if record is None:
        record = os.environ.get(RECORD_ENV, "").strip() or None
    if record is None or isinstance(record, bool):
        return None
    return Recorder(record, env=env, base_url=base_url)
