"""lib.scenarios on tiny ledgers: each lever's exact effect, no change = the baseline, the link codec."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lib import forecast, metrics, scenarios
from lib.scenarios import Exclude, Holdout, Move, Pace, Scenario
from tests import ledgers

LAUNCH = date(2023, 9, 1)
ASOF = date(2023, 9, 20)  # day 20: 40 of 100 households signed and sealed, 2 a day
BLOCKS = ledgers.blocks([("b1", "Steady", LAUNCH), ("b2", "Done", LAUNCH)])


def _steady(remaining_own: str = "私产") -> pd.DataFrame:
    """b1: 2 households a day signed and sealed for 20 days, 60 left; b2: team t9 sealed 1 a day for 14 days."""
    rows = []
    for i in range(100):
        day = LAUNCH + timedelta(days=i // 2) if i < 40 else None
        rows.append({"id": f"A{i:03d}", "block": "b1", "team": "t1", "signed": day, "sealed": day,
                     "own": "私产" if day else remaining_own})
    for i in range(14):
        day = LAUNCH + timedelta(days=i)
        rows.append({"id": f"B{i:03d}", "block": "b2", "team": "t9", "signed": day, "sealed": day})
    return ledgers.households(rows)


def _plain_board(hh: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The board's rows as the plain simulation gives them, so the lever tests hold whether or not the board
    calibrates it (a calibrated board is tested apart: its correction carries over as a ratio)."""
    rows, paths = [], []
    for blk in BLOCKS.itertuples(index=False):
        hh_b = hh[hh["block_id"] == blk.block_id]
        for stage in metrics.RATE_STAGES:
            cum = metrics.cumulative_by_day(hh_b, stage, blk.launch_date, ASOF)
            fc = forecast.forecast_finish(cum, total=len(hh_b), asof=ASOF, deadline=blk.deadline, stage=stage)
            rows.append({"block_id": blk.block_id, **{c: getattr(fc, c) for c in metrics.FORECAST_COLUMNS[1:]}})
            path = forecast.forecast_path(cum, fc)
            if not path.empty:
                paths.append(pd.DataFrame({"block_id": blk.block_id, "stage": stage, "date": path["date"],
                                           **{f"rate_{p}": path[p] / len(hh_b) for p in ("p10", "p50", "p90")}}))
    bands = pd.concat(paths, ignore_index=True) if paths else pd.DataFrame(columns=metrics.FORECAST_PATH_COLUMNS)
    return pd.DataFrame(rows, columns=metrics.FORECAST_COLUMNS), bands[metrics.FORECAST_PATH_COLUMNS]


def _run(hh: pd.DataFrame, scenario: Scenario | None = None) -> scenarios.Answer:
    scenario = scenario or Scenario()
    return scenarios.run(hh, BLOCKS, ASOF, scenario, board=_plain_board(hh))


def _finish(answer: scenarios.Answer, block: str = "b1", stage: str = "sealed") -> tuple:
    row = answer.row(block, stage)
    return row["finish_p10"], row["finish_p50"], row["finish_p90"]


def _days(n: int) -> date:
    return ASOF + timedelta(days=n)


def test_a_steady_block_finishes_when_its_pace_says():
    answer = _run(_steady())
    assert _finish(answer) == (_days(30), _days(30), _days(30))  # 60 left at 2 a day


def test_a_doubled_pace_halves_the_remaining_days():
    answer = _run(_steady(), Scenario(paces=(Pace("b1", 2.0),)))
    assert _finish(answer) == (_days(15), _days(15), _days(15))
    assert answer.row("b1", "sealed")["pace"] == 4.0


def test_an_absolute_pace_of_three_a_day_takes_twenty_days():
    answer = _run(_steady(), Scenario(paces=(Pace("b1", 3.0, absolute=True),)))
    assert _finish(answer) == (_days(20), _days(20), _days(20))


def test_a_pace_change_from_a_later_day_only_speeds_the_days_after_it():
    # 10 days at 2 (20 closed), then 40 left at 4 a day: 10 more days.
    answer = _run(_steady(), Scenario(paces=(Pace("b1", 2.0, start=_days(11)),)))
    assert _finish(answer)[1] == _days(20)


