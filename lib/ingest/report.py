"""What validating a ledger says: its problems, its change summary, and the report that carries both.

A :class:`Problem` is located as the user sees it in Excel (sheet, row,
column) and carries an i18n message; :class:`Changes` are counts (stored as
JSON in the import history) said in the reader's language; a :class:`Report`
adds the frames ``store.apply_import`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from lib import i18n, schema
from lib.i18n import LANGS
from lib.ingest.messages import InBothLanguages, Message
from lib.ingest.model import Ledger, Note


@dataclass(frozen=True)
class Problem(InBothLanguages):
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
        """The message led by its place: “进度”表第 3 行“签约日期”列：…."""
        where = i18n.t("ingest.where.sheet", lang, sheet=self.sheet)
        if self.row is not None:
            where += i18n.t("ingest.where.row", lang, row=self.row)
        if self.column:
            where += i18n.t("ingest.where.column", lang, column=self.column)
        return i18n.t("ingest.where.lead", lang, where=where, text=self.body(lang))



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
        """The one-line summary in ``lang``: +12 签约，+9 封房，2 处日期更正 …."""
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
