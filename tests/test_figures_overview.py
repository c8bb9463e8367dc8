"""The overview's display builders: exact text, escaping, trace values."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lib import metrics
from lib.figures import overview
from tests import ledgers

LAUNCH = date(2023, 9, 16)
ASOF = date(2023, 10, 18)


def _table():
    blocks = ledgers.blocks([("b1", "<b>雁塔</b>", LAUNCH), ("b2", "状元", LAUNCH)])
    hh = ledgers.households([
        {"block": "b1", "signed": date(2023, 9, 20), "sealed": date(2023, 10, 18)},
        {"block": "b2", "signed": date(2023, 9, 20)},
        {"block": "b2"},
    ])
    return metrics.block_table(hh, blocks, ASOF)


def _forecasts():
    return pd.DataFrame({
        "block_id": ["b1", "b1", "b2", "b2"], "stage": ["signed", "sealed"] * 2,
        "status": ["finished", "finished", "at_risk", "late"],
        "finished_on": [date(2023, 9, 20), ASOF, None, None],
        "finish_p50": [None, None, date(2023, 11, 1), date(2023, 12, 30)],
    })


def test_block_rows_escape_names_and_show_the_outlook():
    html = overview.block_table_html(_table(), _forecasts(), ASOF, "zh")
    assert "&lt;b&gt;雁塔&lt;/b&gt;" in html and "<b>雁塔</b>" not in html
    assert "第 33 天" in html  # b1's double 100 % on its day 33
    assert "将超期" in html  # b2: the worse of at_risk and late
    assert "12-30" in html and "✓ 10-18" in html


def test_a_narrow_desk_drops_the_reference_columns_but_the_wall_keeps_them():
    desk = overview.block_table_html(_table(), _forecasts(), ASOF, "zh")
    wall = overview.block_table_html(_table(), _forecasts(), ASOF, "zh", screen=True)
    assert "@media (max-width: 1500px) { .cb-blocks .ref {display: none;} }" in desk
    assert "@media" not in wall
    # households, today, double-100 % day and pace give way; rates, required pace, finish and flag stay.
    assert desk.count('<th class="num opt ref">') == 4 and desk.count('<td class="num opt ref">') == 4 * len(_table())


def test_kpi_tiles_have_two_decimal_rates():
    blocks = ledgers.blocks([("b1", "B", LAUNCH)])
    hh = ledgers.households([{"signed": date(2023, 9, 20)}, {}, {}])
    tiles = overview.kpi_tiles(metrics.campaign_kpis(hh, blocks, ASOF), "en")
    assert tiles[1][:3] == ("Signed", "33.33%", "1 of 3")
    assert tiles[4][1] == "Day 33"
    assert tiles[5][1] == "67"


def test_records_name_the_fastest_double_full_block_and_teams():
    teams = pd.DataFrame({"team_id": ["t1"], "name": ["新港社区工作组"], "block_id": ["b1"], "households": [73],
                          "full_date": [date(2023, 10, 3)], "day_n": [13]})
    html = overview.records_html(_table(), teams, "zh")
    assert "&lt;b&gt;雁塔&lt;/b&gt;：第 33 天签约率、封房率双达 100%" in html
    assert "新港社区工作组：73 户第 13 天全部封房" in html


def test_records_without_a_finished_block_say_so():
    html = overview.records_html(_table().iloc[1:], _table().iloc[:0], "en")
    assert "No block has reached signed and sealed 100 % yet" in html


def test_rate_bars_put_the_lowest_sealing_on_top():
    fig = overview.block_rate_bars(_table(), "zh")
    sealed = next(tr for tr in fig.data if tr.name == "已封房")
    assert list(sealed.y) == ["&lt;b&gt;雁塔&lt;/b&gt;", "状元"]  # ledger text never becomes plotly markup
    assert list(sealed.x) == [100.0, 0.0]
