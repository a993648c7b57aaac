"""The ``httpx.Request`` of one TR call, built from parts prepared once per client.

Why: ``httpx.Client.post`` parses the URL string, merges the client's default headers and
cookies into a new header list, and normalises every header again while building the request:
about a third of httpx's own CPU in a call, the same every time. For the httpx client an API
client creates itself those inputs are fixed, so the URL of each path is parsed once and the
headers are kept per API ID (and token) in the order ``post`` would send them; a call only adds
its paging headers and ``Content-Length``. The request still goes through ``send`` (proxies,
cookies, the transport and its errors as before) and is byte for byte what ``post`` sends.

An httpx client passed in by the user may carry its own headers, auth or event hooks; its calls
go through ``post`` (:meth:`RequestBuilder.usable` says which).
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["RequestBuilder"]

_CONTENT_LENGTH = "Content-Length"


class RequestBuilder:
    """Builds POST requests for one base URL with one owned httpx client's default headers."""

    def __init__(
        self,
        http: httpx.Client | httpx.AsyncClient,
        base_url: str,
        content_type: str,
        timeout: Any,
    ) -> None:
        self._http = http
        self._base_url = base_url
        self._content_type = content_type.encode("ascii")
        self._urls: dict[str, httpx.URL] = {}
        self._headers: dict[tuple[str, str | None], httpx.Headers] = {}
        self._token: str | None = None
        self._default_timeout = timeout
        self._default_extensions = self._extensions(timeout)

    def usable(self) -> bool:
        """False while the client holds cookies: ``post`` merges them into each request."""
        return not self._http.cookies

    def url(self, path: str) -> httpx.URL:
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._base_url + path)
        return url

    def _fixed_headers(self, api_id: str, token: str | None, url: httpx.URL) -> httpx.Headers:
        """Host, the client's defaults, then ours: the order ``post`` gives them."""
        if token != self._token:  # a new token: the old one's headers are dead
            self._headers.clear()
            self._token = token
        key = (api_id, token)
        headers = self._headers.get(key)
        if headers is None:
            raw = [(b"Host", url.netloc), *self._http.headers.raw]
            raw += [(b"api-id", api_id.encode("ascii")), (b"content-type", self._content_type)]
            if token is not None:
                raw.append((b"authorization", f"Bearer {token}".encode()))
            headers = self._headers[key] = httpx.Headers(raw)
        return headers

    @staticmethod
    def _extensions(timeout: Any) -> dict[str, Any]:
        """The request's timeout extension, as ``build_request`` makes it."""
        return {"timeout": httpx.Timeout(timeout).as_dict()}

    def build(
        self,
        path: str,
        api_id: str,
        content: bytes,
        *,
        token: str | None,
        cont_yn: bool,
        next_key: str | None,
        timeout: Any,
    ) -> httpx.Request:
        """The request ``post`` would build (headers, order, URL, body and timeout alike)."""
        url = self.url(path)
        headers = httpx.Headers(self._fixed_headers(api_id, token, url))
        if cont_yn:
            headers["cont-yn"] = "Y"
            headers["next-key"] = next_key or ""
        headers[_CONTENT_LENGTH] = str(len(content))
        request = httpx.Request(
            "POST",
            url,
            headers=headers,
            stream=httpx.ByteStream(content),
            extensions=(
                self._default_extensions
                if timeout is self._default_timeout
                else self._extensions(timeout)
            ),
        )
        request.read()  # request.content readable, as after post (hooks, transports, errors)
        return request
