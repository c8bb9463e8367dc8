"""Same numbers as the board: for several days and scopes every figure of the brief equals
what the overview, progress and teams views compute (lib.web.views), and the brief shows
them with the board's formatting."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import brief, metrics
from lib.brief import render
from lib.figures import teams
from lib.i18n import pct
from lib.web import views

DAYS = [date(2023, 9, 20), date(2023, 10, 10), date(2023, 10, 18), date(2023, 11, 7)]
SCOPES = [
    {},
    {"blocks": ("zhuangyuan",)},
    {"blocks": ("yanta-2", "south-bus")},
    {"ptypes": ("住宅",)},
    {"teams": ("nz-xingang", "zy-ninghua-1")},
]


def _scope(scope: dict) -> views.Scope:
    return tuple(brief.normalise_scope(scope).items())


@pytest.mark.parametrize("asof", DAYS)
@pytest.mark.parametrize("scope", SCOPES, ids=["all", "zhuangyuan", "two-blocks", "residential", "teams"])
def test_every_figure_equals_the_boards(demo_db_url, demo_campaign, asof, scope):
    version = demo_campaign.data_version
    key = views.ViewKey(demo_db_url, version, asof, _scope(scope))
    overview = views._block_view(key)
    curves = views._curves_view(key)
    board = views._team_view(key, metrics.DEFAULT_SCORING).board
    b = brief.brief_data(demo_campaign, asof, scope)

    assert b.households == overview.households
    assert b.headline.kpis == overview.kpis
    outlooks = metrics.block_outlooks(overview.table, overview.forecasts)
    sealed = overview.forecasts[overview.forecasts["stage"] == "sealed"].set_index("block_id")
    assert [x.block_id for x in b.blocks] == list(overview.table["block_id"])
    for line, row in zip(b.blocks, overview.table.itertuples(index=False), strict=True):
        for col in ("day_n", "days_left", "households", "signed", "sealed", "signed_rate", "sealed_rate",
                    "signed_today", "sealed_today"):
            assert getattr(line, col) == getattr(row, col), col
        assert line.double_full_day == (None if pd.isna(row.double_full_day) else int(row.double_full_day))
        assert line.outlook == outlooks[row.block_id]
        if row.block_id in sealed.index:
            assert line.finish_p50 == sealed.loc[row.block_id, "finish_p50"]
            assert line.finished_on == sealed.loc[row.block_id, "finished_on"]
    pd.testing.assert_frame_equal(b.curves, curves.daily)
    pd.testing.assert_frame_equal(b.board, board)
    assert [r.team_id for r in b.top] == list(board["team_id"].head(3))
    assert [r.team_id for r in b.laggards] == list(board.loc[board["laggard"], "team_id"])

    text = render.brief_text(b)
    for row in overview.table.itertuples(index=False):
        assert f"{row.name}：签约率 {pct(row.signed_rate)} · 封房率 {pct(row.sealed_rate)}" in text
    for r in board[board["laggard"]].itertuples(index=False):
        reason = teams.laggard_reason(r.laggard_reasons, r.days_since_gain, r.rate_gap, "zh")
        assert f"{r.rank}. {r.team} {pct(r.sealed_rate)}：{reason}" in text
