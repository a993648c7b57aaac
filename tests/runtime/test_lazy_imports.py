"""What a fresh interpreter imports: the start-up promises of the package and the CLI.

Importing ``kiwoom_typed`` and constructing a client loads no TR module, no pandas, no sandbox
(nor the generator it reads specs with) and no asyncio for a sync client; a call loads the one TR
module it uses; ``kiwoom-typed --help`` loads neither the client nor httpx. Each check runs in a
subprocess, so what other tests imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

NEVER_ON_THE_CALL_PATH = (
    "pandas",
    "kiwoom_sandbox",
    "codegen",
    "yaml",
    "jinja2",
    "cattrs",
    "importlib.metadata",
)


def _loaded(code: str) -> set[str]:
    probe = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _tr_modules(modules: set[str]) -> set[str]:
    return {m for m in modules if m.startswith("kiwoom_typed.tr.")}


def test_importing_the_package_loads_nothing_of_the_catalogue() -> None:
    modules = _loaded("import kiwoom_typed")
    assert "kiwoom_typed._client" not in modules and not _tr_modules(modules)
    assert not {m for m in NEVER_ON_THE_CALL_PATH if m in modules}


def test_constructing_a_client_loads_no_tr_module_pandas_or_sandbox() -> None:
    modules = _loaded(
        """
        from kiwoom_typed import Client
        Client(appkey="k", secretkey="s", base_url="http://127.0.0.1:9").close()
        """
    )
    assert not _tr_modules(modules)
    assert not {m for m in (*NEVER_ON_THE_CALL_PATH, "asyncio") if m in modules}


def test_a_call_loads_the_one_tr_module_it_uses() -> None:
    modules = _loaded(
        """
        import httpx
        from kiwoom_typed import Client

        def answer(request):
            if request.url.path == "/oauth2/token":
                return httpx.Response(200, json={"token": "T" * 40, "return_code": 0})
            return httpx.Response(200, json={"stk_cd": "005930", "return_code": 0})

        with Client(
            appkey="k", secretkey="s", base_url="http://127.0.0.1:9", rate_limit=None,
            transport=httpx.MockTransport(answer), revoke_on_close=False,
        ) as client:
            assert client.get_stock_info(stk_cd="005930").stk_cd == "005930"
        """
    )
    assert _tr_modules(modules) == {"kiwoom_typed.tr.ka10001"}
    assert not {m for m in (*NEVER_ON_THE_CALL_PATH, "asyncio") if m in modules}


def test_cli_help_loads_neither_the_client_nor_httpx() -> None:
    modules = _loaded(
        """
        import contextlib, io, sys
        from kiwoom_cli.main import main
        with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
            main(["--help"])
        """
    )
    assert not {m for m in ("httpx", "kiwoom_runtime", "kiwoom_typed", "attrs") if m in modules}
