"""The audit trail: who logged in, imported or undid what, and when; failed logins for throttling."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, select

from lib.schema import AUDIT_ACTIONS, audit_log_table

#: Columns of :func:`list_events`, newest first.
AUDIT_COLUMNS = ["event_id", "at", "action", "who", "client", "detail"]


def utc_now() -> datetime:
    """Now in UTC, naive (how the audit table stores time on SQLite and PostgreSQL alike)."""
    return datetime.now(UTC).replace(tzinfo=None)


def record_event(engine: Engine, action: str, *, who: str = "", client: str = "", detail: str = "",
                 at: datetime | None = None) -> None:
    """Append one event to the audit trail (its own transaction).

    Raises:
        ValueError: ``action`` is not one of :data:`lib.schema.AUDIT_ACTIONS`.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; expected one of {', '.join(AUDIT_ACTIONS)}")
    with engine.begin() as conn:
        conn.execute(audit_log_table.insert().values(
            at=at or utc_now(), action=action, who=who.strip()[:200], client=client[:64], detail=detail,
        ))


def list_events(engine: Engine, limit: int = 200) -> pd.DataFrame:
    """The latest ``limit`` events, newest first (an empty frame keeps the columns)."""
    query = select(*(audit_log_table.c[c] for c in AUDIT_COLUMNS)).order_by(
        audit_log_table.c.event_id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=AUDIT_COLUMNS)


def failed_logins(engine: Engine, since: datetime) -> list[tuple[str, datetime]]:
    """(client, time) of every failed login at or after ``since`` (UTC, naive), oldest first."""
    t = audit_log_table.c
    query = select(t.client, t.at).where(t.action == "login_failed", t.at >= since).order_by(t.at)
    with engine.connect() as conn:
        return [(str(client), at) for client, at in conn.execute(query)]
