"""lib.metrics on tiny ledgers: exact counts, rates, days and paces."""

from __future__ import annotations

import math
from datetime import date

import pytest

from lib import metrics
from tests import ledgers

LAUNCH = date(2023, 9, 16)
BLOCKS = ledgers.blocks([("b1", "Block one", LAUNCH)])


def _four():
    return ledgers.households([
        {"id": "H1", "surveyed": date(2023, 9, 16), "signed": date(2023, 9, 18), "sealed": date(2023, 9, 20)},
        {"id": "H2", "signed": date(2023, 9, 20), "sealed": date(2023, 9, 25)},
        {"id": "H3", "signed": date(2023, 9, 25)},
        {"id": "H4", "team": "t2", "ptype": "杂物间"},
    ])


def test_day_number_counts_the_launch_day_as_day_one():
    assert metrics.day_number(LAUNCH, LAUNCH) == 1
    assert metrics.day_number(LAUNCH, date(2023, 10, 18)) == 33
    assert metrics.day_number(LAUNCH, date(2023, 11, 7)) == 53


def test_rates_count_dates_on_or_before_asof():
    kpis = metrics.campaign_kpis(_four(), BLOCKS, date(2023, 9, 20))
    assert (kpis.households, kpis.signed, kpis.sealed) == (4, 2, 1)
    assert kpis.signed_rate == 0.5 and kpis.sealed_rate == 0.25
    assert (kpis.signed_today, kpis.sealed_today) == (1, 1)
    assert kpis.day_n == 5 and kpis.days_left == 95


def test_rate_of_an_empty_scope_is_nan_not_an_error():
    assert math.isnan(metrics.rate(0, 0))


def test_current_stage_is_the_furthest_reached():
    stages = metrics.current_stage(_four(), date(2023, 9, 21)).tolist()
    assert stages == ["sealed", "signed", "not_surveyed", "not_surveyed"]


def test_filter_households_by_team_and_property_type():
    hh = _four()
    assert metrics.filter_households(hh, teams=["t2"])["household_id"].tolist() == ["H4"]
    assert len(metrics.filter_households(hh, ptypes=["住宅"])) == 3
    assert len(metrics.filter_households(hh)) == 4


def test_cumulative_by_day_never_looks_past_asof():
    cum = metrics.cumulative_by_day(_four(), "signed", LAUNCH, date(2023, 9, 21))
    assert len(cum) == 6
    assert cum.tolist() == [0, 0, 1, 1, 2, 2]


def test_pace_is_the_mean_gain_of_the_last_seven_days():
    hh = _four()
    # signed on 9-18, 9-20, 9-25: the 7 days 9-19..9-25 hold two of them
    assert metrics.pace(hh, "signed", date(2023, 9, 25)) == pytest.approx(2 / 7)


def test_pace_of_a_young_block_divides_by_its_age():
    # day 3: signed once (9-18) in three days
    assert metrics.pace(_four(), "signed", date(2023, 9, 18), LAUNCH) == pytest.approx(1 / 3)


def test_required_pace_and_projected_finish():
    assert metrics.required_pace(10, date(2023, 12, 24), date(2023, 12, 14)) == 1.0
    assert metrics.required_pace(0, date(2023, 12, 24), date(2023, 12, 30)) == 0.0
    assert metrics.required_pace(3, date(2023, 12, 24), date(2023, 12, 24)) is None
    assert metrics.projected_finish(10, 4.0, date(2023, 10, 1)) == date(2023, 10, 4)
    assert metrics.projected_finish(10, 0.0, date(2023, 10, 1)) is None


def test_first_full_day_is_the_last_households_date():
    hh = ledgers.households([{"signed": date(2023, 9, 18)}, {"signed": date(2023, 10, 18)}])
    assert metrics.first_full_day(hh, "signed", date(2023, 11, 7)) == date(2023, 10, 18)
    assert metrics.first_full_day(hh, "signed", date(2023, 10, 17)) is None


