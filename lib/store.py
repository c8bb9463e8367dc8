"""The only module that touches the database and its secrets.

SQLite by default (``data/board.db``, WAL mode, filled with the demo campaign
on first start); ``DATABASE_URL`` or ``[database] url`` in
``.streamlit/secrets.toml`` selects another database, e.g. PostgreSQL for
several replicas. Only portable SQL is used, through SQLAlchemy Core.

Every write goes through :func:`apply_import` (or :func:`undo_batch`), which
runs in one transaction, checks every invariant and bumps ``data_version`` so
cached loads refresh.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, bindparam, create_engine, event, func, select, text
from sqlalchemy.engine import Connection

from lib import schema
from lib.schema import (
    blocks_table,
    households_table,
    import_batches_table,
    meta_table,
    milestone_changes_table,
    milestones_table,
    teams_table,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "data" / "board.db"
SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"


class IntegrityViolation(ValueError):
    """A write that would break an invariant; nothing was written."""


@dataclass(frozen=True)
class Campaign:
    """Everything the pages need, loaded once per data version.

    ``households`` carries one ``date_<stage>`` column per stage (datetime64,
    NaT where the stage is not reached) so metrics are vectorised.
    """

    blocks: gpd.GeoDataFrame
    teams: pd.DataFrame
    households: gpd.GeoDataFrame
    milestones: pd.DataFrame
    data_version: int

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to show (no blocks or no households)."""
        return self.blocks.empty or self.households.empty

    @property
    def block_names(self) -> dict[str, str]:
        """Block id → name."""
        return dict(zip(self.blocks["block_id"], self.blocks["name"], strict=True))

    @property
    def team_names(self) -> dict[str, str]:
        """Team id → name."""
        return dict(zip(self.teams["team_id"], self.teams["name"], strict=True))

    @property
    def first_day(self) -> date | None:
        """The campaign's day 1: its earliest block launch."""
        return None if self.blocks.empty else min(self.blocks["launch_date"])

    @property
    def last_data_day(self) -> date | None:
        """The latest milestone date: the board's default as-of day."""
        if self.milestones.empty:
            return self.first_day
        return max(self.milestones["date"])


def secrets() -> dict[str, Any]:
    """The parsed ``.streamlit/secrets.toml`` (empty when absent or broken)."""
    try:
        return tomllib.loads(SECRETS_PATH.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def database_url() -> str:
    """The configured database: env ``DATABASE_URL``, then secrets, then SQLite."""
    url = os.environ.get("DATABASE_URL") or secrets().get("database", {}).get("url")
    return url or f"sqlite:///{DEFAULT_DB_PATH}"


def display_url(url: str) -> str:
    """A database URL safe to show on screen (no password, short for the default)."""
    if is_default_database(url):
        return "data/board.db"
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def describe_error(exc: BaseException) -> str:
    """One line about a database error, without credentials or a traceback."""
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}"


def is_default_database(url: str) -> bool:
    """True for the embedded SQLite file that is seeded with the demo."""
    return url == f"sqlite:///{DEFAULT_DB_PATH}"


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


def _bump_version(conn: Connection) -> None:
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


# --------------------------------------------------------------------- loads


def _geoms_from_wkt(values: pd.Series) -> gpd.GeoSeries:
    # astype(object) first: pandas 3 turns missing text into NaN, not None.
    arr = shapely.from_wkt(values.astype(object).where(values.notna(), None).to_numpy(), on_invalid="ignore")
    return gpd.GeoSeries(arr, index=values.index, crs=schema.CRS)


def _read_table(conn: Connection, table: Any, order_by: str | None = None) -> pd.DataFrame:
    """A whole table as a frame, without SQLAlchemy's per-row type processing.

    Dates arrive as the driver gives them (text on SQLite, dates on
    PostgreSQL) and are converted vectorised by the caller: for 600 k
    milestones that is seconds faster than converting row by row.
    """
    columns = ", ".join(c.name for c in table.columns)
    sql = f"SELECT {columns} FROM {table.name}" + (f" ORDER BY {order_by}" if order_by else "")
    return pd.read_sql(text(sql), conn)


