"""The WebSocket APIs of Kiwoom's documentation: real-time types and condition search.

Kiwoom documents 31 APIs that are not REST calls but messages over the WebSocket: 23 real-time
types (``0B`` 주식체결, ``0D`` 주식호가잔량, ``00`` 주문체결, US ``FE`` ...), whose pages describe
the REG request and the fields (by id: ``"10"`` 현재가) of the REAL frames they push, and 8
condition-search APIs (``ka10171``-``ka10174``, ``usa20280``-``usa20291``), whose pages
describe a request, its answer and, for the real-time search, the REAL push (type ``02``).

They live in ``specs/websocket/`` (a directory of their own, so REST tooling never sees them):

* :mod:`.spec` the format (:class:`WsSpec`) and the file names (case-safe);
* :mod:`.build` the documentation's pages (JSON catalogue, workbook, text extract) -> specs;
* :mod:`.importer` re-import that keeps hand annotations and reports changes;
* :mod:`.loader` loading and the rules (:mod:`codegen.rules.realtime`) that name every field;
* :mod:`.validate` the checks of ``python -m codegen validate``;
* :mod:`.model` what the generator renders (typed REAL models, subscribe helpers).
"""
