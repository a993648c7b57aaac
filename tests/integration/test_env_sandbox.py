"""``env="sandbox"``: the Python client against a local sandbox, without credentials.

The runtime finds the sandbox through its plugin hook (an entry point, never a static import of
kiwoom_sandbox), starts it once per process on 127.0.0.1 and stops it at exit;
``KIWOOM_SANDBOX_URL`` points clients at a sandbox that is already running.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiwoom_runtime import ArgumentError
from kiwoom_runtime.embedded import sandbox_base_url, stop_embedded_sandbox
from kiwoom_sandbox import Sandbox
from kiwoom_typed import AsyncClient, Client
from tests.conftest import FIXTURES, ROOT, SPECS


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KIWOOM_APPKEY", "KIWOOM_SECRETKEY", "KIWOOM_SANDBOX_URL"):
        monkeypatch.delenv(name, raising=False)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KIWOOM_")}


def test_env_sandbox_needs_no_credentials_and_starts_once() -> None:
    with Client(env="sandbox") as client:
        info = client.get_stock_info(stk_cd="005930")
        assert info.stk_cd == "005930" and info.stk_nm
        assert client.env == "sandbox"
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", client.base_url)
        assert repr(client) == f"Client(env='sandbox', base_url='{client.base_url}')"
        first = client.base_url

    async def other() -> str:
        async with AsyncClient(env="sandbox") as client:
            await client.get_stock_info(stk_cd="005930")
            return client.base_url

    assert asyncio.run(other()) == first == sandbox_base_url()  # one sandbox per process


def test_kiwoom_sandbox_url_points_at_a_running_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sb:
        monkeypatch.setenv("KIWOOM_SANDBOX_URL", sb.base_url + "/")
        with Client(env="sandbox") as client:
            assert client.base_url == sb.base_url
            client.get_stock_info(stk_cd="005930")
        assert len(sb.requests_for("ka10001")) == 1
    monkeypatch.setenv("KIWOOM_SANDBOX_URL", "127.0.0.1:8080")
    with pytest.raises(ArgumentError) as info:
        Client(env="sandbox")
    assert info.value.argument == "KIWOOM_SANDBOX_URL"


def test_the_embedded_sandbox_stops_and_restarts() -> None:
    url = sandbox_base_url()
    stop_embedded_sandbox()
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "/oauth2/token", timeout=2.0)
    with Client(env="sandbox") as client:  # started again, on demand
        assert client.get_stock_info(stk_cd="005930").stk_cd == "005930"


STOP_AT_EXIT = """
import sys
import kiwoom_runtime.embedded as embedded

class Provider:
    base_url = "http://127.0.0.1:1"
    def start(self):
        print("started", flush=True)
    def stop(self):
        print("stopped", flush=True)

embedded._load_provider = lambda: Provider
from kiwoom_runtime import SyncAPIClient
SyncAPIClient(env="sandbox", revoke_on_close=False)
SyncAPIClient(env="sandbox", revoke_on_close=False)
print("kiwoom_sandbox" in sys.modules, flush=True)
"""


def test_one_start_per_process_and_a_stop_at_exit() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STOP_AT_EXIT],
        capture_output=True,
        text=True,
        env=_clean_env(),
        check=True,
        timeout=60,
    )
    assert done.stdout.split() == ["started", "False", "stopped"]


def test_the_runtime_never_imports_the_sandbox_statically() -> None:
    code = (
        "import sys, kiwoom_runtime, kiwoom_typed\n"
        "from kiwoom_typed import Client\n"
        "Client(appkey='k', secretkey='s', base_url='http://127.0.0.1:9').close()\n"
        "print('kiwoom_sandbox' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
    for path in (ROOT / "src" / "kiwoom_runtime").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "kiwoom_sandbox" for n in names), path


def _readme_sandbox_example() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks and 'env="sandbox"' in blocks[0], "README's first example must run offline"
    return blocks[0]


def test_the_readme_sandbox_example_runs_as_written(tmp_path: Path) -> None:
    example = _readme_sandbox_example()
    done = subprocess.run(
        [sys.executable, "-c", example],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=tmp_path,  # outside the checkout: the installed packages only
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "삼성전자" in done.stdout


@pytest.fixture(scope="module", autouse=True)
def _stop_after_module() -> Iterator[None]:
    yield
    stop_embedded_sandbox()


def test_real_credentials_in_the_environment_are_not_sent_to_a_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIWOOM_APPKEY", "REAL-appkey-do-not-send")
    monkeypatch.setenv("KIWOOM_SECRETKEY", "REAL-secretkey-do-not-send")
    with Sandbox(specs_dir=SPECS, fixtures_dir=FIXTURES) as sb:
        monkeypatch.setenv("KIWOOM_SANDBOX_URL", sb.base_url)
        with Client(env="sandbox") as client:
            client.get_stock_info(stk_cd="005930")
        with Client(env="sandbox", appkey="explicit-appkey", secretkey="explicit-secret") as c:
            c.get_stock_info(stk_cd="005930")
        sent = [r.body["appkey"] for r in sb.requests_for("au10001")]
    assert sent == ["sandbox-appkey", "explicit-appkey"]
