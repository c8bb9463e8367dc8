"""The team board (工作组排行) on tiny hand-made ledgers: scores, ranks, ties,
rank change, days since the last gain and the laggard rules, exactly."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import metrics, schema
from lib.metrics import Scoring

BLOCKS = pd.DataFrame({
    "block_id": ["A", "B"],
    "name": ["甲地块", "乙地块"],
    "launch_date": [date(2024, 1, 1), date(2024, 1, 10)],
})
TEAMS = pd.DataFrame({
    "team_id": ["a1", "a2", "a3", "a4", "b1", "idle"],
    "name": ["甲一组", "甲二组", "甲三组", "甲四组", "乙一组", "无户组"],
    "organisation": ["街道", "社区", "城投", "部门", "街道", "部门"],
    "kind": ["工作组"] * 6,
    "block_id": ["A", "A", "A", "A", "B", "B"],
})


def _ledger(rows: list[tuple]) -> pd.DataFrame:
    """(household_id, block, team, sealed day or None[, property type, {stage: day}])."""
    records = []
    for hid, block, team, sealed, *rest in rows:
        ptype = rest[0] if rest else "住宅"
        extra = rest[1] if len(rest) > 1 else {}
        dates = {f"date_{s}": pd.NaT for s in schema.STAGES}
        if sealed:
            dates["date_signed"] = dates["date_sealed"] = pd.Timestamp(sealed)
        dates.update({f"date_{s}": pd.Timestamp(d) for s, d in extra.items()})
        records.append({"household_id": hid, "block_id": block, "team_id": team, "address": f"{hid}号",
                        "property_type": ptype, "ownership": "私产", "owner_name": "陈月兰", "flags": "", **dates})
    return pd.DataFrame(records)


# Block A launched 2024-01-01, so 2024-01-20 is its day 20; block B launched 01-10.
HH = _ledger([
    ("a1-1", "A", "a1", "2024-01-05"), ("a1-2", "A", "a1", "2024-01-06"),
    ("a1-3", "A", "a1", "2024-01-08"), ("a1-4", "A", "a1", "2024-01-10"),   # finished on day 10
    ("a2-1", "A", "a2", "2024-01-03"), ("a2-2", "A", "a2", "2024-01-19"),
    ("a2-3", "A", "a2", "2024-01-20"), ("a2-4", "A", "a2", None, "杂物间"),   # 3/4, +1 today, +2 in 7 days
    ("a3-1", "A", "a3", "2024-01-02"), ("a3-2", "A", "a3", "2024-01-04"),
    ("a3-3", "A", "a3", "2024-01-16"), ("a3-4", "A", "a3", None),            # 3/4, last gain 4 days ago
    ("a4-1", "A", "a4", "2024-01-02"), ("a4-2", "A", "a4", None, "住宅", {"surveyed": "2024-01-03", "appraised": "2024-01-10"}),
    ("a4-3", "A", "a4", None), ("a4-4", "A", "a4", None),                    # 1/4 since day 2
    ("b1-1", "B", "b1", "2024-01-15"), ("b1-2", "B", "b1", None),
    ("x-1", "B", None, "2024-01-15"),                                         # no team: not on the board
])
ASOF = date(2024, 1, 20)


def _board(asof: date = ASOF, **kw) -> pd.DataFrame:
    return metrics.team_board(HH, TEAMS, BLOCKS, asof, **kw).set_index("team_id")


def test_board_counts_rates_and_gains():
    b = _board()
    assert list(b.index) == ["a1", "a2", "a3", "b1", "a4"]  # best first; "idle" has no households
    assert b.loc["a2", ["assigned", "signed", "sealed", "remaining", "gain_today", "gain_7d"]].tolist() == [4, 3, 3, 1, 1, 2]
    assert b.loc["a2", "sealed_rate"] == 0.75 and b.loc["a2", "score"] == 75.0
    assert b.loc["a3", "gain_7d"] == 1 and b.loc["a3", "last_gain"] == date(2024, 1, 16)
    assert b.loc["a1", "block"] == "甲地块" and b.loc["a1", "team"] == "甲一组" and b.loc["a1", "day_n"] == 20
    assert b.loc["b1", "day_n"] == 11
    assert b.loc["a4", "block_rate"] == 11 / 16  # the block's own sealing rate, all its households
    assert b.loc["a4", "rate_gap"] == 43.75


def test_ranks_by_score_then_seven_day_gain():
    b = _board()
    assert b["rank"].to_dict() == {"a1": 1, "a2": 2, "a3": 3, "b1": 4, "a4": 5}  # a2 and a3 both 75 %: a2 gained more


def test_competition_ranks_share_a_place_and_skip_the_next():
    none = pd.Series([pd.NA] * 4, dtype="Int64")
    ranks = metrics.rank_teams(pd.Series([50.0, 60.0, 60.0, 40.0]), none, pd.Series([0, 3, 3, 9]))
    assert ranks.tolist() == [3, 1, 1, 4]


def test_finish_day_breaks_ties_between_finished_teams():
    ranks = metrics.rank_teams(pd.Series([100.0, 100.0, 100.0, 100.0]),
                               pd.Series([33, 13, 33, pd.NA], dtype="Int64"), pd.Series([0, 0, 0, 9]))
    assert ranks.tolist() == [2, 1, 2, 4]  # fewer days first; an unfinished 100 % is impossible but sorts last


def test_score_ties_at_two_decimals():
    # 2/3 and 0.666666 are the same score as shown, so the same place
    score = metrics.team_score(pd.Series([2 / 3, 0.666666]), pd.Series([0.0, 0.0]), pd.Series([0.0, 0.0]))
    assert score.tolist() == [66.67, 66.67]


def test_rank_change_against_the_previous_day():
    # 01-19: a1 1st, a3 2nd (75 %), a2 and b1 share 3rd (50 %, one sealed in 7 days each), a4 5th;
    # on 01-20 a2 overtakes a3 and b1 is left alone in 4th.
    yesterday = _board(date(2024, 1, 19))
    assert yesterday["rank"].to_dict() == {"a1": 1, "a3": 2, "a2": 3, "b1": 3, "a4": 5}
    change = _board()["rank_change"].to_dict()
    assert change == {"a1": 0, "a2": 1, "a3": -1, "b1": -1, "a4": 0}


def test_days_since_last_gain():
    b = _board()
    assert pd.isna(b.loc["a1", "days_since_gain"])  # finished: nothing left to gain
    assert b["days_since_gain"].drop("a1").to_dict() == {"a2": 0, "a3": 4, "b1": 5, "a4": 18}


def test_days_since_gain_counts_from_launch_when_nothing_sealed_yet():
    hh = _ledger([("n-1", "B", "b1", None)])
    b = metrics.team_board(hh, TEAMS, BLOCKS, date(2024, 1, 12)).set_index("team_id")
    assert b.loc["b1", "days_since_gain"] == 3  # day 3 of block B, nothing sealed


def test_laggards_stalled_and_below_block_with_reasons():
    b = _board()
    assert b["laggard"].to_dict() == {"a1": False, "a2": False, "a3": True, "b1": True, "a4": True}
    assert b.loc["a3", "laggard_reasons"] == "stalled"
    # block B's rate counts its team-less household too: 2/3 against b1's 1/2, 16.67 points
    assert b.loc["b1", "laggard_reasons"] == "stalled|below_block" and b.loc["b1", "rate_gap"] == pytest.approx(100 / 6)  # unrounded
    assert b.loc["a4", "laggard_reasons"] == "stalled|below_block"
    assert b.loc["a2", "laggard_reasons"] == ""


def test_stall_threshold_is_inclusive():
    assert bool(_board(scoring=Scoring(stall_days=4)).loc["a3", "laggard"]) is True   # 4 days without a gain
    assert bool(_board(scoring=Scoring(stall_days=5)).loc["a3", "laggard"]) is False


def test_gap_must_be_more_than_the_threshold():
    assert _board(scoring=Scoring(gap_points=43.75)).loc["a4", "laggard_reasons"] == "stalled"
    assert _board(scoring=Scoring(gap_points=43.74)).loc["a4", "laggard_reasons"] == "stalled|below_block"


def test_no_stall_flag_in_a_blocks_first_week():
    # 01-05 is block A's day 5: a4 has not sealed for 3 days, but sealing has barely started.
    b = _board(date(2024, 1, 5))
    assert not b["laggard"].any()
    assert "stalled" in _board(date(2024, 1, 8)).loc["a4", "laggard_reasons"]  # day 8, 6 days without


def test_finished_team_keeps_its_finish_day_and_is_never_a_laggard():
    b = _board()
    assert b.loc["a1", "finish_date"] == date(2024, 1, 10)
    assert b.loc["a1", "finish_day"] == 10
    assert not b.loc["a1", "laggard"]
    assert b["finish_day"].isna().sum() == 4


def test_team_of_a_block_not_yet_launched_is_not_judged():
    b = _board(date(2024, 1, 5))
    assert b.loc["b1", "day_n"] == -4
    assert pd.isna(b.loc["b1", "days_since_gain"]) and not b.loc["b1", "laggard"]


def test_scope_blocks_keep_campaign_ranks():
    b = _board(scope={"blocks": ("B",)})
    assert list(b.index) == ["b1"] and b.loc["b1", "rank"] == 4
    assert _board(scope={"teams": ("a3", "a4")})["rank"].to_dict() == {"a3": 3, "a4": 5}


def test_scope_property_type_changes_what_is_scored():
    b = _board(scope={"ptypes": ("住宅",)})  # a2's only unsealed household is a 杂物间
    assert b.loc["a2", ["assigned", "sealed"]].tolist() == [3, 3]
    assert b.loc["a2", "finish_day"] == 20 and b.loc["a2", "rank"] == 2


def test_weights_change_the_score():
    signed_too = Scoring(sealed=1, signed=1)
    hh = HH.copy()
    hh.loc[hh["household_id"] == "a3-4", "date_signed"] = pd.Timestamp("2024-01-18")
    b = metrics.team_board(hh, TEAMS, BLOCKS, ASOF, scoring=signed_too).set_index("team_id")
    assert b.loc["a3", "score"] == 87.5  # 100 × (0.75 + 1.0) / 2
    assert b.loc["a3", "rank"] == 2 and b.loc["a2", "rank"] == 3


def test_empty_board_keeps_its_columns():
    b = metrics.team_board(HH.iloc[:0], TEAMS, BLOCKS, ASOF)
    assert b.empty and list(b.columns) == metrics.TEAM_BOARD_COLUMNS
    assert metrics.team_board(HH, TEAMS, BLOCKS, ASOF, scope={"teams": ("idle",)}).empty


def test_board_does_not_mutate_its_inputs():
    before = HH.copy()
    metrics.team_board(HH, TEAMS, BLOCKS, ASOF)
    pd.testing.assert_frame_equal(HH, before)


def test_scoring_from_config():
    assert Scoring.from_config(None) == metrics.DEFAULT_SCORING
    s = Scoring.from_config({"sealed": 0.7, "signed": 0.3, "stall_days": 5})
    assert (s.sealed, s.signed, s.recent, s.stall_days, s.gap_points) == (0.7, 0.3, 0.0, 5, 15.0)
    assert not s.is_sealing_rate and metrics.DEFAULT_SCORING.is_sealing_rate


@pytest.mark.parametrize(("config", "message"), [
    ({"speed": 1}, "unknown scoring setting 'speed'"),
    ({"sealed": -1}, r"scoring.sealed must be a number ≥ 0, got -1"),
    ({"signed": "lots"}, r"scoring.signed must be a number ≥ 0, got 'lots'"),
    ({"sealed": 0}, "must be more than 0"),
    ({"stall_days": 0}, r"scoring.stall_days must be a whole number ≥ 1, got 0"),
    ({"stall_days": 2.5}, r"scoring.stall_days must be a whole number ≥ 1, got 2.5"),
    ({"gap_points": 0}, r"scoring.gap_points must be a number in \(0, 100\], got 0"),
])
def test_bad_scoring_names_the_value(config, message):
    with pytest.raises(ValueError, match=message):
        Scoring.from_config(config)


def test_days_outstanding_since_the_last_move():
    waiting = metrics.days_outstanding(HH, BLOCKS, ASOF).set_axis(HH["household_id"])
    assert waiting["a4-2"] == 10   # appraised on 01-10
    assert waiting["a4-3"] == 19   # nothing yet: since block A's launch on 01-01
    assert waiting["b1-2"] == 10   # block B launched 01-10
    assert pd.isna(waiting["a1-1"])  # sealed: not outstanding
    early = metrics.days_outstanding(HH, BLOCKS, date(2024, 1, 5)).set_axis(HH["household_id"])
    assert pd.isna(early["b1-2"])  # its block has not launched


def test_team_remaining_longest_waiting_first():
    left = metrics.team_remaining(HH, BLOCKS, "a4", ASOF)
    assert left["household_id"].tolist() == ["a4-3", "a4-4", "a4-2"]
    assert left["days_outstanding"].tolist() == [19, 19, 10]
    assert left["stage"].tolist() == ["not_surveyed", "not_surveyed", "appraised"]
    assert list(left.columns) == metrics.TEAM_REMAINING_COLUMNS
    assert metrics.team_remaining(HH, BLOCKS, "a1", ASOF).empty
