"""The command page (/command) under AppTest: the article's figures, both languages, the wall, bad links."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def _html(at) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


def test_command_shows_tiles_leaders_curves_and_the_ticker(open_page):
    at = open_page("command", asof="2023-11-07")
    assert not at.exception
    page = _html(at)
    assert '<div class="value">97.55%</div>' in page  # 677 of 694 sealed, the overview's tile
    assert "前列" in page and "⚠ 后进 · 5" in page
    assert 'title="宁化街道征迁工作组三组"' in page  # the laggard named in full
    assert 'class="cb-curves"' in page and "data:image/svg+xml;base64," in page
    assert '<span class="cb-ticker-head">今日</span>' in page and "状元地块 封房 +1" in page
    assert "数据截至 2023-11-07 · 第 53 天" in page and "最近导入" in page


def test_command_in_english(open_page):
    at = open_page("command", asof="2023-11-07", lang="en")
    assert not at.exception
    page = _html(at)
    assert "Leading" in page and "Zhuangyuan" not in page  # block names are the ledger's
    assert "状元地块 sealed +1" in page and "Last import" in page


def test_command_on_the_wall_is_scaled_and_shows_no_controls(open_page):
    at = open_page("command", asof="2023-11-07", screen="1")
    assert not at.exception
    page = _html(at)
    assert 'id="cb-fit"' in page and "--cb-scale" in page  # the canvas script
    assert "transform: translate(var(--cb-dx, 0px), var(--cb-dy, 0px)) scale(var(--cb-scale, 1))" in page
    assert len(at.main.button) == 0 and len(at.main.toggle) == 0 and len(at.main.selectbox) == 0  # the sidebar is hidden


def test_a_malformed_link_is_dropped_with_the_usual_notice(open_page):
    at = open_page("command", asof="2023-13-45", pages="command,nope", rotate="teams:2")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning).replace("\\", "")  # the notice is Markdown-escaped
    assert "asof=2023-13-45" in warning and "pages=nope" in warning and "rotate=teams:2" in warning
    assert "数据截至 2023-11-07" in _html(at)


def test_on_the_wall_the_notice_is_a_toast(open_page):
    at = open_page("command", block="nope", screen="1")
    assert not at.exception
    assert len(at.warning) == 0
    assert any("block=nope" in toast.value for toast in at.toast)


def test_the_wall_lands_on_command_and_keeps_the_playlist(demo_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update({"screen": "1", "pages": "command,teams", "rotate": "command:20,teams:30"})
    at.run()
    assert not at.exception
    assert '<span class="cb-ticker-head">今日</span>' in _html(at)  # the command page drew
    assert at.query_params["pages"] == "command,teams" and at.query_params["rotate"] == "command:20,teams:30"
