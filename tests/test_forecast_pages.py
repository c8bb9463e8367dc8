"""Issue 12's acceptance, tried as a new user would, under AppTest (demo campaign)."""

from __future__ import annotations

import json
import re
from datetime import date

from lib import metrics


def _html(at) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


def _charts(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def test_progress_whiskers_agree_with_the_table_and_the_trust_line_is_shown(open_page, demo_campaign):
    at = open_page("progress", asof="2023-10-05")
    assert not at.exception
    page = _html(at)
    rows = {
        name: row for name, row in re.findall(r"<b>([^<]+)</b>(.*?)</tr>", page.split("cb-cards", 1)[1], flags=re.S)
    }
    checked = 0
    for chart in _charts(at):
        title = re.sub(r"</?b>", "", chart["layout"]["title"]["text"])
        labels = [a["text"] for a in chart["layout"]["annotations"] if a["text"].startswith("预计 ")]
        if not labels:
            continue
        (label,) = labels
        date = label.removeprefix("预计 ")
        sealed_cell = re.findall(r'data-label="封房预计完成"><span><b>([^<]+)</b>', rows[title])
        assert sealed_cell == [date], title  # 连江中路 said 10-28 on the chart and 11-02 in the table
        checked += 1
    assert checked == 4
    captions = " ".join(c.value for c in at.caption)
    assert "过去的预测尚无可检验的结果" in captions  # on 10-05 no stage has finished yet


def test_progress_trust_line_once_outcomes_are_known(open_page):
    at = open_page("progress", asof="2023-11-07")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert re.search(r"过去 \d+ 次预测：区间命中 \d+ %，中位误差 \d+ 天", captions)
    assert "启动不足 7 天的地块按启动以来的天数平均" in captions  # the pace definition, on the method note


def test_overview_before_two_blocks_launch_shows_no_zero_or_negative_day(open_page):
    at = open_page("overview", asof="2023-09-20")
    assert not at.exception
    page = _html(at)
    assert "第 -" not in page and "第 0 天" not in page
    assert "未启动 · 09-21 启动" in page and "未启动 · 09-26 启动" in page


def test_overview_of_one_block_counts_from_its_own_launch(open_page):
    at = open_page("overview", asof="2023-11-07", block="zhuangyuan")
    assert not at.exception
    page = _html(at)
    assert '<div class="value">第 43 天</div><div class="sub" title="/ 100">/ 100</div>' in page
    assert '<div class="value">57</div><div class="sub" title="截止 2024-01-03">截止 2024-01-03</div>' in page


def test_overview_of_the_campaign_says_whose_day_it_is(open_page):
    at = open_page("overview", asof="2023-11-07")
    page = _html(at)
    assert '<div class="value">第 53 天</div><div class="sub" title="/ 100 · 按最早启动 2023-09-16 计">/ 100 · 按最早启动 2023-09-16 计</div>' in page


def test_teams_a_finished_team_keeps_its_place(open_page):
    at = open_page("teams", asof="2023-11-07")
    assert not at.exception
    board = next(str(el.value) for el in at.get("html") if "cb-board" in str(el.value) and "<tbody>" in str(el.value))
    rows = [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", board.split("<tbody>", 1)[1], flags=re.S)]
    (wuzu,) = [r for r in rows if "城投集团征迁五组" in r]
    assert wuzu.startswith("10 – 城投集团征迁五组")


def test_overview_and_progress_show_the_same_outlook(open_page, demo_campaign):
    overview, progress = _html(open_page("overview", asof="2023-10-24")), _html(open_page("progress", asof="2023-10-24"))
    assert "停滞" in overview and "停滞" in progress  # 连江中路: no signing for a week
    forecasts, _ = metrics.block_forecasts(demo_campaign.households, demo_campaign.blocks, date(2023, 10, 24))
    assert forecasts.set_index(["block_id", "stage"]).loc[("hongxing", "sealed"), "status"] == "stalled"
