"""Importing the teams' daily ledger: read, validate before writing, apply, export.

Flow: :func:`read_ledger` (in :mod:`lib.ingest.read`) turns files into raw
tables; :func:`validate` checks every cell against the file itself and the
current data and returns a :class:`Report` (problems by sheet, row and column
in Chinese and English, the normalised frames, a change summary); nothing is
written until :func:`apply` hands the report's frames to ``store.apply_import``
in one transaction. :func:`export_workbook` writes the layout the reader reads.
Every message is an i18n key with parameters (:mod:`lib.ingest.messages`),
rendered in the reader's language.

Command line: ``python -m lib.ingest FILE [FILE ...] [--db URL] [--dry-run]``
exits 0 when applied (or clean in a dry run), 1 when errors block the import
(nothing written) and 2 when a file is not a ledger at all or the database
cannot be opened; ``python -m lib.ingest --template out.xlsx`` writes the
blank template.
"""

from __future__ import annotations

from lib.ingest.apply import ApplyResult, ImportRefused, apply, summary_json
from lib.ingest.cli import main
from lib.ingest.export import export_workbook, template_workbook
from lib.ingest.messages import BilingualError, Message, msg
from lib.ingest.model import Ledger, NotALedger, Note
from lib.ingest.read import MAX_BYTES, MAX_UNPACKED_BYTES, merge_ledgers, read_ledger
from lib.ingest.report import Changes, Problem, Report
from lib.ingest.validate import validate

__all__ = [
    "MAX_BYTES", "MAX_UNPACKED_BYTES", "ApplyResult", "BilingualError", "Changes", "ImportRefused", "Ledger",
    "Message", "NotALedger", "Note", "Problem", "Report", "apply", "export_workbook", "main", "merge_ledgers", "msg",
    "read_ledger", "summary_json", "template_workbook", "validate",
]
