"""The progress page under AppTest: the article's four blocks, past days, page parameters, bad links."""

from __future__ import annotations

import json
from datetime import date

from lib import metrics


def _html(at) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


def _charts(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _titles(at) -> list[str]:
    return [c["layout"]["title"]["text"] for c in _charts(at)]


def test_latest_day_shows_four_blocks_two_finished_two_projected(open_page):
    at = open_page("progress", asof="2023-11-07")
    assert not at.exception
    assert _titles(at) == ["<b>雁塔二地块</b>", "<b>连江中路红星经合社飞地厂房项目</b>", "<b>汽车南站及周边地块</b>", "<b>状元地块</b>"]
    page = _html(at)
    assert "✓ 10-18" in page  # 雁塔二 signed and sealed 100 % on 2023-10-18, its day 33
    assert "93.60%" in page and "99.41%" in page
    yanta = _charts(at)[0]["layout"]["title"]["subtitle"]["text"]
    assert "★第33天" in yanta
    zhuangyuan = _charts(at)[3]
    assert any(tr["name"] == "封房率 预计 P10–P90" for tr in zhuangyuan["data"])  # a band, not a finish


def test_an_earlier_day_shows_that_days_curves_and_forecast(open_page, demo_campaign):
    asof = date(2023, 10, 5)
    at = open_page("progress", asof=asof.isoformat())
    assert not at.exception
    page = _html(at)
    assert "数据截至 2023-10-05" in page
    assert "74.23%" in page  # 雁塔二 sealed 193 of 260 that day
    assert "93.60%" not in page and "✓ 10-18" not in page
    for chart in _charts(at):  # no curve runs past the as-of day
        curves = [tr for tr in chart["data"] if tr["name"] in ("签约率", "封房率")]
        assert all(max(tr["x"]) <= metrics.day_number(date(2023, 9, 16), asof) for tr in curves)
    forecasts, _ = metrics.block_forecasts(demo_campaign.households, demo_campaign.blocks, asof)
    yanta_sealed = forecasts.set_index(["block_id", "stage"]).loc[("yanta-2", "sealed"), "finish_p50"]
    assert f"<b>{yanta_sealed:%m-%d}</b>" in page  # the forecast that day's meeting saw


def test_xaxis_and_chart_come_from_the_link(open_page):
    at = open_page("progress", asof="2023-11-07", xaxis="date", chart="overlay")
    assert not at.exception
    assert {w.key: w.value for w in at.get("button_group")}.items() >= {"xaxis": "date", "chart": "overlay"}.items()
    charts = _charts(at)
    assert [c["layout"]["title"]["text"] for c in charts] == ["<b>签约率 · 各地块</b>", "<b>封房率 · 各地块</b>"]
    assert charts[0]["layout"]["xaxis"]["tickformat"] == "%m-%d"
    assert at.query_params["xaxis"] == "date" and at.query_params["chart"] == "overlay"  # kept in the share link


def test_a_block_in_the_link_narrows_charts_and_table(open_page):
    at = open_page("progress", asof="2023-11-07", block="zhuangyuan")
    assert not at.exception
    assert _titles(at) == ["<b>状元地块</b>"]
    page = _html(at)
    assert "状元地块" in page and "雁塔二地块" not in page


def test_malformed_parameters_give_notices_and_the_default_view(open_page):
    at = open_page("progress", asof="2023-02-30", xaxis="week", chart="pie", block="nope")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "asof=2023-02-30" in warning and "block=nope" in warning
    toasts = " ".join(t.value for t in at.toast)
    assert "xaxis=week" in toasts and "chart=pie" in toasts
    assert len(_charts(at)) == 4
    assert "数据截至 2023-11-07" in _html(at)


def test_before_every_block_launched_the_rest_wait(open_page):
    at = open_page("progress", asof="2023-09-20")
    assert not at.exception
    assert _titles(at) == ["<b>雁塔二地块</b>", "<b>连江中路红星经合社飞地厂房项目</b>"]
    assert "未启动" in _html(at)


def test_english_and_screen_mode(open_page):
    at = open_page("progress", asof="2023-11-07", lang="en", screen="1")
    assert not at.exception
    page = _html(at)
    assert "Sealed: finish" in page and "Finished" in page
    charts = _charts(at)
    assert len(charts) == 4 and charts[0]["layout"]["font"]["size"] == 20
    assert "★ day 33" in charts[0]["layout"]["title"]["subtitle"]["text"]
