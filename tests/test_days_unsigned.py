"""metrics.days_unsigned: the map's days since launch without signing."""

from __future__ import annotations

from datetime import date

from lib import metrics
from tests import ledgers

LAUNCH = date(2023, 9, 16)


def test_counts_days_since_launch_for_the_unsigned_only():
    blocks = ledgers.blocks([("b1", "One", LAUNCH), ("b2", "Two", date(2023, 9, 26))])
    hh = ledgers.households([
        {"id": "H1", "signed": date(2023, 9, 18)},
        {"id": "H2", "appraised": date(2023, 9, 20)},
        {"id": "H3"},
        {"id": "H4", "block": "b2"},
    ])
    days = metrics.days_unsigned(hh, blocks, date(2023, 9, 20))
    # H1 is signed; H4's block has not launched yet.
    assert days.isna().tolist() == [True, False, False, True]
    assert days.tolist()[1:3] == [4.0, 4.0]
    # H1 was still unsigned on 9-17 (1 day after launch), signed from 9-18 on.
    assert metrics.days_unsigned(hh, blocks, date(2023, 9, 17)).iloc[0] == 1
    assert metrics.days_unsigned(hh, blocks, date(2023, 9, 18)).isna().iloc[0]


def test_the_launch_day_is_day_zero():
    blocks = ledgers.blocks([("b1", "One", LAUNCH)])
    hh = ledgers.households([{"id": "H1"}])
    assert metrics.days_unsigned(hh, blocks, LAUNCH).iloc[0] == 0
