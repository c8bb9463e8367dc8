"""The status-column form: 未签约/已签约/已封房… plus the file's as-of day."""

from datetime import date

from lib.ingest import validate
from tests.data import make_ledgers as m

AS_OF = date(2023, 11, 7)
TITLE = ["状元地块征收进度（截至2023年11月7日）"]


def status_sheet(*rows):
    return {"进度": [TITLE, ["户号", "当前状态"], *[list(r) for r in rows]]}


def test_newly_signed_and_sealed_get_the_as_of_day():
    report = validate(m.read(status_sheet(("Z-002", "已签约"), ("Z-001", "已封房"))), m.campaign())
    assert report.problems == []
    assert report.milestones.values.tolist() == [
        ["Z-002", "signed", AS_OF], ["Z-001", "sealed", AS_OF]]
    assert report.changes.text_zh().startswith("+1 签约，+1 封房")


def test_sealed_without_a_signing_date_is_signed_too():
    report = validate(m.read(status_sheet(("Z-003", "已封房"))), m.campaign())
    assert report.milestones.values.tolist() == [["Z-003", "signed", AS_OF], ["Z-003", "sealed", AS_OF]]


def test_known_dates_are_kept():
    report = validate(m.read(status_sheet(("Y-001", "已封房"), ("Z-001", "已签约"))), m.campaign())
    assert report.changes.empty and report.problems == []


def test_unsigned_today_after_signed_yesterday_is_a_warning():
    report = validate(m.read(status_sheet(("Z-001", "未签约"))), m.campaign())
    assert m.problem_keys(report) == [("warning", "stage_regressed", "进度", 3, "当前状态")]
    assert report.problems[0].message_zh == (
        "“进度”表第 3 行“当前状态”列：户号 Z-001 原已签约（2023-10-20），本台账为未签约；接受后将删除该日期。")
    assert report.milestones.values.tolist() == [["Z-001", "signed", None]]


def test_unknown_status_value():
    report = validate(m.read(status_sheet(("Z-001", "谈判中"))), m.campaign())
    assert m.problem_keys(report) == [("error", "bad_status", "进度", 3, "当前状态")]
    assert "status '谈判中' is not recognised" in report.problems[0].message_en


def test_status_needs_an_as_of_day():
    report = validate(m.read({"进度": [["户号", "状态"], ["Z-002", "已签约"]]}), m.campaign())
    assert m.problem_keys(report) == [("error", "status_without_as_of", "进度", None, "状态")]
    assert report.problems[0].message_en.startswith("Sheet '进度', column '状态': a status column needs")


def test_as_of_day_can_be_given_instead():
    report = validate(m.read({"进度": [["户号", "状态"], ["Z-002", "已签约"]]}), m.campaign(), as_of=AS_OF)
    assert report.milestones.values.tolist() == [["Z-002", "signed", AS_OF]]


def test_date_columns_win_over_a_status_column():
    rows = [["户号", "签约日期", "状态"], ["Z-002", "2023/11/6", "已封房"]]
    report = validate(m.read({"进度": rows}), m.campaign(), today=AS_OF)
    assert report.milestones.values.tolist() == [["Z-002", "signed", date(2023, 11, 6)]]
    assert any("status column was not used" in n.message_en for n in report.notes)
