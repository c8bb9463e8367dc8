"""The campaign's calendar: day N, days left, the pace window and the required pace — each defined once.

Both :mod:`lib.metrics` and :mod:`lib.forecast` use these, so they live
below both (docs/design.md "Definitions").
"""

from __future__ import annotations

from datetime import date

#: Days in the pace window of a block at least a week old ("the last 7 days").
PACE_WINDOW_DAYS = 7


def day_number(launch: date, asof: date) -> int:
    """Day N of a campaign that launched on ``launch`` (launch day = day 1)."""
    return (asof - launch).days + 1


def days_left(deadline: date, asof: date) -> int:
    """Whole days after ``asof`` up to and including the deadline (0 on the deadline)."""
    return (deadline - asof).days


def pace_window(launch: date | None, asof: date) -> int:
    """Days a pace is averaged over: the last 7, or a younger block's days since its launch (at least 1).

    The one definition (docs/design.md; the progress page's method note says
    it): 雁塔二 on 2023-09-20, its day 5, averages its gains over 5 days.
    """
    if launch is None:
        return PACE_WINDOW_DAYS
    return max(1, min(PACE_WINDOW_DAYS, day_number(launch, asof)))


def required_pace(remaining: int, deadline: date, asof: date) -> float | None:
    """Daily gain needed from tomorrow on to finish by the deadline: remaining ÷ :func:`days_left`.

    The as-of day counts as used, so on the deadline itself no days are
    left. ``0.0`` when nothing remains; None when households remain but no
    days are left (a blank in a table, not "inf"). The one definition: the
    forecast uses it too.

    Raises:
        ValueError: If ``remaining`` is negative.
    """
    if remaining < 0:
        raise ValueError(f"remaining must be >= 0, got {remaining}")
    if remaining == 0:
        return 0.0
    left = days_left(deadline, asof)
    return remaining / left if left > 0 else None
