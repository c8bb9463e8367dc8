"""The progress page in Debian's Chromium, offline: the meeting room's TV and a phone."""

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

DRAWN = "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n"


def test_four_blocks_fit_the_big_screen_without_scrolling(board_url):
    with chromium_page(1920, 1080) as page:
        open_and_settle(page, f"{board_url}/progress?asof=2023-11-07&screen=1")
        page.wait_for_function(DRAWN, arg=4)
        assert exceptions_on_page(page) == []
        assert page.locator(".js-plotly-plot").count() == 4
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "93.60%" in text and "99.41%" in text and "✓ 10-18" in text
        assert not main_scrolls(page)


def test_on_a_phone_charts_stack_and_the_table_becomes_cards(board_url):
    with chromium_page(390, 844) as page:
        open_and_settle(page, f"{board_url}/progress?asof=2023-10-05&xaxis=date")
        page.wait_for_function(DRAWN, arg=4)
        assert exceptions_on_page(page) == []
        assert not horizontal_overflow(page)
        boxes = [page.locator(".js-plotly-plot").nth(i).bounding_box() for i in range(4)]
        assert all(b["width"] <= 390 for b in boxes)
        assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1  # stacked, not side by side
        assert not page.locator(".cb-cards thead").is_visible()