def load_frames(engine: Engine) -> Campaign:
    """Load the whole campaign from the database (uncached; see :func:`load_campaign`)."""
    version = data_version(engine)
    with engine.connect() as conn:
        blocks = _read_table(conn, blocks_table, "launch_date, block_id")
        teams = _read_table(conn, teams_table, "team_id")
        households = _read_table(conn, households_table, "household_id")
        milestones = _read_table(conn, milestones_table)
    for col in ("launch_date", "deadline"):
        blocks[col] = pd.to_datetime(blocks[col]).dt.date
    blocks_gdf = gpd.GeoDataFrame(
        blocks[schema.BLOCK_COLUMNS], geometry=_geoms_from_wkt(blocks["geometry_wkt"]), crs=schema.CRS
    )
    milestones["date"] = pd.to_datetime(milestones["date"]).dt.date
    milestones = milestones[schema.MILESTONE_COLUMNS]
    households_gdf = gpd.GeoDataFrame(
        households[schema.HOUSEHOLD_COLUMNS],
        geometry=_geoms_from_wkt(households["geometry_wkt"]),
        crs=schema.CRS,
    )
    households_gdf = _attach_stage_dates(households_gdf, milestones)
    return Campaign(
        blocks=blocks_gdf,
        teams=teams[schema.TEAM_COLUMNS],
        households=households_gdf,
        milestones=milestones,
        data_version=version,
    )


def _attach_stage_dates(households: gpd.GeoDataFrame, milestones: pd.DataFrame) -> gpd.GeoDataFrame:
    """Add ``date_<stage>`` columns (datetime64[s], NaT when not reached)."""
    if milestones.empty:
        wide = pd.DataFrame(index=pd.Index([], name="household_id"))
    else:
        wide = milestones.pivot(index="household_id", columns="stage", values="date")
    out = households.copy()
    for stage in schema.STAGES:
        col = wide[stage] if stage in wide.columns else pd.Series(dtype="object")
        mapped = out["household_id"].map(col)
        out[f"date_{stage}"] = pd.to_datetime(mapped).astype("datetime64[s]")
    return out


# --------------------------------------------------------------------- writes


