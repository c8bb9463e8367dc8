"""Validate before writing: a ledger checked against itself and the current data.

:func:`validate` turns the raw tables of :mod:`lib.ingest.read` into a
:class:`Report`: every problem by sheet, row (as Excel shows it) and column
(the file's own header text) in Chinese and English, errors apart from
warnings, a change summary (+12 签约, +9 封房, 2 corrected dates) and the
frames ``store.apply_import`` takes (changes only). It never writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from lib import schema
from lib.ingest.messages import Message, Term, msg
from lib.ingest.model import Ledger, Note, Table
from lib.ingest.read import ALIASES, STAGE_FIELDS, Progress, parse_date_cells
from lib.ingest.report import Changes, Problem, Report

if TYPE_CHECKING:
    from lib.store import Campaign


#: Status-column values → (stage reached or None, highest stage allowed).
STATUS_VALUES: dict[str, tuple[str | None, str]] = {
    **dict.fromkeys(("未入户", "未调查", "未入户调查"), (None, schema.NOT_SURVEYED)),
    **dict.fromkeys(("已入户", "已调查", "已入户调查", "入户调查"), ("surveyed", "surveyed")),
    **dict.fromkeys(("已评估", "评估"), ("appraised", "appraised")),
    **dict.fromkeys(("未签约", "未签"), (None, "appraised")),
    **dict.fromkeys(("已签约", "签约", "已签"), ("signed", "signed")),
    **dict.fromkeys(("未封房",), (None, "signed")),
    **dict.fromkeys(("已封房", "封房", "已搬迁", "已腾空"), ("sealed", "sealed")),
    **dict.fromkeys(("已交房", "交房", "已移交"), ("handed_over", "handed_over")),
    **dict.fromkeys(("已拆除", "拆除"), ("demolished", "demolished")),
}
PROPERTY_SYNONYMS = {"住宅": "住宅", "居住": "住宅", "住房": "住宅", "杂物间": "杂物间", "杂物房": "杂物间",
                     "非住宅": "非住宅", "非住宅用房": "非住宅", "商业": "非住宅", "厂房": "非住宅", "办公": "非住宅"}
OWNERSHIP_SYNONYMS = {"私产": "私产", "私房": "私产", "私有": "私产", "公产": "公产", "公房": "公产", "直管公房": "公产",
                      **{o.replace("-", ""): o for o in schema.OWNERSHIPS if "-" in o},
                      **{o.split("-")[1]: o for o in schema.OWNERSHIPS if "-" in o}}
_TRUE = {"√", "✓", "✔", "是", "有", "1", "y", "yes", "true", "x", "●", "○"}
_FLAG_SPLIT = re.compile(r"[|｜,，、;；/\s]+")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_NOT_TEXT = ("launch_date", "deadline", "status")


# --------------------------------------------------------------------------
# Validation: typed rows, one function per check


@dataclass(frozen=True)
class BlockRow:
    """One block as the import would write it."""

    block_id: str
    name: str
    district: str
    subdistrict: str
    launch_date: date
    deadline: date
    land_area_m2: float | None


@dataclass(frozen=True)
class TeamRow:
    """One team as the import would write it."""

    team_id: str
    name: str
    organisation: str
    kind: str
    leader: str
    block_id: str


@dataclass(frozen=True)
class HouseholdRow:
    """One household as the import would write it."""

    household_id: str
    block_id: str
    team_id: str | None
    address: str
    property_type: str
    ownership: str
    floor_area_m2: float | None
    owner_name: str
    flags: str


@dataclass(frozen=True)
class Where:
    """A row of the file: its table and its spreadsheet row."""

    table: Table
    row: int


#: A table's rows as text (dates still raw), with ``_row`` the spreadsheet row of each.
Rows = list[tuple[Table, pd.DataFrame]]


@dataclass
class Current:
    """The stored campaign, indexed by id once, for every check to compare against."""

    blocks: dict[str, dict[str, Any]]
    teams: dict[str, dict[str, Any]]
    households: dict[str, dict[str, Any]]
    geometry: dict[str, Any]
    dates: dict[str, dict[str, date | None]]
    block_geometry: dict[str, Any]
    version: int | None

    @classmethod
    def of(cls, current: Campaign | None) -> Current:
        """Index ``store.load_frames``'s campaign (None: an empty database)."""
        hh = getattr(current, "households", None)
        bl = getattr(current, "blocks", None)
        return cls(
            blocks=_indexed(bl, "block_id", schema.BLOCK_COLUMNS),
            teams=_indexed(getattr(current, "teams", None), "team_id", schema.TEAM_COLUMNS),
            households=_indexed(hh, "household_id", schema.HOUSEHOLD_COLUMNS),
            geometry=_geometries(hh, "household_id"),
            dates=_current_dates(hh),
            block_geometry=_geometries(bl, "block_id"),
            version=getattr(current, "data_version", None),
        )


