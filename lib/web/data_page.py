"""The data page's logic: uploads to a preview, what may be applied, tables for display.

The page (``pages/data.py``) only renders; everything it decides — which
files make one import, whether the confirm button is live, what the problem
and history tables show, which batch may be undone — is here, tested without
Streamlit. Reading and validating are :mod:`lib.ingest`'s; this module only
strings them together for an upload and says the result in the session's
language.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import pandas as pd

from lib import ingest, store
from lib.i18n import t
from lib.schema import is_missing
from lib.web import auth, warmup
from lib.web.escape import md_escape  # noqa: F401  (the page escapes through data_page.md_escape)

log = logging.getLogger(__name__)

#: File types the uploader accepts (ledgers and GIS footprints).
UPLOAD_TYPES: tuple[str, ...] = ("xlsx", "xlsm", "xls", "csv", "txt", "zip", "geojson", "json", "gpkg")
#: Environment override of the per-file limit, in MB (like secrets ``[ingest] max_upload_mb``).
LIMIT_ENV = "INGEST_MAX_MB"

Progress = Callable[[float, str], None]
#: Display widths of the problem table's columns (level, sheet, row, column, message): the message gets the room.
PROBLEM_WIDTHS: tuple[int | None, ...] = (80, 150, 100, 100, None)  # pixels; None: the rest
#: How many characters of a file's sha256 the page shows (enough to tell two files apart by eye).
SHA_SHOWN = 12


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the user knows it by, and its bytes."""

    name: str
    data: bytes


@dataclass
class Preview:
    """What the page shows after an upload, kept in the session until confirm or discard.

    Exactly one of ``report`` and ``refused`` is set.
    ``already`` is the applied batch that imported the same file(s) before.
    """

    signature: tuple
    report: ingest.Report | None = None
    refused: ingest.Message | None = None
    already: dict[str, Any] | None = None

    @property
    def refused_zh(self) -> str:
        """Why the files were refused, in Chinese ("" when they were not)."""
        return self.refused.text("zh") if self.refused else ""

    @property
    def refused_en(self) -> str:
        """Why the files were refused, in English ("" when they were not)."""
        return self.refused.text("en") if self.refused else ""


@dataclass(frozen=True)
class Verdict:
    """What the user may do with a preview: ``kind`` keys the message, ``can_apply`` the button."""

    kind: str  # refused | errors | already | nothing | warnings | ready
    can_apply: bool
    needs_accept: bool
    count: int = 0


def upload_limit_mb(server_mb: float | None, configured_mb: float | None = None) -> int:
    """The per-file upload limit in MB: the smaller of Streamlit's and the importer's.

    Args:
        server_mb: ``server.maxUploadSize`` (what Streamlit itself accepts).
        configured_mb: ``[ingest] max_upload_mb`` / ``INGEST_MAX_MB``; default
            the importer's own :data:`lib.ingest.MAX_BYTES`.
    """
    ingest_mb = configured_mb if configured_mb and configured_mb > 0 else ingest.MAX_BYTES / 1024 / 1024
    limits = [ingest_mb] + ([server_mb] if server_mb and server_mb > 0 else [])
    return max(1, int(min(limits)))


