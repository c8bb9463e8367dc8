"""The data page's logic: uploads to a preview, what may be applied, tables for display.

The page (``pages/data.py``) only renders; everything it decides — which
files make one import, whether the confirm button is live, what the problem
and history tables show, which batch may be undone — is here, tested without
Streamlit. Reading and validating are :mod:`lib.ingest`'s; this module only
strings them together for an upload and says the result in the session's
language.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from lib import ingest, store
from lib.i18n import t
from lib.web import auth
from lib.web.escape import md_escape  # noqa: F401  (the page escapes through data_page.md_escape)

log = logging.getLogger(__name__)

#: File types the uploader accepts (ledgers and GIS footprints).
UPLOAD_TYPES: tuple[str, ...] = ("xlsx", "xlsm", "xls", "csv", "txt", "zip", "geojson", "json", "gpkg")
#: Environment override of the per-file limit, in MB (like secrets ``[ingest] max_upload_mb``).
LIMIT_ENV = "INGEST_MAX_MB"

Progress = Callable[[float, str], None]
#: Display widths of the problem table's columns (level, sheet, row, column, message): the message gets the room.
PROBLEM_WIDTHS: tuple[int | None, ...] = (80, 150, 50, 100, None)  # pixels; None: the rest


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the user knows it by, and its bytes."""

    name: str
    data: bytes


@dataclass
class Preview:
    """What the page shows after an upload, kept in the session until confirm or discard.

    Exactly one of ``report`` and ``refused_zh``/``refused_en`` is set.
    ``already`` is the applied batch that imported the same file(s) before.
    """

    signature: tuple
    report: ingest.Report | None = None
    refused_zh: str = ""
    refused_en: str = ""
    already: dict[str, Any] | None = None


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
) -> Preview:
    """Read every upload, merge them into one ledger and validate it; write nothing.

    A file that is not a ledger refuses the whole set with a message naming
    it. ``progress`` gets (fraction, file name) while reading, then (0.9, "").
    """
    report_progress = progress or (lambda _f, _w: None)
    n = max(1, len(uploads))
    ledgers = []
    for i, up in enumerate(uploads):
        def step(fraction: float, _what: str, i: int = i, name: str = up.name) -> None:
            report_progress(0.85 * (i + min(max(fraction, 0.0), 1.0)) / n, name)

        step(0.0, up.name)
        try:
            ledgers.append(ingest.read_ledger(up.data, file_name=up.name, max_bytes=max_bytes, progress=step))
        except ingest.NotALedger as exc:
            return Preview(sig, refused_zh=f"“{up.name}”：{exc.message_zh}", refused_en=f"'{up.name}': {exc.message_en}")
        except Exception as exc:  # a reader bug must not crash the page; say which file
            log.exception("reading %s failed", up.name)
            return Preview(sig, refused_zh=f"“{up.name}”无法读取（{type(exc).__name__}）。",
                           refused_en=f"'{up.name}' could not be read ({type(exc).__name__}).")
    try:
        ledger = ingest.merge_ledgers(ledgers)
    except ingest.NotALedger as exc:
        return Preview(sig, refused_zh=exc.message_zh, refused_en=exc.message_en)
    report_progress(0.9, "")
    report = ingest.validate(ledger, current, today=today)
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
        return t("data.verdict.refused", lang, message=preview.refused_zh if lang == "zh" else preview.refused_en)
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
        return "error", exc.message_zh if lang == "zh" else exc.message_en
    message = result.message_zh if lang == "zh" else result.message_en
    if result.created:
        auth.record("import", who=who.strip(), engine=engine,
                    detail=f"batch {result.batch_id}: {preview.report.file_name} · {preview.report.changes.text_en()}")
        return "success", t("data.applied", lang, message=message)
    return "info", message


def undo(engine: Any, batch_id: int, lang: str) -> tuple[str, str]:
    """Undo one batch (the latest applied) and return (alert kind, message) for the page."""
    try:
        store.undo_batch(engine, int(batch_id))
    except ValueError as exc:
        return "error", t("data.undo_failed", lang, error=str(exc))
    auth.record("undo", engine=engine, detail=f"batch {int(batch_id)}")
    return "success", t("data.undone", lang, batch=batch_id)


