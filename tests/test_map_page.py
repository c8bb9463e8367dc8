"""The map page under AppTest: URL parameters in, the right map and panel out."""

from __future__ import annotations

import json
import re

from lib.figures import parcel_map
from lib.web import views


def _script(at) -> str:
    """The map's script as st_folium sends it (holds the payloads)."""
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)["script"]


def _drawn(at, prefix: str = "ZY") -> set[str]:
    return set(re.findall(rf'\["({prefix}-\d+)"', _script(at)))


def _html(at) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


def _widget(at, key: str):
    return next(w for w in at.get("button_group") + list(at.toggle) + list(at.selectbox) if w.key == key)


def test_a_block_link_draws_its_households(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan")
    assert not at.exception
    assert len(_drawn(at)) == 250
    assert "图上 250 户" in " ".join(c.value for c in at.caption)
    assert '"mode":"households"' in _script(at)


def test_the_stage_filter_comes_from_the_link(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", stage=["signed", "appraised"])
    assert not at.exception
    assert _widget(at, "stage").value == ["signed", "appraised"]
    assert len(_drawn(at)) == 16  # 9 signed + 7 appraised, as the legend says
    assert at.query_params["stage"] == ["signed", "appraised"]


def test_only_what_is_left(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", left="1")
    assert not at.exception
    assert _widget(at, "left").value is True
    assert len(_drawn(at)) == 250 - 234  # 状元 sealed 234 of 250 on the article day


def test_an_earlier_day_shows_earlier_stages(open_page):
    late = _script(open_page("map", asof="2023-11-07", block="zhuangyuan", stage="not_surveyed"))
    early = open_page("map", asof="2023-10-01", block="zhuangyuan", stage="not_surveyed")
    assert not early.exception
    assert len(_drawn(early)) > len(set(re.findall(r'\["(ZY-\d+)"', late)))
    assert "2023-10-01 当前阶段" in _script(early)


def test_basemap_from_the_link(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", basemap="none")
    assert not at.exception
    assert _widget(at, "basemap").value == "none"
    assert "tile.openstreetmap.org" not in _script(at)
    amap = open_page("map", asof="2023-11-07", block="zhuangyuan", basemap="amap")
    assert "autonavi.com" in _script(amap)


def test_default_basemap_is_none_so_nothing_leaves_the_intranet(open_page):
    at = open_page("map", asof="2023-11-07", block="hongxing")
    assert _widget(at, "basemap").value == "none"
    assert "tile.openstreetmap.org" not in _script(at) and "autonavi.com" not in _script(at)
    osm = open_page("map", asof="2023-11-07", block="hongxing", basemap="osm")
    assert "tile.openstreetmap.org" in _script(osm)


def test_a_bad_basemap_is_dropped_with_a_notice(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", basemap="google")
    assert not at.exception
    assert any("basemap=google" in t.value for t in at.toast)
    assert _widget(at, "basemap").value == "none"


def test_tianditu_without_a_key_falls_back_with_a_notice(open_page, monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    monkeypatch.setattr(views, "load_basemap_settings", lambda: parcel_map.BasemapSettings())
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", basemap="tianditu")
    assert not at.exception
    assert any("天地图密钥" in i.value for i in at.info)
    assert "tianditu.gov.cn" not in _script(at)


def test_a_household_in_the_link_opens_its_panel(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", hh="ZY-0006")
    assert not at.exception
    assert _widget(at, "hh").value == "ZY-0006"
    page = _html(at)
    assert "ZY-0006" in page and "进度记录（截至 2023-11-07）" in page
    assert "**" in page  # the owner, masked


def test_an_unknown_household_is_dropped_with_a_notice(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", hh="XX-9999")
    assert not at.exception
    assert any("hh=XX-9999" in t.value for t in at.toast)


def test_too_many_households_draw_blocks(open_page, monkeypatch):
    monkeypatch.setattr(parcel_map, "MAX_FEATURES", 300)
    at = open_page("map", asof="2023-11-07")
    assert not at.exception
    assert '"mode":"blocks"' in _script(at)
    assert _drawn(at) == set()
    assert any("694" in i.value for i in at.info)
    picker = at.selectbox(key="map-pick-block")
    picker.set_value("zhuangyuan").run()
    assert not at.exception
    assert at.session_state["block"] == ["zhuangyuan"]
    assert len(_drawn(at)) == 250


def test_english(open_page):
    at = open_page("map", asof="2023-11-07", block="hongxing", lang="en")
    assert not at.exception
    assert "14 households on the map" in " ".join(c.value for c in at.caption)
    assert "Stage on 2023-11-07" in _script(at)


def test_the_big_screen_gives_the_map_the_width(open_page):
    at = open_page("map", asof="2023-11-07", block="zhuangyuan", screen="1", stage="signed")
    assert not at.exception
    assert len(_drawn(at)) == 9  # the options still come from the link
    assert not any("图上" in c.value for c in at.caption)  # no side panel
    with_household = open_page("map", asof="2023-11-07", block="zhuangyuan", screen="1", hh="ZY-0006")
    assert "ZY-0006" in _html(with_household)


def test_the_big_screen_logs_a_basemap_problem_instead_of_showing_it(open_page, monkeypatch, caplog):
    monkeypatch.setenv("MAP_BASEMAP", "tianditu")  # no key: it falls back to no basemap
    desk = open_page("map", asof="2023-11-07", block="hongxing")
    assert not desk.exception
    assert any(i.value.startswith("未配置天地图密钥") for i in desk.info)
    with caplog.at_level("INFO"):
        wall = open_page("map", asof="2023-11-07", block="hongxing", screen="1")
    assert not wall.exception
    assert not wall.info and not wall.warning
    assert "未配置天地图密钥" in caplog.text