def configured_limit_mb(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> float | None:
    """The importer's limit from env ``INGEST_MAX_MB`` or secrets ``[ingest] max_upload_mb`` (None: default)."""
    env = os.environ if env is None else env
    raw: Any = env.get(LIMIT_ENV)
    if not raw:
        section = (store.secrets() if config is None else config).get("ingest") or {}
        raw = section.get("max_upload_mb") if isinstance(section, Mapping) else None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def signature(uploads: Sequence[Any]) -> tuple:
    """Identifies one set of uploaded files (Streamlit's file ids, names and sizes)."""
    return tuple((getattr(u, "file_id", ""), u.name, getattr(u, "size", None)) for u in uploads)


def prepare(
    uploads: Sequence[Upload],
    current: store.Campaign | None,
    engine: Any,
    *,
    max_bytes: int,
    sig: tuple = (),
    progress: Progress | None = None,
    today: date | None = None,
    as_of: date | None = None,
) -> Preview:
    """Read every upload, merge them into one ledger and validate it; write nothing.

    A file that is not a ledger refuses the whole set with a message naming
    it. ``progress`` gets (fraction, file name) while reading, then (0.9, "").
    ``as_of`` is the day the user gave on the page for files that name none.
    """
    report_progress = progress or (lambda _f, _w: None)
    n = max(1, len(uploads))
    ledgers = []
    for i, up in enumerate(uploads):
        def step(fraction: float, _what: str, i: int = i, name: str = up.name) -> None:
            report_progress(0.85 * (i + min(max(fraction, 0.0), 1.0)) / n, name)

        step(0.0, up.name)
        try:
            ledgers.append(ingest.read_ledger(up.data, file_name=up.name, max_bytes=max_bytes, progress=step,
                                              as_of=as_of))
        except ingest.NotALedger as exc:
            return Preview(sig, refused=ingest.msg("ingest.file.refused", file=up.name, text=exc.message))
        except Exception as exc:  # a reader bug must not crash the page; say which file
            log.exception("reading %s failed", up.name)
            return Preview(sig, refused=ingest.msg("ingest.file.crashed", file=up.name, error=type(exc).__name__))
    try:
        ledger = ingest.merge_ledgers(ledgers)
    except ingest.NotALedger as exc:
        return Preview(sig, refused=exc.message)
    report_progress(0.9, "")
    report = ingest.validate(ledger, current, today=today, as_of=as_of)
    already = store.batch_by_sha256(engine, report.sha256)
    report_progress(1.0, "")
    return Preview(sig, report=report, already=already)


def verdict(preview: Preview) -> Verdict:
    """Whether the confirm button is live, and what the page says about it."""
    report = preview.report
    if report is None:
        return Verdict("refused", False, False)
    if report.errors:
        return Verdict("errors", False, False, len(report.errors))
    if preview.already is not None:
        return Verdict("already", False, False)
    if report.changes.empty:
        return Verdict("nothing", False, False)
    if report.warnings:
        return Verdict("warnings", True, True, len(report.warnings))
    return Verdict("ready", True, False)


def verdict_text(preview: Preview, lang: str) -> str:
    """The verdict as one sentence in ``lang``."""
    v = verdict(preview)
    if v.kind == "refused":
        return t("data.verdict.refused", lang, message=preview.refused.text(lang) if preview.refused else "")
    if v.kind == "already":
        batch = preview.already or {}
        return t("data.verdict.already", lang, when=_when(batch.get("imported_at")), batch=batch.get("batch_id"))
    return t(f"data.verdict.{v.kind}", lang, n=v.count)


def login_error(name: str, password: str, lang: str) -> str | None:
    """Log this session in as an editor; the message to show when that fails (None: logged in).

    Throttled and audited by :func:`lib.web.auth.login`; a wait still due is said in seconds.
    """
    if not name.strip():
        return t("data.login.need_name", lang)
    try:
        outcome = auth.login(name, password)
    except auth.BadHash as exc:
        return t("data.login.bad_config", lang, error=str(exc))
    if outcome.ok:
        return None
    wait = math.ceil(outcome.wait_s)
    if outcome.throttled:
        return t("auth.throttled", lang, s=wait)
    wrong = t("auth.token.wrong" if auth.mode() == "token" else "data.login.wrong", lang)
    return wrong + (" " + t("auth.wait_next", lang, s=wait) if wait > 0 else "")


def apply_preview(preview: Preview, engine: Any, *, who: str, accepted: bool, lang: str) -> tuple[str, str]:
    """Write the previewed import (one transaction) and return (alert kind, message) for the page.

    A refused import writes nothing and says why; a file already imported says so.
    """
    if preview.report is None:
        return "error", verdict_text(preview, lang)
    try:
        result = ingest.apply(preview.report, engine, imported_by=who.strip() or t("data.who_default", lang),
                              accept_warnings=accepted)
    except ingest.ImportRefused as exc:
        return "error", exc.text(lang)
    message = result.text(lang)
    if result.created:
        auth.record("import", who=who.strip(), engine=engine,
                    detail=f"batch {result.batch_id}: {preview.report.file_name} · {preview.report.changes.text_en()}")
        warmup.after_write()
        return "success", t("data.applied", lang, message=message)
    return "info", message


def undo(engine: Any, batch_id: int, lang: str) -> tuple[str, str]:
    """Undo one batch (the latest applied) and return (alert kind, message) for the page."""
    try:
        store.undo_batch(engine, int(batch_id))
    except ValueError as exc:
        return "error", t("data.undo_failed", lang, error=str(exc))
    auth.record("undo", engine=engine, detail=f"batch {int(batch_id)}")
    warmup.after_write()
    return "success", t("data.undone", lang, batch=batch_id)


def needs_as_of(preview: Preview | None) -> bool:
    """True when the files name no as-of day and one is needed (a status column): the page asks for it."""
    report = preview.report if preview is not None else None
    return report is not None and any(p.code == "status_without_as_of" for p in report.problems)


def problems_table(report: ingest.Report, lang: str) -> pd.DataFrame:
    """Every problem, errors first, by sheet / row / column, in ``lang`` (headers translated).

    The row column is text: a problem of a whole column or file says so in
    words instead of showing an empty cell or ``None``.
    """
    level = {"error": t("data.level.error", lang), "warning": t("data.level.warning", lang)}
    out = pd.DataFrame({
        t("data.col.level", lang): [level[p.severity] for p in report.problems],
        t("data.col.sheet", lang): [p.sheet or t("data.where.file", lang) for p in report.problems],
        t("data.col.row", lang): [_row_text(p, lang) for p in report.problems],
        t("data.col.column", lang): [p.column or "—" for p in report.problems],
        t("data.col.message", lang): [p.body(lang) for p in report.problems],
    }, dtype=object)
    return out.reset_index(drop=True)


def _row_text(p: ingest.Problem, lang: str) -> str:
    if p.row is not None:
        return str(p.row)
    return t("data.where.whole_column" if p.column else "data.where.whole_sheet", lang)


def change_text(report: ingest.Report, lang: str) -> str:
    """The change summary line: +12 签约，+9 封房，2 处日期更正 …."""
    return report.changes.text(lang)


def summary_text(summary: Any, lang: str) -> str:
    """A stored change summary in ``lang``: the counts (JSON) an import stores, said as a sentence.

    Summaries stored before the counts were (a Chinese sentence, "bulk load")
    are shown as they are.
    """
    if is_missing(summary):
        return ""
    text = str(summary)
    if text == "bulk load":
        return t("ingest.change.bulk", lang)
    try:
        counts = json.loads(text)
    except ValueError:
        return text
    if not isinstance(counts, dict):
        return text
    return ingest.Changes.from_counts(counts).text(lang)


def note_lines(report: ingest.Report, lang: str) -> list[str]:
    """What the reader did that the user should know (skipped 合计 rows, hidden rows imported …), one line each."""
    return [n.text(lang) for n in report.notes]


def file_line(report: ingest.Report, lang: str) -> str:
    """File name(s), hash and as-of day of the preview, as one caption line."""
    asof = report.as_of.isoformat() if report.as_of else t("data.asof_unknown", lang)
    return t("data.files", lang, names=report.file_name, sha=report.sha256[:SHA_SHOWN], asof=asof, rows=report.rows)


def history_table(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The import history (newest first) with translated headers, status and change summary."""
    status = {"applied": t("data.status.applied", lang), "undone": t("data.status.undone", lang)}
    who = batches["imported_by"].astype(object).map(lambda v: t("data.system", lang) if v == "system" else v)
    return pd.DataFrame({
        t("data.hcol.batch", lang): batches["batch_id"].astype("Int64"),
        t("data.hcol.when", lang): batches["imported_at"].map(_when).astype(object),
        t("data.hcol.who", lang): who,
        t("data.hcol.file", lang): batches["file_name"].astype(object),
        t("data.hcol.rows", lang): batches["rows"].astype("Int64"),
        t("data.hcol.status", lang): batches["status"].map(lambda s: status.get(s, s)).astype(object),
        t("data.hcol.summary", lang): batches["summary"].map(lambda s: summary_text(s, lang)).astype(object),
        t("data.hcol.sha256", lang): batches["sha256"].map(lambda s: str(s or "")[:SHA_SHOWN]).astype(object),
    }).reset_index(drop=True)


def undoable(batches: pd.DataFrame) -> dict[str, Any] | None:
    """The batch the undo button offers: the newest applied one, unless it is an initial bulk load.

    ``store.undo_batch`` undoes only the newest applied batch; a bulk load
    (the demo, or a benchmark) keeps no undo log, so it is never offered.
    """
    applied = batches[batches["status"] == "applied"]
    if applied.empty:
        return None
    latest = cast(dict[str, Any], applied.sort_values("batch_id").iloc[-1].to_dict())
    if not latest.get("sha256"):
        return None
    return latest


def export_file_name(kind: str, day: date | None, lang: str) -> str:
    """``台账_2023-11-07.xlsx`` / ``台账模板.xlsx`` (English names in English)."""
    if kind == "template":
        return "台账模板.xlsx" if lang == "zh" else "ledger-template.xlsx"
    stem = "台账" if lang == "zh" else "ledger"
    return f"{stem}_{day.isoformat()}.xlsx" if day else f"{stem}.xlsx"


def _when(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m-%d %H:%M")


def engine() -> Any:
    """The configured database's engine (the data page writes through it)."""
    return store.get_engine()


def history(db: Any) -> pd.DataFrame:
    """Every import batch, newest first, as stored."""
    return store.list_batches(db)


def ledger_xlsx(campaign: store.Campaign) -> bytes:
    """The whole ledger in the layout the importer reads (holds owners' names: editors only)."""
    return ingest.export_workbook(campaign)


def template_xlsx(campaign: store.Campaign) -> bytes:
    """The blank ledger template, with this campaign's blocks and teams to pick from."""
    return ingest.template_workbook(campaign)
