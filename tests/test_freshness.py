"""lib.freshness: when the wall screen says its data is old, or that the campaign has ended."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from lib import freshness as fr

CAMPAIGN = {"data_day": date(2026, 11, 29), "first_day": date(2026, 10, 1), "end_day": date(2027, 1, 8)}


def _at(now: datetime, last_import: datetime | None, rule: fr.FreshnessRule | None = None) -> fr.Freshness:
    return fr.freshness(last_import=last_import, now=now, rule=rule, **CAMPAIGN)


def test_an_import_after_yesterdays_meeting_is_fresh():
    fresh = _at(datetime(2026, 12, 1, 8, 0), datetime(2026, 11, 30, 9, 30))
    assert fresh.state == fr.FRESH and not fresh.stale


def test_no_import_since_yesterdays_meeting_is_stale():
    fresh = _at(datetime(2026, 12, 1, 8, 0), datetime(2026, 11, 30, 8, 59))
    assert fresh.stale
    assert fresh.expected_since == datetime(2026, 11, 30, 9, 0)
    assert fr.stale_text(fresh, "zh") == "⚠ 数据未更新：11-30 09:00 后无新导入 · 最近导入 11-30 08:59"


def test_a_two_day_old_import_is_stale_and_says_so_in_english():
    fresh = _at(datetime(2026, 12, 1, 14, 0), datetime(2026, 11, 29, 10, 0))
    assert fresh.stale
    assert fr.stale_text(fresh, "en") == "⚠ Not updated: no import since 11-30 09:00 · last 11-29 10:00"


def test_a_board_never_imported_is_stale():
    assert _at(datetime(2026, 12, 1, 14, 0), None).stale


def test_the_meeting_time_and_a_maximum_age_are_configurable():
    rule, problem = fr.rule_from_config({"meeting": "17:30"}, {})
    assert problem is None and rule == fr.FreshnessRule(meeting=time(17, 30))
    assert not _at(datetime(2026, 12, 1, 8, 0), datetime(2026, 11, 30, 17, 45), rule).stale
    assert _at(datetime(2026, 12, 1, 8, 0), datetime(2026, 11, 30, 17, 15), rule).stale
    hours, _ = fr.rule_from_config({"meeting": "17:30"}, {"FRESHNESS_MAX_AGE_HOURS": "6"})
    assert hours.max_age_hours == 6.0  # the environment overrides the secrets
    assert _at(datetime(2026, 12, 1, 14, 0), datetime(2026, 12, 1, 7, 59), hours).stale
    assert not _at(datetime(2026, 12, 1, 14, 0), datetime(2026, 12, 1, 8, 1), hours).stale


@pytest.mark.parametrize(("section", "env", "message"), [
    ({"meeting": "nine"}, {}, "meeting='nine' is not a time of day (HH:MM)"),
    ({}, {"FRESHNESS_MAX_AGE_HOURS": "soon"}, "max_age_hours='soon' is not a number of hours (0–720)"),
    ({"max_age_hours": -1}, {}, "max_age_hours=-1 is not a number of hours (0–720)"),
])
def test_a_bad_setting_falls_back_to_the_default_rule_and_says_why(section, env, message):
    rule, problem = fr.rule_from_config(section, env)
    assert rule == fr.FreshnessRule() and problem == message


def test_an_ended_campaign_says_so_and_is_never_stale():
    fresh = _at(datetime(2027, 1, 9, 10, 0), datetime(2026, 11, 29, 10, 0))
    assert fresh.state == fr.ENDED and not fresh.stale
    assert fr.freshness_line(fresh, "zh") == "最近导入 2026-11-29 10:00 · 攻坚已结束（2027-01-08 截止）"
    assert fr.freshness_line(fresh, "en") == "Last import 2026-11-29 10:00 · Campaign ended (2027-01-08)"


def test_the_deadline_day_itself_still_runs():
    assert _at(datetime(2027, 1, 8, 23, 0), datetime(2027, 1, 6, 10, 0)).stale


def test_before_the_launch_nothing_is_expected():
    fresh = _at(datetime(2026, 9, 20, 10, 0), None)
    assert fresh.state == fr.NOT_STARTED
    assert fr.freshness_line(fresh, "zh") == "尚无导入记录"
