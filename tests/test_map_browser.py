"""The parcel map in Debian's Chromium with no internet: drawn, clickable, fits the screen."""

from __future__ import annotations

import pytest

from tests.browser_support import (
    SCRIPT_DONE,
    chromium_page,
    exceptions_on_page,
    horizontal_overflow,
    main_scrolls,
    open_and_settle,
)

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _labels(page) -> list[dict]:
    """Each block label's text and box, relative to the map's frame (after placement)."""
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".cb-label").first.wait_for()
    page.wait_for_timeout(300)  # placement runs again once fonts are in
    return frame.locator(".leaflet-container").evaluate(
        """box => { const b = box.getBoundingClientRect();
                    return [...box.querySelectorAll('.cb-label')].filter(e => e.offsetWidth).map(e => { const r = e.getBoundingClientRect();
                      return {text: e.innerText, x: r.left - b.left, y: r.top - b.top, w: r.width, h: r.height,
                              W: b.width, H: b.height, clipped: e.scrollWidth > e.clientWidth}; }); }"""
    )


def _assert_readable(labels: list[dict], n: int) -> None:
    """``n`` labels, each whole inside the map, none over another."""
    assert len(labels) == n
    for a in labels:
        assert a["x"] >= 0 and a["y"] >= 0 and a["x"] + a["w"] <= a["W"] and a["y"] + a["h"] <= a["H"], a
        assert not a["clipped"], a
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            apart = a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]
            assert apart, (a["text"], b["text"])


def _houses(page):
    houses = page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive:not(.cb-block)")
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


def test_the_desk_labels_every_block_and_a_click_on_one_filters_the_board(board_url):
    with chromium_page(1366, 768) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07")
        assert _houses(page).count() == 694
        labels = _labels(page)
        _assert_readable(labels, 4)
        assert "状元地块 · 93.60%" in [a["text"] for a in labels]
        page.frame_locator(MAP_FRAME).locator('.cb-label[data-block="zhuangyuan"]').click()
        page.wait_for_url("**block=zhuangyuan**")
        page.wait_for_selector(SCRIPT_DONE)
        assert _houses(page).count() == 250


def test_the_big_screen_shows_the_labelled_campaign_without_controls_or_notices(board_url):
    with chromium_page(1920, 1080) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07&screen=1&lang=en&basemap=osm")
        assert _houses(page).count() == 694
        assert not main_scrolls(page)
        assert page.locator(MAP_FRAME).bounding_box()["height"] >= 700
        _assert_readable(_labels(page), 4)
        frame = page.frame_locator(MAP_FRAME)
        # The tiles cannot load here: the wall falls back to no basemap and says nothing.
        frame.locator('.leaflet-container[data-basemap="none"]').wait_for(state="attached")
        assert frame.locator(".cb-notice").count() == 0
        assert frame.locator(".leaflet-control-zoom").count() == 0


def test_a_phone_keeps_a_usable_map(board_url):
    with chromium_page(390, 844) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07&block=hongxing")
        assert _houses(page).count() == 14
        box = page.locator(MAP_FRAME).bounding_box()
        assert box["height"] >= 400 and box["width"] >= 330
        assert not horizontal_overflow(page)


def test_a_phone_opens_a_link_onto_the_labelled_map_with_the_options_below(board_url):
    with chromium_page(390, 844) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-07")
        _assert_readable(_labels(page), 4)
        map_box = page.locator(MAP_FRAME).bounding_box()
        options_box = page.locator(".st-key-map-controls").bounding_box()
        assert map_box["y"] < 300  # the map is on the first screen
        assert options_box["y"] > map_box["y"] + map_box["height"]
