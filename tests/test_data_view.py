"""The data page's logic without Streamlit: uploads → preview → verdict, display tables, undo target."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pandas as pd
import pytest

from lib import ingest, store
from lib.web import data_page
from tests.data import demo_ledgers as d
from tests.data import make_ledgers as m


@pytest.fixture
def db(engine):
    """A fresh database holding the tiny campaign (2 blocks, 3 teams, 6 households)."""
    report = ingest.validate(m.read(m.TINY), None, today=m.AS_OF)
    ingest.apply(report, engine, imported_by="setup")
    return engine


def prepare(engine, *files: tuple[str, bytes], **kwargs) -> data_page.Preview:
    uploads = [data_page.Upload(name, data) for name, data in files]
    return data_page.prepare(uploads, store.load_frames(engine), engine, max_bytes=kwargs.pop("max_bytes", 10**7),
                             today=m.AS_OF, **kwargs)


def progress_csv(rows: list[list]) -> tuple[str, bytes]:
    return "进度.csv", m.csv_bytes([m.PROGRESS[0], *rows], "gbk")


def test_upload_limit_is_the_smaller_of_streamlit_and_importer():
    assert data_page.upload_limit_mb(50) == 25  # the importer's MAX_BYTES
    assert data_page.upload_limit_mb(10) == 10
    assert data_page.upload_limit_mb(50, configured_mb=40) == 40
    assert data_page.upload_limit_mb(None, configured_mb=0.2) == 1


def test_configured_limit_from_env_or_secrets():
    assert data_page.configured_limit_mb({"ingest": {"max_upload_mb": 12}}, env={}) == 12
    assert data_page.configured_limit_mb({"ingest": {"max_upload_mb": 12}}, env={"INGEST_MAX_MB": "8"}) == 8
    assert data_page.configured_limit_mb({"ingest": {"max_upload_mb": "lots"}}, env={}) is None
    assert data_page.configured_limit_mb({}, env={}) is None


def test_a_clean_ledger_is_ready(db):
    row = ["Z-001", date(2023, 9, 26), date(2023, 10, 1), date(2023, 10, 20), date(2023, 11, 7), None, None]
    preview = prepare(db, progress_csv([row]))
    assert data_page.verdict(preview) == data_page.Verdict("ready", True, False)
    assert data_page.change_text(preview.report, "zh") == "+1 封房（6 户不在地图上）"  # the tiny campaign has no map
    assert data_page.change_text(preview.report, "en") == "+1 sealed (6 not on the map)"
    assert data_page.verdict_text(preview, "en") == "All checks passed; confirm to write."
    assert data_page.problems_table(preview.report, "zh").empty


def test_progress_is_reported_while_reading(db):
    seen = []
    prepare(db, ("户.xlsx", m.xlsx({"户": m.HOUSEHOLDS})), ("进度.xlsx", m.xlsx({"进度": m.PROGRESS})),
            progress=lambda f, what: seen.append((round(f, 3), what)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {"户.xlsx", "进度.xlsx"} <= {w for _, w in seen}


def test_errors_block_and_are_listed_by_sheet_row_column(db):
    bad = m.replace(m.PROGRESS, "Z-002", "签约日期", "十月五号")
    preview = prepare(db, progress_csv(bad[1:]))
    v = data_page.verdict(preview)
    assert (v.kind, v.can_apply, v.count) == ("errors", False, 1)
    assert data_page.verdict_text(preview, "zh").startswith("有 1 个错误，不能导入，未写入任何数据。")
    table = data_page.problems_table(preview.report, "zh")
    assert list(table.columns) == ["级别", "表", "行", "列", "说明"]
    assert table.iloc[0].tolist()[:4] == ["✗ 错误", "进度.csv", "6", "签约日期"]
    assert "“十月五号”不是有效日期" in table.iloc[0]["说明"]
    english = data_page.problems_table(preview.report, "en")
    assert list(english.columns) == ["Level", "Sheet", "Row", "Column", "Problem"]
    assert "'十月五号' is not a valid date" in english.iloc[0]["Problem"]


def test_warnings_need_accepting(db):
    preview = prepare(db, progress_csv([["Z-001", date(2023, 9, 26), date(2023, 10, 1), None, None, None, None]]))
    v = data_page.verdict(preview)
    assert (v.kind, v.can_apply, v.needs_accept, v.count) == ("warnings", True, True, 1)
    assert data_page.problems_table(preview.report, "en").iloc[0]["Level"] == "⚠ Warning"


def test_not_a_ledger_refuses_the_whole_set_naming_the_file(db):
    preview = prepare(db, progress_csv([]), ("照片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    assert preview.report is None
    assert data_page.verdict(preview).kind == "refused"
    assert data_page.verdict_text(preview, "zh").startswith("无法导入：“照片.xlsx”：")
    assert data_page.verdict_text(preview, "en").startswith("Cannot import: '照片.xlsx': ")


def test_too_big_is_refused_with_the_limit(db):
    preview = prepare(db, ("进度.csv", b"x" * 3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    assert preview.refused_zh == "“进度.csv”：文件太大（3.0 MB），上限是 2.0 MB。"
    assert preview.refused_en == "'进度.csv': The file is too large (3.0 MB); the limit is 2.0 MB."


def test_a_reader_crash_is_a_refusal_not_a_traceback(db, monkeypatch):
    def boom(*_a, **_k):
        raise KeyError("oops")

    monkeypatch.setattr(ingest, "read_ledger", boom)
    preview = prepare(db, ("x.csv", b"a,b\n"))
    assert preview.refused_en == "'x.csv' could not be read (KeyError)."


def test_nothing_to_change_and_already_imported(db):
    same = prepare(db, ("进度.xlsx", m.xlsx({"进度": m.PROGRESS})))
    assert data_page.verdict(same).kind == "nothing"
    row = ["Z-001", date(2023, 9, 26), date(2023, 10, 1), date(2023, 10, 20), date(2023, 11, 7), None, None]
    first = prepare(db, progress_csv([row]))
    kind, message = data_page.apply_preview(first, db, who="林建", accepted=True, lang="zh")
    assert (kind, message) == ("success", "已导入（批次 2）：+1 封房（6 户不在地图上）。看板各页已按新数据更新。")
    again = prepare(db, progress_csv([row]))
    assert data_page.verdict(again).kind == "already"
    assert data_page.verdict_text(again, "en").startswith("This file was already imported on ")
    assert "(batch 2); importing it again changes nothing." in data_page.verdict_text(again, "en")


def test_apply_refuses_errors_and_unaccepted_warnings(db):
    version = store.data_version(db)
    bad = prepare(db, progress_csv(m.replace(m.PROGRESS, "Z-002", "签约日期", "十月五号")[1:]))
    assert data_page.apply_preview(bad, db, who="a", accepted=True, lang="en") == (
        "error", "The ledger has 1 error(s); nothing was written.")
    warn = prepare(db, progress_csv([["Z-001", date(2023, 9, 26), date(2023, 10, 1), None, None, None, None]]))
    kind, message = data_page.apply_preview(warn, db, who="a", accepted=False, lang="zh")
    assert (kind, message) == ("error", "台账有 1 个警告未确认，未写入任何数据。")
    assert store.data_version(db) == version


def test_blank_importer_is_recorded_as_local(db):
    row = ["Z-002", date(2023, 9, 27), date(2023, 10, 2), date(2023, 11, 1), None, None, None]
    data_page.apply_preview(prepare(db, progress_csv([row])), db, who="  ", accepted=True, lang="zh")
    assert store.list_batches(db).iloc[0]["imported_by"] == "本地"


def test_history_table_and_undo_target(db):
    row = ["Z-002", date(2023, 9, 27), date(2023, 10, 2), date(2023, 11, 1), None, None, None]
    data_page.apply_preview(prepare(db, progress_csv([row])), db, who="林建", accepted=True, lang="zh")
    batches = store.list_batches(db)
    table = data_page.history_table(batches, "zh")
    assert list(table.columns) == ["批次", "导入时间", "导入人", "文件", "行数", "状态", "变化", "sha256"]
    assert table.iloc[0][["批次", "导入人", "文件", "行数", "状态", "变化"]].tolist() == [
        2, "林建", "进度.csv", 1, "已生效", "+1 签约（6 户不在地图上）"]
    assert table.iloc[0]["sha256"] == batches.iloc[0]["sha256"][:12]
    assert data_page.history_table(batches, "en").iloc[0]["Changes"] == "+1 signed (6 not on the map)"
    assert data_page.undoable(batches)["batch_id"] == 2
    assert data_page.undo(db, 2, "zh") == ("success", "已撤销批次 2，数据已恢复到导入前。")
    batches = store.list_batches(db)
    assert data_page.history_table(batches, "en").iloc[0]["Status"] == "undone"
    assert data_page.undoable(batches)["batch_id"] == 1
    kind, message = data_page.undo(db, 2, "en")
    assert kind == "error" and message.startswith("Undo failed: batch 2 is not the latest applied batch")


def test_a_bulk_load_is_never_offered_for_undo():
    batches = pd.DataFrame([
        {"batch_id": 1, "file_name": "demo", "sha256": "", "rows": 694, "imported_at": datetime(2023, 11, 7, 8),
         "imported_by": "system", "status": "applied", "summary": "bulk load"},
    ])
    assert data_page.undoable(batches) is None
    assert data_page.history_table(batches, "zh").iloc[0]["导入人"] == "系统"
    assert data_page.undoable(batches.iloc[:0]) is None


def test_export_file_names():
    assert data_page.export_file_name("ledger", date(2023, 11, 7), "zh") == "台账_2023-11-07.xlsx"
    assert data_page.export_file_name("ledger", None, "en") == "ledger.xlsx"
    assert data_page.export_file_name("template", None, "zh") == "台账模板.xlsx"


def test_markdown_is_escaped():
    assert data_page.md_escape("[点我](javascript:alert(1))") == r"\[点我\](javascript\:alert(1))"  # no [ ], no link
    assert data_page.md_escape("**粗** <b>") == r"\*\*粗\*\* \<b\>"


def test_demo_ledgers_read_as_the_page_tests_expect(demo_campaign, demo_db_url):
    engine = store.get_engine(demo_db_url)
    for name, data in (("封房进度.csv", d.seal_three_gbk_csv()), ("街道台账.xlsx", d.seal_three_district_xlsx())):
        preview = data_page.prepare([data_page.Upload(name, data)], demo_campaign, engine, max_bytes=10**7)
        assert data_page.verdict(preview).kind == "ready", preview.report.to_text()
        assert data_page.change_text(preview.report, "zh") == "+3 封房"
    bad = data_page.prepare([data_page.Upload("进度_20231107.csv", d.three_errors_csv())], demo_campaign, engine,
                            max_bytes=10**7)
    table = data_page.problems_table(bad.report, "zh")
    assert len(table) == 3
    for (_, row), (line, column, message) in zip(table.iterrows(), d.THREE_ERRORS_ZH, strict=True):
        assert (row["行"], row["列"]) == (str(line), column)
        assert row["说明"].startswith(message)


def test_the_table_drops_the_location_its_columns_show(db):
    preview = prepare(db, progress_csv(m.replace(m.PROGRESS, "Z-002", "签约日期", "十月五号")[1:]))
    assert data_page.problems_table(preview.report, "zh").iloc[0]["说明"] == (
        "“十月五号”不是有效日期（可写 2023-09-26、2023/9/26、2023年9月26日）。")
    assert data_page.problems_table(preview.report, "en").iloc[0]["Problem"] == (
        "'十月五号' is not a valid date (write 2023-09-26, 2023/9/26 or 2023年9月26日).")
    whole = ingest.Problem("error", "status_without_as_of", "进度", None, "状态", ingest.msg("ingest.status_without_as_of"))
    row = data_page.problems_table(dataclasses.replace(preview.report, problems=[whole]), "en").iloc[0]
    assert (row["Row"], row["Column"]) == ("whole column", "状态")
    assert row["Problem"].startswith("a status column needs the ledger's as-of day")


def test_stored_summaries_are_said_in_the_readers_language():
    counts = '{"added": {"signed": 2, "sealed": 1}, "corrected": 1, "new_households": 1, "not_on_map": 3}'
    assert data_page.summary_text(counts, "zh") == "+2 签约，+1 封房，1 处日期更正，新增 1 户（3 户不在地图上）"
    assert data_page.summary_text(counts, "en") == (
        "+2 signed, +1 sealed, 1 corrected date, 1 new household (3 not on the map)")
    assert data_page.summary_text("bulk load", "zh") == "初始装载"
    assert data_page.summary_text("+1 签约", "en") == "+1 签约"  # a summary stored before the counts were: as it is
    assert data_page.summary_text(None, "en") == ""
