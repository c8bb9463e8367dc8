"""The daily brief's data (lib.brief.brief_data) on a tiny hand-made ledger: exact values.

Two blocks: 甲地块 (4 households, launched 09-01) and 乙地块 (2 households,
launched 09-05, both signed and sealed by 09-06). As of 2023-09-06:
5 of 6 signed, 4 of 6 sealed; yesterday 4 and 3.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from lib import brief, schema, store
from lib.brief import render
from tests import ledgers

ASOF = date(2023, 9, 6)


def _campaign(rows: list[dict], blocks: list[tuple[str, str, date]], teams: list[tuple[str, str, str]]) -> store.Campaign:
    return store.Campaign(
        blocks=ledgers.blocks(blocks), teams=ledgers.teams(teams), households=ledgers.households(rows),
        milestones=schema.empty_frame(schema.MILESTONE_COLUMNS), data_version=7,
    )


@pytest.fixture
def campaign() -> store.Campaign:
    return _campaign(
        [
            {"id": "H1", "block": "b1", "team": "t1", "signed": date(2023, 9, 2), "sealed": date(2023, 9, 3)},
            {"id": "H2", "block": "b1", "team": "t1", "signed": date(2023, 9, 3), "sealed": date(2023, 9, 4)},
            {"id": "H3", "block": "b1", "team": "t2", "signed": date(2023, 9, 4)},
            {"id": "H4", "block": "b1", "team": "t2"},
            {"id": "H5", "block": "b2", "team": "t3", "signed": date(2023, 9, 5), "sealed": date(2023, 9, 5)},
            {"id": "H6", "block": "b2", "team": "t3", "signed": date(2023, 9, 6), "sealed": date(2023, 9, 6)},
        ],
        [("b1", "甲地块", date(2023, 9, 1)), ("b2", "乙地块", date(2023, 9, 5))],
        [("t1", "甲一组", "b1"), ("t2", "甲二组", "b1"), ("t3", "乙组", "b2")],
    )


def test_headline_figures_and_change_since_yesterday(campaign):
    b = brief.brief_data(campaign, ASOF)
    k, prev = b.headline.kpis, b.headline.previous
    assert (k.households, k.signed, k.sealed, k.signed_today, k.sealed_today) == (6, 5, 4, 1, 1)
    assert (prev.signed, prev.sealed) == (4, 3)
    assert b.headline.signed_rate_change == pytest.approx(100 / 6)
    assert b.headline.sealed_rate_change == pytest.approx(100 / 6)
    assert (k.day_n, k.days_left, k.deadline) == (6, 94, date(2023, 12, 9))
    assert b.households == 6 and not b.is_empty and b.data_version == 7


def test_one_row_per_block_with_rates_gains_outlook_and_finish(campaign):
    b = brief.brief_data(campaign, ASOF)
    first, second = b.blocks
    assert (first.name, first.day_n, first.households, first.signed, first.sealed) == ("甲地块", 6, 4, 3, 2)
    assert (first.signed_rate, first.sealed_rate, first.signed_today, first.sealed_today) == (0.75, 0.5, 0, 0)
    assert first.double_full_day is None and first.finished_on is None
    assert (second.name, second.day_n, second.signed_rate, second.sealed_rate) == ("乙地块", 2, 1.0, 1.0)
    assert (second.signed_today, second.sealed_today, second.double_full_day) == (1, 1, 2)
    assert second.outlook == "finished" and second.finished_on == ASOF
    assert first.outlook in ("on_track", "at_risk", "late")
    assert first.finish_p50 is not None and first.finish_p50 > ASOF


def test_leaderboard_top_three_and_laggards_with_reasons(campaign):
    b = brief.brief_data(campaign, ASOF)
    assert [(r.rank, r.team, r.sealed_rate, r.finish_day) for r in b.top] == [
        (1, "乙组", 1.0, 2), (2, "甲一组", 1.0, 4), (3, "甲二组", 0.0, None),
    ]
    (lag,) = b.laggards
    assert (lag.team, lag.laggard_reasons, lag.rate_gap) == ("甲二组", "below_block", 50.0)
    assert render.teams.laggard_reason(lag.laggard_reasons, lag.days_since_gain, lag.rate_gap, "zh") == "封房率低于本地块 50 个百分点"


def test_todays_events_block_full_and_team_finished(campaign):
    events = brief.brief_data(campaign, ASOF).events
    assert events == (
        brief.Event("block_full", "乙地块", stage="signed"),
        brief.Event("block_full", "乙地块", stage="sealed"),
        brief.Event("team_finished", "乙组", count=2, days=2),
    )
    assert [render.event_text(e, "zh") for e in events] == [
        "乙地块 签约率达到 100%", "乙地块 封房率达到 100%", "乙组 全部 2 户封房（第 2 天）",
    ]
    assert brief.brief_data(campaign, date(2023, 9, 5)).events == ()  # nothing reached 100 % that day


def test_a_holdout_signing_after_thirty_days_is_an_event():
    rows = [
        {"id": "H1", "block": "b1", "team": "t1", "signed": date(2023, 10, 5)},   # waited 34 days
        {"id": "H2", "block": "b1", "team": "t1", "signed": date(2023, 10, 5)},   # waited as long
        {"id": "H3", "block": "b1", "team": "t1", "signed": date(2023, 9, 2)},
        {"id": "H4", "block": "b2", "team": "t2", "signed": date(2023, 10, 5)},   # its block launched 09-20: 15 days
    ]
    c = _campaign(rows, [("b1", "甲地块", date(2023, 9, 1)), ("b2", "乙地块", date(2023, 9, 20))],
                  [("t1", "甲组", "b1"), ("t2", "乙组", "b2")])
    events = [e for e in brief.brief_data(c, date(2023, 10, 5)).events if e.kind == "holdout"]
    assert events == [brief.Event("holdout", "甲地块", stage="signed", count=2, days=34)]
    assert render.event_text(events[0], "zh") == "甲地块 2 户久未签约住户今日签约（最长 34 天）"


def test_scope_narrows_blocks_and_rows_but_keeps_campaign_ranks(campaign):
    b = brief.brief_data(campaign, ASOF, {"blocks": ["b1"]})
    assert b.households == 4 and [x.block_id for x in b.blocks] == ["b1"]
    assert [(r.rank, r.team) for r in b.top] == [(2, "甲一组"), (3, "甲二组")]
    assert b.scope_names == ("甲地块",)
    assert b.headline.kpis.signed == 3 and b.headline.kpis.signed_today == 0
    assert b.headline.sealed_rate_change == pytest.approx(0.0)
    assert set(b.curves["block_id"]) == {"b1"}


def test_an_empty_scope_is_empty_not_an_error(campaign):
    b = brief.brief_data(campaign, ASOF, {"blocks": ["b2"], "teams": ["t1"]})
    assert b.is_empty and b.blocks == () and b.top == () and b.events == ()


def test_unknown_scope_key_is_refused(campaign):
    with pytest.raises(ValueError, match="unknown scope key 'block'"):
        brief.brief_data(campaign, ASOF, {"block": ["b1"]})


def test_on_time_probability_is_a_slot_filled_only_when_given(campaign):
    plain = brief.brief_data(campaign, ASOF)
    assert not plain.has_on_time_probability and all(b.on_time_probability is None for b in plain.blocks)
    assert "按期概率" not in render.brief_text(plain)
    filled = brief.brief_data(campaign, ASOF, on_time={"b1": 0.8})
    assert filled.has_on_time_probability and filled.blocks[0].on_time_probability == 0.8
    assert "按期概率 80%" in render.brief_text(filled)


def test_rate_change_points_counts_an_empty_yesterday_from_zero():
    assert brief.rate_change_points(0.5, math.nan) == 50.0
    assert brief.rate_change_points(math.nan, math.nan) == 0.0


def test_last_import_is_the_newest_applied_batch():
    batches = pd.DataFrame({
        "batch_id": [3, 2, 1], "status": ["undone", "applied", "applied"],
        "imported_at": [datetime(2023, 11, 7, 20), datetime(2023, 11, 7, 18, 5), datetime(2023, 11, 6, 18)],
    })
    assert brief.last_import_time(batches) == datetime(2023, 11, 7, 18, 5)
    assert brief.last_import_time(batches.iloc[:0]) is None


def test_text_version_has_the_figures_and_never_an_owner_name(campaign):
    text = render.brief_text(brief.brief_data(campaign, ASOF, last_import=datetime(2023, 9, 6, 19, 30)))
    assert "签约率 83.33%（较昨日 +1 户 · +16.67 个百分点）" in text
    assert "甲地块：签约率 75.00% · 封房率 50.00%" in text
    assert "乙地块：签约率 100.00% · 封房率 100.00% · ✓ 第 2 天签约、封房双 100%" in text
    assert "3. 甲二组 0.00%：封房率低于本地块 50 个百分点" in text
    assert text.endswith("数据截至 2023-09-06 · 最近导入 2023-09-06 19:30")
    assert "陈月兰" not in text  # the ledger's owner name
