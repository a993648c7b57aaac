"""A lazy API ID -> TR table, for calls by ID (``call("ka10001", ...)``, command lines).

Why lazy: a package with hundreds of TRs must import fast. The generated registry names each TR's
module; the module (models, endpoint, :class:`TrInfo`) is imported the first time its entry is
read, and Python's module cache keeps it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs

from kiwoom_runtime.endpoint import Endpoint
from kiwoom_runtime.errors import ArgumentError

__all__ = ["TOKEN_ROLES", "Registry", "TrInfo"]

#: Roles of the OAuth TRs (``annotations.role`` in the specs): called without a bearer token.
TOKEN_ROLES: Final = frozenset({"token_issue", "token_revoke"})


@attrs.frozen(kw_only=True)
class TrInfo:
    """What the registry knows about one TR: names, models and the runtime endpoint.

    ``request_type`` has a ``from_arguments(mapping)`` class method (generated request models
    do); ``role`` is the spec's ``annotations.role`` (e.g. ``"token_issue"``) or None.
    """

    api_id: str
    name: str
    english_name: str
    method_name: str
    paged: bool
    role: str | None
    request_type: type[Any]
    response_type: type[Any]
    endpoint: Endpoint

    @property
    def authenticated(self) -> bool:
        """False for the token TRs (issue / revoke), which are sent without a bearer token."""
        return self.role not in TOKEN_ROLES

    def build_request(self, arguments: Mapping[str, Any]) -> Any:
        """The request model from Python-named arguments (ArgumentError on bad ones)."""
        return self.request_type.from_arguments(arguments)


class Registry(Mapping[str, TrInfo]):
    """API ID -> :class:`TrInfo`; a TR's module is imported on first access.

    ``modules`` maps each API ID to the dotted name of a module defining ``INFO: TrInfo``.
    """

    def __init__(self, modules: Mapping[str, str]) -> None:
        self._modules = dict(modules)

    def __getitem__(self, api_id: str) -> TrInfo:
        module = self._modules[api_id]
        info: TrInfo = importlib.import_module(module).INFO
        return info

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __contains__(self, api_id: object) -> bool:
        return api_id in self._modules

    def info(self, api_id: str) -> TrInfo:
        """Like ``registry[api_id]`` but an unknown ID raises ArgumentError."""
        if api_id not in self._modules:
            raise ArgumentError("api_id", f"unknown TR {api_id!r}")
        return self[api_id]

    def __repr__(self) -> str:
        return f"Registry({len(self._modules)} TRs)"
