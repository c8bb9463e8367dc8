"""``python -m lib.ingest``: validate and import ledger files from the command line.

Exit codes: 0 applied (or clean in a dry run), 1 errors block the import
(nothing written), 2 a file is not a ledger at all.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import date

from lib import store
from lib.ingest.apply import apply
from lib.ingest.read import MAX_BYTES, NotALedger, merge_ledgers, read_ledger
from lib.ingest.validate import validate


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

