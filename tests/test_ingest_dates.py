"""Dates as ledgers write them: real dates, Excel serials and five text styles."""

from datetime import date, datetime

import pandas as pd
import pytest

from lib.ingest.read import parse_date_cells

DAY = date(2023, 9, 26)


@pytest.mark.parametrize(
    "cell",
    [DAY, datetime(2023, 9, 26, 14, 30), pd.Timestamp("2023-09-26"), 45195, 45195.0, 45195.6, "45195",
     "2023/9/26", "2023-09-26", "2023.9.26", "2023年9月26日", "2023 年 9 月 26 日", "20230926",
     "2023-09-26 00:00:00", " 2023/09/26 ", "２０２３年９月２６日", "２０２３／９／２６"],
)
def test_every_style_is_the_same_day(cell):
    dates, bad = parse_date_cells(pd.Series([cell], dtype=object))
    assert dates.tolist() == [DAY]
    assert bad.tolist() == [False]


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "无", float("nan")])
def test_blank_cells_are_no_date(cell):
    dates, bad = parse_date_cells(pd.Series([cell], dtype=object))
    assert dates.tolist() == [None] and bad.tolist() == [False]


@pytest.mark.parametrize("cell", ["2023-02-30", "9月26日", "签了", "2023/13/1", 12, 2023, True, "1899-12-31",
                                  "2023-9", 1e12])
def test_impossible_or_implausible_dates_are_bad(cell):
    dates, bad = parse_date_cells(pd.Series([cell], dtype=object))
    assert dates.tolist() == [None] and bad.tolist() == [True]


def test_1904_workbooks_count_serials_from_1904():
    dates, _ = parse_date_cells(pd.Series([43733], dtype=object), epoch=date(1904, 1, 1))
    assert dates.tolist() == [DAY]
