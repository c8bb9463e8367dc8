"""The demo campaign reproduces the source article (2023-11-07) exactly."""

from __future__ import annotations

from datetime import date

import pytest

from lib import demo, metrics

ARTICLE_DAY = date(2023, 11, 7)


@pytest.fixture(scope="module")
def table(demo_campaign):
    return metrics.block_table(demo_campaign.households, demo_campaign.blocks, ARTICLE_DAY).set_index("block_id")


def test_zhuangyuan_sealed_93_60(table):
    row = table.loc["zhuangyuan"]
    assert (row["households"], row["sealed"]) == (250, 234)
    assert f"{row['sealed_rate'] * 100:.2f}" == "93.60"


def test_south_bus_station_sealed_99_41(table):
    row = table.loc["south-bus"]
    assert (row["households"], row["sealed"]) == (170, 169)
    assert f"{row['sealed_rate'] * 100:.2f}" == "99.41"


def test_yanta_2_double_100_first_on_day_33(table):
    row = table.loc["yanta-2"]
    assert row["signed_rate"] == 1.0 and row["sealed_rate"] == 1.0
    assert row["signed_full_day"] == 33 and row["sealed_full_day"] == 33


def test_hongxing_signed_and_sealed_100(table):
    assert table.loc["hongxing", "signed_rate"] == 1.0
    assert table.loc["hongxing", "sealed_rate"] == 1.0


def test_xingang_group_sealed_73_households_on_its_day_13(demo_campaign):
    full = metrics.team_full_days(demo_campaign.households, demo_campaign.teams, demo_campaign.blocks, ARTICLE_DAY)
    row = full.set_index("team_id").loc[demo.XINGANG_TEAM]
    assert (row["households"], row["day_n"]) == (73, 13)
    assert row["full_date"] == date(2023, 10, 3)


def test_land_areas_add_up_to_about_210000_m2(demo_campaign):
    assert demo_campaign.blocks["land_area_m2"].sum() == pytest.approx(210_000, rel=0.02)


def test_launch_dates_and_deadlines(demo_campaign):
    blocks = demo_campaign.blocks.set_index("block_id")
    assert blocks.loc["yanta-2", "launch_date"] == date(2023, 9, 16)
    assert blocks.loc["zhuangyuan", "launch_date"] == date(2023, 9, 26)
    assert blocks.loc["south-bus", "launch_date"] == date(2023, 9, 21)
    assert blocks.loc["yanta-2", "deadline"] == date(2023, 12, 24)


def test_latest_data_day_is_the_article_day(demo_campaign):
    assert demo_campaign.last_data_day == ARTICLE_DAY
    assert demo_campaign.first_day == date(2023, 9, 16)


def test_block_outlines_do_not_overlap(demo_campaign):
    geoms = list(demo_campaign.blocks.geometry)
    for i, a in enumerate(geoms):
        for b in geoms[i + 1:]:
            assert not a.intersects(b)


def test_footprints_lie_inside_their_block(demo_campaign):
    outlines = demo_campaign.blocks.set_index("block_id").geometry
    hh = demo_campaign.households
    inside = [outlines[b].contains(g) for b, g in zip(hh["block_id"], hh.geometry, strict=True)]
    assert all(inside)


def test_teams_between_15_and_30(demo_campaign):
    assert 15 <= len(demo_campaign.teams) <= 30


def test_generation_is_deterministic():
    a, b = demo.generate(), demo.generate()
    assert a.milestones.equals(b.milestones)
    assert a.households.drop(columns="geometry").equals(b.households.drop(columns="geometry"))


def test_scale_option_keeps_the_article_blocks():
    big = demo.generate(3000)
    assert len(big.households) == 3000
    assert {"yanta-2", "zhuangyuan", "south-bus", "hongxing"} <= set(big.blocks["block_id"])


def test_scale_below_the_article_is_refused():
    with pytest.raises(ValueError, match="households must be at least 694"):
        demo.generate(100)
