from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from rt_fakes import LIST, FakeKiwoom, client_kwargs, ok

from kiwoom_runtime import ArgumentError, AsyncAPIClient, Endpoint, PagingError, SyncAPIClient
from kiwoom_runtime.response import RawResponse


def pages_handler(pages: list[list[int]], keys: list[str] | None = None) -> Any:
    """Serve ``pages`` following next-key; ``keys[i]`` is the next-key sent with page i."""
    keys = keys or [f"key-{i + 1}" for i in range(len(pages))]
    seen_keys: list[str | None] = []

    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        key = request.headers.get("next-key") if request.headers.get("cont-yn") == "Y" else None
        seen_keys.append(key)
        index = 0 if key is None else keys.index(key) + 1
        last = index == len(pages) - 1
        headers = {"api-id": "ka10075", "cont-yn": "N" if last else "Y"}
        if not last:
            headers["next-key"] = keys[index]
        return ok(headers, oso=[{"n": n} for n in pages[index]], page=index)

    handler.seen_keys = seen_keys  # type: ignore[attr-defined]
    return handler


PAGES = [[1, 2], [3, 4], [5], [6, 7]]


def test_sync_pages_and_items(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = handler = pages_handler(PAGES)
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(LIST, {"acnt": "1"})
        assert fake.calls("ka10075") == 0  # lazy
        pages = list(pager)
        assert [p["page"] for p in pages] == [0, 1, 2, 3]
        assert pager.pages_fetched == 4 and pager.complete and not pager.truncated
        assert [i["n"] for i in c._paginate(LIST, {}).items()] == [1, 2, 3, 4, 5, 6, 7]
    assert handler.seen_keys[:4] == [None, "key-1", "key-2", "key-3"]
    bodies = [b for a, _, b in fake.requests if a == "ka10075"]
    assert all(b == {"acnt": "1"} for b in bodies[:4])  # same body on every page


def test_async_pages_and_items(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = pages_handler(PAGES)

    async def main() -> tuple[list[int], list[int], int]:
        async with AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            pager = c._paginate(LIST, {})
            pages = [p["page"] async for p in pager]
            items = [i["n"] async for i in c._paginate(LIST, {}).items()]
            return pages, items, pager.pages_fetched

    pages, items, fetched = asyncio.run(main())
    assert pages == [0, 1, 2, 3] and items == [1, 2, 3, 4, 5, 6, 7] and fetched == 4


def test_max_pages_sets_truncated(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = pages_handler(PAGES)
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(LIST, {}, max_pages=2)
        assert [i["n"] for i in pager.items()] == [1, 2, 3, 4]
        assert pager.truncated and not pager.complete and pager.next_key == "key-2"
        exact = c._paginate(LIST, {}, max_pages=4)
        list(exact)
        assert not exact.truncated and exact.complete
    with pytest.raises(ArgumentError):
        SyncAPIClient(transport=fake.transport(), **client_kwargs(fake))._paginate(
            LIST, {}, max_pages=0
        )


def test_async_max_pages_truncated(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = pages_handler(PAGES)

    async def main() -> tuple[int, bool]:
        async with AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            pager = c._paginate(LIST, {}, max_pages=3)
            async for _ in pager:
                pass
            return pager.pages_fetched, pager.truncated

    assert asyncio.run(main()) == (3, True)


def test_repeated_next_key_raises(fake: FakeKiwoom) -> None:
    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        return ok({"cont-yn": "Y", "next-key": "SAME"}, oso=[{"n": 1}])

    fake.handlers["ka10075"] = handler
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        with pytest.raises(PagingError) as info:
            list(c._paginate(LIST, {}))
    assert "SAME" in str(info.value)
    assert fake.calls("ka10075") == 2


def test_repeated_next_key_raises_async(fake: FakeKiwoom) -> None:
    keys = iter(["A", "B", "A"])
    fake.handlers["ka10075"] = lambda r, b: ok({"cont-yn": "Y", "next-key": next(keys)}, oso=[])

    async def main() -> None:
        async with AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            async for _ in c._paginate(LIST, {}):
                pass

    with pytest.raises(PagingError):
        asyncio.run(main())
    assert fake.calls("ka10075") == 3


def test_cont_yn_without_next_key_raises(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = lambda r, b: ok({"cont-yn": "Y"}, oso=[])
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        with pytest.raises(PagingError):
            list(c._paginate(LIST, {}))


def test_single_page_without_paging_headers(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = lambda r, b: ok(oso=[{"n": 1}])
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(LIST, {})
        assert [i["n"] for i in pager.items()] == [1]
        assert pager.pages_fetched == 1 and pager.complete


def _raw(body: dict[str, object] | None, cont: bool, key: str | None) -> RawResponse:
    return RawResponse(
        status_code=200,
        headers=httpx.Headers(),
        content=b"{}",
        body=body,
        api_id="ka10005",
        cont_yn=cont,
        next_key=key,
    )


def test_a_page_promising_more_without_its_list_is_refused() -> None:
    from kiwoom_runtime.errors import InvalidResponseError
    from kiwoom_runtime.paging import _PagerState

    endpoint = Endpoint(api_id="ka10005", name="x", path="/p", paged=True, list_key="rows")
    state = _PagerState(endpoint, None)
    assert state.advance(_raw({"rows": []}, True, "k1"))  # an empty list is a list
    with pytest.raises(InvalidResponseError, match="'rows' list is missing"):
        state.advance(_raw({"return_code": 0}, True, "k2"))
    assert not state.complete
    last = _PagerState(endpoint, None)
    assert not last.advance(_raw({"return_code": 0}, False, None))  # last page: no rows is fine
    assert last.complete


@pytest.mark.parametrize("max_pages", ["3", 2.0, True])
def test_max_pages_must_be_an_int(max_pages: object) -> None:
    from kiwoom_runtime.paging import _PagerState

    endpoint = Endpoint(api_id="ka10005", name="x", path="/p")
    with pytest.raises(ArgumentError, match="max_pages"):
        _PagerState(endpoint, max_pages)  # type: ignore[arg-type]


# -- a pager keeps what it fetched: iterate, then items() / to_dataframe() without re-fetching ---


def test_items_after_iterating_does_not_fetch_again(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = pages_handler(PAGES)
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(LIST, {})
        pages = list(pager)
        assert fake.calls("ka10075") == 4
        assert [i["n"] for i in pager.items()] == [1, 2, 3, 4, 5, 6, 7]
        assert list(pager) == pages and pager.pages == tuple(pages)
        assert fake.calls("ka10075") == 4  # kept, not fetched again
        assert pager.pages_fetched == 4 and pager.complete
        pager.reset()  # asked for: start again from the server
        assert pager.pages == () and not pager.complete
        assert len(list(pager)) == 4 and fake.calls("ka10075") == 8


def test_an_interrupted_iteration_resumes_where_it_stopped(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = handler = pages_handler(PAGES)
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(LIST, {})
        for number, _ in enumerate(pager, start=1):
            if number == 2:
                break
        assert fake.calls("ka10075") == 2 and not pager.complete
        assert [p["page"] for p in pager] == [0, 1, 2, 3]
    assert fake.calls("ka10075") == 4
    assert handler.seen_keys == [None, "key-1", "key-2", "key-3"]


def test_async_items_after_iterating_does_not_fetch_again(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = pages_handler(PAGES)

    async def main() -> tuple[list[int], list[int]]:
        async with AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            pager = c._paginate(LIST, {})
            pages = [p["page"] async for p in pager]
            items = [i["n"] async for i in pager.items()]
            concurrently = await asyncio.gather(*(_collect(pager) for _ in range(3)))
            assert all(len(pages) == 4 for pages in concurrently)
            return pages, items

    pages, items = asyncio.run(main())
    assert pages == [0, 1, 2, 3] and items == [1, 2, 3, 4, 5, 6, 7]
    assert fake.calls("ka10075") == 4


async def _collect(pager: Any) -> list[Any]:
    return [p async for p in pager]


def test_truncated_pager_replays_its_pages_and_stays_truncated(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = pages_handler(PAGES)
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(LIST, {}, max_pages=2)
        assert len(list(pager)) == 2 and len(list(pager)) == 2
        assert pager.truncated and fake.calls("ka10075") == 2


# -- pager.to_dataframe(): every page in one DataFrame ---------------------------------------


class FramedPage:
    """A decoded LIST page as generated models give it to the frames module."""

    COLUMNS = (("n", "n", "number"), ("close", "close", "signed_price"))

    def __init__(self, body: dict[str, Any]) -> None:
        self.rows = body["oso"]

    def _frame_parts(self) -> tuple[str, Any, Any]:
        from kiwoom_runtime.decoding import LazyRows

        return "ka10075", self.COLUMNS, LazyRows(self.rows, lambda row: row)


FRAMED = Endpoint(
    api_id="ka10075",
    name="미체결요청",
    path="/api/dostk/acnt",
    paged=True,
    decode=lambda body, raw: FramedPage(body),
    items=lambda page: page.rows,
)


def _priced_pages() -> Any:
    pages = [[("+100", 1), ("-90", 2)], [("0", 3)], [("+95", 4)]]
    keys = ["k1", "k2", "k3"]

    def handler(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        key = request.headers.get("next-key") if request.headers.get("cont-yn") == "Y" else None
        index = 0 if key is None else keys.index(key) + 1
        last = index == len(pages) - 1
        headers = {"cont-yn": "N" if last else "Y", "next-key": "" if last else keys[index]}
        rows = [{"close": close, "n": str(n)} for close, n in pages[index]]
        return ok(headers, oso=rows)

    return handler


def test_pager_to_dataframe_has_every_page(fake: FakeKiwoom) -> None:
    pytest.importorskip("pandas")
    fake.handlers["ka10075"] = _priced_pages()
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        pager = c._paginate(FRAMED, {})
        df = pager.to_dataframe()
        assert list(df["n"]) == [1, 2, 3, 4] and list(df.index) == [0, 1, 2, 3]
        assert list(df["close"]) == [100, 90, 0, 95]
        assert list(df["close_direction"].astype(str)) == ["up", "down", "flat", "up"]
        assert list(pager.to_dataframe(raw=True)["close"]) == ["+100", "-90", "0", "+95"]
    assert fake.calls("ka10075") == 3  # fetched once for both frames


def test_async_pager_to_dataframe_has_every_page(fake: FakeKiwoom) -> None:
    pytest.importorskip("pandas")
    fake.handlers["ka10075"] = _priced_pages()

    async def main() -> Any:
        async with AsyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
            return await c._paginate(FRAMED, {}).to_dataframe()

    df = asyncio.run(main())
    assert list(df["n"]) == [1, 2, 3, 4] and list(df["close"]) == [100, 90, 0, 95]


def test_to_dataframe_of_pages_without_rows_is_a_clear_error(fake: FakeKiwoom) -> None:
    fake.handlers["ka10075"] = lambda r, b: ok(oso=[])
    with SyncAPIClient(transport=fake.transport(), **client_kwargs(fake)) as c:
        with pytest.raises(ArgumentError, match=r"ka10075.*DataFrame"):
            c._paginate(LIST, {}).to_dataframe()
