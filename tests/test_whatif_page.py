"""The 推演 page under AppTest: a full scenario link (zh, en, screen), bad values, saving and reopening."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import auth, metrics, scenarios, store
from lib.store.engine import bump_version
from lib.web import auth as web_auth
from tests.conftest import APP_TIMEOUT, ROOT

FULL_LINK = {
    "asof": "2023-10-20", "pace.zhuangyuan": "1.5", "move": ["nz-xingang:zhuangyuan@2023-10-24"],
    "exclude": ["own:单位产-央企"], "holdout": ["south-bus:3@2023-12-01"], "target": "2023-10-29",
}


def _html(at: AppTest) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


def _all(at: AppTest, name: str) -> list[str]:
    value = at.query_params[name]
    return list(value) if isinstance(value, list) else [value]


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _expected(demo_campaign, scenario: scenarios.Scenario) -> scenarios.Answer:
    c = demo_campaign
    return scenarios.run(c.households, c.blocks, date(2023, 10, 20), scenario, record=c.households)


def test_a_full_scenario_link_shows_the_scenario_beside_the_baseline(open_page, demo_campaign):
    at = open_page("whatif", **FULL_LINK)
    assert not at.exception
    page = _html(at)
    assert "状元地块：日均 ×1.5；新港社区工作组 支援 状元地块，自 2023-10-24 起；单位产-央企 不计入；汽车南站及周边地块 最后 3 户于 2023-12-01 完成；目标日 2023-10-29" in page
    scenario, _ = scenarios.parse_params({k: v if isinstance(v, list) else [v] for k, v in FULL_LINK.items()},
                                         blocks=list(demo_campaign.block_names), teams=list(demo_campaign.team_names))
    base = _expected(demo_campaign, scenarios.Scenario(target=date(2023, 10, 29))).row("zhuangyuan", "sealed")
    scen = _expected(demo_campaign, scenario).row("zhuangyuan", "sealed")
    assert scen["finish_p50"] < base["finish_p50"] and scen["on_time"] >= base["on_time"]
    assert f"{base['on_time'] * 100:.2f}% <span" in page and f"<b>{scen['on_time'] * 100:.2f}%</b>" in page
    zhuangyuan = _charts(at)[3]
    names = [tr["name"] for tr in zhuangyuan["data"]]
    assert {"基线 P10–P90", "基线 P50", "推演 P10–P90", "推演 P50"} <= set(names)
    assert next(tr for tr in zhuangyuan["data"] if tr["name"] == "基线 P50")["line"]["dash"] == "dash"
    notes = [a["text"] for a in zhuangyuan["layout"]["annotations"]]
    assert notes == ["截至日", "第100天", "目标日", "+新港社区工作组", "×1.5"]
    # The link keeps every lever: it is the scenario's share link.
    assert at.query_params["pace.zhuangyuan"] == "1.5" and at.query_params["target"] == "2023-10-29"
    assert _all(at, "move") == ["nz-xingang:zhuangyuan@2023-10-24"]
    assert _all(at, "holdout") == ["south-bus:3@2023-12-01"]


def test_the_same_link_in_english(open_page):
    at = open_page("whatif", lang="en", **FULL_LINK)
    assert not at.exception
    page = _html(at)
    assert "Zhuangyuan block: pace × 1.5" in page or "pace × 1.5" in page
    assert "On-time chance (Sealing)" in page
    assert {"Baseline P10–P90", "Scenario P10–P90"} <= {tr["name"] for tr in _charts(at)[3]["data"]}


def test_the_big_screen_shows_the_link_read_only_with_the_same_answer(open_page):
    desk = open_page("whatif", **FULL_LINK)
    wall = open_page("whatif", screen="1", **FULL_LINK)
    assert not wall.exception
    keys = {w.key for kind in ("text_input", "multiselect", "date_input") for w in wall.get(kind)}
    assert not keys & {"pace.zhuangyuan", "move", "exclude", "holdout", "target"}  # read-only: no levers to change
    tiles = [h for h in _html(wall).split("\n") if "cb-kpis" in h]
    assert tiles and tiles[0] in _html(desk)  # the same headline answer
    assert wall.query_params["pace.zhuangyuan"] == "1.5"


def test_malformed_levers_are_dropped_with_a_notice_and_the_rest_applies(open_page):
    at = open_page("whatif", asof="2023-10-20", **{"pace.zhuangyuan": "fast", "pace.nowhere": "2"},
                   move=["ghost:zhuangyuan", "nz-xingang:zhuangyuan"], target="soon")
    assert not at.exception
    warning = " ".join(str(w.value) for w in at.warning).replace("\\", "")  # the notice is Markdown-escaped
    assert "pace.zhuangyuan=fast" in warning and "move=ghost:zhuangyuan" in warning and "target=soon" in warning
    assert "新港社区工作组 支援 状元地块" in _html(at)
    assert "ghost" not in _all(at, "move")[0]


def test_no_levers_is_the_baseline(open_page):
    at = open_page("whatif", asof="2023-10-20")
    assert not at.exception
    assert "未调整：推演 = 基线" in _html(at)
    assert all("推演 P50" not in {tr["name"] for tr in c["data"]} for c in _charts(at))


@pytest.fixture
def private_db(demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "board.db"
    with sqlite3.connect(demo_db_url.removeprefix("sqlite:///")) as source, sqlite3.connect(path) as copy:
        source.backup(copy)  # the WAL's pages too
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _open(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    at.run()
    at.switch_page("pages/whatif.py")
    at.query_params.clear()
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_an_editor_saves_a_scenario_and_a_reopened_one_says_the_data_moved_on(private_db, monkeypatch):
    monkeypatch.setattr(web_auth, "is_editor", lambda: True)  # logged in (the login itself: tests/test_auth.py)
    at = _open(asof="2023-10-20", **{"pace.zhuangyuan": "1.5"})
    at.text_input(key="whatif-save-name").input("状元提速")
    next(b for b in at.button if b.label == "保存推演").click().run()
    assert [s.value for s in at.success] == ["已保存「状元提速」。"]
    assert not at.exception
    engine = store.get_engine(private_db)
    saved = store.list_scenarios(engine)
    assert saved["name"].tolist() == ["状元提速"]
    assert saved["params"].tolist() == ["pace.zhuangyuan=1.5"] and saved["asof"].tolist() == [date(2023, 10, 20)]
    version = store.data_version(engine)
    assert saved["data_version"].tolist() == [version]

    sid = int(saved["scenario_id"].iloc[0])
    same = _open(asof="2023-10-20", **{"pace.zhuangyuan": "1.5", "saved": str(sid)})
    assert "已打开保存的推演「状元提速」" in " ".join(str(i.value) for i in same.info)
    with engine.begin() as conn:
        bump_version(conn)  # an import since
    later = _open(asof="2023-10-20", **{"pace.zhuangyuan": "1.5", "saved": str(sid)})
    assert not later.exception
    assert f"数据版本 {version} → {version + 1}" in " ".join(str(w.value) for w in later.warning)
    assert 'whatif?pace.zhuangyuan=1.5" target="_self">按今日数据重算</a>' in _html(later)  # no asof: today's data


def test_a_viewer_can_open_but_not_save(private_db, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password("a long editor password"))
    at = _open(asof="2023-10-20", **{"pace.zhuangyuan": "1.5"})
    assert not at.exception
    assert not [b for b in at.button if b.label == "保存推演"]
    assert "只有编辑人员可以保存推演" in " ".join(str(c.value) for c in at.caption)


def test_the_back_test_draws_what_the_ledger_recorded_later(open_page, demo_campaign):
    at = open_page("whatif", asof="2023-10-05", backtest="true")
    assert not at.exception
    yanta = _charts(at)[0]
    later = next(tr for tr in yanta["data"] if tr["name"] == "实际（后来记录）")
    assert max(later["x"]) == "2023-11-07T00:00:00" or max(later["x"]).startswith("2023-11-07")
    finished = metrics.first_full_day(demo_campaign.households[demo_campaign.households["block_id"] == "yanta-2"], "sealed", date(2023, 11, 7))
    assert f"{finished:%m-%d} · " in _html(at)
