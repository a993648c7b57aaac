"""Secret redaction shared by exceptions, reprs and logging.

Why a separate module: exceptions, the logging filter and the token manager all need the same
rules, and a leak through any one of them (an exception message pasted in an issue, a debug log
shipped to a log service) exposes the account. Two mechanisms work together:

* *Pattern* redaction masks values that look like credentials whatever their origin: the
  ``Authorization: Bearer ...`` header and JSON / repr keys ``appkey``, ``secretkey``, ``token``.
* *Value* redaction replaces every registered secret value (appkey, secretkey, issued tokens)
  anywhere in a text, for the cases no pattern anticipates.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import httpx

MASK = "***"

#: Keys whose values are credentials in request or response bodies (token issue / revoke).
SENSITIVE_KEYS = frozenset({"appkey", "secretkey", "token", "authorization"})

_MAX_REGISTERED = 256
_registry: OrderedDict[str, None] = OrderedDict()
_pinned: set[str] = set()  # credentials: never evicted, however many tokens rotate through
_registry_lock = threading.Lock()

_BEARER_RE = re.compile(r"(?i)(bearer\s+)[^\s'\",}]+")
_KEY_VALUE_RE = re.compile(
    r"""(?ix)
    (["']?(?:appkey|secretkey|token|authorization)["']?\s*[:=]\s*)   # key and separator
    (?:"[^"]*"|'[^']*'|[^\s,}&]+)                                     # quoted or bare value
    """
)


def register_secret(value: str | None, *, pinned: bool = False) -> None:
    """Remember ``value`` so that :func:`redact_text` masks it wherever it appears.

    Very short values are ignored: masking every "1" in a log line would only destroy it.
    Rotating values (tokens) live in a bounded registry, oldest first out, because tokens rotate
    for the life of a daemon; ``pinned`` values (appkey, secretkey) are kept for good.
    """
    if not value or len(value) < 6:
        return
    with _registry_lock:
        if pinned:
            _pinned.add(value)
            return
        _registry[value] = None
        _registry.move_to_end(value)
        while len(_registry) > _MAX_REGISTERED:
            _registry.popitem(last=False)


def redact_text(text: str) -> str:
    """Mask registered secret values and credential-looking key/value pairs in ``text``."""
    with _registry_lock:
        values = sorted(_pinned.union(_registry), key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    text = _BEARER_RE.sub(lambda m: m.group(1) + MASK, text)
    text = _KEY_VALUE_RE.sub(lambda m: m.group(1) + '"' + MASK + '"', text)
    return text


def holds_secret(text: str) -> bool:
    """Whether ``text`` holds a registered secret value or a bearer credential: the quick test
    before redacting a large document value by value."""
    with _registry_lock:
        values = list(_pinned.union(_registry))
    return any(value in text for value in values) or _BEARER_RE.search(text) is not None


def redact_value(obj: Any) -> Any:
    """Return a deep copy of a JSON-like value with sensitive keys masked."""
    if isinstance(obj, Mapping):
        return {
            k: (
                MASK
                if str(k).lower() in SENSITIVE_KEYS and v not in (None, "")
                else redact_value(v)
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [redact_value(v) for v in obj]
    if isinstance(obj, str):
        return redact_text(obj)
    return obj


def redact_headers(headers: httpx.Headers | Mapping[str, str] | None) -> httpx.Headers:
    """Copy ``headers`` with the authorization header (and credential headers) masked."""
    out: list[tuple[str, str]] = []
    if headers is None:
        return httpx.Headers()
    items = headers.multi_items() if isinstance(headers, httpx.Headers) else headers.items()
    for key, value in items:
        if key.lower() in SENSITIVE_KEYS:
            if key.lower() == "authorization" and value.lower().startswith("bearer "):
                value = "Bearer " + MASK
            else:
                value = MASK
        else:
            value = redact_text(value)
        out.append((key, value))
    return httpx.Headers(out)
