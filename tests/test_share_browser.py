"""Share links, the big screen and the phone in Debian's Chromium, offline.

A link built by clicking is opened in a fresh browser and must show the same
board; screen mode fills a 1920×1080 TV with no chrome; a phone never scrolls
sideways; ``rotate=N`` moves on by itself.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

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

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'


def _settle(page) -> None:
    """Wait for the rerun a click started to finish."""
    page.wait_for_timeout(600)
    page.wait_for_selector(SCRIPT_DONE)
    page.wait_for_timeout(600)
    page.wait_for_selector(SCRIPT_DONE)


def _pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar multiselect labelled ``label``."""
    box = page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    page.locator('[role="option"]', has_text=option).first.click()
    page.keyboard.press("Escape")
    _settle(page)


def _sidebar(page) -> dict[str, object]:
    """What the sidebar filters hold: the as-of day and each multiselect's chosen labels."""
    boxes = page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"]')
    chosen = {
        boxes.nth(i).locator('[data-testid="stWidgetLabel"]').inner_text():
            boxes.nth(i).locator("[data-tag]").evaluate_all("tags => tags.map(t => t.getAttribute('aria-label'))")
        for i in range(boxes.count())
    }
    return {"asof": page.locator(f'{SIDEBAR} [data-testid="stDateInput"] input').input_value(), **chosen}


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _share_box(page):
    """The sidebar's share box, opened."""
    body = page.locator('[data-testid="stPopoverBody"]')
    if not body.is_visible():
        page.locator(f'{SIDEBAR} [data-testid="stPopover"] button').first.click()
    body.locator('[data-testid="stCode"]').wait_for()
    return body


def _share_link(page) -> str:
    return _share_box(page).locator('[data-testid="stCode"]').inner_text().strip()


# ------------------------------------------------------------ the link is the view


def _map_view(page) -> dict[str, object]:
    """The filters, the toggle, the count beside the map and the legend's counts in it."""
    left_only = page.locator(f'{MAIN} [role="switch"]').first.is_checked()
    captions = page.locator(f'{MAIN} [data-testid="stCaptionContainer"]').all_inner_texts()
    legend = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(".cb-legend").inner_text()
    return {**_sidebar(page), "left": left_only, "captions": captions, "legend": legend}


def test_map_filters_set_by_hand_reopen_the_same_in_a_new_browser(board_url):
    with chromium_page(1600, 1000) as page:
        open_and_settle(page, f"{board_url}/map?asof=2023-11-01")
        _pick(page, "地块", "状元地块")
        page.get_by_text("只看未完成").click()
        _settle(page)
        link, seen = page.url, _map_view(page)
    assert _query(link) == {"asof": ["2023-11-01"], "block": ["zhuangyuan"], "left": ["1"]}
    assert seen["地块"] == ["状元地块"] and seen["left"] is True
    with chromium_page(1600, 1000) as cold:
        open_and_settle(cold, link)
        assert exceptions_on_page(cold) == []
        assert _map_view(cold) == seen


def _board_rows(page) -> list[str]:
    return page.locator(f"{MAIN} .cb-board tbody tr").all_inner_texts()


def test_a_teams_link_with_two_filters_and_a_day_shows_the_same_board_cold(board_url):
    with chromium_page(1600, 1000) as page:
        open_and_settle(page, f"{board_url}/teams?asof=2023-10-10")
        _pick(page, "地块", "状元地块")
        _pick(page, "房屋用途", "住宅")
        link, rows, filters = _share_link(page), _board_rows(page), _sidebar(page)
    assert _query(link) == {"asof": ["2023-10-10"], "block": ["zhuangyuan"], "ptype": ["住宅"]}
    assert len(rows) == 6  # the six 状元 teams
    with chromium_page(1600, 1000) as cold:
        open_and_settle(cold, link)
        assert exceptions_on_page(cold) == []
        assert _sidebar(cold) == filters
        assert _board_rows(cold) == rows


def test_the_share_box_offers_the_current_view_and_freezes_the_day(board_url):
    with chromium_page(1600, 1000) as page:
        open_and_settle(page, f"{board_url}/progress?block=yanta-2&xaxis=date")
        link = _share_link(page)
        assert urlsplit(link).path == "/progress"
        assert _query(link) == {"block": ["yanta-2"], "xaxis": ["date"]}  # the latest day stays out
        _share_box(page).get_by_text("冻结截至日期").click()
        _settle(page)
        frozen = _share_link(page)
        assert _query(frozen) == {"block": ["yanta-2"], "xaxis": ["date"], "asof": ["2023-11-07"]}


# ------------------------------------------------------------ the big screen


@pytest.mark.parametrize("path", ["overview", "map", "progress", "teams"])
def test_screen_mode_fills_the_tv_with_no_chrome(board_url, path):
    with chromium_page(1920, 1080) as page:
        open_and_settle(page, f"{board_url}/{path}?asof=2023-11-07&screen=1")
        assert exceptions_on_page(page) == []
        for chrome in ("stSidebar", "stHeader", "stToolbar", "stExpandSidebarButton"):
            assert not page.locator(f'[data-testid="{chrome}"]').first.is_visible(), chrome
        assert not main_scrolls(page)


def _contrast(text: str, ground: str) -> float:
    """WCAG contrast ratio of two opaque ``rgb(r, g, b)`` colours."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(text), luminance(ground)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_screen_mode_controls_are_readable_on_the_dark_ground(board_url):
    with chromium_page(1920, 1080) as page:
        open_and_settle(page, f"{board_url}/progress?asof=2023-11-07&screen=1")
        colours = page.locator(f'{MAIN} button[data-variant="segmented_control"]').evaluate_all(
            """buttons => buttons.map(b => [getComputedStyle(b.querySelector('p')).color,
                                            getComputedStyle(b).backgroundColor])"""
        )
        assert len(colours) == 4  # 横轴 and 图表, two options each, chosen or not
        assert all(_contrast(text, ground) >= 4.5 for text, ground in colours), colours


def test_rotation_moves_to_the_map_and_keeps_the_link(board_url):
    with chromium_page(1920, 1080) as page:
        # The latest day, named: a frozen link must stay frozen on every page of the cycle.
        # basemap belongs to the map: the overview carries it on without a notice.
        open_and_settle(page, f"{board_url}/overview?rotate=5&screen=1&asof=2023-11-07&block=zhuangyuan&basemap=osm")
        page.wait_for_url("**/map?**", timeout=45_000)
        page.wait_for_selector(SCRIPT_DONE)
        assert _query(page.url) == {
            "asof": ["2023-11-07"], "block": ["zhuangyuan"], "screen": ["1"], "rotate": ["5"], "basemap": ["osm"],
        }


# ------------------------------------------------------------ the phone


@pytest.mark.parametrize("path", ["overview", "map", "progress", "teams", "data"])
def test_a_phone_never_scrolls_sideways(board_url, path):
    with chromium_page(390, 844) as page:
        open_and_settle(page, f"{board_url}/{path}?asof=2023-11-07")
        assert exceptions_on_page(page) == []
        assert not horizontal_overflow(page)
