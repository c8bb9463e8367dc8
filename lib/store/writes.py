"""Every write: one transaction that checks the invariants, records an undo log and bumps the data version."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import BindParameter, Engine, bindparam, func, select
from sqlalchemy.engine import Connection

from lib import schema
from lib.schema import (
    blocks_table,
    households_table,
    import_batches_table,
    milestone_changes_table,
    milestones_table,
    teams_table,
)
from lib.store.engine import IntegrityViolation, bump_version


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
    for rec in cast(list[dict[str, Any]], frame[cols].to_dict("records")):
        rows.append({k: _none_if_na(v) for k, v in rec.items()})
    return rows


def _geometry_wkt(frame: pd.DataFrame) -> list[str | None]:
    if "geometry" not in frame.columns:
        return [None] * len(frame)
    geoms = np.asarray(frame["geometry"].to_numpy(), dtype=object)
    # numpy's stubs have no where() overload taking the None scalar; object arrays accept it at runtime.
    geoms = np.where(pd.isna(geoms), None, geoms)  # type: ignore[call-overload]
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
        values: dict[str, BindParameter[Any]] = {c: bindparam(f"v_{c}") for c in columns if c != key}
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
        inserted = conn.execute(
            import_batches_table.insert().values(
                file_name=file_name,
                sha256=sha256,
                rows=rows,
                imported_at=datetime.now().replace(microsecond=0),
                imported_by=imported_by,
                status="applied",
                summary=summary,
            )
        ).inserted_primary_key
        assert inserted is not None  # an executed one-row insert always has its key
        batch_id = inserted[0]
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
        bump_version(conn)
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
    changes: list[dict[str, Any]] = []
    for rec in milestones[["household_id", "stage", "date"]].itertuples(index=False):
        hid, stage = cast(str, rec.household_id), cast(str, rec.stage)
        new = _to_date(rec.date)
        old = current.get((hid, stage))
        if old == new:
            continue
        changes.append({"household_id": hid, "stage": stage, "old_date": old, "new_date": new})
        current[(hid, stage)] = new
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
        bump_version(conn)


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
        inserted = conn.execute(
            import_batches_table.insert().values(
                file_name=file_name, sha256="", rows=len(households),
                imported_at=datetime.now().replace(microsecond=0), imported_by="system",
                status="applied", summary="bulk load",
            )
        ).inserted_primary_key
        assert inserted is not None  # an executed one-row insert always has its key
        batch_id = inserted[0]
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
        bump_version(conn)
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
