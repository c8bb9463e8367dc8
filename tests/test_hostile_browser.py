"""Hostile text in a real browser: ledger names and link parameters render as plain text, and nothing leaves the origin.

A copy of the demo whose blocks and teams are named with Markdown, HTML and
LaTeX payloads is served; every page is opened (desk and big screen, with the
payloads also in the URL) in Chromium that aborts every non-local request.
The rendered DOM — main document and every frame — must hold no link, image,
emphasis or formula made of them, and no request may have tried to leave.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest

from lib import auth
from lib.web.escape import WORD_JOINER
from tests.browser_support import (
    LOCAL_HOSTS,
    chromium_browser,
    exceptions_on_page,
    offline_page,
    open_and_settle,
    run_streamlit,
)
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

EVIL = "evil.example"
#: What a hostile ledger names its blocks and teams (block or team id → name).
BLOCK_NAMES = {
    "yanta-2": f"[官方通知：请点击](http://{EVIL}/a)",
    "zhuangyuan": f"![x](http://{EVIL}/p.png)",
    "south-bus": f"<a href='http://{EVIL}/h'>点此</a>",
    "hongxing": "**bold** $x$",
}
TEAM_NAMES = {
    "zy-ninghua-1": f"[点此查看通知](http://{EVIL}/t)",  # households left: a bold Markdown heading
    "hx-aofeng": "**bold** $x$ _em_",  # all sealed: a success alert
    "yt2-ctjt-1": f"<img src='http://{EVIL}/i.png'>",
    "nz-xingang": f"![y](http://{EVIL}/q.png)",
}
#: The same payloads as link parameters, echoed by the "ignored parameter" notice.
HOSTILE_PARAMS = {
    "block": f"[官方通知：请点击](http://{EVIL})",
    "team": f"![x](http://{EVIL}/p.png)",
    "asof": "**bold**",
    f"<a href='http://{EVIL}'>x</a>": "$x$",
}
LITERALS = ("bold", "x", "y", "em", "点此", "官方通知：请点击", "点此查看通知")

# Everything a payload could have become, found anywhere in the document or its frames.
_FIND_MARKUP = """(literals) => {
  const out = [];
  const docs = [document];
  for (const f of document.querySelectorAll('iframe')) { try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) {} }
  for (const doc of docs) {
    for (const a of doc.querySelectorAll('a')) {
      const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
      if (href.includes('evil') || literals.includes(a.textContent.trim())) out.push('link ' + a.outerHTML.slice(0, 120));
    }
    for (const img of doc.querySelectorAll('img, image')) {
      const src = img.getAttribute('src') || img.getAttribute('href') || img.getAttribute('xlink:href') || '';
      if (src.includes('evil')) out.push('image ' + src);
    }
    for (const el of doc.querySelectorAll('strong, b, em, i, del, code')) {
      if (literals.includes(el.textContent.trim())) out.push('format <' + el.tagName + '>' + el.textContent);
    }
    for (const el of doc.querySelectorAll('.katex, mjx-container, math')) out.push('formula ' + el.textContent);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def hostile_board(demo_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a copy of the demo whose block and team names are payloads (nothing configured)."""
    target = tmp_path_factory.mktemp("hostile") / "board.db"
    src, dst = sqlite3.connect(demo_db_url.removeprefix("sqlite:///")), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    with dst:
        dst.executemany("UPDATE blocks SET name = ? WHERE block_id = ?", [(n, i) for i, n in BLOCK_NAMES.items()])
        dst.executemany("UPDATE teams SET name = ? WHERE team_id = ?", [(n, i) for i, n in TEAM_NAMES.items()])
        dst.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
    dst.close()
    env = {"DATABASE_URL": f"sqlite:///{target}", auth.ENV_VAR: ""}
    with run_streamlit(ROOT / "app.py", ROOT, env=env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium_browser() as b:
        yield b


def _hostile_pages() -> list[tuple[str, dict[str, str]]]:
    """Every page (the map with basemap=none), the desk and the big screen, the payloads also in the link."""
    return [
        ("overview", {}), ("overview", HOSTILE_PARAMS), ("overview", {"screen": "1"}),
        ("map", {"basemap": "none"}), ("map", {**HOSTILE_PARAMS, "basemap": "none"}),
        ("progress", {}), ("progress", {"chart": "overlay", "lang": "en"}),
        ("teams", {}), ("teams", HOSTILE_PARAMS), ("teams", {"screen": "1"}),
        ("teams", {"focus": "zy-ninghua-1"}), ("teams", {"focus": "hx-aofeng", "lang": "en"}),
        ("data", HOSTILE_PARAMS),
    ]


def _left_the_origin(urls: list[str]) -> list[str]:
    return [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")
            and urlsplit(u).hostname not in LOCAL_HOSTS]


@pytest.mark.parametrize(("page_name", "params"), _hostile_pages(),
                         ids=lambda v: v if isinstance(v, str) else "&".join(v)[:40] or "plain")
def test_hostile_text_renders_as_plain_text_and_nothing_leaves_the_origin(hostile_board, browser, page_name, params):
    with offline_page(browser, 1366, 900) as page:
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        open_and_settle(page, f"{hostile_board}/{page_name}?{urlencode(params)}")
        page.wait_for_timeout(1000)  # toasts, plotly and the map frame draw after the script
        assert exceptions_on_page(page) == []
        assert page.evaluate(_FIND_MARKUP, list(LITERALS)) == []
        assert _left_the_origin(requested) == []
        body = page.locator("body").inner_text().replace(WORD_JOINER, "")  # invisible, it unlinks URLs
        if page_name == "overview" and not params:
            assert BLOCK_NAMES["yanta-2"] in body and BLOCK_NAMES["hongxing"] in body  # shown, as text
        if params.get("focus") == "zy-ninghua-1":
            assert TEAM_NAMES["zy-ninghua-1"] in body
        if "block" in params and page_name != "data":
            assert HOSTILE_PARAMS["block"] in body  # the notice quotes the link as it came


def test_a_viewer_of_the_hostile_board_cannot_reach_the_ledger(hostile_board, browser):
    with offline_page(browser, 1280, 900) as page:
        open_and_settle(page, f"{hostile_board}/data")
        assert page.get_by_text("编辑令牌").first.is_visible()
        assert page.locator('input[type="file"]').count() == 0
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0


def test_the_favicon_is_served_by_the_board(hostile_board, browser):
    with offline_page(browser, 1280, 900) as page:
        open_and_settle(page, f"{hostile_board}/overview")
        icons = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    assert icons and all(urlsplit(href).hostname in LOCAL_HOSTS or href.startswith("data:") for href in icons)
