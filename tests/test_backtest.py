"""lib.backtest: the back-test uses only each day's own data; families are deterministic; the calibration.

Calibration numbers (coverage 70–90 %, median miss ≤ 5 days) are asserted by
``python -m bench forecast``, not here: these tests stay fast.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from lib import backtest, forecast, metrics
from lib.figures import progress

ARTICLE_DAY = date(2023, 11, 7)


def _truncate(households: pd.DataFrame, asof: date) -> pd.DataFrame:
    """The ledger as it stood on ``asof``: later milestones not yet recorded."""
    out = households.copy()
    for stage in backtest.RATE_STAGES:
        col = f"date_{stage}"
        out[col] = out[col].where(out[col] <= pd.Timestamp(asof))
    return out


@pytest.fixture(scope="module")
def demo_history(demo_campaign) -> pd.DataFrame:
    return backtest.forecast_history(demo_campaign.households, demo_campaign.blocks, ARTICLE_DAY)


def test_history_has_one_row_per_block_stage_and_day(demo_campaign, demo_history) -> None:
    days = sum((ARTICLE_DAY - b.launch_date).days + 1 for b in demo_campaign.blocks.itertuples())
    assert len(demo_history) == 2 * days
    assert list(demo_history.columns) == backtest.HISTORY_COLUMNS


def test_the_backtest_uses_only_data_up_to_each_day(demo_campaign, demo_history) -> None:
    asof = date(2023, 10, 28)
    full = backtest.backtest(demo_campaign.households, demo_campaign.blocks, asof, history=demo_history)
    as_it_stood = backtest.backtest(_truncate(demo_campaign.households, asof), demo_campaign.blocks, asof)
    assert full == as_it_stood
    assert full.count > 0 and full.hits + full.early + full.late == full.count


def test_no_outcome_known_no_score(demo_campaign, demo_history) -> None:
    bt = backtest.backtest(demo_campaign.households, demo_campaign.blocks, date(2023, 10, 5), history=demo_history)
    assert bt.count == 0 and math.isnan(bt.coverage) and math.isnan(bt.median_miss)


def test_the_forecast_of_a_day_is_the_one_its_meeting_saw(demo_campaign, demo_history) -> None:
    asof = date(2023, 10, 20)
    now, _ = metrics.block_forecasts(demo_campaign.households, demo_campaign.blocks, asof, history=demo_history, with_paths=False)
    then, _ = metrics.block_forecasts(_truncate(demo_campaign.households, asof), demo_campaign.blocks, asof, with_paths=False)
    pd.testing.assert_frame_equal(now, then)


def test_the_trust_line_reads_the_backtest(demo_campaign, demo_history) -> None:
    result = metrics.forecast_result(demo_campaign.households, demo_campaign.blocks, ARTICLE_DAY, history=demo_history)
    bt = result.backtest
    line = progress.trust_line(bt, "zh")
    cover = round(bt.coverage * 100)
    assert line.startswith(f"过去 {bt.count} 次预测：区间命中 ") and "中位误差" in line
    assert abs(int(line.split("区间命中 ")[1].split(" %")[0]) - cover) <= 1


def test_synthetic_families_are_deterministic_and_finish() -> None:
    for family in (*backtest.FAMILIES, *backtest.STRESS_FAMILIES):
        a, blocks, last = backtest.synthetic_campaign(family, 3)
        b, _, _ = backtest.synthetic_campaign(family, 3)
        pd.testing.assert_frame_equal(a, b)
        assert a["date_signed"].notna().all() and (a["date_sealed"] >= a["date_signed"]).all()
        assert last == a["date_sealed"].max().date() and len(blocks) == 4
    few, _, _ = backtest.synthetic_campaign("few_large", 0)
    assert few.groupby("block_id").size().max() <= 14
    with pytest.raises(ValueError, match="unknown family 'nope'"):
        backtest._block_signing("nope", np.random.default_rng(0), 3)


def test_calibration_without_history_is_the_prior_and_shifts_only_the_band() -> None:
    assert forecast.calibration_from(np.empty((0, 3))) == forecast.Calibration()
    r = np.array([[1.0, 1.0, 1.0]] * 50)
    cal = forecast.calibration_from(r, trajectories=int(forecast.PRIOR_TRAJECTORIES))
    assert cal.shifts[1] == 0.0 and cal.shifts[0] == pytest.approx(0.5) and cal.shifts[2] == pytest.approx(0.5)


def test_calibrated_offsets_are_ordered_whole_days() -> None:
    counts = np.cumsum([0, 2, 5, 9, 12, 10, 8, 6, 5, 3, 2, 2, 1, 1])
    sig = forecast.signals(counts, 80, False, 12.0)
    lo, mid, hi = forecast.Calibration().offsets(sig)
    assert 1 <= lo <= mid <= hi and all(float(v).is_integer() for v in (lo, mid, hi))
    assert sig["age"] == 14 and sig["done"] == counts[-1] and sig["idle"] == 0


def test_hold_not_before() -> None:
    assert forecast.hold_not_before((3, 5, 9), "on_track", (4, 6, 8)) == (4, 6, 9)
    assert forecast.hold_not_before((3, 5, 9), "finished", (math.nan,) * 3) == (3, 5, 9)
    assert forecast.hold_not_before((3, 5, 9), "stalled", (math.nan,) * 3) is None
    assert forecast.hold_not_before((3, 5, math.inf), "late", (4, math.inf, math.inf)) == (4, math.inf, math.inf)


def test_status_for_the_deadline() -> None:
    d = date(2023, 12, 24)
    asof = d - timedelta(days=30)
    assert forecast.status_for(d - timedelta(days=3), d, d, asof) == "on_track"
    assert forecast.status_for(d, d + timedelta(days=1), d, asof) == "at_risk"
    assert forecast.status_for(d + timedelta(days=1), None, d, asof) == "late"
    assert forecast.status_for(None, None, d, asof) == "late"
    assert forecast.status_for(d, d, d, d) == "late"  # the deadline day with households left
