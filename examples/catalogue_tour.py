"""One API of each menu through the typed client, against the embedded sandbox (no credentials).

    python examples/catalogue_tour.py

Every call below is a generated method with typed arguments (``Literal`` choices, dates as
``datetime.date``) and a typed answer (``.typed`` parses by the value kinds of the specs). The
same code talks to Kiwoom with ``Client(env="mock")`` or ``Client(env="prod")`` and credentials.
"""

from __future__ import annotations

import datetime as dt

from kiwoom_typed import Client

DAY = dt.date(2025, 1, 31)


def tour(client: Client) -> list[tuple[str, str, str]]:
    """(menu, API, what the answer shows) for one API of each menu."""
    out: list[tuple[str, str, str]] = []

    deposit = client.get_deposit_detail_status(qry_tp="3")  # kt00001
    out.append(("계좌", "kt00001 예수금상세현황", f"예수금 {deposit.typed.entr} 원"))

    info = client.get_stock_info(stk_cd="005930")  # ka10001
    out.append(("종목정보", "ka10001 주식기본정보", f"{info.stk_nm} {info.typed.cur_prc}"))

    book = client.get_stock_quote(stk_cd="005930")  # ka10004
    out.append(
        ("시세", "ka10004 주식호가", f"ask {book.typed.sel_fpr_bid} / bid {book.typed.buy_fpr_bid}")
    )

    chart = client.get_stock_daily_chart(stk_cd="005930", base_dt=DAY, upd_stkpc_tp="1")
    day = chart.stk_dt_pole_chart_qry[0].typed  # ka10081, newest row first
    out.append(("차트", "ka10081 주식일봉차트", f"{day.dt}: close {day.cur_prc}"))

    top = client.get_top_trading_value(mrkt_tp="001", mang_stk_incls="1", stex_tp="3")
    leader = top.trde_prica_upper[0]  # ka10032
    out.append(("순위정보", "ka10032 거래대금상위", f"{leader.stk_nm} {leader.typed.trde_prica}"))

    order = client.place_stock_buy_order(  # kt10000: never resent after an ambiguous failure
        dmst_stex_tp="KRX", stk_cd="005930", ord_qty="1", ord_uv="54700", trde_tp="0"
    )
    out.append(("주문", "kt10000 주식 매수주문", f"order number {order.ord_no}"))

    elw = client.get_elw_disparity(  # ka30004
        isscomp_cd="000000000000",
        bsis_aset_cd="201",
        rght_tp="000",
        lpcd="000000000000",
        trde_end_elwskip="0",
    )
    out.append(("ELW", "ka30004 ELW괴리율", f"{len(elw.elwdispty_rt)} ELWs"))

    etf = client.get_etf_stock_info(stk_cd="069500")  # ka40002
    out.append(("ETF", "ka40002 ETF종목정보", f"{etf.stk_nm}"))

    sector = client.get_sector_current_price(mrkt_tp="0", inds_cd="001")  # ka20001
    out.append(("업종", "ka20001 업종현재가", f"KOSPI {sector.typed.cur_prc}"))

    us = client.get_us_daily_chart(stex_tp="ND", stk_cd="AAPL", strt_dt=DAY)  # usa06012
    out.append(("미국주식", "usa06012 미국주식 일 차트", f"{len(us.result_list)} daily bars"))
    return out


def main() -> None:
    with Client(env="sandbox") as client:
        for menu, api, shown in tour(client):
            print(f"  {menu:<6} {api:<24} {shown}")


if __name__ == "__main__":
    main()
