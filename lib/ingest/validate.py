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

from lib import schema
from lib.ingest.read import (
    ALIASES,
    STAGE_FIELDS,
    Ledger,
    Note,
    Progress,
    Table,
    parse_date_cells,
)

if TYPE_CHECKING:
    from lib.store import Campaign

STAGE_ZH = dict(zip(schema.STAGES, ("入户调查", "评估", "签约", "封房", "交房", "拆除")))
STAGE_EN = dict(zip(schema.STAGES, ("surveyed", "appraised", "signed", "sealed", "handed over", "demolished")))

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

    ``row`` is the 1-based spreadsheet row (None for a whole-file problem);
    ``column`` is the file's own header text. The messages already name sheet,
    row and column.
    """

    severity: str  # "error" | "warning"
    code: str
    sheet: str
    row: int | None
    column: str
    message_zh: str
    message_en: str


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

    def text_zh(self) -> str:
        """The one-line summary: +12 签约，+9 封房，2 处日期更正 …"""
        parts = [f"+{n} {STAGE_ZH[s]}" for s, n in self.added.items()]
        parts += [f"−{n} {STAGE_ZH[s]}" for s, n in self.removed.items()]
        if self.corrected:
            parts.append(f"{self.corrected} 处日期更正")
        for n, what in ((self.new_blocks, "个地块"), (self.new_teams, "个工作组"), (self.new_households, "户")):
            if n:
                parts.append(f"新增 {n} {what}")
        for n, what in ((self.updated_blocks, "个地块"), (self.updated_teams, "个工作组"),
                        (self.updated_households, "户")):
            if n:
                parts.append(f"更新 {n} {what}信息")
        if self.footprints:
            parts.append(f"{self.footprints} 户图斑")
        text = "，".join(parts) if parts else "没有变化"
        return text + (f"（{self.not_on_map} 户不在地图上）" if self.not_on_map else "")

    def text_en(self) -> str:
        """The one-line summary in English."""
        parts = [f"+{n} {STAGE_EN[s]}" for s, n in self.added.items()]
        parts += [f"−{n} {STAGE_EN[s]}" for s, n in self.removed.items()]
        if self.corrected:
            parts.append(f"{self.corrected} corrected date{'s' * (self.corrected != 1)}")
        for n, what in ((self.new_blocks, "block"), (self.new_teams, "team"), (self.new_households, "household")):
            if n:
                parts.append(f"{n} new {what}{'s' * (n != 1)}")
        for n, what in ((self.updated_blocks, "block"), (self.updated_teams, "team"),
                        (self.updated_households, "household")):
            if n:
                parts.append(f"{n} {what}{'s' * (n != 1)} updated")
        if self.footprints:
            parts.append(f"{self.footprints} footprint{'s' * (self.footprints != 1)}")
        text = ", ".join(parts) if parts else "no changes"
        return text + (f" ({self.not_on_map} not on the map)" if self.not_on_map else "")


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
        return pd.DataFrame([p.__dict__ for p in self.problems], columns=cols).astype({"row": "Int64"})

    def to_text(self, lang: str = "both") -> str:
        """The report as the command line prints it."""
        zh, en = lang in ("zh", "both"), lang in ("en", "both")
        lines = [f"{self.file_name}  sha256 {self.sha256[:12]}  {self.rows} 行/rows"
                 + (f"  截至/as of {self.as_of}" if self.as_of else "")]
        if zh:
            lines.append(f"变化：{self.changes.text_zh()}")
        if en:
            lines.append(f"Changes: {self.changes.text_en()}")
        for n in self.notes:
            lines.append("  · " + " / ".join(([n.message_zh] if zh else []) + ([n.message_en] if en else []))
                         + (f"  [{n.sheet}]" if n.sheet else ""))
        for p in self.problems:
            error = p.severity == "error"
            if zh:
                lines.append(f"  {'错误' if error else '警告'}：{p.message_zh}")
            if en:
                lines.append(f"  {'    ' if zh else ('ERROR' if error else 'warning') + ': '}{p.message_en}")
        e, w = len(self.errors), len(self.warnings)
        if zh:
            lines.append(f"{e} 个错误，{w} 个警告")
        if en:
            lines.append(f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}")
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
                zh: str, en: str) -> None:
        sheet = table.sheet if isinstance(table, Table) else table
        column = table.headers.get(field_or_col, field_or_col) if isinstance(table, Table) else field_or_col
        where_zh = f"“{sheet}”表" + (f"第 {row} 行" if row is not None else "") + (f"“{column}”列" if column else "")
        where_en = f"Sheet '{sheet}'" + (f", row {row}" if row is not None else "") + (
            f", column '{column}'" if column else "")
        self.problems.append(Problem(severity, code, sheet, row, column, f"{where_zh}：{zh}", f"{where_en}: {en}"))

    def error(self, *args: Any) -> None:
        self.problem("error", *args)

    def warning(self, *args: Any) -> None:
        self.problem("warning", *args)

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
                where_zh = f"第 {row0} 行" if t0 is t else f"“{t0.sheet}”表第 {row0} 行"
                where_en = f"row {row0}" if t0 is t else f"sheet '{t0.sheet}' row {row0}"
                if vals == vals0:
                    self.warning("duplicate_row", t, int(row), key, f"与{where_zh}完全相同（{k}），已忽略。",
                                 f"the same as {where_en} ({k}); ignored.")
                else:
                    self.error("duplicate_conflict", t, int(row), key, f"“{k}”已在{where_zh}出现，两行内容不同。",
                               f"'{k}' also appears in {where_en} with different values.")
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
                    self.error("missing_value", t, row, "name", "地块名称为空。", "the block name is empty.")
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
                               f"地块“{rec['name']}”缺少启动日期。", f"block '{rec['name']}' has no launch date.")
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
                    self.error("deadline_before_launch", t, row, "deadline",
                               f"截止日期 {rec['deadline']} 早于启动日期 {rec['launch_date']}。",
                               f"the deadline {rec['deadline']} is before the launch date {rec['launch_date']}.")
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
                    self.error("missing_value", t, row, "name", "工作组名称为空。", "the team name is empty.")
                    continue
                cur = self.cur_teams.get(tid, {})
                kind = r.get("kind") or cur.get("kind") or "工作组"
                if kind not in schema.TEAM_KINDS:
                    self.error("bad_value", t, row, "kind", f"类型“{kind}”无效，应为 {'、'.join(schema.TEAM_KINDS)}。",
                               f"'{kind}' is not a team kind; expected {', '.join(schema.TEAM_KINDS)}.")
                    continue
                block = r["_block"] or cur.get("block_id")
                if not block:
                    self.error("missing_value", t, row, "block" if "block" in t.headers else "",
                               f"工作组“{r.get('name') or tid}”缺少地块。", f"team '{r.get('name') or tid}' has no block.")
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
        self.error("unknown_block", t, row, "block", f"地块“{ref}”不存在（地块表和现有数据里都没有）。",
                   f"block '{ref}' does not exist (neither in the 地块 sheet nor in the current data).")
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
            self.error("ambiguous_team", t, row, "team", f"有多个名为“{ref}”的工作组，请改填工作组编号。",
                       f"several teams are called '{ref}'; give the team id instead.")
        else:
            self.error("unknown_team", t, row, "team", f"工作组“{ref}”不存在（工作组表和现有数据里都没有）。",
                       f"team '{ref}' does not exist (neither in the 工作组 sheet nor in the current data).")
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
                    self.error("missing_value", t, row, "household_id", "户号为空。", "the household number is empty.")
                    continue
                cur = self.cur_households.get(hid, {})
                ok = True
                block = self.resolve_block(t, row, r.get("block", ""))
                block = cur.get("block_id") if block is None else block
                if block is None:
                    self.error("missing_value", t, row, "block" if "block" in t.headers else "household_id",
                               f"户号 {hid} 缺少地块。", f"household {hid} has no block.")
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
                    self.warning("team_other_block", t, row, "team", f"工作组“{r.get('team')}”属于另一个地块。",
                                 f"team '{r.get('team')}' belongs to another block.")
        return out

    def vocab(self, t: Table, row: int, f: str, value: str, synonyms: dict[str, str], allowed: Sequence[str],
              current: Any, hid: str) -> str | None:
        if not value:
            if current:
                return str(current)
            self.error("missing_value", t, row, f if f in t.headers else "household_id",
                       f"户号 {hid} 缺少{'房屋用途' if f == 'property_type' else '产权性质'}。",
                       f"household {hid} has no {'property type' if f == 'property_type' else 'ownership'}.")
            return None
        key = re.sub(r"[\s（）()—–\-_·]", "", value)
        if value in allowed:
            return value
        if key in synonyms:
            return synonyms[key]
        self.error("bad_value", t, row, f, f"“{value}”无效，应为 {'、'.join(allowed)} 之一。",
                   f"'{value}' is not allowed; expected one of {', '.join(allowed)}.")
        return None

    def number(self, t: Table, row: int, f: str, value: str, current: Any) -> Any:
        if not value:
            return None if current is None or pd.isna(current) else float(current)
        s = re.sub(r"[,，\s]|㎡|m2|m²|平方米|平米", "", value)
        if not _NUMBER.match(s) or float(s) < 0:
            self.error("bad_number", t, row, f, f"“{value}”不是有效的面积数字。", f"'{value}' is not a valid area.")
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
                self.warning("unknown_flag", t, row, "flags", f"标记“{part}”无法识别，已忽略（可用：{'、'.join(schema.HOUSEHOLD_FLAGS)}）。",
                             f"flag '{part}' is not recognised and was ignored (known: {', '.join(schema.HOUSEHOLD_FLAGS)}).")
        for c in flag_cols:
            if r[c].lower() in _TRUE:
                found.add(c.split(":", 1)[1])
        return schema.FLAG_SEPARATOR.join(f for f in schema.HOUSEHOLD_FLAGS if f in found)

    def bad_date(self, t: Table, row: int, f: str, raw: Any) -> None:
        shown = _text(raw)
        self.error("bad_date", t, row, f, f"“{shown}”不是有效日期（可写 2023-09-26、2023/9/26、2023年9月26日）。",
                   f"'{shown}' is not a valid date (write 2023-09-26, 2023/9/26 or 2023年9月26日).")

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
                self.notes.append(Note(t.sheet, "表中已有日期列，状态列仅供参考，未使用。",
                                       "The sheet has date columns; its status column was not used."))
            for pos, (hid, row) in enumerate(zip(frame["household_id"], frame["_row"])):
                row = int(row)
                if (ti, pos) in skip:
                    continue
                if not hid:
                    self.error("missing_value", t, row, "household_id", "户号为空。", "the household number is empty.")
                    continue
                if hid not in known:
                    self.error("unknown_household", t, row, "household_id",
                               f"户号“{hid}”不存在（户表和现有数据里都没有）。",
                               f"household '{hid}' does not exist (neither in the 户 sheet nor in the current data).")
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
                        day = f"台账日期 {self.as_of}" if self.as_of else f"今天 {self.limit}"
                        day_en = f"the ledger's as-of day {self.as_of}" if self.as_of else f"today, {self.limit}"
                        self.error("after_as_of", t, row, f, f"{d} 晚于{day}。", f"{d} is after {day_en}.")
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
            self.error("status_without_as_of", t, None, "status",
                       "状态列需要台账日期：请在标题中写明“截至2023年11月7日”，或在导入时指定日期。",
                       "a status column needs the ledger's as-of day: write “截至2023年11月7日” in the title, "
                       "or give the day when importing.")
            return
        for hid, (t, row, raw) in statuses.items():
            value = re.sub(r"\s", "", raw)
            if not value:
                continue
            if value not in STATUS_VALUES:
                self.error("bad_status", t, row, "status",
                           f"状态“{raw}”无法识别（可用：未签约、已签约、已封房、已交房、已拆除 等）。",
                           f"status '{raw}' is not recognised (use 未签约, 已签约, 已封房, 已交房, 已拆除 …).")
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
                                 f"户号 {hid} 原已{STAGE_ZH[s]}（{old}），本台账为未{STAGE_ZH[s]}；接受后将删除该日期。",
                                 f"household {hid} was {STAGE_EN[s]} on {old} but this ledger says it is not; "
                                 "accepting removes that date.")
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
            self.error("stage_order", t, row, col,
                       f"户号 {hid} 的{STAGE_ZH[bad]}日期 {merged[bad]} 早于{STAGE_ZH[prev]}日期 {merged[prev]}。",
                       f"household {hid} is {STAGE_EN[bad]} on {merged[bad]}, before it was {STAGE_EN[prev]} "
                       f"on {merged[prev]}.")
        self.changes.added = {s: self.changes.added[s] for s in schema.STAGES if s in self.changes.added}
        self.changes.removed = {s: self.changes.removed[s] for s in schema.STAGES if s in self.changes.removed}
        if not records:
            return None
        return pd.DataFrame(records, columns=["household_id", "stage", "date"])

    # -- footprints --------------------------------------------------------
    def check_footprints(self, households: dict[str, dict]) -> pd.DataFrame | None:
        import shapely

        fp = self.ledger.footprints
        sheet = self.ledger.footprints_sheet
        geoms: dict[str, Any] = {}
        if fp is not None:
            known = set(self.cur_households) | set(households)
            for hid, feature, geom in zip(fp["household_id"], fp["feature"], fp.geometry):
                if not hid or hid not in known:
                    self.warning("unknown_household", sheet, int(feature), "户号",
                                 f"图斑的户号“{hid}”不在台账中，已忽略。",
                                 f"the footprint's household '{hid}' is not in the ledger; ignored.")
                    continue
                if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                    kind = "空" if geom is None or geom.is_empty else geom.geom_type
                    self.warning("bad_geometry", sheet, int(feature), "geometry",
                                 f"户号 {hid} 的图斑不是面（{kind}），已忽略。",
                                 f"the footprint of household {hid} is not a polygon ({kind}); ignored.")
                    continue
                if hid in geoms:
                    self.warning("duplicate_row", sheet, int(feature), "户号",
                                 f"户号 {hid} 有多个图斑，只用第一个。", f"household {hid} has several footprints; the first is used.")
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
