"""A running campaign whose newest import is two days old: every page says so in an amber band."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import demo, schema, store

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_DAY = date(2023, 11, 7)


@pytest.fixture(scope="module")
def stale_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo campaign moved so that its last data day is two days ago, imported two days ago."""
    url = f"sqlite:///{tmp_path_factory.mktemp('stale') / 'board.db'}"
    engine = store.get_engine(url)
    store.init_db(engine)
    shift = (date.today() - timedelta(days=2)) - ARTICLE_DAY
    campaign = demo.generate(None)
    blocks = campaign.blocks.assign(launch_date=[d + shift for d in campaign.blocks["launch_date"]],
                                    deadline=[d + shift for d in campaign.blocks["deadline"]])
    milestones = campaign.milestones.assign(date=[d + shift for d in campaign.milestones["date"]])
    store.bulk_load(engine, blocks=blocks, teams=campaign.teams, households=campaign.households,
                    milestones=milestones, file_name="two days old")
    with engine.begin() as conn:
        conn.execute(schema.import_batches_table.update().values(imported_at=datetime.now() - timedelta(days=2)))
    return url


def _html(at) -> str:
    return "\n".join(str(el.value) for el in at.get("html"))


@pytest.mark.parametrize(("page", "params"), [("command", {"screen": "1"}), ("overview", {}), ("teams", {"lang": "en", "screen": "1"})])
def test_a_two_day_old_import_shows_the_amber_band(stale_db_url, monkeypatch, page, params):
    monkeypatch.setenv("DATABASE_URL", stale_db_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception
    html = _html(at)
    yesterday = (date.today() - timedelta(days=1)).strftime("%m-%d")
    expected = "⚠ Not updated: no import since" if params.get("lang") == "en" else "⚠ 数据未更新："
    assert '<span class="cb-stale" role="alert">' + expected in html
    assert f"{yesterday} 09:00" in html
    assert "已结束" not in html and "ended" not in html


def test_the_demo_campaign_has_ended_and_is_not_stale(open_page):
    at = open_page("command", screen="1")
    assert not at.exception
    html = _html(at)
    assert '<span class="cb-stale"' not in html  # no band
    assert "攻坚已结束（2024-01-03 截止）" in html and "最近导入 " in html
