"""examples/catalogue_tour.py: one API of each menu through the typed client, offline."""

from __future__ import annotations

import importlib.util
import sys

from kiwoom_typed import Client
from tests.conftest import ROOT

MENUS = {"계좌", "종목정보", "시세", "차트", "순위정보", "주문", "ELW", "ETF", "업종", "미국주식"}


def _tour_module() -> object:
    path = ROOT / "examples" / "catalogue_tour.py"
    spec = importlib.util.spec_from_file_location("catalogue_tour", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_one_api_of_each_menu_answers_through_the_typed_client() -> None:
    tour = _tour_module()
    with Client(env="sandbox") as client:
        rows = tour.tour(client)  # type: ignore[attr-defined]
    assert {menu for menu, _, _ in rows} == MENUS
    shown = dict((menu, text) for menu, _, text in rows)
    assert shown["종목정보"].startswith("삼성전자 ")
