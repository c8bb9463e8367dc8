"""The change summary against the current data: +12 签约, +9 封房, 2 corrected dates."""

from datetime import date

from lib.ingest import validate
from tests.data import make_ledgers as m

P = m.PROGRESS
NEW_ROW = ["Y-009", None, None, "2023/10/5", None, None, None]


def next_day(rows):
    """Tomorrow's ledger: Z-002 signs, Z-001 is sealed, Y-003's signing date corrected."""
    rows = m.replace(rows, "Z-002", "签约日期", date(2023, 11, 7))
    rows = m.replace(rows, "Z-001", "封房日期", date(2023, 11, 7))
    return m.replace(rows, "Y-003", "签约日期", date(2023, 10, 17))


def test_summary_counts_new_and_corrected_milestones():
    report = validate(m.read({"进度": next_day(P)}), m.campaign(), today=m.AS_OF)
    assert report.changes.added == {"signed": 1, "sealed": 1}
    assert report.changes.corrected == 1
    assert report.changes.text_zh() == "+1 签约，+1 封房，1 处日期更正（6 户不在地图上）"
    assert report.changes.text_en() == "+1 signed, +1 sealed, 1 corrected date (6 not on the map)"


def test_milestones_frame_holds_only_the_changes():
    report = validate(m.read({"进度": next_day(P)}), m.campaign(), today=m.AS_OF)
    assert report.milestones.values.tolist() == [
        ["Y-003", "signed", date(2023, 10, 17)],
        ["Z-001", "sealed", date(2023, 11, 7)],
        ["Z-002", "signed", date(2023, 11, 7)],
    ]


def test_same_data_again_changes_nothing():
    report = validate(m.read(m.TINY), m.campaign(), today=m.AS_OF)
    assert report.changes.empty
    assert (report.blocks, report.teams, report.households, report.milestones) == (None, None, None, None)


def test_a_whole_campaign_into_an_empty_database():
    report = validate(m.read(m.TINY), None, today=m.AS_OF)
    c = report.changes
    assert (c.new_blocks, c.new_teams, c.new_households) == (2, 3, 6)
    assert c.text_zh().startswith("+6 入户调查，+5 评估，+4 签约，+3 封房，新增 2 个地块，新增 3 个工作组，新增 6 户")
    assert len(report.milestones) == 18


def test_removed_dates_are_counted():
    report = validate(m.read({"进度": m.replace(P, "Z-001", "签约日期", None)}), m.campaign(), today=m.AS_OF)
    assert report.changes.removed == {"signed": 1}
    assert report.milestones.values.tolist() == [["Z-001", "signed", None]]


def test_a_column_missing_from_the_file_leaves_that_stage_alone():
    rows = [["户号", "签约日期"], ["Y-001", date(2023, 10, 1)]]
    report = validate(m.read({"进度": rows}), m.campaign(), today=m.AS_OF)
    assert report.changes.empty and report.problems == []


def test_report_text_lists_changes_and_problems():
    text = validate(m.read({"进度": [*P, P[3]]}), m.campaign(), today=m.AS_OF).to_text()
    assert "变化：没有变化" in text and "Changes: no changes" in text
    assert "  警告：“进度”表第 8 行“户号”列：与第 4 行完全相同（Y-003），已忽略。" in text
    assert "  warning: Sheet '进度', row 8, column '户号': the same as row 4 (Y-003); ignored." in text
    assert text.endswith("0 个错误，1 个警告\n0 errors, 1 warning")


def test_report_text_in_one_language():
    text = validate(m.read({"进度": [*m.PROGRESS, NEW_ROW]}), m.campaign(), today=m.AS_OF).to_text("en")
    assert "变化" not in text and "  ERROR: Sheet '进度', row 8, column '户号': household 'Y-009'" in text
    assert text.endswith("1 error, 0 warnings")


def test_long_imports_report_progress():
    steps = []
    validate(m.read(m.TINY), None, today=m.AS_OF, progress=lambda f, s: steps.append((f, s)))
    assert steps[0] == (0.0, "blocks") and steps[-1] == (1.0, "done")
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