def test_moving_a_finished_team_adds_exactly_its_measured_capacity():
    hh = _steady()
    assert scenarios.team_capacity(hh, "t9", "sealed", ASOF) == 1.0  # 14 sealed in its last 14 days
    assert scenarios.team_capacity(hh, "t1", "sealed", ASOF) is None  # t1 is not finished
    answer = _run(hh, Scenario(moves=(Move("b1", team="t9"),)))
    assert _finish(answer) == (_days(20), _days(20), _days(20))  # 60 left at 2 + 1 a day
    assert answer.row("b1", "sealed")["pace"] == 3.0
    assert [m.kind for m in answer.marks] == ["move"] and answer.marks[0].day == _days(1)


def test_moving_an_unfinished_team_is_ignored_and_said():
    answer = _run(_steady(), Scenario(moves=(Move("b2", team="t1"),)))
    assert answer.ignored == (("t1:b2", "not_finished"),)
    assert _finish(answer) == _finish(_run(_steady()))


def test_excluding_every_remaining_household_finishes_today():
    answer = _run(_steady("公产"), Scenario(excludes=(Exclude("own", "公产"),)))
    row = answer.row("b1", "sealed")
    assert row["status"] == "finished" and row["finished_on"] == ASOF
    assert (row["total"], row["remaining"], row["on_time"]) == (40, 0, 1.0)


def test_settling_the_remaining_households_on_a_day_finishes_that_day():
    answer = _run(_steady("公产"), Scenario(excludes=(Exclude("own", "公产", _days(5)),)))
    assert _finish(answer) == (_days(5), _days(5), _days(5))
    band = answer.paths[(answer.paths["block_id"] == "b1") & (answer.paths["stage"] == "sealed")]
    assert band["rate_p50"].tolist() == [0.4, 0.4, 0.4, 0.4, 0.4, 1.0]  # the curve jumps on the day


def test_holdouts_close_on_their_day_after_the_rest():
    # 50 forecast at 2 a day = 25 days; the last 10 close on day 40.
    answer = _run(_steady(), Scenario(holdouts=(Holdout("b1", 10, _days(40)),)))
    assert _finish(answer) == (_days(40), _days(40), _days(40))
    early = _run(_steady(), Scenario(holdouts=(Holdout("b1", 10, _days(3)),)))
    assert _finish(early) == (_days(25), _days(25), _days(25))


def test_probability_is_zero_or_one_at_the_extremes():
    late = _run(_steady(), Scenario(target=_days(29)))
    just = _run(_steady(), Scenario(target=_days(30)))
    assert late.row("b1", "sealed")["on_time"] == 0.0
    assert just.row("b1", "sealed")["on_time"] == 1.0
    assert just.row(scenarios.CAMPAIGN, "sealed")["on_time"] == 1.0  # b2 is finished


def test_the_needed_pace_is_what_closes_the_rest_by_the_target():
    answer = _run(_steady(), Scenario(target=_days(20)))
    row = answer.row("b1", "sealed")
    assert row["needed_pace"] == 3.0 and row["pace"] == 2.0  # 60 in 20 days, against 2 now
    held = _run(_steady(), Scenario(target=_days(20), holdouts=(Holdout("b1", 5, _days(25)),)))
    assert pd.isna(held.row("b1", "sealed")["needed_pace"])  # the holdouts close after the target


def test_no_change_is_the_baseline_forecast_exactly(demo_campaign):
    hh, blocks = demo_campaign.households, demo_campaign.blocks
    for asof in (date(2023, 10, 5), date(2023, 10, 20)):
        forecasts, paths = metrics.block_forecasts(hh, blocks, asof)
        for scenario in (Scenario(), Scenario(target=date(2023, 12, 1))):
            answer = scenarios.run(hh, blocks, asof, scenario)
            table = answer.table[answer.table["block_id"] != scenarios.CAMPAIGN].reset_index(drop=True)
            columns = ["block_id", "stage", "status", "done", "remaining", "finish_p10", "finish_p50", "finish_p90", "finished_on"]
            pd.testing.assert_frame_equal(table[columns], forecasts[columns])
            assert (table["pace"] == forecasts["pace_7d"]).all()
            pd.testing.assert_frame_equal(answer.paths, paths)


