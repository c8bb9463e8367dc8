"""The overview in Debian's Chromium, offline, as the meeting room sees it."""

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


def test_overview_on_the_big_screen_shows_the_article_without_scrolling(board_url):
    with chromium_page(1920, 1080) as page:
        open_and_settle(page, f"{board_url}/overview?asof=2023-11-07")
        assert exceptions_on_page(page) == []
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "93.60%" in text and "99.41%" in text and "第 33 天" in text
        assert not main_scrolls(page)


def test_overview_on_a_phone_has_no_horizontal_overflow(board_url):
    with chromium_page(390, 844) as page:
        open_and_settle(page, f"{board_url}/overview?asof=2023-11-07&lang=en")
        assert exceptions_on_page(page) == []
        assert "Data as of 2023-11-07" in page.locator('[data-testid="stMain"]').inner_text()
        assert not horizontal_overflow(page)


def test_a_laptop_reads_the_block_table_without_sideways_scrolling(board_url):
    with chromium_page(1366, 768) as page:
        open_and_settle(page, f"{board_url}/overview?asof=2023-11-07&lang=en")
        table = page.locator(".cb-blocks")
        assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        headers = table.locator("th").evaluate_all("ths => ths.filter(th => th.offsetWidth).map(th => th.innerText)")
        assert headers == ["Block", "Signed", "Sealed", "Required", "Sealed by (P50)", "Outlook"]
        # No block name is wrapped a character a line: each name cell is several characters wide.
        widths = table.locator("td.name").evaluate_all(
            "tds => tds.map(td => td.clientWidth / parseFloat(getComputedStyle(td).fontSize))")
        assert len(widths) == 4 and min(widths) >= 6
