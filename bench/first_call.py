"""Time to first call in a fresh interpreter: import + construct + first ka10001 call.

Run by ``bench/run.py`` as ``python bench/first_call.py BASE_URL [kiwoom_typed|kiwoom_client]``
against a running sandbox; prints one JSON object with milliseconds. The clock starts at the
first line of this script, so interpreter start-up is excluded here (the caller also times the
whole process). The first call includes issuing the token (one more round trip).
"""

import time

_T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402


def main() -> None:
    base_url = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "kiwoom_typed"
    if which == "kiwoom_typed":
        from kiwoom_typed import Client

        t_import = time.perf_counter()
        client = Client(appkey="bench-appkey", secretkey="bench-secret", base_url=base_url)
        t_construct = time.perf_counter()
        info = client.get_stock_info(stk_cd="005930")
        t_call = time.perf_counter()
        assert info.stk_cd is not None
        client.close()
    else:
        from kiwoom_client import KiwoomAPI

        t_import = time.perf_counter()
        api = KiwoomAPI("bench-appkey", "bench-secret", base_url=base_url)
        # The sandbox requires an api-id header on the token request; kiwoom-client sends
        # none, so the benchmark adds it (see BENCHMARKS.md).
        api._auth._client.headers["api-id"] = "au10001"
        t_construct = time.perf_counter()
        data = api.stock_info.basic_stock_info(stk_cd="005930")
        t_call = time.perf_counter()
        assert data["return_code"] == 0
        api.close()
    print(
        json.dumps(
            {
                "import_ms": (t_import - _T0) * 1000,
                "construct_ms": (t_construct - t_import) * 1000,
                "first_call_ms": (t_call - t_construct) * 1000,
                "total_ms": (t_call - _T0) * 1000,
            }
        )
    )


if __name__ == "__main__":
    main()