@dataclass
class Findings:
    """What the checks say besides rows: problems, notes and the change counts."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def add(self, severity: str, code: str, table: Table | str, row: int | None, field_or_col: str,
            message_key: str, /, **params: Any) -> None:
        """Record a problem at a table's field (its header text is shown) or at a named column."""
        sheet = table.sheet if isinstance(table, Table) else table
        column = table.headers.get(field_or_col, field_or_col) if isinstance(table, Table) else field_or_col
        self.problems.append(Problem(severity, code, sheet, row, column, Message(message_key, params)))

    def error(self, *args: Any, **params: Any) -> None:
        """An error: the import is refused."""
        self.add("error", *args, **params)

    def warning(self, *args: Any, **params: Any) -> None:
        """A warning: the user may accept it."""
        self.add("warning", *args, **params)


@dataclass
class Refs:
    """Lookups for references by id or name; the file's own rows override the stored ones."""

    block_names: dict[str, str]
    block_ids: set[str]
    teams: dict[str, dict[str, Any]]
    team_names: dict[str, list[str]]

    @classmethod
    def of(cls, cur: Current, blocks: dict[str, BlockRow], teams: dict[str, TeamRow] | None = None) -> Refs:
        """References known after reading the file's blocks (and teams)."""
        known_blocks = {**{b: r["name"] for b, r in cur.blocks.items()}, **{b: r.name for b, r in blocks.items()}}
        known_teams = {**cur.teams, **{tid: asdict(r) for tid, r in (teams or {}).items()}}
        team_names: dict[str, list[str]] = {}
        for tid, r in known_teams.items():
            team_names.setdefault(r["name"], []).append(tid)
        return cls({name: bid for bid, name in known_blocks.items()}, set(known_blocks), known_teams, team_names)


