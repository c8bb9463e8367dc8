"""``python -m lib.ingest``: validate and import ledger files from the command line.

Exit codes: 0 applied (or clean in a dry run, or the template written), 1
errors block the import (nothing written), 2 a file is not a ledger at all or
the database cannot be opened — always one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import sqlalchemy

from lib import store
from lib.i18n import LANGS
from lib.ingest.apply import ImportRefused, apply
from lib.ingest.export import template_workbook
from lib.ingest.messages import Message, msg
from lib.ingest.model import NotALedger
from lib.ingest.read import MAX_BYTES, merge_ledgers, read_ledger
from lib.ingest.validate import validate

#: What a database that cannot be reached or written raises (a bad URL, a missing driver, a read-only folder).
DATABASE_ERRORS = (sqlalchemy.exc.SQLAlchemyError, OSError, ValueError, ImportError)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lib.ingest FILE [FILE ...] [--db URL] [--dry-run]``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m lib.ingest", description="Import a campaign ledger (台账).")
    parser.add_argument("files", nargs="*", help="xlsx/xls/csv ledger files, and optionally one GIS file")
    parser.add_argument("--db", help="database URL (default: the configured database)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the report; write nothing")
    parser.add_argument("--as-of", type=date.fromisoformat, help="the ledger's as-of day, YYYY-MM-DD")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--max-mb", type=float, default=MAX_BYTES / 1024 / 1024, help="size limit per file")
    parser.add_argument("--lang", choices=("zh", "en", "both"), default="both")
    parser.add_argument("--user", default=None, help="who imports (default: the login name)")
    parser.add_argument("--template", metavar="OUT.xlsx", help="write the blank ledger template (with its 说明 sheet)")
    args = parser.parse_args(argv)
    say = _Say(args.lang)
    if args.template:
        return _write_template(Path(args.template), args.db, say)
    if not args.files:
        say.err(msg("ingest.cli.no_files"))
        return 2
    try:
        ledgers = [read_ledger(f, max_bytes=int(args.max_mb * 1024 * 1024), as_of=args.as_of) for f in args.files]
        ledger = merge_ledgers(ledgers)
    except NotALedger as exc:
        say.err(exc.message)
        return 2
    except OSError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        engine = store.get_engine(args.db)
        store.init_db(engine)
        current = store.load_frames(engine)
    except DATABASE_ERRORS as exc:
        say.err(_database_error(args.db, exc))
        return 2
    report = validate(ledger, current, as_of=args.as_of)
    print(report.to_text(args.lang))
    if report.errors or (args.strict and report.warnings):
        say.out(msg("ingest.cli.nothing_written"))
        return 1
    if args.dry_run:
        say.out(msg("ingest.cli.dry_run"))
        return 0
    try:
        result = apply(report, engine, imported_by=args.user or _login())
    except ImportRefused as exc:
        say.out(exc.message)
        return 1
    except DATABASE_ERRORS as exc:  # the database went away between the check and the write
        say.err(_database_error(args.db, exc))
        return 2
    say.out(result.message)
    return 0


def _write_template(path: Path, db: str | None, say: _Say) -> int:
    """The template the data page offers: drop-down lists from the database when it opens, blank otherwise."""
    try:
        engine = store.get_engine(db)
        store.init_db(engine)
        campaign = store.load_frames(engine)
    except DATABASE_ERRORS:
        campaign = None
    try:
        path.write_bytes(template_workbook(campaign))
    except OSError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    say.out(msg("ingest.cli.template", path=path))
    return 0


def _database_error(db: str | None, exc: BaseException) -> Message:
    try:
        url = store.display_url(db or store.database_url())
    except Exception:  # the message must come out even if the URL itself is what is broken
        url = db or ""
    return msg("ingest.cli.database", url=url, error=store.describe_error(exc))


class _Say:
    """Print a message in the chosen language, or in both (one line each)."""

    def __init__(self, lang: str) -> None:
        self.langs = LANGS if lang == "both" else (lang,)

    def out(self, message: Message) -> None:
        print("\n".join(message.text(la) for la in self.langs))

    def err(self, message: Message) -> None:
        print(" / ".join(message.text(la) for la in self.langs), file=sys.stderr)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"

