"""The ``kiwoom_runtime`` logger, its ``KIWOOM_LOG`` switch and the redaction filter.

Why: debug logs are pasted into issues and shipped to log services. The redaction filter runs on
every record of the ``kiwoom_runtime`` logger (all runtime modules log through that one logger,
so a logger-level filter sees everything) and masks the Authorization header, appkey /
secretkey / token values and any registered secret value. Users can put
:class:`RedactingFilter` on their own handlers too (e.g. for httpx's logger).

``KIWOOM_LOG=debug|info`` adds a stderr handler, like ``OPENAI_LOG`` does.
"""

from __future__ import annotations

import logging
import os

from kiwoom_runtime._redact import redact_text

__all__ = ["RedactingFilter", "logger", "setup_logging"]

LOGGER_NAME = "kiwoom_runtime"
logger = logging.getLogger(LOGGER_NAME)


class RedactingFilter(logging.Filter):
    """Rewrite each record's message with secrets masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the handler's problem, not ours
            return True
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


_FILTER = RedactingFilter()
_handler: logging.Handler | None = None


def _install_filter() -> None:
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(_FILTER)


def setup_logging(level: str | None = None) -> None:
    """Honour ``KIWOOM_LOG`` (or ``level``): add a redacting stderr handler at that level."""
    global _handler
    _install_filter()
    level = (level if level is not None else os.environ.get("KIWOOM_LOG", "")).strip().lower()
    if level not in ("debug", "info"):
        return
    if _handler is None:
        _handler = logging.StreamHandler()
        _handler.addFilter(_FILTER)
        _handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
        logger.addHandler(_handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


setup_logging()
