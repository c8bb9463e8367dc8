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
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from lib import i18n, schema
from lib.i18n import LANGS
from lib.ingest.messages import Message, Term, msg
from lib.ingest.model import Ledger, Note, Table
from lib.ingest.read import ALIASES, STAGE_FIELDS, Progress, parse_date_cells

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


@dataclass(frozen=True)
class Problem:
    """One problem, located as the user sees it in Excel.

    ``row`` is the 1-based spreadsheet row (None for a problem of a whole
    column or file); ``column`` is the file's own header text. :meth:`text`
    names sheet, row and column; :meth:`body` is the message alone.
    """

    severity: str  # "error" | "warning"
    code: str
    sheet: str
    row: int | None
    column: str
    message: Message

    def body(self, lang: str) -> str:
        """The message without its place (for a table whose columns show the place)."""
        return self.message.text(lang)

    def text(self, lang: str) -> str:
        """The message led by its place: “进度”表第 3 行“签约日期”列：…"""
        where = i18n.t("ingest.where.sheet", lang, sheet=self.sheet)
        if self.row is not None:
            where += i18n.t("ingest.where.row", lang, row=self.row)
        if self.column:
            where += i18n.t("ingest.where.column", lang, column=self.column)
        return i18n.t("ingest.where.lead", lang, where=where, text=self.body(lang))

    @property
    def message_zh(self) -> str:
        """The located message in Chinese."""
        return self.text("zh")

    @property
    def message_en(self) -> str:
        """The located message in English."""
        return self.text("en")


@dataclass
class Changes:
    """What the import changes compared with the current data."""

    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    corrected: int = 0
    new_blocks: int = 0
    new_teams: int = 0
    new_households: int = 0
    updated_blocks: int = 0
    updated_teams: int = 0
    updated_households: int = 0
    footprints: int = 0
    not_on_map: int = 0

    @property
    def empty(self) -> bool:
        """True when applying would change nothing."""
        return not (self.added or self.removed or self.corrected or self.new_blocks or self.new_teams
                    or self.new_households or self.updated_blocks or self.updated_teams
                    or self.updated_households or self.footprints)

    def counts(self) -> dict[str, Any]:
        """The changes as counts only (JSON-ready): how the import history stores them, in no language."""
        out: dict[str, Any] = {}
        if self.added:
            out["added"] = dict(self.added)
        if self.removed:
            out["removed"] = dict(self.removed)
        for name in _COUNTED:
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_counts(cls, counts: dict[str, Any]) -> Changes:
        """The inverse of :meth:`counts`."""
        return cls(added=dict(counts.get("added", {})), removed=dict(counts.get("removed", {})),
                   **{name: int(counts.get(name, 0)) for name in _COUNTED})

    def text(self, lang: str) -> str:
        """The one-line summary in ``lang``: +12 签约，+9 封房，2 处日期更正 …"""
        added = [(s, self.added[s]) for s in schema.STAGES if self.added.get(s)]
        removed = [(s, self.removed[s]) for s in schema.STAGES if self.removed.get(s)]
        parts = [i18n.t("ingest.change.added", lang, n=n, stage=i18n.t(f"ingest.stage.{s}", lang)) for s, n in added]
        parts += [i18n.t("ingest.change.removed", lang, n=n, stage=i18n.t(f"ingest.stage.{s}", lang))
                  for s, n in removed]
        for name in _COUNTED[:-1]:
            n = getattr(self, name)
            if n:
                parts.append(_plural(f"ingest.change.{name}", n, lang))
        text = i18n.t("ingest.change.separator", lang).join(parts) if parts else i18n.t("ingest.change.none", lang)
        return text + (i18n.t("ingest.change.not_on_map", lang, n=self.not_on_map) if self.not_on_map else "")

    def text_zh(self) -> str:
        """The summary in Chinese."""
        return self.text("zh")

    def text_en(self) -> str:
        """The summary in English."""
        return self.text("en")


