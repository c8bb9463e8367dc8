"""Writing a validated ledger: one transaction, all rows or none."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy

from lib import store
from lib.ingest.messages import BilingualError, InBothLanguages, Message, msg
from lib.ingest.report import Report
from lib.ingest.validate import validate


class ImportRefused(BilingualError):
    """The import was refused (errors in the report, or the data changed underneath)."""


@dataclass(frozen=True)
class ApplyResult(InBothLanguages):
    """What :func:`apply` did: the batch id, whether it was new, and what to tell the user."""

    batch_id: int
    created: bool
    message: Message

    def text(self, lang: str) -> str:
        """The outcome in ``lang``."""
        return self.message.text(lang)



def summary_json(report: Report) -> str:
    """The change summary as the import history stores it: counts in JSON, no language."""
    return json.dumps(report.changes.counts(), ensure_ascii=False)


def apply(report: Report, engine: sqlalchemy.Engine, *, imported_by: str, accept_warnings: bool = True) -> ApplyResult:
    """Write a validated report in one transaction.

    Refuses (:class:`ImportRefused`) when the report has errors, or warnings
    not accepted. Re-importing a file already applied is a no-op that says so.
    If the data changed since the report was made, the ledger is validated
    again against the new data first.
    """
    if report.errors:
        raise ImportRefused("ingest.refused.errors", n=len(report.errors))
    if report.warnings and not accept_warnings:
        raise ImportRefused("ingest.refused.warnings", n=len(report.warnings))
    done = store.batch_by_sha256(engine, report.sha256)
    if done is not None:
        return ApplyResult(int(done["batch_id"]), False,
                           msg("ingest.already", when=done.get("imported_at"), batch=done["batch_id"]))
    if report.ledger is not None and store.data_version(engine) != report.base_version:
        report = validate(report.ledger, store.load_frames(engine), as_of=report.as_of)
        if report.errors:
            raise ImportRefused("ingest.refused.changed")
    try:
        batch_id = store.apply_import(
            engine, file_name=report.file_name, sha256=report.sha256, imported_by=imported_by, rows=report.rows,
            blocks=report.blocks, teams=report.teams, households=report.households, milestones=report.milestones,
            summary=summary_json(report),
        )
    except store.IntegrityViolation as exc:
        raise ImportRefused("ingest.refused.integrity", error=exc) from exc
    return ApplyResult(batch_id, True, msg("ingest.applied", batch=batch_id, changes=report.changes))

