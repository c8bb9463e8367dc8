"""lib.figures.teams: the wall leaderboard's pages and dwell, full names, and the desk's drill-down links."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from lib import metrics
from lib.figures import teams


def test_screen_pages_split_the_board_into_pages_of_at_most_twelve():
    assert teams.SCREEN_ROWS_PER_PAGE == 12 and teams.SCREEN_PAGE_SECONDS == 12
    assert [teams.screen_pages(n) for n in (0, 1, 12, 13, 18, 24, 25)] == [1, 1, 1, 2, 2, 2, 3]
    assert teams.screen_pages(18, rows_per_page=9) == 2 and teams.screen_pages(19, rows_per_page=9) == 3


def test_screen_dwell_is_long_enough_to_show_every_page_once():
    assert teams.screen_dwell(12) == 12
    assert teams.screen_dwell(18) == 24
    assert teams.screen_dwell(25) == 36


def test_screen_pages_name_a_bad_count():
    with pytest.raises(ValueError, match="n_rows must be 0 or more, got -1"):
        teams.screen_pages(-1)
    with pytest.raises(ValueError, match="rows_per_page must be 1 or more, got 0"):
        teams.screen_pages(5, rows_per_page=0)


BLOCKS = pd.DataFrame({"block_id": ["A"], "name": ["汽车南站及周边地块"], "launch_date": [date(2024, 1, 1)]})
NAMES = [f"宁化街道征迁工作组{i}组" for i in range(1, 14)]
TEAMS = pd.DataFrame({
    "team_id": [f"t{i}" for i in range(1, 14)], "name": NAMES, "organisation": ["街道"] * 13,
    "kind": ["工作组"] * 13, "block_id": ["A"] * 13,
})


def _board() -> pd.DataFrame:
    """13 teams of one household each: t1..t12 sealed on successive days, t13 not at all."""
    rows = []
    for i in range(1, 14):
        sealed = pd.Timestamp(date(2024, 1, i)) if i < 13 else pd.NaT
        rows.append({"household_id": f"h{i}", "block_id": "A", "team_id": f"t{i}", "address": "", "property_type": "住宅",
                     "ownership": "私产", "owner_name": "陈月兰", "flags": "", "date_surveyed": pd.NaT,
                     "date_appraised": pd.NaT, "date_signed": sealed, "date_sealed": sealed, "date_handed_over": pd.NaT,
                     "date_demolished": pd.NaT})
    return metrics.team_board(pd.DataFrame(rows), TEAMS, BLOCKS, date(2024, 1, 20))


def test_the_wall_board_pages_evenly_and_every_name_is_whole():
    html = teams.team_leaderboard_html(_board(), "en", screen=True)
    assert 'data-pages="2"' in html and html.count('<div class="cb-page"') == 2
    assert html.count("page 1 of 2 · ranks 1–7") == 1 and "page 2 of 2 · ranks 8–13" in html
    assert "animation:cb-cycle-2 24s linear 12s infinite" in html  # page 2 comes after 12 s, every 24 s
    for name in NAMES:  # written out whole, and no CSS may cut it
        assert f">{name}<" in html
    team_rule = re.search(r"td\.team \{([^}]*)\}", html).group(1)
    assert "ellipsis" not in team_rule and "max-width" not in team_rule and "overflow" not in team_rule
    assert '<th class="status opt"' in html  # the status column stays on the wall
    assert "汽车南站及周边地块" in re.search(r'<td class="block opt"><span title="([^"]*)"', html).group(1)


def test_a_short_wall_board_is_one_page_that_fills_the_screen():
    html = teams.team_leaderboard_html(_board().head(5), "zh", screen=True)
    assert 'data-pages="1"' in html and "animation" not in html
    assert f"min-height: {teams.SCREEN_BOARD_HEIGHT}" in html


def test_a_desk_row_links_to_its_teams_drill_down_keeping_the_link():
    html = teams.team_leaderboard_html(_board(), "zh", focus_query="asof=2024-01-20&block=A")
    assert html.count('class="cb-row-link"') == 13
    assert '<a class="cb-row-link" href="?asof=2024-01-20&amp;block=A&amp;focus=t13" target="_self">宁化街道征迁工作组13组</a>' in html
    assert 'class="cb-row-link"' not in teams.team_leaderboard_html(_board(), "zh")
    assert 'class="cb-row-link"' not in teams.team_leaderboard_html(_board(), "zh", screen=True, focus_query="asof=2024-01-20")
