"""The overview page under AppTest: the article's figures, past days, bad links."""

from __future__ import annotations


def _html(at) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


def test_overview_reproduces_the_article(open_page):
    at = open_page("overview", asof="2023-11-07")
    assert not at.exception
    page = _html(at)
    assert "93.60%" in page  # 状元 sealed 234/250
    assert "99.41%" in page  # 汽车南站 sealed 169/170
    assert "第 33 天" in page  # 雁塔二 double 100 % on its day 33
    assert "雁塔二地块：第 33 天签约率、封房率双达 100%" in page


def test_an_earlier_day_shows_lower_figures(open_page):
    at = open_page("overview", asof="2023-10-01")
    assert not at.exception
    page = _html(at)
    assert "数据截至 2023-10-01 · 第 16 天" in page
    assert "93.60%" not in page and "99.41%" not in page


def test_malformed_link_shows_a_notice_and_the_default_view(open_page):
    at = open_page("overview", asof="2023-13-45", block="nope")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "asof=2023-13-45" in warning and "block=nope" in warning
    assert "数据截至 2023-11-07" in _html(at)


def test_english_with_lang_en(open_page):
    at = open_page("overview", asof="2023-11-07", lang="en")
    assert not at.exception
    page = _html(at)
    assert "Data as of 2023-11-07 · day 53 of 100" in page
    assert "Signed" in page and "Sealed" in page


def test_block_filter_narrows_the_tiles(open_page):
    at = open_page("overview", asof="2023-11-07", block="zhuangyuan")
    assert not at.exception
    page = _html(at)
    assert '<div class="value">250</div>' in page
    assert '<div class="value">93.60%</div>' in page
