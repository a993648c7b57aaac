"""RawResponse.from_parts reads api-id, cont-yn and next-key in one pass, as headers.get does."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from kiwoom_runtime.response import _paging_headers

_names = st.sampled_from(["api-id", "Api-Id", "cont-yn", "CONT-YN", "next-key", "content-type"])
_values = st.text(st.characters(min_codepoint=32, max_codepoint=0x24F), max_size=8)


@given(st.lists(st.tuples(_names, _values), max_size=6))
def test_one_pass_reads_what_get_reads(pairs: list[tuple[str, str]]) -> None:
    headers = httpx.Headers([(k.encode(), v.encode("utf-8")) for k, v in pairs])
    found = _paging_headers(headers)
    for name in ("api-id", "cont-yn", "next-key"):
        assert found.get(name.encode()) == headers.get(name), (name, pairs)
