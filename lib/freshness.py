"""Is the board showing today's data? The rule behind the wall screen's amber band.

A running campaign imports its ledger every day before the daily meeting
(每日例会). The board is *stale* when no import arrived since yesterday's
meeting, or, when configured, when the last import is older than a number of
hours. A campaign whose last block deadline has passed has *ended*: the board
says so instead of counting days, and is never stale. Pure: "now" is an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from lib.i18n import t

#: States of :func:`freshness`.
FRESH, STALE, ENDED, NOT_STARTED = "fresh", "stale", "ended", "not_started"
DEFAULT_MEETING = time(9, 0)


@dataclass(frozen=True)
class FreshnessRule:
    """When data counts as old: no import since the last meeting but one, or older than ``max_age_hours``."""

    meeting: time = DEFAULT_MEETING
    max_age_hours: float | None = None


@dataclass(frozen=True)
class Freshness:
    """What the board tells its viewers about the age of its data.

    Attributes:
        state: :data:`FRESH`, :data:`STALE`, :data:`ENDED` or :data:`NOT_STARTED`.
        data_day: the latest day with data (数据截至).
        last_import: when the newest applied import was made (最近导入), if any.
        end_day: the campaign's last deadline.
        expected_since: a stale board lacks an import made after this moment.
    """

    state: str
    data_day: date | None
    last_import: datetime | None
    end_day: date | None
    expected_since: datetime | None = None

    @property
    def stale(self) -> bool:
        """True when the amber band is due."""
        return self.state == STALE


def freshness(
    *, data_day: date | None, last_import: datetime | None, first_day: date | None, end_day: date | None,
    now: datetime, rule: FreshnessRule | None = None,
) -> Freshness:
    """Apply the rule to the board's data on ``now`` (local time, as imports are stamped).

    Args:
        data_day: the latest milestone date.
        last_import: the newest applied import's time (None: never imported).
        first_day: the campaign's first launch (before it, nothing is expected).
        end_day: the campaign's last block deadline (after it, the campaign has ended).
        now: the wall clock.
        rule: the configured age rule (default: the meeting rule at 09:00).
    """
    def result(state: str, since: datetime | None = None) -> Freshness:
        return Freshness(state, data_day, last_import, end_day, since)

    rule = rule or FreshnessRule()
    today = now.date()
    if end_day is not None and today > end_day:
        return result(ENDED)
    if first_day is not None and today < first_day:
        return result(NOT_STARTED)
    if rule.max_age_hours is not None:
        since = now - timedelta(hours=rule.max_age_hours)
    else:
        since = datetime.combine(today - timedelta(days=1), rule.meeting)
    if last_import is None or last_import < since:
        return result(STALE, since)
    return result(FRESH)


def rule_from_config(section: Mapping[str, Any] | None, env: Mapping[str, str]) -> tuple[FreshnessRule, str | None]:
    """The rule from ``[freshness]`` in the secrets (``meeting``, ``max_age_hours``), the environment overriding.

    Environment: ``FRESHNESS_MEETING`` (``HH:MM``) and ``FRESHNESS_MAX_AGE_HOURS``.

    Returns:
        The rule (defaults for what is invalid) and a message naming the invalid value, or None.
    """
    section = section or {}
    meeting_text = env.get("FRESHNESS_MEETING") or section.get("meeting")
    hours_text = env.get("FRESHNESS_MAX_AGE_HOURS") or section.get("max_age_hours")
    meeting, hours, problem = DEFAULT_MEETING, None, None
    if meeting_text not in (None, ""):
        try:
            meeting = time.fromisoformat(str(meeting_text).strip())
        except ValueError:
            problem = f"meeting={meeting_text!r} is not a time of day (HH:MM)"
    if hours_text not in (None, ""):
        try:
            hours = float(hours_text)
        except (TypeError, ValueError):
            hours = None
        if hours is None or not 0 < hours <= 24 * 30:
            problem = f"max_age_hours={hours_text!r} is not a number of hours (0–720)"
            hours = None
    return FreshnessRule(meeting=meeting, max_age_hours=hours), problem


def _stamp(moment: datetime | None, near: datetime | None = None) -> str:
    """``moment`` to the minute; without its year when it is ``near``'s year."""
    if moment is None:
        return "—"
    return moment.strftime("%m-%d %H:%M" if near is not None and moment.year == near.year else "%Y-%m-%d %H:%M")


def freshness_line(fresh: Freshness, lang: str) -> str:
    """The "last import" part of every page's banner; an ended campaign says so."""
    parts = [t("fresh.import", lang, time=_stamp(fresh.last_import)) if fresh.last_import else t("fresh.never", lang)]
    if fresh.state == ENDED and fresh.end_day is not None:
        parts.append(t("fresh.ended", lang, end=fresh.end_day.isoformat()))
    return " · ".join(parts)


def stale_text(fresh: Freshness, lang: str) -> str:
    """The amber band's sentence ("" when the data is not stale)."""
    if not fresh.stale:
        return ""
    since = fresh.expected_since
    return t("fresh.stale", lang, since=_stamp(since, since), time=_stamp(fresh.last_import, since))
