"""The team leaderboard page under AppTest: the article's 新港社区 group, past days,
scope filters, the drill-down share link, the big screen, bad links and bad settings."""

from __future__ import annotations

import re

import pytest

from lib import store


def _html(at) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


def _board_rows(at) -> list[str]:
    """The leaderboard's rows as plain text, one string per team."""
    board = next(str(el.value) for el in at.get("html") if "cb-board" in str(el.value) and "<tbody>" in str(el.value))
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", board.split("<tbody>", 1)[1], flags=re.S)
    return [re.sub(r"<[^>]+>", " ", r) for r in rows]


def test_latest_day_ranks_every_team_with_xingang_first(open_page):
    at = open_page("teams", asof="2023-11-07")
    assert not at.exception
    rows = _board_rows(at)
    assert len(rows) == 18
    first = " ".join(rows[0].split())
    assert first.startswith("1 – 新港社区工作组")
    assert " 73 73 73 " in f" {first} " and "100.00%" in first and "✓ 第 13 天完成" in first
    assert 'title="✓ 第 13 天全部封房"' in _html(at)  # the status in full, as the cell's tooltip
    assert 'href="?asof=2023-11-07&amp;focus=nz-xingang"' in _html(at)  # the row drills down
    assert "共 18 个工作组 · 已全部封房 12 个 · 后进 5 个" in " ".join(c.value for c in at.caption)
    page = _html(at)
    assert "后进：连续 6 天无新增封房" in page  # 汽车南站党员突击队: 27/28, last sealed 11-01
    assert "数据截至 2023-11-07" in page


def test_rule_is_shown_and_both_exports_are_offered(open_page):
    at = open_page("teams", asof="2023-11-07")
    rules = " ".join(m.value for m in at.markdown)
    assert "得分 = 封房率 × 100" in rules and "连续 3 天及以上无新增封房" in rules
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载 Excel (xlsx)", "下载 CSV"]


def test_an_earlier_day_shows_its_own_ranks_and_changes(open_page):
    at = open_page("teams", asof="2023-10-10")
    assert not at.exception
    rows = [" ".join(r.split()) for r in _board_rows(at)]
    assert rows[0].startswith("1 – 新港社区工作组")
    assert rows[1].startswith("2 – 城投集团征迁一组") and "94.00%" in rows[1]
    assert rows[7].startswith("8 ▲1 城投集团征迁五组")
    assert rows[8].startswith("9 ▼1 鳌峰街道工作组")
    assert rows[12].startswith("13 ▼1 新港街道工作组") and "后进：低于地块 36.8 点" in rows[12]
    assert "封房率低于本地块 36.8 个百分点" in _html(at)  # in full as the tooltip
    assert "数据截至 2023-10-10 · 第 25 天" in _html(at)


def test_block_filter_keeps_campaign_ranks(open_page):
    at = open_page("teams", asof="2023-11-07", block="zhuangyuan")
    assert not at.exception
    ranks = [int(r.split()[0]) for r in _board_rows(at)]
    assert ranks == [10, 14, 15, 16, 17, 18]


def test_team_filter_shows_that_team(open_page):
    at = open_page("teams", asof="2023-11-07", team=["nz-xingang"])
    assert not at.exception
    rows = _board_rows(at)
    assert len(rows) == 1 and "新港社区工作组" in rows[0]


def test_a_team_outside_the_chosen_blocks_is_dropped_with_a_notice(open_page):
    at = open_page("teams", asof="2023-10-10", block="yanta-2", team=["nz-xingang"])
    assert not at.exception
    assert "工作组 新港社区工作组（不属于所选地块）" in " ".join(w.value for w in at.warning)
    assert len(_board_rows(at)) == 6  # Yanta 2's own teams


def test_focus_lists_what_is_left_with_masked_owners(open_page, demo_campaign):
    at = open_page("teams", asof="2023-11-07", focus="zy-ctjt-4")
    assert not at.exception
    assert at.selectbox(key="focus").value == "zy-ctjt-4"
    page = _html(at)
    assert "ZY-0173" in page and "谢**" in page
    owners = demo_campaign.households.query("team_id == 'zy-ctjt-4'")["owner_name"]
    assert not any(name in page for name in owners if len(name) > 1)
    assert at.query_params["focus"] == "zy-ctjt-4"  # the drill-down stays in the share link
    links = " ".join(m.value for m in at.markdown)
    assert "map?" in links and "team=zy-ctjt-4" in links and "asof=2023-11-07" in links


def test_focus_on_a_finished_team_says_so(open_page):
    at = open_page("teams", asof="2023-11-07", focus="nz-xingang")
    assert not at.exception
    assert "新港社区工作组：73 户已全部封房。" in at.success[0].value


def test_choosing_a_team_writes_the_link(open_page):
    at = open_page("teams", asof="2023-11-07")
    at.selectbox(key="focus").select("zy-party").run()
    assert not at.exception
    assert at.query_params["focus"] == "zy-party"


def test_malformed_link_gives_notices_not_an_exception(open_page):
    at = open_page("teams", asof="2023-13-45", block="nope", focus="nobody")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "asof=2023-13-45" in warning and "block=nope" in warning
    assert "focus=nobody" in " ".join(t.value for t in at.toast)
    assert len(_board_rows(at)) == 18  # the default view: latest day, every team


def test_big_screen_pages_the_board_and_pins_top_and_laggards(open_page):
    at = open_page("teams", asof="2023-11-07", screen="1")
    assert not at.exception
    page = _html(at)
    assert 'data-pages="2"' in page and "第 1/2 页" in page
    assert "前列" in page and "后进 · 5" in page
    assert not at.get("download_button") and not at.selectbox


def test_english(open_page):
    at = open_page("teams", asof="2023-11-07", lang="en")
    assert not at.exception
    assert at.subheader[0].value == "Team leaderboard · score sheet"
    assert "✓ all sealed on day 13" in _html(at)


@pytest.fixture
def scoring(monkeypatch):
    def _set(section):
        monkeypatch.setattr(store, "secrets", lambda: {"scoring": section})
    return _set


def test_scoring_weights_from_secrets_show_the_score(open_page, scoring):
    scoring({"sealed": 1, "signed": 1})
    at = open_page("teams", asof="2023-10-10")
    assert not at.exception
    assert ">得分</th>" in _html(at)
    assert "100 × (1×封房率 + 1×签约率) ÷ 2" in " ".join(m.value for m in at.markdown)


def test_bad_scoring_settings_fall_back_with_a_warning(open_page, scoring):
    scoring({"sealed": "lots"})
    at = open_page("teams", asof="2023-11-07")
    assert not at.exception
    assert "scoring.sealed must be a number" in " ".join(w.value for w in at.warning)
    assert len(_board_rows(at)) == 18


def test_the_sidebar_offers_only_the_chosen_blocks_teams(open_page):
    at = open_page("teams", asof="2023-11-07", block="hongxing")
    assert not at.exception
    options = at.multiselect(key="team").options
    assert options == ["鳌峰街道工作组", "城投集团征迁六组"]  # the two teams of the Hongxing site
    at.multiselect(key="block").set_value([]).run()
    assert len(at.multiselect(key="team").options) == 18


def test_a_team_of_another_block_leaves_the_team_filter(open_page):
    at = open_page("teams", asof="2023-11-07", block="hongxing", team="nz-xingang")
    assert not at.exception
    assert at.multiselect(key="team").value == []
    assert "team" not in at.query_params
    assert len(_board_rows(at)) == 2
