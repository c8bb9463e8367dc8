"""Issue 12's definition defects, each with its exact value: rounding, pace, 未启动, whose day N, ranking."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pandas as pd
import pytest

from lib import forecast, metrics
from lib.figures import overview, progress, teams
from lib.i18n import pct, round_half_up

ARTICLE_DAY = date(2023, 11, 7)


# --- rounding: half up, once -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [(0.125, 2, "0.13"), (3.125, 2, "3.13"), (2.5, 0, "3"), (20.547, 1, "20.5"), (20.55, 1, "20.6"), (0.0, 2, "0.00")],
)
def test_round_half_up(value: float, digits: int, text: str) -> None:
    assert round_half_up(value, digits) == text


def test_a_one_in_32_rate_reads_3_13_percent() -> None:
    assert pct(1 / 32) == "3.13%"  # half-to-even formatting said 3.12%
    assert pct(234 / 250) == "93.60%" and pct(169 / 170) == "99.41%"


def test_paces_round_half_up() -> None:
    assert overview._pace(0.125) == "0.13"
    assert progress._pair(0.125, 1.25, "已超期") == "0.13 / 1.25"


def test_a_laggards_gap_is_rounded_once() -> None:
    assert teams._gap_text(20.547) == "20.5"  # rounded to 20.55 first, it read "20.6"
    assert "20.5" in teams.laggard_reason("below_block", None, 20.547, "zh")


def test_the_board_keeps_the_gap_unrounded(demo_campaign) -> None:
    board = metrics.team_board(demo_campaign.households, demo_campaign.teams, demo_campaign.blocks, date(2023, 10, 10))
    gaps = board["rate_gap"].dropna()
    assert (gaps != gaps.round(2)).any()


# --- pace: one definition ----------------------------------------------------------


def test_a_young_blocks_pace_averages_over_the_days_since_its_launch(demo_campaign) -> None:
    asof = date(2023, 9, 20)  # 雁塔二's day 5
    hh = demo_campaign.households[demo_campaign.households["block_id"] == "yanta-2"]
    launch = date(2023, 9, 16)
    assert metrics.pace_window(launch, asof) == 5
    gained = metrics.gained_between(hh, "signed", launch, asof)
    expected = gained / 5
    assert metrics.pace(hh, "signed", asof, launch) == expected
    table = metrics.block_table(demo_campaign.households, demo_campaign.blocks, asof).set_index("block_id")
    assert table.loc["yanta-2", "pace_signed"] == expected
    cum = metrics.cumulative_by_day(hh, "signed", launch, asof)
    fc = forecast.forecast_finish(cum, total=len(hh), asof=asof, deadline=launch + timedelta(days=99), stage="signed")
    assert fc.pace_7d == expected


def test_an_older_blocks_pace_is_over_seven_days() -> None:
    assert metrics.pace_window(date(2023, 9, 16), date(2023, 11, 7)) == 7
    assert metrics.pace_window(None, date(2023, 11, 7)) == 7


# --- not launched: 未启动, never day 0 or below ---------------------------------------


def test_a_block_not_yet_launched_shows_its_launch_date(demo_campaign) -> None:
    asof = date(2023, 9, 20)  # 汽车南站 launches 09-21 (it would be day 0), 状元 09-26 (day -5)
    table = metrics.block_table(demo_campaign.households, demo_campaign.blocks, asof)
    forecasts, _ = metrics.block_forecasts(demo_campaign.households, demo_campaign.blocks, asof, n_sims=200)
    for html in (overview.block_table_html(table, forecasts, asof, "zh"), progress.forecast_table_html(table, forecasts, asof, "zh")):
        assert "第 0 天" not in html and "第 -" not in html
        assert "未启动 · 09-21 启动" in html and "未启动 · 09-26 启动" in html


def test_kpi_tiles_before_the_scopes_launch_say_not_started(demo_campaign) -> None:
    hh = demo_campaign.households[demo_campaign.households["block_id"] == "zhuangyuan"]
    k = metrics.campaign_kpis(hh, demo_campaign.blocks, date(2023, 9, 20))
    assert not k.started
    tiles = {label: (value, sub) for label, value, sub, _ in overview.kpi_tiles(k, "zh")}
    assert tiles["攻坚天数"] == ("未启动", "2023-09-26 启动")
    assert tiles["剩余天数"][0] == "—"


# --- whose day N ---------------------------------------------------------------------


def test_one_block_in_scope_counts_from_its_own_launch(demo_campaign) -> None:
    hh = demo_campaign.households[demo_campaign.households["block_id"] == "zhuangyuan"]
    k = metrics.campaign_kpis(hh, demo_campaign.blocks, ARTICLE_DAY)
    assert (k.day_n, k.days_left, k.deadline, k.single_block) == (43, 57, date(2024, 1, 3), True)
    tiles = {label: (value, sub) for label, value, sub, _ in overview.kpi_tiles(k, "zh")}
    assert tiles["攻坚天数"] == ("第 43 天", "/ 100")
    assert tiles["剩余天数"][0] == "57"


def test_several_blocks_count_from_the_earliest_launch_and_say_so(demo_campaign) -> None:
    k = metrics.campaign_kpis(demo_campaign.households, demo_campaign.blocks, ARTICLE_DAY)
    assert (k.day_n, k.days_left, k.launch, k.single_block) == (53, 47, date(2023, 9, 16), False)
    tiles = {label: (value, sub) for label, value, sub, _ in overview.kpi_tiles(k, "zh")}
    assert tiles["攻坚天数"] == ("第 53 天", "/ 100 · 按最早启动 2023-09-16 计")


# --- ranking -------------------------------------------------------------------------


def test_a_finished_team_keeps_its_place_while_nothing_happens(demo_campaign) -> None:
    board = metrics.team_board(demo_campaign.households, demo_campaign.teams, demo_campaign.blocks, ARTICLE_DAY)
    row = board.set_index("team").loc["城投集团征迁五组"]
    assert row["rank_change"] == 0  # it was ▼1 when its finishing days left the 7-day window
    assert row["rank"] == 10 and row["finish_day"] == 41


def test_the_7_day_gain_breaks_ties_only_between_unfinished_teams() -> None:
    score = pd.Series([100.0, 100.0, 50.0, 50.0], index=["f1", "f2", "u1", "u2"])
    finish = pd.Series([30, 30, None, None], index=score.index, dtype="Int64")
    gain = pd.Series([0, 5, 1, 4], index=score.index)
    assert metrics.rank_teams(score, finish, gain).to_dict() == {"f1": 1, "f2": 1, "u1": 4, "u2": 3}


# --- one forecast, shown the same way everywhere -------------------------------------


def _fc(**kw: object) -> SimpleNamespace:
    base = {"status": "late", "finish_p10": None, "finish_p50": None, "finish_p90": None, "finished_on": None}
    return SimpleNamespace(**{**base, **kw})


def test_beyond_the_horizon_every_quantile_reads_the_same_words() -> None:
    cell = progress._finish_cell(_fc(), date(2023, 12, 24), ARTICLE_DAY, "zh")
    assert "…" not in cell and cell.count("一年以上") == 2  # P50 and the band
    cell = progress._finish_cell(_fc(finish_p10=date(2023, 12, 1)), date(2023, 12, 24), ARTICLE_DAY, "zh")
    assert "12-01–一年以上" in cell


def test_sealing_is_never_dated_before_signing_and_stalled_never_has_a_date(demo_campaign) -> None:
    for asof in (date(2023, 9, 25), date(2023, 10, 5), date(2023, 10, 15), date(2023, 10, 24)):
        forecasts, _ = metrics.block_forecasts(demo_campaign.households, demo_campaign.blocks, asof, n_sims=300)
        rows = forecasts.set_index(["block_id", "stage"])
        for block in forecasts["block_id"].unique():
            signed, sealed = rows.loc[(block, "signed")], rows.loc[(block, "sealed")]
            for p in ("finish_p10", "finish_p50", "finish_p90"):
                if sealed[p] is not None and signed[p] is not None:
                    assert sealed[p] >= signed[p], (asof, block, p)
            if signed["status"] == "stalled":
                assert sealed["status"] in ("stalled", "finished"), (asof, block)
        for row in forecasts.itertuples(index=False):
            if row.status in ("stalled", "no_data", "finished"):
                assert row.finish_p10 is row.finish_p50 is row.finish_p90 is None
            if row.status == "late":
                assert row.finish_p50 is None or row.finish_p50 > row.finish_p10 - timedelta(days=1)


def test_a_stalled_signing_flags_the_block_stalled_with_no_date_beside_it(demo_campaign) -> None:
    asof = date(2023, 10, 24)  # 连江中路: no signing for over a week, finished on 10-27
    table = metrics.block_table(demo_campaign.households, demo_campaign.blocks, asof)
    forecasts, _ = metrics.block_forecasts(demo_campaign.households, demo_campaign.blocks, asof, n_sims=300)
    rows = forecasts[forecasts["block_id"] == "hongxing"].set_index("stage")
    assert rows["status"].tolist() == ["stalled", "stalled"]
    assert metrics.block_outlooks(table, forecasts)["hongxing"] == "stalled"
    html = progress.forecast_table_html(table, forecasts, asof, "zh")
    row = html.split("连江中路")[1].split("</tr>")[0]
    assert "一年以上" not in row and row.count("近7日无进展") == 2


def test_outlook_labels_are_the_documented_set() -> None:
    assert set(metrics.OUTLOOKS) == {"late", "stalled", "at_risk", "no_data", "on_track", "finished", "not_started"}
    assert metrics.outlook(["stalled", "late"]) == "late"