def test_an_untouched_block_is_reused_and_gives_the_same_answer(demo_campaign):
    hh, blocks, asof = demo_campaign.households, demo_campaign.blocks, date(2023, 10, 20)
    scenario = Scenario(paces=(Pace("zhuangyuan", 1.5),), target=date(2023, 11, 15))
    fresh = scenarios.run(hh, blocks, asof, scenario)
    reused = scenarios.run(hh, blocks, asof, scenario, reuse=scenarios.run(hh, blocks, asof))
    pd.testing.assert_frame_equal(fresh.table, reused.table)
    pd.testing.assert_frame_equal(fresh.paths, reused.paths)


def test_a_faster_pace_raises_the_probability_of_finishing_by_a_tight_target(demo_campaign):
    hh, blocks, asof = demo_campaign.households, demo_campaign.blocks, date(2023, 10, 20)
    # The target: the board's own median sealing day for 状元, so the baseline stands near one half.
    target = scenarios.run(hh, blocks, asof).row("zhuangyuan", "sealed")["finish_p50"]
    base = scenarios.run(hh, blocks, asof, Scenario(target=target)).row("zhuangyuan", "sealed")
    assert 0.3 < base["on_time"] < 0.95  # whole days: the median day itself holds more than half
    fast = scenarios.run(hh, blocks, asof, Scenario(paces=(Pace("zhuangyuan", 1.5),), target=target)).row("zhuangyuan", "sealed")
    assert fast["on_time"] > base["on_time"]
    assert fast["finish_p50"] < base["finish_p50"]


# ------------------------------------------------------------------ the link codec

BLOCK_IDS = ("b1", "b2", "zhuangyuan")
TEAM_IDS = ("t9", "nz-xingang")


def _parse(params):
    return scenarios.parse_params(params, blocks=BLOCK_IDS, teams=TEAM_IDS)


def test_a_full_link_parses_to_its_levers():
    scenario, dropped = _parse({
        "pace.zhuangyuan": ["1.5"], "pace.b1": ["4/d@2023-10-25"], "move": ["nz-xingang:zhuangyuan@2023-10-22", "3:b1"],
        "exclude": ["own:单位产-央企", "ptype:非住宅@2023-11-01"], "holdout": ["b2:5@2023-12-10"], "target": ["2023-12-01"],
    })
    assert dropped == []
    assert scenario.paces == (Pace("b1", 4.0, True, date(2023, 10, 25)), Pace("zhuangyuan", 1.5))
    assert scenario.moves == (Move("zhuangyuan", team="nz-xingang", start=date(2023, 10, 22)), Move("b1", capacity=3.0))
    assert scenario.excludes == (Exclude("own", "单位产-央企"), Exclude("ptype", "非住宅", date(2023, 11, 1)))
    assert scenario.holdouts == (Holdout("b2", 5, date(2023, 12, 10)),)
    assert scenario.target == date(2023, 12, 1)


def test_malformed_values_are_dropped_and_named_never_raised():
    scenario, dropped = _parse({
        "pace.nowhere": ["1.5"], "pace.b1": ["fast", "-2", "25"], "move": ["ghost:b1", "t9:nowhere", "t9"],
        "exclude": ["own:外星产", "colour:red", "own:私产@2023-13-01"], "holdout": ["b1:0@2023-12-01", "b1:5"],
        "target": ["next week"],
    })
    assert scenario == Scenario()
    assert dropped == [
        ("pace.nowhere", "1.5"), ("pace.b1", "fast"), ("pace.b1", "-2"), ("pace.b1", "25"),
        ("move", "ghost:b1"), ("move", "t9:nowhere"), ("move", "t9"),
        ("exclude", "own:外星产"), ("exclude", "colour:red"), ("exclude", "own:私产@2023-13-01"),
        ("holdout", "b1:0@2023-12-01"), ("holdout", "b1:5"), ("target", "next week"),
    ]


