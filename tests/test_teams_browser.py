"""The leaderboard in Debian's Chromium: the wall names every team in full, the laptop does not scroll sideways."""

from __future__ import annotations

import pytest

from tests.browser_support import chromium_page, horizontal_overflow, main_scrolls, open_and_settle

pytestmark = pytest.mark.browser

#: Every name on the wall: the table's team cells and the pinned leaders and laggards.
CUT_NAMES = """() => [...document.querySelectorAll('.cb-page td.team, .cb-pin .item')]
  .filter(e => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > window.innerWidth)
  .map(e => e.innerText)"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_wall_names_every_team_in_full_on_a_full_screen(board_url, lang):
    with chromium_page(1920, 1080) as page:
        open_and_settle(page, f"{board_url}/teams?asof=2023-11-07&screen=1&lang={lang}")
        assert page.evaluate(CUT_NAMES) == []
        assert not main_scrolls(page) and not horizontal_overflow(page)
        # The status column is on the screen, and the board reaches down it: no empty quarter at its foot.
        status = page.locator(".cb-page").first.locator("th.status").bounding_box()
        assert status["width"] > 100 and status["x"] + status["width"] <= 1920
        board = page.locator(".cb-page").first.bounding_box()
        assert board["y"] + board["height"] >= 0.75 * 1080
        # The second page (ranks 10–18, the laggards) is written out whole as well.
        second = page.locator(".cb-page").nth(1).text_content()
        assert "宁化街道征迁工作组一组" in second and "宁化街道征迁工作组三组" in second


WIDE = """() => [...document.querySelectorAll('.cb-scroll')].filter(e => e.scrollWidth > e.clientWidth + 1).length"""


def test_the_laptop_board_shows_its_key_columns_without_sideways_scrolling(board_url):
    with chromium_page(1366, 768) as page:
        open_and_settle(page, f"{board_url}/teams?asof=2023-11-07&lang=en")  # the longer headers
        assert page.evaluate(WIDE) == 0 and not horizontal_overflow(page)
        open_and_settle(page, f"{board_url}/teams?asof=2023-11-07")
        assert page.evaluate(WIDE) == 0 and not horizontal_overflow(page)
        page.locator(".cb-board th.status").first.wait_for()
        # A click on a row (not only on the name) opens that team's drill-down.
        row = page.locator(".cb-board tr", has=page.locator("a.cb-row-link", has_text="城投集团征迁四组"))
        cell = row.locator("td.status")
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_url("**focus=**")
        page.wait_for_selector("text=城投集团征迁四组：未封房 4 户")
