"""lib.figures.command: the command canvas's curves, 前列/后进 panel and ticker, from a tiny hand-made ledger."""

from __future__ import annotations

import base64
from datetime import date

import pandas as pd

from lib import metrics
from lib.figures import command
from tests import ledgers

LAUNCH = date(2023, 9, 16)
ASOF = date(2023, 9, 25)  # day 10
BLOCKS = ledgers.blocks([("b1", "雁塔二地块", LAUNCH), ("b2", "连江中路红星经合社飞地厂房项目", LAUNCH)])
TEAMS = ledgers.teams([("t1", "新港社区工作组", "b1"), ("t2", "宁化街道征迁工作组三组", "b2")])
HOUSEHOLDS = ledgers.households([
    {"block": "b1", "team": "t1", "signed": date(2023, 9, 17), "sealed": date(2023, 9, 18)},
    {"block": "b1", "team": "t1", "signed": date(2023, 9, 18), "sealed": ASOF},
    {"block": "b2", "team": "t2", "signed": date(2023, 9, 17)},
    {"block": "b2", "team": "t2"},
])


def _views():
    table = metrics.block_table(HOUSEHOLDS, BLOCKS, ASOF)
    forecasts, _ = metrics.block_forecasts(HOUSEHOLDS, BLOCKS, ASOF, with_paths=False)
    board = metrics.team_board(HOUSEHOLDS, TEAMS, BLOCKS, ASOF)
    return table, forecasts, board


def test_ticker_names_todays_gains_then_the_alerts():
    table, forecasts, board = _views()
    items = command.ticker_items(table, forecasts, board, "zh")
    assert items[0] == ("gain", "雁塔二地块 封房 +1")
    assert all(kind == "alert" for kind, _ in items[1:])
    flags = metrics.block_outlooks(table, forecasts)
    assert (flags["b2"] in ("late", "at_risk", "stalled")) == any("连江中路" in text for _, text in items[1:])


def test_a_day_without_gains_says_so():
    table, forecasts, board = _views()
    quiet = table.assign(sealed_today=0, signed_today=0)
    items = command.ticker_items(quiet, forecasts, board.assign(laggard=False), "en")
    assert items[0] == ("flat", "No signing or sealing today")


def test_ticker_text_is_escaped():
    html = command.ticker_html([("alert", "<b>x</b>")], "zh")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert html.startswith('<div class="cb-ticker"><span class="cb-ticker-head">今日</span>')


def test_leaders_panel_shows_the_top_and_the_laggards_with_full_names():
    board = pd.DataFrame({
        "rank": [1, 2, 3, 4], "team": ["甲组", "乙组", "宁化街道征迁工作组三组", "<丁组>"], "block": ["b1"] * 4,
        "sealed_rate": [1.0, 0.9, 0.5, 0.2], "laggard": [False, False, True, True], "rank_change": [0, 1, -1, 0],
        "finish_day": [12.0, None, None, None], "laggard_reasons": ["", "", "stalled", "stalled"],
        "days_since_gain": [0, 0, 4, 9], "rate_gap": [0.0, 0.0, 0.0, 0.0], "day_n": [20, 20, 20, 20],
    })
    html = command.leaders_html(board, "zh", n=2)
    assert html.index("甲组") < html.index("乙组") < html.index("&lt;丁组&gt;") < html.index("宁化街道征迁工作组三组")
    assert 'title="宁化街道征迁工作组三组"' in html  # the whole name, never cut in the markup
    assert "⚠ 后进 · 2" in html and "50.00%" in html


def test_small_multiples_draw_one_chart_a_block_with_its_day_100_line():
    table, _, _ = _views()
    daily = metrics.daily_progress(HOUSEHOLDS, BLOCKS, ASOF)
    svg = command.block_small_multiples(daily, table, "zh", width=600, height=400)
    assert svg.count('class="cb-curve-sealed"') == 2 and svg.count('class="cb-curve-signed"') == 2
    assert "雁塔二地块 · 100.00%" in svg and "连江中路红星经合社飞地厂房项目 · 0.00%" in svg
    assert svg.count('stroke-dasharray="8 6"') == 2  # one deadline line per block
    assert 'viewBox="0 0 600 400"' in svg
    img = command.svg_img_html(svg, "曲线")
    assert base64.b64decode(img.split("base64,")[1].split('"')[0]).decode() == svg


def test_more_blocks_than_charts_keep_the_ones_furthest_behind():
    table = pd.DataFrame({"block_id": list("abcdefg"), "sealed_rate": [0.9, 0.1, 0.8, 0.2, 1.0, 0.3, 0.5]})
    assert command.curve_blocks(table, limit=3)["block_id"].tolist() == ["b", "d", "f"]
    assert command.short_name("连江中路红星经合社飞地厂房项目", 10) == "连江中路红星经合社…"
    assert command.short_name("状元地块", 10) == "状元地块"