_days_st = st.dates(min_value=date(2023, 1, 1), max_value=date(2024, 12, 31))
_opt_day = st.none() | _days_st
_value = st.decimals(min_value=0, max_value=20, places=2).map(float)
_paces = st.dictionaries(st.sampled_from(BLOCK_IDS), st.tuples(_value, st.booleans(), _opt_day), max_size=3)
_moves = st.lists(st.builds(Move, st.sampled_from(BLOCK_IDS), team=st.sampled_from(TEAM_IDS), start=_opt_day)
                  | st.builds(Move, st.sampled_from(BLOCK_IDS), capacity=st.decimals(min_value="0.1", max_value=50, places=1).map(float), start=_opt_day),
                  max_size=3, unique=True)
_excludes = st.lists(st.builds(Exclude, st.just("own"), st.sampled_from(scenarios.schema.OWNERSHIPS), _opt_day)
                     | st.builds(Exclude, st.just("team"), st.sampled_from(TEAM_IDS), _opt_day), max_size=3, unique=True)
_holdouts = st.lists(st.builds(Holdout, st.sampled_from(BLOCK_IDS), st.integers(1, 500), _days_st), max_size=3, unique=True)


@given(_paces, _moves, _excludes, _holdouts, _opt_day)
def test_the_link_round_trips_every_scenario(paces, moves, excludes, holdouts, target):
    scenario = Scenario(
        paces=tuple(Pace(b, v, a, d) for b, (v, a, d) in sorted(paces.items(), key=lambda kv: BLOCK_IDS.index(kv[0]))),
        moves=tuple(moves), excludes=tuple(excludes), holdouts=tuple(holdouts), target=target,
    )
    params = scenarios.to_params(scenario)
    assert all(scenarios.is_lever_param(name) for name in params)
    assert _parse(params) == (scenario, [])


def test_finish_samples_follow_the_engine_paths():
    answer = _run(_steady())
    sample = answer.runs["b1"].stages["sealed"].sample
    assert np.all(sample == 30)


def test_a_scenario_keeps_the_boards_correction_of_the_simulation():
    """The board may calibrate the simulated dates; a scenario scales its own simulated days by the same ratio."""
    hh = _steady()
    forecasts, paths = metrics.block_forecasts(hh, BLOCKS, ASOF)
    board = forecasts.copy()
    b1 = board["block_id"] == "b1"  # both stages: sealing is held not before signing
    board.loc[b1, ["finish_p10", "finish_p50", "finish_p90"]] = [[_days(20), _days(40), _days(60)]] * 2  # raw: 30 days
    base = scenarios.run(hh, BLOCKS, ASOF, board=(board, paths))
    assert _finish(base) == (_days(20), _days(40), _days(60))  # the board's row, as it is
    fast = scenarios.run(hh, BLOCKS, ASOF, Scenario(paces=(Pace("b1", 2.0),)), board=(board, paths))
    assert _finish(fast) == (_days(10), _days(20), _days(30))  # raw 15 days, × 20/30, 40/30, 60/30
    sample = fast.runs["b1"].stages["sealed"].sample
    assert (sample.min(), sample.max()) == (10, 30)  # the paths spread as the band
    assert 0.45 < np.mean(sample <= 20) < 0.55


def test_identity_levers_are_the_baseline_exactly(demo_campaign):
    hh, blocks, asof = demo_campaign.households, demo_campaign.blocks, date(2023, 10, 20)
    base = scenarios.run(hh, blocks, asof)
    same = scenarios.run(hh, blocks, asof, Scenario(paces=(Pace("zhuangyuan", 1.0),), moves=(Move("zhuangyuan", capacity=0.0),)))
    pd.testing.assert_frame_equal(base.table, same.table)
    pd.testing.assert_frame_equal(base.paths, same.paths)
