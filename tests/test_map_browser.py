"""The parcel map in Debian's Chromium with no internet: drawn, clickable, fits the screen."""

from __future__ import annotations

import pytest

from tests.browser_support import (
    chromium_page,
    exceptions_on_page,
    horizontal_overflow,
    main_scrolls,
    open_and_settle,
)

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _houses(page):
    houses = page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive")
    houses.first.wait_for()
    return houses


def test_a_block_draws_offline_and_a_click_opens_the_history(board_url):
    with chromium_page(1920, 1080) as page:
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        sent: list[int] = []  # messages to the server: a rerun is one
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07&block=zhuangyuan&basemap=osm")
        assert exceptions_on_page(page) == []
        houses = _houses(page)
        assert houses.count() == 250
        frame = page.frame_locator(MAP_FRAME)
        # The chosen OpenStreetMap tiles cannot load here: the map says so and draws without them.
        frame.locator(".cb-notice").wait_for()
        assert "底图无法加载" in frame.locator(".cb-notice").inner_text()
        assert all("127.0.0.1" not in url for url in failed)  # only the internet was missing

        houses.nth(0).hover()
        tip = frame.locator(".cb-tip").first
        tip.wait_for()
        assert "**" in tip.inner_text()  # owner masked

        leaflet = page.locator(MAP_FRAME).element_handle().content_frame()
        leaflet.evaluate("() => { window.beforeClick = true; }")
        houses.nth(0).click()  # a click does rerun: the panel needs the server
        panel = page.locator(".cb-panel")
        panel.wait_for()
        text = panel.inner_text()
        assert "进度记录（截至 2023-11-07）" in text
        assert "已签约" in text and "2023-" in text
        assert "hh=ZY-" in page.url
        assert leaflet.evaluate("() => window.beforeClick === true")  # the same map, not rebuilt
        assert _houses(page).count() == 250

        # Pan and zoom stay in the browser: nothing is sent, the script does not rerun.
        page.wait_for_timeout(1500)
        before = len(sent)
        box = page.locator(MAP_FRAME).bounding_box()
        x, y = box["x"] + 200, box["y"] + 200
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 150, y + 80, steps=8)
        page.mouse.up()
        page.mouse.wheel(0, -300)
        frame.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(1500)
        assert len(sent) == before


def test_the_big_screen_shows_the_map_without_scrolling(board_url):
    with chromium_page(1920, 1080) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07&block=zhuangyuan&screen=1")
        assert _houses(page).count() == 250
        assert not main_scrolls(page)
        assert page.locator(MAP_FRAME).bounding_box()["height"] >= 700


def test_a_phone_keeps_a_usable_map(board_url):
    with chromium_page(390, 844) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07&block=hongxing")
        assert _houses(page).count() == 14
        box = page.locator(MAP_FRAME).bounding_box()
        assert box["height"] >= 400 and box["width"] >= 330
        assert not horizontal_overflow(page)


def test_a_phone_opens_a_link_onto_the_map_with_the_options_below(board_url):
    with chromium_page(390, 844) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07&block=zhuangyuan")
        map_box = page.locator(MAP_FRAME).bounding_box()
        options_box = page.locator(".st-key-map-controls").bounding_box()
        assert map_box["y"] < 300  # the map is on the first screen
        assert options_box["y"] > map_box["y"] + map_box["height"]
