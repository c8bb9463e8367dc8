"""One engine per database URL, the tables, and the data version every cache keys on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from lib import schema
from lib.schema import (
    meta_table,
)
from lib.store.config import database_url

#: What a database problem raises: unreachable server, missing database, unwritable
#: file, unknown or uninstalled driver. Command lines turn these into one line and exit 2.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, OSError, ImportError, sqlite3.Error)


class IntegrityViolation(ValueError):
    """A write that would break an invariant; nothing was written."""


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`), one per URL."""
    url = url or database_url()
    if url in _ENGINES:
        return _ENGINES[url]
    if url.startswith("postgresql://"):
        url_driver = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    else:
        url_driver = url
    engine = create_engine(url_driver, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if url != "sqlite://":  # in-memory engines are private to their caller
        _ENGINES[url] = engine
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def init_db(engine: Engine) -> None:
    """Create the tables that do not exist yet (idempotent)."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    schema.metadata.create_all(engine)


def drop_all(engine: Engine) -> None:
    """Drop every table of the schema (tests and demo rebuilds)."""
    schema.metadata.drop_all(engine)


def data_version(engine: Engine) -> int:
    """A counter bumped by every write; 0 for a fresh or missing database."""
    try:
        with engine.connect() as conn:
            value = conn.execute(
                select(meta_table.c.value).where(meta_table.c.key == "data_version")
            ).scalar_one_or_none()
    except Exception:  # no tables yet
        return 0
    return int(value) if value is not None else 0


def bump_version(conn: Connection) -> None:
    """Count one more data version inside the writing transaction (every cache keys on it)."""
    current = conn.execute(
        select(meta_table.c.value).where(meta_table.c.key == "data_version")
    ).scalar_one_or_none()
    if current is None:
        conn.execute(meta_table.insert().values(key="data_version", value="1"))
    else:
        conn.execute(
            meta_table.update()
            .where(meta_table.c.key == "data_version")
            .values(value=str(int(current) + 1))
        )


def ping(engine: Engine) -> None:
    """Raise if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
