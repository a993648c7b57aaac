"""Helpers shared by the sandbox tests: config, token issue, TR calls, bracketed codes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import httpx

from kiwoom_sandbox import SandboxConfig

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
FIXTURES = ROOT / "tests" / "fixtures"
OK_MSG = "정상적으로 처리되었습니다"


def make_config(**changes: Any) -> SandboxConfig:
    settings: dict[str, Any] = {"specs_dir": SPECS, "fixtures_dir": FIXTURES, **changes}
    return SandboxConfig(**settings)


def issue(client: httpx.Client, appkey: str = "app", secretkey: str = "secret") -> httpx.Response:
    body = {"grant_type": "client_credentials", "appkey": appkey, "secretkey": secretkey}
    return client.post(
        "/oauth2/token",
        json=body,
        headers={"api-id": "au10001", "content-type": "application/json;charset=UTF-8"},
    )


def call(
    client: httpx.Client,
    api_id: str,
    token: str | None,
    body: dict[str, Any] | None = None,
    *,
    path: str | None = None,
    cont_yn: str | None = None,
    next_key: str | None = None,
) -> httpx.Response:
    paths = {"ka10001": "/api/dostk/stkinfo", "ka10005": "/api/dostk/mrkcond"}
    headers = {"api-id": api_id, "content-type": "application/json;charset=UTF-8"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    if cont_yn is not None:
        headers["cont-yn"] = cont_yn
    if next_key is not None:
        headers["next-key"] = next_key
    url = path or paths.get(api_id, "/api/dostk/mrkcond")
    return client.post(url, json={"stk_cd": "005930"} if body is None else body, headers=headers)


def bracket(response: httpx.Response) -> str:
    """The bracketed code of return_msg, e.g. '8005'."""
    msg = str(response.json()["return_msg"])
    return msg[msg.index("[") + 1 : msg.index(":", msg.index("["))]


def make_catalogue(directory: Path, count: int = 300, source: Path = SPECS) -> Path:
    """``count`` specs made by copying the shipped query specs under new API IDs (kz00000...),
    plus ``_common.yaml`` and the token specs: a stand-in for the full catalogue."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "_common.yaml", directory / "_common.yaml")
    queries: list[str] = []
    for path in sorted(source.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s+role: token_", text, re.M):
            shutil.copy(path, directory / path.name)  # the client needs a token to call
        else:
            queries.append(text)
    for i in range(count):
        api_id = f"kz{i:05d}"
        text = re.sub(r"^api_id: \S+$", f"api_id: {api_id}", queries[i % len(queries)], flags=re.M)
        (directory / f"{api_id}.yaml").write_text(text, encoding="utf-8")
    return directory