def test_block_table_reports_double_full_day_and_status():
    hh = ledgers.households([
        {"signed": date(2023, 9, 20), "sealed": date(2023, 9, 22)},
        {"signed": date(2023, 10, 1), "sealed": date(2023, 10, 18)},
    ])
    row = metrics.block_table(hh, BLOCKS, date(2023, 11, 7)).iloc[0]
    assert row["signed_full_day"] == 16 and row["sealed_full_day"] == 33
    assert row["double_full_day"] == 33
    assert row["sealed_rate"] == 1.0


def test_block_table_of_nothing_keeps_its_columns():
    table = metrics.block_table(_four().iloc[:0], BLOCKS, LAUNCH)
    assert table.empty and list(table.columns) == metrics.BLOCK_TABLE_COLUMNS


def test_fastest_double_full_picks_the_fewest_days():
    blocks = ledgers.blocks([("a", "A", LAUNCH), ("b", "B", LAUNCH)])
    hh = ledgers.households([
        {"block": "a", "signed": date(2023, 9, 30), "sealed": date(2023, 10, 5)},
        {"block": "b", "signed": date(2023, 9, 20), "sealed": date(2023, 9, 25)},
    ])
    best = metrics.fastest_double_full(metrics.block_table(hh, blocks, date(2023, 11, 7)))
    assert best["block_id"] == "b" and best["double_full_day"] == 10


def test_daily_progress_rows_per_block_stage_and_day():
    daily = metrics.daily_progress(_four(), BLOCKS, date(2023, 9, 20))
    assert len(daily) == 2 * 5
    sealed = daily[daily["stage"] == "sealed"]
    assert sealed["cumulative"].tolist() == [0, 0, 0, 0, 1]
    assert sealed["rate"].iloc[-1] == 0.25
    assert sealed["day_n"].tolist() == [1, 2, 3, 4, 5]


def test_team_full_days_lists_finished_teams_fastest_first():
    teams = ledgers.teams([("t1", "Team one", "b1"), ("t2", "Team two", "b1")])
    hh = ledgers.households([
        {"team": "t1", "sealed": date(2023, 9, 28)},
        {"team": "t2", "sealed": date(2023, 9, 20)},
        {"team": "t2", "sealed": date(2023, 9, 21)},
    ])
    full = metrics.team_full_days(hh, teams, BLOCKS, date(2023, 11, 7))
    assert full["team_id"].tolist() == ["t2", "t1"]
    assert full["day_n"].tolist() == [6, 13]


def test_sealing_is_never_projected_to_finish_before_signing(demo_campaign):
    for asof in (date(2023, 9, 25), date(2023, 10, 5), date(2023, 10, 20)):
        fc, _ = metrics.block_forecasts(demo_campaign.households, demo_campaign.blocks, asof, n_sims=300, with_paths=False)
        wide = fc.set_index(["block_id", "stage"])
        for block in fc["block_id"].unique():
            for p in ("finish_p10", "finish_p50", "finish_p90"):
                signed, sealed = wide.loc[(block, "signed"), p], wide.loc[(block, "sealed"), p]
                if signed is not None and sealed is not None:
                    assert sealed >= signed, (asof, block, p)


def test_block_outlook_is_the_worst_stage_and_not_started_before_launch():
    table = metrics.block_table(_four(), BLOCKS, date(2023, 9, 20))
    forecasts = metrics.pd.DataFrame({"block_id": ["b1", "b1"], "stage": ["signed", "sealed"], "status": ["on_track", "late"]})
    assert metrics.block_outlooks(table, forecasts).to_dict() == {"b1": "late"}
    early = metrics.block_table(_four(), ledgers.blocks([("b1", "Block one", date(2023, 10, 1))]), date(2023, 9, 20))
    assert metrics.block_outlooks(early, forecasts).to_dict() == {"b1": "not_started"}