def problems_table(report: ingest.Report, lang: str) -> pd.DataFrame:
    """Every problem, errors first, by sheet / row / column, in ``lang`` (headers translated)."""
    frame = report.problems_frame()
    level = frame["severity"].map({"error": t("data.level.error", lang), "warning": t("data.level.warning", lang)})
    out = pd.DataFrame({
        t("data.col.level", lang): level.astype(object),
        t("data.col.sheet", lang): frame["sheet"].astype(object),
        t("data.col.row", lang): frame["row"].astype("Int64"),
        t("data.col.column", lang): frame["column"].astype(object),
        t("data.col.message", lang): [_without_location(p, lang) for p in report.problems],
    })
    return out.reset_index(drop=True)


def _without_location(p: ingest.Problem, lang: str) -> str:
    """A problem's message without the "sheet, row, column:" lead its own table columns already show.

    The lead is rebuilt the way the validator writes it; a message in any
    other shape is kept whole, so nothing is ever lost.
    """
    if lang == "zh":
        message = p.message_zh
        lead = f"“{p.sheet}”表" + (f"第 {p.row} 行" if p.row is not None else "") + (f"“{p.column}”列" if p.column else "") + "："
    else:
        message = p.message_en
        lead = f"Sheet '{p.sheet}'" + (f", row {p.row}" if p.row is not None else "") + (
            f", column '{p.column}'" if p.column else "") + ": "
    return message[len(lead):] if message.startswith(lead) and len(message) > len(lead) else message


def change_text(report: ingest.Report, lang: str) -> str:
    """The change summary line: +12 签约，+9 封房，2 处日期更正 …"""
    return report.changes.text_zh() if lang == "zh" else report.changes.text_en()


def note_lines(report: ingest.Report, lang: str) -> list[str]:
    """What the reader did that the user should know (skipped 合计 rows, merged headers …)."""
    lines = []
    for n in report.notes:
        text = n.message_zh if lang == "zh" else n.message_en
        lines.append(f"{text} [{n.sheet}]" if n.sheet else text)
    return lines


def file_line(report: ingest.Report, lang: str) -> str:
    """File name(s), hash and as-of day of the preview, as one caption line."""
    asof = report.as_of.isoformat() if report.as_of else t("data.asof_unknown", lang)
    return t("data.files", lang, names=report.file_name, sha=report.sha256[:12], asof=asof, rows=report.rows)


def history_table(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The import history (newest first) with translated headers and status."""
    status = {"applied": t("data.status.applied", lang), "undone": t("data.status.undone", lang)}
    who = batches["imported_by"].astype(object).map(lambda v: t("data.system", lang) if v == "system" else v)
    return pd.DataFrame({
        t("data.hcol.batch", lang): batches["batch_id"].astype("Int64"),
        t("data.hcol.when", lang): batches["imported_at"].map(_when).astype(object),
        t("data.hcol.who", lang): who,
        t("data.hcol.file", lang): batches["file_name"].astype(object),
        t("data.hcol.rows", lang): batches["rows"].astype("Int64"),
        t("data.hcol.status", lang): batches["status"].map(lambda s: status.get(s, s)).astype(object),
        t("data.hcol.summary", lang): batches["summary"].astype(object),
        t("data.hcol.sha256", lang): batches["sha256"].astype(object),
    }).reset_index(drop=True)


def undoable(batches: pd.DataFrame) -> dict[str, Any] | None:
    """The batch the undo button offers: the newest applied one, unless it is an initial bulk load.

    ``store.undo_batch`` undoes only the newest applied batch; a bulk load
    (the demo, or a benchmark) keeps no undo log, so it is never offered.
    """
    applied = batches[batches["status"] == "applied"]
    if applied.empty:
        return None
    latest = applied.sort_values("batch_id").iloc[-1].to_dict()
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
