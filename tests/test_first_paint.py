"""Long pages open on what matters (issue "性能": a 67-block city drew 67 plotly charts and 1,400 board rows).

Past :data:`lib.theme.FIRST_PAINT_CHARTS` block charts, the curves page draws
the worst blocks first and the rest behind a switch (``all=1``); past twice
:data:`lib.theme.FIRST_PAINT_BOARD_ENDS` teams, the desk leaderboard shows its
top and bottom with a line naming the ranks between. The demo has four blocks
and 18 teams, so the limits are lowered here to exercise the rule on it.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
import streamlit as st

from lib import metrics, theme
from lib.figures import teams


def _titles(at) -> list[str]:
    return [json.loads(el.proto.spec)["layout"]["title"]["text"] for el in at.get("plotly_chart")]


def test_worst_first_orders_blocks_by_outlook_keeping_the_table_order_within_one():
    table = pd.DataFrame({"block_id": ["a", "b", "c", "d", "e"], "day_n": [10, 10, 0, 10, 10]})
    forecasts = pd.DataFrame({
        "block_id": ["a", "a", "b", "d", "d", "e"],
        "stage": ["signed", "sealed", "signed", "signed", "sealed", "sealed"],
        "status": ["finished", "finished", "on_track", "finished", "late", "late"],
    })
    # d and e are late (d: one stage late is enough), b on track, a finished, c not started.
    assert metrics.worst_first(table, forecasts) == ["d", "e", "b", "a", "c"]


@pytest.fixture
def few_charts(monkeypatch):
    monkeypatch.setattr(theme, "FIRST_PAINT_CHARTS", 2)
    st.cache_resource.clear()  # the chart order is cached with the charts
    yield
    st.cache_resource.clear()


def test_many_blocks_draw_the_worst_first_and_the_rest_on_request(open_page, few_charts):
    at = open_page("progress", asof="2023-11-07")
    assert not at.exception
    # 雁塔二 and 连江中路 have finished; 汽车南站 and 状元 are still projected: they come first.
    assert _titles(at) == ["<b>汽车南站及周边地块</b>", "<b>状元地块</b>"]
    switch = next(w for w in at.toggle if w.key == "all")
    assert "显示全部 4 个地块的图" in switch.label
    at = open_page("progress", asof="2023-11-07", all="1")
    assert len(_titles(at)) == 4
    assert not at.toast  # the link's all=1 is read, not reported as unknown


def test_a_few_blocks_draw_every_chart_without_a_switch(open_page):
    at = open_page("progress", asof="2023-11-07")
    assert len(_titles(at)) == 4
    assert not [w for w in at.toggle if w.key == "all"]


def test_a_long_board_shows_its_top_and_bottom_and_names_the_ranks_between(open_page, monkeypatch):
    monkeypatch.setattr(theme, "FIRST_PAINT_BOARD_ENDS", 3)
    at = open_page("teams", asof="2023-11-07")
    assert not at.exception
    board = next(str(el.value) for el in at.get("html") if "cb-board" in str(el.value))
    assert len(re.findall(r"<tbody>", board)) == 2
    assert len(re.findall(r"<tr class=", board)) == 6  # three at each end of 18
    assert "第 3–15 名（12 个工作组）未列出" in board  # ranks tie: the 4th row is ranked 3rd too
    assert next(w for w in at.toggle if w.key == "all").label == "显示全部 18 个工作组"
    at = open_page("teams", asof="2023-11-07", all="1")
    board = next(str(el.value) for el in at.get("html") if "cb-board" in str(el.value))
    assert len(re.findall(r"<tr class=", board)) == 18 and "未列出" not in board


def test_board_ends_in_english_keep_the_first_and_last_ranks(demo_campaign):
    board = metrics.team_board(demo_campaign.households, demo_campaign.teams, demo_campaign.blocks, date(2023, 11, 7))
    html = teams.team_leaderboard_html(board, "en", ends=2)
    assert "ranks 3–16 (14 teams) not listed" in html
    assert html.count("<tr class=") == 4


def test_the_wall_draws_only_its_grid_worst_first_without_a_switch(open_page, monkeypatch):
    monkeypatch.setattr(theme, "SCREEN_CHARTS", 2)
    st.cache_resource.clear()
    at = open_page("progress", asof="2023-11-07", screen="1")
    assert not at.exception
    assert _titles(at) == ["<b>汽车南站及周边地块</b>", "<b>状元地块</b>"]  # the canvas never scrolls: no more
    assert not [w for w in at.toggle if w.key == "all"]
    st.cache_resource.clear()


def test_the_demo_wall_keeps_its_four_curves(open_page):
    assert len(_titles(open_page("progress", asof="2023-11-07", screen="1"))) == 4


def test_the_wall_table_lists_the_charted_blocks_only(open_page, monkeypatch):
    monkeypatch.setattr(theme, "SCREEN_CHARTS", 2)
    st.cache_resource.clear()
    at = open_page("progress", asof="2023-11-07", screen="1")
    table = next(str(el.value) for el in at.get("html") if "汽车南站" in str(el.value) and "<table" in str(el.value))
    assert "状元地块" in table and "雁塔二地块" not in table and "连江中路" not in table
    st.cache_resource.clear()


def test_a_malformed_all_in_the_link_is_dropped_with_a_notice(open_page, few_charts):
    at = open_page("progress", asof="2023-11-07", all="<script>alert(1)</script>")
    assert not at.exception
    assert len(_titles(at)) == 2  # the default view: the worst two, the switch off
    notices = " ".join(str(n.value) for n in [*at.warning, *at.info, *at.toast])
    assert r"链接中的参数已忽略：all=\<script\>alert(1)\</script\>（无此项）" in notices  # escaped, never markup
    assert "<script>" not in " ".join(str(el.value) for el in at.get("html"))
