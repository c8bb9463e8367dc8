"""Writing a validated ledger: one transaction, all rows or none."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy

from lib import store
from lib.ingest.read import BilingualError
from lib.ingest.validate import Report, validate


class ImportRefused(BilingualError):
    """The import was refused (errors in the report, or the data changed underneath)."""


@dataclass(frozen=True)
class ApplyResult:
    """What :func:`apply` did: the batch id, and whether it was new."""

    batch_id: int
    created: bool
    message_zh: str
    message_en: str



def apply(report: Report, engine: sqlalchemy.Engine, *, imported_by: str, accept_warnings: bool = True) -> ApplyResult:
    """Write a validated report in one transaction.

    Refuses (:class:`ImportRefused`) when the report has errors, or warnings
    not accepted. Re-importing a file already applied is a no-op that says so.
    If the data changed since the report was made, the ledger is validated
    again against the new data first.
    """
    if report.errors:
        raise ImportRefused(f"台账有 {len(report.errors)} 个错误，未写入任何数据。",
                            f"The ledger has {len(report.errors)} error(s); nothing was written.")
    if report.warnings and not accept_warnings:
        raise ImportRefused(f"台账有 {len(report.warnings)} 个警告未确认，未写入任何数据。",
                            f"The ledger has {len(report.warnings)} unaccepted warning(s); nothing was written.")
    done = store.batch_by_sha256(engine, report.sha256)
    if done is not None:
        when = done.get("imported_at")
        return ApplyResult(int(done["batch_id"]), False,
                           f"这个文件已于 {when} 导入过（批次 {done['batch_id']}），本次未重复导入。",
                           f"This file was already imported on {when} (batch {done['batch_id']}); nothing was changed.")
    if report.ledger is not None and store.data_version(engine) != report.base_version:
        report = validate(report.ledger, store.load_frames(engine), as_of=report.as_of)
        if report.errors:
            raise ImportRefused("数据在预览后已被修改，重新校验发现错误，未写入任何数据。",
                                "The data changed after the preview and the ledger now has errors; nothing was written.")
    try:
        batch_id = store.apply_import(
            engine, file_name=report.file_name, sha256=report.sha256, imported_by=imported_by, rows=report.rows,
            blocks=report.blocks, teams=report.teams, households=report.households, milestones=report.milestones,
            summary=report.changes.text_zh(),
        )
    except store.IntegrityViolation as exc:
        raise ImportRefused(f"写入被拒绝，未写入任何数据：{exc}", f"The write was refused; nothing was written: {exc}") from exc
    return ApplyResult(batch_id, True, f"已导入（批次 {batch_id}）：{report.changes.text_zh()}",
                       f"Imported (batch {batch_id}): {report.changes.text_en()}")


