"""The 推演 page in Debian's Chromium, offline: two levers set by hand make a link that reopens identically,
on a desk, a phone and the big screen."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import SCRIPT_DONE, chromium_page, exceptions_on_page, horizontal_overflow, open_and_settle

pytestmark = pytest.mark.browser

MAIN = '[data-testid="stMain"]'


def _settle(page) -> None:
    page.wait_for_timeout(600)
    page.wait_for_selector(SCRIPT_DONE)
    page.wait_for_timeout(600)
    page.wait_for_selector(SCRIPT_DONE)


def _answers(page) -> dict[str, str]:
    """The headline tiles and the answers table as text."""
    return {
        "tiles": page.locator(f"{MAIN} .cb-kpis").first.inner_text(),
        "table": page.locator(f"{MAIN} table.cb-table").first.inner_text(),
        "levers": page.locator(f"{MAIN} .cb-whatif-levers").first.inner_text(),
    }


def _open_levers(page) -> None:
    page.locator(f'{MAIN} [data-testid="stExpander"] summary').filter(has_text="调整参数").first.click()
    page.wait_for_timeout(300)


def test_two_levers_set_by_hand_reopen_identically_in_a_new_browser(board_url):
    with chromium_page(1366, 900) as page:
        open_and_settle(page, f"{board_url}/whatif?asof=2023-10-20")
        before = _answers(page)
        _open_levers(page)
        pace = page.locator(f'{MAIN} [data-testid="stTextInput"]').filter(has_text="状元地块").locator("input")
        pace.fill("1.5")
        pace.press("Enter")
        _settle(page)
        moves = page.locator(f'{MAIN} [data-testid="stMultiSelect"]').filter(has_text="调派工作组")
        moves.locator("input").click()
        moves.locator("input").press_sequentially("状元地块")  # narrows the long list to that block's moves
        page.locator('[role="option"]', has_text="新港社区工作组 → 状元地块").first.click()
        page.keyboard.press("Escape")
        _settle(page)
        assert not exceptions_on_page(page)
        link = page.url
        after = _answers(page)
        query = parse_qs(urlsplit(link).query)
        assert query["pace.zhuangyuan"] == ["1.5"] and query["move"] == ["nz-xingang:zhuangyuan"]
        assert after != before and "日均 ×1.5" in after["levers"] and "新港社区工作组 支援 状元地块" in after["levers"]

    with chromium_page(1366, 900) as fresh:
        open_and_settle(fresh, link)
        assert _answers(fresh) == after
        _open_levers(fresh)
        assert fresh.locator(f'{MAIN} [data-testid="stTextInput"]').filter(has_text="状元地块").locator("input").input_value() == "1.5"

    with chromium_page(390, 844) as phone:
        open_and_settle(phone, link)
        assert _answers(phone)["tiles"] == after["tiles"]
        assert not horizontal_overflow(phone)
        tiles_top = phone.locator(f"{MAIN} .cb-kpis").first.bounding_box()["y"]
        levers_top = phone.locator(f'{MAIN} [data-testid="stExpander"]').first.bounding_box()["y"]
        assert tiles_top < levers_top  # answers first, levers folded below

    with chromium_page(1920, 1080) as wall:
        open_and_settle(wall, f"{link}&screen=1")
        assert _answers(wall)["tiles"] == after["tiles"]
        assert not exceptions_on_page(wall)
