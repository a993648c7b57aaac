"""The documented table of chart TRs agrees with the specs, and each chart's table schema is
typed from the value kinds."""

from __future__ import annotations

import datetime as dt

import pytest

from codegen.loader import load_specs
from kiwoom_history import CHARTS, Chart, chart_for, schema_for
from kiwoom_history.charts import TODAY_ONLY
from kiwoom_runtime import ArgumentError
from kiwoom_runtime.values import ValueKindError
from kiwoom_sandbox.history import Interval, chart_interval
from tests.conftest import SPECS

SPEC_SET = load_specs(SPECS)
_INTERVALS = {
    "tick": Interval.TICK,
    "minute": Interval.MINUTE,
    "daily": Interval.DAY,
    "weekly": Interval.WEEK,
    "monthly": Interval.MONTH,
    "quarterly": Interval.QUARTER,
    "yearly": Interval.YEAR,
}


@pytest.mark.parametrize("chart", list(CHARTS.values()), ids=lambda c: c.api_id)
def test_each_chart_matches_its_spec(chart: Chart) -> None:
    spec = SPEC_SET.specs[chart.api_id]
    assert chart_interval(spec.name, spec.menu or "") is _INTERVALS[chart.interval], spec.menu
    request = {f.element for f in spec.request.body}
    for argument in (chart.code_arg, chart.date_arg, chart.scope_arg, chart.adjust_arg):
        assert argument is None or argument in request, (chart.api_id, argument)
    if chart.date_arg is None:  # only tick charts take no date (and 금현물 minute bars)
        assert chart.interval == "tick" or chart.api_id == "ka50080"
    rows = next(f for f in spec.response.body if f.is_list)
    kinds = {f.element: f.kind for f in rows.items}
    assert chart.time_key in kinds
    columns = {key: kind for _, key, kind in chart.columns()}
    expected = ("datetime",) if chart.intraday else ("date", "datetime")  # a day's date-time
    assert columns[chart.time_key] in expected


def test_every_chart_tr_of_the_specs_is_in_the_table() -> None:
    charts = {
        api_id
        for api_id, spec in SPEC_SET.specs.items()
        if chart_interval(spec.name, spec.menu or "") is not None
    }
    assert charts == {c.api_id for c in CHARTS.values()} | TODAY_ONLY


def test_unknown_chart_is_refused_with_what_exists() -> None:
    with pytest.raises(ArgumentError, match="quarterly"):
        chart_for("stock", "quarterly")


def test_columns_are_typed_from_the_value_kinds() -> None:
    daily = {c.name: c.sql for c in schema_for(chart_for("stock", "daily")).columns}
    assert daily["dt"] == "DATE" and daily["cur_prc"] == "BIGINT"
    assert daily["cur_prc_direction"].startswith("ENUM") and daily["pred_pre_sig"] == "UTINYINT"
    assert daily["trde_tern_rt"] == "DOUBLE" and daily["fetched_at"] == "TIMESTAMPTZ"
    sector = {c.name: c.sql for c in schema_for(chart_for("sector", "daily")).columns}
    assert sector["cur_prc"] == "DECIMAL(18,2)" and "cur_prc_direction" not in sector
    us = {c.name: c.sql for c in schema_for(chart_for("us", "daily")).columns}
    assert us["cur_prc"] == "DECIMAL(18,4)" and "cur_prc_direction" in us
    minute = schema_for(chart_for("stock", "minute"))
    assert minute.primary_key == ("code", "adjusted", "scope", "cntr_tm")
    assert {c.name: c.sql for c in minute.columns}["cntr_tm"] == "TIMESTAMP"
    assert schema_for(chart_for("stock", "tick")).primary_key[-1] == "seq"


NOW = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)


def test_page_frame_keeps_magnitude_direction_scale_and_unknown_keys() -> None:
    row = {
        "cur_prc": "-63500",
        "trde_qty": "14586970",
        "trde_prica": "917520",
        "dt": "20250131",
        "open_pric": "62100",
        "high_pric": "+64500",
        "low_pric": "-0",
        "pred_pre": "-900",
        "pred_pre_sig": "5",
        "trde_tern_rt": "+0.16",
        "upd_rt": "",
    }
    schema = schema_for(chart_for("stock", "daily"))
    frame = schema.frame([row], code="005930", adjusted=True, scope=None, fetched_at=NOW)
    got = frame.iloc[0]
    assert got["cur_prc"] == 63500 and got["cur_prc_direction"] == "down"
    assert got["open_pric_direction"] == "flat"  # no sign sent
    assert got["low_pric"] == 0 and got["low_pric_direction"] == "flat"
    assert got["pred_pre"] == -900 and got["trde_tern_rt"] == 0.16
    assert got["extra"] == '{"upd_rt": ""}'
    sector = schema_for(chart_for("sector", "daily"))
    frame = sector.frame(
        [{"cur_prc": "624191", "dt": "20250131"}],
        code="001",
        adjusted=False,
        scope=None,
        fetched_at=NOW,
    )
    assert frame.iloc[0]["cur_prc"] == "6241.91"  # cast to DECIMAL(18,2) on insert


def test_a_malformed_value_names_the_tr_and_the_field() -> None:
    schema = schema_for(chart_for("stock", "daily"))
    with pytest.raises(ValueKindError, match=r"ka10081 trde_qty"):
        schema.frame(
            [{"dt": "20250131", "trde_qty": "12a"}],
            code="005930",
            adjusted=True,
            scope=None,
            fetched_at=NOW,
        )


def test_the_progress_bar_shows_counts_and_an_eta_only_on_a_terminal() -> None:
    import io

    from kiwoom_history import DownloadStats
    from kiwoom_history.progress import ProgressBar

    stats = DownloadStats("stock_daily", 4, symbols_done=2, pages=6, rows=3600, requests=6)
    piped = io.StringIO()
    quiet = ProgressBar(piped)
    quiet.update(stats)
    quiet.close()
    assert piped.getvalue() == ""  # not a terminal: nothing
    shown = io.StringIO()
    bar = ProgressBar(shown, force=True, interval=0)
    bar.update(stats)
    bar.close()
    line = shown.getvalue()
    assert "2/4 symbols" in line and "6 pages" in line and "3,600 rows" in line
    assert "ETA " in line and "ETA -" not in line and line.endswith("\n")


def test_the_sandbox_lists_as_many_symbols_as_asked() -> None:
    from kiwoom_sandbox import cli

    args = cli.build_parser().parse_args(
        ["--symbols", "2500", "--chart-page-rows", "100", "--history-start", "20100104"]
    )
    config = cli.config_from_args(args)
    assert len(config.universe) == 2500 and config.chart_page_rows == 100
    assert config.history_start == dt.date(2010, 1, 4)


def test_the_package_exports_its_names_on_access() -> None:
    import kiwoom_history
    import kiwoom_history.downloader

    assert callable(kiwoom_history.download) and kiwoom_history.download.__module__.endswith("api")
    assert kiwoom_history.Downloader is kiwoom_history.downloader.Downloader
    assert set(kiwoom_history.__all__) <= set(dir(kiwoom_history)) | set(kiwoom_history._MODULE_OF)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        kiwoom_history.nothing  # noqa: B018