def _none_if_na(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    rows = []
    for rec in frame[cols].to_dict("records"):
        rows.append({k: _none_if_na(v) for k, v in rec.items()})
    return rows


def _geometry_wkt(frame: pd.DataFrame) -> list[str | None]:
    if "geometry" not in frame.columns:
        return [None] * len(frame)
    geoms = np.asarray(frame["geometry"].to_numpy(), dtype=object)
    geoms = np.where(pd.isna(geoms), None, geoms)
    wkt = shapely.to_wkt(geoms, rounding_precision=7)
    return [None if w is None else str(w) for w in wkt]


def _upsert(conn: Connection, table: Any, key: str, rows: list[dict[str, Any]]) -> None:
    """Insert or update by primary key, portably (no dialect-specific UPSERT)."""
    if not rows:
        return
    existing = set(conn.execute(select(table.c[key])).scalars())
    inserts = [r for r in rows if r[key] not in existing]
    updates = [r for r in rows if r[key] in existing]
    if inserts:
        conn.execute(table.insert(), inserts)
    # One executemany per set of columns (rows may carry different columns).
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:
        by_columns.setdefault(tuple(sorted(row)), []).append(row)
    for columns, group in by_columns.items():
        values = {c: bindparam(f"v_{c}") for c in columns if c != key}
        if not values:
            continue
        stmt = table.update().where(table.c[key] == bindparam("k_key")).values(**values)
        conn.execute(stmt, [{"k_key": r[key], **{f"v_{c}": r[c] for c in columns if c != key}} for r in group])


def _to_date(value: Any) -> date | None:
    value = _none_if_na(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def apply_import(
    engine: Engine,
    *,
    file_name: str,
    sha256: str,
    imported_by: str,
    rows: int,
    blocks: pd.DataFrame | None = None,
    teams: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
    milestones: pd.DataFrame | None = None,
    summary: str = "",
) -> int:
    """Write one import batch in a single transaction and return its id.

    Blocks, teams and households are upserted by id. Each milestone row sets
    (or, with a missing date, deletes) one household's stage date; the value
    it replaced goes to the undo log. Every invariant is checked before the
    commit; on a violation :class:`IntegrityViolation` is raised and nothing
    is written.
    """
    with engine.begin() as conn:
        batch_id = conn.execute(
            import_batches_table.insert().values(
                file_name=file_name,
                sha256=sha256,
                rows=rows,
                imported_at=datetime.now().replace(microsecond=0),
                imported_by=imported_by,
                status="applied",
                summary=summary,
            )
        ).inserted_primary_key[0]
        if blocks is not None and not blocks.empty:
            recs = _records(blocks, schema.BLOCK_COLUMNS)
            for rec, wkt in zip(recs, _geometry_wkt(blocks), strict=True):
                rec["geometry_wkt"] = wkt
            _upsert(conn, blocks_table, "block_id", recs)
        if teams is not None and not teams.empty:
            _upsert(conn, teams_table, "team_id", _records(teams, schema.TEAM_COLUMNS))
        if households is not None and not households.empty:
            _check_references(conn, households)
            recs = _records(households, schema.HOUSEHOLD_COLUMNS)
            for rec, wkt in zip(recs, _geometry_wkt(households), strict=True):
                rec["geometry_wkt"] = wkt
            _upsert(conn, households_table, "household_id", recs)
        if milestones is not None and not milestones.empty:
            _write_milestones(conn, batch_id, milestones)
        _bump_version(conn)
    return int(batch_id)


def _check_references(conn: Connection, households: pd.DataFrame) -> None:
    """Name the first household whose block or team does not exist."""
    block_ids = set(conn.execute(select(blocks_table.c.block_id)).scalars())
    team_ids = set(conn.execute(select(teams_table.c.team_id)).scalars())
    for rec in households[["household_id", "block_id", "team_id"]].itertuples(index=False):
        if rec.block_id not in block_ids:
            raise IntegrityViolation(f"household {rec.household_id}: unknown block {rec.block_id!r}")
        team = _none_if_na(rec.team_id)
        if team is not None and team not in team_ids:
            raise IntegrityViolation(f"household {rec.household_id}: unknown team {team!r}")


def _write_milestones(conn: Connection, batch_id: int, milestones: pd.DataFrame) -> None:
    unknown = set(milestones["stage"]) - set(schema.STAGES)
    if unknown:
        raise IntegrityViolation(f"unknown stage {sorted(unknown)[0]!r}")
    dup = milestones.duplicated(["household_id", "stage"], keep=False)
    if dup.any():
        first = milestones[dup].iloc[0]
        raise IntegrityViolation(
            f"household {first['household_id']}: stage {first['stage']} given twice in one import"
        )
    ids = list(dict.fromkeys(milestones["household_id"]))
    known = _existing_household_ids(conn, ids)
    missing = [h for h in ids if h not in known]
    if missing:
        raise IntegrityViolation(f"household {missing[0]}: not in the households table")
    current = _current_milestones(conn, ids)
    changes = []
    for rec in milestones[["household_id", "stage", "date"]].itertuples(index=False):
        new = _to_date(rec.date)
        old = current.get((rec.household_id, rec.stage))
        if old == new:
            continue
        changes.append({"household_id": rec.household_id, "stage": rec.stage, "old_date": old, "new_date": new})
        current[(rec.household_id, rec.stage)] = new
    _check_order(current, {c["household_id"] for c in changes})
    _set_milestones(conn, [(c["household_id"], c["stage"], c["new_date"], batch_id) for c in changes])
    if changes:
        conn.execute(milestone_changes_table.insert(), [{**c, "batch_id": batch_id} for c in changes])


def _existing_household_ids(conn: Connection, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(ids, 900):
        found.update(
            conn.execute(
                select(households_table.c.household_id).where(households_table.c.household_id.in_(chunk))
            ).scalars()
        )
    return found


def _current_milestones(conn: Connection, ids: list[str]) -> dict[tuple[str, str], date | None]:
    current: dict[tuple[str, str], date | None] = {}
    for chunk in _chunks(ids, 900):
        rows = conn.execute(
            select(milestones_table.c.household_id, milestones_table.c.stage, milestones_table.c.date).where(
                milestones_table.c.household_id.in_(chunk)
            )
        )
        for hid, stage, d in rows:
            current[(hid, stage)] = _to_date(d)
    return current


def _check_order(current: dict[tuple[str, str], date | None], household_ids: set[str]) -> None:
    for hid in sorted(household_ids):
        dates = {stage: current.get((hid, stage)) for stage in schema.STAGES}
        bad = schema.check_stage_order(dates)
        if bad is not None:
            raise IntegrityViolation(f"household {hid}: stage {bad} dated before an earlier stage")


def _set_milestones(conn: Connection, rows: list[tuple[str, str, date | None, int | None]]) -> None:
    """Replace (household, stage) dates in bulk; a None date deletes the milestone.

    Two executemany statements instead of two statements per milestone: a
    10 k-household ledger writes in well under a second.
    """
    if not rows:
        return
    delete = milestones_table.delete().where(
        (milestones_table.c.household_id == bindparam("h")) & (milestones_table.c.stage == bindparam("s"))
    )
    conn.execute(delete, [{"h": h, "s": s} for h, s, _, _ in rows])
    inserts = [
        {"household_id": h, "stage": s, "date": d, "import_batch_id": b} for h, s, d, b in rows if d is not None
    ]
    if inserts:
        conn.execute(milestones_table.insert(), inserts)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def undo_batch(engine: Engine, batch_id: int) -> None:
    """Restore the milestones a batch changed to exactly what they were.

    Only the newest applied batch can be undone (undo works as a stack), so a
    later batch never stands on dates that no longer exist. Blocks, teams and
    households the batch added stay (they carry no progress of their own).
    """
    with engine.begin() as conn:
        latest = conn.execute(
            select(func.max(import_batches_table.c.batch_id)).where(import_batches_table.c.status == "applied")
        ).scalar_one_or_none()
        if latest is None or latest != batch_id:
            raise ValueError(f"batch {batch_id} is not the latest applied batch (latest: {latest})")
        changes = conn.execute(
            select(milestone_changes_table)
            .where(milestone_changes_table.c.batch_id == batch_id)
            .order_by(milestone_changes_table.c.change_id.desc())
        ).mappings().all()
        for ch in changes:
            previous_batch = None
            if ch["old_date"] is not None:
                previous_batch = conn.execute(
                    select(milestone_changes_table.c.batch_id)
                    .where(
                        (milestone_changes_table.c.household_id == ch["household_id"])
                        & (milestone_changes_table.c.stage == ch["stage"])
                        & (milestone_changes_table.c.batch_id < batch_id)
                    )
                    .order_by(milestone_changes_table.c.change_id.desc())
                    .limit(1)
                ).scalar_one_or_none()
            _set_milestones(conn, [(ch["household_id"], ch["stage"], _to_date(ch["old_date"]), previous_batch)])
        conn.execute(
            import_batches_table.update().where(import_batches_table.c.batch_id == batch_id).values(status="undone")
        )
        _bump_version(conn)


def batch_by_sha256(engine: Engine, sha256: str) -> dict[str, Any] | None:
    """The applied batch that imported a file with this hash, if any."""
    with engine.connect() as conn:
        row = conn.execute(
            select(import_batches_table).where(
                (import_batches_table.c.sha256 == sha256) & (import_batches_table.c.status == "applied")
            )
        ).mappings().first()
    return dict(row) if row else None


def list_batches(engine: Engine) -> pd.DataFrame:
    """The import history, newest first."""
    with engine.connect() as conn:
        frame = pd.read_sql(select(import_batches_table).order_by(import_batches_table.c.batch_id.desc()), conn)
    return frame[schema.BATCH_COLUMNS]


def bulk_load(
    engine: Engine,
    *,
    blocks: gpd.GeoDataFrame,
    teams: pd.DataFrame,
    households: gpd.GeoDataFrame,
    milestones: pd.DataFrame,
    file_name: str,
) -> int:
    """Load a whole campaign into an empty database fast (demo and benchmarks).

    Same invariants as :func:`apply_import`, checked vectorised, and no undo
    log (there is nothing to undo to). Refuses a database that has households.
    """
    bad = _vectorised_order_violation(milestones)
    if bad is not None:
        raise IntegrityViolation(f"household {bad[0]}: stage {bad[1]} dated before an earlier stage")
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(households_table)).scalar_one():
            raise IntegrityViolation("bulk_load needs an empty database")
        batch_id = conn.execute(
            import_batches_table.insert().values(
                file_name=file_name, sha256="", rows=len(households),
                imported_at=datetime.now().replace(microsecond=0), imported_by="system",
                status="applied", summary="bulk load",
            )
        ).inserted_primary_key[0]
        brecs = _records(blocks, schema.BLOCK_COLUMNS)
        for rec, wkt in zip(brecs, _geometry_wkt(blocks), strict=True):
            rec["geometry_wkt"] = wkt
        conn.execute(blocks_table.insert(), brecs)
        conn.execute(teams_table.insert(), _records(teams, schema.TEAM_COLUMNS))
        hrecs = _records(households, schema.HOUSEHOLD_COLUMNS)
        for rec, wkt in zip(hrecs, _geometry_wkt(households), strict=True):
            rec["geometry_wkt"] = wkt
        conn.execute(households_table.insert(), hrecs)
        mrecs = [
            {"household_id": h, "stage": s, "date": _to_date(d), "import_batch_id": batch_id}
            for h, s, d in milestones[["household_id", "stage", "date"]].itertuples(index=False)
        ]
        if mrecs:
            conn.execute(milestones_table.insert(), mrecs)
        _bump_version(conn)
    return int(batch_id)


def _vectorised_order_violation(milestones: pd.DataFrame) -> tuple[str, str] | None:
    if milestones.empty:
        return None
    wide = milestones.pivot(index="household_id", columns="stage", values="date")
    wide = wide.apply(pd.to_datetime)
    running = None
    for stage in schema.STAGES:
        if stage not in wide.columns:
            continue
        col = wide[stage]
        if running is not None:
            bad = col.notna() & running.notna() & (col < running)
            if bad.any():
                return str(bad[bad].index[0]), stage
            running = pd.concat([running, col], axis=1).max(axis=1)
        else:
            running = col
    return None


def ping(engine: Engine) -> None:
    """Raise if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


# --------------------------------------------------------------------- cached


def _cache_resource(**kwargs: Any) -> Any:
    import streamlit as st

    return st.cache_resource(show_spinner=False, **kwargs)


@_cache_resource(max_entries=4)
def _load_cached(url: str, version: int) -> Campaign:
    return load_frames(get_engine(url))


def load_campaign(url: str | None = None) -> Campaign:
    """The campaign, cached per database URL and data version.

    The cached object is shared between sessions: never mutate it.
    """
    url = url or database_url()
    return _load_cached(url, data_version(get_engine(url)))


@_cache_resource()
def prepare_database(url: str) -> str:
    """Create the tables; seed the embedded SQLite file with the demo on first start.

    Returns "seeded", "ready" or "empty" (a configured database with no data).
    """
    engine = get_engine(url)
    init_db(engine)
    with engine.connect() as conn:
        has_data = conn.execute(select(func.count()).select_from(households_table)).scalar_one() > 0
    if has_data:
        return "ready"
    if is_default_database(url):
        from lib import demo

        demo.load_demo(engine)
        return "seeded"
    return "empty"
