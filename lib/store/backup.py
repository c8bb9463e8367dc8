"""Backups of the board's database: SQLite through its online backup API, PostgreSQL through pg_dump.

A backup taken while the board runs is consistent (SQLite's backup API copies
a snapshot page by page; ``pg_dump`` reads one transaction). A restore
replaces the whole database and then moves ``data_version`` past both the
old and the restored value, so no replica keeps showing a cached board.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, select

from lib.schema import households_table, meta_table
from lib.store.config import display_url
from lib.store.engine import data_version, init_db

#: What a PostgreSQL backup is made and read with (the server's client tools).
PG_DUMP, PG_RESTORE = "pg_dump", "pg_restore"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why in one line."""


def _sqlite_path(engine: Engine) -> Path:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(path)


def _pg_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def pg_guidance(engine: Engine, out: Path) -> str:
    """The commands an operator runs to back up and restore PostgreSQL by hand."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
    return (f"pg_dump is not installed here; on a machine with the PostgreSQL client tools run:\n"
            f"  pg_dump --format=custom --file {out} '{url}'\n"
            f"and to restore:\n"
            f"  pg_restore --clean --if-exists --no-owner --dbname '{url}' {out}")


def backup(engine: Engine, out: Path) -> str:
    """Write a consistent copy of the database to ``out``; returns a one-line summary.

    Raises:
        BackupError: ``out`` exists, the database is unreachable or holds no board,
            or ``pg_dump`` is missing (the message then says what to run instead).
    """
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists already; choose a new file name")
    households = _count_households(engine)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        try:
            target = sqlite3.connect(out)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    elif engine.dialect.name == "postgresql":
        if shutil.which(PG_DUMP) is None:
            raise BackupError(pg_guidance(engine, out))
        _run([PG_DUMP, "--format=custom", "--file", str(out), _pg_url(engine)])
    else:
        raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
    return f"backed up {_shown(engine)} ({households} households) to {out}"


def restore(engine: Engine, source: Path) -> str:
    """Replace the database's contents with the backup ``source``; returns a one-line summary.

    Raises:
        BackupError: ``source`` is missing or not a backup of a board, or the
            database cannot be written.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    before = data_version(engine)
    if engine.dialect.name == "sqlite":
        _restore_sqlite(engine, source)
    elif engine.dialect.name == "postgresql":
        if shutil.which(PG_RESTORE) is None:
            raise BackupError(pg_guidance(engine, source))
        _run([PG_RESTORE, "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _pg_url(engine), str(source)])
    else:
        raise BackupError(f"restoring {engine.dialect.name} databases is not supported")
    engine.dispose()  # connections opened before the restore may cache the old schema
    init_db(engine)  # a backup from before a table was added lacks it
    _set_version(engine, max(before, data_version(engine)) + 1)
    return f"restored {source} into {_shown(engine)} ({_count_households(engine)} households)"


def _restore_sqlite(engine: Engine, source: Path) -> None:
    try:
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if households_table.name not in tables:
                raise BackupError(f"{source} is not a backup of a campaign board (no {households_table.name} table)")
            target_path = _sqlite_path(engine)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            target = sqlite3.connect(target_path)
            try:
                backup_db.backup(target)
            finally:
                target.close()
        finally:
            backup_db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not an SQLite backup ({exc})") from exc


def _count_households(engine: Engine) -> int:
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(households_table)).scalar_one())
    except Exception as exc:
        if "households" in str(exc):
            raise BackupError(f"{_shown(engine)} holds no campaign board") from exc
        raise


def _set_version(engine: Engine, version: int) -> None:
    with engine.begin() as conn:
        conn.execute(meta_table.delete().where(meta_table.c.key == "data_version"))
        conn.execute(meta_table.insert().values(key="data_version", value=str(version)))


def _shown(engine: Engine) -> str:
    return display_url(engine.url.set(drivername=engine.dialect.name).render_as_string(hide_password=False))


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = command[0]
        first = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[0]
        raise BackupError(f"{tool} failed: {first}")

