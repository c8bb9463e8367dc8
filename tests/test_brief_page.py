"""The daily brief page (/brief) under AppTest: three downloads, the picture, the text version,
English, scope filters and an empty scope."""

from __future__ import annotations


def _text(at) -> str:
    return at.code[0].value


def test_brief_page_offers_three_files_and_previews_the_day(open_page):
    at = open_page("brief", asof="2023-11-07")
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["下载图片 (PNG)", "下载 PDF", "下载成绩单 (xlsx)"]
    assert len(at.get("image")) == 1
    text = _text(at)
    assert text.startswith("【攻坚看板 · 日报】2023-11-07 · 攻坚第 53 天 / 共 100 天 · 剩余 47 天")
    assert "状元地块：签约率 97.20% · 封房率 93.60% · 可按期 · 预计 11-25 封完 (P50)" in text
    assert "汽车南站及周边地块：签约率 100.00% · 封房率 99.41%" in text
    assert "雁塔二地块：签约率 100.00% · 封房率 100.00% · ✓ 第 33 天签约、封房双 100%" in text
    assert "13. 汽车南站党员突击队 96.43%：连续 6 天无新增封房" in text
    assert "数据截至 2023-11-07 · 最近导入 " in text
    assert "数据截至 2023-11-07" in "\n".join(str(h.value) for h in at.get("html"))


def test_brief_page_in_english(open_page):
    at = open_page("brief", asof="2023-10-10", lang="en")
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download picture (PNG)", "Download PDF", "Download score sheet (xlsx)",
    ]
    text = _text(at)
    assert text.startswith("【Campaign Board · Daily brief】2023-10-10 · campaign day 25 of 100")
    assert "Laggards" in text and "Data as of 2023-10-10" in text


def test_brief_page_follows_the_scope(open_page):
    at = open_page("brief", asof="2023-11-07", block="zhuangyuan")
    assert not at.exception
    text = _text(at)
    assert "范围：状元地块" in text and "汽车南站" not in text and "状元地块：签约率 97.20% · 封房率 93.60%" in text


def test_an_empty_scope_shows_the_empty_state(open_page):
    at = open_page("brief", asof="2023-11-07", block="hongxing", ptype="杂物间")  # no storage rooms there
    assert not at.exception
    assert not at.get("download_button")
    assert all(c.value.startswith("http") or c.value.startswith("/") for c in at.code)  # only the share link
    assert [i.value for i in at.info] == ["当前筛选下没有住户，请放宽筛选条件。"]