#: The plain counts of :class:`Changes`, in the order the summary says them (not_on_map last).
_COUNTED = ("corrected", "new_blocks", "new_teams", "new_households", "updated_blocks", "updated_teams",
            "updated_households", "footprints", "not_on_map")


def _plural(key: str, n: int, lang: str) -> str:
    """``key`` for a count: ``key.1`` when there is exactly one (English needs it)."""
    return i18n.t(f"{key}.1" if n == 1 else key, lang, n=n)


@dataclass
class Report:
    """The preview of an import: problems, change summary and the frames to write."""

    file_name: str
    sha256: str
    rows: int
    as_of: date | None
    problems: list[Problem]
    notes: list[Note]
    changes: Changes
    blocks: pd.DataFrame | None
    teams: pd.DataFrame | None
    households: pd.DataFrame | None
    milestones: pd.DataFrame | None
    base_version: int | None
    ledger: Ledger | None = None

    @property
    def errors(self) -> list[Problem]:
        """Problems that block the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems the user may accept."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks the import."""
        return not self.errors

    def problems_frame(self) -> pd.DataFrame:
        """The problems as a table (severity, sheet, row, column, messages)."""
        cols = ["severity", "code", "sheet", "row", "column", "message_zh", "message_en"]
        records = [(p.severity, p.code, p.sheet, p.row, p.column, p.message_zh, p.message_en) for p in self.problems]
        return pd.DataFrame(records, columns=cols).astype({"row": "Int64"})

    def to_text(self, lang: str = "both") -> str:
        """The report as the command line prints it: ``lang`` zh, en or both (each line in both languages)."""
        langs = LANGS if lang == "both" else (lang,)

        def say(render: Any) -> list[str]:
            return [render(la) for la in langs]

        lines = say(lambda la: i18n.t("ingest.report.head", la, file=self.file_name, sha=self.sha256[:12],
                                      rows=self.rows)
                    + (i18n.t("ingest.report.as_of", la, day=self.as_of) if self.as_of else ""))
        lines += say(lambda la: i18n.t("ingest.report.changes", la, text=self.changes.text(la)))
        for n in self.notes:
            lines += say(lambda la, n=n: "  · " + n.text(la))
        for p in self.problems:
            level = "ingest.report.error" if p.severity == "error" else "ingest.report.warning"
            lines += say(lambda la, p=p, level=level: "  " + i18n.t(level, la, text=p.text(la)))
        e, w = len(self.errors), len(self.warnings)
        lines += say(lambda la: i18n.t("ingest.report.counts", la, errors=_plural("ingest.report.errors", e, la),
                                  warnings=_plural("ingest.report.warnings", w, la)))
        return "\n".join(lines)


# --------------------------------------------------------------------------
# Validation


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
    v = _Validator(ledger, current, as_of or ledger.as_of, today or date.today())
    return v.run(progress or (lambda _f, _s: None))


