"""What reading a ledger produces: tables, notes, and the refusal of a file that is not a ledger.

Shared by the spreadsheet reader (:mod:`lib.ingest.read`), the GIS reader
(:mod:`lib.ingest.read_gis`) and the validator, so none of them imports another
for its types.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from lib.ingest.messages import BilingualError, InBothLanguages, Message, msg

#: Day zero of Excel serial numbers (the 1900 date system, Lotus bug included).
EXCEL_EPOCH = date(1899, 12, 30)


class NotALedger(BilingualError):
    """The file is not a ledger at all (wrong type, encrypted, too big, empty)."""


@dataclass(frozen=True)
class Note(InBothLanguages):
    """Something the reader did that the user should know (not a problem).

    A message whose parameters include ``sheet`` names its own place (a skipped
    合计 row says sheet, row and column); any other is led by the sheet name.
    """

    sheet: str
    message: Message
    row: int | None = None
    column: str = ""

    def text(self, lang: str) -> str:
        """The note as one line in ``lang``, naming its sheet."""
        body = self.message.text(lang)
        if not self.sheet or "sheet" in self.message.params:
            return body
        return msg("ingest.where.note", sheet=self.sheet, text=body).text(lang)



@dataclass
class Table:
    """One recognised table from a sheet or csv file, values still raw.

    Attributes:
        kind: blocks | teams | households | progress.
        sheet: sheet name (workbook) or file name (csv), as the user sees it.
        frame: one column per recognised field, raw cell values (object).
        rows: the spreadsheet row (1-based, as Excel shows it) of each frame row.
        headers: field -> the file's own header text, for messages.
        epoch: day zero of Excel serial numbers in this workbook.
    """

    kind: str
    sheet: str
    frame: pd.DataFrame
    rows: np.ndarray
    headers: dict[str, str]
    epoch: date = EXCEL_EPOCH


@dataclass
class Ledger:
    """Everything read from one or more files, before validation."""

    file_name: str
    sha256: str
    size: int
    tables: list[Table] = field(default_factory=list)
    footprints: Any = None  # GeoDataFrame: household_id, geometry, feature (1-based)
    footprints_sheet: str = ""
    as_of: date | None = None
    notes: list[Note] = field(default_factory=list)

    def tables_of(self, kind: str) -> list[Table]:
        """The tables of one kind, in file order."""
        return [t for t in self.tables if t.kind == kind]


def check_zip(data: bytes, limit: int) -> None:
    """Refuse a zip bomb before any parser inflates it (sizes from the central directory).

    zipfile stops each member at its declared size, so a member cannot lie past
    this check.

    Raises:
        NotALedger: the members would unpack to more than ``limit`` bytes, or there are too many.
    """
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    total = sum(i.file_size for i in infos)
    if total > limit or len(infos) > 10_000:
        raise NotALedger("ingest.file.zip_bomb", mb=f"{total / 1024 / 1024:.0f}")
