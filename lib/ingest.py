"""Importing the teams' daily ledger: read, validate before writing, apply, export.

Flow: :func:`read_ledger` (in :mod:`lib.ingest_read`) turns files into raw
tables; :func:`validate` checks every cell against the file itself and the
current data and returns a :class:`Report` (problems by sheet, row and column
in Chinese and English, the normalised frames, a change summary); nothing is
written until :func:`apply` hands the report's frames to ``store.apply_import``
in one transaction. :func:`export_workbook` writes the layout the reader reads.

Command line: ``python -m lib.ingest FILE [FILE ...] [--db URL] [--dry-run]``
exits 0 when applied (or clean in a dry run), 1 when errors block the import
(nothing written) and 2 when a file is not a ledger at all.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from lib.ingest_export import export_workbook, template_workbook
from lib.ingest_read import MAX_BYTES, MAX_UNPACKED_BYTES, BilingualError, Ledger, NotALedger, merge_ledgers, read_ledger
from lib.ingest_validate import Changes, Problem, Report, validate

if TYPE_CHECKING:
    import sqlalchemy

__all__ = [
    "MAX_BYTES", "MAX_UNPACKED_BYTES", "ApplyResult", "Changes", "ImportRefused", "Ledger", "NotALedger",
    "Problem", "Report", "apply", "export_workbook", "main", "merge_ledgers", "read_ledger",
    "template_workbook", "validate",
]


class ImportRefused(BilingualError):
    """The import was refused (errors in the report, or the data changed underneath)."""


@dataclass(frozen=True)
class ApplyResult:
    """What :func:`apply` did: the batch id, and whether it was new."""

    batch_id: int
    created: bool
    message_zh: str
    message_en: str


# --------------------------------------------------------------------------
# Writing


def apply(report: Report, engine: sqlalchemy.Engine, *, imported_by: str, accept_warnings: bool = True) -> ApplyResult:
    """Write a validated report in one transaction.

    Refuses (:class:`ImportRefused`) when the report has errors, or warnings
    not accepted. Re-importing a file already applied is a no-op that says so.
    If the data changed since the report was made, the ledger is validated
    again against the new data first.
    """
    from lib import store

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


# --------------------------------------------------------------------------
# Command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lib.ingest FILE [FILE ...] [--db URL] [--dry-run]``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m lib.ingest", description="Import a campaign ledger (台账).")
    parser.add_argument("files", nargs="+", help="xlsx/xls/csv ledger files, and optionally one GIS file")
    parser.add_argument("--db", help="database URL (default: the configured database)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the report; write nothing")
    parser.add_argument("--as-of", type=date.fromisoformat, help="the ledger's as-of day, YYYY-MM-DD")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--max-mb", type=float, default=MAX_BYTES / 1024 / 1024, help="size limit per file")
    parser.add_argument("--lang", choices=("zh", "en", "both"), default="both")
    parser.add_argument("--user", default=None, help="who imports (default: the login name)")
    args = parser.parse_args(argv)
    from lib import store

    try:
        ledgers = [read_ledger(f, max_bytes=int(args.max_mb * 1024 * 1024), as_of=args.as_of) for f in args.files]
        ledger = merge_ledgers(ledgers)
    except NotALedger as exc:
        print(_pick(exc.message_zh, exc.message_en, args.lang), file=sys.stderr)
        return 2
    except OSError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    engine = store.get_engine(args.db)
    store.init_db(engine)
    report = validate(ledger, store.load_frames(engine), as_of=args.as_of)
    print(report.to_text(args.lang))
    if report.errors or (args.strict and report.warnings):
        print(_pick("未写入任何数据。", "Nothing was written.", args.lang))
        return 1
    if args.dry_run:
        print(_pick("试运行：未写入任何数据。", "Dry run: nothing was written.", args.lang))
        return 0
    result = apply(report, engine, imported_by=args.user or _login())
    print(_pick(result.message_zh, result.message_en, args.lang))
    return 0


def _pick(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en if lang == "en" else f"{zh}\n{en}"


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


if __name__ == "__main__":
    sys.exit(main())