class _Validator:
    def __init__(self, ledger: Ledger, current: Any, as_of: date | None, today: date) -> None:
        self.ledger, self.as_of = ledger, as_of
        self.limit = as_of or today
        self.problems: list[Problem] = []
        self.notes: list[Note] = list(ledger.notes)
        self.changes = Changes()
        self.cur_blocks = _indexed(getattr(current, "blocks", None), "block_id", schema.BLOCK_COLUMNS)
        self.cur_teams = _indexed(getattr(current, "teams", None), "team_id", schema.TEAM_COLUMNS)
        hh = getattr(current, "households", None)
        self.cur_households = _indexed(hh, "household_id", schema.HOUSEHOLD_COLUMNS)
        self.cur_geometry: dict[str, Any] = _geometries(hh, "household_id")
        self.cur_dates = _current_dates(hh)
        bl = getattr(current, "blocks", None)
        self.cur_block_geometry: dict[str, Any] = _geometries(bl, "block_id")
        self.base_version = getattr(current, "data_version", None)

    # -- helpers -----------------------------------------------------------
    def problem(self, severity: str, code: str, table: Table | str, row: int | None, field_or_col: str,
                message_key: str, /, **params: Any) -> None:
        sheet = table.sheet if isinstance(table, Table) else table
        column = table.headers.get(field_or_col, field_or_col) if isinstance(table, Table) else field_or_col
        self.problems.append(Problem(severity, code, sheet, row, column, Message(message_key, params)))

    def error(self, *args: Any, **params: Any) -> None:
        self.problem("error", *args, **params)

    def warning(self, *args: Any, **params: Any) -> None:
        self.problem("warning", *args, **params)

    def run(self, progress: Progress) -> Report:
        progress(0.0, "blocks")
        blocks = self.check_blocks()
        teams = self.check_teams(blocks)
        progress(0.1, "households")
        households = self.check_households(blocks, teams)
        progress(0.5, "progress")
        milestones = self.check_progress(households)
        progress(0.9, "footprints")
        households = self.check_footprints(households)
        progress(1.0, "done")
        rows = sum(len(t.frame) for t in self.ledger.tables)
        if self.ledger.footprints is not None:
            rows += len(self.ledger.footprints)
        self.problems.sort(key=lambda p: (p.severity != "error", p.sheet, p.row or 0))
        return Report(
            file_name=self.ledger.file_name, sha256=self.ledger.sha256, rows=rows, as_of=self.as_of,
            problems=self.problems, notes=self.notes, changes=self.changes,
            blocks=self.with_block_geometry(
                _or_none(blocks, schema.BLOCK_COLUMNS, self.cur_blocks, "new_blocks", "updated_blocks", self)),
            teams=_or_none(teams, schema.TEAM_COLUMNS, self.cur_teams, "new_teams", "updated_teams", self),
            households=households, milestones=milestones, base_version=self.base_version, ledger=self.ledger,
        )

    def with_block_geometry(self, frame: pd.DataFrame | None) -> pd.DataFrame | None:
        """Keep each block's stored boundary: the upsert writes whatever geometry it is given."""
        if frame is None:
            return None
        geoms = self.cur_block_geometry
        frame["geometry"] = [geoms.get(b) for b in frame["block_id"]]
        return frame

    def rows_of(self, kind: str) -> list[tuple[Table, pd.DataFrame]]:
        out = []
        for t in self.ledger.tables_of(kind):
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

    def duplicates(self, kind: str, key: str, items: list[tuple[Table, pd.DataFrame]]) -> set[tuple[int, int]]:
        """Warn on identical repeated rows, error on conflicting ones; returns (table index, position) to skip."""
        seen: dict[str, tuple[Table, int, dict]] = {}
        skip: set[tuple[int, int]] = set()
        counts = pd.concat([f[key] for _, f in items]).value_counts() if items else pd.Series(dtype=int)
        repeated = set(counts.index[counts > 1]) - {""}
        for ti, (t, frame) in enumerate(items):
            cols = [c for c in frame.columns if not c.startswith("_")]
            for pos, (k, row) in enumerate(zip(frame[key], frame["_row"])):
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
                    self.warning("duplicate_row", t, int(row), key, "ingest.duplicate_row", where=where, key=k)
                else:
                    self.error("duplicate_conflict", t, int(row), key, "ingest.duplicate_conflict", where=where, key=k)
                skip.add((ti, pos))
        return skip

    # -- blocks ------------------------------------------------------------
    def check_blocks(self) -> dict[str, dict]:
        items = self.rows_of("blocks")
        names = {r["name"]: bid for bid, r in self.cur_blocks.items()}
        for _, frame in items:
            frame["block_id"] = [b or names.get(n, n) for b, n in zip(frame["block_id"], frame["name"])]
        skip = self.duplicates("blocks", "block_id", items)
        out: dict[str, dict] = {}
        for ti, (t, frame) in enumerate(items):
            launch, bad_launch = _dates(t, frame, "launch_date")
            deadline, bad_deadline = _dates(t, frame, "deadline")
            for pos, r in enumerate(frame.to_dict("records")):
                row, bid = int(r["_row"]), r["block_id"]
                if (ti, pos) in skip:
                    continue
                if not bid:
                    self.error("missing_value", t, row, "name", "ingest.block.no_name")
                    continue
                cur = self.cur_blocks.get(bid, {})
                rec = {"block_id": bid, "name": r.get("name") or cur.get("name") or bid}
                for f in ("district", "subdistrict"):
                    rec[f] = r.get(f) or cur.get(f) or ""
                rec["land_area_m2"] = self.number(t, row, "land_area_m2", r.get("land_area_m2", ""),
                                                  cur.get("land_area_m2"))
                if bad_launch.iloc[pos]:
                    self.bad_date(t, row, "launch_date", frame["launch_date"].iloc[pos])
                    continue
                rec["launch_date"] = launch.iloc[pos] or _as_date(cur.get("launch_date"))
                if rec["launch_date"] is None:
                    self.error("missing_value", t, row, "launch_date" if "launch_date" in t.headers else "",
                               "ingest.block.no_launch", name=rec["name"])
                    continue
                if bad_deadline.iloc[pos]:
                    self.bad_date(t, row, "deadline", frame["deadline"].iloc[pos])
                    continue
                given = deadline.iloc[pos]
                old = _as_date(cur.get("deadline"))
                if given is None:
                    given = old if old and _as_date(cur.get("launch_date")) == rec["launch_date"] else None
                rec["deadline"] = given or schema.deadline_for(rec["launch_date"])
                if rec["deadline"] < rec["launch_date"]:
                    self.error("deadline_before_launch", t, row, "deadline", "ingest.block.deadline_before_launch",
                               deadline=rec["deadline"], launch=rec["launch_date"])
                    continue
                out[bid] = rec
        return out

    # -- teams -------------------------------------------------------------
    def check_teams(self, blocks: dict[str, dict]) -> dict[str, dict]:
        items = self.rows_of("teams")
        self.index_refs(blocks)
        for t, frame in items:
            frame["_block"] = [self.resolve_block(t, int(row), ref)
                               for ref, row in zip(frame["block"], frame["_row"])]
            frame["team_id"] = [tid or self.team_id_for(name, blk) for tid, name, blk
                                in zip(frame["team_id"], frame["name"], frame["_block"])]
        skip = self.duplicates("teams", "team_id", items)
        out: dict[str, dict] = {}
        for ti, (t, frame) in enumerate(items):
            for pos, r in enumerate(frame.to_dict("records")):
                row, tid = int(r["_row"]), r["team_id"]
                if (ti, pos) in skip or r["_block"] is False:
                    continue
                if not tid:
                    self.error("missing_value", t, row, "name", "ingest.team.no_name")
                    continue
                cur = self.cur_teams.get(tid, {})
                kind = r.get("kind") or cur.get("kind") or "工作组"
                if kind not in schema.TEAM_KINDS:
                    self.error("bad_value", t, row, "kind", "ingest.team.bad_kind", kind=kind,
                               kinds=list(schema.TEAM_KINDS))
                    continue
                block = r["_block"] or cur.get("block_id")
                if not block:
                    self.error("missing_value", t, row, "block" if "block" in t.headers else "",
                               "ingest.team.no_block", name=r.get("name") or tid)
                    continue
                out[tid] = {"team_id": tid, "name": r.get("name") or cur.get("name") or tid,
                            "organisation": r.get("organisation") or cur.get("organisation") or "",
                            "kind": kind, "leader": r.get("leader") or cur.get("leader") or "", "block_id": block}
        return out

    def team_id_for(self, name: str, block: Any) -> str:
        if not name:
            return ""
        matches = [tid for tid, r in self.cur_teams.items() if r["name"] == name]
        same_block = [tid for tid in matches if self.cur_teams[tid]["block_id"] == block]
        if same_block:
            return same_block[0]
        if len(matches) == 1 and not block:
            return matches[0]
        return name if name not in self.cur_teams else f"{block}-{name}"

    def index_refs(self, blocks: dict[str, dict], teams: dict[str, dict] | None = None) -> None:
        """Lookups for references by id or name (the file's rows override the stored ones)."""
        known_blocks = {**self.cur_blocks, **blocks}
        self.block_names = {r["name"]: bid for bid, r in known_blocks.items()}
        self.block_ids = set(known_blocks)
        self.known_teams = {**self.cur_teams, **(teams or {})}
        self.team_names: dict[str, list[str]] = {}
        for tid, r in self.known_teams.items():
            self.team_names.setdefault(r["name"], []).append(tid)

    def resolve_block(self, t: Table, row: int, ref: str) -> Any:
        """Block id for a reference by id or name; None when blank, False when unknown."""
        if not ref:
            return None
        if ref in self.block_ids:
            return ref
        if ref in self.block_names:
            return self.block_names[ref]
        self.error("unknown_block", t, row, "block", "ingest.unknown_block", ref=ref)
        return False

    def resolve_team(self, t: Table, row: int, ref: str, block: str | None) -> Any:
        """Team id for a reference by id, or by name within the household's block."""
        if not ref:
            return None
        if ref in self.known_teams:
            return ref
        named = self.team_names.get(ref, [])
        in_block = [tid for tid in named if self.known_teams[tid]["block_id"] == block]
        if len(in_block) == 1 or len(named) == 1:
            return (in_block or named)[0]
        if named:
            self.error("ambiguous_team", t, row, "team", "ingest.ambiguous_team", ref=ref)
        else:
            self.error("unknown_team", t, row, "team", "ingest.unknown_team", ref=ref)
        return False

    # -- households --------------------------------------------------------
    def check_households(self, blocks: dict[str, dict], teams: dict[str, dict]) -> dict[str, dict]:
        items = self.rows_of("households")
        self.file_household_ids = {h for _, f in items for h in f["household_id"] if h}
        self.index_refs(blocks, teams)
        skip = self.duplicates("households", "household_id", items)
        out: dict[str, dict] = {}
        for ti, (t, frame) in enumerate(items):
            flag_cols = [c for c in frame.columns if c.startswith("flag:")]
            for pos, r in enumerate(frame.to_dict("records")):
                row, hid = int(r["_row"]), r["household_id"]
                if (ti, pos) in skip:
                    continue
                if not hid:
                    self.error("missing_value", t, row, "household_id", "ingest.household.no_id")
                    continue
                cur = self.cur_households.get(hid, {})
                ok = True
                block = self.resolve_block(t, row, r.get("block", ""))
                block = cur.get("block_id") if block is None else block
                if block is None:
                    self.error("missing_value", t, row, "block" if "block" in t.headers else "household_id",
                               "ingest.household.no_block", hid=hid)
                ok &= bool(block)
                team = self.resolve_team(t, row, r.get("team", ""), block)
                team = cur.get("team_id") if team is None else team
                ok &= team is not False
                ptype = self.vocab(t, row, "property_type", r.get("property_type", ""), PROPERTY_SYNONYMS,
                                   schema.PROPERTY_TYPES, cur.get("property_type"), hid)
                owner = self.vocab(t, row, "ownership", r.get("ownership", ""), OWNERSHIP_SYNONYMS,
                                   schema.OWNERSHIPS, cur.get("ownership"), hid)
                area = self.number(t, row, "floor_area_m2", r.get("floor_area_m2", ""), cur.get("floor_area_m2"))
                flags = self.flags(t, row, r, flag_cols, cur.get("flags", ""))
                if not (ok and ptype and owner and area is not False):
                    continue
                out[hid] = {"household_id": hid, "block_id": block, "team_id": team or None,
                            "address": r.get("address") or cur.get("address") or "",
                            "property_type": ptype, "ownership": owner, "floor_area_m2": area,
                            "owner_name": r.get("owner_name") or cur.get("owner_name") or "", "flags": flags}
                if team and self.known_teams.get(team, {}).get("block_id") not in (block, None):
                    self.warning("team_other_block", t, row, "team", "ingest.team.other_block", team=r.get("team"))
        return out

    def vocab(self, t: Table, row: int, f: str, value: str, synonyms: dict[str, str], allowed: Sequence[str],
              current: Any, hid: str) -> str | None:
        if not value:
            if current:
                return str(current)
            self.error("missing_value", t, row, f if f in t.headers else "household_id",
                       "ingest.household.no_value", hid=hid, what=Term("ingest.field", f))
            return None
        key = re.sub(r"[\s（）()—–\-_·]", "", value)
        if value in allowed:
            return value
        if key in synonyms:
            return synonyms[key]
        self.error("bad_value", t, row, f, "ingest.bad_value", value=value, allowed=list(allowed))
        return None

    def number(self, t: Table, row: int, f: str, value: str, current: Any) -> Any:
        if not value:
            return None if current is None or pd.isna(current) else float(current)
        s = re.sub(r"[,，\s]|㎡|m2|m²|平方米|平米", "", value)
        if not _NUMBER.match(s) or float(s) < 0:
            self.error("bad_number", t, row, f, "ingest.bad_number", value=value)
            return False
        return float(s)

    def flags(self, t: Table, row: int, r: dict, flag_cols: list[str], current: str) -> str:
        text = r.get("flags", "")
        if not text and not flag_cols:
            return current or ""
        found = set()
        for part in _FLAG_SPLIT.split(text):
            if not part:
                continue
            if part in schema.HOUSEHOLD_FLAGS:
                found.add(part)
            else:
                self.warning("unknown_flag", t, row, "flags", "ingest.unknown_flag", flag=part,
                             known=list(schema.HOUSEHOLD_FLAGS))
        for c in flag_cols:
            if r[c].lower() in _TRUE:
                found.add(c.split(":", 1)[1])
        return schema.FLAG_SEPARATOR.join(f for f in schema.HOUSEHOLD_FLAGS if f in found)

    def bad_date(self, t: Table, row: int, f: str, raw: Any) -> None:
        shown = _text(raw)
        self.error("bad_date", t, row, f, "ingest.bad_date", value=shown)

    # -- progress ----------------------------------------------------------
    def check_progress(self, households: dict[str, dict]) -> pd.DataFrame | None:
        items = self.rows_of("progress")
        skip = self.duplicates("progress", "household_id", items)
        # a household row of this file with its own error still exists: no second error here
        known = set(self.cur_households) | set(households) | self.file_household_ids
        file_dates: dict[str, dict[str, Any]] = {}  # household -> stage -> date | None (given in file)
        where: dict[str, tuple[Table, int]] = {}
        statuses: dict[str, tuple[Table, int, str]] = {}
        for ti, (t, frame) in enumerate(items):
            stage_cols = [f for f in STAGE_FIELDS if f in frame.columns]
            parsed = {f: tuple(x.tolist() for x in _dates(t, frame, f)) for f in stage_cols}
            status = frame["status"].tolist() if "status" in frame.columns else None
            if stage_cols and "status" in frame.columns:
                self.notes.append(Note(t.sheet, msg("ingest.note.status_unused")))
            for pos, (hid, row) in enumerate(zip(frame["household_id"], frame["_row"])):
                row = int(row)
                if (ti, pos) in skip:
                    continue
                if not hid:
                    self.error("missing_value", t, row, "household_id", "ingest.household.no_id")
                    continue
                if hid not in known:
                    self.error("unknown_household", t, row, "household_id", "ingest.unknown_household", hid=hid)
                    continue
                where[hid] = (t, row)
                given: dict[str, Any] = {}
                for f in stage_cols:
                    dates, bad = parsed[f]
                    if bad[pos]:
                        self.bad_date(t, row, f, t.frame[f].iloc[pos])
                        continue
                    d = dates[pos]
                    if d is not None and d > self.limit:
                        limit = (msg("ingest.limit.as_of", day=self.as_of) if self.as_of
                                 else msg("ingest.limit.today", day=self.limit))
                        self.error("after_as_of", t, row, f, "ingest.after_as_of", date=d, limit=limit)
                        continue
                    given[f[5:]] = d
                file_dates[hid] = given
                if not stage_cols and status is not None:
                    statuses[hid] = (t, row, status[pos])
        self.apply_statuses(statuses, file_dates)
        return self.milestone_changes(file_dates, where)

    def apply_statuses(self, statuses: dict[str, tuple[Table, int, str]], file_dates: dict[str, dict]) -> None:
        if statuses and self.as_of is None:
            t, row, _ = next(iter(statuses.values()))
            self.error("status_without_as_of", t, None, "status", "ingest.status_without_as_of")
            return
        for hid, (t, row, raw) in statuses.items():
            value = re.sub(r"\s", "", raw)
            if not value:
                continue
            if value not in STATUS_VALUES:
                self.error("bad_status", t, row, "status", "ingest.bad_status", value=raw)
                continue
            reached, cap = STATUS_VALUES[value]
            cur = self.cur_dates.get(hid, {})
            given = file_dates[hid]
            cap_rank = schema.stage_rank(cap)
            for s in schema.STAGES:
                if schema.stage_rank(s) > cap_rank and cur.get(s) is not None:
                    given[s] = None
            if reached is not None:
                first = "signed" if schema.stage_rank(reached) >= schema.stage_rank("signed") else reached
                for s in schema.STAGES[schema.STAGES.index(first): schema.STAGES.index(reached) + 1]:
                    if cur.get(s) is None:
                        given[s] = self.as_of

    def milestone_changes(self, file_dates: dict[str, dict], where: dict[str, tuple[Table, int]]) -> pd.DataFrame | None:
        records = []
        order_rows = []
        for hid, given in file_dates.items():
            cur = self.cur_dates.get(hid, {})
            t, row = where[hid]
            merged = {s: given.get(s, cur.get(s)) for s in schema.STAGES}
            bad = schema.check_stage_order(merged)
            if bad is not None:
                order_rows.append((hid, t, row, bad, merged, given))
                continue
            for s, d in given.items():
                old = cur.get(s)
                if d == old:
                    continue
                if d is None:
                    col = f"date_{s}"
                    self.warning("stage_regressed", t, row, col if col in t.headers else "status",
                                 "ingest.stage_regressed", hid=hid, stage=Term("ingest.stage", s), old=old)
                    self.changes.removed[s] = self.changes.removed.get(s, 0) + 1
                elif old is None:
                    self.changes.added[s] = self.changes.added.get(s, 0) + 1
                else:
                    self.changes.corrected += 1
                records.append({"household_id": hid, "stage": s, "date": d})
        for hid, t, row, bad, merged, given in order_rows:
            earlier = [s for s in schema.STAGES[: schema.STAGES.index(bad)] if merged[s] is not None]
            prev = max(earlier, key=lambda s: merged[s])
            col = f"date_{bad}" if bad in given else f"date_{prev}"
            col = col if col in t.headers else "status"
            self.error("stage_order", t, row, col, "ingest.stage_order", hid=hid, stage=Term("ingest.stage", bad),
                       date=merged[bad], prev=Term("ingest.stage", prev), prev_date=merged[prev])
        self.changes.added = {s: self.changes.added[s] for s in schema.STAGES if s in self.changes.added}
        self.changes.removed = {s: self.changes.removed[s] for s in schema.STAGES if s in self.changes.removed}
        if not records:
            return None
        return pd.DataFrame(records, columns=["household_id", "stage", "date"])

    # -- footprints --------------------------------------------------------
    def check_footprints(self, households: dict[str, dict]) -> pd.DataFrame | None:
        fp = self.ledger.footprints
        sheet = self.ledger.footprints_sheet
        geoms: dict[str, Any] = {}
        if fp is not None:
            known = set(self.cur_households) | set(households)
            for hid, feature, geom in zip(fp["household_id"], fp["feature"], fp.geometry):
                if not hid or hid not in known:
                    self.warning("unknown_household", sheet, int(feature), "户号", "ingest.footprint.unknown", hid=hid)
                    continue
                if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                    kind = msg("ingest.footprint.empty") if geom is None or geom.is_empty else geom.geom_type
                    self.warning("bad_geometry", sheet, int(feature), "geometry", "ingest.footprint.not_polygon",
                                 hid=hid, kind=kind)
                    continue
                if hid in geoms:
                    self.warning("duplicate_row", sheet, int(feature), "户号", "ingest.footprint.duplicate", hid=hid)
                    continue
                geoms[hid] = geom if geom.is_valid else shapely.make_valid(geom)
        rows = []
        for hid, rec in households.items():
            cur = self.cur_households.get(hid)
            if cur is None:
                self.changes.new_households += 1
            elif any(_comparable(rec[c]) != _comparable(cur.get(c)) for c in schema.HOUSEHOLD_COLUMNS):
                self.changes.updated_households += 1
            else:
                if hid not in geoms:
                    continue
            rows.append(hid)
        for hid in geoms:
            old = self.cur_geometry.get(hid)
            if old is not None and old.equals(geoms[hid]):
                continue
            self.changes.footprints += 1
            if hid not in rows:
                rows.append(hid)
        final_ids = set(self.cur_households) | set(households)
        on_map = {h for h, g in self.cur_geometry.items() if g is not None} | set(geoms)
        self.changes.not_on_map = len(final_ids - on_map)
        if not rows:
            return None
        recs = []
        for hid in rows:
            rec = dict(households.get(hid) or self.cur_households[hid])
            rec["geometry"] = geoms.get(hid, self.cur_geometry.get(hid))
            recs.append(rec)
        return pd.DataFrame(recs, columns=[*schema.HOUSEHOLD_COLUMNS, "geometry"])


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
    """id -> stored shapely geometry (None when there is none)."""
    if frame is None or len(frame) == 0 or "geometry" not in frame.columns:
        return {}
    return {str(k): (None if g is None or (isinstance(g, float) and g != g) or g.is_empty else g)
            for k, g in zip(frame[key], frame["geometry"])}


def _current_dates(hh: pd.DataFrame | None) -> dict[str, dict[str, date | None]]:
    if hh is None or len(hh) == 0:
        return {}
    out: dict[str, dict[str, date | None]] = {}
    cols = [f"date_{s}" for s in schema.STAGES if f"date_{s}" in hh.columns]
    frame = hh[["household_id", *cols]]
    for rec in frame.to_dict("records"):
        out[str(rec["household_id"])] = {c[5:]: _as_date(rec[c]) for c in cols}
    return out


def _or_none(recs: dict[str, dict], columns: list[str], current: dict[str, dict], new_attr: str, upd_attr: str,
             v: _Validator) -> pd.DataFrame | None:
    rows = []
    for key, rec in recs.items():
        cur = current.get(key)
        if cur is None:
            setattr(v.changes, new_attr, getattr(v.changes, new_attr) + 1)
        elif any(_comparable(rec[c]) != _comparable(cur.get(c)) for c in columns):
            setattr(v.changes, upd_attr, getattr(v.changes, upd_attr) + 1)
        else:
            continue
        rows.append(rec)
    return pd.DataFrame(rows, columns=columns) if rows else None