def validate(
    ledger: Ledger,
    current: Campaign | None = None,
    *,
    as_of: date | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check a ledger against itself and the current data; write nothing.

    Args:
        ledger: what :func:`read_ledger` returned.
        current: the campaign as ``store.load_frames`` gives it (None = empty database).
        as_of: the ledger's as-of day (default: the one read from the file).
        today: the latest day a date may carry when the file names no as-of
            day (default: the wall clock).
        progress: called with (fraction done, step name) so a page can show a
            progress bar on long imports.

    Returns:
        The report; its frames are ready for ``store.apply_import`` (changes only).
    """
    step = progress or (lambda _f, _s: None)
    as_of = as_of or ledger.as_of
    cur = Current.of(current)
    found = Findings(notes=list(ledger.notes))
    step(0.0, "blocks")
    blocks = check_blocks(text_rows(ledger, "blocks"), cur, found)
    teams = check_teams(text_rows(ledger, "teams"), cur, found, blocks)
    step(0.1, "households")
    household_rows = text_rows(ledger, "households")
    households = check_households(household_rows, cur, found, blocks, teams)
    step(0.5, "progress")
    in_file = {h for _, f in household_rows for h in f["household_id"] if h}
    known = set(cur.households) | set(households) | in_file  # a household row with its own error still exists
    given, where = check_progress(text_rows(ledger, "progress"), found, known, as_of=as_of,
                                  limit=as_of or today or date.today())
    given = check_statuses(given, where, cur, found, as_of)
    milestones = milestone_changes(given, where, cur, found)
    step(0.9, "footprints")
    footprints = check_footprints(ledger, cur, found, households)
    household_frame = household_changes(households, footprints, cur, found.changes)
    step(1.0, "done")
    rows = sum(len(t.frame) for t in ledger.tables) + (len(ledger.footprints) if ledger.footprints is not None else 0)
    found.problems.sort(key=lambda p: (p.severity != "error", p.sheet, p.row or 0))
    block_frame = changed_rows(blocks, schema.BLOCK_COLUMNS, cur.blocks, found.changes, "blocks")
    if block_frame is not None:  # keep each block's stored boundary: the upsert writes whatever it is given
        block_frame["geometry"] = [cur.block_geometry.get(b) for b in block_frame["block_id"]]
    return Report(
        file_name=ledger.file_name, sha256=ledger.sha256, rows=rows, as_of=as_of,
        problems=found.problems, notes=found.notes, changes=found.changes, blocks=block_frame,
        teams=changed_rows(teams, schema.TEAM_COLUMNS, cur.teams, found.changes, "teams"),
        households=household_frame, milestones=milestones, base_version=cur.version, ledger=ledger,
    )


def text_rows(ledger: Ledger, kind: str) -> Rows:
    """The tables of one kind with every text field as text (absent ones blank) and ``_row`` added."""
    out = []
    for t in ledger.tables_of(kind):
        frame = t.frame.copy()
        for f in frame.columns:
            if not f.startswith("date_") and f not in ("launch_date", "deadline"):
                frame[f] = frame[f].map(_text)
        for f in ALIASES[kind]:  # absent text fields read as blank cells
            if f not in frame.columns and not f.startswith(("date_", "flag:")) and f not in _NOT_TEXT:
                frame[f] = ""
        frame["_row"] = t.rows
        out.append((t, frame))
    return out


def check_duplicates(items: Rows, key: str, found: Findings) -> set[tuple[int, int]]:
    """Warn on identical repeated rows, error on conflicting ones; returns (table index, position) to skip."""
    seen: dict[str, tuple[Table, int, dict]] = {}
    skip: set[tuple[int, int]] = set()
    counts = pd.concat([f[key] for _, f in items]).value_counts() if items else pd.Series(dtype=int)
    repeated = set(counts.index[counts > 1]) - {""}
    for ti, (t, frame) in enumerate(items):
        cols = [c for c in frame.columns if not c.startswith("_")]
        for pos, (k, row) in enumerate(zip(frame[key], frame["_row"], strict=False)):
            if k not in repeated:
                continue
            vals = {c: x for c in cols if (x := _text(frame[c].iat[pos]))}
            if k not in seen:
                seen[k] = (t, int(row), vals)
                continue
            t0, row0, vals0 = seen[k]
            where = (msg("ingest.where.same_sheet", row=row0) if t0 is t
                     else msg("ingest.where.other_sheet", sheet=t0.sheet, row=row0))
            if vals == vals0:
                found.warning("duplicate_row", t, int(row), key, "ingest.duplicate_row", where=where, key=k)
            else:
                found.error("duplicate_conflict", t, int(row), key, "ingest.duplicate_conflict", where=where, key=k)
            skip.add((ti, pos))
    return skip


def check_blocks(items: Rows, cur: Current, found: Findings) -> dict[str, BlockRow]:
    """Blocks: a name or id, a launch date, a deadline not before it, an area that is a number."""
    names = {r["name"]: bid for bid, r in cur.blocks.items()}
    for _, frame in items:
        frame["block_id"] = [b or names.get(n, n) for b, n in zip(frame["block_id"], frame["name"], strict=False)]
    skip = check_duplicates(items, "block_id", found)
    out: dict[str, BlockRow] = {}
    for ti, (t, frame) in enumerate(items):
        launch, bad_launch = _dates(t, frame, "launch_date")
        deadline, bad_deadline = _dates(t, frame, "deadline")
        for pos, r in enumerate(frame.to_dict("records")):
            row, bid = int(r["_row"]), r["block_id"]
            if (ti, pos) in skip:
                continue
            if not bid:
                found.error("missing_value", t, row, "name", "ingest.block.no_name")
                continue
            old = cur.blocks.get(bid, {})
            name = r.get("name") or old.get("name") or bid
            area = check_number(r.get("land_area_m2", ""), old.get("land_area_m2"), Where(t, row), "land_area_m2",
                                found)
            if bad_launch.iloc[pos]:
                report_bad_date(t.frame["launch_date"].iloc[pos], Where(t, row), "launch_date", found)
                continue
            launch_date = launch.iloc[pos] or _as_date(old.get("launch_date"))
            if launch_date is None:
                found.error("missing_value", t, row, "launch_date" if "launch_date" in t.headers else "",
                            "ingest.block.no_launch", name=name)
                continue
            if bad_deadline.iloc[pos]:
                report_bad_date(t.frame["deadline"].iloc[pos], Where(t, row), "deadline", found)
                continue
            given = deadline.iloc[pos]
            stored = _as_date(old.get("deadline"))
            if given is None:
                given = stored if stored and _as_date(old.get("launch_date")) == launch_date else None
            due = given or schema.deadline_for(launch_date)
            if due < launch_date:
                found.error("deadline_before_launch", t, row, "deadline", "ingest.block.deadline_before_launch",
                            deadline=due, launch=launch_date)
                continue
            out[bid] = BlockRow(bid, name, r.get("district") or old.get("district") or "",
                                r.get("subdistrict") or old.get("subdistrict") or "", launch_date, due,
                                area if area is not False else old.get("land_area_m2"))
    return out


def check_teams(items: Rows, cur: Current, found: Findings, blocks: dict[str, BlockRow]) -> dict[str, TeamRow]:
    """Teams: a name or id, a known kind, a block that exists (by name or id)."""
    refs = Refs.of(cur, blocks)
    for t, frame in items:
        frame["_block"] = [resolve_block(ref, refs, Where(t, int(row)), found)
                           for ref, row in zip(frame["block"], frame["_row"], strict=False)]
        frame["team_id"] = [tid or team_id_for(name, blk, cur) for tid, name, blk
                            in zip(frame["team_id"], frame["name"], frame["_block"], strict=False)]
    skip = check_duplicates(items, "team_id", found)
    out: dict[str, TeamRow] = {}
    for ti, (t, frame) in enumerate(items):
        for pos, r in enumerate(frame.to_dict("records")):
            row, tid = int(r["_row"]), r["team_id"]
            if (ti, pos) in skip or r["_block"] is False:
                continue
            if not tid:
                found.error("missing_value", t, row, "name", "ingest.team.no_name")
                continue
            old = cur.teams.get(tid, {})
            kind = r.get("kind") or old.get("kind") or "工作组"
            if kind not in schema.TEAM_KINDS:
                found.error("bad_value", t, row, "kind", "ingest.team.bad_kind", kind=kind, kinds=list(schema.TEAM_KINDS))
                continue
            block = r["_block"] or old.get("block_id")
            if not block:
                found.error("missing_value", t, row, "block" if "block" in t.headers else "",
                            "ingest.team.no_block", name=r.get("name") or tid)
                continue
            out[tid] = TeamRow(tid, r.get("name") or old.get("name") or tid,
                               r.get("organisation") or old.get("organisation") or "", kind,
                               r.get("leader") or old.get("leader") or "", block)
    return out


def team_id_for(name: str, block: Any, cur: Current) -> str:
    """The id of a team the file names but does not number: a stored team of that name, else a new id."""
    if not name:
        return ""
    matches = [tid for tid, r in cur.teams.items() if r["name"] == name]
    same_block = [tid for tid in matches if cur.teams[tid]["block_id"] == block]
    if same_block:
        return same_block[0]
    if len(matches) == 1 and not block:
        return matches[0]
    return name if name not in cur.teams else f"{block}-{name}"


def resolve_block(ref: str, refs: Refs, at: Where, found: Findings) -> Any:
    """Block id for a reference by id or name; None when blank, False when unknown (an error)."""
    if not ref:
        return None
    if ref in refs.block_ids:
        return ref
    if ref in refs.block_names:
        return refs.block_names[ref]
    found.error("unknown_block", at.table, at.row, "block", "ingest.unknown_block", ref=ref)
    return False


def resolve_team(ref: str, block: str | None, refs: Refs, at: Where, found: Findings) -> Any:
    """Team id for a reference by id, or by name within the household's block; False when unknown or ambiguous."""
    if not ref:
        return None
    if ref in refs.teams:
        return ref
    named = refs.team_names.get(ref, [])
    in_block = [tid for tid in named if refs.teams[tid]["block_id"] == block]
    if len(in_block) == 1 or len(named) == 1:
        return (in_block or named)[0]
    if named:
        found.error("ambiguous_team", at.table, at.row, "team", "ingest.ambiguous_team", ref=ref)
    else:
        found.error("unknown_team", at.table, at.row, "team", "ingest.unknown_team", ref=ref)
    return False


def check_households(items: Rows, cur: Current, found: Findings, blocks: dict[str, BlockRow],
                     teams: dict[str, TeamRow]) -> dict[str, HouseholdRow]:
    """Households: an id, a block and team that exist, a known use and ownership, an area, known flags."""
    refs = Refs.of(cur, blocks, teams)
    skip = check_duplicates(items, "household_id", found)
    out: dict[str, HouseholdRow] = {}
    for ti, (t, frame) in enumerate(items):
        flag_cols = [c for c in frame.columns if c.startswith("flag:")]
        for pos, r in enumerate(frame.to_dict("records")):
            row, hid = int(r["_row"]), r["household_id"]
            at = Where(t, row)
            if (ti, pos) in skip:
                continue
            if not hid:
                found.error("missing_value", t, row, "household_id", "ingest.household.no_id")
                continue
            old = cur.households.get(hid, {})
            block = resolve_block(r.get("block", ""), refs, at, found)
            block = old.get("block_id") if block is None else block
            if block is None:
                found.error("missing_value", t, row, "block" if "block" in t.headers else "household_id",
                            "ingest.household.no_block", hid=hid)
            team = resolve_team(r.get("team", ""), block, refs, at, found)
            team = old.get("team_id") if team is None else team
            ptype = check_vocab(r.get("property_type", ""), PROPERTY_SYNONYMS, schema.PROPERTY_TYPES,
                                old.get("property_type"), hid, at, "property_type", found)
            owner = check_vocab(r.get("ownership", ""), OWNERSHIP_SYNONYMS, schema.OWNERSHIPS, old.get("ownership"),
                                hid, at, "ownership", found)
            area = check_number(r.get("floor_area_m2", ""), old.get("floor_area_m2"), at, "floor_area_m2", found)
            flags = check_flags(r, flag_cols, old.get("flags", ""), at, found)
            if not (block and team is not False and ptype and owner and area is not False):
                continue
            out[hid] = HouseholdRow(hid, block, team or None, r.get("address") or old.get("address") or "", ptype,
                                    owner, area, r.get("owner_name") or old.get("owner_name") or "", flags)
            if team and refs.teams.get(team, {}).get("block_id") not in (block, None):
                found.warning("team_other_block", t, row, "team", "ingest.team.other_block", team=r.get("team"))
    return out


def check_vocab(value: str, synonyms: dict[str, str], allowed: Sequence[str], current: Any, hid: str, at: Where,
                f: str, found: Findings) -> str | None:
    """A value from a fixed list (房屋用途, 产权性质), its usual synonyms accepted; None when missing or unknown."""
    if not value:
        if current:
            return str(current)
        found.error("missing_value", at.table, at.row, f if f in at.table.headers else "household_id",
                    "ingest.household.no_value", hid=hid, what=Term("ingest.field", f))
        return None
    key = re.sub(r"[\s（）()—–\-_·]", "", value)
    if value in allowed:
        return value
    if key in synonyms:
        return synonyms[key]
    found.error("bad_value", at.table, at.row, f, "ingest.bad_value", value=value, allowed=list(allowed))
    return None


def check_number(value: str, current: Any, at: Where, f: str, found: Findings) -> Any:
    """An area in m² (㎡, 平米 and thousands separators accepted); the stored one when blank, False when bad."""
    if not value:
        return None if current is None or pd.isna(current) else float(current)
    s = re.sub(r"[,，\s]|㎡|m2|m²|平方米|平米", "", value)
    if not _NUMBER.match(s) or float(s) < 0:
        found.error("bad_number", at.table, at.row, f, "ingest.bad_number", value=value)
        return False
    return float(s)


def check_flags(r: dict[Any, Any], flag_cols: list[str], current: str, at: Where, found: Findings) -> str:
    """The household's flags from a 标记 column (any separator) and √ columns; unknown ones warned and dropped."""
    text = r.get("flags", "")
    if not text and not flag_cols:
        return current or ""
    chosen = set()
    for part in _FLAG_SPLIT.split(text):
        if not part:
            continue
        if part in schema.HOUSEHOLD_FLAGS:
            chosen.add(part)
        else:
            found.warning("unknown_flag", at.table, at.row, "flags", "ingest.unknown_flag", flag=part,
                          known=list(schema.HOUSEHOLD_FLAGS))
    for c in flag_cols:
        if r[c].lower() in _TRUE:
            chosen.add(c.split(":", 1)[1])
    return schema.FLAG_SEPARATOR.join(f for f in schema.HOUSEHOLD_FLAGS if f in chosen)


def report_bad_date(raw: Any, at: Where, f: str, found: Findings) -> None:
    """A cell in a date column that is no date."""
    found.error("bad_date", at.table, at.row, f, "ingest.bad_date", value=_text(raw))


#: household -> stage -> date (None: the file says the stage is not reached)
Given = dict[str, dict[str, date | None]]


def check_progress(items: Rows, found: Findings, known: set[str], *, as_of: date | None,
                   limit: date) -> tuple[Given, dict[str, tuple[Where, str | None]]]:
    """Progress rows: a household that exists, dates that are dates and not after the as-of day.

    Returns the dates each household's row gives, and where each row is (with
    its status cell when the sheet has a status column and no date columns).
    """
    skip = check_duplicates(items, "household_id", found)
    given_by: Given = {}
    where: dict[str, tuple[Where, str | None]] = {}
    for ti, (t, frame) in enumerate(items):
        stage_cols = [f for f in STAGE_FIELDS if f in frame.columns]
        parsed = {f: tuple(x.tolist() for x in _dates(t, frame, f)) for f in stage_cols}
        status = frame["status"].tolist() if "status" in frame.columns and not stage_cols else None
        if stage_cols and "status" in frame.columns:
            found.notes.append(Note(t.sheet, msg("ingest.note.status_unused")))
        for pos, (hid, row) in enumerate(zip(frame["household_id"], frame["_row"], strict=False)):
            row = int(row)
            if (ti, pos) in skip:
                continue
            if not hid:
                found.error("missing_value", t, row, "household_id", "ingest.household.no_id")
                continue
            if hid not in known:
                found.error("unknown_household", t, row, "household_id", "ingest.unknown_household", hid=hid)
                continue
            where[hid] = (Where(t, row), status[pos] if status is not None else None)
            given: dict[str, date | None] = {}
            for f in stage_cols:
                dates, bad = parsed[f]
                if bad[pos]:
                    report_bad_date(t.frame[f].iloc[pos], Where(t, row), f, found)
                    continue
                d = dates[pos]
                if d is not None and d > limit:
                    day = msg("ingest.limit.as_of", day=as_of) if as_of else msg("ingest.limit.today", day=limit)
                    found.error("after_as_of", t, row, f, "ingest.after_as_of", date=d, limit=day)
                    continue
                given[f[5:]] = d
            given_by[hid] = given
    return given_by, where


def check_statuses(given: Given, where: dict[str, tuple[Where, str | None]], cur: Current, found: Findings,
                   as_of: date | None) -> Given:
    """A status column (已签约, 已封房 …) instead of dates: stages reached on the as-of day, later ones undone."""
    statuses = {hid: (at, raw) for hid, (at, raw) in where.items() if raw is not None}
    if statuses and as_of is None:
        at, _ = next(iter(statuses.values()))
        found.error("status_without_as_of", at.table, None, "status", "ingest.status_without_as_of")
        return given
    for hid, (at, raw) in statuses.items():
        value = re.sub(r"\s", "", raw)
        if not value:
            continue
        if value not in STATUS_VALUES:
            found.error("bad_status", at.table, at.row, "status", "ingest.bad_status", value=raw)
            continue
        reached, cap = STATUS_VALUES[value]
        old = cur.dates.get(hid, {})
        dates = given[hid]
        cap_rank = schema.stage_rank(cap)
        for s in schema.STAGES:
            if schema.stage_rank(s) > cap_rank and old.get(s) is not None:
                dates[s] = None
        if reached is not None:
            first = "signed" if schema.stage_rank(reached) >= schema.stage_rank("signed") else reached
            for s in schema.STAGES[schema.STAGES.index(first): schema.STAGES.index(reached) + 1]:
                if old.get(s) is None:
                    dates[s] = as_of
    return given


def milestone_changes(given: Given, where: dict[str, tuple[Where, str | None]], cur: Current,
                      found: Findings) -> pd.DataFrame | None:
    """The milestones that change, in stage order; a stage before an earlier one is an error, a removal a warning."""
    records = []
    order_rows = []
    changes = found.changes
    for hid, dates in given.items():
        old = cur.dates.get(hid, {})
        at = where[hid][0]
        merged = {s: dates.get(s, old.get(s)) for s in schema.STAGES}
        bad = schema.check_stage_order(merged)
        if bad is not None:
            order_rows.append((hid, at, bad, merged, dates))
            continue
        for s, d in dates.items():
            before = old.get(s)
            if d == before:
                continue
            if d is None:
                col = f"date_{s}"
                found.warning("stage_regressed", at.table, at.row, col if col in at.table.headers else "status",
                              "ingest.stage_regressed", hid=hid, stage=Term("ingest.stage", s), old=before)
                changes.removed[s] = changes.removed.get(s, 0) + 1
            elif before is None:
                changes.added[s] = changes.added.get(s, 0) + 1
            else:
                changes.corrected += 1
            records.append({"household_id": hid, "stage": s, "date": d})
    for hid, at, bad, merged, dates in order_rows:
        earlier = [s for s in schema.STAGES[: schema.STAGES.index(bad)] if merged[s] is not None]
        prev = max(earlier, key=lambda s: merged[s] or date.min)
        col = f"date_{bad}" if bad in dates else f"date_{prev}"
        col = col if col in at.table.headers else "status"
        found.error("stage_order", at.table, at.row, col, "ingest.stage_order", hid=hid,
                    stage=Term("ingest.stage", bad), date=merged[bad], prev=Term("ingest.stage", prev),
                    prev_date=merged[prev])
    changes.added = {s: changes.added[s] for s in schema.STAGES if s in changes.added}
    changes.removed = {s: changes.removed[s] for s in schema.STAGES if s in changes.removed}
    if not records:
        return None
    return pd.DataFrame(records, columns=["household_id", "stage", "date"])


def check_footprints(ledger: Ledger, cur: Current, found: Findings,
                     households: dict[str, HouseholdRow]) -> dict[str, Any]:
    """Footprints of known households that are polygons (repaired when invalid); the first of several is used."""
    fp = ledger.footprints
    sheet = ledger.footprints_sheet
    geoms: dict[str, Any] = {}
    if fp is None:
        return geoms
    known = set(cur.households) | set(households)
    for hid, feature, geom in zip(fp["household_id"], fp["feature"], fp.geometry, strict=False):
        if not hid or hid not in known:
            found.warning("unknown_household", sheet, int(feature), "户号", "ingest.footprint.unknown", hid=hid)
            continue
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            kind = msg("ingest.footprint.empty") if geom is None or geom.is_empty else geom.geom_type
            found.warning("bad_geometry", sheet, int(feature), "geometry", "ingest.footprint.not_polygon",
                          hid=hid, kind=kind)
            continue
        if hid in geoms:
            found.warning("duplicate_row", sheet, int(feature), "户号", "ingest.footprint.duplicate", hid=hid)
            continue
        geoms[hid] = geom if geom.is_valid else shapely.make_valid(geom)
    return geoms


def household_changes(households: dict[str, HouseholdRow], geoms: dict[str, Any], cur: Current,
                      changes: Changes) -> pd.DataFrame | None:
    """The household rows to write (new, changed, or with a new footprint), counted into ``changes``."""
    ids = []
    for hid, rec in households.items():
        old = cur.households.get(hid)
        if old is None:
            changes.new_households += 1
        elif any(_comparable(getattr(rec, c)) != _comparable(old.get(c)) for c in schema.HOUSEHOLD_COLUMNS):
            changes.updated_households += 1
        elif hid not in geoms:
            continue
        ids.append(hid)
    for hid, geom in geoms.items():
        stored = cur.geometry.get(hid)
        if stored is not None and stored.equals(geom):
            continue
        changes.footprints += 1
        if hid not in ids:
            ids.append(hid)
    final_ids = set(cur.households) | set(households)
    on_map = {h for h, g in cur.geometry.items() if g is not None} | set(geoms)
    changes.not_on_map = len(final_ids - on_map)
    if not ids:
        return None
    recs = []
    for hid in ids:
        record = asdict(households[hid]) if hid in households else dict(cur.households[hid])
        record["geometry"] = geoms.get(hid, cur.geometry.get(hid))
        recs.append(record)
    return pd.DataFrame(recs, columns=[*schema.HOUSEHOLD_COLUMNS, "geometry"])


def changed_rows(rows: dict[str, Any], columns: list[str], current: dict[str, dict[str, Any]], changes: Changes,
                 what: str) -> pd.DataFrame | None:
    """The block or team rows that are new or differ from the stored ones, counted as new_/updated_``what``."""
    out = []
    for key, rec in rows.items():
        old = current.get(key)
        if old is None:
            setattr(changes, f"new_{what}", getattr(changes, f"new_{what}") + 1)
        elif any(_comparable(getattr(rec, c)) != _comparable(old.get(c)) for c in columns):
            setattr(changes, f"updated_{what}", getattr(changes, f"updated_{what}") + 1)
        else:
            continue
        out.append(asdict(rec))
    return pd.DataFrame(out, columns=columns) if out else None


# --------------------------------------------------------------------------
# Small pure helpers


def _text(v: Any) -> str:
    """A cell as text: numbers without a spurious .0, dates as ISO, export's ' neutraliser undone."""
    try:
        return _cached_text(v)
    except TypeError:  # unhashable
        return _uncached_text(v)


def _uncached_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    if hasattr(v, "date") and hasattr(v, "hour"):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    s = re.sub(r"[\s\u3000\xa0]+", " ", str(v)).strip()
    if len(s) > 1 and s[0] == "'" and s[1] in "=+-@":
        s = s[1:]  # our own export's formula neutraliser
    elif s.startswith('="') and s.endswith('"') and len(s) >= 3:
        s = s[2:-1]  # ="00123": how csv exports keep leading zeros
    return s


_cached_text = lru_cache(maxsize=65536, typed=True)(_uncached_text)


def _comparable(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    if isinstance(v, (pd.Timestamp,)):
        return v.date()
    if isinstance(v, (float, np.floating)):
        return round(float(v), 6)
    return v


def _as_date(v: Any) -> date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "date") and hasattr(v, "hour"):
        return v.date()
    return v if isinstance(v, date) else None


def _dates(t: Table, frame: pd.DataFrame, f: str) -> tuple[pd.Series, pd.Series]:
    if f not in frame.columns:
        n = len(frame)
        return pd.Series([None] * n, dtype=object), pd.Series([False] * n)
    return parse_date_cells(frame[f].reset_index(drop=True), t.epoch)


def _indexed(frame: pd.DataFrame | None, key: str, columns: list[str]) -> dict[str, dict]:
    if frame is None or len(frame) == 0:
        return {}
    cols = [c for c in columns if c in frame.columns]
    recs = frame[cols].to_dict("records")
    for r in recs:
        for k, val in r.items():
            if isinstance(val, pd.Timestamp):
                r[k] = val.date()
            elif val is pd.NaT or (isinstance(val, float) and val != val):
                r[k] = None
    return {str(r[key]): r for r in recs}


def _geometries(frame: pd.DataFrame | None, key: str) -> dict[str, Any]:
    """Id -> stored shapely geometry (None when there is none)."""
    if frame is None or len(frame) == 0 or "geometry" not in frame.columns:
        return {}
    return {str(k): (None if g is None or (isinstance(g, float) and g != g) or g.is_empty else g)
            for k, g in zip(frame[key], frame["geometry"], strict=False)}


def _current_dates(hh: pd.DataFrame | None) -> dict[str, dict[str, date | None]]:
    if hh is None or len(hh) == 0:
        return {}
    out: dict[str, dict[str, date | None]] = {}
    cols = [f"date_{s}" for s in schema.STAGES if f"date_{s}" in hh.columns]
    frame = hh[["household_id", *cols]]
    for rec in frame.to_dict("records"):
        out[str(rec["household_id"])] = {c[5:]: _as_date(rec[c]) for c in cols}
    return out

