"""The data model in one place: tables, column names, stage order, vocabularies.

Every other module imports its names from here, so a column is spelled once.
Geometry is stored as WKT text so SQLite and PostgreSQL need no spatial
extension; loaders turn it into GeoDataFrames in :data:`CRS` (EPSG:4326).
GCJ-02 exists only at the basemap edge (``lib.geo``), never in storage.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

CRS = "EPSG:4326"
CAMPAIGN_DAYS = 100  # 百日攻坚: day 1 is the launch day, the deadline is day 100

#: Milestone stages in their only legal order.
STAGES: tuple[str, ...] = (
    "surveyed",
    "appraised",
    "signed",
    "sealed",
    "handed_over",
    "demolished",
)
#: The stage a household is in before its first milestone.
NOT_SURVEYED = "not_surveyed"
STAGES_WITH_NONE: tuple[str, ...] = (NOT_SURVEYED, *STAGES)

# Domain vocabularies keep the ledger's own Chinese values (they are what the
# district types and what the share link carries: ?ptype=住宅); i18n
# translates them for display.
PROPERTY_TYPES: tuple[str, ...] = ("住宅", "杂物间", "非住宅")
OWNERSHIPS: tuple[str, ...] = ("私产", "公产", "单位产-央企", "单位产-省属", "单位产-市属")
HOUSEHOLD_FLAGS: tuple[str, ...] = ("孤寡老人", "困难户", "上门签约")
TEAM_KINDS: tuple[str, ...] = ("工作组", "突击队")
FLAG_SEPARATOR = "|"

metadata = MetaData()

blocks_table = Table(
    "blocks",
    metadata,
    Column("block_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("district", String(100), nullable=False, default=""),
    Column("subdistrict", String(100), nullable=False, default=""),
    Column("launch_date", Date, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("land_area_m2", Float),
    Column("geometry_wkt", Text),
)

teams_table = Table(
    "teams",
    metadata,
    Column("team_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("organisation", String(200), nullable=False, default=""),
    Column("kind", String(20), nullable=False, default="工作组"),
    Column("leader", String(100), nullable=False, default=""),
    Column("block_id", String(64), ForeignKey("blocks.block_id"), nullable=False),
)

households_table = Table(
    "households",
    metadata,
    Column("household_id", String(64), primary_key=True),
    Column("block_id", String(64), ForeignKey("blocks.block_id"), nullable=False, index=True),
    Column("team_id", String(64), ForeignKey("teams.team_id"), index=True),
    Column("address", String(300), nullable=False, default=""),
    Column("property_type", String(20), nullable=False),
    Column("ownership", String(20), nullable=False),
    Column("floor_area_m2", Float),
    Column("owner_name", String(100), nullable=False, default=""),
    Column("flags", String(200), nullable=False, default=""),
    Column("geometry_wkt", Text),
)

import_batches_table = Table(
    "import_batches",
    metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", String(300), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("rows", Integer, nullable=False, default=0),
    Column("imported_at", DateTime, nullable=False),
    Column("imported_by", String(100), nullable=False, default=""),
    Column("status", String(20), nullable=False, default="applied"),
    Column("summary", Text, nullable=False, default=""),
)

milestones_table = Table(
    "milestones",
    metadata,
    Column("household_id", String(64), ForeignKey("households.household_id"), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("date", Date, nullable=False),
    Column("import_batch_id", Integer, ForeignKey("import_batches.batch_id")),
    UniqueConstraint("household_id", "stage", name="uq_milestone_household_stage"),
)

#: The undo log: one row per milestone a batch changed, with the value it
#: replaced (``old_date`` NULL = the milestone did not exist before).
milestone_changes_table = Table(
    "milestone_changes",
    metadata,
    Column("change_id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("import_batches.batch_id"), nullable=False, index=True),
    Column("household_id", String(64), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("old_date", Date),
    Column("new_date", Date),
)

#: Key/value facts about the database; ``data_version`` is bumped by every
#: write so caches can key on it.
meta_table = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

#: The audit trail: every login (and failed login), logout, import and undo,
#: with who and from where. Failed logins are also what login throttling
#: counts, so every replica sees the same failures.
audit_log_table = Table(
    "audit_log",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),  # UTC, naive
    Column("action", String(32), nullable=False),  # one of AUDIT_ACTIONS
    Column("who", String(200), nullable=False, default=""),
    Column("client", String(64), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
)
#: What the audit trail records.
AUDIT_ACTIONS: tuple[str, ...] = ("login", "login_failed", "logout", "import", "undo")
#: 推演 What-if: named scenarios saved by editors. Not part of the ledger:
#: saving one never bumps ``data_version``; ``data_version`` and ``asof``
#: record what the scenario was made on, so a reopened one can say the data
#: has moved on since.
scenarios_table = Table(
    "scenarios",
    metadata,
    Column("scenario_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("params", Text, nullable=False),  # the what-if link's query string, as-of day excluded
    Column("asof", Date, nullable=False),
    Column("data_version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False, default=""),
)

# Column lists of the loaded frames (geometry columns become ``geometry``).
BLOCK_COLUMNS = ["block_id", "name", "district", "subdistrict", "launch_date", "deadline", "land_area_m2"]
TEAM_COLUMNS = ["team_id", "name", "organisation", "kind", "leader", "block_id"]
HOUSEHOLD_COLUMNS = [
    "household_id", "block_id", "team_id", "address", "property_type",
    "ownership", "floor_area_m2", "owner_name", "flags",
]
MILESTONE_COLUMNS = ["household_id", "stage", "date", "import_batch_id"]
SCENARIO_COLUMNS = ["scenario_id", "name", "params", "asof", "data_version", "created_at", "created_by"]
BATCH_COLUMNS = ["batch_id", "file_name", "sha256", "rows", "imported_at", "imported_by", "status", "summary"]


def deadline_for(launch: date) -> date:
    """The 100-day deadline: day 100 counted with the launch day as day 1."""
    return launch + timedelta(days=CAMPAIGN_DAYS - 1)


def stage_rank(stage: str) -> int:
    """Position of a stage in :data:`STAGES_WITH_NONE` (0 = not surveyed)."""
    try:
        return STAGES_WITH_NONE.index(stage)
    except ValueError as exc:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}") from exc


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """An empty frame with the given columns, for 'empty keeps its shape'."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def check_stage_order(dates: dict[str, date | None]) -> str | None:
    """Return the first stage dated before an earlier stage, or None if ordered.

    Missing stages are skipped: a household may be sealed with no survey date
    recorded, but never sealed before it was signed.
    """
    latest: tuple[str, date] | None = None
    for stage in STAGES:
        d = dates.get(stage)
        if d is None or (isinstance(d, float) and pd.isna(d)) or d is pd.NaT:
            continue
        if latest is not None and d < latest[1]:
            return stage
        latest = (stage, d)
    return None


# ------------------------------------------------------------------ values

#: Cell starts that a spreadsheet would evaluate as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_missing(value: object) -> bool:
    """True for every spelling of "no value": None, pandas NA and NaT, and float NaN."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def neutralise(value: object) -> object:
    """``value`` made safe for a spreadsheet: a text starting with = + - @ (or tab/CR) gets a leading '.

    Numbers, dates and other texts pass unchanged, so only what Excel would
    run as a formula is touched.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
