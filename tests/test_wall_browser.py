"""The wall screen in Debian's Chromium, offline: one 1920×1080 canvas on every TV, in both languages,
with no scroll, nothing outside the canvas, no name cut, no control; and the playlist's rotation.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import (
    SCRIPT_DONE,
    chromium_page,
    exceptions_on_page,
    open_and_settle,
)

pytestmark = pytest.mark.browser

PAGES = ("command", "overview", "map", "progress", "teams")

# The canvas makes every size the same layout: the projector and the TV check every rotated page,
# one in each language, and /command in the other; the smallest and the largest check /command in both.
SIZES = [((1280, 720), "zh", ("command",)), ((1366, 768), "zh", PAGES), ((1920, 1080), "en", PAGES),
         ((3840, 2160), "en", ("command",))]

_CHECK = """() => {
  const rect = window.cbScreenRect || Element.prototype.getBoundingClientRect;
  const main = document.querySelector('[data-testid="stMain"]');
  const canvas = rect.call(main);
  const visible = e => { const s = getComputedStyle(e); const r = rect.call(e);
                         return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const outside = [...main.querySelectorAll('[data-testid="stElementContainer"]')].filter(visible).filter(e => {
    const r = rect.call(e);
    return r.left < canvas.left - 1 || r.top < canvas.top - 1 || r.right > canvas.right + 1 || r.bottom > canvas.bottom + 1;
  }).map(e => e.innerText.slice(0, 40));
  const names = [...main.querySelectorAll('.cb-lead .name, .cb-board td.team, .cb-table:not(.cb-board) td:first-child')];
  const cut = names.filter(visible).filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText);
  const controls = [...main.querySelectorAll('button, input, select, textarea, [role="slider"], [role="switch"]')]
    .filter(e => visible(e) && !e.closest('.js-plotly-plot')).map(e => e.outerHTML.slice(0, 60));
  const doc = document.documentElement;
  return {scale: window.cbScale, canvas: [canvas.width, canvas.height], outside, cut, controls, names: names.length,
          scrolls: main.scrollHeight > main.clientHeight + 1 || doc.scrollHeight > innerHeight + 1 || doc.scrollWidth > innerWidth + 1};
}"""


def _check(page, url: str, size: tuple[int, int]) -> dict:
    open_and_settle(page, url)
    page.wait_for_timeout(700)  # charts and the map frame mount after the script
    assert exceptions_on_page(page) == []
    found = page.evaluate(_CHECK)
    for frame in page.frames[1:]:  # the map: no zoom buttons on the wall
        if frame.locator(".leaflet-container").count():
            assert not frame.locator(".leaflet-control-zoom").first.is_visible()
    width, height = size
    scale = min(width / 1920, height / 1080)
    assert found["scale"] == pytest.approx(scale)
    assert found["canvas"] == pytest.approx([1920 * scale, 1080 * scale], abs=1)
    return found


@pytest.mark.parametrize(("size", "lang", "pages"), SIZES, ids=[f"{w}x{h}-{lang}" for (w, h), lang, _ in SIZES])
def test_every_rotated_page_fits_the_canvas(board_url, size, lang, pages):
    other = "zh" if lang == "en" else "en"
    visits = [(p, lang) for p in pages] + [("command", other)]
    with chromium_page(*size) as page:
        for path, language in visits:
            found = _check(page, f"{board_url}/{path}?asof=2023-11-07&screen=1&lang={language}", size)
            where = f"/{path} {language} {size}"
            assert not found["scrolls"], where
            assert found["outside"] == [], where
            assert found["cut"] == [], where
            assert found["controls"] == [], where
            if path in ("command", "overview", "teams"):
                assert found["names"] > 0, where  # the name check saw names


def _visible_board_page(page) -> int | None:
    """The leaderboard page on show (1-based), or None when the board does not page itself."""
    return page.evaluate("""() => { const pages = [...document.querySelectorAll('.cb-page')];
        const i = pages.findIndex(p => getComputedStyle(p).visibility === 'visible');
        return i < 0 ? null : i + 1; }""")


def test_the_playlist_shows_every_leaderboard_page_before_moving_on(board_url):
    query = "screen=1&asof=2023-11-07&pages=command,teams&rotate=command:5,teams:5"
    with chromium_page(1366, 768) as page:
        open_and_settle(page, f"{board_url}/?{query}")
        # The wall lands on the command page: "/" shows it in the same run (no switch, no second run).
        assert urlsplit(page.url).path in ("/", "/command") and page.locator(".cb-ticker").count() == 1
        page.wait_for_url("**/teams?**", timeout=60_000)
        page.wait_for_selector(SCRIPT_DONE)
        kept = parse_qs(urlsplit(page.url).query)
        assert kept["pages"] == ["command,teams"] and kept["rotate"] == ["command:5,teams:5"]
        shown = set()
        deadline = time.monotonic() + 90
        while urlsplit(page.url).path == "/teams" and time.monotonic() < deadline:
            number = _visible_board_page(page)
            if number:
                shown.add(number)
            page.wait_for_timeout(500)
        assert urlsplit(page.url).path == "/command"  # the rotation moved on ...
        assert shown == {1, 2}  # ... only after both pages of the board were up
